"""Signed API requests: the sans-I/O core of HTTP Message Signatures (RFC 9421) with
Content-Digest (RFC 9530), on pyca/cryptography.

- ``message``: the request and response model (method, target URI, fields, content).
- ``structured``: the Structured Field Values (RFC 8941) the two RFCs are written in.
- ``components``: component identifiers, their values and the signature base (§2).
- ``algorithms``: the signature algorithms of §3.3 and the keys they take.
- ``signatures``: ``sign`` and ``verify`` (§3.1, §3.2) over Signature-Input and Signature
  (§4).
- ``accept``: Accept-Signature (§5).
- ``digest``: Content-Digest (RFC 9530 §2).
- ``keys``: API key pairs: generation, key ids, encrypted PEM, fingerprints.
- ``replay``: nonce stores and ``verify_request``, RFC 9421 verification with replay
  protection (§7.2.2).
- ``pki_scheme``: the ``Authorization: PKI`` scheme (docs/pki-signature-scheme.md).

Nothing here reads a clock, draws randomness or does I/O: the time, the keys (through a
``KeyResolver``) and the policy are arguments. Every failure is a ``MikeySignatureError``
whose ``reason`` is a ``SignatureFailure``. This layer never imports MIKEY modules.
"""

from mikey.apiauth.accept import (
    SignatureRequest,
    accept_signature,
    parse_accept_signature,
    sign_requested,
)
from mikey.apiauth.algorithms import (
    MIN_HMAC_KEY_LENGTH,
    MIN_RSA_KEY_SIZE,
    Algorithm,
    PublicKey,
    SigningKey,
    VerificationKey,
    algorithm_for_key,
)
from mikey.apiauth.components import (
    DERIVED_COMPONENTS,
    KNOWN_FIELD_TYPES,
    ComponentId,
    FieldType,
    HttpMessage,
    SignatureParameters,
    component_ids,
    component_value,
    signature_base,
)
from mikey.apiauth.digest import (
    DIGEST_ALGORITHMS,
    check_content_digest,
    content_digest,
    verify_content_digest,
)
from mikey.apiauth.failure import SignatureFailure
from mikey.apiauth.keys import (
    KEY_ID_BYTES,
    MIN_PASSPHRASE_LENGTH,
    ApiKeyType,
    KeyPair,
    PrivateKey,
    fingerprint,
    generate_key_pair,
    load_private_key_pem,
    load_public_key_pem,
    private_key_pem,
    public_key_pem,
    random_token,
)
from mikey.apiauth.message import Fields, HttpRequest, HttpResponse, TargetUri
from mikey.apiauth.pki_scheme import (
    DEFAULT_MAX_SKEW,
    DEFAULT_PKI_HEADERS,
    LARGE_BODY,
    PkiVerified,
    pki_canonical_json,
    pki_digest,
    pki_sign,
    pki_verify,
)
from mikey.apiauth.replay import (
    DEFAULT_MAX_NONCES,
    MemoryNonceStore,
    NonceStore,
    remember_nonce,
    verify_request,
)
from mikey.apiauth.signatures import (
    DEFAULT_CLOCK_SKEW,
    DEFAULT_MAX_AGE,
    CreatedSignature,
    KeyResolver,
    VerifiedSignature,
    sign,
    static_keys,
    verify,
)

__all__ = [
    "DEFAULT_CLOCK_SKEW",
    "DEFAULT_MAX_AGE",
    "DEFAULT_MAX_NONCES",
    "DEFAULT_MAX_SKEW",
    "DEFAULT_PKI_HEADERS",
    "DERIVED_COMPONENTS",
    "DIGEST_ALGORITHMS",
    "KEY_ID_BYTES",
    "KNOWN_FIELD_TYPES",
    "LARGE_BODY",
    "MIN_HMAC_KEY_LENGTH",
    "MIN_PASSPHRASE_LENGTH",
    "MIN_RSA_KEY_SIZE",
    "Algorithm",
    "ApiKeyType",
    "ComponentId",
    "CreatedSignature",
    "FieldType",
    "Fields",
    "HttpMessage",
    "HttpRequest",
    "HttpResponse",
    "KeyPair",
    "KeyResolver",
    "MemoryNonceStore",
    "NonceStore",
    "PkiVerified",
    "PrivateKey",
    "PublicKey",
    "SignatureFailure",
    "SignatureParameters",
    "SignatureRequest",
    "SigningKey",
    "TargetUri",
    "VerificationKey",
    "VerifiedSignature",
    "accept_signature",
    "algorithm_for_key",
    "check_content_digest",
    "component_ids",
    "component_value",
    "content_digest",
    "fingerprint",
    "generate_key_pair",
    "load_private_key_pem",
    "load_public_key_pem",
    "parse_accept_signature",
    "pki_canonical_json",
    "pki_digest",
    "pki_sign",
    "pki_verify",
    "private_key_pem",
    "public_key_pem",
    "random_token",
    "remember_nonce",
    "sign",
    "sign_requested",
    "signature_base",
    "static_keys",
    "verify",
    "verify_content_digest",
    "verify_request",
]
