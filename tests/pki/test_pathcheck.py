"""Path building and validation for the chains pyca's verifier refuses (RFC 5280 §6.1 with
Ed25519, RFC 8410): Ed25519 and mixed chains accepted, every refusal with its reason and
certificate, name constraints of every supported form, searches that end on loops and
look-alikes, CRL revocation of an Ed25519 chain, ``openssl verify`` as an independent
judge of Ed25519 chains, and a differential test against pyca's verifier on chains both
can check."""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mikey.errors import MikeyPkiError, MikeyValueError
from mikey.pki import (
    CLIENT,
    SERVER,
    CertificateAuthority,
    KeyType,
    Revocation,
    RevocationMode,
    ValidationError,
    ValidationReason,
    build_crl,
    check_crl,
    key_type_of,
    parse_name,
    validate,
)
from mikey.pki.ca import _ca_certificate
from mikey.pki.keys import PrivateKey, signature_hash
from mikey.pki.pathcheck import MAX_INTERMEDIATES, build_path, uses_ed25519
from tests.pki.test_ca import openssl_verify

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)  # the time openssl_verify checks at
ED = KeyType.ED25519
ED_CLIENT = dataclasses.replace(CLIENT, default_key_type=ED)
Pki = tuple[CertificateAuthority, CertificateAuthority, x509.Certificate]
Extensions = Sequence[tuple[x509.ExtensionType, bool]]


# -- building chains -------------------------------------------------------------------


def ca_below(
    issuer: CertificateAuthority,
    subject: str | x509.Name,
    *,
    key_type: KeyType = ED,
    key: PrivateKey | None = None,
    path_length: int | None = None,
    lifetime: timedelta = timedelta(days=365),
) -> CertificateAuthority:
    """A CA made by hand with ca.py's own template, for what ``create_intermediate``
    refuses: a CA beyond the path length, a self-issued re-key, a renewed certificate."""
    key = key if key is not None else key_type.generate()
    certificate = _ca_certificate(
        subject=parse_name(subject),
        issuer=issuer.certificate.subject,
        public_key=key.public_key(),
        signing_key=issuer.private_key,
        issuer_public_key=issuer.private_key.public_key(),
        now=NOW,
        lifetime=lifetime,
        path_length=path_length,
        permitted=None,
        excluded=None,
        crl_urls=(),
        ocsp_url=None,
        ca_issuers_url=None,
    )
    return CertificateAuthority(certificate=certificate, private_key=key)


def signed(
    subject: str,
    *,
    issuer_name: x509.Name,
    issuer_key: PrivateKey,
    key: PrivateKey | None = None,
    extensions: Extensions = (),
    lifetime: timedelta = timedelta(days=365),
    digest: hashes.HashAlgorithm | None = None,
) -> tuple[x509.Certificate, PrivateKey]:
    """A certificate straight from pyca's builder, for the malformed cases ca.py will not
    make: it carries exactly ``extensions`` besides the key identifiers, and is signed
    with ``digest`` or else the hash ca.py would use."""
    key = key if key is not None else ED.generate()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name.from_rfc4514_string(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW)
        .not_valid_after(NOW + lifetime)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    digest = digest or signature_hash(issuer_key)
    certificate = builder.sign(issuer_key, digest)  # type: ignore[arg-type]
    return certificate, key


def below(
    issuer: CertificateAuthority, subject: str, extensions: Extensions = ()
) -> x509.Certificate:
    return signed(
        subject,
        issuer_name=issuer.certificate.subject,
        issuer_key=issuer.private_key,
        extensions=extensions,
    )[0]


def key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


CA_BASICS = (x509.BasicConstraints(ca=True, path_length=None), True)
UNKNOWN = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00")


@dataclass(frozen=True)
class Case:
    """A chain to check at ``when``; ``reason`` is the refusal expected (None: accepted;
    the differential cases leave it None, as pyca's verifier is the expectation there)."""

    leaf: x509.Certificate
    intermediates: tuple[x509.Certificate, ...]
    root: x509.Certificate
    reason: ValidationReason | None
    when: datetime = LATER


def chain_through(
    issuing: x509.Certificate, issuing_key: PrivateKey, root: CertificateAuthority
) -> Case:
    """A leaf, with a key of its issuer's type, under the hand-made ``issuing``."""
    key = key_type_of(issuing_key).generate()
    leaf = signed("CN=leaf", issuer_name=issuing.subject, issuer_key=issuing_key, key=key)[0]
    return Case(leaf, (issuing,), root.certificate, None)


def refusal(check: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check()
    return info.value


def path_of(case: Case) -> tuple[x509.Certificate, ...]:
    return build_path(case.leaf, case.intermediates, roots=[case.root], now=case.when)


@pytest.fixture(scope="module")
def ed() -> Pki:
    root = CertificateAuthority.create_root("CN=Ed Root", now=NOW, key_type=ED)
    issuing = root.create_intermediate("CN=Ed Issuing", now=NOW, key_type=ED)
    leaf = issuing.issue(ED_CLIENT, now=NOW, subject="CN=alice").certificate
    return root, issuing, leaf


def crls(
    *authorities: CertificateAuthority, revoked: Sequence[Revocation] = ()
) -> list[x509.CertificateRevocationList]:
    *upper, lowest = authorities
    return [build_crl(ca, [], now=NOW, number=1) for ca in upper] + [
        build_crl(lowest, revoked, now=NOW, number=1)
    ]


# -- accepted chains ---------------------------------------------------------------------


def test_an_ed25519_chain_is_built_leaf_first(ed: Pki) -> None:
    root, issuing, leaf = ed
    assert uses_ed25519(leaf) and uses_ed25519(root.certificate)
    path = build_path(leaf, [issuing.certificate], roots=[root.certificate], now=LATER)
    assert path == (leaf, issuing.certificate, root.certificate)
    result = validate(
        leaf,
        [issuing.certificate],
        roots=[root.certificate],
        now=LATER,
        crls=crls(root, issuing),
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    assert result.certificates == path


@pytest.mark.parametrize(
    ("root_type", "issuing_type", "leaf_type"),
    [
        (ED, KeyType.ECDSA_P256, KeyType.ECDSA_P256),
        (KeyType.ECDSA_P384, ED, KeyType.ECDSA_P256),
        (KeyType.RSA_2048, KeyType.ECDSA_P256, ED),
        (ED, KeyType.RSA_2048, ED),
    ],
    ids=lambda k: k.value,
)
def test_mixed_chains_are_accepted(
    root_type: KeyType, issuing_type: KeyType, leaf_type: KeyType
) -> None:
    root = CertificateAuthority.create_root("CN=Mixed Root", now=NOW, key_type=root_type)
    issuing = root.create_intermediate("CN=Mixed Issuing", now=NOW, key_type=issuing_type)
    profile = dataclasses.replace(CLIENT, default_key_type=leaf_type)
    leaf = issuing.issue(profile, now=NOW, subject="CN=mixed").certificate
    result = validate(
        leaf, [issuing.certificate], roots=[root.certificate], now=LATER, crls=crls(root, issuing)
    )
    assert result.certificates == (leaf, issuing.certificate, root.certificate)


def test_a_leaf_that_is_itself_a_root_is_its_own_path(ed: Pki) -> None:
    root, _, _ = ed
    assert build_path(root.certificate, roots=[root.certificate], now=LATER) == (root.certificate,)


# -- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        (NOW + timedelta(days=400), ValidationReason.EXPIRED),
        (NOW - timedelta(days=1), ValidationReason.NOT_YET_VALID),
    ],
)
def test_validity_periods(ed: Pki, when: datetime, reason: ValidationReason) -> None:
    root, issuing, leaf = ed
    error = refusal(
        lambda: build_path(leaf, [issuing.certificate], roots=[root.certificate], now=when)
    )
    assert error.reason is reason and error.certificate == leaf and "CN=alice" in str(error)


def test_an_expired_ca_is_named_and_a_renewed_one_is_found(ed: Pki) -> None:
    root, _, _ = ed
    key = ED.generate()
    old = ca_below(root, "CN=Renewed", key=key, lifetime=timedelta(days=10))
    leaf = signed("CN=bob", issuer_name=old.certificate.subject, issuer_key=key)[0]  # outlives old
    when = NOW + timedelta(days=20)
    error = refusal(lambda: build_path(leaf, [old.certificate], roots=[root.certificate], now=when))
    assert error.reason is ValidationReason.EXPIRED and error.certificate == old.certificate
    # The same key in a renewed certificate: the search moves on to the path through it.
    new = ca_below(root, "CN=Renewed", key=key, lifetime=timedelta(days=365))
    path = build_path(leaf, [old.certificate, new.certificate], roots=[root.certificate], now=when)
    assert path == (leaf, new.certificate, root.certificate)


def test_a_leaf_signed_by_another_key_under_the_same_name_is_untrusted(ed: Pki) -> None:
    root, issuing, _ = ed
    impostor = CertificateAuthority.create_root("CN=Ed Issuing", now=NOW, key_type=ED)
    forged = impostor.issue(ED_CLIENT, now=NOW, subject="CN=mallory").certificate
    error = refusal(
        lambda: build_path(forged, [issuing.certificate], roots=[root.certificate], now=LATER)
    )
    assert error.reason is ValidationReason.UNTRUSTED and error.certificate == forged
    assert "signature on CN=mallory does not verify with the key of CN=Ed Issuing" in str(error)


def test_an_untrusted_root_is_refused(ed: Pki) -> None:
    _, issuing, leaf = ed
    stranger = CertificateAuthority.create_root("CN=Ed Root", now=NOW, key_type=ED)  # same name
    error = refusal(
        lambda: validate(leaf, [issuing.certificate], roots=[stranger.certificate], now=LATER)
    )
    assert error.reason is ValidationReason.UNTRUSTED and error.certificate == issuing.certificate
    other = CertificateAuthority.create_root("CN=Other Root", now=NOW, key_type=ED)
    error = refusal(
        lambda: build_path(leaf, [issuing.certificate], roots=[other.certificate], now=LATER)
    )
    assert error.reason is ValidationReason.UNTRUSTED
    assert "CN=Ed Root, is neither a trusted root nor among the intermediates" in str(error)


def test_path_length() -> None:
    root = CertificateAuthority.create_root("CN=Len0", now=NOW, key_type=ED, path_length=0)
    deep = ca_below(root, "CN=Too Deep")
    leaf = deep.issue(ED_CLIENT, now=NOW, subject="CN=x").certificate
    error = refusal(
        lambda: build_path(leaf, [deep.certificate], roots=[root.certificate], now=LATER)
    )
    assert error.reason is ValidationReason.PATH_LENGTH and error.certificate == deep.certificate
    assert "one CA too many below CN=Len0" in str(error)
    # The tighter constraint of an intermediate wins over the root's looser one.
    root = CertificateAuthority.create_root("CN=Len2", now=NOW, key_type=ED, path_length=2)
    first = root.create_intermediate("CN=First", now=NOW, key_type=ED, path_length=0)
    second = ca_below(first, "CN=Second")
    leaf = second.issue(ED_CLIENT, now=NOW, subject="CN=y").certificate
    chain = [first.certificate, second.certificate]
    error = refusal(lambda: build_path(leaf, chain, roots=[root.certificate], now=LATER))
    assert error.reason is ValidationReason.PATH_LENGTH and error.certificate == second.certificate
    assert "below CN=First" in str(error)


def test_a_self_issued_rekey_is_exempt_from_path_length_and_name_constraints() -> None:
    # RFC 5280 §6.1.4 (l) and §4.2.1.10: a self-issued CA certificate (new key, same name)
    # counts toward neither. pyca's verifier counts it, on purpose (x509-limbo
    # pathlen::self-issued-certs-pathlen), so this is a place where the two differ.
    root = CertificateAuthority.create_root(
        "CN=Rekeyed Root",
        now=NOW,
        key_type=ED,
        path_length=0,
        permitted_subtrees=[x509.DirectoryName(x509.Name.from_rfc4514_string("O=Example"))],
    )
    rekey = ca_below(root, root.certificate.subject)
    leaf = rekey.issue(ED_CLIENT, now=NOW, subject="CN=carol,O=Example").certificate
    path = build_path(leaf, [rekey.certificate], roots=[root.certificate], now=LATER)
    assert path == (leaf, rekey.certificate, root.certificate)
    outside = rekey.issue(ED_CLIENT, now=NOW, subject="CN=carol,O=Elsewhere").certificate
    error = refusal(
        lambda: build_path(outside, [rekey.certificate], roots=[root.certificate], now=LATER)
    )
    assert error.reason is ValidationReason.NAME_CONSTRAINTS and error.certificate == outside


@pytest.mark.parametrize(
    "usage",
    [[(key_usage(cert_sign=False), True)], []],
    ids=["crl-sign-only", "no-key-usage"],
)
def test_a_ca_without_key_cert_sign_is_wrong_usage(ed: Pki, usage: Extensions) -> None:
    root, _, _ = ed
    issuing, key = signed(
        "CN=CRL Signer Only",
        issuer_name=root.certificate.subject,
        issuer_key=root.private_key,
        extensions=[CA_BASICS, *usage],
    )
    leaf = signed("CN=leaf", issuer_name=issuing.subject, issuer_key=key)[0]
    error = refusal(lambda: build_path(leaf, [issuing], roots=[root.certificate], now=LATER))
    assert error.reason is ValidationReason.WRONG_USAGE and error.certificate == issuing
    assert "keyCertSign" in str(error)


@pytest.mark.parametrize(
    ("basics", "message"),
    [
        ([(x509.BasicConstraints(ca=False, path_length=None), True)], "is not a CA"),
        ([], "is not a CA"),
        ([(x509.BasicConstraints(ca=True, path_length=None), False)], "non-critical"),
    ],
    ids=["ca-false", "no-basic-constraints", "not-critical"],
)
def test_an_issuer_must_be_a_ca(ed: Pki, basics: Extensions, message: str) -> None:
    root, _, _ = ed
    issuing, key = signed(
        "CN=Pretender",
        issuer_name=root.certificate.subject,
        issuer_key=root.private_key,
        extensions=[*basics, (key_usage(cert_sign=True), True)],
    )
    leaf = signed("CN=leaf", issuer_name=issuing.subject, issuer_key=key)[0]
    error = refusal(lambda: build_path(leaf, [issuing], roots=[root.certificate], now=LATER))
    assert error.reason is ValidationReason.INVALID and error.certificate == issuing
    assert message in str(error)


def test_unknown_critical_extensions_are_refused(ed: Pki) -> None:
    root, issuing, _ = ed
    leaf = below(issuing, "CN=odd", [(UNKNOWN, True)])
    error = refusal(
        lambda: build_path(leaf, [issuing.certificate], roots=[root.certificate], now=LATER)
    )
    assert error.reason is ValidationReason.INVALID and error.certificate == leaf
    assert "1.3.6.1.4.1.99999.1" in str(error) and "§6.1.4 (o)" in str(error)
    # Policies are not processed here: a critical policies extension is refused too.
    policies = x509.CertificatePolicies(
        [x509.PolicyInformation(x509.ObjectIdentifier("2.5.29.32.0"), None)]
    )
    leaf = below(issuing, "CN=policy", [(policies, True)])
    error = refusal(
        lambda: build_path(leaf, [issuing.certificate], roots=[root.certificate], now=LATER)
    )
    assert error.reason is ValidationReason.INVALID
    # In a CA, too; a non-critical unknown extension is fine.
    odd_ca, key = signed(
        "CN=Odd CA",
        issuer_name=root.certificate.subject,
        issuer_key=root.private_key,
        extensions=[CA_BASICS, (key_usage(cert_sign=True), True), (UNKNOWN, True)],
    )
    leaf = signed("CN=leaf", issuer_name=odd_ca.subject, issuer_key=key)[0]
    error = refusal(lambda: build_path(leaf, [odd_ca], roots=[root.certificate], now=LATER))
    assert error.reason is ValidationReason.INVALID and error.certificate == odd_ca
    fine = below(issuing, "CN=fine", [(UNKNOWN, False)])
    assert build_path(fine, [issuing.certificate], roots=[root.certificate], now=LATER)[0] == fine


def test_weak_signatures_and_keys_are_refused(ed: Pki) -> None:
    # pyca's algorithm list holds for the rest of an Ed25519 chain: no hash under
    # SHA-256 (SHA-224 here: pyca no longer even signs with SHA-1) …
    root, _, _ = ed
    issuing = ca_below(root, "CN=Weak Hash", key_type=KeyType.ECDSA_P256)
    leaf, _ = signed(
        "CN=sha224",
        issuer_name=issuing.certificate.subject,
        issuer_key=issuing.private_key,
        digest=hashes.SHA224(),
    )
    error = refusal(
        lambda: build_path(leaf, [issuing.certificate], roots=[root.certificate], now=LATER)
    )
    assert error.reason is ValidationReason.INVALID and error.certificate == leaf
    assert "signed with sha224" in str(error)
    # … and no RSA key under 2048 bits.
    short = ca_below(root, "CN=Short Key", key=rsa.generate_private_key(65537, 1024))
    leaf, _ = signed(
        "CN=rsa1024",
        issuer_name=short.certificate.subject,
        issuer_key=short.private_key,
        digest=hashes.SHA256(),
    )
    error = refusal(
        lambda: validate(leaf, [short.certificate], roots=[root.certificate], now=LATER)
    )
    assert error.reason is ValidationReason.INVALID and "1024-bit RSA key" in str(error)


# -- name constraints: RFC 5280 §4.2.1.10 -------------------------------------------------


def dns(value: str) -> x509.GeneralName:
    return x509.DNSName(value)


def dn(value: str) -> x509.GeneralName:
    return x509.DirectoryName(x509.Name.from_rfc4514_string(value))


def ip(value: str) -> x509.GeneralName:
    return x509.IPAddress(ipaddress.ip_network(value))


def email(value: str) -> x509.GeneralName:
    return x509.RFC822Name(value)


def uri(value: str) -> x509.GeneralName:
    return x509.UniformResourceIdentifier(value)


NC = ValidationReason.NAME_CONSTRAINTS
WITH_EMAIL = x509.Name(
    [
        x509.NameAttribute(NameOID.EMAIL_ADDRESS, "eve@evil.example"),
        x509.NameAttribute(NameOID.COMMON_NAME, "eve"),
    ]
)
# permitted subtrees, excluded subtrees, subject, SANs, refusal (None: accepted)
NameCase = tuple[
    list[x509.GeneralName],
    list[x509.GeneralName],
    str | x509.Name,
    list[str],
    ValidationReason | None,
]
NAME_CASES: dict[str, NameCase] = {
    "dns-inside": ([dns("example.com")], [], "CN=a", ["a.example.com"], None),
    "dns-apex": ([dns("example.com")], [], "CN=a", ["EXAMPLE.com"], None),
    "dns-outside": ([dns("example.com")], [], "CN=a", ["a.example.org"], NC),
    "dns-look-alike": ([dns("example.com")], [], "CN=a", ["badexample.com"], NC),
    "dns-leading-dot": ([dns(".example.com")], [], "CN=a", ["example.com"], NC),
    "dns-excluded": ([], [dns("bad.example.com")], "CN=a", ["x.bad.example.com"], NC),
    "dns-not-excluded": ([], [dns("bad.example.com")], "CN=a", ["good.example.com"], None),
    "dns-wildcard-inside": ([dns("example.com")], [], "CN=a", ["*.example.com"], None),
    "dns-wildcard-too-wide": ([dns("a.example.com")], [], "CN=a", ["*.example.com"], NC),
    "dns-wildcard-overlaps-excluded": ([], [dns("bad.example.com")], "CN=a", ["*.example.com"], NC),
    "dns-one-of-two-outside": (
        [dns("example.com")],
        [],
        "CN=a",
        ["a.example.com", "b.example.net"],
        NC,
    ),
    "other-form-not-constrained": ([dns("example.com")], [], "CN=a", ["10.0.0.1"], None),
    "dn-inside": ([dn("O=Example")], [], "CN=alice,O=Example", [], None),
    "dn-outside": ([dn("O=Example")], [], "CN=mallory,O=Other", [], NC),
    "dn-excluded": ([], [dn("OU=Evil,O=Example")], "CN=x,OU=Evil,O=Example", [], NC),
    "dn-not-excluded": ([], [dn("OU=Evil,O=Example")], "CN=x,OU=Good,O=Example", [], None),
    "ip-inside": ([ip("10.0.0.0/8")], [], "CN=a", ["10.1.2.3"], None),
    "ip-outside": ([ip("10.0.0.0/8")], [], "CN=a", ["192.0.2.1"], NC),
    "ip-other-version": ([ip("10.0.0.0/8")], [], "CN=a", ["2001:db8::1"], NC),
    "ip-excluded": ([], [ip("10.9.0.0/16")], "CN=a", ["10.9.1.1"], NC),
    "ipv6-inside": ([ip("2001:db8::/32")], [], "CN=a", ["2001:db8::1"], None),
    "email-on-host": ([email("example.com")], [], "CN=a", ["alice@example.com"], None),
    "email-in-domain": ([email(".example.com")], [], "CN=a", ["alice@mail.example.com"], None),
    "email-domain-not-apex": ([email(".example.com")], [], "CN=a", ["alice@example.com"], NC),
    "email-mailbox-excluded": (
        [],
        [email("mallory@example.com")],
        "CN=a",
        ["mallory@example.com"],
        NC,
    ),
    "email-in-subject": ([email("example.com")], [], WITH_EMAIL, [], NC),
    "uri-sip-in-domain": ([uri(".example.com")], [], "CN=a", ["sip:alice@pbx.example.com"], None),
    "uri-sips-host": (
        [uri("pbx.example.com")],
        [],
        "CN=a",
        ["sips:bob@pbx.example.com;transport=tcp"],
        None,
    ),
    "uri-https-outside": ([uri(".example.com")], [], "CN=a", ["https://evil.example.org/x"], NC),
    "uri-without-host": (
        [uri(".example.com")],
        [],
        "CN=a",
        ["urn:uuid:4f1c3b6e-6c4b-4ad4-9f0e-2a9f0d7b1c11"],
        NC,
    ),
}


@pytest.mark.parametrize("case", list(NAME_CASES))
def test_name_constraints(case: str) -> None:
    permitted, excluded, subject, sans, expected = NAME_CASES[case]
    root = CertificateAuthority.create_root(
        "CN=Constrained Root",
        now=NOW,
        key_type=ED,
        permitted_subtrees=permitted or None,
        excluded_subtrees=excluded or None,
    )
    leaf = root.issue(SERVER, now=NOW, subject=subject, sans=sans).certificate
    if expected is None:
        assert build_path(leaf, roots=[root.certificate], now=LATER) == (leaf, root.certificate)
    else:
        error = refusal(lambda: build_path(leaf, roots=[root.certificate], now=LATER))
        assert error.reason is expected and error.certificate == leaf
        assert "CN=Constrained Root" in str(error) and "§4.2.1.10" in str(error)


def test_constraints_bind_every_certificate_below_the_ca() -> None:
    # A root's directoryName constraint binds the intermediate's subject …
    root = CertificateAuthority.create_root(
        "CN=DN Root", now=NOW, key_type=ED, permitted_subtrees=[dn("O=Example")]
    )
    stray = root.create_intermediate("CN=Stray Issuing", now=NOW, key_type=ED)
    leaf = stray.issue(ED_CLIENT, now=NOW, subject="CN=a,O=Example").certificate
    error = refusal(
        lambda: build_path(leaf, [stray.certificate], roots=[root.certificate], now=LATER)
    )
    assert error.reason is NC and error.certificate == stray.certificate
    # … and a directoryName in the leaf's SAN, not only its subject.
    issuing = root.create_intermediate("CN=Issuing,O=Example", now=NOW, key_type=ED)
    san = x509.SubjectAlternativeName([dn("CN=x,O=Elsewhere")])
    leaf = below(issuing, "CN=b,O=Example", [(san, False)])
    error = refusal(
        lambda: build_path(leaf, [issuing.certificate], roots=[root.certificate], now=LATER)
    )
    assert error.reason is NC and "directory name 'CN=x,O=Elsewhere'" in str(error)
    # An intermediate's own constraints bind the leaf, together with the root's.
    narrow = root.create_intermediate(
        "CN=Narrow,O=Example", now=NOW, key_type=ED, permitted_subtrees=[dns("example.com")]
    )
    leaf = narrow.issue(
        SERVER, now=NOW, subject="CN=c,O=Example", sans=["c.example.org"]
    ).certificate
    error = refusal(
        lambda: build_path(leaf, [narrow.certificate], roots=[root.certificate], now=LATER)
    )
    assert error.reason is NC and "of CN=Narrow,O=Example" in str(error)


# -- searches that end --------------------------------------------------------------------


def test_loops_and_duplicates_do_not_hang(ed: Pki) -> None:
    root, issuing, leaf = ed
    many = [issuing.certificate] * 50 + [leaf, leaf, root.certificate]
    assert build_path(leaf, many, roots=[root.certificate], now=LATER)[1] == issuing.certificate
    # Two CAs that certify each other, neither reaching a root.
    key_a, key_b = ED.generate(), ED.generate()
    name_a, name_b = (
        x509.Name.from_rfc4514_string("CN=Loop A"),
        x509.Name.from_rfc4514_string("CN=Loop B"),
    )
    basics = [CA_BASICS, (key_usage(cert_sign=True), True)]
    a = signed("CN=Loop A", issuer_name=name_b, issuer_key=key_b, key=key_a, extensions=basics)[0]
    b = signed("CN=Loop B", issuer_name=name_a, issuer_key=key_a, key=key_b, extensions=basics)[0]
    looped = signed("CN=looped", issuer_name=name_a, issuer_key=key_a)[0]
    error = refusal(lambda: build_path(looped, [a, b, a, b], roots=[root.certificate], now=LATER))
    assert error.reason is ValidationReason.UNTRUSTED


def test_a_hall_of_mirrors_exhausts_the_budget_not_the_machine(ed: Pki) -> None:
    # Six keys, each certified by each other under one name: a great many candidate
    # paths, none reaching the root of the same name (a seventh key). The search is
    # bounded (signature checks, steps, depth) and ends with UNTRUSTED.
    name = x509.Name.from_rfc4514_string("CN=Mirror")
    keys = [ED.generate() for _ in range(6)]
    basics = [CA_BASICS, (key_usage(cert_sign=True), True)]
    mirrors = [
        signed("CN=Mirror", issuer_name=name, issuer_key=signer, key=subject, extensions=basics)[0]
        for subject in keys
        for signer in keys
    ]
    root = CertificateAuthority.create_root("CN=Mirror", now=NOW, key_type=ED)
    leaf = signed("CN=lost", issuer_name=name, issuer_key=keys[0])[0]
    error = refusal(lambda: build_path(leaf, mirrors, roots=[root.certificate], now=LATER))
    assert error.reason is ValidationReason.UNTRUSTED and "budget" in str(error)


def test_a_path_longer_than_max_intermediates_is_not_followed() -> None:
    cas = [CertificateAuthority.create_root("CN=Deep", now=NOW, key_type=ED, path_length=None)]
    for depth in range(MAX_INTERMEDIATES + 1):
        cas.append(ca_below(cas[-1], f"CN=Level {depth}"))
    intermediates = [ca.certificate for ca in cas[1:]]
    leaf = cas[-1].issue(ED_CLIENT, now=NOW, subject="CN=deep").certificate
    error = refusal(lambda: build_path(leaf, intermediates, roots=[cas[0].certificate], now=LATER))
    assert error.reason is ValidationReason.UNTRUSTED
    assert f"within {MAX_INTERMEDIATES} intermediates" in str(error)
    # One fewer is fine.
    path = build_path(leaf, intermediates, roots=[cas[1].certificate], now=LATER)
    assert len(path) == MAX_INTERMEDIATES + 2


def test_caller_errors(ed: Pki) -> None:
    root, _, leaf = ed
    with pytest.raises(MikeyValueError, match="aware"):
        build_path(leaf, roots=[root.certificate], now=LATER.replace(tzinfo=None))
    with pytest.raises(MikeyValueError, match="root"):
        build_path(leaf, roots=[], now=LATER)


# -- revocation --------------------------------------------------------------------------


def test_revocation_of_an_ed25519_chain(ed: Pki) -> None:
    root, issuing, leaf = ed
    revoked = Revocation(
        serial_number=leaf.serial_number, revoked_at=NOW, reason=x509.ReasonFlags.key_compromise
    )
    lists = crls(root, issuing, revoked=[revoked])
    check_crl(lists[1], issuing.certificate, now=LATER)  # an Ed25519-signed CRL verifies
    error = refusal(
        lambda: validate(
            leaf, [issuing.certificate], roots=[root.certificate], now=LATER, crls=lists
        )
    )
    assert error.reason is ValidationReason.REVOKED and error.revocation == revoked
    # A CRL signed by another Ed25519 key under the issuer's name is not used.
    impostor = CertificateAuthority.create_root("CN=Ed Issuing", now=NOW, key_type=ED)
    with pytest.raises(MikeyPkiError, match="signature"):
        check_crl(build_crl(impostor, [], now=NOW, number=1), issuing.certificate, now=LATER)
    forged = [lists[0], build_crl(impostor, [], now=NOW, number=1)]
    error = refusal(
        lambda: validate(
            leaf, [issuing.certificate], roots=[root.certificate], now=LATER, crls=forged
        )
    )
    assert error.reason is ValidationReason.REVOCATION_UNKNOWN
    assert (
        validate(
            leaf,
            [issuing.certificate],
            roots=[root.certificate],
            now=LATER,
            revocation=RevocationMode.SOFT,
        ).certificates[0]
        == leaf
    )


# -- an independent judge: openssl verify ---------------------------------------------------


@functools.cache
def ed25519_cases() -> dict[str, Case]:
    root = CertificateAuthority.create_root("CN=Judge Root", now=NOW, key_type=ED)
    issuing = root.create_intermediate("CN=Judge Issuing", now=NOW, key_type=ED)
    good = issuing.issue(ED_CLIENT, now=NOW, subject="CN=good").certificate
    impostor = CertificateAuthority.create_root("CN=Judge Issuing", now=NOW, key_type=ED)
    stranger = CertificateAuthority.create_root("CN=Judge Root", now=NOW, key_type=ED)
    tight = CertificateAuthority.create_root("CN=Judge Len0", now=NOW, key_type=ED, path_length=0)
    deep = ca_below(tight, "CN=Judge Too Deep")
    fenced = CertificateAuthority.create_root(
        "CN=Judge Fenced", now=NOW, key_type=ED, permitted_subtrees=[dns("example.com")]
    )
    crl_only, crl_only_key = signed(
        "CN=Judge CRL Signer",
        issuer_name=root.certificate.subject,
        issuer_key=root.private_key,
        extensions=[CA_BASICS, (key_usage(cert_sign=False), True)],
    )
    return {
        "good": Case(good, (issuing.certificate,), root.certificate, None),
        "bad-signature": Case(
            impostor.issue(ED_CLIENT, now=NOW, subject="CN=forged").certificate,
            (issuing.certificate,),
            root.certificate,
            ValidationReason.UNTRUSTED,
        ),
        "untrusted-root": Case(
            good, (issuing.certificate,), stranger.certificate, ValidationReason.UNTRUSTED
        ),
        "path-length": Case(
            deep.issue(ED_CLIENT, now=NOW, subject="CN=deep").certificate,
            (deep.certificate,),
            tight.certificate,
            ValidationReason.PATH_LENGTH,
        ),
        "name-constraints": Case(
            fenced.issue(SERVER, now=NOW, subject="CN=out", sans=["out.example.org"]).certificate,
            (),
            fenced.certificate,
            ValidationReason.NAME_CONSTRAINTS,
        ),
        "no-key-cert-sign": dataclasses.replace(
            chain_through(crl_only, crl_only_key, root), reason=ValidationReason.WRONG_USAGE
        ),
        "unknown-critical": Case(
            below(issuing, "CN=odd", [(UNKNOWN, True)]),
            (issuing.certificate,),
            root.certificate,
            ValidationReason.INVALID,
        ),
    }


JUDGED = [
    "good",
    "bad-signature",
    "untrusted-root",
    "path-length",
    "name-constraints",
    "no-key-cert-sign",
    "unknown-critical",
]


def test_every_ed25519_case_is_judged() -> None:
    assert set(ed25519_cases()) == set(JUDGED)


@pytest.mark.parametrize("name", JUDGED)
def test_openssl_agrees_on_ed25519_chains(name: str, tmp_path: Path) -> None:
    case = ed25519_cases()[name]
    if case.reason is None:
        assert path_of(case) == (case.leaf, *case.intermediates, case.root)
    else:
        assert refusal(lambda: path_of(case)).reason is case.reason
    judged = openssl_verify(tmp_path, case.root, list(case.intermediates), case.leaf)
    assert (judged.returncode == 0) == (case.reason is None), judged.stdout + judged.stderr


# -- differential: pathcheck and pyca's verifier on chains both can check ------------------


@functools.cache
def pyca_cases() -> dict[str, Case]:
    p256 = KeyType.ECDSA_P256
    root = CertificateAuthority.create_root("CN=Diff Root", now=NOW, key_type=p256)
    issuing = root.create_intermediate("CN=Diff Issuing", now=NOW, key_type=p256)
    leaf = issuing.issue(CLIENT, now=NOW, subject="CN=diff").certificate
    chain = (issuing.certificate,)
    impostor = CertificateAuthority.create_root("CN=Diff Issuing", now=NOW, key_type=p256)
    stranger = CertificateAuthority.create_root("CN=Diff Root", now=NOW, key_type=p256)
    other = CertificateAuthority.create_root("CN=Diff Other", now=NOW, key_type=p256)
    short = root.create_intermediate(
        "CN=Diff Short", now=NOW, key_type=p256, lifetime=timedelta(days=30)
    )
    tight = CertificateAuthority.create_root("CN=Diff Len0", now=NOW, key_type=p256, path_length=0)
    deep = ca_below(tight, "CN=Diff Too Deep", key_type=p256)
    wide = CertificateAuthority.create_root("CN=Diff Len2", now=NOW, key_type=p256, path_length=2)
    first = wide.create_intermediate("CN=Diff First", now=NOW, key_type=p256, path_length=0)
    second = ca_below(first, "CN=Diff Second", key_type=p256)

    def fenced(
        permitted: list[x509.GeneralName], excluded: list[x509.GeneralName], sans: list[str]
    ) -> Case:
        ca = CertificateAuthority.create_root(
            "CN=Diff Fenced",
            now=NOW,
            key_type=p256,
            permitted_subtrees=permitted or None,
            excluded_subtrees=excluded or None,
        )
        issued = ca.issue(SERVER, now=NOW, subject="CN=fenced", sans=sans).certificate
        return Case(issued, (), ca.certificate, None)

    def p256_signed(subject: str, extensions: Extensions) -> tuple[x509.Certificate, PrivateKey]:
        return signed(
            subject,
            issuer_name=root.certificate.subject,
            issuer_key=root.private_key,
            key=p256.generate(),
            extensions=extensions,
        )

    odd_leaf = signed(
        "CN=odd",
        issuer_name=issuing.certificate.subject,
        issuer_key=issuing.private_key,
        key=p256.generate(),
        extensions=[(UNKNOWN, True)],
    )[0]
    return {
        "good": Case(leaf, chain, root.certificate, None),
        "expired-leaf": Case(leaf, chain, root.certificate, None, NOW + timedelta(days=400)),
        "not-yet-valid": Case(leaf, chain, root.certificate, None, NOW - timedelta(days=1)),
        "expired-ca": Case(
            short.issue(CLIENT, now=NOW, subject="CN=s").certificate,
            (short.certificate,),
            root.certificate,
            None,
            NOW + timedelta(days=31),
        ),
        "bad-signature": Case(
            impostor.issue(CLIENT, now=NOW, subject="CN=forged").certificate,
            chain,
            root.certificate,
            None,
        ),
        "untrusted-root": Case(leaf, chain, stranger.certificate, None),
        "unknown-issuer": Case(leaf, chain, other.certificate, None),
        "missing-intermediate": Case(leaf, (), root.certificate, None),
        "path-length-root": Case(
            deep.issue(CLIENT, now=NOW, subject="CN=d").certificate,
            (deep.certificate,),
            tight.certificate,
            None,
        ),
        "path-length-intermediate": Case(
            second.issue(CLIENT, now=NOW, subject="CN=e").certificate,
            (first.certificate, second.certificate),
            wide.certificate,
            None,
        ),
        "dns-permitted": fenced([dns("example.com")], [], ["a.example.com"]),
        "dns-outside": fenced([dns("example.com")], [], ["a.example.org"]),
        "dns-excluded": fenced([], [dns("bad.example.com")], ["x.bad.example.com"]),
        "ip-permitted": fenced([ip("10.0.0.0/8")], [], ["10.1.2.3"]),
        "ip-outside": fenced([ip("10.0.0.0/8")], [], ["192.0.2.1"]),
        "ip-excluded": fenced([], [ip("10.9.0.0/16")], ["10.9.1.1"]),
        "email-permitted": fenced([email("example.com")], [], ["a@example.com"]),
        "email-outside": fenced([email("example.com")], [], ["a@example.org"]),
        "unknown-critical-leaf": Case(odd_leaf, chain, root.certificate, None),
        # pyca refuses these too, but its message maps to UNTRUSTED ("candidates
        # exhausted"); pathcheck names the fault: see test_pyca_refuses_what_pathcheck_names.
        "no-key-cert-sign": chain_through(
            *p256_signed("CN=Diff CRL Signer", [CA_BASICS, (key_usage(cert_sign=False), True)]),
            root,
        ),
        "not-a-ca": chain_through(
            *p256_signed(
                "CN=Diff Pretender",
                [
                    (x509.BasicConstraints(ca=False, path_length=None), True),
                    (key_usage(cert_sign=True), True),
                ],
            ),
            root,
        ),
        "non-critical-basic-constraints": chain_through(
            *p256_signed(
                "CN=Diff Lax",
                [
                    (x509.BasicConstraints(ca=True, path_length=None), False),
                    (key_usage(cert_sign=True), True),
                ],
            ),
            root,
        ),
        "unknown-critical-ca": chain_through(
            *p256_signed(
                "CN=Diff Odd CA", [CA_BASICS, (key_usage(cert_sign=True), True), (UNKNOWN, True)]
            ),
            root,
        ),
    }


# Where pyca's refusal reads "candidates exhausted" (hence UNTRUSTED) and pathcheck
# reports the fault itself.
NAMED_BY_PATHCHECK = {
    "no-key-cert-sign": ValidationReason.WRONG_USAGE,
    "not-a-ca": ValidationReason.INVALID,
    "non-critical-basic-constraints": ValidationReason.INVALID,
    "unknown-critical-ca": ValidationReason.INVALID,
}
SAME_REASON = [
    "good",
    "expired-leaf",
    "not-yet-valid",
    "expired-ca",
    "bad-signature",
    "untrusted-root",
    "unknown-issuer",
    "missing-intermediate",
    "path-length-root",
    "path-length-intermediate",
    "dns-permitted",
    "dns-outside",
    "dns-excluded",
    "ip-permitted",
    "ip-outside",
    "ip-excluded",
    "email-permitted",
    "email-outside",
    "unknown-critical-leaf",
]


def outcome(
    check: Callable[[], Sequence[x509.Certificate]],
) -> tuple[x509.Certificate, ...] | ValidationReason:
    try:
        return tuple(check())
    except ValidationError as exc:
        return exc.reason


def both(case: Case) -> tuple[object, object]:
    pyca = outcome(
        lambda: (
            validate(
                case.leaf,
                case.intermediates,
                roots=[case.root],
                now=case.when,
                revocation=RevocationMode.SOFT,  # no CRLs: compare path validation alone
            ).certificates
        )
    )
    return pyca, outcome(lambda: path_of(case))


def test_the_differential_cases_are_all_run() -> None:
    assert set(pyca_cases()) == set(SAME_REASON) | set(NAMED_BY_PATHCHECK)


@pytest.mark.parametrize("name", SAME_REASON)
def test_pathcheck_agrees_with_pyca(name: str) -> None:
    case = pyca_cases()[name]
    assert not any(uses_ed25519(c) for c in (case.leaf, *case.intermediates, case.root))
    pyca, ours = both(case)
    assert ours == pyca


@pytest.mark.parametrize("name", list(NAMED_BY_PATHCHECK))
def test_pyca_refuses_what_pathcheck_names(name: str) -> None:
    case = pyca_cases()[name]
    assert not any(uses_ed25519(c) for c in (case.leaf, *case.intermediates, case.root))
    pyca, ours = both(case)
    assert pyca is ValidationReason.UNTRUSTED and ours is NAMED_BY_PATHCHECK[name]
