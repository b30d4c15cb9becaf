"""mikey's messages against Wireshark's MIKEY dissector (tshark 4.0, packet-mikey.c).

One message of every data type (``mikey.wire.samples``) and some variants go through
tshark in one batch. For each: MIKEY is recognised, nothing is malformed, no Warning or
Error expert item appears, every payload Wireshark implements is recognised in order, and
every field it shows equals ours. Where a message holds something newer than Wireshark
knows (RFC 6043 payloads, CHASH, HMAC-SHA-256, NTP-UTC-32), Wireshark stops silently at
that payload (``WIRESHARK.md``); the test then requires that it framed every payload
before it without error.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mikey.registry import (
    DataType,
    EncrAlg,
    ErrorNo,
    KeyDataType,
    MacAlg,
    PayloadType,
    TsType,
)
from mikey.wire.basic import (
    CertPayload,
    ErrorPayload,
    IdPayload,
    RandPayload,
    TimestampPayload,
    VerificationPayload,
)
from mikey.wire.extension import GeneralExtensionPayload
from mikey.wire.header import SrtpIdMap
from mikey.wire.kemac import IntervalValidity, KemacPayload, KeyDataSubPayload, SpiValidity
from mikey.wire.message import Message, decode_sub_payloads, encode_sub_payloads
from mikey.wire.payload import Payload
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.publickey import DhPayload, EnvelopePayload, SignaturePayload
from mikey.wire.rules import kemac_first_sub_payload
from mikey.wire.sakke import SakkePayload
from mikey.wire.samples import psk_message, sample_message
from mikey.wire.ticket import IdRolePayload

from .tshark import PAYLOAD_FIELDS, Dissection, Field, dissect_many

pytestmark = pytest.mark.interop

# Payload types packet-mikey.c (4.0) has a dissector for; it stops at any other.
KNOWN = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 21, 26}


def _beyond_wireshark(payload: Payload) -> bool:
    """Values newer than Wireshark 4.0 knows, at which it stops (WIRESHARK.md)."""
    match payload:
        case TimestampPayload(ts_type=ts_type):
            return ts_type not in (TsType.NTP_UTC, TsType.NTP, TsType.COUNTER)
        case KemacPayload(mac_alg=alg) | VerificationPayload(auth_alg=alg):
            return alg not in (MacAlg.NULL, MacAlg.HMAC_SHA_1_160)
        case DhPayload():
            return payload.validity is not None
        case EnvelopePayload(data=data):
            return len(data) >= 1024
    return False


def _variants() -> dict[str, Message]:
    base = psk_message()
    null_kemac = KemacPayload(
        encr_alg=EncrAlg.NULL,
        encr_data=encode_sub_payloads(
            [
                KeyDataSubPayload(
                    key_type=KeyDataType.TEK_SALT,
                    key=bytes(range(16)),
                    salt=bytes(range(50, 64)),
                    validity=IntervalValidity(
                        valid_from=bytes(6), valid_to=b"\0\0\xff\xff\xff\xff"
                    ),
                )
            ]
        ),
        mac_alg=MacAlg.NULL,
        mac=b"",
    )
    spi_kemac = KemacPayload(
        encr_alg=EncrAlg.NULL,
        encr_data=encode_sub_payloads(
            [
                KeyDataSubPayload(
                    key_type=KeyDataType.TEK, key=bytes(30), validity=SpiValidity(spi=b"\0\0\0\1")
                )
            ]
        ),
        mac_alg=MacAlg.HMAC_SHA_1_160,
        mac=bytes(20),
    )
    error = sample_message(DataType.ERROR)
    return {
        "psk-aes-cm": base,
        "psk-null-tek-salt-interval": Message(
            header=base.header, payloads=(*base.payloads[:3], null_kemac)
        ),
        "psk-ntp-spi-mki": Message(
            header=base.header,
            payloads=(
                TimestampPayload(ts_type=TsType.NTP, value=0xE9C1B2A380000000),
                base.payloads[1],
                base.payloads[2],
                spi_kemac,
            ),
        ),
        "psk-counter": Message(
            header=base.header,
            payloads=(TimestampPayload(ts_type=TsType.COUNTER, value=7), *base.payloads[1:]),
        ),
        "error-with-v": Message(
            header=error.header,
            payloads=(
                *error.payloads[:-1],
                ErrorPayload(error_no=ErrorNo.AUTH_FAILURE),
                VerificationPayload(auth_alg=MacAlg.HMAC_SHA_1_160, ver_data=bytes(20)),
            ),
        ),
    }


def _known_first(message: Message) -> Message:
    """The same payloads with those Wireshark implements moved ahead of the others (the
    RFCs fix only the last payload), so that it shows as many as it can."""
    *body, last = message.payloads
    known = [p for p in body if p.payload_type in KNOWN and not _beyond_wireshark(p)]
    rest = [p for p in body if p not in known]
    return Message(header=message.header, payloads=(*known, *rest, last))


MESSAGES: dict[str, Message] = {f"dt{int(dt)}-{dt.label}": sample_message(dt) for dt in DataType}
MESSAGES.update(
    {
        f"dt{int(dt)}-{dt.label}-known-first": _known_first(sample_message(dt))
        for dt in DataType
        if _known_first(sample_message(dt)) != sample_message(dt)
    }
)
MESSAGES.update(_variants())


def _exchange_messages() -> dict[str, Message]:
    """What the PSK and NULL modes really send: I_MESSAGE, R_MESSAGE (V), update and
    error messages (``mikey.modes``)."""
    from datetime import UTC, datetime, timedelta

    from mikey.interop import GSTREAMER, ONVIF
    from mikey.modes import CryptoSessionSpec, PskInitiator, PskResponder
    from mikey.srtp.policy import AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_32, NULL_HMAC_SHA1_80
    from mikey.wire.message import decode_message

    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    psk = bytes(range(20))
    initiator = PskInitiator(psk=psk, identity=b"sip:alice@example.com", peer_identity=b"bob")
    responder = PskResponder(psk=psk, identity=b"bob", supported=(AES_CM_128_HMAC_SHA1_32,))
    sessions = [
        CryptoSessionSpec(ssrc=0x11111111),
        CryptoSessionSpec(policy=AES_CM_128_HMAC_SHA1_32, ssrc=0),
    ]
    i_message, bundle = initiator.initiate(sessions, now=now, verify=True)
    r_message = responder.receive(i_message, now=now).reply
    initiator.receive_response(r_message or b"")
    update, _ = initiator.update(bundle, now=now + timedelta(seconds=1))
    bad, _ = initiator.initiate([CryptoSessionSpec(policy=NULL_HMAC_SHA1_80)], now=now)
    invalid_sp = responder.receive(bad, now=now).reply
    wrong_key, _ = PskInitiator(psk=b"wrong").initiate(now=now, verify=True)
    auth_failure = responder.receive(wrong_key, now=now).reply
    gstreamer, _ = PskInitiator(psk=None, profile=GSTREAMER).initiate(now=now)
    onvif, _ = PskInitiator(psk=psk, profile=ONVIF).initiate(now=now)
    gcm, _ = PskInitiator(psk=psk).initiate([CryptoSessionSpec(policy=AEAD_AES_128_GCM)], now=now)
    key_wrap, _ = PskInitiator(psk=psk, encr_alg=EncrAlg.AES_KW_128).initiate(now=now)
    found = {
        "mode-psk-i-message": i_message,
        "mode-psk-r-message": r_message,
        "mode-psk-update": update,
        "mode-error-invalid-sp": invalid_sp,
        "mode-error-auth-failure": auth_failure,
        "mode-null-gstreamer": gstreamer,
        "mode-psk-onvif-mki": onvif,
        "mode-psk-gcm": gcm,
        "mode-psk-aes-kw": key_wrap,
    }
    return {name: decode_message(data or b"") for name, data in found.items()}


MESSAGES.update(_exchange_messages())


def _pke_messages() -> dict[str, Message]:
    """What the public-key envelope mode sends: I_MESSAGE with CERT, CHASH, PKE and SIGN
    (PKCS#1 v1.5 and PSS), its verification answer, an Invalid Cert error, and a
    pre-shared key update under a cached envelope key."""
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives.asymmetric import rsa

    from mikey.modes import CryptoSessionSpec, PkeInitiator, PkeResponder
    from mikey.pki import ENDPOINT, CertificateAuthority, RevocationMode, TrustStore
    from mikey.registry import CacheIndicator, HashFunc, SType
    from mikey.wire.message import decode_message

    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    root = CertificateAuthority.create_root("CN=Root", now=now - timedelta(days=1))
    issued = {
        name: root.issue(ENDPOINT, now=now - timedelta(days=1), subject=f"CN={name}", sans=[name])
        for name in ("sip:alice@example.com", "sip:bob@example.com")
    }
    (alice, alice_key), (bob, bob_key) = [(i.certificate, i.private_key) for i in issued.values()]
    assert isinstance(alice_key, rsa.RSAPrivateKey) and isinstance(bob_key, rsa.RSAPrivateKey)
    trust = TrustStore(roots=(root.certificate,), revocation=RevocationMode.SOFT)
    responder = PkeResponder(private_key=bob_key, certificate=bob, trust=trust)
    common = {"private_key": alice_key, "certificates": [alice], "peer_certificate": bob}
    initiator = PkeInitiator(
        **common,  # type: ignore[arg-type]
        identity=b"sip:alice@example.com",
        cache=CacheIndicator.CACHE_FOR_CSB,
        chash=HashFunc.SHA_256,
    )
    i_message, _ = initiator.initiate(now=now, verify=True)
    r_message = responder.receive(i_message, now=now).reply
    bundle = initiator.receive_response(r_message or b"")
    update, _ = initiator.update(bundle, now=now + timedelta(seconds=1))
    pss, _ = PkeInitiator(
        **common,  # type: ignore[arg-type]
        identity=b"sip:alice@example.com",
        s_type=SType.RSA_PSS,
    ).initiate(now=now)
    stranger = PkeResponder(
        private_key=bob_key, certificate=bob, trust=TrustStore(roots=(bob,))
    ).receive(pss, now=now)
    from mikey.modes import RsaRInitiator, RsaRResponder

    rsa_r_request = RsaRInitiator(
        private_key=alice_key, certificates=[alice], trust=trust, identity=b"sip:alice@example.com"
    ).initiate(now=now)
    rsa_r_answer = RsaRResponder(
        private_key=bob_key, certificates=[bob], trust=trust, identity=b"sip:bob@example.com"
    ).receive(rsa_r_request, now=now)
    from mikey.modes import DhHmacInitiator, DhHmacResponder, DhSignInitiator, DhSignResponder

    dh_request = DhSignInitiator(
        private_key=alice_key, certificates=[alice], trust=trust, identity=b"sip:alice@example.com"
    ).initiate(now=now)
    dh_answer = DhSignResponder(private_key=bob_key, certificates=[bob], trust=trust).receive(
        dh_request, now=now
    )
    psk_dh = DhHmacInitiator(psk=b"shared", identity=b"alice", peer_identity=b"bob")
    dhhmac_request = psk_dh.initiate(now=now)
    dhhmac_answer = DhHmacResponder(psk=b"shared", identity=b"bob").receive(dhhmac_request, now=now)
    from mikey.modes import RsaRGroup

    group_server = RsaRResponder(
        private_key=bob_key,
        certificates=[bob],
        trust=trust,
        identity=b"sip:bob@example.com",
        group=RsaRGroup.create([CryptoSessionSpec(ssrc=0xAAAA0001)]),
    )
    group_answer = group_server.receive(
        RsaRInitiator(
            private_key=alice_key,
            certificates=[alice],
            trust=trust,
            identity=b"sip:alice@example.com",
        ).initiate((), now=now),
        now=now,
    )
    found = {
        "mode-rsa-r-group-r-message": group_answer.reply,
        "mode-dh-sign-i-message": dh_request,
        "mode-dh-sign-r-message": dh_answer.reply,
        "mode-dhhmac-i-message": dhhmac_request,
        "mode-dhhmac-r-message": dhhmac_answer.reply,
        "mode-rsa-r-i-message": rsa_r_request,
        "mode-rsa-r-r-message": rsa_r_answer.reply,
        "mode-pke-i-message": i_message,
        "mode-pke-r-message": r_message,
        "mode-pke-cached-update": update,
        "mode-pke-pss": pss,
        "mode-error-invalid-cert": stranger.reply,
    }
    return {name: decode_message(data or b"") for name, data in found.items()}


MESSAGES.update(_pke_messages())


@pytest.fixture(scope="module")
def dissections() -> dict[str, Dissection]:
    names = sorted(MESSAGES)
    results = dissect_many([MESSAGES[name].encode() for name in names])
    return dict(zip(names, results, strict=True))


def _hex(data: bytes) -> str:
    return data.hex()


def _expected_fields(payload: Payload, message: Message) -> Iterator[tuple[str, str, str]]:
    """(field, attribute, expected) triples: attribute "show" for numbers, "value" for
    bytes (plain hex), "text" for strings."""
    match payload:
        case TimestampPayload(ts_type=ts_type, value=value):
            yield "mikey.t.ts_type", "show", str(int(ts_type))
            if ts_type in (TsType.NTP_UTC, TsType.NTP):
                yield "mikey.t.ntp", "value", value.to_bytes(8).hex()
        case RandPayload(rand=rand):
            yield "mikey.rand.len", "show", str(len(rand))
            yield "mikey.rand.data", "value", _hex(rand)
        case IdPayload(id_type=id_type, data=data) | IdRolePayload(id_type=id_type, data=data):
            if isinstance(payload, IdRolePayload):
                yield "mikey.id.role", "show", str(int(payload.id_role))
            yield "mikey.id.type", "show", str(int(id_type))
            yield "mikey.id.len", "show", str(len(data))
            yield "mikey.id.data", "show", data.decode()
        case CertPayload(cert_type=cert_type, data=data):
            yield "mikey.cert.type", "show", str(int(cert_type))
            yield "mikey.cert.data", "value", _hex(data)
        case VerificationPayload(auth_alg=alg, ver_data=ver_data):
            yield "mikey.v.auth_alg", "show", str(int(alg))
            if ver_data:
                yield "mikey.v.ver_data", "value", _hex(ver_data)
        case SecurityPolicyPayload(policy_no=no, prot_type=prot, params=params):
            yield "mikey.sp.no", "show", str(no)
            yield "mikey.sp.proto_type", "show", str(int(prot))
            yield "mikey.sp.param_len", "show", str(sum(2 + len(p.value) for p in params))
            for index, param in enumerate(params):
                yield f"mikey.sp.param.type#{index}", "show", str(int(param.type))
                yield f"mikey.sp.patam.value#{index}", "value", _hex(param.value)
        case KemacPayload(encr_alg=encr_alg, encr_data=encr_data, mac_alg=mac_alg, mac=mac):
            yield "mikey.kemac.encr_alg", "show", str(int(encr_alg))
            yield "mikey.kemac.key_data_len", "show", str(len(encr_data))
            if encr_alg == EncrAlg.NULL and message.data_type == DataType.PRE_SHARED and encr_data:
                # Wireshark decodes the first key data sub-payload only (WIRESHARK.md).
                first = decode_sub_payloads(encr_data, first=kemac_first_sub_payload(0))[0]
                assert isinstance(first, KeyDataSubPayload)
                yield "mikey.key.type", "show", str(int(first.key_type))
                yield "mikey.key.kv", "show", str(int(first.kv_type))
                yield "mikey.key.data.len", "show", str(len(first.key))
                yield "mikey.key.data", "value", _hex(first.key)
                if first.salt:
                    yield "mikey.key.salt.len", "show", str(len(first.salt))
                    yield "mikey.key.salt", "value", _hex(first.salt)
                if isinstance(first.validity, SpiValidity):
                    yield "mikey.key.kv.spi", "value", _hex(first.validity.spi)
                if isinstance(first.validity, IntervalValidity):
                    yield "mikey.key.kv.from", "value", _hex(first.validity.valid_from)
                    yield "mikey.key.kv.to", "value", _hex(first.validity.valid_to)
            elif encr_data:
                yield "mikey.kemac.key_data", "value", _hex(encr_data)
            yield "mikey.kemac.mac_alg", "show", str(int(mac_alg))
            if mac:
                yield "mikey.kemac.mac", "value", _hex(mac)
        case EnvelopePayload(cache=cache, data=data):
            yield "mikey.pke.c", "show", str(int(cache))
            yield "mikey.pke.len", "show", str(len(data))
            yield "mikey.pke.data", "value", _hex(data)
        case DhPayload(dh_group=group, dh_value=value):
            yield "mikey.dh.group", "show", str(int(group))
            yield "mikey.dh.value", "value", _hex(value)
            yield "mikey.dh.kv", "show", str(int(payload.kv_type))
        case SignaturePayload(s_type=s_type, signature=signature):
            yield "mikey.sign.type", "show", str(int(s_type))
            yield "mikey.sign.len", "show", str(len(signature))
            yield "mikey.sign.data", "value", _hex(signature)
        case ErrorPayload(error_no=error_no):
            yield "mikey.err.no", "show", str(int(error_no))
        case GeneralExtensionPayload(ext_type=ext_type, data=data):
            yield "mikey.ext.type", "show", str(int(ext_type))
            yield "mikey.ext.len", "show", str(len(data))
            if ext_type != 1:
                yield "mikey.ext.data", "value", _hex(data)
        case SakkePayload(sakke_params=params, id_scheme=scheme, sakke_data=data):
            yield "mikey.sakke.params", "show", str(int(params))
            yield "mikey.sakke.idscheme", "show", str(int(scheme))
            yield "mikey.sakke.len", "show", str(len(data))
            yield "mikey.sakke.data", "value", _hex(data)


def _lookup(subtree: Field, name: str, attribute: str) -> str:
    base, _, index = name.partition("#")
    found = [f for f in subtree.walk() if f.name == base]
    if not found:
        raise AssertionError(f"Wireshark shows no {base} in:\n{subtree.render()}")
    return getattr(found[int(index or 0)], attribute)


def _header_fields(message: Message) -> Iterator[tuple[str, str]]:
    header = message.header
    yield "mikey.version", str(header.version)
    yield "mikey.type", str(int(header.data_type))
    first = message.payloads[0].payload_type if message.payloads else PayloadType.LAST
    yield "mikey.next_payload", str(int(first))
    yield "mikey.v.set", str(int(header.v))
    yield "mikey.prf_func", str(int(header.prf_func))
    yield "mikey.csb_id", f"{header.csb_id:#010x}"
    yield "mikey.cs_count", str(header.cs_id_map.cs_count)
    yield "mikey.cs_id_map_type", str(int(header.cs_id_map.map_type))


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_wireshark_agrees(name: str, dissections: dict[str, Dissection]) -> None:
    message, dissection = MESSAGES[name], dissections[name]
    assert dissection.has_mikey, dissection.render()
    assert not dissection.malformed, dissection.render()
    assert not [e for e in dissection.expert if e.severity in ("Error", "Warning")], (
        dissection.render()
    )

    hdr = dissection.tree[0]
    assert hdr.name == "mikey.hdr"
    for field_name, expected in _header_fields(message):
        assert _lookup(hdr, field_name, "show") == expected, (field_name, dissection.render())
    if isinstance(message.header.cs_id_map, SrtpIdMap):
        entries = message.header.cs_id_map.entries
        assert [f.show for f in hdr.fields("mikey.srtp_id.ssrc")] == [
            f"{e.ssrc:#010x}" for e in entries
        ]
        assert [f.show for f in hdr.fields("mikey.srtp_id.roc")] == [
            f"{e.roc:#010x}" for e in entries
        ]
        assert [f.show for f in hdr.fields("mikey.srtp_id.policy_no")] == [
            str(e.policy_no) for e in entries
        ]

    # Payloads Wireshark implements, in order, up to the first one it does not.
    supported = []
    for payload in message.payloads:
        if payload.payload_type not in KNOWN or _beyond_wireshark(payload):
            break
        supported.append(payload)
    names = dissection.payload_names()[1:]
    assert names[: len(supported)] == [PAYLOAD_FIELDS[p.payload_type] for p in supported], (
        dissection.render()
    )
    if len(supported) == len(message.payloads):
        assert dissection.completed, dissection.render()
        assert dissection.dissected_length == len(message.encode())

    for index, payload in enumerate(supported):
        subtree = dissection.tree[1 + index]
        following = (
            message.payloads[index + 1].payload_type
            if index + 1 < len(message.payloads)
            else PayloadType.LAST
        )
        if payload.payload_type is not PayloadType.SIGN:
            assert subtree.children[0].name == "mikey.next_payload"
            assert subtree.children[0].show == str(int(following))
        for field_name, attribute, expected in _expected_fields(payload, message):
            got = _lookup(subtree, field_name, attribute)
            assert got == expected, (name, field_name, got, expected, subtree.render())


def test_every_data_type_is_checked() -> None:
    assert {m.data_type for m in MESSAGES.values()} == set(DataType)
