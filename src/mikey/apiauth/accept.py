"""Requesting signatures: the Accept-Signature field (RFC 9421 §5.1) and fulfilling it
(§5.2).

A request's Accept-Signature asks the server to sign its response; a response's asks the
client to sign its next request (§5). Each member is one requested signature: its label,
the exact covered components, and the parameters the signer is asked to honour:
``created`` and ``expires`` as flags, ``nonce``, ``alg``, ``keyid`` and ``tag`` as values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from mikey.apiauth.algorithms import Algorithm, SigningKey, check_key_fits
from mikey.apiauth.components import (
    ComponentId,
    FieldType,
    HttpMessage,
    components_from_inner_list,
)
from mikey.apiauth.failure import SignatureFailure, fail
from mikey.apiauth.signatures import CreatedSignature, sign
from mikey.apiauth.structured import (
    BareItem,
    InnerList,
    Item,
    parse_dictionary,
    serialize_dictionary,
    serialize_key,
)
from mikey.errors import MikeyStructuredFieldError, MikeyValueError

__all__ = [
    "SignatureRequest",
    "accept_signature",
    "parse_accept_signature",
    "sign_requested",
]

_FIELD = "Accept-Signature"


@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureRequest:
    """One member of Accept-Signature (RFC 9421 §5.1): a signature the sender wants.

    ``alg`` is kept as the text received; whether it is an algorithm this side has is
    decided when the request is fulfilled (§5.2 step 2.4).
    """

    label: str
    components: tuple[ComponentId, ...]
    created: bool = False
    expires: bool = False
    nonce: str | None = None
    alg: str | None = None
    keyid: str | None = None
    tag: str | None = None

    def __post_init__(self) -> None:
        serialize_key(self.label)
        if not all(isinstance(c, ComponentId) for c in self.components):
            raise MikeyValueError("components are ComponentIds; see component_ids()")

    def member(self) -> InnerList:
        """The Dictionary member value (§5.1); parameters in the RFC example's order."""
        params: dict[str, BareItem] = {}
        for name, value in (("keyid", self.keyid), ("alg", self.alg)):
            if value is not None:
                params[name] = value
        for name, flag in (("created", self.created), ("expires", self.expires)):
            if flag:
                params[name] = True
        for name, value in (("nonce", self.nonce), ("tag", self.tag)):
            if value is not None:
                params[name] = value
        return InnerList(tuple(Item(c.name, c.params) for c in self.components), params)


def accept_signature(requests: Iterable[SignatureRequest]) -> str:
    """The Accept-Signature field value for ``requests`` (RFC 9421 §5.1).

    :raises MikeyValueError: two requests share a label, or a value has no Structured
        Field form.
    """
    members: dict[str, InnerList] = {}
    for request in requests:
        if request.label in members:
            raise MikeyValueError(f"two signature requests are labelled {request.label!r}")
        members[request.label] = request.member()
    return serialize_dictionary(members)


def _flag(params: Mapping[str, BareItem], name: str, label: str) -> bool:
    value = params.get(name, False)
    if value is not True and value is not False:
        raise MikeyStructuredFieldError(
            f"{name} takes no value in a signature request (RFC 9421 §5.1)",
            field=_FIELD,
            label=label,
        )
    return value


def _text(params: Mapping[str, BareItem], name: str, label: str) -> str | None:
    value = params.get(name)
    if value is not None and not isinstance(value, str):
        raise MikeyStructuredFieldError(
            f"{name} must be a String (RFC 9421 §5.1)", field=_FIELD, label=label
        )
    return value


def parse_accept_signature(value: str) -> tuple[SignatureRequest, ...]:
    """The requested signatures of an Accept-Signature field value (RFC 9421 §5.2 steps
    1-2.2). Parameters other than the six of §5.1 are ignored.

    :raises MikeyStructuredFieldError: not a Dictionary of Inner Lists of component
        identifiers with the parameters of §5.1.
    """
    requests = []
    for label, member in parse_dictionary(value, field=_FIELD, unique_keys=True).items():
        if not isinstance(member, InnerList):
            raise MikeyStructuredFieldError(
                f"member {label!r} is not an Inner List (RFC 9421 §5.1)", field=_FIELD, label=label
            )
        try:
            components = components_from_inner_list(member)
        except MikeyStructuredFieldError as error:
            raise MikeyStructuredFieldError(error.what, field=_FIELD, label=label) from None
        params = member.params
        requests.append(
            SignatureRequest(
                label=label,
                components=components,
                created=_flag(params, "created", label),
                expires=_flag(params, "expires", label),
                nonce=_text(params, "nonce", label),
                alg=_text(params, "alg", label),
                keyid=_text(params, "keyid", label),
                tag=_text(params, "tag", label),
            )
        )
    return tuple(requests)


def sign_requested(
    message: HttpMessage,
    request: SignatureRequest,
    *,
    key: SigningKey,
    key_id: str | None,
    now: datetime,
    expires: datetime | None = None,
    field_types: Mapping[str, FieldType] | None = None,
) -> CreatedSignature:
    """Fulfil one requested signature over ``message`` (RFC 9421 §5.2 steps 2.3-2.7): the
    same label and covered components, the requested ``nonce``, ``tag`` and ``alg``, and
    ``created`` (always written, as §2.3 recommends). ``expires`` is required when the
    request asks for an expiry.

    :raises MikeySignatureError: the request cannot be fulfilled: reason "unknown key" for
        another ``keyid``, "algorithm refused" for an ``alg`` this key cannot make,
        "parameter missing" for ``expires``, and as ``sign`` for components the message
        does not have.
    """
    label = request.label
    if request.keyid is not None and request.keyid != key_id:
        fail(SignatureFailure.UNKNOWN_KEY, f"key {request.keyid!r} was asked for", label=label)
    algorithm = None
    if request.alg is not None:
        try:
            algorithm = Algorithm(request.alg)
            check_key_fits(algorithm, key)
        except ValueError as error:  # MikeyValueError is a ValueError too
            fail(SignatureFailure.ALGORITHM, f"{request.alg!r} was asked for: {error}", label=label)
    if request.expires and expires is None:
        fail(SignatureFailure.PARAMETER_MISSING, "an expiry was asked for", label=label)
    return sign(
        message,
        key=key,
        key_id=key_id,
        components=request.components,
        created=now,
        label=label,
        expires=expires,
        nonce=request.nonce,
        tag=request.tag,
        alg=algorithm,
        field_types=field_types,
    )
