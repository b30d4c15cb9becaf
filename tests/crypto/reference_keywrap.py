"""An independent transcription of the RFC 3394 §2.2.1 key wrap (index-based), over
AES-ECB from pyca/cryptography, for checking ``mikey.crypto.keywrap`` with initial values
other than the default. Test code only: the library uses OpenSSL's wrap cipher."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def reference_wrap(kek: bytes, plaintext: bytes, iv: bytes) -> bytes:
    """RFC 3394 §2.2.1: A = IV, R[i] = P[i]; for j = 0..5, i = 1..n:
    B = AES(K, A | R[i]); A = MSB(64, B) ^ t where t = (n*j)+i; R[i] = LSB(64, B)."""
    encryptor = Cipher(algorithms.AES(kek), modes.ECB()).encryptor()
    n = len(plaintext) // 8
    a = iv
    r = [plaintext[8 * i : 8 * i + 8] for i in range(n)]
    for j in range(6):
        for i in range(n):
            b = encryptor.update(a + r[i])
            t = n * j + i + 1
            a = (int.from_bytes(b[:8]) ^ t).to_bytes(8)
            r[i] = b[8:]
    return a + b"".join(r)
