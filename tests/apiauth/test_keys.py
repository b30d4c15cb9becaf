"""API key pairs: generation for every type, key ids, encrypted PEM, fingerprints."""

from __future__ import annotations

import hashlib
import re
from functools import cache

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec

from mikey.apiauth import (
    ApiKeyType,
    KeyPair,
    fingerprint,
    generate_key_pair,
    load_private_key_pem,
    load_public_key_pem,
    private_key_pem,
    public_key_pem,
    random_token,
)
from mikey.errors import MikeyValueError

PASSPHRASE = b"correct horse battery"
KEY_ID = re.compile(r"[A-Za-z0-9_-]{22}")


@cache
def pair(key_type: ApiKeyType) -> KeyPair:
    """One key per type for the whole module: RSA 4096 generation is slow."""
    return generate_key_pair(key_type)


@pytest.mark.parametrize("key_type", list(ApiKeyType), ids=str)
def test_generate_every_type(key_type: ApiKeyType) -> None:
    generated = pair(key_type)
    assert generated.key_type is key_type
    assert ApiKeyType.of(generated.public_key) is key_type
    assert KEY_ID.fullmatch(generated.key_id)
    assert "private_key" not in repr(generated)


def test_key_ids_are_unique_and_url_safe() -> None:
    ids = {random_token() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(KEY_ID.fullmatch(key_id) for key_id in ids)
    assert random_token(lambda n: b"\xff" * n) == "_____________________w"


def test_unknown_key_type_and_curve() -> None:
    with pytest.raises(MikeyValueError, match="unknown key type 'rsa-1024'"):
        generate_key_pair("rsa-1024")
    with pytest.raises(MikeyValueError, match="curve secp521r1 keys are not used"):
        ApiKeyType.of(ec.generate_private_key(ec.SECP521R1()))


@pytest.mark.parametrize("key_type", [ApiKeyType.RSA_2048, ApiKeyType.ECDSA_P384, "ed25519"])
def test_pem_round_trip(key_type: ApiKeyType) -> None:
    key = pair(ApiKeyType(key_type)).private_key
    pem = private_key_pem(key, PASSPHRASE)
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = load_private_key_pem(pem, PASSPHRASE)
    assert fingerprint(loaded) == fingerprint(key)
    public = load_public_key_pem(public_key_pem(key))
    assert fingerprint(public) == fingerprint(key)


def test_pem_errors() -> None:
    key = pair(ApiKeyType.ED25519).private_key
    pem = private_key_pem(key, PASSPHRASE)
    with pytest.raises(MikeyValueError, match=r"wrong passphrase for alice\.pem"):
        load_private_key_pem(pem, b"wrong passphrase", source="alice.pem")
    with pytest.raises(MikeyValueError, match="at least 8 bytes"):
        private_key_pem(key, b"short")
    clear = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(MikeyValueError, match="in clear"):
        load_private_key_pem(clear, PASSPHRASE)
    with pytest.raises(MikeyValueError, match="not an encrypted PKCS#8"):
        load_private_key_pem(b"hello", PASSPHRASE)
    broken = pem.replace(pem[60:70], b"AAAAAAAAAA")
    with pytest.raises(MikeyValueError):
        load_private_key_pem(broken, PASSPHRASE)
    with pytest.raises(MikeyValueError, match="not a PEM public key"):
        load_public_key_pem(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


def test_other_key_types_are_refused() -> None:
    dsa_key = dsa.generate_private_key(key_size=1024)
    with pytest.raises(MikeyValueError, match="not used for API requests"):
        ApiKeyType.of(dsa_key)
    pem = dsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE),
    )
    with pytest.raises(MikeyValueError, match="not an API key"):
        load_private_key_pem(pem, PASSPHRASE)
    with pytest.raises(MikeyValueError, match="not an API key"):
        load_public_key_pem(public_key_pem_of_dsa(dsa_key))


def public_key_pem_of_dsa(key: dsa.DSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_fingerprint_is_sha256_of_spki_der_in_hex() -> None:
    generated = pair(ApiKeyType.ECDSA_P256)
    der = generated.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert generated.fingerprint == hashlib.sha256(der).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", generated.fingerprint)
    assert fingerprint(generated.private_key) == generated.fingerprint  # stable
    assert generated.fingerprint != pair(ApiKeyType.ECDSA_P384).fingerprint
