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
from mikey.apiauth.message import Fields, HttpRequest, HttpResponse, TargetUri
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
    "DERIVED_COMPONENTS",
    "DIGEST_ALGORITHMS",
    "KNOWN_FIELD_TYPES",
    "MIN_HMAC_KEY_LENGTH",
    "MIN_RSA_KEY_SIZE",
    "Algorithm",
    "ComponentId",
    "CreatedSignature",
    "FieldType",
    "Fields",
    "HttpMessage",
    "HttpRequest",
    "HttpResponse",
    "KeyResolver",
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
    "parse_accept_signature",
    "sign",
    "sign_requested",
    "signature_base",
    "static_keys",
    "verify",
    "verify_content_digest",
]
