"""CRLs (RFC 5280 §5): what a built CRL holds, lookups with reasons, the relying party's
checks of §6.3.3, and ``openssl crl`` / ``openssl verify -crl_check`` as independent
peers that read our CRLs and refuse a revoked certificate."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mikey.errors import MikeyPkiError, MikeyValueError
from mikey.pki import (
    CLIENT,
    ENDPOINT,
    CertificateAuthority,
    Revocation,
    build_crl,
    check_crl,
    revocation_of,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def openssl(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("openssl")
    assert exe, "the openssl command is needed (Debian package openssl)"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return CertificateAuthority.create_root("CN=CRL Test Root", now=NOW)


def test_a_crl_lists_revocations_with_reasons(ca: CertificateAuthority) -> None:
    alice = ca.issue(ENDPOINT, now=NOW, subject="CN=alice").certificate
    bob = ca.issue(ENDPOINT, now=NOW, subject="CN=bob").certificate
    carol = ca.issue(ENDPOINT, now=NOW, subject="CN=carol").certificate
    revoked_at = NOW + timedelta(hours=1)
    crl = build_crl(
        ca,
        [
            Revocation(
                serial_number=alice.serial_number,
                revoked_at=revoked_at,
                reason=x509.ReasonFlags.key_compromise,
            ),
            Revocation(serial_number=bob.serial_number, revoked_at=revoked_at),
        ],
        now=NOW + timedelta(hours=2),
        number=7,
    )
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 7
    assert crl.last_update_utc == NOW + timedelta(hours=2)
    assert crl.next_update_utc == NOW + timedelta(hours=2, days=7)
    check_crl(crl, ca.certificate, now=NOW + timedelta(hours=3))
    found = revocation_of(alice, crl)
    assert found == Revocation(
        serial_number=alice.serial_number,
        revoked_at=revoked_at,
        reason=x509.ReasonFlags.key_compromise,
    )
    assert revocation_of(bob, crl).reason is x509.ReasonFlags.unspecified  # type: ignore[union-attr]
    assert revocation_of(carol, crl) is None


def test_a_relying_party_refuses_a_crl_it_cannot_trust(ca: CertificateAuthority) -> None:
    crl = build_crl(ca, [], now=NOW, number=1, lifetime=timedelta(days=1))
    with pytest.raises(MikeyPkiError, match="expired"):
        check_crl(crl, ca.certificate, now=NOW + timedelta(days=2))
    with pytest.raises(MikeyPkiError, match="in the future"):
        check_crl(crl, ca.certificate, now=NOW - timedelta(hours=1))
    other = CertificateAuthority.create_root("CN=Other", now=NOW)
    with pytest.raises(MikeyPkiError, match="is from"):
        check_crl(crl, other.certificate, now=NOW)
    # Same name, another key: the signature gives it away.
    twin = CertificateAuthority.create_root("CN=CRL Test Root", now=NOW)
    with pytest.raises(MikeyPkiError, match="signature"):
        check_crl(build_crl(twin, [], now=NOW, number=1), ca.certificate, now=NOW)


def test_bad_revocations_and_crls_are_refused(ca: CertificateAuthority) -> None:
    with pytest.raises(MikeyValueError, match="aware"):
        Revocation(serial_number=1, revoked_at=NOW.replace(tzinfo=None))
    with pytest.raises(MikeyValueError, match="positive"):
        Revocation(serial_number=0, revoked_at=NOW)
    with pytest.raises(MikeyValueError, match="delta"):
        Revocation(serial_number=1, revoked_at=NOW, reason=x509.ReasonFlags.remove_from_crl)
    with pytest.raises(MikeyValueError, match="non-negative"):
        build_crl(ca, [], now=NOW, number=-1)
    with pytest.raises(MikeyValueError, match="positive"):
        build_crl(ca, [], now=NOW, number=1, lifetime=timedelta(0))


def test_openssl_reads_our_crl_and_refuses_the_revoked_certificate(tmp_path: Path) -> None:
    root = CertificateAuthority.create_root("CN=Root", now=NOW)
    issuing = root.create_intermediate("CN=Issuing", now=NOW)
    good = issuing.issue(CLIENT, now=NOW, subject="CN=good").certificate
    bad = issuing.issue(CLIENT, now=NOW, subject="CN=bad").certificate
    revoked = Revocation(
        serial_number=bad.serial_number,
        revoked_at=NOW + timedelta(minutes=5),
        reason=x509.ReasonFlags.key_compromise,
    )
    later = NOW + timedelta(minutes=10)
    issuing_crl = build_crl(issuing, [revoked], now=later, number=3)
    root_crl = build_crl(root, [], now=later, number=1)
    pem = serialization.Encoding.PEM
    (tmp_path / "root.pem").write_bytes(root.certificate.public_bytes(pem))
    (tmp_path / "chain.pem").write_bytes(issuing.certificate.public_bytes(pem))
    (tmp_path / "crls.pem").write_bytes(issuing_crl.public_bytes(pem) + root_crl.public_bytes(pem))
    (tmp_path / "good.pem").write_bytes(good.public_bytes(pem))
    (tmp_path / "bad.pem").write_bytes(bad.public_bytes(pem))
    (tmp_path / "issuing-crl.der").write_bytes(issuing_crl.public_bytes(serialization.Encoding.DER))

    text = openssl(
        "crl", "-inform", "DER", "-in", str(tmp_path / "issuing-crl.der"), "-noout", "-text"
    )
    assert text.returncode == 0, text.stderr
    assert re.search(r"X509v3 CRL Number:\s*\n\s*3\n", text.stdout), text.stdout
    listed = [int(h, 16) for h in re.findall(r"Serial Number: ([0-9A-F]+)", text.stdout)]
    assert listed == [bad.serial_number], text.stdout
    assert "Key Compromise" in text.stdout

    at = str(int((later + timedelta(minutes=1)).timestamp()))
    common = ["verify", "-attime", at, "-crl_check_all", "-CAfile", str(tmp_path / "root.pem")]
    common += ["-untrusted", str(tmp_path / "chain.pem"), "-CRLfile", str(tmp_path / "crls.pem")]
    accepted = openssl(*common, str(tmp_path / "good.pem"))
    assert accepted.returncode == 0 and accepted.stdout.strip().endswith("OK"), accepted.stderr
    refused = openssl(*common, str(tmp_path / "bad.pem"))
    assert refused.returncode != 0
    assert "certificate revoked" in (refused.stdout + refused.stderr)
