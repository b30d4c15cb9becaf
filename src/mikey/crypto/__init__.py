"""Cryptography for MIKEY, on pyca/cryptography: the PRF and key derivation (RFC 3830
§4.1, RFC 6043 §6.1). What a library offers is never written here."""

from mikey.crypto.prf import (
    MessageKeyConstant,
    TgkConstant,
    derive_from_tgk,
    derive_message_key,
    prf,
)

__all__ = ["MessageKeyConstant", "TgkConstant", "derive_from_tgk", "derive_message_key", "prf"]
