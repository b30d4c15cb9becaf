"""The MIKEY PRF and the key derivations built on it.

RFC 3830 §4.1.2 (the P function and the PRF over 256-bit blocks of the input key, MIKEY-1
with HMAC-SHA-1), RFC 6043 §6.1 (PRF-HMAC-SHA-256: the same construction with
HMAC-SHA-256 and 256-bit output blocks), RFC 3830 §4.1.3 (keys from a TGK) and §4.1.4
(keys from an envelope or pre-shared key).

The label constants are the RFC 3830 tables 4.1.3 and 4.1.4, checked against their stated
source: consecutive nine-digit chunks of the decimal digits of e (``tests/crypto``). Where
implementations disagree (some use the TGK salt constant 0x39A2C14B for the KEMAC salt key
too), the RFC text wins: 0x29B88916 derives the salt key from an envelope or pre-shared key.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.hmac import HMAC

from mikey.errors import MikeyValueError
from mikey.registry import PrfFunc

__all__ = [
    "MessageKeyConstant",
    "TgkConstant",
    "derive_from_tgk",
    "derive_message_key",
    "message_key_label",
    "prf",
    "prf_many",
    "tgk_label",
]

# RFC 3830 §4.1.2: the input key is split into blocks of half the hash's input block size.
_INKEY_BLOCK = 32
# Hash instances are immutable descriptions, shared rather than made per call.
_HASHES: dict[int, tuple[hashes.HashAlgorithm, int]] = {
    PrfFunc.MIKEY_1: (hashes.SHA1(), 20),  # RFC 3830 §4.1.2: 160-bit output blocks
    PrfFunc.PRF_HMAC_SHA_256: (hashes.SHA256(), 32),  # RFC 6043 §6.1: 256 instead of 160
}


class TgkConstant(IntEnum):
    """Label constants for keys derived from a TGK (RFC 3830 Table 4.1.3)."""

    TEK = 0x2AD01C64  # e digits 718281828
    AUTHENTICATION = 0x1B5C7973  # 459045235
    ENCRYPTION = 0x15798CEF  # 360287471
    SALT = 0x39A2C14B  # 966967627


class MessageKeyConstant(IntEnum):
    """Label constants for keys derived from an envelope or pre-shared key (RFC 3830
    Table 4.1.4): the keys that protect the KEMAC and verification messages."""

    ENCRYPTION = 0x150533E1  # e digits 352662497
    AUTHENTICATION = 0x2D22AC75  # 757247093
    SALT = 0x29B88916  # 699959574


def _p(keyed: HMAC, label: bytes, m: int) -> bytes:
    """P(s, label, m) = HMAC(s, A_1 || label) || ... || HMAC(s, A_m || label), with
    A_0 = label and A_i = HMAC(s, A_(i-1)) (RFC 3830 §4.1.2); ``keyed`` is HMAC keyed
    with s, copied per use so the key schedule is computed once."""
    out = []
    a = label
    for _ in range(m):
        mac = keyed.copy()
        mac.update(a)
        a = mac.finalize()
        mac = keyed.copy()
        mac.update(a + label)
        out.append(mac.finalize())
    return b"".join(out)


def prf(
    inkey: bytes, label: bytes, length: int, prf_func: PrfFunc | int = PrfFunc.MIKEY_1
) -> bytes:
    """PRF(inkey, label): the ``length`` most significant bytes of the XOR of P(s_i, label,
    m) over the 256-bit blocks s_i of ``inkey`` (RFC 3830 §4.1.2, RFC 6043 §6.1).

    :raises MikeyValueError: for an empty key or a PRF this implementation does not know
        (a Responder answers the latter with Invalid PRF).
    """
    return prf_many(inkey, ((label, length),), prf_func)[0]


def prf_many(
    inkey: bytes,
    requests: Sequence[tuple[bytes, int]],
    prf_func: PrfFunc | int = PrfFunc.MIKEY_1,
) -> list[bytes]:
    """PRF(inkey, label) at ``length`` bytes for each (label, length) of ``requests``:
    what a side derives at once (three message keys, or a TEK and its salt), with the
    HMAC keyed once per input key block instead of once per key.

    :raises MikeyValueError: as ``prf``.
    """
    spec = _HASHES.get(prf_func)
    if spec is None:
        raise MikeyValueError(f"PRF func {prf_func} is not supported")
    if not inkey:
        raise MikeyValueError("the PRF needs a non-empty input key")
    algorithm, block = spec
    for _, length in requests:
        if length < 0:
            raise MikeyValueError(f"output length must not be negative, got {length}")
    if len(inkey) <= _INKEY_BLOCK:  # one block s_1 (every PSK and TGK we derive from)
        keyed = HMAC(inkey, algorithm)
        return [_p(keyed, label, -(-length // block))[:length] for label, length in requests]
    outputs = [0] * len(requests)
    for start in range(0, len(inkey), _INKEY_BLOCK):
        keyed = HMAC(inkey[start : start + _INKEY_BLOCK], algorithm)
        for index, (label, length) in enumerate(requests):
            m = -(-length // block)  # outkey_len / output block size, rounded up
            outputs[index] ^= int.from_bytes(_p(keyed, label, m))
    return [
        value.to_bytes(-(-length // block) * block)[:length]
        for value, (_, length) in zip(outputs, requests, strict=True)
    ]


def _check_ids(csb_id: int, rand: bytes) -> None:
    if not 0 <= csb_id < 1 << 32:
        raise MikeyValueError(f"CSB ID must fit in 32 bits, got {csb_id}")
    if not rand:
        raise MikeyValueError("key derivation needs the RAND of the initial exchange")


def tgk_label(constant: TgkConstant, *, cs_id: int, csb_id: int, rand: bytes) -> bytes:
    """constant || cs_id || csb_id || RAND (RFC 3830 §4.1.3)."""
    _check_ids(csb_id, rand)
    if not 0 <= cs_id < 256:
        raise MikeyValueError(f"CS ID must fit in 8 bits, got {cs_id}")
    return constant.to_bytes(4) + bytes([cs_id]) + csb_id.to_bytes(4) + rand


def message_key_label(constant: MessageKeyConstant, *, csb_id: int, rand: bytes) -> bytes:
    """constant || 0xFF || csb_id || RAND (RFC 3830 §4.1.4)."""
    _check_ids(csb_id, rand)
    return constant.to_bytes(4) + b"\xff" + csb_id.to_bytes(4) + rand


def derive_from_tgk(
    tgk: bytes,
    constant: TgkConstant,
    *,
    cs_id: int,
    csb_id: int,
    rand: bytes,
    length: int,
    prf_func: PrfFunc | int = PrfFunc.MIKEY_1,
) -> bytes:
    """A TEK (or authentication, encryption or salt key) for crypto session ``cs_id``:
    PRF(TGK, constant || cs_id || csb_id || RAND) (RFC 3830 §4.1.3)."""
    label = tgk_label(constant, cs_id=cs_id, csb_id=csb_id, rand=rand)
    return prf(tgk, label, length, prf_func)


def derive_message_key(
    key: bytes,
    constant: MessageKeyConstant,
    *,
    csb_id: int,
    rand: bytes,
    length: int,
    prf_func: PrfFunc | int = PrfFunc.MIKEY_1,
) -> bytes:
    """The encryption, authentication or salt key for MIKEY messages, from an envelope or
    pre-shared key: PRF(key, constant || 0xFF || csb_id || RAND) (RFC 3830 §4.1.4)."""
    label = message_key_label(constant, csb_id=csb_id, rand=rand)
    return prf(key, label, length, prf_func)
