"""Untrusted field values never raise anything but a ``MikeyError``: arbitrary text, and
the RFC's own signed messages with their signature fields mutated (RFC 9421 §7.5.3)."""

from __future__ import annotations

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from mikey.apiauth import (
    ComponentId,
    Fields,
    HttpRequest,
    HttpResponse,
    check_content_digest,
    parse_accept_signature,
    verify,
)
from mikey.errors import MikeyError

from .rfc9421 import NOW, request, resolver

STRUCTURED = st.sampled_from(
    list('sig1=("@method" "content-type";req;key="a");created=16:AAAA:?1,*\\ é')
)
TEXTS = st.one_of(st.text(max_size=80), st.text(STRUCTURED, max_size=80))
ORIGINAL = request("4.3.proxy-signed-request.http")


def verify_quietly(message: HttpRequest | HttpResponse) -> None:
    with contextlib.suppress(MikeyError):
        verify(message, keys=resolver(), now=NOW)


@given(TEXTS, TEXTS)
def test_arbitrary_signature_fields(signature_input: str, signature: str) -> None:
    base = request("test-request.http")
    verify_quietly(base.with_fields(("Signature-Input", signature_input), ("Signature", signature)))


@st.composite
def mutations(draw: st.DrawFn) -> HttpRequest:
    """The §4.3 proxy-signed request with one signature field cut, extended or altered."""
    lines = list(ORIGINAL.headers)
    index = draw(st.sampled_from([i for i, (n, _) in enumerate(lines) if n.startswith("Sig")]))
    name, value = lines[index]
    at = draw(st.integers(0, len(value)))
    insert = draw(st.text(STRUCTURED, max_size=4))
    cut = draw(st.integers(0, 4))
    lines[index] = (name, value[:at] + insert + value[at + cut :])
    return HttpRequest(
        method=ORIGINAL.method,
        target_uri=ORIGINAL.target_uri,
        headers=Fields(lines),
        body=ORIGINAL.body,
    )


@given(mutations())
def test_mutated_rfc_signature_fields(message: HttpRequest) -> None:
    verify_quietly(message)


@given(TEXTS)
def test_arbitrary_covered_field_values(value: str) -> None:
    """A covered field with any value: refused with our error or verified, nothing else."""
    base = request("b4.signed-request.http")
    lines = [(n, value if n == "Accept" else v) for n, v in base.headers]
    verify_quietly(HttpRequest(method="GET", target_uri=base.target_uri, headers=Fields(lines)))


@given(TEXTS)
def test_arbitrary_accept_signature_and_content_digest(value: str) -> None:
    for parse in (
        parse_accept_signature,
        ComponentId.parse,
        lambda text: check_content_digest(text, b""),
    ):
        with contextlib.suppress(MikeyError):
            parse(value)


@given(st.text(max_size=30), st.text(max_size=60), st.text(max_size=20))
def test_arbitrary_message_parts(name: str, target_uri: str, method: str) -> None:
    with contextlib.suppress(MikeyError):
        Fields([(name, "v")])
    with contextlib.suppress(MikeyError):
        HttpRequest(method=method, target_uri=target_uri)
