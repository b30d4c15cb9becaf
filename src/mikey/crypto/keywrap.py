"""AES key wrap with an explicit initial value (RFC 3394 §2.2), for AES-KW-128 KEMAC
encryption (RFC 3830 §4.2.3: "the key wrap IV is then set to S", the 64-bit salt).

pyca/cryptography's ``aes_key_wrap`` always uses RFC 3394's default initial value
0xA6A6A6A6A6A6A6A6 and takes no other, so this module calls OpenSSL's own key-wrap
cipher (``EVP_aes_128_wrap`` and its 192/256-bit siblings, which take the initial value
as the IV) through ``ctypes`` on the system's libcrypto, the library the interpreter's
``ssl`` module already loads. Nothing of RFC 3394 is written here; the tests check the
result against RFC 3394 §4's vectors, against pyca for the default initial value, and
against an independent transcription of §2.2.1 for other values.

RFC 3394 wraps whole 64-bit blocks, at least two: MIKEY key data whose length is not a
multiple of 8 bytes cannot be wrapped (RFC 3830 defines no padding) and is refused.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any

from mikey.errors import MikeyAuthenticationError, MikeyInvalidEncrAlgError, MikeyValueError

__all__ = ["DEFAULT_IV", "aes_key_unwrap", "aes_key_wrap"]

DEFAULT_IV = bytes.fromhex("a6a6a6a6a6a6a6a6")  # RFC 3394 §2.2.3.1
_SEMIBLOCK = 8
_WRAP_ALLOW = 0x1  # EVP_CIPHER_CTX_FLAG_WRAP_ALLOW: needed by OpenSSL 1.1, ignored by 3.x
_CIPHERS = {16: "EVP_aes_128_wrap", 24: "EVP_aes_192_wrap", 32: "EVP_aes_256_wrap"}


@cache
def _libcrypto() -> Any:
    """The system's libcrypto with the functions used here declared, or
    ``MikeyInvalidEncrAlgError`` (a Responder answers Invalid EA) if it cannot be loaded
    or lacks them."""
    failures = []
    for name in dict.fromkeys((ctypes.util.find_library("crypto"), "libcrypto.so.3")):
        if name is None:
            continue
        try:
            lib = ctypes.CDLL(name)
            _declare(lib)
        except (OSError, AttributeError) as exc:
            failures.append(f"{name}: {exc}")
        else:
            return lib
    raise MikeyInvalidEncrAlgError(
        "AES key wrap needs OpenSSL's libcrypto, which could not be loaded ("
        + ("; ".join(failures) or "not found")
        + ")"
    )


def _declare(lib: ctypes.CDLL) -> None:
    """Declare argument and result types; AttributeError if a function is missing."""
    pointer, integer = ctypes.c_void_p, ctypes.c_int
    lib.EVP_CIPHER_CTX_new.restype = pointer
    lib.EVP_CIPHER_CTX_new.argtypes = []
    lib.EVP_CIPHER_CTX_free.restype = None
    lib.EVP_CIPHER_CTX_free.argtypes = [pointer]
    lib.EVP_CIPHER_CTX_set_flags.restype = None
    lib.EVP_CIPHER_CTX_set_flags.argtypes = [pointer, integer]
    for function in _CIPHERS.values():
        getattr(lib, function).restype = pointer
        getattr(lib, function).argtypes = []
    lib.EVP_CipherInit_ex.restype = integer
    lib.EVP_CipherInit_ex.argtypes = [
        pointer,
        pointer,
        pointer,
        ctypes.c_char_p,
        ctypes.c_char_p,
        integer,
    ]
    lib.EVP_CipherUpdate.restype = integer
    lib.EVP_CipherUpdate.argtypes = [
        pointer,
        ctypes.c_char_p,
        ctypes.POINTER(integer),
        ctypes.c_char_p,
        integer,
    ]


def _run(key: bytes, iv: bytes, data: bytes, *, encrypt: bool) -> bytes | None:
    """OpenSSL's key wrap (``encrypt``) or unwrap of ``data``; None if unwrapping fails
    its integrity check."""
    if len(key) not in _CIPHERS:
        raise MikeyValueError(f"AES key wrap takes a 16-, 24- or 32-byte key, not {len(key)}")
    if len(iv) != _SEMIBLOCK:
        raise MikeyValueError(f"the key wrap initial value is 8 bytes, not {len(iv)}")
    lib = _libcrypto()
    ctx = lib.EVP_CIPHER_CTX_new()
    if not ctx:
        raise MemoryError("EVP_CIPHER_CTX_new failed")
    try:
        lib.EVP_CIPHER_CTX_set_flags(ctx, _WRAP_ALLOW)
        cipher = getattr(lib, _CIPHERS[len(key)])()
        if lib.EVP_CipherInit_ex(ctx, cipher, None, key, iv, int(encrypt)) != 1:
            raise MikeyInvalidEncrAlgError("OpenSSL refused to set up the AES key wrap")
        out = ctypes.create_string_buffer(len(data) + 2 * _SEMIBLOCK)
        written = ctypes.c_int(0)
        # The wrap mode does the whole operation in one update and returns its length
        # (0 or less when an unwrap fails the integrity check).
        if lib.EVP_CipherUpdate(ctx, out, ctypes.byref(written), data, len(data)) <= 0:
            return None
        return out.raw[: written.value]
    finally:
        lib.EVP_CIPHER_CTX_free(ctx)


def aes_key_wrap(key: bytes, plaintext: bytes, iv: bytes = DEFAULT_IV) -> bytes:
    """RFC 3394 §2.2.1 key wrap of ``plaintext`` under the AES ``key``, with initial
    value ``iv``: 8 bytes longer than ``plaintext``.

    :raises MikeyValueError: for a key, IV or plaintext of a size RFC 3394 does not take
        (the plaintext: whole 8-byte blocks, at least two).
    :raises MikeyInvalidEncrAlgError: if libcrypto cannot be loaded.
    """
    if len(plaintext) < 2 * _SEMIBLOCK or len(plaintext) % _SEMIBLOCK:
        raise MikeyValueError(
            f"AES key wrap takes whole 8-byte blocks, at least two; got {len(plaintext)} bytes"
            " (RFC 3394 §2; RFC 3830 defines no padding for AES-KW-128)"
        )
    wrapped = _run(key, iv, bytes(plaintext), encrypt=True)
    if wrapped is None or len(wrapped) != len(plaintext) + _SEMIBLOCK:
        raise MikeyInvalidEncrAlgError("OpenSSL's AES key wrap failed")
    return wrapped


def aes_key_unwrap(key: bytes, ciphertext: bytes, iv: bytes = DEFAULT_IV) -> bytes:
    """RFC 3394 §2.2.2 key unwrap, with the integrity check of §2.2.3 against ``iv``.

    :raises MikeyAuthenticationError: the check fails (wrong key or IV, altered data).
    :raises MikeyValueError: for sizes RFC 3394 does not take.
    """
    if len(ciphertext) < 3 * _SEMIBLOCK or len(ciphertext) % _SEMIBLOCK:
        raise MikeyValueError(
            f"AES key unwrap takes whole 8-byte blocks, at least three; got {len(ciphertext)} bytes"
        )
    plaintext = _run(key, iv, bytes(ciphertext), encrypt=False)
    if plaintext is None or len(plaintext) != len(ciphertext) - _SEMIBLOCK:
        raise MikeyAuthenticationError("AES key wrap integrity check failed (RFC 3394 §2.2.3)")
    return plaintext
