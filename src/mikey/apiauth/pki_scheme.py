"""The ``PKI`` request-signing scheme: ``Authorization: PKI <key id>:<base64 signature>``
with ``X-Timestamp`` and ``X-Nonce``, as existing clients of key-signed APIs send it.
docs/pki-signature-scheme.md specifies it byte for byte, with worked examples.

The signed message is the 32-byte SHA-256 digest of a canonical JSON document (RFC 8259):

    {"body":…,"headers":{…},"method":"POST","nonce":"…","timestamp":1700000000,"url":"/p?q"}

serialized by ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=True)``:
keys sorted, no white space, everything outside ASCII escaped as ``\\uXXXX`` (so the bytes
are ASCII and no text encoding is involved). The body is a JSON string when it is valid
UTF-8 of at most ``large_body`` bytes, ``{"base64": …}`` (RFC 4648 §4) for other short
bodies and ``{"sha256": "<hex>"}`` for longer ones; strings and objects cannot be confused,
so a short body cannot pose as a long body's digest.

The digest is signed as a message, so the signature hashes it once more: RSASSA-PSS
(RFC 8017 §8.1) with SHA-256, MGF1-SHA-256 and the maximum salt length; ECDSA with
SHA-256, DER signature (RFC 3279 §2.2.3); Ed25519 (RFC 8032 §5.1.6). RSA-PSS verification
accepts any salt length, because clients differ (32 bytes and the maximum are both seen).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from math import floor

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from mikey.apiauth.algorithms import MIN_RSA_KEY_SIZE, PublicKey, VerificationKey
from mikey.apiauth.failure import SignatureFailure, fail
from mikey.apiauth.keys import PrivateKey
from mikey.apiauth.message import HttpRequest
from mikey.apiauth.replay import NonceStore, remember_nonce
from mikey.apiauth.signatures import KeyResolver
from mikey.errors import MikeyValueError

__all__ = [
    "DEFAULT_MAX_SKEW",
    "DEFAULT_PKI_HEADERS",
    "LARGE_BODY",
    "PkiVerified",
    "pki_canonical_json",
    "pki_digest",
    "pki_sign",
    "pki_verify",
]

DEFAULT_PKI_HEADERS = ("content-type",)
"""The header fields signed unless both sides agree on another set."""
LARGE_BODY = 4096
"""Bodies longer than this many bytes are bound by their SHA-256 digest."""
DEFAULT_MAX_SKEW = timedelta(minutes=5)
"""How far ``X-Timestamp`` may be from the verifier's clock, either way."""

_KEY_ID = re.compile(r"[A-Za-z0-9._~-]{1,128}")  # RFC 3986 §2.3 unreserved: no ":" or space
_NONCE = re.compile(r"[!-~]{1,128}")  # visible ASCII
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds; 12 digits reach year 33658
_AUTHORIZATION = re.compile(r"PKI +([^:\s]+):(\S+)", re.IGNORECASE)  # scheme: RFC 9110 §11.1
_SALT_ANY = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
_SALT_MAX = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)


def _body_value(body: bytes, large_body: int) -> str | dict[str, str]:
    if len(body) > large_body:
        return {"sha256": hashlib.sha256(body).hexdigest()}
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(body).decode("ascii")}


def pki_canonical_json(
    request: HttpRequest,
    *,
    timestamp: int,
    nonce: str,
    headers: Collection[str] = DEFAULT_PKI_HEADERS,
    large_body: int = LARGE_BODY,
) -> bytes:
    """The canonical JSON document of ``request`` (ASCII bytes), as the module docstring
    and docs/pki-signature-scheme.md describe it.

    ``url`` is the path and query of the target URI as sent (percent-encoding kept).
    ``headers`` holds each declared field present in the request, the name lower-cased
    and the value with leading and trailing spaces and tabs removed (RFC 9110 §5.5); lines
    of the same name are joined with ", " (§5.3). A declared field that is absent is left
    out, so an empty value and a missing field differ.
    """
    uri = request.uri
    signed: dict[str, str] = {}
    for name in headers:
        value = request.headers.get(name)
        if value is not None:
            signed[name.lower()] = value.strip(" \t")
    document = {
        "body": _body_value(request.body, large_body),
        "headers": signed,
        "method": request.method.upper(),
        "nonce": nonce,
        "timestamp": timestamp,
        "url": uri.path if uri.query is None else f"{uri.path}?{uri.query}",
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.encode("ascii")


def pki_digest(
    request: HttpRequest,
    *,
    timestamp: int,
    nonce: str,
    headers: Collection[str] = DEFAULT_PKI_HEADERS,
    large_body: int = LARGE_BODY,
) -> bytes:
    """SHA-256 of ``pki_canonical_json``: the 32 bytes that are signed."""
    document = pki_canonical_json(
        request, timestamp=timestamp, nonce=nonce, headers=headers, large_body=large_body
    )
    return hashlib.sha256(document).digest()


def _unix_seconds(moment: datetime | int, what: str) -> int:
    if isinstance(moment, int):
        return moment
    if moment.tzinfo is None:
        raise MikeyValueError(f"{what} must be an aware datetime (UTC), not a naive one")
    return floor(moment.timestamp())


def _check_key(key: PrivateKey | PublicKey) -> None:
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey) and key.key_size < MIN_RSA_KEY_SIZE:
        raise MikeyValueError(f"RSA key of {key.key_size} bits; at least {MIN_RSA_KEY_SIZE}")


def pki_sign(
    request: HttpRequest,
    *,
    key: PrivateKey,
    key_id: str,
    timestamp: datetime | int,
    nonce: str,
    headers: Collection[str] = DEFAULT_PKI_HEADERS,
    large_body: int = LARGE_BODY,
) -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
    """Sign ``request``; returns the Authorization, X-Timestamp and X-Nonce field lines to
    add (``request.with_fields(*lines)``). ``nonce`` should be fresh and random
    (``mikey.apiauth.random_token()``).

    :raises MikeyValueError: a key id or nonce outside the allowed characters, a naive
        datetime, a key type that does not sign here or an RSA key under 2048 bits.
    """
    if not _KEY_ID.fullmatch(key_id):
        raise MikeyValueError(f"key id {key_id!r} is not 1-128 unreserved URI characters")
    if not _NONCE.fullmatch(nonce):
        raise MikeyValueError(f"nonce {nonce!r} is not 1-128 visible ASCII characters")
    seconds = _unix_seconds(timestamp, "timestamp")
    if seconds < 0:
        raise MikeyValueError("the timestamp lies before 1970")
    _check_key(key)
    digest = pki_digest(
        request, timestamp=seconds, nonce=nonce, headers=headers, large_body=large_body
    )
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(digest, _SALT_MAX, hashes.SHA256())
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(digest, ec.ECDSA(hashes.SHA256()))
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        signature = key.sign(digest)
    else:
        raise MikeyValueError(f"a {type(key).__name__} does not sign PKI requests")
    encoded = base64.b64encode(signature).decode("ascii")
    return (
        ("Authorization", f"PKI {key_id}:{encoded}"),
        ("X-Timestamp", str(seconds)),
        ("X-Nonce", nonce),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PkiVerified:
    """A ``PKI`` signature that verified."""

    key_id: str
    timestamp: datetime
    nonce: str
    digest: bytes = field(repr=False)
    """The SHA-256 of the canonical JSON that was signed."""
    key: VerificationKey = field(repr=False)


def _single(request: HttpRequest, name: str) -> str:
    values = request.headers.get_all(name)
    if not values:
        fail(SignatureFailure.MISSING, f"the request has no {name} field")
    if len(values) > 1:
        fail(SignatureFailure.MALFORMED, f"the request has {len(values)} {name} fields")
    return values[0].strip(" \t")


def _parse(request: HttpRequest) -> tuple[str, bytes, int, str]:
    """The key id, signature, timestamp and nonce the request carries."""
    authorization = _single(request, "Authorization")
    match = _AUTHORIZATION.fullmatch(authorization)
    if match is None:
        fail(SignatureFailure.MALFORMED, "Authorization is not 'PKI <key id>:<signature>'")
    key_id, encoded = match.groups()
    if not _KEY_ID.fullmatch(key_id):
        fail(SignatureFailure.MALFORMED, "the key id in Authorization is not well formed")
    try:
        signature = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        fail(SignatureFailure.MALFORMED, "the signature in Authorization is not base64")
    timestamp = _single(request, "X-Timestamp")
    if not _TIMESTAMP.fullmatch(timestamp):
        fail(SignatureFailure.MALFORMED, "X-Timestamp is not Unix seconds (1-12 digits)")
    nonce = _single(request, "X-Nonce")
    if not _NONCE.fullmatch(nonce):
        fail(SignatureFailure.MALFORMED, "X-Nonce is not 1-128 visible ASCII characters")
    return key_id, signature, int(timestamp), nonce


def _verify_signature(key: PublicKey | bytes, signature: bytes, digest: bytes) -> None:
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, digest, _SALT_ANY, hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, digest, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, digest)
        else:
            fail(SignatureFailure.ALGORITHM, "an HMAC secret cannot verify a PKI signature")
    except InvalidSignature:
        fail(SignatureFailure.BAD_SIGNATURE, "the PKI signature does not verify")


def pki_verify(
    request: HttpRequest,
    *,
    keys: KeyResolver,
    now: datetime,
    nonces: NonceStore,
    max_skew: timedelta = DEFAULT_MAX_SKEW,
    headers: Collection[str] = DEFAULT_PKI_HEADERS,
    large_body: int = LARGE_BODY,
) -> PkiVerified:
    """Verify the ``PKI`` signature of ``request``.

    In order: the three fields are present once and well formed; ``X-Timestamp`` lies
    within ``max_skew`` of ``now``; ``keys`` knows the key id (the ``algorithm`` a
    ``VerificationKey`` is bound to is RFC 9421's and is not consulted); the signature
    verifies over the digest of the canonical JSON; the (key id, nonce) pair is new to
    ``nonces``, which keeps it until ``timestamp + max_skew``.

    :raises MikeySignatureError: reason "missing", "malformed", "not yet valid", "too old",
        "unknown key", "algorithm refused" (an HMAC secret), "bad signature", "replayed" or
        "nonce store unavailable".
    :raises MikeyValueError: ``now`` is a naive datetime.
    """
    moment = _unix_seconds(now, "now")
    key_id, signature, timestamp, nonce = _parse(request)
    skew = max_skew.total_seconds()
    if timestamp > moment + skew:
        fail(SignatureFailure.NOT_YET_VALID, f"X-Timestamp {timestamp} lies in the future")
    if timestamp < moment - skew:
        fail(SignatureFailure.TOO_OLD, f"X-Timestamp {timestamp} is more than {max_skew} old")
    key = keys(key_id)
    if key is None:
        fail(SignatureFailure.UNKNOWN_KEY, f"key {key_id!r} is not known here")
    digest = pki_digest(
        request, timestamp=timestamp, nonce=nonce, headers=headers, large_body=large_body
    )
    _verify_signature(key.key, signature, digest)
    signed_at = datetime.fromtimestamp(timestamp, UTC)
    remember_nonce(nonces, key_id, nonce, expires_at=signed_at + max_skew, now=now)
    return PkiVerified(key_id=key_id, timestamp=signed_at, nonce=nonce, digest=digest, key=key)
