"""AES key wrap with an explicit initial value (``mikey.crypto.keywrap``): RFC 3394 §4's
vectors, pyca/cryptography for the default initial value, an independent transcription
of §2.2.1 for others, and every refusal."""

from __future__ import annotations

import ctypes
import json
from collections.abc import Iterator
from pathlib import Path
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

# RFC 3394 §4.1-4.6, as data: tests/vectors/rfc3394 (SOURCE.md says where from).
RFC3394 = json.loads(
    (Path(__file__).parents[1] / "vectors" / "rfc3394" / "key-wrap.json").read_text()
)


@pytest.mark.parametrize("vector", RFC3394, ids=lambda v: v["section"])
def test_rfc3394_vectors(vector: dict[str, str]) -> None:
    kek, data = bytes.fromhex(vector["kek"]), bytes.fromhex(vector["key_data"])
    wrapped = aes_key_wrap(kek, data)
    assert wrapped == bytes.fromhex(vector["ciphertext"]), vector["section"]
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
    data = bytes.fromhex(RFC3394[-1]["key_data"])
    wrapped = aes_key_wrap(kek, data, iv)
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
    first = RFC3394[0]
    wrapped = aes_key_wrap(bytes.fromhex(first["kek"]), bytes.fromhex(first["key_data"]))
    assert wrapped == bytes.fromhex(first["ciphertext"])
