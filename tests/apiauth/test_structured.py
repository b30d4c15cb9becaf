"""Structured Field Values (RFC 8941) as far as RFC 9421 and RFC 9530 use them: the
RFC's own examples, the limits of §3 and the failures of §4.2, and property tests
(serialize then parse gives the value back; any text parses or fails with our error)."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mikey.apiauth.structured import (
    BareItem,
    InnerList,
    Item,
    Member,
    Token,
    parse_dictionary,
    parse_item,
    parse_list,
    serialize_bare_item,
    serialize_dictionary,
    serialize_item,
    serialize_list,
)
from mikey.errors import MikeyStructuredFieldError, MikeyValueError


def test_dictionary_examples_of_rfc_8941() -> None:
    """RFC 8941 §3.2."""
    assert parse_dictionary('en="Applepie", da=:w4ZibGV0w6ZydGUK:', field="X") == {
        "en": Item("Applepie"),
        "da": Item(b"\xc3\x86blet\xc3\xa6rte\n"),
    }
    parsed = parse_dictionary("a=?0, b, c; foo=bar", field="X")
    assert parsed == {"a": Item(False), "b": Item(True), "c": Item(True, {"foo": Token("bar")})}
    assert serialize_dictionary(parsed) == "a=?0, b, c;foo=bar"
    assert serialize_dictionary(
        parse_dictionary("rating=1.5, feelings=(joy sadness)", field="X")
    ) == ("rating=1.5, feelings=(joy sadness)")


def test_list_examples_of_rfc_8941() -> None:
    """RFC 8941 §3.1, §3.1.1, §3.1.2."""
    assert parse_list("sugar, tea, rum", field="X") == [
        Item(Token("sugar")),
        Item(Token("tea")),
        Item(Token("rum")),
    ]
    inner = parse_list('("foo" "bar"), ("baz"), ("bat" "one"), ()', field="X")
    assert inner[3] == InnerList(())
    assert serialize_list(inner) == '("foo" "bar"), ("baz"), ("bat" "one"), ()'
    params = parse_list('("foo"; a=1;b=2);lvl=5, ("bar" "baz");lvl=1', field="X")
    assert serialize_list(params) == '("foo";a=1;b=2);lvl=5, ("bar" "baz");lvl=1'
    assert parse_list("", field="X") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("-42", -42),
        ("999999999999999", 999_999_999_999_999),
        ("4.5", Decimal("4.5")),
        ("-0.123", Decimal("-0.123")),
        ("999999999999.999", Decimal("999999999999.999")),
        ('"hello world"', "hello world"),
        ('"a \\"quoted\\" \\\\ string"', 'a "quoted" \\ string'),
        ('""', ""),
        ("foo123/456", Token("foo123/456")),
        ("*", Token("*")),
        (":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:", b"pretend this is binary content."),
        (":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg:", b"pretend this is binary content."),
        ("::", b""),
        ("?1", True),
        ("?0", False),
    ],
)
def test_bare_items(text: str, value: BareItem) -> None:
    item = parse_item(f"  {text}  ", field="X")
    assert item == Item(value)
    assert type(item.value) is type(value)


@pytest.mark.parametrize(
    "text",
    [
        "1000000000000000",  # 16 digits
        "1234567890123.4",  # 13 integer digits in a decimal
        "1.2345",
        "1.",
        "-",
        "-a",
        '"unterminated',
        '"bad \\escape"',
        '"tab\there"',
        "?2",
        "?",
        ":not base64!:",
        ":abc",
        ":a:",  # one base64 character cannot be
        ":ab=c:",
        "@1659578233",  # RFC 9651 Date: not taken
        '%"display"',  # RFC 9651 Display String: not taken
        "a b",
        "café",
        "",
    ],
)
def test_malformed_items(text: str) -> None:
    with pytest.raises(MikeyStructuredFieldError):
        parse_item(text, field="X")


@pytest.mark.parametrize(
    "text",
    [
        "a=1,",  # trailing comma
        "a=1,,b=2",
        "A=1",  # keys are lowercase
        "a=(1 2",
        "a=(1 2)x",
        "a=1;",
        "a=1;B=2",
        "a=1 b=2",
        "a=(1,2)",
        "1=a",
    ],
)
def test_malformed_dictionaries(text: str) -> None:
    with pytest.raises(MikeyStructuredFieldError) as caught:
        parse_dictionary(text, field="Signature-Input")
    assert caught.value.field == "Signature-Input"
    assert caught.value.offset is not None
    assert caught.value.reason == "malformed"
    assert caught.value.http_status == 400


def test_duplicate_keys_overwrite_unless_unique_keys_are_asked() -> None:
    assert parse_dictionary("a=1, b=2, a=3", field="X") == {"a": Item(3), "b": Item(2)}
    with pytest.raises(MikeyStructuredFieldError, match="appears twice"):
        parse_dictionary("a=1, b=2, a=3", field="X", unique_keys=True)


def test_parameters_overwrite_in_place() -> None:
    item = parse_item("1;a=1;b=2;a=3", field="X")
    assert list(item.params.items()) == [("a", 3), ("b", 2)]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1.0005"), "1.0"),  # half-even rounding to three digits
        (Decimal("1.0015"), "1.002"),
        (Decimal("-3.14159"), "-3.142"),
        (Decimal(10), "10.0"),
        (True, "?1"),
        (Token("a/b"), "a/b"),
        (b"\x00\xff", ":AP8=:"),
        ('say "hi"', '"say \\"hi\\""'),
    ],
)
def test_serialize_bare_items(value: BareItem, text: str) -> None:
    assert serialize_bare_item(value) == text


@pytest.mark.parametrize(
    "value",
    [
        10**15,
        Decimal("1e12"),
        Decimal("NaN"),
        "line\nbreak",
        "caf\xe9",
        Token("1abc"),
        Token(""),
    ],
)
def test_values_with_no_serialization_are_refused(value: BareItem) -> None:
    with pytest.raises(MikeyValueError):
        serialize_bare_item(value)


def test_keys_with_no_serialization_are_refused() -> None:
    with pytest.raises(MikeyValueError):
        serialize_dictionary({"Upper": Item(1)})
    with pytest.raises(MikeyValueError):
        serialize_item(Item(1, {"": 1}))


# Property tests --------------------------------------------------------------------

keys = st.from_regex(r"[a-z*][a-z0-9_\-.*]{0,6}", fullmatch=True)
bare_items: st.SearchStrategy[BareItem] = st.one_of(
    st.booleans(),
    st.integers(-999_999_999_999_999, 999_999_999_999_999),
    st.decimals(
        min_value=Decimal("-999999999999.999"),
        max_value=Decimal("999999999999.999"),
        places=3,
        allow_nan=False,
        allow_infinity=False,
    ),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12),
    st.from_regex(r"[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]{0,8}", fullmatch=True).map(Token),
    st.binary(max_size=24),
)
parameters = st.dictionaries(keys, bare_items, max_size=3)
items = st.builds(Item, bare_items, parameters)
members: st.SearchStrategy[Member] = st.one_of(
    items, st.builds(InnerList, st.lists(items, max_size=3).map(tuple), parameters)
)


@given(st.dictionaries(keys, members, max_size=4))
def test_dictionaries_round_trip(value: dict[str, Member]) -> None:
    text = serialize_dictionary(value)
    parsed = parse_dictionary(text, field="X")
    assert parsed == value
    assert serialize_dictionary(parsed) == text


@given(st.lists(members, max_size=4))
def test_lists_round_trip(value: list[Member]) -> None:
    text = serialize_list(value)
    assert parse_list(text, field="X") == value
    assert serialize_list(parse_list(text, field="X")) == text


structured_alphabet = st.sampled_from(list('abcz*-_.:/;=,()"\\?01239 \tAZ+@%é\x00'))
field_texts = st.one_of(st.text(), st.text(structured_alphabet, max_size=40))


@given(field_texts)
def test_any_text_parses_or_fails_with_our_error(text: str) -> None:
    """Nothing but MikeyStructuredFieldError escapes, and what parses re-parses to itself
    once serialized (the strict serialization of RFC 9421 §2.1.1 is stable)."""
    with contextlib.suppress(MikeyStructuredFieldError):
        again = serialize_dictionary(parse_dictionary(text, field="X"))
        assert serialize_dictionary(parse_dictionary(again, field="X")) == again
    with contextlib.suppress(MikeyStructuredFieldError):
        again = serialize_list(parse_list(text, field="X"))
        assert serialize_list(parse_list(again, field="X")) == again
    with contextlib.suppress(MikeyStructuredFieldError):
        again = serialize_item(parse_item(text, field="X"))
        assert serialize_item(parse_item(again, field="X")) == again
