"""Creating and verifying HTTP message signatures (RFC 9421 §3.1, §3.2), carried in the
Signature-Input and Signature fields (§4.1, §4.2), several to a message (§4.3).

``sign`` makes one signature and returns the two field values to add; ``verify`` picks a
signature by label or ``tag`` (§3.2 step 1.1, §7.2.7), checks it against the verifier's
requirements (§3.2.1: freshness, covered components, algorithm, key) and returns what was
verified. Both are pure: the time, the keys and the policy come in as arguments.

Signature parameters are written in the order ``created``, ``keyid``, ``alg``,
``expires``, ``nonce``, ``tag`` (the order of the RFC's signed examples). ``alg`` is
written only when the caller names the algorithm; otherwise the verifier is expected to
know it from the key (§3.2 step 6.3, §7.3.6 discourages run-time algorithm signalling).

When a covered ``content-digest`` field is verified, the content is checked against it
too (RFC 9421 §7.2.8, RFC 9530 §2), unless ``check_content_digest`` is False.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from math import floor
from typing import Protocol, TypeVar

from mikey.apiauth.algorithms import (
    Algorithm,
    SigningKey,
    VerificationKey,
    algorithm_for_key,
    choose_algorithm,
    create_signature,
    verify_signature,
)
from mikey.apiauth.components import (
    ComponentId,
    FieldType,
    HttpMessage,
    SignatureParameters,
    component_ids,
    signature_base,
)
from mikey.apiauth.digest import DIGEST_ALGORITHMS, check_content_digest
from mikey.apiauth.failure import SignatureFailure, fail
from mikey.apiauth.message import HttpRequest, HttpResponse
from mikey.apiauth.structured import (
    BareItem,
    Item,
    Member,
    parse_dictionary,
    serialize_dictionary,
    serialize_key,
)
from mikey.errors import MikeySignatureError, MikeyStructuredFieldError, MikeyValueError

__all__ = [
    "DEFAULT_CLOCK_SKEW",
    "DEFAULT_MAX_AGE",
    "CreatedSignature",
    "KeyResolver",
    "VerifiedSignature",
    "sign",
    "static_keys",
    "verify",
]

DEFAULT_MAX_AGE = timedelta(minutes=5)
"""How old a signature's ``created`` may be by default (§3.2.1)."""
DEFAULT_CLOCK_SKEW = timedelta(seconds=30)
"""How far in the future ``created`` may lie by default: the signer's clock may be ahead."""

_Message = TypeVar("_Message", bound=HttpRequest | HttpResponse)


class KeyResolver(Protocol):
    """Finds the key for a ``keyid`` (None when the signature names none), or None when the
    key is unknown or not trusted for this request (RFC 9421 §3.2 step 5). An exception it
    raises is passed on: a key store that cannot answer refuses the request."""

    def __call__(self, key_id: str | None, /) -> VerificationKey | None: ...


def static_keys(keys: Mapping[str, VerificationKey]) -> KeyResolver:
    """A resolver over a fixed table; a signature without ``keyid`` finds no key."""

    def resolve(key_id: str | None, /) -> VerificationKey | None:
        return None if key_id is None else keys.get(key_id)

    return resolve


def _timestamp(moment: datetime, what: str) -> int:
    if moment.tzinfo is None:
        raise MikeyValueError(f"{what} must be an aware datetime (UTC), not a naive one")
    return floor(moment.timestamp())  # §2.3: no sub-second precision


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatedSignature:
    """A new signature: add ``signature_input`` and ``signature`` to the message as
    Signature-Input and Signature field lines (RFC 9421 §4.1, §4.2), or use ``apply``."""

    label: str
    parameters: SignatureParameters
    algorithm: Algorithm
    base: bytes
    """The signature base that was signed (§2.5)."""
    value: bytes
    """The signature bytes (§3.1 step 7)."""

    @property
    def signature_input(self) -> str:
        """The Signature-Input member for this signature, e.g. ``sig1=("@method");created=1``."""
        return serialize_dictionary({self.label: self.parameters.inner_list()})

    @property
    def signature(self) -> str:
        """The Signature member for this signature, e.g. ``sig1=:base64:``."""
        return serialize_dictionary({self.label: Item(self.value)})

    @property
    def fields(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """The two field lines to add."""
        return ("Signature-Input", self.signature_input), ("Signature", self.signature)

    def apply(self, message: _Message) -> _Message:
        """``message`` with the two field lines added."""
        return replace(message, headers=message.headers.with_added(*self.fields))


def _existing_labels(message: HttpMessage) -> set[str]:
    labels: set[str] = set()
    for name in ("Signature-Input", "Signature"):
        value = message.headers.get(name)
        if value is not None:
            labels.update(parse_dictionary(value, field=name))
    return labels


def sign(
    message: HttpMessage,
    *,
    key: SigningKey,
    key_id: str | None,
    components: Sequence[str | ComponentId],
    created: datetime | None,
    label: str = "sig1",
    expires: datetime | None = None,
    nonce: str | None = None,
    tag: str | None = None,
    alg: Algorithm | None = None,
    field_types: Mapping[str, FieldType] | None = None,
) -> CreatedSignature:
    """Sign ``message`` (RFC 9421 §3.1).

    ``components`` are the covered components in order, as ``ComponentId``s or text
    (``"@method"``, ``'"@query-param";name="Pet"'``). ``created`` is normally now; None
    leaves it out (not recommended, §2.3). ``alg`` names the algorithm and writes it into
    the signature; without it the algorithm follows from the key (``algorithm_for_key``)
    and is not written. ``field_types`` names Structured Field types for ``sf`` and ``key``.

    :raises MikeyValueError: a naive datetime, a key that does not fit ``alg``, a label
        already in the message, a value with no Structured Field form.
    :raises MikeySignatureError: a covered component cannot be taken from the message
        (reason "component missing"), or a component identifier is malformed.
    """
    serialize_key(label)
    if label in _existing_labels(message):
        raise MikeyValueError(f"the message already has a signature labelled {label!r}")
    algorithm = algorithm_for_key(key) if alg is None else Algorithm(alg)
    params: dict[str, BareItem] = {}
    optional: list[tuple[str, BareItem | None]] = [
        ("created", None if created is None else _timestamp(created, "created")),
        ("keyid", key_id),
        ("alg", None if alg is None else algorithm.value),
        ("expires", None if expires is None else _timestamp(expires, "expires")),
        ("nonce", nonce),
        ("tag", tag),
    ]
    params.update((name, value) for name, value in optional if value is not None)
    parameters = SignatureParameters(component_ids(components), params)
    parameters.serialize()  # refuse unserializable values before signing
    base = signature_base(message, parameters, field_types=field_types)
    return CreatedSignature(
        label=label,
        parameters=parameters,
        algorithm=algorithm,
        base=base,
        value=create_signature(algorithm, key, base),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedSignature:
    """A signature that verified, and what it covers."""

    label: str
    key_id: str | None
    algorithm: Algorithm
    parameters: SignatureParameters
    base: bytes = field(repr=False)
    """The signature base that verified (§2.5)."""
    key: VerificationKey = field(repr=False)

    @property
    def components(self) -> tuple[ComponentId, ...]:
        """The covered components, in order: only these are protected (§7.2.1)."""
        return self.parameters.components

    @property
    def created(self) -> datetime | None:
        created = self.parameters.created
        return None if created is None else datetime.fromtimestamp(created, UTC)

    @property
    def expires(self) -> datetime | None:
        expires = self.parameters.expires
        return None if expires is None else datetime.fromtimestamp(expires, UTC)

    @property
    def nonce(self) -> str | None:
        """For the caller's replay check (§7.2.2): this module keeps no state."""
        return self.parameters.nonce

    @property
    def tag(self) -> str | None:
        return self.parameters.tag


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One labelled signature, parsed no further than selection needs: a malformed one
    fails on its own and cannot stop another from verifying (§7.2.6)."""

    label: str
    member: Member  # the Signature-Input member
    value: Member  # the Signature member

    @property
    def tag(self) -> BareItem | None:
        return self.member.params.get("tag")

    def parse(self) -> tuple[SignatureParameters, bytes]:
        """§3.2 steps 2-3."""
        if not isinstance(self.value, Item) or not isinstance(self.value.value, bytes):
            raise MikeyStructuredFieldError(
                f"member {self.label!r} is not a Byte Sequence (RFC 9421 §4.2)",
                field="Signature",
                label=self.label,
            )
        return SignatureParameters.from_member(self.member, label=self.label), self.value.value


def _candidates(message: HttpMessage) -> list[_Candidate]:
    """§3.2 step 1: the labelled signatures of the message, in order."""
    input_value = message.headers.get("Signature-Input")
    signature_value = message.headers.get("Signature")
    if input_value is None and signature_value is None:
        fail(SignatureFailure.MISSING, "the message has no Signature-Input or Signature field")
    inputs = parse_dictionary(input_value or "", field="Signature-Input", unique_keys=True)
    values = parse_dictionary(signature_value or "", field="Signature", unique_keys=True)
    if inputs.keys() != values.keys():  # §4
        unmatched = sorted(inputs.keys() ^ values.keys())
        raise MikeyStructuredFieldError(
            f"labels {unmatched} are not in both Signature-Input and Signature (RFC 9421 §4)",
            field="Signature",
        )
    return [_Candidate(label, member, values[label]) for label, member in inputs.items()]


def _select(candidates: list[_Candidate], label: str | None, tag: str | None) -> list[_Candidate]:
    """§3.2 step 1.1: by label, by tag (§7.2.7), or all of them."""
    chosen = [
        candidate
        for candidate in candidates
        if (label is None or candidate.label == label) and (tag is None or candidate.tag == tag)
    ]
    if not chosen:
        criteria = [f"{k} {v!r}" for k, v in (("label", label), ("tag", tag)) if v is not None]
        fail(SignatureFailure.MISSING, f"no signature with {' and '.join(criteria) or 'a label'}")
    return chosen


@dataclass(frozen=True, slots=True, kw_only=True)
class _Policy:
    """What ``verify`` was asked to enforce (§3.2.1)."""

    keys: KeyResolver
    now: float
    max_age: timedelta | None
    clock_skew: timedelta
    required_components: tuple[ComponentId, ...]
    required_parameters: Collection[str]
    algorithms: Collection[Algorithm]
    digest_algorithms: Collection[str] | None
    field_types: Mapping[str, FieldType] | None


def _check_requirements(parameters: SignatureParameters, label: str, policy: _Policy) -> None:
    """§3.2 step 4 and §3.2.1: coverage and freshness, before any key is looked up."""
    missing = {name for name in policy.required_parameters if name not in parameters.params}
    if policy.max_age is not None and "created" not in parameters.params:
        missing.add("created")
    if missing:
        fail(
            SignatureFailure.PARAMETER_MISSING,
            f"the signature lacks the parameters {sorted(missing)}",
            label=label,
        )
    uncovered = [
        c.serialize() for c in policy.required_components if c not in parameters.components
    ]
    if uncovered:
        fail(
            SignatureFailure.NOT_COVERED,
            f"the signature does not cover {', '.join(uncovered)}",
            label=label,
        )
    created, expires = parameters.created, parameters.expires
    if expires is not None and policy.now >= expires:
        fail(SignatureFailure.EXPIRED, f"the signature expired at {expires}", label=label)
    if created is None:
        return
    if created > policy.now + policy.clock_skew.total_seconds():
        fail(
            SignatureFailure.NOT_YET_VALID,
            f"the signature was created at {created}, in the future",
            label=label,
        )
    if policy.max_age is not None and policy.now - created > policy.max_age.total_seconds():
        fail(
            SignatureFailure.TOO_OLD,
            f"the signature was created at {created}, more than {policy.max_age} ago",
            label=label,
        )


def _check_digests(
    message: HttpMessage, parameters: SignatureParameters, algorithms: Collection[str]
) -> None:
    """§7.2.8: a covered Content-Digest is only worth something if the content matches."""
    for component in parameters.components:
        if component.name != "content-digest":
            continue
        # req on a request was refused while building the signature base
        target = message.request if component.req and isinstance(message, HttpResponse) else message
        if target is None:  # pragma: no cover - the base needed the request too
            continue
        fields = target.trailers if "tr" in component.params else target.headers
        check_content_digest(fields.get("content-digest") or "", target.body, algorithms=algorithms)


def _verify_one(message: HttpMessage, candidate: _Candidate, policy: _Policy) -> VerifiedSignature:
    """§3.2 steps 2-9 for one signature."""
    label = candidate.label
    parameters, value = candidate.parse()
    _check_requirements(parameters, label, policy)
    key_id = parameters.keyid
    key = policy.keys(key_id)  # step 5
    if key is None:
        fail(SignatureFailure.UNKNOWN_KEY, f"key {key_id!r} is not known here", label=label)
    algorithm = choose_algorithm(key, parameters.alg, allowed=policy.algorithms, label=label)
    base = signature_base(message, parameters, field_types=policy.field_types)  # step 7
    verify_signature(algorithm, key.key, base, value, label=label)  # step 8
    if policy.digest_algorithms is not None:
        _check_digests(message, parameters, policy.digest_algorithms)
    return VerifiedSignature(
        label=label,
        key_id=key_id,
        algorithm=algorithm,
        parameters=parameters,
        base=base,
        key=key,
    )


def verify(
    message: HttpMessage,
    *,
    keys: KeyResolver,
    now: datetime,
    label: str | None = None,
    tag: str | None = None,
    max_age: timedelta | None = DEFAULT_MAX_AGE,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    required_components: Collection[str | ComponentId] = (),
    required_parameters: Collection[str] = (),
    algorithms: Collection[Algorithm] = frozenset(Algorithm),
    check_content_digest: bool = True,
    digest_algorithms: Collection[str] = tuple(DIGEST_ALGORITHMS),
    field_types: Mapping[str, FieldType] | None = None,
) -> VerifiedSignature:
    """Verify a signature of ``message`` (RFC 9421 §3.2) and enforce the verifier's
    requirements (§3.2.1).

    The signature is the one labelled ``label`` and/or tagged ``tag``. When several
    qualify (no label, or a tag several share), each is tried in order and the first that
    verifies is returned; if none does, the first one's error is raised. So a signature an
    attacker adds can neither pass for a valid one nor hide it (§7.2.6).

    Checks, in order: the parameters in ``required_parameters`` are present (``created``
    too when ``max_age`` is set); ``required_components`` are covered (§7.2.1); the
    signature has not expired; ``created`` is neither more than ``clock_skew`` ahead of
    ``now`` nor more than ``max_age`` behind; ``keys`` knows the key; the algorithm agrees
    with the key and is in ``algorithms`` (§3.2 step 6); the signature verifies over the
    rebuilt base; a covered Content-Digest matches the content, for ``digest_algorithms``
    (§7.2.8). Nonce uniqueness is the caller's to check (``VerifiedSignature.nonce``).

    :raises MikeySignatureError: the ``reason`` says which check failed
        (``SignatureFailure``); ``MikeyStructuredFieldError`` for malformed fields.
    :raises MikeyValueError: ``now`` is a naive datetime.
    """
    _timestamp(now, "now")
    if label is not None:
        serialize_key(label)
    policy = _Policy(
        keys=keys,
        now=now.timestamp(),
        max_age=max_age,
        clock_skew=clock_skew,
        required_components=component_ids(required_components),
        required_parameters=required_parameters,
        algorithms=algorithms,
        digest_algorithms=digest_algorithms if check_content_digest else None,
        field_types=field_types,
    )
    errors: list[MikeySignatureError] = []
    for candidate in _select(_candidates(message), label, tag):
        try:
            return _verify_one(message, candidate, policy)
        except MikeySignatureError as error:
            if error.label is None:
                error.label = candidate.label
            errors.append(error)
    raise errors[0]  # _select returned at least one candidate
