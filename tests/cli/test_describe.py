"""``mikey.wire.describe``: every payload and every field of a message is in its tree, with
offsets that cover every byte; registry numbers are named and hidden structure decoded.

The samples cover all 27 data types; the third-party and GStreamer vectors are real
messages (``tests/vectors``); hypothesis adds random valid messages of every data type.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.errors import MikeyParseError, MikeyValueError
from mikey.registry import (
    CertType,
    DataType,
    EncrAlg,
    IdRole,
    IdType,
    KeyDataType,
    KeyIdType,
    MacAlg,
    OmaBcastDataSubtype,
    PayloadType,
    ProtType,
    TsRole,
    TsType,
)
from mikey.wire.basic import CertPayload, TimestampPayload, VerificationPayload, ntp_from_datetime
from mikey.wire.buffer import Writer
from mikey.wire.describe import Node, describe
from mikey.wire.extension import (
    CsbId,
    GeneralExtensionContent,
    GeneralExtensionPayload,
    KeyIdInformation,
    KeyIdSubPayload,
    OmaBcast,
    SakkeToSelf,
    SdpIds,
    TeslaIKey,
    ThreeGppKeyParameters,
    VendorId,
)
from mikey.wire.header import GenericIdEntry, GenericIdMap, SrtpSessionData
from mikey.wire.kemac import IntervalValidity, KemacPayload, KeyDataSubPayload
from mikey.wire.message import Message, decode_message, encode_sub_payloads
from mikey.wire.payload import Payload
from mikey.wire.policy import PolicyParam, SecurityPolicyPayload
from mikey.wire.profiles import LENIENT, PROFILES, STRICT
from mikey.wire.publickey import DhPayload
from mikey.wire.rules import PAYLOAD_CLASSES
from mikey.wire.sakke import SakkePayload
from mikey.wire.samples import (
    psk_message,
    public_key_message,
    sample_certificate,
    sample_message,
)
from mikey.wire.ticket import (
    IdRolePayload,
    TicketFlag,
    TicketPayload,
    TicketPolicyPayload,
    TimestampRolePayload,
)
from tests.interop.test_third_party_messages import NEEDS_PROFILE
from tests.interop.test_third_party_messages import VECTORS as THIRD_PARTY
from tests.wire import strategies as s

from .trees import FIELD_NODES, check_message, check_tiling, child, walk

NOW = datetime(2026, 12, 1, tzinfo=UTC)
GSTREAMER: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "vectors/gstreamer/messages.json").read_text()
)


def _roundtrip(message: Message) -> tuple[Message, Node]:
    decoded = decode_message(message.encode())
    return decoded, describe(decoded, now=NOW)


def _with(message: Message, payload: Payload) -> Message:
    """``message`` with its first payload of ``payload``'s type replaced by ``payload``."""
    payloads = list(message.payloads)
    index = next(i for i, p in enumerate(payloads) if p.payload_type is payload.payload_type)
    payloads[index] = payload
    return replace(message, payloads=tuple(payloads))


def _payload_node(tree: Node, title: str) -> Node:
    return next(c for c in tree.children if c.name == title)


def test_every_payload_class_and_nested_dataclass_has_a_field_table() -> None:
    assert set(PAYLOAD_CLASSES.values()) <= set(FIELD_NODES)


@pytest.mark.parametrize("data_type", list(DataType), ids=lambda t: t.name)
def test_every_sample_shows_every_payload_and_field(data_type: DataType) -> None:
    message, tree = _roundtrip(sample_message(data_type))
    check_message(message, tree)
    assert tree.text.startswith(data_type.label)


@pytest.mark.parametrize(
    "message",
    [psk_message(), public_key_message([sample_certificate(), sample_certificate("ca")])],
    ids=["psk", "public-key"],
)
def test_psk_and_public_key_samples(message: Message) -> None:
    check_message(*_roundtrip(message))


@pytest.mark.parametrize("vector", THIRD_PARTY, ids=lambda v: v["name"])
def test_every_third_party_message(vector: dict[str, Any]) -> None:
    data = bytes.fromhex(vector["hex"])
    message = decode_message(data, profile=NEEDS_PROFILE.get(vector["name"], STRICT))
    tree = describe(message, now=NOW, hex_limit=48)
    check_message(message, tree)
    assert not any(n.name == "Undecodable bytes" for n in walk(tree))


@pytest.mark.parametrize("vector", GSTREAMER, ids=lambda v: v["name"])
def test_every_gstreamer_message_describes_or_is_refused(vector: dict[str, Any]) -> None:
    data = bytes.fromhex(vector["hex"])
    for profile in PROFILES.values():
        try:
            message = decode_message(data, profile=profile)
        except MikeyParseError:
            continue
        check_message(message, describe(message, now=NOW))
        return
    assert not vector["rfc3830_conformant"]


@pytest.mark.parametrize("data_type", s.registered_data_types(), ids=lambda t: f"dt{int(t)}")
@given(data=st.data())
def test_random_messages(data_type: int, data: st.DataObject) -> None:
    message = decode_message(data.draw(s.message_of(data_type)).encode())
    check_message(message, describe(message, now=NOW, hex_limit=16))


@given(st.binary(min_size=10, max_size=300).map(lambda b: b"\x01" + b[1:]))
def test_whatever_lenient_decoding_accepts_describes(data: bytes) -> None:
    try:
        message = decode_message(data, profile=LENIENT)
    except MikeyParseError:
        return
    check_tiling(describe(message, now=NOW))


def test_json_shape() -> None:
    tree = describe(psk_message(), now=NOW)
    out = json.loads(json.dumps(tree.to_json()))
    assert set(out) == {"name", "text", "offset", "length", "children"}
    for node in out["children"]:
        assert {"name", "offset", "length", "children"} <= set(node)
    leaf = out["children"][0]["children"][1]
    assert leaf == {
        "name": "Data type",
        "value": 0,
        "text": "Pre-shared (0)",
        "offset": 1,
        "length": 1,
    }


def test_header_fields_in_hex_and_decimal() -> None:
    header = describe(psk_message()).children[0]
    assert child(header, "CSB ID").text == "0x4d4b4559 (1296778585)"
    session = child(child(header, "CS ID map info"), "Crypto session 1")
    assert child(session, "SSRC").text == "0x1a2b3c4d (439041101)"
    assert child(session, "ROC").text == "0x00000000 (0)"
    v, prf = child(header, "V"), child(header, "PRF func")
    assert (v.offset, v.length) == (prf.offset, prf.length) == (3, 1)
    assert prf.text == "MIKEY-1 (0)"


def test_derived_length_fields() -> None:
    tree = describe(sample_message(DataType.SAKKE_MSG))
    lengths: dict[tuple[str, str], object] = {}
    for payload in tree.children:
        for node in payload.children:
            if "len" in node.name.lower():
                lengths.setdefault((payload.name, node.name), node.value)
    assert lengths[("RAND", "RAND len")] == 16
    assert lengths[("ID with role (IDR)", "ID len")] == 21
    assert lengths[("Security policy (SP)", "Policy param length")] == 30
    assert lengths[("SAKKE", "SAKKE data length")] == 273
    assert lengths[("Signature (SIGN)", "Signature len")] == 129
    assert lengths[("General extension", "Length")] == 5


def test_kemac_in_clear_shows_key_data_lengths_and_kv() -> None:
    tree = describe(sample_message(DataType.PRE_SHARED))
    kemac = _payload_node(tree, "Key data transport (KEMAC)")
    assert child(kemac, "Encr data len").value == 22
    key = child(child(kemac, "Encr data"), "Key data")
    assert child(key, "Type").text == "TGK (0)"
    assert child(key, "KV").text == "SPI (1)"
    assert child(key, "Key data len").value == 16
    kv = child(key, "KV data")
    assert child(kv, "SPI Length").value == 1
    assert child(kv, "SPI").value == "01"


def test_kemac_salt_and_interval_validity() -> None:
    key = KeyDataSubPayload(
        key_type=KeyDataType.TEK_SALT,
        key=bytes(16),
        salt=bytes(14),
        validity=IntervalValidity(valid_from=bytes(6), valid_to=bytes.fromhex("0000000100ff")),
    )
    kemac = KemacPayload(
        encr_alg=EncrAlg.NULL, encr_data=encode_sub_payloads([key]), mac_alg=MacAlg.NULL, mac=b""
    )
    message, tree = _roundtrip(_with(sample_message(DataType.PRE_SHARED), kemac))
    check_message(message, tree)
    node = child(child(_payload_node(tree, "Key data transport (KEMAC)"), "Encr data"), "Key data")
    assert child(node, "Salt len").value == 14
    kv = child(node, "KV data")
    assert [c.name for c in kv.children] == ["VF Length", "Valid From", "VT Length", "Valid To"]
    assert "ROC 1, SEQ 255" in child(kv, "Valid To").text


def test_encrypted_kemac_says_so() -> None:
    kemac = _payload_node(describe(psk_message()), "Key data transport (KEMAC)")
    assert "encrypted with AES-CM-128" in child(kemac, "Encr data").text


def test_dh_reserved_and_kv() -> None:
    dh = sample_message(DataType.DH_INIT).get(DhPayload)
    assert dh is not None
    with_kv = replace(dh, validity=IntervalValidity(valid_from=b"\x00", valid_to=b"\xff"))
    message, tree = _roundtrip(_with(sample_message(DataType.DH_INIT), with_kv))
    check_message(message, tree)
    node = _payload_node(tree, "DH data (DH)")
    assert child(node, "DH-Group").text == "OAKLEY 5 (0)"
    assert child(node, "Reserv").value == 0
    assert child(node, "KV").text == "Interval (2)"


def test_srtp_policy_parameters_are_interpreted() -> None:
    policy = child(_payload_node(describe(psk_message()), "Security policy (SP)"), "Policy param")
    texts = {c.name: c.text for c in policy.children}
    assert texts["Encryption algorithm (0)"] == "AES-CM (1)  [raw 01]"
    assert texts["Session Encr. key length (1)"] == "16 bytes  [raw 10]"
    assert texts["SRTP encryption off/on (7)"] == "on  [raw 01]"
    assert texts["Authentication tag length (11)"] == "10 bytes  [raw 0a]"
    assert len(policy.children) == 10  # one node per parameter: no raw duplicate list


def test_srtp_policy_hints_for_known_deviations() -> None:
    sp = SecurityPolicyPayload(
        policy_no=0,
        prot_type=ProtType.SRTP,
        params=(
            PolicyParam(type=2, value=b"\x01"),
            PolicyParam(type=3, value=b"\x0a"),  # GStreamer: tag length as auth key length
            PolicyParam(type=6, value=b"\x00\x01\x00\x00"),
            PolicyParam(type=13, value=b"\x01"),  # ALEA: one byte, RFC 4771 says 16 bits
            PolicyParam(type=0, value=b"\x09"),
            PolicyParam(type=99, value=b"\x01\x02"),
        ),
    )
    params = child(
        _payload_node(_roundtrip(_with(psk_message(), sp))[1], "Security policy (SP)"),
        "Policy param",
    )
    texts = [c.text for c in params.children]
    assert "HMAC-SHA1-80 tag length" in texts[1]
    assert texts[2].startswith("65536 (2^16)")
    assert "16-bit integer" in texts[3]
    assert texts[4].startswith("unassigned (9)")
    assert params.children[5].name == "unassigned parameter (99)"


def test_tesla_policy_parameters() -> None:
    start = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    sp = SecurityPolicyPayload(
        policy_no=1,
        prot_type=ProtType.TESLA,
        params=(
            PolicyParam(type=1, value=b"\x00"),
            PolicyParam(type=2, value=bytes([160])),
            PolicyParam(type=4, value=bytes([80])),
            PolicyParam(type=5, value=ntp_from_datetime(start).to_bytes(8)),
            PolicyParam(type=6, value=(100).to_bytes(4)),
            PolicyParam(type=7, value=(2).to_bytes(2)),
        ),
    )
    message, tree = _roundtrip(_with(psk_message(), sp))
    check_message(message, tree)
    params = child(_payload_node(tree, "Security policy (SP)"), "Policy param")
    texts = {c.name: c.text for c in params.children}
    assert texts["PRF identifier for f and f' (1)"].startswith("HMAC-SHA1 (0)")
    assert texts["Length of PRF f' output (2)"].startswith("160 bits")
    assert texts["Start of session (5)"].startswith("2026-11-22 12:00:00 UTC")
    assert texts["Interval duration (6)"].startswith("100 ms")
    assert texts["Key disclosure delay (7)"].startswith("2 intervals")


_SAKKE = sample_message(DataType.SAKKE_MSG).get(SakkePayload)
assert _SAKKE is not None
_CONTENTS: list[GeneralExtensionContent] = [
    VendorId(data=b"\x00\xff"),
    SdpIds(ids=("mikey", "keyp1")),
    TeslaIKey(key=bytes(20)),
    KeyIdInformation(
        key_ids=(
            KeyIdSubPayload(key_id_type=KeyIdType.MBMS_SERVICE_KEY_ID, key_id=b"\x01\x02"),
            KeyIdSubPayload(key_id_type=250, key_id=b""),
        )
    ),
    CsbId(csb_id=0xDEADBEEF),
    OmaBcast(subtype=OmaBcastDataSubtype.STKM, data=b"\x01\x02\x03"),
    SakkeToSelf(sakke=_SAKKE),
    ThreeGppKeyParameters(protected_payload=bytes(14)),
]


@pytest.mark.parametrize("content", _CONTENTS, ids=lambda c: type(c).__name__)
def test_general_extension_contents(content: GeneralExtensionContent) -> None:
    extension = GeneralExtensionPayload.from_content(content)
    message, tree = _roundtrip(_with(sample_message(DataType.PRE_SHARED), extension))
    check_message(message, tree)
    node = _payload_node(tree, "General extension")
    assert child(node, "Type").text == f"{content.ext_type.label} ({int(content.ext_type)})"
    data = child(node, "Data")
    if isinstance(content, KeyIdInformation):
        assert [child(k, "Key ID Type").text for k in data.children] == [
            "MBMS Service Key ID (1)",
            "private use (250)",
        ]
    elif isinstance(content, CsbId):
        assert child(data, "CSB ID").text == "0xdeadbeef (3735928559)"
    elif isinstance(content, OmaBcast):
        assert child(data, "Subtype").text == "STKM (2)"
    elif isinstance(content, SakkeToSelf):
        assert [c.name for c in data.children][:3] == ["Next payload", "SAKKE params", "ID scheme"]
        assert child(data, "SAKKE data").children[0].name == "R_(b,S)"
    elif isinstance(content, SdpIds):
        assert "mikey;keyp1" in data.text


def test_unregistered_general_extension_is_shown_as_bytes() -> None:
    extension = GeneralExtensionPayload(ext_type=250, data=b"\x01\x02")
    _, tree = _roundtrip(_with(sample_message(DataType.PRE_SHARED), extension))
    node = _payload_node(tree, "General extension")
    assert child(node, "Type").text == "private use (250)"
    assert child(node, "Data").text == "0102 (2 bytes)"


def test_generic_id_map_with_srtp_session_data() -> None:
    entry = GenericIdEntry(
        cs_id=1,
        prot_type=ProtType.SRTP,
        s_flag=True,
        policy_nos=(0, 1),
        session_data=SrtpSessionData(ssrc=0x01020304, roc=5, seq=6).encode(),
        spi=b"\xaa",
    )
    message = sample_message(DataType.PRE_SHARED, cs_id_map=GenericIdMap(entries=(entry,)))
    message, tree = _roundtrip(message)
    check_message(message, tree)
    session = child(child(tree.children[0], "CS ID map info"), "Crypto session 1")
    assert child(session, "S").text == "1 (ROC and SEQ present)"
    assert [c.value for c in child(session, "Ps").children] == [0, 1]
    data = child(session, "Session Data")
    assert [c.name for c in data.children] == ["SSRC", "ROC", "SEQ"]
    assert child(data, "SSRC").text == "0x01020304 (16909060)"


def test_empty_map() -> None:
    header = describe(sample_message(DataType.SAKKE_MSG, cs_id_map=None)).children[0]
    assert child(header, "CS ID map type").text == "SRTP-ID (0)"
    header = describe(sample_message(DataType.REQUEST_RESP)).children[0]
    info = child(header, "CS ID map info")
    assert info.length == 0
    assert "Empty map" in info.text


def _chain(*payloads: Payload) -> bytes:
    """A First Payload byte and a payload chain, as TP Data and Initiator Data carry."""
    w = Writer()
    w.uint8(payloads[0].payload_type)
    for index, payload in enumerate(payloads):
        following = (
            payloads[index + 1].payload_type if index + 1 < len(payloads) else PayloadType.LAST
        )
        payload.encode(w, following)
    return w.getvalue()


def test_ticket_policy_flags_and_tp_data_chain() -> None:
    message = sample_message(DataType.REQUEST_INIT_PSK)
    tp = message.get(TicketPolicyPayload)
    assert tp is not None
    key = KeyDataSubPayload(key_type=KeyDataType.TGK, key=bytes(16))
    tp_data = _chain(
        IdRolePayload(id_role=IdRole.KMS, id_type=IdType.URI, data=b"kms.example.com"),
        TimestampRolePayload(
            ts_role=TsRole.REKEYING_INTERVAL, ts_type=TsType.NTP_UTC_32, value=3600
        ),
        KemacPayload(
            encr_alg=EncrAlg.NULL,
            encr_data=encode_sub_payloads([key]),
            mac_alg=MacAlg.NULL,
            mac=b"",
        ),
    )
    policy = replace(tp.policy, tp_data=tp_data)
    message, tree = _roundtrip(_with(message, TicketPolicyPayload(policy=policy)))
    check_message(message, tree)
    node = child(_payload_node(tree, "Ticket policy (TP)"), "Ticket policy")
    flags = child(node, "Flags")
    assert flags.text.startswith("D F H N O")
    assert child(flags, "D").text == "1 (the KMS generated the ticket)"
    assert child(flags, "I").text == "0 (key forking SHALL NOT be used)"
    prf, res = child(node, "PRF Func"), child(node, "Res")
    assert (prf.offset, prf.length) == (flags.offset, flags.length) == (res.offset, res.length)
    data = child(node, "TP Data")
    assert [c.name for c in data.children] == [
        "First payload",
        "ID with role (IDR)",
        "Timestamp with role (TR)",
        "Key data transport (KEMAC)",
    ]
    assert child(data.children[1], "ID Role").text == "KMS (IDRkms) (3)"
    assert child(data.children[2], "TS Value").text.startswith("rekey at least every 3600 seconds")
    assert child(child(data.children[3], "Encr data"), "Key data").text.startswith("TGK")


def test_ticket_flag_conflicts_are_named() -> None:
    message = sample_message(DataType.REQUEST_INIT_PSK)
    tp = message.get(TicketPolicyPayload)
    assert tp is not None
    policy = replace(tp.policy, flags=(tp.policy.flags & ~TicketFlag.F) | TicketFlag.G)
    tree = _roundtrip(_with(message, TicketPolicyPayload(policy=policy)))[1]
    flags = child(child(_payload_node(tree, "Ticket policy (TP)"), "Ticket policy"), "Flags")
    assert "breaks RFC 6043 §6.10: G implies F" in flags.text


def test_undecodable_tp_data_is_shown_with_its_error() -> None:
    message = sample_message(DataType.REQUEST_INIT_PSK)
    tp = message.get(TicketPolicyPayload)
    assert tp is not None
    policy = replace(tp.policy, tp_data=b"\x0e\x03\xff")
    tree = _roundtrip(_with(message, TicketPolicyPayload(policy=policy)))[1]
    data = child(child(_payload_node(tree, "Ticket policy (TP)"), "Ticket policy"), "TP Data")
    assert [c.name for c in data.children] == ["First payload", "Undecodable bytes"]
    assert "does not decode" in data.children[1].text
    check_tiling(tree)


def test_ticket_initiator_data_chain() -> None:
    message = sample_message(DataType.TRANSFER_INIT)
    ticket = message.get(TicketPayload)
    assert ticket is not None
    v = VerificationPayload(auth_alg=MacAlg.HMAC_SHA_1_160, ver_data=bytes(20))
    forked = replace(ticket, initiator_data=_chain(v, v))
    message, tree = _roundtrip(_with(message, forked))
    check_message(message, tree)
    data = child(_payload_node(tree, "Ticket (TICKET)"), "Initiator Data")
    assert [c.name for c in data.children] == [
        "First payload",
        "Verification (V)",
        "Verification (V)",
    ]
    assert child(_payload_node(tree, "Ticket (TICKET)"), "Initiator Data length").value == 45


def test_timestamp_as_time_and_counter() -> None:
    tree = describe(psk_message(), now=NOW)
    t = _payload_node(tree, "Timestamp (T)")
    assert child(t, "TS value").text == "2026-11-22 12:00:00 UTC  [raw eead57c000000000]"
    counter = TimestampPayload(ts_type=TsType.COUNTER, value=7)
    tree = _roundtrip(_with(psk_message(), counter))[1]
    assert child(_payload_node(tree, "Timestamp (T)"), "TS value").text.startswith("counter 7")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "onvif-genetec-omnicast-setup",
            "looks like a Windows FILETIME (100 ns since 1601): 2018-01-15",
        ),
        (
            "thales-sakke-gmk",
            "looks like NTP seconds in the low (fraction) word: 2021-05-05 12:57:36",
        ),
    ],
)
def test_implausible_times_get_a_hint(name: str, expected: str) -> None:
    vector = next(v for v in THIRD_PARTY if v["name"] == name)
    message = decode_message(bytes.fromhex(vector["hex"]))
    t = _payload_node(describe(message, now=NOW), "Timestamp (T)")
    assert expected in child(t, "TS value").text
    assert t.text.endswith("implausible time")
    # Without a clock, only times before 2000 are implausible.
    t = _payload_node(describe(message), "Timestamp (T)")
    assert "implausible" not in t.text


def test_naive_now_is_refused() -> None:
    with pytest.raises(MikeyValueError):
        describe(psk_message(), now=datetime(2026, 1, 1))


def test_identities_as_text_or_hex() -> None:
    tree = describe(sample_message(DataType.SAKKE_MSG))
    idr = _payload_node(tree, "ID with role (IDR)")
    assert child(idr, "ID Role").text == "Initiator (IDRi) (1)"
    assert child(idr, "ID Data").text == "'sip:alice@example.com' (21 bytes)"
    vector = next(v for v in THIRD_PARTY if v["name"] == "smartms-sakke-gmk-1")
    tree = describe(decode_message(bytes.fromhex(vector["hex"])))
    texts = [child(n, "ID Data").text for n in tree.children if n.name == "ID with role (IDR)"]
    assert any("binary, though the ID type says text" in t for t in texts)
    assert "'streamwide.com' + NUL terminator (15 bytes)" in texts


def test_sakke_and_eccsi_structure() -> None:
    vector = next(v for v in THIRD_PARTY if v["name"] == "softil-sakke-csk")
    tree = describe(decode_message(bytes.fromhex(vector["hex"])))
    sakke = _payload_node(tree, "SAKKE")
    assert child(sakke, "SAKKE params").text == "Parameter Set 1 (1)"
    assert child(sakke, "ID scheme").text == "3GPP MCX hashed UID (2)"
    assert [c.length for c in child(sakke, "SAKKE data").children] == [257, 16]
    sign = _payload_node(tree, "Signature (SIGN)")
    assert child(sign, "S type").text == "ECCSI (2)"
    assert [c.name for c in child(sign, "Signature").children] == ["r", "s", "PVT"]


def test_certificate_details() -> None:
    tree = describe(sample_message(DataType.PUBLIC_KEY), now=NOW)
    data = child(_payload_node(tree, "Certificate (CERT)"), "Certificate data")
    details = {c.name: c.text for c in data.children}
    assert details["subject"] == "CN=alice.example"
    assert details["serial"] == "0x4d494b4559"
    assert details["public key"] == "Ed25519"
    assert details["validity"] == "2026-01-01 00:00:00 to 2036-01-01 00:00:00 UTC"
    late = describe(sample_message(DataType.PUBLIC_KEY), now=datetime(2040, 1, 1, tzinfo=UTC))
    data = child(_payload_node(late, "Certificate (CERT)"), "Certificate data")
    assert child(data, "validity").text.endswith("expired")


@pytest.mark.parametrize(
    ("cert_type", "data", "expected"),
    [
        (CertType.X509V3_URL, b"https://pki.example/alice.der", "'https://pki.example/alice.der'"),
        (CertType.X509V3, b"\x30\x03\x02\x01\x00", "not a DER X.509 certificate"),
    ],
)
def test_certificate_url_or_garbage(cert_type: CertType, data: bytes, expected: str) -> None:
    cert = CertPayload(cert_type=cert_type, data=data)
    message, tree = _roundtrip(_with(sample_message(DataType.PUBLIC_KEY), cert))
    check_message(message, tree)
    node = _payload_node(tree, "Certificate (CERT)")
    assert expected in child(node, "Certificate data").text
    assert expected in node.text


def test_hex_limit_shortens_text_not_values() -> None:
    tree = describe(sample_message(DataType.SAKKE_MSG), hex_limit=16)
    data = child(_payload_node(tree, "SAKKE"), "SAKKE data")
    assert "…" in data.text
    assert _SAKKE is not None
    assert data.value == _SAKKE.sakke_data.hex()


def test_key_that_holds_key_and_salt_gets_a_hint() -> None:
    vector = next(v for v in THIRD_PARTY if v["name"] == "onvif-genetec-omnicast-setup")
    tree = describe(decode_message(bytes.fromhex(vector["hex"])))
    key = child(child(_payload_node(tree, "Key data transport (KEMAC)"), "Encr data"), "Key data")
    assert "16-byte master key || 14-byte master salt" in child(key, "Key data").text
