"""An independent, minimal transcription of the MIKEY PRF (RFC 3830 §4.1.2, RFC 6043 §6.1)
using only the standard library, to check ``mikey.crypto.prf`` and to generate the
published known-answer vectors in ``tests/vectors/mikey-kdf``. Deliberately written
differently from the library: bit lengths as in the RFC, bytes XORed one by one.
"""

from __future__ import annotations

import hashlib
import hmac


def reference_prf(inkey: bytes, label: bytes, outkey_len_bits: int, sha256: bool = False) -> bytes:
    digest = hashlib.sha256 if sha256 else hashlib.sha1
    hash_bits = 256 if sha256 else 160  # "160 equals ... full output hash size" (§4.1.2)
    inkey_len_bits = 8 * len(inkey)
    n = (inkey_len_bits + 255) // 256  # n = inkey_len / 256, rounded up
    blocks = [inkey[32 * i : 32 * (i + 1)] for i in range(n)]  # s_1 .. s_n
    m = (outkey_len_bits + hash_bits - 1) // hash_bits  # m = outkey_len / 160, rounded up

    def p(s: bytes) -> bytes:
        a = label  # A_0 = label
        output = b""
        for _ in range(m):
            a = hmac.new(s, a, digest).digest()  # A_i = HMAC(s, A_(i-1))
            output += hmac.new(s, a + label, digest).digest()  # HMAC(s, A_i || label)
        return output

    result = bytearray(p(blocks[0]))
    for s in blocks[1:]:
        for index, byte in enumerate(p(s)):
            result[index] ^= byte
    return bytes(result[: outkey_len_bits // 8])  # the outkey_len most significant bits


def tgk_label(constant: int, cs_id: int, csb_id: int, rand: bytes) -> bytes:
    """constant || cs_id || csb_id || RAND (RFC 3830 §4.1.3)."""
    return constant.to_bytes(4, "big") + cs_id.to_bytes(1, "big") + csb_id.to_bytes(4, "big") + rand


def message_label(constant: int, csb_id: int, rand: bytes) -> bytes:
    """constant || 0xFF || csb_id || RAND (RFC 3830 §4.1.4)."""
    return constant.to_bytes(4, "big") + b"\xff" + csb_id.to_bytes(4, "big") + rand
