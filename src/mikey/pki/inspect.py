"""Reading certificates and CRLs from untrusted files, and describing certificates.

PEM (RFC 7468, any number of blocks) or DER (RFC 5280 §4.1, one object), parsed by
pyca/cryptography; whatever does not parse is a ``MikeyPkiError`` naming the source.
``certificate_info`` is what ``mikey pki info`` prints: subject, issuer, serial,
validity (§4.1.2.5), subject alternative names (§4.2.1.6), key, SHA-256 and SHA-1
fingerprints and every extension, as JSON-ready values.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization

from mikey.errors import MikeyPkiError, MikeyValueError
from mikey.pki.keys import key_type_of

__all__ = [
    "certificate_info",
    "fingerprint",
    "load_certificates",
    "load_crl",
    "load_csr",
    "pem",
]

T = TypeVar("T")

_PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"


def _parse(what: str, source: str, parse: Callable[[], T]) -> T:
    try:
        return parse()
    except (ValueError, TypeError, x509.InvalidVersion) as exc:
        # pyca's PEM errors end in a pointer to its FAQ: keep the part about the data.
        detail = str(exc).split(". See https://", 1)[0]
        raise MikeyPkiError(f"{source} is not a valid {what}: {detail}") from None


def load_certificates(data: bytes, *, source: str = "the input") -> list[x509.Certificate]:
    """Every certificate of a PEM file (in order), or the one of a DER file.

    :raises MikeyPkiError: for anything else, naming ``source``.
    """
    if not data.strip():
        raise MikeyPkiError(f"{source} is empty")
    if data.lstrip().startswith(b"-----BEGIN"):
        if _PEM_CERTIFICATE not in data:
            raise MikeyPkiError(f"{source} holds no PEM CERTIFICATE block")
        return _parse("PEM certificate", source, lambda: x509.load_pem_x509_certificates(data))
    return [_parse("DER certificate", source, lambda: x509.load_der_x509_certificate(data))]


def load_crl(data: bytes, *, source: str = "the input") -> x509.CertificateRevocationList:
    """One CRL, PEM or DER.

    :raises MikeyPkiError: for anything else, naming ``source``.
    """
    if data.lstrip().startswith(b"-----BEGIN"):
        return _parse("PEM CRL", source, lambda: x509.load_pem_x509_crl(data))
    return _parse("DER CRL", source, lambda: x509.load_der_x509_crl(data))


def pem(certificates: list[x509.Certificate]) -> bytes:
    """Certificates as concatenated PEM blocks."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def fingerprint(certificate: x509.Certificate, algorithm: hashes.HashAlgorithm) -> str:
    """The fingerprint of the DER encoding, as colon-separated upper-case hex."""
    return certificate.fingerprint(algorithm).hex(":").upper()


def _time(value: datetime) -> str:
    return value.isoformat()


def _general_name(name: x509.GeneralName) -> str:
    if isinstance(name, x509.DNSName):
        return f"DNS:{name.value}"
    if isinstance(name, x509.IPAddress):
        return f"IP:{name.value}"
    if isinstance(name, x509.RFC822Name):
        return f"email:{name.value}"
    if isinstance(name, x509.UniformResourceIdentifier):
        return f"URI:{name.value}"
    if isinstance(name, x509.DirectoryName):
        return f"DirName:{name.value.rfc4514_string()}"
    return str(name.value)


_KEY_USAGE_BITS = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)


def _extension_value(value: x509.ExtensionType) -> Any:
    """A readable rendering of the extensions our CAs write; others by their repr."""
    if isinstance(value, x509.BasicConstraints):
        return {"ca": value.ca, "path_length": value.path_length}
    if isinstance(value, x509.KeyUsage):
        names = [bit for bit in _KEY_USAGE_BITS if getattr(value, bit)]
        if value.key_agreement:
            names += [b for b in ("encipher_only", "decipher_only") if getattr(value, b)]
        return names
    if isinstance(value, x509.ExtendedKeyUsage):
        return [getattr(oid, "_name", None) or oid.dotted_string for oid in value]
    if isinstance(value, x509.SubjectAlternativeName):
        return [_general_name(n) for n in value]
    if isinstance(value, x509.SubjectKeyIdentifier):
        return value.digest.hex(":").upper()
    if isinstance(value, x509.AuthorityKeyIdentifier):
        return value.key_identifier.hex(":").upper() if value.key_identifier else None
    if isinstance(value, x509.CRLDistributionPoints):
        return [_general_name(n) for point in value for n in point.full_name or ()]
    if isinstance(value, x509.AuthorityInformationAccess):
        return [
            f"{getattr(d.access_method, '_name', d.access_method.dotted_string)}:"
            f" {_general_name(d.access_location)}"
            for d in value
        ]
    if isinstance(value, x509.NameConstraints):
        return {
            "permitted": [_general_name(n) for n in value.permitted_subtrees or ()],
            "excluded": [_general_name(n) for n in value.excluded_subtrees or ()],
        }
    return repr(value)


def certificate_info(certificate: x509.Certificate) -> dict[str, Any]:
    """What a certificate says, as JSON-ready values (see the module docstring)."""
    try:
        sans = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = [_general_name(n) for n in sans.value]
    except x509.ExtensionNotFound:
        names = []
    try:
        key = key_type_of(certificate.public_key()).value
    except (MikeyValueError, UnsupportedAlgorithm, ValueError):
        # A key the project does not issue (or cannot load): still describe the rest.
        key = certificate.public_key_algorithm_oid.dotted_string
    extensions = []
    for extension in certificate.extensions:
        name = getattr(extension.oid, "_name", None) or extension.oid.dotted_string
        extensions.append(
            {
                "name": name,
                "oid": extension.oid.dotted_string,
                "critical": extension.critical,
                "value": _extension_value(extension.value),
            }
        )
    return {
        "subject": certificate.subject.rfc4514_string(),
        "issuer": certificate.issuer.rfc4514_string(),
        "serial": f"{certificate.serial_number:x}",
        "not_before": _time(certificate.not_valid_before_utc),
        "not_after": _time(certificate.not_valid_after_utc),
        "subject_alternative_names": names,
        "key": key,
        "signature_algorithm": getattr(
            certificate.signature_algorithm_oid, "_name", certificate.signature_algorithm_oid
        ),
        "sha256_fingerprint": fingerprint(certificate, hashes.SHA256()),
        "sha1_fingerprint": fingerprint(certificate, hashes.SHA1()),
        "extensions": extensions,
    }


def load_csr(data: bytes, *, source: str = "the CSR") -> x509.CertificateSigningRequest:
    """A PKCS#10 certification request (RFC 2986), PEM or DER.

    :raises MikeyPkiError: for anything else, naming ``source``.
    """
    if data.lstrip().startswith(b"-----BEGIN"):
        return _parse("PEM CSR", source, lambda: x509.load_pem_x509_csr(data))
    return _parse("DER CSR", source, lambda: x509.load_der_x509_csr(data))
