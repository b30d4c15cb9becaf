"""Accept-Signature (RFC 9421 §5): the §5.1 example both ways, and fulfilling requests
(§5.2), including the ones that cannot be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mikey.apiauth import (
    Algorithm,
    HttpRequest,
    HttpResponse,
    SignatureFailure,
    SignatureRequest,
    accept_signature,
    component_ids,
    parse_accept_signature,
    sign_requested,
    verify,
)
from mikey.errors import MikeySignatureError, MikeyStructuredFieldError, MikeyValueError

from .rfc9421 import NOW, private_key, request, resolver

EXAMPLE = (  # RFC 9421 §5.1
    'sig1=("@method" "@target-uri" "@authority" "content-digest" "cache-control")'
    ';keyid="test-key-rsa-pss";created;tag="app-123"'
)
COMPONENTS = component_ids(
    ["@method", "@target-uri", "@authority", "content-digest", "cache-control"]
)


def test_the_example_round_trips() -> None:
    wanted = SignatureRequest(
        label="sig1", components=COMPONENTS, keyid="test-key-rsa-pss", created=True, tag="app-123"
    )
    assert accept_signature([wanted]) == EXAMPLE
    assert parse_accept_signature(EXAMPLE) == (wanted,)


def test_several_requests() -> None:
    value = accept_signature(
        [
            SignatureRequest(
                label="a", components=component_ids(["@method"]), nonce="n1", alg="ed25519"
            ),
            SignatureRequest(
                label="b", components=component_ids(['"@query-param";name="x"']), expires=True
            ),
        ]
    )
    assert value == 'a=("@method");alg="ed25519";nonce="n1", b=("@query-param";name="x");expires'
    assert [r.label for r in parse_accept_signature(value)] == ["a", "b"]
    with pytest.raises(MikeyValueError):
        accept_signature([SignatureRequest(label="a", components=())] * 2)


@pytest.mark.parametrize(
    "value",
    [
        'sig1="@method"',
        'sig1=("@method");created=1618884473',
        'sig1=("@method");keyid=abc',
        'sig1=("@method" "@method")',
        'sig1=("@unknown")',
        'sig1=(), sig1=("@method")',
        "sig1=(",
    ],
)
def test_malformed(value: str) -> None:
    with pytest.raises(MikeyStructuredFieldError) as caught:
        parse_accept_signature(value)
    assert caught.value.field == "Accept-Signature"


def test_fulfilling_the_example() -> None:
    message = request("test-request.http").with_fields(("Cache-Control", "no-cache"))
    (wanted,) = parse_accept_signature(EXAMPLE)
    created = sign_requested(
        message, wanted, key=private_key("test-key-rsa-pss"), key_id="test-key-rsa-pss", now=NOW
    )
    verified = verify(created.apply(message), keys=resolver(), now=NOW, tag="app-123")
    assert verified.label == "sig1"
    assert verified.components == wanted.components
    assert verified.created == NOW.replace(microsecond=0)


def test_requested_nonce_alg_and_expiry_are_honoured() -> None:
    wanted = SignatureRequest(
        label="reply",
        components=component_ids(["@status"]),
        nonce="abc",
        alg="ed25519",
        expires=True,
    )
    reply = HttpResponse(status=200)
    expires = NOW + timedelta(minutes=1)
    created = sign_requested(
        reply,
        wanted,
        key=private_key("test-key-ed25519"),
        key_id="test-key-ed25519",
        now=NOW,
        expires=expires,
    )
    assert created.parameters.nonce == "abc"
    assert created.parameters.alg == Algorithm.ED25519
    assert created.parameters.expires == int(expires.timestamp())


def unfulfillable(wanted: SignatureRequest, message: HttpRequest | HttpResponse) -> str:
    with pytest.raises(MikeySignatureError) as caught:
        sign_requested(
            message,
            wanted,
            key=private_key("test-key-ecc-p256"),
            key_id="test-key-ecc-p256",
            now=datetime(2024, 1, 1, tzinfo=UTC),
        )
    return caught.value.reason


def test_requests_that_cannot_be_fulfilled() -> None:
    message = request("test-request.http")
    assert (
        unfulfillable(SignatureRequest(label="a", components=(), keyid="other"), message)
        == SignatureFailure.UNKNOWN_KEY
    )
    for alg in ("ed25519", "rsa-sha1"):
        wanted = SignatureRequest(label="a", components=(), alg=alg)
        assert unfulfillable(wanted, message) == SignatureFailure.ALGORITHM
    assert (
        unfulfillable(SignatureRequest(label="a", components=(), expires=True), message)
        == SignatureFailure.PARAMETER_MISSING
    )
    # §5: a request's components must apply to the target message
    assert (
        unfulfillable(SignatureRequest(label="a", components=component_ids(["@status"])), message)
        == SignatureFailure.COMPONENT_MISSING
    )
