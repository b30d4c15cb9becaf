"""The examples of RFC 9421, byte for byte: each B.2 example (B.2.1-B.2.6), the signed
responses of §2.4, §2.5 Figure 1 with §3.2's verification, the reverse proxy of §4.3,
the TLS-terminating proxy of B.3 and the transformations of B.4.

For each: our signature base equals the RFC's, our Signature-Input member equals the
RFC's, the RFC's signature value verifies with the B.1 key, and for the deterministic
algorithms (rsa-v1_5-sha256, hmac-sha256, ed25519) our signature equals the RFC's."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from mikey.apiauth import (
    Algorithm,
    HttpRequest,
    HttpResponse,
    SignatureFailure,
    parse_accept_signature,
    sign,
    verify,
)
from mikey.errors import MikeySignatureError

from .rfc9421 import (
    CREATED,
    NOW,
    field_lines,
    parse_http,
    private_key,
    request,
    resolver,
    response,
    text,
)


def at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


@dataclass(frozen=True)
class Example:
    """One example of Appendix B.2."""

    section: str
    key_id: str
    components: tuple[str, ...]
    on_response: bool = False
    nonce: str | None = None
    tag: str | None = None
    deterministic: bool = False

    @property
    def label(self) -> str:
        return "sig-" + self.section.replace(".", "").lower()

    def message(self) -> HttpRequest | HttpResponse:
        return response("test-response.http") if self.on_response else request("test-request.http")


B2_EXAMPLES = [
    Example("B.2.1", "test-key-rsa-pss", (), nonce="b3k2pp5k7z-50gnwp.yemd"),
    Example(
        "B.2.2",
        "test-key-rsa-pss",
        ("@authority", "content-digest", '"@query-param";name="Pet"'),
        tag="header-example",
    ),
    Example(
        "B.2.3",
        "test-key-rsa-pss",
        (
            "date",
            "@method",
            "@path",
            "@query",
            "@authority",
            "content-type",
            "content-digest",
            "content-length",
        ),
    ),
    Example(
        "B.2.4",
        "test-key-ecc-p256",
        ("@status", "content-type", "content-digest", "content-length"),
        on_response=True,
    ),
    Example(
        "B.2.5",
        "test-shared-secret",
        ("date", "@authority", "content-type"),
        deterministic=True,
    ),
    Example(
        "B.2.6",
        "test-key-ed25519",
        ("date", "@method", "@path", "@authority", "content-type", "content-length"),
        deterministic=True,
    ),
]


@pytest.mark.parametrize("example", B2_EXAMPLES, ids=lambda example: example.section)
def test_b2_signing_reproduces_the_base_and_fields(example: Example) -> None:
    name = "b" + example.section[2:]
    signature_input, signature = field_lines(f"{name}.fields.txt")
    created = sign(
        example.message(),
        key=private_key(example.key_id),
        key_id=example.key_id,
        components=example.components,
        created=at(CREATED),
        label=example.label,
        nonce=example.nonce,
        tag=example.tag,
    )
    assert created.base == text(f"{name}.base.txt").encode("ascii")
    assert created.fields[0] == signature_input
    if example.deterministic:
        assert created.fields[1] == signature
    signed = created.apply(example.message())
    assert verify(signed, keys=resolver(), now=NOW).base == created.base


@pytest.mark.parametrize("example", B2_EXAMPLES, ids=lambda example: example.section)
def test_b2_the_rfc_signature_verifies(example: Example) -> None:
    name = "b" + example.section[2:]
    signed = example.message().with_fields(*field_lines(f"{name}.fields.txt"))
    verified = verify(signed, keys=resolver(), now=NOW, label=example.label)
    assert verified.base == text(f"{name}.base.txt").encode("ascii")
    assert verified.key_id == example.key_id
    assert verified.created == at(CREATED)
    assert verified.nonce == example.nonce
    assert verified.tag == example.tag
    assert [c.serialize().split(";")[0].strip('"') for c in verified.components] == [
        c.split(";")[0].strip('"') for c in example.components
    ]


def test_b2_2_selected_by_tag() -> None:
    signed = request("test-request.http").with_fields(
        *field_lines("b2.1.fields.txt"), *field_lines("b2.2.fields.txt")
    )
    verified = verify(signed, keys=resolver(), now=NOW, tag="header-example")
    assert verified.label == "sig-b22"


def test_2_4_signed_response_covering_the_request() -> None:
    """§2.4: a response signature over request components marked req."""
    original = request("2.4.request.http")
    unsigned = response("2.4.response.http", to=original)
    created = sign(
        unsigned,
        key=private_key("test-key-ecc-p256"),
        key_id="test-key-ecc-p256",
        components=[
            "@status",
            "content-digest",
            "content-type",
            '"@authority";req',
            '"@method";req',
            '"@path";req',
            '"content-digest";req',
        ],
        created=at(1618884479),
        label="reqres",
    )
    base = text("2.4.response.base.txt").encode("ascii")
    assert created.base == base
    signed = response("2.4.signed-response.http", to=original)
    assert created.signature_input == signed.headers.get("Signature-Input")
    verified = verify(signed, keys=resolver(), now=at(1618884480), label="reqres")
    assert verified.base == base
    assert verify(created.apply(unsigned), keys=resolver(), now=at(1618884480)).base == base


def test_2_4_signed_response_to_a_signed_request() -> None:
    signed_request = request("2.4.signed-request.http")
    assert verify(signed_request, keys=resolver(), now=at(1618884476)).key_id == "test-key-rsa-pss"
    signed = response("2.4.signed-response-2.http", to=signed_request)
    verified = verify(signed, keys=resolver(), now=at(1618884480))
    assert verified.base == text("2.4.response-2.base.txt").encode("ascii")


def test_2_4_req_needs_the_request() -> None:
    signed = response("2.4.signed-response.http")  # the request was not kept
    with pytest.raises(MikeySignatureError) as caught:
        verify(signed, keys=resolver(), now=at(1618884480))
    assert caught.value.reason == SignatureFailure.COMPONENT_MISSING


def test_2_5_figure_1_and_3_2_verification() -> None:
    components = [
        "@method",
        "@authority",
        "@path",
        "content-digest",
        "content-length",
        "content-type",
    ]
    created = sign(
        request("2.5.request.http"),
        key=private_key("test-key-rsa-pss"),
        key_id="test-key-rsa-pss",
        components=components,
        created=at(CREATED),
    )
    assert created.base == text("2.5.base.txt").encode("ascii")
    # §3.2: "with the additional requirements that at least the method, authority, path,
    # content-digest, content-length, and content-type entries be signed, and that the
    # signature creation timestamp be recent enough"
    verified = verify(
        request("3.2.signed-request.http"),
        keys=resolver(),
        now=NOW,
        label="sig1",
        required_components=components,
    )
    assert verified.base == created.base
    assert verified.algorithm is Algorithm.RSA_PSS_SHA512


def test_4_3_client_signature_verifies_until_the_proxy_changes_the_authority() -> None:
    client = verify(request("4.3.client-request.http"), keys=resolver(), now=at(1618884476))
    assert client.key_id == "test-key-ecc-p256"
    with pytest.raises(MikeySignatureError) as caught:
        verify(request("4.3.forwarded-request.http"), keys=resolver(), now=at(1618884481))
    assert caught.value.reason == SignatureFailure.BAD_SIGNATURE
    assert caught.value.label == "sig1"


def test_4_3_proxy_signature_is_reproduced_exactly() -> None:
    """rsa-v1_5-sha256 is deterministic: the proxy's signature is the RFC's, bit for bit."""
    forwarded = request("4.3.forwarded-request.http")
    created = sign(
        forwarded,
        key=private_key("test-key-rsa"),
        key_id="test-key-rsa",
        alg=Algorithm.RSA_V1_5_SHA256,
        components=[
            "@method",
            "@authority",
            "@path",
            "content-digest",
            "content-type",
            "content-length",
            "forwarded",
        ],
        created=at(1618884480),
        expires=at(1618884540),
        label="proxy_sig",
    )
    assert created.base == text("4.3.proxy.base.txt").encode("ascii")
    assert created.value == base64.b64decode(text("4.3.proxy.signature.b64"))
    final = request("4.3.proxy-signed-request.http")
    # the second Signature-Input and Signature lines combine into the RFC's field values
    for name in ("Signature-Input", "Signature"):
        assert created.apply(forwarded).headers.get(name) == final.headers.get(name)


def test_4_3_verifier_of_the_proxied_request() -> None:
    final = request("4.3.proxy-signed-request.http")
    now = at(1618884481)
    assert verify(final, keys=resolver(), now=now, label="proxy_sig").key_id == "test-key-rsa"
    # without a label, the client's broken signature does not hide the proxy's (§7.2.6)
    assert verify(final, keys=resolver(), now=now).label == "proxy_sig"
    with pytest.raises(MikeySignatureError) as caught:
        verify(final, keys=resolver(), now=now, label="sig1")
    assert caught.value.reason == SignatureFailure.BAD_SIGNATURE
    with pytest.raises(MikeySignatureError) as caught:
        verify(final, keys=resolver(), now=at(1618884540), label="proxy_sig")
    assert caught.value.reason == SignatureFailure.EXPIRED


def test_b3_tls_terminating_proxy() -> None:
    created = sign(
        request("b3.request.http"),
        key=private_key("test-key-ecc-p256"),
        key_id="test-key-ecc-p256",
        components=["@path", "@query", "@method", "@authority", "client-cert"],
        created=at(CREATED),
        label="ttrp",
    )
    base = text("b3.base.txt").encode("ascii")
    assert created.base == base
    signed = request("b3.signed-request.http")
    assert created.signature_input == signed.headers.get("Signature-Input")
    assert verify(signed, keys=resolver(), now=NOW, label="ttrp").base == base


def test_b4_the_signed_request() -> None:
    verified = verify(request("b4.signed-request.http"), keys=resolver(), now=NOW)
    assert verified.base == text("b4.base.txt").encode("ascii")


@pytest.mark.parametrize(
    "name",
    [
        "b4.ok-added-field-and-query.http",
        "b4.ok-removed-date-collapsed-accept.http",
        "b4.ok-reordered-fields.http",
    ],
)
def test_b4_transformations_that_keep_the_signature(name: str) -> None:
    verified = verify(request(name), keys=resolver(), now=NOW, label="transform")
    assert verified.base == text("b4.base.txt").encode("ascii")


@pytest.mark.parametrize(
    "name", ["b4.broken-method-and-authority.http", "b4.broken-accept-order.http"]
)
def test_b4_transformations_that_break_the_signature(name: str) -> None:
    with pytest.raises(MikeySignatureError) as caught:
        verify(request(name), keys=resolver(), now=NOW, label="transform")
    assert caught.value.reason == SignatureFailure.BAD_SIGNATURE


def test_5_1_accept_signature_example() -> None:
    value = (
        'sig1=("@method" "@target-uri" "@authority" "content-digest" "cache-control")'
        ';keyid="test-key-rsa-pss";created;tag="app-123"'
    )
    (wanted,) = parse_accept_signature(value)
    assert wanted.label == "sig1"
    assert wanted.keyid == "test-key-rsa-pss"
    assert wanted.created
    assert not wanted.expires
    assert wanted.tag == "app-123"
    assert [c.name for c in wanted.components] == [
        "@method",
        "@target-uri",
        "@authority",
        "content-digest",
        "cache-control",
    ]


def test_messages_parse_as_the_rfc_describes_them() -> None:
    message = parse_http(text("test-request.http"))
    assert isinstance(message, HttpRequest)
    assert message.target_uri == "https://example.com/foo?param=Value&Pet=dog"
    assert message.body == b'{"hello": "world"}'
