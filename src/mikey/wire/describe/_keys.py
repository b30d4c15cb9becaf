"""Keys, key exchange and what vouches for them: KEMAC with its key data and key validity
sub-payloads, PKE, DH, SIGN, CHASH and CERT. RFC 3830 §6.2 (KEMAC), §6.3 (PKE), §6.4 (DH),
§6.5 (SIGN), §6.7 (CERT: X.509 certificates read with pyca), §6.8 (CHASH), §6.13 (key
data), §6.14 (key validity); RFC 6507 §3.3 and RFC 6509 §4.1 (ECCSI signatures).

A KEMAC whose Encr alg is NULL carries its key data in clear; its sub-payloads are laid out
as a chain (``Fields.chain``). Certificate validity is checked against the caller's ``now``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mikey.registry import (
    CacheIndicator,
    CertType,
    DhGroup,
    EncrAlg,
    HashFunc,
    IdType,
    KeyDataType,
    KvType,
    MacAlg,
    SType,
    label_of,
)
from mikey.wire.basic import CertPayload
from mikey.wire.describe._fields import (
    Describer,
    Fields,
    Node,
    hex_text,
    identity_text,
    plural,
    registry_node,
)
from mikey.wire.kemac import IntervalValidity, KemacPayload, KeyDataSubPayload, KeyValidity
from mikey.wire.publickey import CertHashPayload, DhPayload, EnvelopePayload, SignaturePayload

if TYPE_CHECKING:
    from cryptography import x509

# ---------------------------------------------------------------------------------------
# KEMAC, key data, key validity (RFC 3830 §6.2, §6.13, §6.14)

# Keys without a salt field whose length is a master key and a master salt back to back,
# as ONVIF (and GStreamer) send SRTP keys in a TEK (RFC 3711 §8.2, RFC 7714 §11).
_KEY_SALT_SPLITS = {30: (16, 14), 46: (32, 14), 38: (24, 14), 28: (16, 12), 44: (32, 12)}


def _srtp_index(data: bytes) -> str:
    if len(data) != 6:
        return hex_text(data, None)
    index = int.from_bytes(data)
    return f"{data.hex()} (SRTP index {index}: ROC {index >> 16}, SEQ {index & 0xFFFF})"


def _validity(validity: KeyValidity, f: Fields) -> str:
    sub = f.nested()
    if validity is None:
        f.group("KV data", "none (KV Null)", sub)
        return ""
    if isinstance(validity, IntervalValidity):
        sub.length("VF Length", 1, len(validity.valid_from))
        sub.data("Valid From", validity.valid_from, _srtp_index(validity.valid_from))
        sub.length("VT Length", 1, len(validity.valid_to))
        sub.data("Valid To", validity.valid_to, _srtp_index(validity.valid_to))
        text = f"interval {validity.valid_from.hex()} to {validity.valid_to.hex()}"
    else:
        sub.length("SPI Length", 1, len(validity.spi))
        sub.data("SPI", validity.spi, f"{hex_text(validity.spi, None)} (SPI, or MKI for SRTP)")
        text = f"SPI/MKI {validity.spi.hex()}"
    f.group("KV data", text, sub)
    return text


def _key_data(p: KeyDataSubPayload, f: Fields) -> str:
    f.shared(
        1,
        registry_node("Type", p.key_type, KeyDataType),
        registry_node("KV", p.kv_type, KvType),
    )
    f.length("Key data len", 2, len(p.key))
    text = hex_text(p.key, f.ctx.hex_limit)
    split = _KEY_SALT_SPLITS.get(len(p.key))
    if p.salt is None and split is not None and p.key_type in (KeyDataType.TEK, KeyDataType.TGK):
        text += (
            f" — looks like a {split[0]}-byte master key || {split[1]}-byte master salt"
            f" (as ONVIF sends SRTP keys)"
        )
    f.data("Key data", p.key, text)
    if p.salt is not None:
        f.length("Salt len", 2, len(p.salt))
        f.data("Salt data", p.salt)
    validity = _validity(p.validity, f)
    salt = f" + {len(p.salt)}-byte salt" if p.salt is not None else ""
    return f"{p.key_type.label}, {len(p.key)}-byte key{salt}" + (
        f", {validity}" if validity else ""
    )


def _kemac(p: KemacPayload, f: Fields) -> str:
    f.registry("Encr alg", 1, p.encr_alg, EncrAlg)
    f.length("Encr data len", 2, len(p.encr_data))
    children: tuple[Node, ...] = ()
    if p.encr_alg == EncrAlg.NULL:
        children = f.chain(p.encr_data, first=f.ctx.kemac_first, what="Encr data")
        text = f"in clear (Encr alg NULL): {plural(len(children), 'sub-payload')}"
        if not p.encr_data:
            text = "(empty: no keys)"
    else:
        text = (
            f"{hex_text(p.encr_data, f.ctx.hex_limit)} — encrypted with"
            f" {label_of(p.encr_alg, EncrAlg)}: decrypting needs the key"
        )
    f.data("Encr data", p.encr_data, text, children)
    f.registry("MAC alg", 1, p.mac_alg, MacAlg)
    f.data("MAC", p.mac)
    keys = f", {plural(len(children), 'sub-payload')} in clear" if children else ""
    return f"{label_of(p.encr_alg, EncrAlg)}, MAC {p.mac_alg.label}{keys}"


# ---------------------------------------------------------------------------------------
# PKE, DH, SIGN, CHASH (RFC 3830 §6.3-6.5, §6.8; RFC 6509 §4.1, RFC 6507 §3.3)


def _pke(p: EnvelopePayload, f: Fields) -> str:
    f.shared(
        2,
        registry_node("C", p.cache, CacheIndicator),
        Node("Data len", len(p.data), plural(len(p.data), "byte")),
    )
    f.data("Data", p.data)
    return f"{plural(len(p.data), 'byte')}, {label_of(p.cache, CacheIndicator)}"


def _dh(p: DhPayload, f: Fields) -> str:
    f.registry("DH-Group", 1, p.dh_group, DhGroup)
    f.data("DH-value", p.dh_value)
    reserved = f.peek(1) >> 4
    f.shared(
        1,
        Node("Reserv", reserved, f"{reserved:#x}" + (" — must be zero" if reserved else "")),
        registry_node("KV", p.kv_type, KvType),
    )
    _validity(p.validity, f)
    return p.dh_group.label


# RFC 6507 §3.3: Signature = r || s || PVT, r and s N = 32 octets, PVT an uncompressed
# point of 2N + 1 octets (P-256, RFC 6509 §4.1).
_ECCSI_PARTS = (("r", 32), ("s", 32), ("PVT", 65))


def _sign(p: SignaturePayload, f: Fields) -> str:
    f.shared(
        2,
        registry_node("S type", p.s_type, SType),
        Node("Signature len", len(p.signature), plural(len(p.signature), "byte")),
    )
    children: list[Node] = []
    if p.s_type == SType.ECCSI and len(p.signature) == 129 and p.signature[64] == 0x04:
        parts = f.nested()
        for name, size in _ECCSI_PARTS:
            part = p.signature[parts.at : parts.at + size]
            parts.put(Node(name, part.hex(), hex_text(part, f.ctx.hex_limit)), size)
        children = parts.nodes
    f.data("Signature", p.signature, children=tuple(children))
    return f"{label_of(p.s_type, SType)}, {plural(len(p.signature), 'byte')}"


def _chash(p: CertHashPayload, f: Fields) -> str:
    f.registry("Hash func", 1, p.hash_func, HashFunc)
    f.data("Hash", p.hash)
    return p.hash_func.label


# ---------------------------------------------------------------------------------------
# CERT (RFC 3830 §6.7)


def _x509(data: bytes, now: datetime | None) -> tuple[str, tuple[Node, ...]]:
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm

    try:
        cert = x509.load_der_x509_certificate(data)
    except ValueError:
        return "not a DER X.509 certificate", ()
    try:
        return _x509_details(cert, now)
    except (ValueError, x509.InvalidVersion, UnsupportedAlgorithm) as exc:
        return f"X.509 certificate, partly unreadable: {exc}", ()


def _x509_details(cert: x509.Certificate, now: datetime | None) -> tuple[str, tuple[Node, ...]]:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    subject, issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
    before, after = cert.not_valid_before_utc, cert.not_valid_after_utc
    validity = f"{before:%Y-%m-%d %H:%M:%S} to {after:%Y-%m-%d %H:%M:%S} UTC"
    if now is not None and not before <= now <= after:
        validity += " — expired" if now > after else " — not yet valid"
    try:
        key = cert.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            key_text = f"RSA {key.key_size} bits"
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key_text = f"EC {key.curve.name}"
        else:
            key_text = type(key).__name__.removesuffix("PublicKey")
    except (ValueError, UnsupportedAlgorithm):
        key_text = "not readable"
    try:
        extensions = ", ".join(
            ext.oid._name + (" (critical)" if ext.critical else "") for ext in cert.extensions
        )
    except ValueError as exc:
        extensions = f"not readable ({exc})"
    nodes = (
        Node("version", cert.version.name, cert.version.name),
        Node("serial", str(cert.serial_number), hex(cert.serial_number)),
        Node("signature algorithm", None, cert.signature_algorithm_oid._name),
        Node("issuer", issuer, issuer),
        Node("validity", None, validity),
        Node("subject", subject, subject),
        Node("public key", None, key_text),
        Node("extensions", None, extensions or "none"),
        Node("SHA-256 fingerprint", None, cert.fingerprint(hashes.SHA256()).hex(":")),
    )
    return f"X.509 certificate of {subject or '(empty subject)'}", nodes


def _cert(p: CertPayload, f: Fields) -> str:
    f.registry("Cert type", 1, p.cert_type, CertType)
    f.length("Cert len", 2, len(p.data))
    if p.cert_type == CertType.X509V3_URL:
        summary = identity_text(p.data, IdType.URI)
        children: tuple[Node, ...] = ()
    else:
        summary, children = _x509(p.data, f.ctx.now)
    f.data("Certificate data", p.data, f"{hex_text(p.data, f.ctx.hex_limit)}: {summary}", children)
    return f"{label_of(p.cert_type, CertType)}: {summary}"


DESCRIBERS: dict[type[Any], Describer] = {
    KemacPayload: _kemac,
    KeyDataSubPayload: _key_data,
    EnvelopePayload: _pke,
    DhPayload: _dh,
    SignaturePayload: _sign,
    CertHashPayload: _chash,
    CertPayload: _cert,
}
