"""CHASH (``mikey.crypto.chash``, RFC 3830 §6.8, RFC 6043 §6.8): the hash of the
certificate's DER with SHA-1 and SHA-256, MD5 refused as Invalid HA, matching one's own
certificates in constant time with Invalid Cert for none, and ``openssl x509
-fingerprint`` computing the same hashes."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mikey.crypto.chash import certificate_hash, check_certificate_hash, find_certificate_by_hash
from mikey.errors import MikeyInvalidCertError, MikeyInvalidHashError
from mikey.registry import ErrorNo, HashFunc

from .openssl_cli import openssl

HASHES = {HashFunc.SHA_1: hashlib.sha1, HashFunc.SHA_256: hashlib.sha256}


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize("hash_func", list(HASHES), ids=lambda h: h.name)
def test_hash_of_the_der(hash_func: HashFunc, certificate: x509.Certificate) -> None:
    digest = certificate_hash(certificate, hash_func)
    assert digest == HASHES[hash_func](der(certificate)).digest()
    assert len(digest) == hash_func.digest_length
    assert certificate_hash(der(certificate), hash_func) == digest


@pytest.mark.parametrize("hash_func", [HashFunc.MD5, 3, 255])
def test_md5_and_unassigned_hashes_are_invalid_ha(
    hash_func: int, certificate: x509.Certificate
) -> None:
    with pytest.raises(MikeyInvalidHashError) as caught:
        certificate_hash(certificate, hash_func)
    assert caught.value.error_no is ErrorNo.INVALID_HA
    with pytest.raises(MikeyInvalidHashError):
        check_certificate_hash(certificate, hash_func, hashlib.md5(der(certificate)).digest())
    with pytest.raises(MikeyInvalidHashError):
        find_certificate_by_hash([], hash_func, b"")


def test_check(certificate: x509.Certificate, other_certificate: x509.Certificate) -> None:
    digest = certificate_hash(certificate, HashFunc.SHA_1)
    check_certificate_hash(certificate, HashFunc.SHA_1, digest)
    check_certificate_hash(der(certificate), HashFunc.SHA_1, digest)
    for wrong in (
        certificate_hash(other_certificate, HashFunc.SHA_1),
        digest[:-1],
        digest + b"\x00",
        certificate_hash(certificate, HashFunc.SHA_256),  # right certificate, other hash
    ):
        with pytest.raises(MikeyInvalidCertError) as caught:
            check_certificate_hash(certificate, HashFunc.SHA_1, wrong)
        assert caught.value.error_no is ErrorNo.INVALID_CERT


def test_find_among_ones_own_certificates(
    certificate: x509.Certificate,
    other_certificate: x509.Certificate,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine = [other_certificate, certificate]
    digest = certificate_hash(certificate, HashFunc.SHA_256)
    assert find_certificate_by_hash(mine, HashFunc.SHA_256, digest) is certificate
    assert find_certificate_by_hash([der(c) for c in mine], HashFunc.SHA_256, digest) == der(
        certificate
    )
    with pytest.raises(MikeyInvalidCertError):
        find_certificate_by_hash([other_certificate], HashFunc.SHA_256, digest)
    with pytest.raises(MikeyInvalidCertError):
        find_certificate_by_hash([], HashFunc.SHA_256, digest)

    compared: list[bytes] = []
    compare = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        compared.append(a)
        return compare(a, b)

    monkeypatch.setattr("mikey.crypto.chash.hmac.compare_digest", counting)
    first = certificate_hash(other_certificate, HashFunc.SHA_256)
    assert find_certificate_by_hash(mine, HashFunc.SHA_256, first) is other_certificate
    assert len(compared) == 2  # the second candidate is compared after the first matched


@pytest.mark.interop
@pytest.mark.parametrize("hash_func", list(HASHES), ids=lambda h: h.name)
def test_openssl_fingerprint_agrees(
    hash_func: HashFunc, certificate: x509.Certificate, tmp_path: Path
) -> None:
    path = tmp_path / "cert.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    option = {HashFunc.SHA_1: "-sha1", HashFunc.SHA_256: "-sha256"}[hash_func]
    output = openssl("x509", "-in", path, "-noout", "-fingerprint", option).decode()
    fingerprint = bytes.fromhex(output.strip().split("=", 1)[1].replace(":", ""))
    assert fingerprint == certificate_hash(certificate, hash_func)
