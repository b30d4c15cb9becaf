"""Sample messages of every data type, with fixed contents, for demos, interop checks and
benchmarks. Keys, MACs and signatures in them are placeholders: these messages show the
wire format (RFC 3830 §6 and extensions), they protect nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache

from mikey.registry import (
    CertType,
    DataType,
    DhGroup,
    EncrAlg,
    ErrorNo,
    HashFunc,
    IdRole,
    IdScheme,
    IdType,
    KeyDataType,
    MacAlg,
    PayloadType,
    PrfFunc,
    ProtType,
    RandRole,
    SakkeParams,
    SrtpParam,
    SType,
    TicketType,
    TsRole,
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
from mikey.wire.extension import GeneralExtensionPayload, VendorId
from mikey.wire.header import CommonHeader, CsIdMap, EmptyMap, SrtpIdEntry, SrtpIdMap
from mikey.wire.ibake import EncryptedSecretKeyPayload, IbakePayload
from mikey.wire.kemac import KemacPayload, KeyDataSubPayload, SpiValidity
from mikey.wire.message import Message, encode_sub_payloads
from mikey.wire.payload import Payload
from mikey.wire.policy import PolicyParam, SecurityPolicyPayload
from mikey.wire.publickey import CertHashPayload, DhPayload, EnvelopePayload, SignaturePayload
from mikey.wire.rules import MESSAGE_RULES
from mikey.wire.sakke import SakkePayload, encapsulated_data_length
from mikey.wire.ticket import (
    IdRolePayload,
    RandRolePayload,
    TicketFlag,
    TicketPayload,
    TicketPolicy,
    TicketPolicyPayload,
    TimestampRolePayload,
)

__all__ = [
    "SAMPLE_TIME",
    "psk_message",
    "public_key_message",
    "sample_certificate",
    "sample_message",
]

SAMPLE_TIME = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
_SSRCS = (0x1A2B3C4D, 0x5E6F7A8B)

AES_CM_128_HMAC_SHA1_80 = (
    (SrtpParam.ENCRYPTION_ALGORITHM, 1),
    (SrtpParam.SESSION_ENCR_KEY_LENGTH, 16),
    (SrtpParam.AUTHENTICATION_ALGORITHM, 1),
    (SrtpParam.SESSION_AUTH_KEY_LENGTH, 20),
    (SrtpParam.SESSION_SALT_KEY_LENGTH, 14),
    (SrtpParam.SRTP_PRF, 0),
    (SrtpParam.SRTP_ENCRYPTION, 1),
    (SrtpParam.SRTCP_ENCRYPTION, 1),
    (SrtpParam.SRTP_AUTHENTICATION, 1),
    (SrtpParam.AUTH_TAG_LENGTH, 10),
)


def srtp_policy(policy_no: int = 0) -> SecurityPolicyPayload:
    """An SRTP policy for AES_CM_128_HMAC_SHA1_80 (RFC 3830 §6.10.1)."""
    return SecurityPolicyPayload(
        policy_no=policy_no,
        prot_type=ProtType.SRTP,
        params=tuple(PolicyParam(type=t, value=bytes([v])) for t, v in AES_CM_128_HMAC_SHA1_80),
    )


@cache
def sample_certificate(name: str = "alice.example") -> bytes:
    """A DER X.509 certificate with a fixed Ed25519 key and dates, made with pyca."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.x509.oid import NameOID

    key = Ed25519PrivateKey.from_private_bytes(name.encode().ljust(32, b"\0")[:32])
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(0x4D494B4559)
        .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2036, 1, 1, tzinfo=UTC))
        .sign(key, None)
    )
    return cert.public_bytes(serialization.Encoding.DER)


def _kemac(data_type: int) -> KemacPayload:
    first = MESSAGE_RULES[data_type].kemac_first
    inner: list[Payload] = []
    if first is PayloadType.ID:
        inner.append(IdPayload(id_type=IdType.URI, data=b"sip:alice@example.com"))
    elif first is PayloadType.IDR:
        inner.append(
            IdRolePayload(
                id_role=IdRole.INITIATOR, id_type=IdType.URI, data=b"sip:alice@example.com"
            )
        )
    key_type = (
        KeyDataType.MPK
        if data_type in (DataType.REQUEST_RESP, DataType.RESOLVE_RESP)
        else (KeyDataType.K_PR if data_type == DataType.REQUEST_KEY_RESP else KeyDataType.TGK)
    )
    inner.append(
        KeyDataSubPayload(
            key_type=key_type, key=bytes(range(16)), validity=SpiValidity(spi=b"\x01")
        )
    )
    return KemacPayload(
        encr_alg=EncrAlg.NULL,
        encr_data=encode_sub_payloads(inner),
        mac_alg=MacAlg.HMAC_SHA_1_160,
        mac=bytes(range(0xA0, 0xB4)),
    )


def _ticket_policy() -> TicketPolicy:
    return TicketPolicy(
        ticket_type=TicketType.MIKEY_BASE_TICKET,
        subtype=1,  # RFC 6043 §6.10: Subtype 1, Version 1 is the MIKEY Base Ticket
        version=1,
        prf_func=PrfFunc.MIKEY_1,
        flags=TicketFlag.D | TicketFlag.F | TicketFlag.H | TicketFlag.N | TicketFlag.O,
        tp_data=b"",
    )


_FACTORIES: dict[PayloadType, Callable[[int, int], Payload]] = {
    PayloadType.T: lambda dt, i: TimestampPayload.at(SAMPLE_TIME),
    PayloadType.RAND: lambda dt, i: RandPayload(rand=bytes(range(0x10, 0x20))),
    PayloadType.ID: lambda dt, i: IdPayload(
        id_type=IdType.URI, data=(b"sip:alice@example.com", b"sip:bob@example.com")[i % 2]
    ),
    PayloadType.CERT: lambda dt, i: CertPayload(
        cert_type=CertType.X509V3_SIGN, data=sample_certificate()
    ),
    PayloadType.SP: lambda dt, i: srtp_policy(i),
    PayloadType.KEMAC: lambda dt, i: _kemac(dt),
    PayloadType.CHASH: lambda dt, i: CertHashPayload(hash_func=HashFunc.SHA_256, hash=bytes(32)),
    PayloadType.PKE: lambda dt, i: EnvelopePayload(data=bytes(range(128))),
    PayloadType.DH: lambda dt, i: DhPayload(
        dh_group=DhGroup.OAKLEY_5, dh_value=bytes([0x5A + i]) * DhGroup.OAKLEY_5.value_length
    ),
    PayloadType.SIGN: lambda dt, i: SignaturePayload(
        s_type=SType.ECCSI if dt == DataType.SAKKE_MSG else SType.RSA_PKCS1_1_5,
        signature=bytes(129 if dt == DataType.SAKKE_MSG else 256),
    ),
    PayloadType.V: lambda dt, i: VerificationPayload(
        auth_alg=MacAlg.HMAC_SHA_1_160, ver_data=bytes(range(0x30, 0x44))
    ),
    PayloadType.ERR: lambda dt, i: ErrorPayload(error_no=ErrorNo.INVALID_SPPAR),
    PayloadType.GENERAL_EXT: lambda dt, i: GeneralExtensionPayload.from_content(
        VendorId(data=b"mikey")
    ),
    PayloadType.TR: lambda dt, i: TimestampRolePayload.at(SAMPLE_TIME, TsRole.TIME_OF_ISSUE),
    PayloadType.IDR: lambda dt, i: IdRolePayload(
        id_role=(IdRole.INITIATOR, IdRole.RESPONDER, IdRole.KMS)[i % 3],
        id_type=IdType.URI,
        data=(b"sip:alice@example.com", b"sip:bob@example.com", b"kms.example.com")[i % 3],
    ),
    PayloadType.RANDR: lambda dt, i: RandRolePayload(
        rand_role=RandRole.INITIATOR, rand=bytes(range(0x40, 0x50))
    ),
    PayloadType.TP: lambda dt, i: TicketPolicyPayload(policy=_ticket_policy()),
    PayloadType.TICKET: lambda dt, i: TicketPayload(policy=_ticket_policy(), ticket_data=b"ticket"),
    PayloadType.IBAKE: lambda dt, i: IbakePayload(encr_data=bytes(48)),
    PayloadType.ESK: lambda dt, i: EncryptedSecretKeyPayload(encr_data=bytes(48)),
    PayloadType.SAKKE: lambda dt, i: SakkePayload(
        sakke_params=SakkeParams.PARAMETER_SET_1,
        id_scheme=IdScheme.TEL_URI_MONTHLY_KEYS,
        sakke_data=b"\x04"
        + bytes((encapsulated_data_length(SakkeParams.PARAMETER_SET_1) or 1) - 1),
    ),
}

# Optional payloads a sample shows besides the required ones, where its data type allows.
_SHOWN = (
    PayloadType.RAND,
    PayloadType.ID,
    PayloadType.IDR,
    PayloadType.SP,
    PayloadType.GENERAL_EXT,
)


def sample_message(
    data_type: DataType, *, with_optional: bool = True, cs_id_map: CsIdMap | None = None
) -> Message:
    """A message of ``data_type`` with every required payload and, with ``with_optional``,
    one of each optional payload (two identities), in the order of the RFC's figure."""
    rule = MESSAGE_RULES[data_type]
    exclusive = {kind for group in rule.exclusive for kind in group}
    payloads: list[Payload] = []
    kinds = [k for k in rule.counts if k is not PayloadType.GENERAL_EXT]
    for kind in [*kinds, PayloadType.GENERAL_EXT]:
        low, high = rule.counts[kind]
        count = low
        if with_optional and high and kind not in exclusive:
            count = max(low, min(high, 2 if kind in (PayloadType.ID, PayloadType.IDR) else 1))
        if data_type == DataType.DH_RESP and kind is PayloadType.DH:
            count = 2
        payloads += [_FACTORIES[kind](data_type, i) for i in range(count)]
    if rule.last or any(p.payload_type is PayloadType.SIGN for p in payloads):
        last_kinds = rule.last or {PayloadType.SIGN}
        tail = [p for p in payloads if p.payload_type in last_kinds][-1:]
        payloads = [p for p in payloads if p not in tail] + tail
    entries = tuple(SrtpIdEntry(policy_no=0, ssrc=s, roc=0) for s in _SSRCS)
    has_sp = any(p.payload_type is PayloadType.SP for p in payloads)
    header = CommonHeader(
        data_type=data_type,
        csb_id=0x4D4B4559,
        cs_id_map=cs_id_map or (SrtpIdMap(entries=entries) if has_sp else EmptyMap()),
        v=data_type in (DataType.PRE_SHARED, DataType.PUBLIC_KEY),
        prf_func=PrfFunc.PRF_HMAC_SHA_256
        if data_type >= DataType.REQUEST_INIT_PSK
        else PrfFunc.MIKEY_1,
    )
    return Message(header=header, payloads=tuple(payloads))


def psk_message(*, crypto_sessions: int = 2) -> Message:
    """A pre-shared key I_MESSAGE as a real Initiator sends it: one crypto session per
    stream, an SRTP policy, and an AES-CM-128 encrypted KEMAC with an HMAC-SHA-1 MAC
    (contents are placeholders)."""
    entries = tuple(
        SrtpIdEntry(policy_no=0, ssrc=0x1A2B3C4D + i, roc=0) for i in range(crypto_sessions)
    )
    return Message(
        header=CommonHeader(
            data_type=DataType.PRE_SHARED,
            csb_id=0x4D4B4559,
            cs_id_map=SrtpIdMap(entries=entries),
            v=True,
        ),
        payloads=(
            TimestampPayload.at(SAMPLE_TIME),
            RandPayload(rand=bytes(range(0x10, 0x20))),
            srtp_policy(0),
            KemacPayload(
                encr_alg=EncrAlg.AES_CM_128,
                encr_data=bytes(range(0x60, 0x60 + 36)),  # one TGK sub-payload: 4 + 32 bytes
                mac_alg=MacAlg.HMAC_SHA_1_160,
                mac=bytes(range(0xA0, 0xB4)),
            ),
        ),
    )


def public_key_message(chain: Sequence[bytes]) -> Message:
    """A public-key I_MESSAGE (RFC 3830 §3.2) carrying ``chain`` as CERT payloads."""
    return Message(
        header=CommonHeader(
            data_type=DataType.PUBLIC_KEY,
            csb_id=0x4D4B4559,
            cs_id_map=SrtpIdMap(entries=(SrtpIdEntry(policy_no=0, ssrc=_SSRCS[0], roc=0),)),
            v=True,
        ),
        payloads=(
            TimestampPayload.at(SAMPLE_TIME, TsType.NTP_UTC),
            RandPayload(rand=bytes(range(0x10, 0x20))),
            *(CertPayload(cert_type=CertType.X509V3_SIGN, data=der) for der in chain),
            IdPayload(id_type=IdType.URI, data=b"sip:bob@example.com"),
            srtp_policy(0),
            KemacPayload(
                encr_alg=EncrAlg.AES_CM_128,
                encr_data=bytes(range(0x60, 0x60 + 60)),
                mac_alg=MacAlg.HMAC_SHA_1_160,
                mac=bytes(range(0xA0, 0xB4)),
            ),
            CertHashPayload(hash_func=HashFunc.SHA_256, hash=bytes(32)),
            EnvelopePayload(data=bytes(range(256))),
            SignaturePayload(s_type=SType.RSA_PKCS1_1_5, signature=bytes(256)),
        ),
    )
