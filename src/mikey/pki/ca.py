"""Certificate authorities: root and intermediate CAs and the certificates they issue
(RFC 5280 §4.1 certificate fields, §4.2.1 extensions: authority and subject key
identifiers §4.2.1.1-2, key usage §4.2.1.3, subject alternative names §4.2.1.6, basic
constraints with path length §4.2.1.9, name constraints §4.2.1.10, extended key usage
§4.2.1.12, CRL distribution points §4.2.1.13, authority information access §4.2.2.1).

Certificates are built and signed by pyca/cryptography's ``CertificateBuilder``; this
module decides what goes into them. A CA is a certificate and its private key; storage
(encrypted keys, serial numbers, the audit trail) is a separate layer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID

from mikey.errors import MikeyPkiError, MikeyValueError
from mikey.pki.keys import KeyType, PrivateKey, PublicKey, key_type_of, signature_hash
from mikey.pki.profiles import CertificateProfile

__all__ = ["CertificateAuthority", "IssuedCertificate", "parse_name", "subject_alternative_names"]

ROOT_LIFETIME = timedelta(days=20 * 365)
INTERMEDIATE_LIFETIME = timedelta(days=10 * 365)


def parse_name(name: str | x509.Name) -> x509.Name:
    """An X.509 name from its RFC 4514 string form (``"CN=alice,O=Example"``).

    :raises MikeyValueError: for text that is not an RFC 4514 name, or an empty one.
    """
    if isinstance(name, x509.Name):
        return name
    try:
        parsed = x509.Name.from_rfc4514_string(name)
    except ValueError as exc:
        raise MikeyValueError(f"not an RFC 4514 name: {name!r} ({exc})") from None
    if not parsed.rdns:
        raise MikeyValueError("the subject name is empty")
    return parsed


def subject_alternative_names(names: Sequence[str]) -> list[x509.GeneralName]:
    """General names from plain strings: an IP address, an e-mail address (with ``@``
    and no scheme), a URI (``sip:``, ``https://`` …, RFC 3261 identities included), or
    else a DNS name."""
    result: list[x509.GeneralName] = []
    for name in names:
        try:
            result.append(x509.IPAddress(ipaddress.ip_address(name)))
            continue
        except ValueError:
            pass
        if ":" in name:
            result.append(x509.UniformResourceIdentifier(name))
        elif "@" in name:
            result.append(x509.RFC822Name(name))
        elif name:
            result.append(x509.DNSName(name))
        else:
            raise MikeyValueError("an empty subject alternative name")
    return result


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise MikeyValueError("the clock needs an aware datetime, such as datetime.now(UTC)")
    return now


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """A certificate, with its private key when the CA generated it."""

    certificate: x509.Certificate
    private_key: PrivateKey | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateAuthority:
    """A CA: its certificate, its private key, the chain up to (not including) the root,
    and the CRL and OCSP addresses it writes into what it issues."""

    certificate: x509.Certificate
    private_key: PrivateKey = field(repr=False)
    chain: tuple[x509.Certificate, ...] = ()
    crl_urls: tuple[str, ...] = ()
    ocsp_url: str | None = None
    ca_issuers_url: str | None = None

    def __post_init__(self) -> None:
        public = self.private_key.public_key()
        if public != self.certificate.public_key():
            raise MikeyPkiError("the private key does not belong to the CA certificate")
        constraints = self.certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        if not constraints.value.ca:
            raise MikeyPkiError("the certificate is not a CA certificate (basic constraints)")

    # -- creating CAs ------------------------------------------------------------------

    @classmethod
    def create_root(
        cls,
        subject: str | x509.Name,
        *,
        now: datetime,
        key_type: KeyType = KeyType.ECDSA_P384,
        lifetime: timedelta = ROOT_LIFETIME,
        path_length: int | None = 1,
        permitted_subtrees: Sequence[x509.GeneralName] | None = None,
        excluded_subtrees: Sequence[x509.GeneralName] | None = None,
        crl_urls: Sequence[str] = (),
        ocsp_url: str | None = None,
        ca_issuers_url: str | None = None,
        private_key: PrivateKey | None = None,
    ) -> CertificateAuthority:
        """A self-signed root CA. ``path_length`` bounds the intermediates below it
        (None: unbounded); the subtrees become a name constraints extension. The CRL,
        OCSP and CA-issuers addresses go into what it issues, not into itself."""
        key = private_key if private_key is not None else key_type.generate()
        name = parse_name(subject)
        certificate = _ca_certificate(
            subject=name,
            issuer=name,
            public_key=key.public_key(),
            signing_key=key,
            issuer_public_key=key.public_key(),
            now=_aware(now),
            lifetime=lifetime,
            path_length=path_length,
            permitted=permitted_subtrees,
            excluded=excluded_subtrees,
            crl_urls=(),
            ocsp_url=None,
            ca_issuers_url=None,
        )
        return cls(
            certificate=certificate,
            private_key=key,
            crl_urls=tuple(crl_urls),
            ocsp_url=ocsp_url,
            ca_issuers_url=ca_issuers_url,
        )

    def create_intermediate(
        self,
        subject: str | x509.Name,
        *,
        now: datetime,
        key_type: KeyType = KeyType.ECDSA_P256,
        lifetime: timedelta = INTERMEDIATE_LIFETIME,
        path_length: int | None = 0,
        permitted_subtrees: Sequence[x509.GeneralName] | None = None,
        excluded_subtrees: Sequence[x509.GeneralName] | None = None,
        crl_urls: Sequence[str] = (),
        ocsp_url: str | None = None,
        ca_issuers_url: str | None = None,
        private_key: PrivateKey | None = None,
    ) -> CertificateAuthority:
        """An intermediate CA signed by this one, within this CA's path length.

        :raises MikeyPkiError: if this CA's path length allows no further CA.
        """
        own = self.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
        if own.path_length is not None:
            if own.path_length == 0:
                raise MikeyPkiError(
                    f"{self.certificate.subject.rfc4514_string()} has path length 0: it may"
                    " not sign CA certificates (RFC 5280 §4.2.1.9)"
                )
            if path_length is None or path_length >= own.path_length:
                path_length = own.path_length - 1
        key = private_key if private_key is not None else key_type.generate()
        certificate = _ca_certificate(
            subject=parse_name(subject),
            issuer=self.certificate.subject,
            public_key=key.public_key(),
            signing_key=self.private_key,
            issuer_public_key=_checked_public_key(self.certificate),
            now=_aware(now),
            lifetime=self._capped(now, lifetime),
            path_length=path_length,
            permitted=permitted_subtrees,
            excluded=excluded_subtrees,
            crl_urls=self.crl_urls,
            ocsp_url=self.ocsp_url,
            ca_issuers_url=self.ca_issuers_url,
        )
        return CertificateAuthority(
            certificate=certificate,
            private_key=key,
            chain=() if _is_root(self) else (self.certificate, *self.chain),
            crl_urls=tuple(crl_urls),
            ocsp_url=ocsp_url,
            ca_issuers_url=ca_issuers_url,
        )

    # -- issuing -------------------------------------------------------------------------

    def issue(
        self,
        profile: CertificateProfile,
        *,
        now: datetime,
        subject: str | x509.Name | None = None,
        sans: Sequence[str] = (),
        public_key: PublicKey | None = None,
        csr: x509.CertificateSigningRequest | None = None,
        lifetime: timedelta | None = None,
    ) -> IssuedCertificate:
        """An end-entity certificate under ``profile``, for ``public_key``, for the key
        of ``csr`` (whose signature is checked; its subject is used unless ``subject``
        is given; its requested extensions are not: the profile decides), or for a key
        the CA generates (returned with the certificate). The lifetime is the
        profile's, never beyond this CA's own expiry.

        :raises MikeyPkiError: for a CSR whose signature does not verify.
        :raises MikeyValueError: for a key type the profile does not accept, both a key
            and a CSR, no subject, or a bad name.
        """
        now = _aware(now)
        if public_key is not None and csr is not None:
            raise MikeyValueError("give a public key or a CSR, not both")
        private_key: PrivateKey | None = None
        if csr is not None:
            if not csr.is_signature_valid:
                raise MikeyPkiError("the CSR's signature does not verify (RFC 2986 §4.2)")
            key = csr.public_key()
            if subject is None:
                subject = csr.subject
        elif public_key is not None:
            key = public_key
        else:
            private_key = profile.default_key_type.generate()
            key = private_key.public_key()
        key_type = key_type_of(key)
        profile.check_key_type(key_type)
        if subject is None:
            raise MikeyValueError("an end-entity certificate needs a subject")
        name = parse_name(subject)
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(self.certificate.subject)
            .public_key(key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + self._capped(now, lifetime or profile.lifetime))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(profile.key_usage(key_type), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
            .add_extension(self._authority_key_identifier(), critical=False)
        )
        if profile.extended_key_usages:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage(list(profile.extended_key_usages)), critical=False
            )
        if sans:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(subject_alternative_names(sans)), critical=False
            )
        if profile.ocsp_no_check:  # RFC 6960 §4.2.2.2.1: SHOULD be non-critical, value NULL
            builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
        builder = _add_locations(builder, self.crl_urls, self.ocsp_url, self.ca_issuers_url)
        certificate = builder.sign(self.private_key, signature_hash(self.private_key))  # type: ignore[arg-type]
        return IssuedCertificate(certificate=certificate, private_key=private_key)

    # -- helpers -------------------------------------------------------------------------

    def _capped(self, now: datetime, lifetime: timedelta) -> timedelta:
        return min(lifetime, self.certificate.not_valid_after_utc - now)

    def _authority_key_identifier(self) -> x509.AuthorityKeyIdentifier:
        ski = self.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski.value)


def _checked_public_key(certificate: x509.Certificate) -> PublicKey:
    key = certificate.public_key()
    key_type_of(key)  # raises for key types the PKI does not use
    assert isinstance(key, PublicKey)
    return key


def _is_root(ca: CertificateAuthority) -> bool:
    return ca.certificate.subject == ca.certificate.issuer


def _add_locations(
    builder: x509.CertificateBuilder,
    crl_urls: Sequence[str],
    ocsp_url: str | None,
    ca_issuers_url: str | None,
) -> x509.CertificateBuilder:
    if crl_urls:
        points = [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
            for url in crl_urls
        ]
        builder = builder.add_extension(x509.CRLDistributionPoints(points), critical=False)
    access = []
    if ocsp_url:
        access.append(
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
            )
        )
    if ca_issuers_url:
        access.append(
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier(ca_issuers_url),
            )
        )
    if access:
        builder = builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)
    return builder


def _ca_certificate(
    *,
    subject: x509.Name,
    issuer: x509.Name,
    public_key: PublicKey,
    signing_key: PrivateKey,
    issuer_public_key: PublicKey,
    now: datetime,
    lifetime: timedelta,
    path_length: int | None,
    permitted: Sequence[x509.GeneralName] | None,
    excluded: Sequence[x509.GeneralName] | None,
    crl_urls: Sequence[str],
    ocsp_url: str | None,
    ca_issuers_url: str | None,
) -> x509.Certificate:
    if path_length is not None and path_length < 0:
        raise MikeyValueError(f"a path length cannot be negative, got {path_length}")
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + lifetime)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key),
            critical=False,
        )
    )
    if permitted or excluded:
        builder = builder.add_extension(
            x509.NameConstraints(
                permitted_subtrees=list(permitted) if permitted else None,
                excluded_subtrees=list(excluded) if excluded else None,
            ),
            critical=True,  # RFC 5280 §4.2.1.10: conforming CAs MUST mark it critical
        )
    builder = _add_locations(builder, crl_urls, ocsp_url, ca_issuers_url)
    return builder.sign(signing_key, signature_hash(signing_key))  # type: ignore[arg-type]
