"""Content-Digest (RFC 9530 §2): the RFC's digests, and every refusal."""

from __future__ import annotations

import pytest

from mikey.apiauth import (
    Fields,
    HttpResponse,
    SignatureFailure,
    check_content_digest,
    content_digest,
    verify_content_digest,
)
from mikey.errors import MikeySignatureError, MikeyStructuredFieldError, MikeyValueError

HELLO = b'{"hello": "world"}'
SHA_256 = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"  # RFC 9421 §7.2.8
SHA_512 = (  # RFC 9421 Appendix B.2
    "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"
)


def test_rfc_digests() -> None:
    assert content_digest(HELLO) == SHA_256
    assert content_digest(HELLO, ["sha-512"]) == SHA_512
    assert content_digest(HELLO, ["sha-256", "sha-512"]) == f"{SHA_256}, {SHA_512}"
    # RFC 9530 Appendix B.1, and §2's sha-512 example: the JSON object and a newline
    assert content_digest(HELLO + b"\n") == "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"
    assert content_digest(HELLO + b"\n", ["sha-512"]) == (
        "sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/"
        "WkppmM44T3qg==:"
    )


def test_check_returns_the_algorithms_checked() -> None:
    assert check_content_digest(SHA_256, HELLO) == ("sha-256",)
    assert check_content_digest(f"{SHA_512},{SHA_256}", HELLO) == ("sha-512", "sha-256")
    assert check_content_digest(f"{SHA_512}, {SHA_256}", HELLO, algorithms=["sha-256"]) == (
        "sha-256",
    )


def reason(value: str, body: bytes = HELLO, **options: list[str]) -> SignatureFailure:
    with pytest.raises(MikeySignatureError) as caught:
        check_content_digest(value, body, **options)
    return SignatureFailure(caught.value.reason)


def test_mismatch() -> None:
    assert reason(SHA_256, b'{"hello": "mallory"}') == SignatureFailure.DIGEST_MISMATCH
    # every digest checked must match, not just one of them
    wrong_512 = content_digest(b"other", ["sha-512"])
    assert reason(f"{SHA_256}, {wrong_512}") == SignatureFailure.DIGEST_MISMATCH


def test_weak_and_unknown_algorithms_are_ignored() -> None:
    """RFC 9530 §5: Deprecated algorithms are not for adversarial settings."""
    assert reason("md5=:XrY7u+Ae7tCTyyK7j1rNww==:, unixsum=30637") == SignatureFailure.MISSING
    assert check_content_digest(f"md5=:AAAA:, {SHA_256}, new-hash=:AAAA:", HELLO) == ("sha-256",)
    assert reason(SHA_512, algorithms=["sha-256"]) == SignatureFailure.MISSING
    assert reason("") == SignatureFailure.MISSING


@pytest.mark.parametrize(
    "value", ["sha-256=1", "sha-256", "sha-256=(:AAAA:)", "sha-256=:AA", "x y"]
)
def test_malformed(value: str) -> None:
    with pytest.raises(MikeyStructuredFieldError) as caught:
        check_content_digest(value, HELLO)
    assert caught.value.field == "Content-Digest"


def test_unknown_algorithms_from_the_caller_are_refused() -> None:
    with pytest.raises(MikeyValueError):
        content_digest(HELLO, ["md5"])
    with pytest.raises(MikeyValueError):
        check_content_digest(SHA_256, HELLO, algorithms=["sha-1"])


def test_verify_content_digest_of_a_message() -> None:
    response = HttpResponse(status=200, headers=Fields([("Content-Digest", SHA_256)]), body=HELLO)
    assert verify_content_digest(response) == ("sha-256",)
    with pytest.raises(MikeySignatureError) as caught:
        verify_content_digest(HttpResponse(status=200, body=HELLO))
    assert caught.value.reason == SignatureFailure.MISSING
