"""Cryptography for MIKEY, on pyca/cryptography and OpenSSL: the PRF and key derivation
(RFC 3830 §4.1, RFC 6043 §6.1); KEMAC protection: message keys, AES-CM and AES-KW key
data encryption and the MAC (RFC 3830 §4.1.4, §4.2.3, §4.2.4, RFC 6043 §6.2); and the
public-key pieces: the RSA envelope key (§3.2, §4.2.5, RFC 4738 §3.6), RSA signatures
(§4.2.6, §6.5), CHASH (§6.8) and Diffie-Hellman over the OAKLEY groups (§3.3, §4.2.7,
RFC 4650). What a library offers is never written here."""

from mikey.crypto.chash import (
    CHASH_HASHES,
    certificate_hash,
    check_certificate_hash,
    find_certificate_by_hash,
)
from mikey.crypto.dh import (
    DH_GROUPS,
    DhBackend,
    DhBackendKey,
    DhGroupParameters,
    DhPrivateKey,
    PycaDhBackend,
    dh_group_parameters,
    generate_private_key,
    load_private_key,
)
from mikey.crypto.envelope import (
    ENVELOPE_KEY_LENGTH,
    EnvelopeEncryption,
    open_envelope,
    seal_envelope,
)
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
from mikey.crypto.rsakey import MIN_RSA_KEY_SIZE, rsa_private_key, rsa_public_key
from mikey.crypto.signature import (
    DEFAULT_SIGNATURE_HASH,
    SIGNATURE_HASHES,
    create_signature,
    verify_signature,
)

__all__ = [
    "CHASH_HASHES",
    "DEFAULT_SIGNATURE_HASH",
    "DH_GROUPS",
    "ENVELOPE_KEY_LENGTH",
    "MIN_RSA_KEY_SIZE",
    "SIGNATURE_HASHES",
    "DhBackend",
    "DhBackendKey",
    "DhGroupParameters",
    "DhPrivateKey",
    "EnvelopeEncryption",
    "MessageKeyConstant",
    "MessageKeys",
    "PycaDhBackend",
    "TgkConstant",
    "Timestamp",
    "aes_cm",
    "aes_cm_iv",
    "aes_key_unwrap",
    "aes_key_wrap",
    "certificate_hash",
    "check_certificate_hash",
    "compute_mac",
    "create_signature",
    "decrypt_key_data",
    "derive_from_tgk",
    "derive_message_key",
    "dh_group_parameters",
    "encrypt_key_data",
    "find_certificate_by_hash",
    "generate_private_key",
    "load_private_key",
    "message_keys",
    "open_envelope",
    "padded_timestamp",
    "prf",
    "rsa_private_key",
    "rsa_public_key",
    "seal_envelope",
    "verify_mac",
    "verify_signature",
]
