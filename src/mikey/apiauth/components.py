"""Message components and the signature base (RFC 9421 §2).

A component identifier (``ComponentId``) is a component name with parameters (§2): an
HTTP field name (§2.1) with ``sf`` (§2.1.1), ``key`` (§2.1.2), ``bs`` (§2.1.3), ``tr``
(§2.1.4) and ``req`` (§2.4), or a derived component (§2.2): ``@method``, ``@target-uri``,
``@authority``, ``@scheme``, ``@request-target``, ``@path``, ``@query``, ``@query-param``
(with ``name``) and ``@status``, each of which also takes ``req``. Identifiers are
checked when they are made, so a malformed one never reaches the signature base.

``SignatureParameters`` is the covered components with the signature parameters of §2.3
(``created``, ``expires``, ``nonce``, ``alg``, ``keyid``, ``tag``, and any other in the
order given): the ``@signature-params`` value and the Signature-Input member (§4.1).
``signature_base`` builds the §2.5 signature base byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import NoReturn
from urllib.parse import unquote_to_bytes

from mikey.apiauth.failure import SignatureFailure, fail
from mikey.apiauth.message import HttpRequest, HttpResponse
from mikey.apiauth.structured import (
    BareItem,
    InnerList,
    Item,
    Member,
    Parameters,
    parse_dictionary,
    parse_item,
    parse_list,
    serialize_dictionary,
    serialize_inner_list,
    serialize_item,
    serialize_list,
    serialize_member,
)
from mikey.errors import MikeyStructuredFieldError, MikeyValueError

__all__ = [
    "DERIVED_COMPONENTS",
    "KNOWN_FIELD_TYPES",
    "ComponentId",
    "FieldType",
    "HttpMessage",
    "SignatureParameters",
    "component_ids",
    "component_value",
    "signature_base",
]

HttpMessage = HttpRequest | HttpResponse

DERIVED_COMPONENTS = frozenset(
    {
        "@method",
        "@target-uri",
        "@authority",
        "@scheme",
        "@request-target",
        "@path",
        "@query",
        "@query-param",
        "@status",
    }
)
"""The derived component names of RFC 9421 §2.2 (the initial registry, §6.4.2)."""

_FIELD_PARAMETERS = frozenset({"sf", "key", "bs", "req", "tr"})  # §2.1
_FLAGS = frozenset({"sf", "bs", "req", "tr"})
# A component name that is a field: a lowercased field-name token (§2.1, RFC 9110 §5.1).
_FIELD_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9a-z]+")
# obs-fold = OWS CRLF RWS (RFC 9112 §5.2); RFC 9421 §2.1 replaces it with one space.
_OBS_FOLD = re.compile(r"[ \t]*\r?\n[ \t]+")
# application/x-www-form-urlencoded percent-encode set (WHATWG URL §5.2): all but these.
_FORM_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")


class FieldType(Enum):
    """The top-level type of a Structured Field (RFC 8941 §3), needed for ``sf`` and
    ``key`` (RFC 9421 §2.1.1, §2.1.2)."""

    ITEM = "item"
    LIST = "list"
    DICTIONARY = "dictionary"


KNOWN_FIELD_TYPES: Mapping[str, FieldType] = {
    "accept-signature": FieldType.DICTIONARY,  # RFC 9421 §5.1
    "signature": FieldType.DICTIONARY,  # RFC 9421 §4.2
    "signature-input": FieldType.DICTIONARY,  # RFC 9421 §4.1
    "content-digest": FieldType.DICTIONARY,  # RFC 9530 §2
    "repr-digest": FieldType.DICTIONARY,  # RFC 9530 §3
    "want-content-digest": FieldType.DICTIONARY,  # RFC 9530 §4
    "want-repr-digest": FieldType.DICTIONARY,  # RFC 9530 §4
    "priority": FieldType.DICTIONARY,  # RFC 9218 §5
    "cache-status": FieldType.LIST,  # RFC 9211 §2
    "proxy-status": FieldType.LIST,  # RFC 9209 §2
    "client-cert": FieldType.ITEM,  # RFC 9440 §2.2
    "client-cert-chain": FieldType.LIST,  # RFC 9440 §2.3
}
"""Structured Fields whose type this implementation knows (RFC 9421 §2.1.1: ``sf`` on a
field of unknown type is an error). Callers add their own through ``field_types``."""


def _malformed(component: str, what: str) -> NoReturn:
    raise MikeyStructuredFieldError(f"component {component}: {what}", field="Signature-Input")


@dataclass(frozen=True, slots=True, eq=False)
class ComponentId:
    """A component identifier (RFC 9421 §2): a name and its ordered parameters.

    Two identifiers are equal when their names and parameters are, whatever the order of
    the parameters (§2); the order is kept for serialization.

    :raises MikeyStructuredFieldError: an unknown derived component, ``@signature-params``
        (§2.3), a field name that is not lowercase (§2.1), an unknown parameter or one with
        the wrong type (§2.5 step 2.5), ``bs`` with ``sf`` or ``key`` (§2.1), or
        ``@query-param`` without ``name`` (§2.2.8).
    """

    name: str
    params: Parameters = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", dict(self.params))
        shown = self._shown()
        if self.name.startswith("@"):
            if self.name == "@signature-params":
                _malformed(shown, "@signature-params may not be covered (RFC 9421 §2.3)")
            if self.name not in DERIVED_COMPONENTS:
                _malformed(shown, "unknown derived component (RFC 9421 §2.2)")
            allowed = {"req", "name"} if self.name == "@query-param" else {"req"}
        else:
            if not _FIELD_NAME.fullmatch(self.name):
                _malformed(shown, "not a lowercase field name (RFC 9421 §2.1)")
            allowed = set(_FIELD_PARAMETERS)
        for key, value in self.params.items():
            if key not in allowed:
                _malformed(shown, f"parameter {key!r} is not defined for it (RFC 9421 §2.5)")
            if key in _FLAGS and value is not True:
                _malformed(shown, f"parameter {key!r} is a flag and takes no value")
            if key in ("key", "name") and not isinstance(value, str):
                _malformed(shown, f"parameter {key!r} must be a String")
        if self.name == "@query-param" and "name" not in self.params:
            _malformed(shown, "@query-param needs a name parameter (RFC 9421 §2.2.8)")
        if "bs" in self.params and ("sf" in self.params or "key" in self.params):
            _malformed(shown, "bs cannot be combined with sf or key (RFC 9421 §2.1)")
        try:
            self.serialize()
        except MikeyValueError as error:
            _malformed(shown, str(error))

    @classmethod
    def parse(cls, text: str) -> ComponentId:
        """``@method`` or ``content-type`` (a bare name), or an identifier in its serialized
        form, such as ``"@query-param";name="Pet"`` or ``"content-digest";req``.

        :raises MikeyStructuredFieldError: not a valid identifier.
        """
        if not text.startswith('"'):
            return cls(text)
        return cls.from_item(parse_item(text, field="component identifier"))

    @classmethod
    def from_item(cls, item: Item) -> ComponentId:
        """The identifier an Inner List item of Signature-Input holds (§2.3, §4.1)."""
        if not isinstance(item.value, str):
            _malformed(serialize_item(item), "a component name must be a String (RFC 9421 §2)")
        return cls(item.value, item.params)

    def serialize(self) -> str:
        """The component-identifier of §2.5: the quoted name and its parameters."""
        return serialize_item(Item(self.name, self.params))

    def _shown(self) -> str:
        """For error messages, before the name is known to be printable."""
        return '"' + self.name.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'

    @property
    def req(self) -> bool:
        """Whether the value comes from the request of a response (§2.4)."""
        return "req" in self.params

    def _identity(self) -> tuple[str, frozenset[tuple[str, type, BareItem]]]:
        # type(value) keeps True apart from 1 and a Token apart from a String
        return self.name, frozenset((k, type(v), v) for k, v in self.params.items())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ComponentId) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return f"ComponentId({self.serialize()})"


def component_ids(components: Iterable[str | ComponentId]) -> tuple[ComponentId, ...]:
    """``ComponentId``s from themselves or their text (``ComponentId.parse``), such as
    ``component_ids(["@method", '"@query-param";name="Pet"'])``.

    :raises MikeyStructuredFieldError: a text is not a valid identifier.
    """
    return tuple(c if isinstance(c, ComponentId) else ComponentId.parse(c) for c in components)


def _string_param(params: Parameters, key: str, label: str | None) -> str | None:
    value = params.get(key)
    if value is not None and not isinstance(value, str):
        raise MikeyStructuredFieldError(
            f"signature parameter {key!r} must be a String (RFC 9421 §2.3)",
            field="Signature-Input",
            label=label,
        )
    return value


def _integer_param(params: Parameters, key: str, label: str | None) -> int | None:
    value = params.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise MikeyStructuredFieldError(
            f"signature parameter {key!r} must be an Integer (RFC 9421 §2.3)",
            field="Signature-Input",
            label=label,
        )
    return value


def _check_unique(components: Iterable[ComponentId]) -> None:
    """§2.5 step 2.1: a component may not be covered twice."""
    seen: set[ComponentId] = set()
    for component in components:
        if component in seen:
            _malformed(component.serialize(), "covered twice (RFC 9421 §2.5)")
        seen.add(component)


def components_from_inner_list(inner: InnerList) -> tuple[ComponentId, ...]:
    """The covered components of an Inner List (§2.3, §4.1, §5.1)."""
    components = tuple(ComponentId.from_item(item) for item in inner.items)
    _check_unique(components)
    return components


@dataclass(frozen=True, slots=True)
class SignatureParameters:
    """The covered components and signature parameters of one signature (RFC 9421 §2.3).

    ``params`` keeps its order: the serialization is what the signature covers, so a
    verifier must reproduce it exactly (§3.2 step 7). Parameters other than the six of §2.3
    are kept as they are.

    :raises MikeyStructuredFieldError: a component covered twice (§2.5 step 2.1), or a
        parameter of the wrong type (``created`` and ``expires`` are Integers; ``nonce``,
        ``alg``, ``keyid`` and ``tag`` Strings).
    """

    components: tuple[ComponentId, ...]
    params: Parameters = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", dict(self.params))
        object.__setattr__(self, "components", tuple(self.components))
        _check_unique(self.components)
        for key in ("created", "expires"):
            _integer_param(self.params, key, None)
        for key in ("nonce", "alg", "keyid", "tag"):
            _string_param(self.params, key, None)

    @classmethod
    def from_member(cls, member: Member, *, label: str) -> SignatureParameters:
        """The parameters of the Signature-Input member labelled ``label`` (§4.1)."""
        if not isinstance(member, InnerList):
            raise MikeyStructuredFieldError(
                f"member {label!r} is not an Inner List (RFC 9421 §4.1)",
                field="Signature-Input",
                label=label,
            )
        try:
            return cls(components_from_inner_list(member), member.params)
        except MikeyStructuredFieldError as error:
            error.label = label
            raise

    @property
    def created(self) -> int | None:
        """Creation time, a UNIX timestamp."""
        return _integer_param(self.params, "created", None)

    @property
    def expires(self) -> int | None:
        """Expiration time, a UNIX timestamp."""
        return _integer_param(self.params, "expires", None)

    @property
    def nonce(self) -> str | None:
        return _string_param(self.params, "nonce", None)

    @property
    def alg(self) -> str | None:
        """The algorithm named in the signature (§2.3), not necessarily one known here."""
        return _string_param(self.params, "alg", None)

    @property
    def keyid(self) -> str | None:
        return _string_param(self.params, "keyid", None)

    @property
    def tag(self) -> str | None:
        return _string_param(self.params, "tag", None)

    def inner_list(self) -> InnerList:
        return InnerList(tuple(Item(c.name, c.params) for c in self.components), self.params)

    def serialize(self) -> str:
        """The ``@signature-params`` value and Signature-Input member value (§2.3, §4.1).

        :raises MikeyValueError: a parameter value has no Structured Field form (such as a
            ``keyid`` with characters outside printable ASCII).
        """
        return serialize_inner_list(self.inner_list())


def _fail_component(component: ComponentId, what: str) -> NoReturn:
    fail(SignatureFailure.COMPONENT_MISSING, f"component {component.serialize()}: {what}")


def _form_decode(text: str) -> str:
    """application/x-www-form-urlencoded parsing of one name or value (WHATWG URL §5.1)."""
    return unquote_to_bytes(text.replace("+", " ")).decode("utf-8", "replace")


def _form_encode(text: str) -> str:
    """Percent-encode after encoding with the form-urlencoded set (WHATWG URL §5.2).

    A space becomes %20, not "+": RFC 9421 §2.2.8's example encodes "with+plus+whitespace"
    as "with%20plus%20whitespace".
    """
    return "".join(chr(b) if b in _FORM_SAFE else f"%{b:02X}" for b in text.encode("utf-8"))


def _query_param(query: str | None, component: ComponentId) -> str:
    """RFC 9421 §2.2.8: the named parameter, decoded and re-encoded."""
    name = component.params["name"]
    values = [
        value
        for part in (query or "").split("&")
        if part
        for key, _, value in [part.partition("=")]
        if _form_encode(_form_decode(key)) == name
    ]
    if not values:
        _fail_component(component, "no such query parameter")
    if len(values) > 1:
        _fail_component(component, "the query parameter is repeated (RFC 9421 §2.2.8)")
    return _form_encode(_form_decode(values[0]))


def _derived_value(message: HttpMessage, component: ComponentId) -> str:
    """RFC 9421 §2.2."""
    if component.name == "@status":
        if not isinstance(message, HttpResponse):
            _fail_component(component, "a request has no status (RFC 9421 §2.2.9)")
        return str(message.status)
    if not isinstance(message, HttpRequest):
        _fail_component(component, "derived from requests only; use req (RFC 9421 §2.4)")
    uri = message.uri
    match component.name:
        case "@method":
            return message.method
        case "@target-uri":
            return message.target_uri
        case "@authority":
            return uri.authority
        case "@scheme":
            return uri.scheme
        case "@request-target":
            if message.request_target is not None:
                return message.request_target
            return uri.path if uri.query is None else f"{uri.path}?{uri.query}"
        case "@path":
            return uri.path
        case "@query":
            return "?" + (uri.query or "")
        case _:  # "@query-param", the only other name ComponentId lets through
            return _query_param(uri.query, component)


def _clean_field_value(name: str, value: str) -> str:
    """RFC 9421 §2.1 steps 2-3: trim, and replace obsolete line folding by one space."""
    value = _OBS_FOLD.sub(" ", value.strip(" \t"))
    for char in value:
        if (char < " " and char != "\t") or char == "\x7f":
            raise MikeyStructuredFieldError(
                "control character in the value (RFC 9421 §2)", field=name
            )
    return value


def _structured(text: str, name: str, kind: FieldType) -> str:
    """Strict re-serialization (RFC 9421 §2.1.1)."""
    match kind:
        case FieldType.DICTIONARY:
            return serialize_dictionary(parse_dictionary(text, field=name))
        case FieldType.LIST:
            return serialize_list(parse_list(text, field=name))
        case FieldType.ITEM:
            return serialize_item(parse_item(text, field=name))


def _field_value(
    message: HttpMessage, component: ComponentId, field_types: Mapping[str, FieldType]
) -> str:
    """RFC 9421 §2.1 and its parameters."""
    name, params = component.name, component.params
    where = "trailer" if "tr" in params else "header"
    raw = (message.trailers if "tr" in params else message.headers).get_all(name)
    if not raw:
        _fail_component(component, f"no {name} {where} field in the message")
    values = [_clean_field_value(name, value) for value in raw]
    if "bs" in params:  # §2.1.3
        try:
            return serialize_list(Item(value.encode("latin-1")) for value in values)
        except UnicodeEncodeError:
            raise MikeyStructuredFieldError(
                "a character beyond one octet (field values are octets)", field=name
            ) from None
    combined = ", ".join(values)
    if "key" in params or "sf" in params:
        kind = field_types.get(name)
        if kind is None:
            fail(
                SignatureFailure.UNSUPPORTED,
                f"component {component.serialize()}: the Structured Field type of {name} is not"
                " known here (RFC 9421 §2.1.1); name it in field_types",
            )
        key = params.get("key")
        if isinstance(key, str):  # §2.1.2
            if kind is not FieldType.DICTIONARY:
                _fail_component(component, f"{name} is not a Dictionary (RFC 9421 §2.1.2)")
            member = parse_dictionary(combined, field=name).get(key)
            if member is None:
                _fail_component(component, f"no key {key!r} in {name} (RFC 9421 §2.1.2)")
            return serialize_member(member)
        return _structured(combined, name, kind)
    if not combined.isascii():
        raise MikeyStructuredFieldError(
            "not ASCII; sign it with the bs parameter (RFC 9421 §2.1, §2.1.3)", field=name
        )
    return combined


def component_value(
    message: HttpMessage,
    component: ComponentId,
    *,
    field_types: Mapping[str, FieldType] = KNOWN_FIELD_TYPES,
) -> str:
    """The canonical value of one covered component (RFC 9421 §2.5 step 2.5).

    :raises MikeySignatureError: with reason "component missing" when the message does not
        have it (an absent field, Dictionary key or query parameter, ``req`` on a request or
        on a response whose request is unknown, ``@status`` of a request), "unsupported"
        for ``sf``/``key`` on a field of unknown type, or a ``MikeyStructuredFieldError``
        when a field value is malformed.
    """
    context: HttpMessage = message
    if component.req:  # §2.4
        if isinstance(message, HttpRequest):
            _fail_component(component, "req applies only to responses (RFC 9421 §2.4)")
        if message.request is None:
            _fail_component(component, "the request this response answers is not known")
        context = message.request
    if component.name.startswith("@"):  # never looked up as a field (§7.5.1)
        return _derived_value(context, component)
    return _field_value(context, component, field_types)


def _field_types(extra: Mapping[str, FieldType] | None) -> Mapping[str, FieldType]:
    return KNOWN_FIELD_TYPES if not extra else {**KNOWN_FIELD_TYPES, **extra}


def signature_base(
    message: HttpMessage,
    parameters: SignatureParameters,
    *,
    field_types: Mapping[str, FieldType] | None = None,
) -> bytes:
    """The signature base (RFC 9421 §2.5), without a final newline.

    ``field_types`` adds Structured Field types to ``KNOWN_FIELD_TYPES`` for ``sf`` and
    ``key``.

    :raises MikeySignatureError: a component cannot be derived (see ``component_value``).
    """
    types = _field_types(field_types)
    lines: Iterable[str] = [
        f"{c.serialize()}: {component_value(message, c, field_types=types)}"
        for c in parameters.components
    ]
    text = "\n".join([*lines, f'"@signature-params": {parameters.serialize()}'])
    return text.encode("ascii")  # every part was checked to be ASCII (§2.5 step 4)
