"""Path validation with revocation (RFC 5280 §6.1, §6.3): accepted chains, and every
refusal with its reason: expired, not yet valid, untrusted, path length, name
constraints, wrong usage, revoked (with date and reason), revocation unknown (hard-fail
and soft-fail), and Ed25519 chains, which take pathcheck's path validation instead of
pyca's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from mikey.errors import MikeyValueError
from mikey.pki import (
    CLIENT,
    ENDPOINT,
    SERVER,
    CertificateAuthority,
    KeyType,
    Revocation,
    RevocationMode,
    ValidationError,
    ValidationReason,
    build_crl,
    validate,
)
from mikey.pki.ca import _ca_certificate

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
Pki = tuple[CertificateAuthority, CertificateAuthority, x509.Certificate]
LATER = NOW + timedelta(hours=1)


@pytest.fixture(scope="module")
def pki() -> Pki:
    root = CertificateAuthority.create_root("CN=Validation Root", now=NOW)
    issuing = root.create_intermediate("CN=Validation Issuing", now=NOW)
    leaf = issuing.issue(ENDPOINT, now=NOW, subject="CN=alice").certificate
    return root, issuing, leaf


def crls(
    root: CertificateAuthority, issuing: CertificateAuthority, *revoked: Revocation
) -> list[x509.CertificateRevocationList]:
    return [
        build_crl(root, [], now=NOW, number=1),
        build_crl(issuing, list(revoked), now=NOW, number=1),
    ]


def refusal(*args: object, **kwargs: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate(*args, **kwargs)  # type: ignore[arg-type]
    return info.value


def test_a_good_chain_is_accepted(
    pki: Pki,
) -> None:
    root, issuing, leaf = pki
    result = validate(
        leaf,
        [issuing.certificate],
        roots=[root.certificate],
        now=LATER,
        crls=crls(root, issuing),
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    assert result.certificates == (leaf, issuing.certificate, root.certificate)


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        (NOW + timedelta(days=400), ValidationReason.EXPIRED),
        (NOW - timedelta(days=1), ValidationReason.NOT_YET_VALID),
    ],
)
def test_validity_periods(pki: Pki, when: datetime, reason: ValidationReason) -> None:
    root, issuing, leaf = pki
    error = refusal(
        leaf,
        [issuing.certificate],
        roots=[root.certificate],
        now=when,
        revocation=RevocationMode.SOFT,
    )
    assert error.reason is reason and error.certificate == leaf
    assert "CN=alice" in str(error)


def test_an_untrusted_root_is_refused(pki: Pki) -> None:
    _, issuing, leaf = pki
    stranger = CertificateAuthority.create_root("CN=Validation Root", now=NOW)  # same name
    error = refusal(leaf, [issuing.certificate], roots=[stranger.certificate], now=LATER)
    assert error.reason is ValidationReason.UNTRUSTED


def test_path_length_and_name_constraints() -> None:
    root = CertificateAuthority.create_root("CN=R0", now=NOW, path_length=0)
    key = KeyType.ECDSA_P256.generate()
    # A CA under a path-length-0 root, made by hand (create_intermediate refuses it).
    deep = _ca_certificate(
        subject=x509.Name.from_rfc4514_string("CN=too deep"),
        issuer=root.certificate.subject,
        public_key=key.public_key(),
        signing_key=root.private_key,
        issuer_public_key=root.certificate.public_key(),  # type: ignore[arg-type]
        now=NOW,
        lifetime=timedelta(days=30),
        path_length=None,
        permitted=None,
        excluded=None,
        crl_urls=(),
        ocsp_url=None,
        ca_issuers_url=None,
    )
    leaf = (
        CertificateAuthority(certificate=deep, private_key=key)
        .issue(CLIENT, now=NOW, subject="CN=x")
        .certificate
    )
    error = refusal(
        leaf, [deep], roots=[root.certificate], now=LATER, revocation=RevocationMode.SOFT
    )
    assert error.reason is ValidationReason.PATH_LENGTH
    constrained = CertificateAuthority.create_root(
        "CN=NC", now=NOW, permitted_subtrees=[x509.DNSName("example.com")]
    )
    outside = constrained.issue(SERVER, now=NOW, subject="CN=x", sans=["a.example.org"]).certificate
    error = refusal(
        outside, roots=[constrained.certificate], now=LATER, revocation=RevocationMode.SOFT
    )
    assert error.reason is ValidationReason.NAME_CONSTRAINTS


def test_wrong_usage(pki: Pki) -> None:
    root, issuing, _ = pki
    server = issuing.issue(SERVER, now=NOW, subject="CN=api", sans=["api.example.com"]).certificate
    error = refusal(
        server,
        [issuing.certificate],
        roots=[root.certificate],
        now=LATER,
        crls=crls(root, issuing),
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    assert error.reason is ValidationReason.WRONG_USAGE
    assert "serverAuth, not clientAuth" in str(error)


def test_a_revoked_leaf_is_refused_with_date_and_reason(pki: Pki) -> None:
    root, issuing, leaf = pki
    revoked = Revocation(
        serial_number=leaf.serial_number,
        revoked_at=NOW + timedelta(minutes=1),
        reason=x509.ReasonFlags.key_compromise,
    )
    error = refusal(
        leaf,
        [issuing.certificate],
        roots=[root.certificate],
        now=LATER,
        crls=crls(root, issuing, revoked),
    )
    assert error.reason is ValidationReason.REVOKED and error.revocation == revoked
    assert "keyCompromise" in str(error) and "2026-11-22T12:01:00" in str(error)
    # Soft-fail changes nothing for a certificate that is listed.
    error = refusal(
        leaf,
        [issuing.certificate],
        roots=[root.certificate],
        now=LATER,
        crls=crls(root, issuing, revoked),
        revocation=RevocationMode.SOFT,
    )
    assert error.reason is ValidationReason.REVOKED


def test_a_revoked_intermediate_is_refused(pki: Pki) -> None:
    root, issuing, leaf = pki
    crl_list = [
        build_crl(
            root,
            [Revocation(serial_number=issuing.certificate.serial_number, revoked_at=NOW)],
            now=NOW,
            number=2,
        ),
        build_crl(issuing, [], now=NOW, number=1),
    ]
    error = refusal(leaf, [issuing.certificate], roots=[root.certificate], now=LATER, crls=crl_list)
    assert error.reason is ValidationReason.REVOKED and error.certificate == issuing.certificate


def test_without_a_usable_crl_hard_fail_refuses_and_soft_fail_passes(pki: Pki) -> None:
    root, issuing, leaf = pki
    error = refusal(leaf, [issuing.certificate], roots=[root.certificate], now=LATER)
    assert error.reason is ValidationReason.REVOCATION_UNKNOWN and "no CRL" in str(error)
    stale = [
        build_crl(root, [], now=NOW, number=1, lifetime=timedelta(minutes=10)),
        build_crl(issuing, [], now=NOW, number=1, lifetime=timedelta(minutes=10)),
    ]
    error = refusal(leaf, [issuing.certificate], roots=[root.certificate], now=LATER, crls=stale)
    assert error.reason is ValidationReason.REVOCATION_UNKNOWN and "expired" in str(error)
    result = validate(
        leaf,
        [issuing.certificate],
        roots=[root.certificate],
        now=LATER,
        revocation=RevocationMode.SOFT,
    )
    assert result.certificates[0] == leaf


def test_ed25519_chains_are_validated_by_pathcheck() -> None:
    # pyca's verifier refuses Ed25519; pathcheck builds the path and the same usage and
    # revocation checks follow (tests/pki/test_pathcheck.py tests it in depth).
    root = CertificateAuthority.create_root("CN=Ed", now=NOW, key_type=KeyType.ED25519)
    leaf = root.issue(CLIENT, now=NOW, subject="CN=e").certificate
    result = validate(
        leaf, roots=[root.certificate], now=LATER, crls=[build_crl(root, [], now=NOW, number=1)]
    )
    assert result.certificates == (leaf, root.certificate)
    error = refusal(leaf, roots=[root.certificate], now=LATER)
    assert error.reason is ValidationReason.REVOCATION_UNKNOWN
    error = refusal(
        leaf, roots=[root.certificate], now=LATER, usage=ExtendedKeyUsageOID.SERVER_AUTH
    )
    assert error.reason is ValidationReason.WRONG_USAGE


def test_caller_errors(pki: Pki) -> None:
    root, _, leaf = pki
    with pytest.raises(MikeyValueError, match="aware"):
        validate(leaf, roots=[root.certificate], now=LATER.replace(tzinfo=None))
    with pytest.raises(MikeyValueError, match="root"):
        validate(leaf, roots=[], now=LATER)
