"""The envelope key (``mikey.crypto.envelope``, RFC 3830 §3.2, §4.2.5, RFC 4738 §3.6):
round trips with PKCS#1 v1.5 and OAEP, to a certificate or a key; a wrong key or an
altered ciphertext ending, like any other mistake, in Auth failure at the KEMAC MAC and
never in a different error (no padding oracle); key type and size policy; and the
``openssl`` command decrypting ours and encrypting for us."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.backends.openssl import backend as openssl_backend
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from mikey.crypto import compute_mac, message_keys, verify_mac
from mikey.crypto.envelope import (
    ENVELOPE_KEY_LENGTH,
    EnvelopeEncryption,
    open_envelope,
    seal_envelope,
)
from mikey.errors import (
    MikeyAuthenticationError,
    MikeyInvalidCertError,
    MikeyValueError,
)
from mikey.registry import EncrAlg, ErrorNo, MacAlg

from .openssl_cli import openssl, write_private_key, write_public_key

ENCRYPTIONS = list(EnvelopeEncryption)
RAND = bytes(range(16))


def fixed_rng(n: int) -> bytes:
    return b"\x5a" * n


def kemac_mac(envelope_key: bytes, data: bytes = b"KEMAC payload") -> bytes:
    keys = message_keys(
        envelope_key,
        csb_id=7,
        rand=RAND,
        encr_alg=EncrAlg.AES_CM_128,
        mac_alg=MacAlg.HMAC_SHA_1_160,
    )
    return compute_mac(MacAlg.HMAC_SHA_1_160, keys.authentication, data)


def check_kemac_mac(envelope_key: bytes, mac: bytes, data: bytes = b"KEMAC payload") -> None:
    keys = message_keys(
        envelope_key,
        csb_id=7,
        rand=RAND,
        encr_alg=EncrAlg.AES_CM_128,
        mac_alg=MacAlg.HMAC_SHA_1_160,
    )
    verify_mac(MacAlg.HMAC_SHA_1_160, keys.authentication, data, mac)


@pytest.mark.parametrize("encryption", ENCRYPTIONS, ids=lambda e: e.value)
def test_round_trip(encryption: EnvelopeEncryption, rsa_key: rsa.RSAPrivateKey) -> None:
    envelope_key = os.urandom(ENVELOPE_KEY_LENGTH)
    data = seal_envelope(rsa_key.public_key(), envelope_key, encryption=encryption)
    assert len(data) == 256
    assert open_envelope(rsa_key, data, encryption=encryption) == envelope_key
    assert open_envelope(rsa_key, data, encryption=encryption, expected_length=32) == envelope_key
    # randomised padding: the same key seals differently every time
    assert seal_envelope(rsa_key.public_key(), envelope_key, encryption=encryption) != data


def test_seal_to_a_certificate(rsa_key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> None:
    envelope_key = os.urandom(16)
    assert open_envelope(rsa_key, seal_envelope(certificate, envelope_key)) == envelope_key


def test_rsa_r_seals_the_other_way(
    rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    """RFC 4738 §3.6: the Responder's envelope key, to the Initiator's public key."""
    envelope_key = os.urandom(ENVELOPE_KEY_LENGTH)
    data = seal_envelope(other_rsa_key.public_key(), envelope_key)
    assert open_envelope(other_rsa_key, data) == envelope_key


@pytest.mark.parametrize("encryption", ENCRYPTIONS, ids=lambda e: e.value)
def test_wrong_key_or_altered_data_fail_at_the_mac_as_auth_failure(
    encryption: EnvelopeEncryption, rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    envelope_key = os.urandom(ENVELOPE_KEY_LENGTH)
    data = seal_envelope(rsa_key.public_key(), envelope_key, encryption=encryption)
    mac = kemac_mac(envelope_key)
    check_kemac_mac(open_envelope(rsa_key, data, encryption=encryption), mac)

    altered = [
        bytes([data[0] ^ 0x01]) + data[1:],
        data[:100] + bytes([data[100] ^ 0x80]) + data[101:],
    ]
    attempts = [(other_rsa_key, data)] + [(rsa_key, a) for a in altered]
    for key, ciphertext in attempts:
        opened = open_envelope(key, ciphertext, encryption=encryption)  # never raises here
        assert opened != envelope_key
        with pytest.raises(MikeyAuthenticationError) as caught:
            check_kemac_mac(opened, mac)
        assert caught.value.error_no is ErrorNo.AUTH_FAILURE


def test_pkcs1_failures_and_wrong_lengths_become_random_keys(rsa_key: rsa.RSAPrivateKey) -> None:
    public = rsa_key.public_key()
    # A ciphertext pyca refuses outright (a number above the modulus): random key.
    assert open_envelope(rsa_key, b"\xff" * 256, rng=fixed_rng) == fixed_rng(ENVELOPE_KEY_LENGTH)
    # A key of a length other than the one expected: random key of the expected length.
    data = seal_envelope(public, os.urandom(20))
    assert open_envelope(rsa_key, data, expected_length=32, rng=fixed_rng) == fixed_rng(32)
    # An empty plaintext (sealed with pyca directly; seal_envelope refuses it).
    empty = public.encrypt(b"", padding.PKCS1v15())
    assert open_envelope(rsa_key, empty, rng=fixed_rng) == fixed_rng(ENVELOPE_KEY_LENGTH)


def test_oaep_failures_become_random_keys(rsa_key: rsa.RSAPrivateKey) -> None:
    data = bytearray(
        seal_envelope(
            rsa_key.public_key(), os.urandom(32), encryption=EnvelopeEncryption.RSAES_OAEP
        )
    )
    data[-1] ^= 1
    opened = open_envelope(
        rsa_key, bytes(data), encryption=EnvelopeEncryption.RSAES_OAEP, rng=fixed_rng
    )
    assert opened == fixed_rng(ENVELOPE_KEY_LENGTH)


def test_open_envelope_never_raises_on_what_the_ciphertext_holds(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    for _ in range(20):
        for encryption in ENCRYPTIONS:
            opened = open_envelope(rsa_key, os.urandom(256), encryption=encryption)
            assert opened  # some key; the MAC decides


@pytest.mark.skipif(
    openssl_backend.openssl_version_number() < 0x30200000,
    reason="implicit rejection arrived in OpenSSL 3.2",
)
def test_installed_openssl_uses_implicit_rejection(rsa_key: rsa.RSAPrivateKey) -> None:
    """What the module notes rely on: pyca's PKCS#1 v1.5 decryption of a bad ciphertext
    returns a synthetic plaintext, the same one each time, instead of raising."""
    bad = bytes([1]) + os.urandom(255)
    first = rsa_key.decrypt(bad, padding.PKCS1v15())
    assert first == rsa_key.decrypt(bad, padding.PKCS1v15())


def test_ciphertext_of_the_wrong_length_is_refused_at_once(rsa_key: rsa.RSAPrivateKey) -> None:
    data = seal_envelope(rsa_key.public_key(), os.urandom(32))
    for wrong in (data[:-1], data + b"\x00", b""):
        with pytest.raises(MikeyAuthenticationError) as caught:
            open_envelope(rsa_key, wrong)
        assert caught.value.error_no is ErrorNo.AUTH_FAILURE


def test_key_policy(rsa_key: rsa.RSAPrivateKey, small_rsa_key: rsa.RSAPrivateKey) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(MikeyInvalidCertError) as caught:
        seal_envelope(ec_key.public_key(), os.urandom(32))
    assert caught.value.error_no is ErrorNo.INVALID_CERT
    with pytest.raises(MikeyInvalidCertError):
        seal_envelope(small_rsa_key.public_key(), os.urandom(32))
    with pytest.raises(MikeyValueError):
        open_envelope(ec_key, bytes(256))
    with pytest.raises(MikeyValueError):
        open_envelope(rsa_key.public_key(), bytes(256))
    with pytest.raises(MikeyValueError):
        open_envelope(small_rsa_key, bytes(128))
    # The floor is a policy: 1024-bit keys when the caller says so.
    data = seal_envelope(small_rsa_key.public_key(), b"k" * 16, min_key_size=1024)
    assert open_envelope(small_rsa_key, data, min_key_size=1024) == b"k" * 16


def test_envelope_key_length_limits(rsa_key: rsa.RSAPrivateKey) -> None:
    public = rsa_key.public_key()
    seal_envelope(public, b"k" * 245)  # 2048-bit modulus less 11 bytes of PKCS#1 v1.5
    seal_envelope(public, b"k" * 214, encryption=EnvelopeEncryption.RSAES_OAEP)
    for length in (0, 15):
        with pytest.raises(MikeyValueError):
            seal_envelope(public, b"k" * length)
    with pytest.raises(MikeyValueError):
        seal_envelope(public, b"k" * 246)
    with pytest.raises(MikeyValueError):
        seal_envelope(public, b"k" * 215, encryption=EnvelopeEncryption.RSAES_OAEP)
    with pytest.raises(MikeyValueError):
        open_envelope(rsa_key, bytes(256), expected_length=0)


# -- openssl ----------------------------------------------------------------------------

_OPENSSL_PADDING = {
    EnvelopeEncryption.RSAES_PKCS1_V1_5: ["-pkeyopt", "rsa_padding_mode:pkcs1"],
    EnvelopeEncryption.RSAES_OAEP: [
        "-pkeyopt",
        "rsa_padding_mode:oaep",
        "-pkeyopt",
        "rsa_oaep_md:sha1",
    ],
}


@pytest.mark.interop
@pytest.mark.parametrize("encryption", ENCRYPTIONS, ids=lambda e: e.value)
def test_openssl_opens_our_envelope(
    encryption: EnvelopeEncryption, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    envelope_key = os.urandom(ENVELOPE_KEY_LENGTH)
    (tmp_path / "pke.bin").write_bytes(
        seal_envelope(rsa_key.public_key(), envelope_key, encryption=encryption)
    )
    opened = openssl(
        "pkeyutl",
        "-decrypt",
        "-inkey",
        write_private_key(rsa_key, tmp_path / "key.pem"),
        "-in",
        tmp_path / "pke.bin",
        *_OPENSSL_PADDING[encryption],
    )
    assert opened == envelope_key


@pytest.mark.interop
@pytest.mark.parametrize("encryption", ENCRYPTIONS, ids=lambda e: e.value)
def test_we_open_an_openssl_envelope(
    encryption: EnvelopeEncryption, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    envelope_key = os.urandom(ENVELOPE_KEY_LENGTH)
    (tmp_path / "key.bin").write_bytes(envelope_key)
    data = openssl(
        "pkeyutl",
        "-encrypt",
        "-pubin",
        "-inkey",
        write_public_key(rsa_key, tmp_path / "pub.pem"),
        "-in",
        tmp_path / "key.bin",
        *_OPENSSL_PADDING[encryption],
    )
    assert open_envelope(rsa_key, data, encryption=encryption, expected_length=32) == envelope_key
