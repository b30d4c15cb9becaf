"""Cryptography for MIKEY, on pyca/cryptography and OpenSSL: the PRF and key derivation
(RFC 3830 §4.1, RFC 6043 §6.1) and KEMAC protection: message keys, AES-CM and AES-KW key
data encryption and the MAC (RFC 3830 §4.1.4, §4.2.3, §4.2.4, RFC 6043 §6.2). What a
library offers is never written here."""

from mikey.crypto.kemac import (
    MessageKeys,
    Timestamp,
    aes_cm,
    aes_cm_iv,
    compute_mac,
    decrypt_key_data,
    encrypt_key_data,
    message_keys,
    padded_timestamp,
    verify_mac,
)
from mikey.crypto.keywrap import aes_key_unwrap, aes_key_wrap
from mikey.crypto.prf import (
    MessageKeyConstant,
    TgkConstant,
    derive_from_tgk,
    derive_message_key,
    prf,
)

__all__ = [
    "MessageKeyConstant",
    "MessageKeys",
    "TgkConstant",
    "Timestamp",
    "aes_cm",
    "aes_cm_iv",
    "aes_key_unwrap",
    "aes_key_wrap",
    "compute_mac",
    "decrypt_key_data",
    "derive_from_tgk",
    "derive_message_key",
    "encrypt_key_data",
    "message_keys",
    "padded_timestamp",
    "prf",
    "verify_mac",
]
