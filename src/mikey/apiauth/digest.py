"""Content-Digest (RFC 9530 §2): a Dictionary of digests of the message content, keyed by
hash algorithm (§5; the "Hash Algorithms for HTTP Digest Fields" registry, §7.2).

Only the registry's "Active" algorithms are made or checked: ``sha-256`` and ``sha-512``.
The "Deprecated" ones (``md5``, ``sha``, ``unixsum``, ``unixcksum``, ``adler``,
``crc32c``) must not be used where an attacker may be at work (§5), which is the case
when a signature covers the field (§6.3), so they are ignored like unknown algorithms
(§2: "A recipient MAY ignore any or all digests"). Every digest that is checked must
match, and at least one must be checked; a verifier that accepts only strong algorithms
is not open to a downgrade (§6.6). Digests are compared in constant time.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Collection, Mapping, Sequence

from cryptography.hazmat.primitives import hashes

from mikey.apiauth.failure import SignatureFailure, fail
from mikey.apiauth.message import HttpRequest, HttpResponse
from mikey.apiauth.structured import Item, parse_dictionary, serialize_dictionary
from mikey.errors import MikeyStructuredFieldError, MikeyValueError

__all__ = [
    "DIGEST_ALGORITHMS",
    "check_content_digest",
    "content_digest",
    "verify_content_digest",
]

DIGEST_ALGORITHMS: Mapping[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha-256": hashes.SHA256,
    "sha-512": hashes.SHA512,
}
"""The "Active" algorithms of RFC 9530 §7.2, by their Dictionary key."""


def _digest(algorithm: str, body: bytes) -> bytes:
    make = DIGEST_ALGORITHMS.get(algorithm)
    if make is None:
        raise MikeyValueError(
            f"{algorithm!r} is not a digest algorithm made here; use {sorted(DIGEST_ALGORITHMS)}"
        )
    hasher = hashes.Hash(make())
    hasher.update(body)
    return hasher.finalize()


def content_digest(body: bytes, algorithms: Sequence[str] = ("sha-256",)) -> str:
    """The Content-Digest field value for ``body`` (RFC 9530 §2), one member per algorithm.

    :raises MikeyValueError: an algorithm not in ``DIGEST_ALGORITHMS``.
    """
    return serialize_dictionary({name: Item(_digest(name, body)) for name in algorithms})


def check_content_digest(
    field_value: str, body: bytes, *, algorithms: Collection[str] = tuple(DIGEST_ALGORITHMS)
) -> tuple[str, ...]:
    """Check ``body`` against a Content-Digest field value; return the algorithms checked.

    Members whose algorithm is not in ``algorithms`` are ignored.

    :raises MikeyStructuredFieldError: not a Dictionary of Byte Sequences.
    :raises MikeySignatureError: reason "digest mismatch" when a digest differs, "missing"
        when no member uses an algorithm in ``algorithms``.
    :raises MikeyValueError: ``algorithms`` names one not in ``DIGEST_ALGORITHMS``.
    """
    for name in algorithms:
        _digest(name, b"")  # refuse unknown names from the caller before reading the field
    checked: list[str] = []
    for name, member in parse_dictionary(field_value, field="Content-Digest").items():
        if name not in algorithms:
            continue
        if not isinstance(member, Item) or not isinstance(member.value, bytes):
            raise MikeyStructuredFieldError(
                f"member {name!r} is not a Byte Sequence (RFC 9530 §2)", field="Content-Digest"
            )
        if not hmac.compare_digest(member.value, _digest(name, body)):
            fail(SignatureFailure.DIGEST_MISMATCH, f"the content does not match its {name} digest")
        checked.append(name)
    if not checked:
        fail(
            SignatureFailure.MISSING,
            f"Content-Digest has no digest made with {', '.join(sorted(algorithms))}",
        )
    return tuple(checked)


def verify_content_digest(
    message: HttpRequest | HttpResponse, *, algorithms: Collection[str] = tuple(DIGEST_ALGORITHMS)
) -> tuple[str, ...]:
    """Check a message's content against its Content-Digest header field (RFC 9530 §2).

    :raises MikeySignatureError: reason "missing" when there is no Content-Digest, and as
        ``check_content_digest``.
    """
    value = message.headers.get("Content-Digest")
    if value is None:
        fail(SignatureFailure.MISSING, "the message has no Content-Digest field")
    return check_content_digest(value, message.body, algorithms=algorithms)
