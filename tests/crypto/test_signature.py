"""RSA signatures for SIGN (``mikey.crypto.signature``, RFC 3830 §4.2.6, §6.5): round
trips for RSA/PKCS#1/1.5 and RSA/PSS with SHA-256 and SHA-1, every refusal as Auth
failure, the hash and key policies, and ``openssl`` verifying ours (PSS with the salt
length fixed to the hash length) and signing for us."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from mikey.crypto.signature import create_signature, verify_signature
from mikey.errors import (
    MikeyAuthenticationError,
    MikeyInvalidCertError,
    MikeyInvalidHashError,
    MikeyValueError,
)
from mikey.registry import ErrorNo, HashFunc, SType

from .openssl_cli import openssl, write_private_key, write_public_key

DATA = b"\x01\x02\x00 a MIKEY message up to the SIGN payload's first two bytes \x00\x20"
S_TYPES = [SType.RSA_PKCS1_1_5, SType.RSA_PSS]
HASHES = [HashFunc.SHA_256, HashFunc.SHA_1]
CASES = list(itertools.product(S_TYPES, HASHES))


def _id(case: tuple[SType, HashFunc]) -> str:
    return f"{case[0].name}-{case[1].name}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_round_trip(
    case: tuple[SType, HashFunc], rsa_key: rsa.RSAPrivateKey, certificate: x509.Certificate
) -> None:
    s_type, hash_func = case
    signature = create_signature(DATA, rsa_key, s_type=s_type, hash_func=hash_func)
    assert len(signature) == 256
    for signer in (rsa_key.public_key(), certificate):
        verify_signature(signature, DATA, signer, s_type=s_type, hash_funcs=[hash_func])
    verify_signature(
        signature, DATA, certificate, s_type=s_type, hash_funcs=[HashFunc.SHA_256, HashFunc.SHA_1]
    )


def test_defaults_are_pkcs1_v1_5_with_sha256(rsa_key: rsa.RSAPrivateKey) -> None:
    signature = create_signature(DATA, rsa_key)
    rsa_key.public_key().verify(signature, DATA, padding.PKCS1v15(), hashes.SHA256())
    verify_signature(signature, DATA, rsa_key.public_key(), s_type=SType.RSA_PKCS1_1_5)


def test_pkcs1_v1_5_is_deterministic_and_pss_is_not(rsa_key: rsa.RSAPrivateKey) -> None:
    assert create_signature(DATA, rsa_key) == create_signature(DATA, rsa_key)
    assert create_signature(DATA, rsa_key, s_type=SType.RSA_PSS) != create_signature(
        DATA, rsa_key, s_type=SType.RSA_PSS
    )


def _refused(signature: bytes, data: bytes, signer: object, **options: object) -> None:
    with pytest.raises(MikeyAuthenticationError) as caught:
        verify_signature(signature, data, signer, **options)  # type: ignore[arg-type]
    assert caught.value.error_no is ErrorNo.AUTH_FAILURE


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_altered_data_signature_or_key_are_auth_failure(
    case: tuple[SType, HashFunc], rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    s_type, hash_func = case
    options = {"s_type": s_type, "hash_funcs": [hash_func]}
    signature = create_signature(DATA, rsa_key, s_type=s_type, hash_func=hash_func)
    public = rsa_key.public_key()
    _refused(signature, DATA[:-1] + b"\x21", public, **options)
    _refused(signature, DATA + b"\x00", public, **options)
    _refused(bytes([signature[0] ^ 1]) + signature[1:], DATA, public, **options)
    _refused(signature[:-1], DATA, public, **options)
    _refused(b"", DATA, public, **options)
    _refused(signature, DATA, other_rsa_key.public_key(), **options)
    other_type = SType.RSA_PSS if s_type is SType.RSA_PKCS1_1_5 else SType.RSA_PKCS1_1_5
    _refused(signature, DATA, public, s_type=other_type, hash_funcs=[hash_func])


def test_a_hash_not_accepted_is_auth_failure(rsa_key: rsa.RSAPrivateKey) -> None:
    signature = create_signature(DATA, rsa_key, hash_func=HashFunc.SHA_1)
    _refused(signature, DATA, rsa_key.public_key(), s_type=SType.RSA_PKCS1_1_5)  # SHA-256 only


@pytest.mark.parametrize("s_type", [SType.ECCSI, 3, 15])
def test_s_types_that_are_not_rsa(s_type: int, rsa_key: rsa.RSAPrivateKey) -> None:
    signature = create_signature(DATA, rsa_key)
    _refused(signature, DATA, rsa_key.public_key(), s_type=s_type)
    with pytest.raises(MikeyValueError):
        create_signature(DATA, rsa_key, s_type=s_type)  # type: ignore[arg-type]


def test_md5_and_unassigned_hashes_are_invalid_ha(rsa_key: rsa.RSAPrivateKey) -> None:
    signature = create_signature(DATA, rsa_key)
    for hash_func in (HashFunc.MD5, 9):
        with pytest.raises(MikeyInvalidHashError) as caught:
            create_signature(DATA, rsa_key, hash_func=hash_func)  # type: ignore[arg-type]
        assert caught.value.error_no is ErrorNo.INVALID_HA
        with pytest.raises(MikeyInvalidHashError):
            verify_signature(
                signature,
                DATA,
                rsa_key.public_key(),
                s_type=SType.RSA_PKCS1_1_5,
                hash_funcs=[hash_func],
            )  # type: ignore[list-item]
    with pytest.raises(MikeyInvalidHashError):
        verify_signature(
            signature, DATA, rsa_key.public_key(), s_type=SType.RSA_PKCS1_1_5, hash_funcs=[]
        )


def test_key_policy(rsa_key: rsa.RSAPrivateKey, small_rsa_key: rsa.RSAPrivateKey) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(MikeyValueError):
        create_signature(DATA, ec_key)
    with pytest.raises(MikeyValueError):
        create_signature(DATA, small_rsa_key)
    signature = create_signature(DATA, small_rsa_key, min_key_size=1024)
    with pytest.raises(MikeyInvalidCertError) as caught:
        verify_signature(signature, DATA, small_rsa_key.public_key(), s_type=SType.RSA_PKCS1_1_5)
    assert caught.value.error_no is ErrorNo.INVALID_CERT
    verify_signature(
        signature, DATA, small_rsa_key.public_key(), s_type=SType.RSA_PKCS1_1_5, min_key_size=1024
    )
    with pytest.raises(MikeyInvalidCertError):
        verify_signature(bytes(64), DATA, ec_key.public_key(), s_type=SType.RSA_PKCS1_1_5)


@pytest.mark.parametrize("salt_length", [0, padding.PSS.MAX_LENGTH])
def test_pss_with_other_salt_lengths_verifies(salt_length: int, rsa_key: rsa.RSAPrivateKey) -> None:
    """The salt length is not signalled; a peer's other choice still verifies."""
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt_length)
    signature = rsa_key.sign(DATA, pss, hashes.SHA256())
    verify_signature(signature, DATA, rsa_key.public_key(), s_type=SType.RSA_PSS)


# -- openssl ----------------------------------------------------------------------------


def _openssl_verify(
    tmp_path: Path, key: rsa.RSAPrivateKey, signature: bytes, s_type: SType, hash_func: HashFunc
) -> bytes:
    (tmp_path / "data.bin").write_bytes(DATA)
    (tmp_path / "sig.bin").write_bytes(signature)
    digest = {HashFunc.SHA_256: "-sha256", HashFunc.SHA_1: "-sha1"}[hash_func]
    options = []
    if s_type is SType.RSA_PSS:  # salt exactly the hash length, as RFC 4055 §3.1 recommends
        options = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
    return openssl(
        "dgst",
        digest,
        "-verify",
        write_public_key(key, tmp_path / "pub.pem"),
        *options,
        "-signature",
        tmp_path / "sig.bin",
        tmp_path / "data.bin",
    )


@pytest.mark.interop
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_openssl_verifies_our_signature(
    case: tuple[SType, HashFunc], rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    s_type, hash_func = case
    signature = create_signature(DATA, rsa_key, s_type=s_type, hash_func=hash_func)
    assert b"Verified OK" in _openssl_verify(tmp_path, rsa_key, signature, s_type, hash_func)


@pytest.mark.interop
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_we_verify_an_openssl_signature(
    case: tuple[SType, HashFunc], rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    s_type, hash_func = case
    (tmp_path / "data.bin").write_bytes(DATA)
    digest = {HashFunc.SHA_256: "-sha256", HashFunc.SHA_1: "-sha1"}[hash_func]
    options = ["-sigopt", "rsa_padding_mode:pss"] if s_type is SType.RSA_PSS else []
    signature = openssl(  # openssl's default PSS salt for signing is the longest that fits
        "dgst",
        digest,
        "-sign",
        write_private_key(rsa_key, tmp_path / "key.pem"),
        *options,
        tmp_path / "data.bin",
    )
    verify_signature(signature, DATA, rsa_key.public_key(), s_type=s_type, hash_funcs=[hash_func])
