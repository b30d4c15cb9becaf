"""The RFC 9421 Appendix B keys and the RFC's example messages (tests/vectors/rfc9421)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_pem_public_key,
)

from mikey.apiauth import (
    Algorithm,
    Fields,
    HttpRequest,
    HttpResponse,
    KeyResolver,
    PublicKey,
    SigningKey,
    VerificationKey,
    static_keys,
)

VECTORS = Path(__file__).parents[1] / "vectors" / "rfc9421"

CREATED = 1618884473  # the created time of the B.2 examples
NOW = datetime.fromtimestamp(CREATED + 10, UTC)
"""A moment just after the examples were signed, for verifying them."""

ASYMMETRIC_KEYS = ("test-key-rsa", "test-key-rsa-pss", "test-key-ecc-p256", "test-key-ed25519")


def text(name: str) -> str:
    """A vector file without its final newline."""
    return (VECTORS / name).read_text(encoding="ascii").removesuffix("\n")


@cache
def shared_secret() -> bytes:
    return base64.b64decode(text("test-shared-secret.b64"))


@cache
def private_key(name: str) -> SigningKey:
    """A B.1 private key by its key id."""
    if name == "test-shared-secret":
        return shared_secret()
    key = load_pem_private_key((VECTORS / f"{name}.pem").read_bytes(), password=None)
    assert not isinstance(key, str)
    return key  # type: ignore[return-value]


@cache
def public_key(name: str) -> PublicKey:
    """A B.1 public key by its key id."""
    return load_pem_public_key((VECTORS / f"{name}.pub.pem").read_bytes())  # type: ignore[return-value]


def verification_keys() -> dict[str, VerificationKey]:
    """The B.1 keys as a verifier configures them: the RSA keys bound to the algorithm
    the RFC uses them with (§3.2 step 6.3), the others taking theirs from the key."""
    return {
        "test-key-rsa": VerificationKey(
            key=public_key("test-key-rsa"), algorithm=Algorithm.RSA_V1_5_SHA256
        ),
        "test-key-rsa-pss": VerificationKey(
            key=public_key("test-key-rsa-pss"), algorithm=Algorithm.RSA_PSS_SHA512
        ),
        "test-key-ecc-p256": VerificationKey(key=public_key("test-key-ecc-p256")),
        "test-key-ed25519": VerificationKey(key=public_key("test-key-ed25519")),
        "test-shared-secret": VerificationKey(key=shared_secret()),
    }


def resolver() -> KeyResolver:
    return static_keys(verification_keys())


def parse_http(
    source: str, *, scheme: str = "https", request: HttpRequest | None = None
) -> HttpRequest | HttpResponse:
    """An HTTP/1.1 message in the RFC's notation: start line, field lines (leading
    whitespace of a value dropped, as HTTP parsers do; a line starting with whitespace
    continues the previous one, RFC 9112 §5.2's obs-fold), a blank line, the content."""
    head, _, body = source.partition("\n\n")
    start, *lines = head.split("\n")
    fields: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (" ", "\t"):
            name, value = fields[-1]
            fields[-1] = (name, f"{value}\r\n{line}")
        else:
            name, _, value = line.partition(":")
            fields.append((name, value.lstrip(" \t")))
    headers = Fields(fields)
    content = body.encode("ascii")
    if start.startswith("HTTP/"):
        status = int(start.split(" ")[1])
        return HttpResponse(status=status, headers=headers, body=content, request=request)
    method, target, _ = start.split(" ")
    if target.startswith("/"):
        host = headers.get("Host")
        assert host is not None
        return HttpRequest(
            method=method, target_uri=f"{scheme}://{host}{target}", headers=headers, body=content
        )
    return HttpRequest(
        method=method, target_uri=target, headers=headers, body=content, request_target=target
    )


def request(name: str, *, scheme: str = "https") -> HttpRequest:
    message = parse_http(text(name), scheme=scheme)
    assert isinstance(message, HttpRequest)
    return message


def response(name: str, *, to: HttpRequest | None = None) -> HttpResponse:
    message = parse_http(text(name), request=to)
    assert isinstance(message, HttpResponse)
    return message


def field_lines(name: str) -> tuple[tuple[str, str], ...]:
    """The field lines of a ``*.fields.txt`` file."""
    pairs = []
    for line in text(name).split("\n"):
        field_name, _, value = line.partition(": ")
        pairs.append((field_name, value))
    return tuple(pairs)
