"""Component identifiers and values (RFC 9421 §2): the non-normative examples of §2.1
(fields, ``sf``, ``key``, ``bs``, ``tr``), §2.2 (derived components), §2.3 (signature
parameters) and §2.4 (``req``), and the errors §2.5 requires."""

from __future__ import annotations

import pytest

from mikey.apiauth import (
    ComponentId,
    Fields,
    FieldType,
    HttpRequest,
    HttpResponse,
    SignatureFailure,
    SignatureParameters,
    component_value,
    signature_base,
)
from mikey.apiauth.structured import InnerList, Item, Token
from mikey.errors import MikeySignatureError, MikeyStructuredFieldError, MikeyValueError

EXAMPLE_DICT = {"example-dict": FieldType.DICTIONARY}

# §2.1's example message fragment, with the whitespace and the obs-fold as sent
FRAGMENT = HttpRequest(
    method="GET",
    target_uri="https://www.example.com/",
    headers=Fields(
        [
            ("Host", "www.example.com"),
            ("Date", "Tue, 20 Apr 2021 02:07:56 GMT"),
            ("X-OWS-Header", "   Leading and trailing whitespace.   "),
            ("X-Obs-Fold-Header", "Obsolete\r\n    line folding."),
            ("Cache-Control", "max-age=60"),
            ("Cache-Control", "   must-revalidate"),
            ("Example-Dict", " a=1,    b=2;x=1;y=2,   c=(a   b   c)"),
            ("X-Empty-Header", ""),
        ]
    ),
)


def value(message: HttpRequest | HttpResponse, identifier: str, **types: FieldType) -> str:
    field_types = {**EXAMPLE_DICT, **{k.replace("_", "-"): v for k, v in types.items()}}
    return component_value(message, ComponentId.parse(identifier), field_types=field_types)


def refused(
    message: HttpRequest | HttpResponse, identifier: str, reason: SignatureFailure
) -> MikeySignatureError:
    with pytest.raises(MikeySignatureError) as caught:
        value(message, identifier)
    assert caught.value.reason == reason
    return caught.value


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("host", "www.example.com"),
        ("date", "Tue, 20 Apr 2021 02:07:56 GMT"),
        ("x-ows-header", "Leading and trailing whitespace."),
        ("x-obs-fold-header", "Obsolete line folding."),
        ("cache-control", "max-age=60, must-revalidate"),
        ("example-dict", "a=1,    b=2;x=1;y=2,   c=(a   b   c)"),
        ("x-empty-header", ""),
        ('"example-dict";sf', "a=1, b=2;x=1;y=2, c=(a b c)"),  # §2.1.1
    ],
)
def test_2_1_field_values(identifier: str, expected: str) -> None:
    assert value(FRAGMENT, identifier) == expected


def test_2_1_empty_field_line_in_the_base() -> None:
    parameters = SignatureParameters((ComponentId("x-empty-header"),))
    assert signature_base(FRAGMENT, parameters).split(b"\n")[0] == b'"x-empty-header": '


def test_field_names_are_case_insensitive_in_the_message() -> None:
    assert value(FRAGMENT, "HOST".lower()) == "www.example.com"
    with pytest.raises(MikeyStructuredFieldError):
        ComponentId("Host")  # component names are lowercase (§2.1)


@pytest.mark.parametrize(
    ("key", "expected"),
    [("a", "1"), ("d", "?1"), ("b", "2;x=1;y=2"), ("c", "(a b c)")],
)
def test_2_1_2_dictionary_members(key: str, expected: str) -> None:
    message = HttpRequest(
        method="GET",
        target_uri="https://www.example.com/",
        headers=Fields([("Example-Dict", " a=1, b=2;x=1;y=2, c=(a   b    c), d")]),
    )
    assert value(message, f'"example-dict";key="{key}"') == expected
    base_line = signature_base(
        message,
        SignatureParameters((ComponentId.parse(f'"example-dict";key="{key}"'),)),
        field_types=EXAMPLE_DICT,
    ).split(b"\n")[0]
    assert base_line == f'"example-dict";key="{key}": {expected}'.encode()


def test_2_1_2_missing_dictionary_key_is_an_error() -> None:
    error = refused(FRAGMENT, '"example-dict";key="z"', SignatureFailure.COMPONENT_MISSING)
    assert "'z'" in str(error)


def test_sf_and_key_need_a_known_type() -> None:
    message = HttpRequest(
        method="GET", target_uri="https://a.example/", headers=Fields([("X-Thing", "a=1")])
    )
    refused(message, '"x-thing";sf', SignatureFailure.UNSUPPORTED)
    refused(message, '"x-thing";key="a"', SignatureFailure.UNSUPPORTED)
    assert value(message, '"x-thing";key="a"', x_thing=FieldType.DICTIONARY) == "1"
    assert value(message, '"x-thing";sf', x_thing=FieldType.DICTIONARY) == "a=1"
    listed = HttpRequest(
        method="GET", target_uri="https://a.example/", headers=Fields([("X-Thing", "a,   b;q=1")])
    )
    assert value(listed, '"x-thing";sf', x_thing=FieldType.LIST) == "a, b;q=1"
    with pytest.raises(MikeySignatureError) as caught:
        value(message, '"x-thing";key="a"', x_thing=FieldType.LIST)
    assert caught.value.reason == SignatureFailure.COMPONENT_MISSING


def test_sf_on_a_malformed_field_is_malformed() -> None:
    message = HttpRequest(
        method="GET",
        target_uri="https://a.example/",
        headers=Fields([("Example-Dict", "a=(1 2")]),
    )
    with pytest.raises(MikeyStructuredFieldError) as caught:
        value(message, '"example-dict";sf')
    assert caught.value.field == "example-dict"


def test_2_1_3_binary_wrapped_fields() -> None:
    two_lines = HttpRequest(
        method="GET",
        target_uri="https://a.example/",
        headers=Fields([("Example-Header", "value, with, lots"), ("Example-Header", "of, commas")]),
    )
    one_line = HttpRequest(
        method="GET",
        target_uri="https://a.example/",
        headers=Fields([("Example-Header", "value, with, lots, of, commas")]),
    )
    assert value(two_lines, "example-header") == value(one_line, "example-header")
    assert value(two_lines, '"example-header";bs') == (
        ":dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:"
    )
    assert value(one_line, '"example-header";bs') == (":dmFsdWUsIHdpdGgsIGxvdHMsIG9mLCBjb21tYXM=:")


def test_bs_carries_octets_that_plain_values_refuse() -> None:
    message = HttpRequest(
        method="GET", target_uri="https://a.example/", headers=Fields([("X-Name", "caf\xe9")])
    )
    with pytest.raises(MikeyStructuredFieldError):
        value(message, "x-name")
    assert value(message, '"x-name";bs') == ":Y2Fm6Q==:"


def test_2_1_4_trailer_fields() -> None:
    message = HttpResponse(
        status=200,
        headers=Fields([("Content-Type", "text/plain"), ("Trailer", "Expires")]),
        trailers=Fields([("Expires", "Wed, 9 Nov 2022 07:28:00 GMT")]),
    )
    parameters = SignatureParameters(
        tuple(map(ComponentId.parse, ["@status", "trailer", '"expires";tr']))
    )
    lines = signature_base(message, parameters).split(b"\n")
    assert lines[:3] == [
        b'"@status": 200',
        b'"trailer": Expires',
        b'"expires";tr: Wed, 9 Nov 2022 07:28:00 GMT',
    ]
    refused(message, "expires", SignatureFailure.COMPONENT_MISSING)  # not a header


def test_control_characters_in_a_field_are_refused() -> None:
    message = HttpRequest(
        method="GET", target_uri="https://a.example/", headers=Fields([("X-A", "a\nb")])
    )
    with pytest.raises(MikeyStructuredFieldError):
        value(message, "x-a")


POST = HttpRequest(method="POST", target_uri="https://www.example.com/path?param=value")


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("@method", "POST"),  # §2.2.1
        ("@target-uri", "https://www.example.com/path?param=value"),  # §2.2.2
        ("@authority", "www.example.com"),  # §2.2.3
        ("@scheme", "https"),  # §2.2.4
        ("@request-target", "/path?param=value"),  # §2.2.5
        ("@path", "/path"),  # §2.2.6
        ("@query", "?param=value"),  # §2.2.7
    ],
)
def test_2_2_derived_components(identifier: str, expected: str) -> None:
    assert value(POST, identifier) == expected


def test_2_2_4_scheme_over_plain_http() -> None:
    message = HttpRequest(method="POST", target_uri="HTTP://www.example.com/path?param=value")
    assert value(message, "@scheme") == "http"


@pytest.mark.parametrize(
    ("target_uri", "authority"),
    [
        ("https://WWW.Example.com:443/", "www.example.com"),
        ("http://www.example.com:80/", "www.example.com"),
        ("https://www.example.com:8443/", "www.example.com:8443"),
        ("http://www.example.com:443/", "www.example.com:443"),
        ("https://[2001:DB8::1]:443/", "[2001:db8::1]"),
        ("https://[2001:db8::1]:8443/", "[2001:db8::1]:8443"),
        ("https://www.example.com:/", "www.example.com"),
    ],
)
def test_2_2_3_authority_is_normalized(target_uri: str, authority: str) -> None:
    assert value(HttpRequest(method="GET", target_uri=target_uri), "@authority") == authority


def test_2_2_5_request_target_forms() -> None:
    proxy = HttpRequest(
        method="GET",
        target_uri="https://www.example.com/path?param=value",
        request_target="https://www.example.com/path?param=value",
    )
    connect = HttpRequest(
        method="CONNECT",
        target_uri="https://www.example.com:80",
        request_target="www.example.com:80",
    )
    options = HttpRequest(
        method="OPTIONS", target_uri="https://www.example.com", request_target="*"
    )
    assert value(proxy, "@request-target") == "https://www.example.com/path?param=value"
    assert value(connect, "@request-target") == "www.example.com:80"
    assert value(options, "@request-target") == "*"


@pytest.mark.parametrize(
    ("target_uri", "path", "query"),
    [
        (
            "https://www.example.com/path?param=value&foo=bar&baz=bat%2Dman",
            "/path",
            "?param=value&foo=bar&baz=bat%2Dman",
        ),
        ("https://www.example.com/path?queryString", "/path", "?queryString"),
        ("https://www.example.com/path", "/path", "?"),
        ("https://www.example.com", "/", "?"),
        ("https://www.example.com/a%20b/?", "/a%20b/", "?"),
    ],
)
def test_2_2_6_path_and_2_2_7_query(target_uri: str, path: str, query: str) -> None:
    message = HttpRequest(method="GET", target_uri=target_uri)
    assert value(message, "@path") == path
    assert value(message, "@query") == query


QUERY = HttpRequest(
    method="GET", target_uri="https://www.example.com/path?param=value&foo=bar&baz=batman&qux="
)
ENCODED = HttpRequest(
    method="GET",
    target_uri="https://www.example.com/parameters?var=this%20is%20a%20big%0Amultiline%20value"
    "&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something",
)


@pytest.mark.parametrize(
    ("message", "name", "expected"),
    [
        (QUERY, "baz", "batman"),
        (QUERY, "qux", ""),
        (QUERY, "param", "value"),
        (ENCODED, "var", "this%20is%20a%20big%0Amultiline%20value"),
        (ENCODED, "bar", "with%20plus%20whitespace"),
        (ENCODED, "fa%C3%A7ade%22%3A%20", "something"),
    ],
)
def test_2_2_8_query_parameters(message: HttpRequest, name: str, expected: str) -> None:
    identifier = f'"@query-param";name="{name}"'
    assert value(message, identifier) == expected
    line = signature_base(message, SignatureParameters((ComponentId.parse(identifier),)))
    assert line.split(b"\n")[0] == f"{identifier}: {expected}".encode()


def test_2_2_8_absent_or_repeated_query_parameters_are_errors() -> None:
    refused(QUERY, '"@query-param";name="nope"', SignatureFailure.COMPONENT_MISSING)
    repeated = HttpRequest(method="GET", target_uri="https://a.example/?a=1&a=2")
    refused(repeated, '"@query-param";name="a"', SignatureFailure.COMPONENT_MISSING)


def test_2_2_9_status() -> None:
    assert value(HttpResponse(status=200), "@status") == "200"
    refused(POST, "@status", SignatureFailure.COMPONENT_MISSING)  # not in a request


def test_derived_request_components_of_a_response_need_req() -> None:
    reply = HttpResponse(status=503, request=POST)
    refused(reply, "@method", SignatureFailure.COMPONENT_MISSING)
    assert value(reply, '"@method";req') == "POST"
    refused(POST, '"@method";req', SignatureFailure.COMPONENT_MISSING)  # §2.4: not on requests


def test_a_field_named_like_a_derived_component_is_never_used() -> None:
    """§7.5.1: an "@method" field cannot stand in for the derived component."""
    with pytest.raises(MikeyValueError):
        Fields([("@method", "GET")])


def test_2_3_signature_parameters_serialization() -> None:
    parameters = SignatureParameters(
        tuple(map(ComponentId, ["@target-uri", "@authority", "date", "cache-control"])),
        {
            "keyid": "test-key-rsa-pss",
            "alg": "rsa-pss-sha512",
            "created": 1618884475,
            "expires": 1618884775,
        },
    )
    assert parameters.serialize() == (
        '("@target-uri" "@authority" "date" "cache-control")'
        ';keyid="test-key-rsa-pss";alg="rsa-pss-sha512";created=1618884475;expires=1618884775'
    )
    assert (parameters.created, parameters.expires) == (1618884475, 1618884775)
    assert parameters.keyid == "test-key-rsa-pss"
    assert parameters.alg == "rsa-pss-sha512"


@pytest.mark.parametrize(
    "identifier",
    [
        "@signature-params",  # §2.3
        "@unknown",  # §2.5: unknown derived component
        '"@method";name="x"',  # name belongs to @query-param
        "@query-param",  # without its name
        '"content-type";foo',  # unknown parameter
        '"content-type";sf=?0',  # a flag with a value
        '"content-type";key=a',  # key must be a String
        '"content-type";bs;sf',  # incompatible (§2.1)
        '"content-type";bs;key="a"',
        "Content-Type",  # not lowercase
        "x y",
        "",
        '"a";x=(1)',  # not an Item
    ],
)
def test_malformed_component_identifiers(identifier: str) -> None:
    with pytest.raises(MikeyStructuredFieldError):
        ComponentId.parse(identifier)


def test_identifiers_with_no_serialization_are_refused() -> None:
    with pytest.raises(MikeyStructuredFieldError):
        ComponentId("@query-param", {"name": "a\x00"})
    with pytest.raises(MikeyStructuredFieldError):
        ComponentId("example-dict", {"key": "caf\xe9"})


def test_component_name_must_be_a_string() -> None:
    with pytest.raises(MikeyStructuredFieldError):
        ComponentId.parse('"a";key=1')
    with pytest.raises(MikeyStructuredFieldError):
        SignatureParameters.from_member(InnerList((Item(Token("a")),)), label="sig1")


def test_identifier_equality_ignores_parameter_order() -> None:
    a = ComponentId.parse('"example-dict";req;key="a"')
    b = ComponentId.parse('"example-dict";key="a";req')
    assert a == b
    assert hash(a) == hash(b)
    assert a.serialize() != b.serialize()  # the order is kept for serialization
    assert ComponentId.parse('"example-dict";key="a"') != a


def test_a_component_covered_twice_is_refused() -> None:
    """§2.5 step 2.1, including the same identifier with its parameters reordered."""
    with pytest.raises(MikeyStructuredFieldError):
        SignatureParameters((ComponentId("date"), ComponentId("date")))
    with pytest.raises(MikeyStructuredFieldError):
        SignatureParameters(
            (
                ComponentId.parse('"example-dict";req;key="a"'),
                ComponentId.parse('"example-dict";key="a";req'),
            )
        )
    # same name, different parameters: distinct components (§2)
    SignatureParameters((ComponentId("date"), ComponentId.parse('"date";bs')))


@pytest.mark.parametrize(
    "params",
    [
        {"created": "1"},
        {"created": True},
        {"expires": 1.5},
        {"keyid": 1},
        {"nonce": Token("a")},
        {"alg": b"x"},
        {"tag": True},
    ],
)
def test_signature_parameters_of_the_wrong_type(params: dict[str, object]) -> None:
    with pytest.raises(MikeyStructuredFieldError):
        SignatureParameters((), params)  # type: ignore[arg-type]
