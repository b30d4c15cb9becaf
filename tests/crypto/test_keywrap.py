"""AES key wrap with an explicit initial value (``mikey.crypto.keywrap``): RFC 3394 §4's
vectors, pyca/cryptography for the default initial value, an independent transcription
of §2.2.1 for others, and every refusal."""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.keywrap import aes_key_wrap as pyca_wrap
from hypothesis import given
from hypothesis import strategies as st

from mikey.crypto import keywrap
from mikey.crypto.keywrap import DEFAULT_IV, aes_key_unwrap, aes_key_wrap
from mikey.errors import MikeyAuthenticationError, MikeyInvalidEncrAlgError, MikeyValueError
from mikey.registry import ErrorNo

from .reference_keywrap import reference_wrap

# RFC 3394 §4.1-4.6 (https://www.rfc-editor.org/rfc/rfc3394#section-4): KEK, key data,
# ciphertext. The KEK is 00 01 02 … and the key data 00 11 22 … in every vector.
KEK = bytes(range(32))
DATA = bytes.fromhex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")
RFC3394 = [
    ("4.1", 16, 16, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"),
    ("4.2", 24, 16, "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D"),
    ("4.3", 32, 16, "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"),
    ("4.4", 24, 24, "031D33264E15D33268F24EC260743EDCE1C6C7DDEE725A936BA814915C6762D2"),
    ("4.5", 32, 24, "A8F9BC1612C68B3FF6E6F4FBE30E71E4769C8B80A32CB8958CD5D17D6B254DA1"),
    (
        "4.6",
        32,
        32,
        "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21",
    ),
]


@pytest.mark.parametrize(("section", "kek_length", "data_length", "expected"), RFC3394)
def test_rfc3394_vectors(section: str, kek_length: int, data_length: int, expected: str) -> None:
    kek, data = KEK[:kek_length], DATA[:data_length]
    wrapped = aes_key_wrap(kek, data)
    assert wrapped == bytes.fromhex(expected), section
    assert aes_key_unwrap(kek, wrapped) == data


@given(
    kek=st.sampled_from([16, 24, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
    blocks=st.integers(min_value=2, max_value=8),
    data=st.data(),
)
def test_default_iv_agrees_with_pyca(kek: bytes, blocks: int, data: st.DataObject) -> None:
    plaintext = data.draw(st.binary(min_size=8 * blocks, max_size=8 * blocks))
    assert aes_key_wrap(kek, plaintext, DEFAULT_IV) == pyca_wrap(kek, plaintext)


@given(
    kek=st.binary(min_size=16, max_size=16),
    iv=st.binary(min_size=8, max_size=8),
    blocks=st.integers(min_value=2, max_value=8),
    data=st.data(),
)
def test_other_ivs_agree_with_the_rfc_text(
    kek: bytes, iv: bytes, blocks: int, data: st.DataObject
) -> None:
    plaintext = data.draw(st.binary(min_size=8 * blocks, max_size=8 * blocks))
    wrapped = aes_key_wrap(kek, plaintext, iv)
    assert wrapped == reference_wrap(kek, plaintext, iv)
    assert aes_key_unwrap(kek, wrapped, iv) == plaintext


def test_the_integrity_check_fails_closed() -> None:
    kek, iv = bytes(16), bytes(range(8))
    wrapped = aes_key_wrap(kek, DATA, iv)
    for key, value, data in (
        (kek, DEFAULT_IV, wrapped),  # wrong initial value
        (bytes(15) + b"\x01", iv, wrapped),  # wrong key
        (kek, iv, wrapped[:-1] + bytes([wrapped[-1] ^ 1])),  # altered
    ):
        with pytest.raises(MikeyAuthenticationError, match="integrity"):
            aes_key_unwrap(key, data, value)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: aes_key_wrap(bytes(16), bytes(8)), "at least two"),
        (lambda: aes_key_wrap(bytes(16), bytes(20)), "8-byte blocks"),
        (lambda: aes_key_wrap(bytes(15), bytes(16)), "16-, 24- or 32-byte key"),
        (lambda: aes_key_wrap(bytes(16), bytes(16), bytes(7)), "8 bytes"),
        (lambda: aes_key_unwrap(bytes(16), bytes(16)), "at least three"),
        (lambda: aes_key_unwrap(bytes(16), bytes(25)), "8-byte blocks"),
    ],
)
def test_sizes_rfc_3394_does_not_take_are_refused(call: object, match: str) -> None:
    with pytest.raises(MikeyValueError, match=match):
        call()  # type: ignore[operator]


@pytest.fixture
def fresh_libcrypto() -> Iterator[None]:
    """Forget the loaded libcrypto before and after, so a test can change how it loads."""
    keywrap._libcrypto.cache_clear()
    yield
    keywrap._libcrypto.cache_clear()


@pytest.mark.usefixtures("fresh_libcrypto")
def test_without_libcrypto_aes_kw_is_an_invalid_ea(monkeypatch: pytest.MonkeyPatch) -> None:
    def unloadable(name: str) -> ctypes.CDLL:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(keywrap.ctypes, "CDLL", unloadable)
    with pytest.raises(MikeyInvalidEncrAlgError, match="libcrypto") as error:
        aes_key_wrap(bytes(16), bytes(16), bytes(8))
    assert error.value.error_no is ErrorNo.INVALID_EA
    with pytest.raises(MikeyInvalidEncrAlgError, match="libcrypto"):
        aes_key_unwrap(bytes(16), bytes(24), bytes(8))


@pytest.mark.usefixtures("fresh_libcrypto")
def test_a_libcrypto_without_the_wrap_cipher_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real_cdll = ctypes.CDLL

    class NoWrap:
        def __init__(self, name: str) -> None:
            self._lib = real_cdll(name)

        def __getattr__(self, function: str) -> Any:
            if function == "EVP_aes_128_wrap":
                raise AttributeError(f"undefined symbol: {function}")
            return getattr(self._lib, function)

    monkeypatch.setattr(keywrap.ctypes, "CDLL", NoWrap)
    with pytest.raises(MikeyInvalidEncrAlgError, match="EVP_aes_128_wrap"):
        aes_key_wrap(bytes(16), bytes(16))


@pytest.mark.usefixtures("fresh_libcrypto")
def test_libcrypto_so_3_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keywrap.ctypes.util, "find_library", lambda name: "libnocrypto.so.0")
    assert aes_key_wrap(KEK[:16], DATA[:16]) == bytes.fromhex(RFC3394[0][3])
