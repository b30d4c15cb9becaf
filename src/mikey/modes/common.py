"""What the MIKEY methods that carry their keys in a KEMAC share, sans-I/O: the
pre-shared key method and MIKEY-NULL (``mikey.modes.psk``) and the public-key envelope
method (``mikey.modes.pke``) (RFC 3830 §3.1, §3.2, §4.5, §5).

    I_MESSAGE = HDR, T, RAND, [IDi], [IDr], {SP}, KEMAC, ...   (update: no RAND, §4.5)
    R_MESSAGE = HDR, T, [IDr], V                               (when HDR's V flag asks)
    error     = HDR, T, {ERR}, {SP}, [V]                        (§5.1.2)

The Initiator side builds bundles, traffic keys (TGK or TEK, ``mikey.interop``), initiate
and update messages, and checks the answer: V is the MAC of the R_MESSAGE followed by
IDi ‖ IDr ‖ T (§5.2), the ID data fields of the ID payloads exchanged (empty when absent)
and the TS value field of the Initiator's T. The Responder side checks in the order of
§5.3 (fail closed): decode; timestamp window and replay cache (a replay is dropped
without an answer); authentication by the method (Auth failure, answered
unauthenticated); only then an out-of-window timestamp is answered (authenticated
Invalid TS); then PRF, identities, key data and policies, each refusal answered with an
authenticated error message carrying its error number.

Nothing here does I/O, reads a clock or draws randomness behind the caller's back: time
comes in as ``now`` and randomness from ``rng``.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from mikey.crypto.kemac import (
    MessageKeys,
    compute_mac,
    decrypt_key_data,
    encrypt_key_data,
    verify_mac,
)
from mikey.errors import (
    MikeyAuthenticationError,
    MikeyError,
    MikeyIdentityError,
    MikeyInvalidDataTypeError,
    MikeyInvalidPrfError,
    MikeyPeerError,
    MikeyPolicyError,
    MikeyProtocolError,
    MikeyReplayError,
    MikeyTimestampError,
    MikeyTwoTimePadError,
    MikeyValueError,
)
from mikey.interop import InteropProfile
from mikey.modes.replay import ReplayCache
from mikey.registry import (
    DataType,
    EncrAlg,
    ErrorNo,
    IdType,
    KeyDataType,
    MacAlg,
    PrfFunc,
    TsType,
    label_of,
)
from mikey.session import CryptoSession, CryptoSessionBundle, TrafficKey
from mikey.srtp.policy import AES_CM_128_HMAC_SHA1_80, SrtpCipher, SrtpPolicy
from mikey.srtp.security_policy import security_policy_payload, srtp_policy_from_sp
from mikey.wire.basic import (
    ErrorPayload,
    IdPayload,
    RandPayload,
    TimestampPayload,
    VerificationPayload,
)
from mikey.wire.buffer import check_uint
from mikey.wire.header import CommonHeader, EmptyMap, SrtpIdEntry, SrtpIdMap
from mikey.wire.kemac import KemacPayload, KeyDataSubPayload, SpiValidity
from mikey.wire.message import Message, decode_message, decode_sub_payloads, encode_sub_payloads
from mikey.wire.payload import Payload
from mikey.wire.policy import SecurityPolicyPayload

__all__ = [
    "CryptoSessionSpec",
    "Initiator",
    "Responder",
    "ResponderResult",
    "default_policy_acceptance",
]


_POLICY_CACHE_SIZE = 256


MAX_ANSWERED = 1024  # answered requests kept for late fork branches, oldest dropped first
RAND_LENGTH = 16  # RFC 3830 §6.11: at least 128 bits recommended
TGK_LENGTH = 32  # any length will do (RFC 3830 §4.1.2 takes any inkey); 256 bits
_SRTP_KEY_TYPES = (KeyDataType.TGK, KeyDataType.TGK_SALT, KeyDataType.TEK, KeyDataType.TEK_SALT)


@dataclass(frozen=True, slots=True, kw_only=True)
class CryptoSessionSpec:
    """One SRTP stream an Initiator offers: its policy, and the sender's SSRC and current
    ROC. SSRC 0 marks a stream the Responder sends; it fills in the SSRC (§6.1.1)."""

    policy: SrtpPolicy = AES_CM_128_HMAC_SHA1_80
    ssrc: int = 0
    roc: int = 0

    def __post_init__(self) -> None:
        check_uint(self.ssrc, 32, "SSRC")
        check_uint(self.roc, 32, "ROC")


def _key_data_length(key_length: int, salt: bytes | None, mki: bytes | None) -> int:
    """Bytes of one key data sub-payload (RFC 3830 §6.13, §6.14)."""
    salt_part = 0 if salt is None else 2 + len(salt)
    return 4 + key_length + salt_part + (0 if mki is None else 1 + len(mki))


def default_policy_acceptance(policy: SrtpPolicy) -> bool:
    """Accept every policy libsrtp runs that encrypts and authenticates SRTP and SRTCP.

    AES-192-CM is left out: the bundled libsrtp 2.7 derives its keys wrongly
    (cisco/libsrtp#763, ``mikey.srtp.session``), so it would not interoperate.
    """
    return (
        policy.srtp_encryption
        and policy.srtcp_encryption
        and policy.srtp_authentication
        and policy.cipher is not SrtpCipher.AES_CM_192
    )


def require_aware(now: datetime) -> None:
    """:raises MikeyValueError: for a naive ``now`` (a caller's error, not the peer's)."""
    if now.tzinfo is None:
        raise MikeyValueError("the local clock needs an aware datetime, such as datetime.now(UTC)")


def _timestamp(ts_type: TsType, now: datetime, counter: int) -> TimestampPayload:
    if ts_type == TsType.COUNTER:
        return TimestampPayload(ts_type=ts_type, value=counter)
    return TimestampPayload.at(now, ts_type)


def _ts_bytes(t: TimestampPayload) -> bytes:
    return t.value.to_bytes(t.ts_type.value_length)


def _seal(message: Message, mac_alg: MacAlg, auth_key: bytes, trailer: bytes = b"") -> bytes:
    """Encode ``message`` (whose last payload holds a zero MAC) with its MAC filled in."""
    data = message.encode()
    length = mac_alg.mac_length
    covered = data[: len(data) - length]
    return covered + compute_mac(mac_alg, auth_key, covered + trailer)


def _srtp_id_map(sessions: Iterable[CryptoSession]) -> SrtpIdMap:
    return SrtpIdMap(
        entries=tuple(SrtpIdEntry(policy_no=s.policy_no, ssrc=s.ssrc, roc=s.roc) for s in sessions)
    )


def _policy_payloads(
    sessions: Iterable[CryptoSession], profile: InteropProfile
) -> list[SecurityPolicyPayload]:
    seen: dict[int, SecurityPolicyPayload] = {}
    for s in sessions:
        if s.policy_no not in seen:
            seen[s.policy_no] = security_policy_payload(
                s.policy, s.policy_no, gstreamer_sp=profile.gstreamer_sp
            )
    return list(seen.values())


@dataclass(slots=True)
class _Pending:
    bundle: CryptoSessionBundle
    timestamp: TimestampPayload
    auth_key: bytes
    sent_ids: tuple[bytes, bytes]  # IDi, IDr data as sent (empty when not sent)
    answer_type: DataType  # the verification message's data type
    update: CryptoSessionBundle | None = None  # the bundle as it becomes once verified
    # Answers accepted so far, with the bundle each left: more than one when the request
    # was forked to several Responders (RFC 5197 §5.2).
    branches: list[tuple[bytes, CryptoSessionBundle]] = field(default_factory=list)
    sent_ssrcs: tuple[int, ...] = field(init=False)  # as sent: 0 marks a placeholder

    def __post_init__(self) -> None:
        self.sent_ssrcs = tuple(cs.ssrc for cs in self.bundle.crypto_sessions)


@dataclass(frozen=True, slots=True)
class ResponderResult:
    """What a Responder made of one message.

    ``reply``: bytes to send back (a verification or error message), or None (nothing
    was asked for, or the message is dropped without an answer: replays, undecodable
    bytes). ``bundle``: the bundle now in force when the message was accepted. ``error``:
    why it was refused. ``updated``: the message updated an existing bundle (§4.5).
    """

    bundle: CryptoSessionBundle | None = None
    reply: bytes | None = None
    error: MikeyError | None = None
    updated: bool = False

    @property
    def accepted(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class _Context:
    """What is known about a message being processed, for answering it."""

    message: Message
    now: datetime
    timestamp: TimestampPayload | None = None
    keys: MessageKeys | None = None
    mac_alg: MacAlg = MacAlg.NULL
    id_i: bytes = b""
    id_r: bytes = b""
    replay_peer: bytes = b""  # IDi, or the sender's name when there is none
    authenticated: bool = False
    credential: object = None  # what authenticated it, for the method (a certificate)
    cache_envelope_key: bytes | None = None  # PKE: an envelope key to keep (§3.2)


def new_traffic_key(
    profile: InteropProfile,
    encr_alg: EncrAlg | int,
    sessions: Sequence[CryptoSession],
    generation: int,
    rng: Callable[[int], bytes],
) -> TrafficKey:
    """A fresh traffic key for ``sessions`` in the shape ``profile`` sends (TGK, TGK
    with salt, or a TEK per ``mikey.interop``), with the MKI of ``generation`` when the
    profile numbers keys."""
    mki = (generation + 1).to_bytes(profile.mki_length) if profile.mki_length else None
    if profile.key_type in (KeyDataType.TGK, KeyDataType.TGK_SALT):
        salt = rng(14) if profile.key_type == KeyDataType.TGK_SALT else None
        tgk_length = TGK_LENGTH
        if encr_alg == EncrAlg.AES_KW_128:
            # The key wrap takes whole 8-byte blocks and MIKEY has no padding
            # (RFC 3830 §4.2.3): lengthen the TGK, whose length is ours to choose.
            tgk_length += -_key_data_length(tgk_length, salt, mki) % 8
        return TrafficKey(key_type=profile.key_type, key=rng(tgk_length), salt=salt, mki=mki)
    # A TEK is the SRTP master key itself: every stream must take the same lengths.
    shapes = {(s.policy.master_key_length, s.policy.master_salt_length) for s in sessions}
    if len(shapes) != 1:
        raise MikeyValueError(
            f"profile {profile.name} sends one TEK for all streams; their policies need"
            f" different key lengths {sorted(shapes)}"
        )
    ((key_length, salt_length),) = shapes
    if profile.tek_carries_salt:
        return TrafficKey(key_type=KeyDataType.TEK, key=rng(key_length + salt_length), mki=mki)
    return TrafficKey(
        key_type=KeyDataType.TEK_SALT,
        key=rng(key_length),
        salt=rng(salt_length),
        mki=mki,
    )


def key_data_payloads(traffic_key: TrafficKey | None) -> list[Payload]:
    """The key data sub-payload carrying ``traffic_key``, if any (§6.13, §6.14)."""
    if traffic_key is None:
        return []
    validity = SpiValidity(spi=traffic_key.mki) if traffic_key.mki else None
    return [
        KeyDataSubPayload(
            key_type=traffic_key.key_type,
            key=traffic_key.key,
            salt=traffic_key.salt,
            validity=validity,
        )
    ]


def kemac_payload(
    inner: list[Payload],
    keys: MessageKeys,
    *,
    encr_alg: EncrAlg,
    mac_alg: MacAlg,
    csb_id: int,
    t: TimestampPayload,
) -> KemacPayload:
    """The KEMAC with ``inner`` encrypted (§4.2.3, §6.2) and a MAC of zeros, which the
    method fills in once the message is encoded."""
    encr_data = encrypt_key_data(
        encode_sub_payloads(inner), encr_alg=encr_alg, keys=keys, csb_id=csb_id, timestamp=t
    )
    return KemacPayload(
        encr_alg=encr_alg, encr_data=encr_data, mac_alg=mac_alg, mac=bytes(mac_alg.mac_length)
    )


def crypto_sessions(specs: Sequence[CryptoSessionSpec]) -> list[CryptoSession]:
    """Crypto sessions numbered from 1 for ``specs``, with one policy number per
    distinct policy (RFC 3830 §6.1.1)."""
    policy_nos: dict[SrtpPolicy, int] = {}
    return [
        CryptoSession(
            cs_id=index + 1,
            policy_no=policy_nos.setdefault(spec.policy, len(policy_nos)),
            ssrc=spec.ssrc,
            roc=spec.roc,
            policy=spec.policy,
        )
        for index, spec in enumerate(specs)
    ]


class Initiator:
    """What the Initiators of the methods that send their keys in a KEMAC share: the
    bundles established and awaiting an answer, traffic keys, initiate and update
    messages, and checking the verification or error message that answers them.

    One object per peer: it keeps the bundles it established, so that ``update`` can
    rekey them and ``receive_response`` can match verification messages. A method
    supplies ``_message`` (the I_MESSAGE and what to check its answer with) and its
    name for error messages.
    """

    method: ClassVar[str]

    def __init__(
        self,
        *,
        encr_alg: EncrAlg,
        mac_alg: MacAlg,
        prf_func: PrfFunc,
        identity: bytes | None,
        peer_identity: bytes | None,
        id_type: IdType,
        ts_type: TsType,
        profile: InteropProfile,
        rng: Callable[[int], bytes],
    ) -> None:
        self.encr_alg = encr_alg
        self.mac_alg = mac_alg
        self.prf_func = prf_func
        self.identity = identity
        self.peer_identity = peer_identity
        self.id_type = id_type
        self.ts_type = ts_type
        self.profile = profile
        self._rng = rng
        self._counter = 0
        self.bundles: dict[int, CryptoSessionBundle] = {}
        self._pending: dict[int, _Pending] = {}
        # Requests already answered, kept to take the answers of other fork branches.
        self._answered: OrderedDict[int, _Pending] = OrderedDict()

    # -- building messages ---------------------------------------------------------------

    def _message(
        self,
        bundle: CryptoSessionBundle,
        *,
        now: datetime,
        verify: bool,
        initial: bool,
        traffic_key: TrafficKey | None,
        extensions: Sequence[Payload] = (),
    ) -> tuple[bytes, _Pending]:
        """The I_MESSAGE for ``bundle`` (with RAND when ``initial``, carrying
        ``traffic_key`` if any, and the General Extension payloads ``extensions`` under
        its MAC or signature) and what its answer is checked with."""
        raise NotImplementedError

    def _key_data_payloads(self, traffic_key: TrafficKey | None) -> list[Payload]:
        return key_data_payloads(traffic_key)

    def _kemac(
        self,
        inner: list[Payload],
        keys: MessageKeys,
        bundle: CryptoSessionBundle,
        t: TimestampPayload,
    ) -> KemacPayload:
        return kemac_payload(
            inner, keys, encr_alg=self.encr_alg, mac_alg=self.mac_alg, csb_id=bundle.csb_id, t=t
        )

    def _id_payloads(
        self, peer_identity: bytes | None
    ) -> tuple[list[Payload], tuple[bytes, bytes]]:
        """IDi and IDr (``peer_identity``) in clear, when known, and their data as V
        covers it (§5.2)."""
        payloads: list[Payload] = [
            IdPayload(id_type=self.id_type, data=identity)
            for identity in (self.identity, peer_identity)
            if identity is not None
        ]
        return payloads, (self.identity or b"", peer_identity or b"")

    def _header(
        self, data_type: DataType, bundle: CryptoSessionBundle, *, verify: bool
    ) -> CommonHeader:
        return CommonHeader(
            data_type=data_type,
            csb_id=bundle.csb_id,
            cs_id_map=_srtp_id_map(bundle.crypto_sessions),
            v=verify,
            prf_func=self.prf_func,
        )

    def _next_timestamp(self, now: datetime) -> TimestampPayload:
        if self.ts_type == TsType.COUNTER:
            self._counter += 1
        return _timestamp(self.ts_type, now, self._counter)

    def _new_csb_id(self) -> int:
        while True:
            csb_id = int.from_bytes(self._rng(4))
            if csb_id and csb_id not in self.bundles and csb_id not in self._pending:
                return csb_id

    def _traffic_key(self, sessions: Sequence[CryptoSession], generation: int) -> TrafficKey:
        return new_traffic_key(self.profile, self.encr_alg, sessions, generation, self._rng)

    def initiate(
        self,
        sessions: Sequence[CryptoSessionSpec] = (CryptoSessionSpec(),),
        *,
        now: datetime,
        verify: bool = False,
        extensions: Sequence[Payload] = (),
    ) -> tuple[bytes, CryptoSessionBundle]:
        """Start a new CSB for ``sessions`` (one per SRTP stream): the I_MESSAGE and the
        bundle it establishes. ``extensions`` are General Extension payloads to carry,
        authenticated (RFC 3830 §6.15; the SDP IDs of RFC 4567 §4.1.4).

        With ``verify`` the HDR asks for a verification message; pass the answer to
        ``receive_response``. Without it the bundle is in force as soon as it is sent.
        """
        new_sessions = crypto_sessions(sessions)
        csb_id = self._new_csb_id()
        traffic_key = self._traffic_key(new_sessions, 0)
        bundle = CryptoSessionBundle(
            csb_id=csb_id,
            rand=self._rng(RAND_LENGTH),
            prf_func=self.prf_func,
            traffic_key=traffic_key,
            crypto_sessions=new_sessions,
            initiator_id=self.identity,
            responder_id=self.peer_identity,
        )
        data, pending = self._message(
            bundle,
            now=now,
            verify=verify,
            initial=True,
            traffic_key=traffic_key,
            extensions=extensions,
        )
        if verify:
            self._pending[csb_id] = pending
        else:
            self.bundles[csb_id] = bundle
        return data, bundle

    def update(
        self,
        bundle: CryptoSessionBundle,
        *,
        now: datetime,
        add: Sequence[CryptoSessionSpec] = (),
        new_key: bool = True,
        rocs: Mapping[int, int] | None = None,
        verify: bool = False,
    ) -> tuple[bytes, CryptoSessionBundle]:
        """An update message for an established ``bundle`` (RFC 3830 §4.5): same CSB ID
        and RAND, a new timestamp, a new traffic key unless ``new_key`` is false, and the
        crypto sessions ``add`` appended. ``rocs`` maps CS IDs to current ROCs, for a
        receiver that joins late. Returns the message and the bundle as updated (in
        force once sent, or once verified with ``verify``).
        """
        if self.bundles.get(bundle.csb_id) is not bundle:
            raise MikeyValueError(f"CSB {bundle.csb_id:#010x} is not established with this peer")
        sessions = [
            CryptoSession(
                cs_id=s.cs_id,
                policy_no=s.policy_no,
                ssrc=s.ssrc,
                roc=(rocs or {}).get(s.cs_id, s.roc),
                policy=s.policy,
            )
            for s in bundle.crypto_sessions
        ]
        policy_nos = {s.policy: s.policy_no for s in sessions}
        for spec in add:
            if spec.policy not in policy_nos:
                policy_nos[spec.policy] = max(policy_nos.values(), default=-1) + 1
            sessions.append(
                CryptoSession(
                    cs_id=len(sessions) + 1,
                    policy_no=policy_nos[spec.policy],
                    ssrc=spec.ssrc,
                    roc=spec.roc,
                    policy=spec.policy,
                )
            )
        generation = bundle.generation + 1 if new_key else bundle.generation
        traffic_key = self._traffic_key(sessions, generation) if new_key else None
        updated = CryptoSessionBundle(
            csb_id=bundle.csb_id,
            rand=bundle.rand,
            prf_func=bundle.prf_func,
            traffic_key=traffic_key or bundle.traffic_key,
            crypto_sessions=sessions,
            initiator_id=bundle.initiator_id,
            responder_id=bundle.responder_id,
            generation=generation,
        )
        data, pending = self._message(
            updated, now=now, verify=verify, initial=False, traffic_key=traffic_key
        )
        if verify:
            pending.update = updated
            pending.bundle = bundle
            self._pending[bundle.csb_id] = pending
        else:
            self.bundles[bundle.csb_id] = updated
        return data, updated

    def forget(self, csb_id: int) -> None:
        """Drop the bundle (or pending exchange) with ``csb_id``, when its media ends: the
        Initiator keeps every bundle it established until told otherwise."""
        self.bundles.pop(csb_id, None)
        self._pending.pop(csb_id, None)
        self._answered.pop(csb_id, None)

    # -- answers ------------------------------------------------------------------------

    def receive_response(self, data: bytes) -> CryptoSessionBundle:
        """Check the Responder's verification message and return the bundle now in force,
        with the SSRCs the Responder filled in.

        :raises MikeyPeerError: the answer is an error message.
        :raises MikeyAuthenticationError: V does not verify.
        :raises MikeyProtocolError: the answer is for no pending exchange, or does not
            match it (timestamp, crypto sessions).
        :raises MikeyParseError: the bytes are not a MIKEY message.
        """
        message = decode_message(data, profile=self.profile.wire)
        csb_id = message.header.csb_id
        pending = self._pending.get(csb_id) or self._answered.get(csb_id)
        if pending is None:
            raise MikeyProtocolError(f"no exchange with CSB ID {csb_id:#010x} awaits an answer")
        if message.data_type == DataType.ERROR:
            raise self._peer_error(message, pending)
        if message.data_type != pending.answer_type:
            raise MikeyProtocolError(
                f"a {self.method} exchange is answered by a verification or error message,"
                f" not {label_of(message.data_type, DataType)}"
            )
        t = message.get(TimestampPayload)
        if t != pending.timestamp:
            raise MikeyProtocolError("the verification message does not echo our timestamp")
        self._verify_v(message, pending)
        if pending.branches:
            return self._branch(pending, data, message.header)
        bundle = pending.update or pending.bundle
        self._fill_ssrcs(bundle, message.header)
        pending.branches.append((data, bundle))
        del self._pending[csb_id]
        self._answered[csb_id] = pending
        if len(self._answered) > MAX_ANSWERED:
            self._answered.popitem(last=False)
        self.bundles[csb_id] = bundle
        return bundle

    def branches(self, csb_id: int) -> list[CryptoSessionBundle]:
        """The bundles the answers to ``csb_id`` left, first one first: several when the
        request was forked to several Responders (RFC 5197 §5.2)."""
        pending = self._answered.get(csb_id)
        return [bundle for _, bundle in pending.branches] if pending is not None else []

    def _branch(self, pending: _Pending, data: bytes, header: CommonHeader) -> CryptoSessionBundle:
        """Another Responder's answer to a forked request: the same traffic key, its own
        SSRCs. Every branch shares the TGK, so two Responders sending with one SSRC would
        reuse keystream (a two-time pad, RFC 5197 §5.2): refused."""
        if any(data == answer for answer, _ in pending.branches):
            raise MikeyProtocolError(
                f"CSB {header.csb_id:#010x} was already answered with these very bytes"
            )
        first = pending.update or pending.bundle
        bundle = dataclasses.replace(
            first, crypto_sessions=[dataclasses.replace(cs) for cs in first.crypto_sessions]
        )
        for ours, cs in zip(pending.sent_ssrcs, bundle.crypto_sessions, strict=True):
            cs.ssrc = ours  # as we sent them: the placeholders open again
        self._fill_ssrcs(bundle, header)
        for index, ours in enumerate(pending.sent_ssrcs):
            if ours:
                continue  # our own stream: only we send on it
            ssrc = bundle.crypto_sessions[index].ssrc
            if any(b.crypto_sessions[index].ssrc == ssrc for _, b in pending.branches):
                raise MikeyTwoTimePadError(
                    f"two Responders of forked CSB {header.csb_id:#010x} chose SSRC"
                    f" {ssrc:#010x} for crypto session {index + 1} under the same key: their"
                    " packets would reuse keystream (RFC 5197 §5.2); this answer is refused"
                )
        pending.branches.append((data, bundle))
        return bundle

    def _verify_v(self, message: Message, pending: _Pending) -> None:
        v = message.get(VerificationPayload)
        if v is None:
            raise MikeyProtocolError("the answer carries no V payload")
        if v.auth_alg != self.mac_alg:
            raise MikeyAuthenticationError(
                f"V uses {v.auth_alg.label}, the exchange {self.mac_alg.label}"
            )
        id_i, id_r = pending.sent_ids
        ids = [p for p in message.payloads if isinstance(p, IdPayload)]
        if ids:
            id_r = ids[-1].data
        trailer = id_i + id_r + _ts_bytes(pending.timestamp)
        verify_mac(
            self.mac_alg, pending.auth_key, message.authenticated_bytes() + trailer, v.ver_data
        )

    def _peer_error(self, message: Message, pending: _Pending) -> MikeyPeerError:
        error_nos = tuple(int(e.error_no) for e in message.get_all(ErrorPayload))
        authenticated = False
        if message.get(VerificationPayload) is not None and self.mac_alg != MacAlg.NULL:
            try:
                self._verify_v(message, pending)
                authenticated = True
            except MikeyError:
                authenticated = False
        if authenticated:
            del self._pending[message.header.csb_id]
        names = ", ".join(label_of(n, ErrorNo) for n in error_nos) or "no error number"
        return MikeyPeerError(
            f"the Responder refused CSB {message.header.csb_id:#010x}: {names}"
            + ("" if authenticated else " (unauthenticated: a hint only)"),
            error_nos=error_nos,
            authenticated=authenticated,
        )

    @staticmethod
    def _fill_ssrcs(bundle: CryptoSessionBundle, header: CommonHeader) -> None:
        cs_map = header.cs_id_map
        if not isinstance(cs_map, SrtpIdMap):
            return
        if len(cs_map.entries) != len(bundle.crypto_sessions):
            raise MikeyProtocolError(
                f"the answer maps {len(cs_map.entries)} crypto sessions, we sent"
                f" {len(bundle.crypto_sessions)}"
            )
        for session, entry in zip(bundle.crypto_sessions, cs_map.entries, strict=True):
            if session.ssrc == 0:
                session.ssrc = entry.ssrc
            elif entry.ssrc != session.ssrc:
                raise MikeyProtocolError(
                    f"the answer changes the SSRC of crypto session {session.cs_id}"
                )


class Responder:
    """What the Responders of the methods that receive their keys in a KEMAC share: the
    order of checks (§5.3), the replay cache, bundles and their updates (§4.5), policies,
    and the verification and error messages that answer (§5.1.2, §5.2).

    ``identity`` is this side's ID: an IDr that differs is refused (Invalid ID), and it
    is sent in answers. ``accept_policy`` decides which SRTP policies are acceptable;
    ``supported`` are SRTP policies offered back in Invalid SP answers (§5.1.1).
    ``max_bundles`` bounds the bundles kept; beyond it new CSBs are refused. A method
    supplies ``_authenticate`` (the message keys, once the message is authentic), the
    data types it takes with their answers' (``answers``) and its name.
    """

    answers: ClassVar[Mapping[DataType | int, DataType]]
    """The data types taken, each with the data type of its verification message."""
    method: ClassVar[str]

    def __init__(
        self,
        *,
        identity: bytes | None,
        prf_funcs: Iterable[PrfFunc],
        accept_policy: Callable[[SrtpPolicy], bool],
        supported: Sequence[SrtpPolicy],
        replay_cache: ReplayCache | None,
        profile: InteropProfile,
        id_type: IdType,
        max_bundles: int,
        rng: Callable[[int], bytes],
    ) -> None:
        self.identity = identity
        self.prf_funcs = frozenset(prf_funcs)
        self.accept_policy = accept_policy
        self.supported = tuple(supported)
        self.replay_cache = replay_cache if replay_cache is not None else ReplayCache()
        self.profile = profile
        self.id_type = id_type
        self.max_bundles = max_bundles
        self._rng = rng
        self.bundles: dict[tuple[bytes, int], CryptoSessionBundle] = {}
        self._policy_cache: dict[bytes, SrtpPolicy] = {}

    def receive(self, data: bytes, *, now: datetime, peer: bytes = b"") -> ResponderResult:
        """Process one I_MESSAGE; never raises for anything the peer sent.

        ``peer`` names the sender (say its address) for replay state when the message
        carries no IDi.

        :raises MikeyValueError: for a naive ``now`` (a caller's error, not the peer's).
        """
        require_aware(now)
        try:
            message = decode_message(data, profile=self.profile.wire)
        except MikeyError as exc:
            return ResponderResult(error=exc)
        ctx = _Context(message, now)
        try:
            bundle, updated = self._process(ctx, now=now, peer=peer)
        except MikeyReplayError as exc:
            return ResponderResult(error=exc)
        except MikeyError as exc:
            return ResponderResult(error=exc, reply=self._error_message(ctx, exc))
        reply = self._verification(ctx, bundle) if message.header.v else None
        return ResponderResult(bundle=bundle, reply=reply, updated=updated)

    def bundle(self, csb_id: int, *, initiator: bytes) -> CryptoSessionBundle | None:
        """The bundle established by ``initiator`` (its IDi, or the ``peer`` given to
        ``receive`` when it sent none) under ``csb_id``, if any."""
        return self.bundles.get((initiator, csb_id))

    def forget(self, csb_id: int, *, initiator: bytes) -> None:
        """Drop a bundle when its media ends, making room under ``max_bundles``. Its
        messages stay in the replay cache until their timestamps age out."""
        self.bundles.pop((initiator, csb_id), None)

    # -- processing ---------------------------------------------------------------------

    def _process(
        self, ctx: _Context, *, now: datetime, peer: bytes
    ) -> tuple[CryptoSessionBundle, bool]:
        message = ctx.message
        header = message.header
        t = message.get(TimestampPayload)
        ctx.timestamp = t  # an error message echoes it (§5.1.2)
        if message.data_type not in self.answers:
            raise MikeyInvalidDataTypeError(
                f"this Responder takes {self.method} messages, not"
                f" {label_of(message.data_type, DataType)}"
            )
        kemac = message.get(KemacPayload)
        if t is None or kemac is None:  # the wire rules require both; defensive
            raise MikeyProtocolError("an I_MESSAGE needs T and KEMAC")
        ids = message.get_all(IdPayload)
        id_i = ids[0].data if ids else None
        ctx.id_i = id_i or b""
        ctx.id_r = ids[1].data if len(ids) > 1 else b""
        replay_peer = ctx.replay_peer = id_i if id_i is not None else peer
        received = message.encode()
        late: MikeyTimestampError | None = None
        entry = None
        try:
            entry = self.replay_cache.check(received, t, now=now, peer=replay_peer)
        except MikeyTimestampError as exc:
            late = exc  # answered only if the message authenticates
        key = (replay_peer, header.csb_id)
        existing = self.bundles.get(key)
        rand_payload = message.get(RandPayload)
        if existing is None:
            if rand_payload is None:
                raise MikeyProtocolError(
                    f"CSB {header.csb_id:#010x} is not established and the message has no RAND"
                    " (only updates omit it, RFC 3830 §4.5)"
                )
            rand = rand_payload.rand
        else:
            if rand_payload is not None:
                raise MikeyProtocolError(
                    "an update of an established CSB must not carry a new RAND (RFC 3830 §4.5)"
                )
            rand = existing.rand
        if header.prf_func not in self.prf_funcs:
            raise MikeyInvalidPrfError(f"PRF {label_of(header.prf_func, PrfFunc)} is not accepted")
        keys = self._authenticate(ctx, kemac, id_i, csb_id=header.csb_id, rand=rand)
        ctx.keys, ctx.mac_alg = keys, kemac.mac_alg
        if late is not None:
            raise late
        if ctx.id_r and self.identity is not None and ctx.id_r != self.identity:
            raise MikeyIdentityError(f"IDr {ctx.id_r!r} is not this Responder")
        traffic_key = self._traffic_key(
            ctx, kemac, keys, csb_id=header.csb_id, timestamp=t, required=existing is None
        )
        bundle = self._bundle(ctx, existing, rand=rand, traffic_key=traffic_key, id_i=id_i)
        if existing is None and len(self.bundles) >= self.max_bundles:
            raise MikeyProtocolError("too many crypto session bundles: refusing new ones")
        assert entry is not None  # a late message raised above
        self.replay_cache.record(entry)
        self.bundles[key] = bundle
        self._accepted(ctx, key)
        return bundle, existing is not None

    def _authenticate(
        self, ctx: _Context, kemac: KemacPayload, id_i: bytes | None, *, csb_id: int, rand: bytes
    ) -> MessageKeys:
        """Check that the message is authentic (MAC or signature) and return the keys
        derived for it (§4.1.4); sets ``ctx.authenticated``.

        :raises MikeyError: the subclass for the error number to answer with.
        """
        raise NotImplementedError

    def _accepted(self, ctx: _Context, key: tuple[bytes, int]) -> None:
        """Called once the message is accepted and its bundle stored under ``key``."""

    def _key_data(self, ctx: _Context, plaintext: bytes) -> tuple[Payload, ...]:
        """The sub-payloads of the decrypted KEMAC (§6.2): key data only, by default."""
        return decode_sub_payloads(plaintext)

    def _traffic_key(
        self,
        ctx: _Context,
        kemac: KemacPayload,
        keys: MessageKeys,
        *,
        csb_id: int,
        timestamp: TimestampPayload,
        required: bool,
    ) -> TrafficKey | None:
        plaintext = decrypt_key_data(
            kemac.encr_data, encr_alg=kemac.encr_alg, keys=keys, csb_id=csb_id, timestamp=timestamp
        )
        key_data = [p for p in self._key_data(ctx, plaintext) if isinstance(p, KeyDataSubPayload)]
        if not key_data:
            if required:
                raise MikeyProtocolError("the KEMAC carries no key")
            return None
        if len(key_data) > 1:
            raise MikeyProtocolError(
                f"the KEMAC carries {len(key_data)} keys; one traffic key per message is supported"
            )
        (kd,) = key_data
        if kd.key_type not in _SRTP_KEY_TYPES:
            raise MikeyProtocolError(f"SRTP is keyed by a TGK or a TEK, not {kd.key_type.label}")
        mki = kd.validity.spi if isinstance(kd.validity, SpiValidity) else None
        return TrafficKey(key_type=kd.key_type, key=kd.key, salt=kd.salt, mki=mki or None)

    def _policies(self, ctx: _Context, known: Mapping[int, SrtpPolicy]) -> dict[int, SrtpPolicy]:
        policies = dict(known)
        message = ctx.message
        for index, sp in enumerate(message.payloads):
            if type(sp) is not SecurityPolicyPayload:
                continue
            # Peers repeat the same few policies: remember them by their bytes (without
            # the Next payload field), which is cheaper than hashing the payload object.
            start, end = message.payload_span(index)
            raw = message.encode()[start + 1 : end]
            policy = self._policy_cache.get(raw)
            if policy is None:
                policy = srtp_policy_from_sp(sp, gstreamer_sp=self.profile.gstreamer_sp)
                if len(self._policy_cache) < _POLICY_CACHE_SIZE:
                    self._policy_cache[raw] = policy
            if not self.accept_policy(policy):
                raise MikeyPolicyError(f"policy {sp.policy_no} ({policy.name}) is not acceptable")
            policies[sp.policy_no] = policy
        return policies

    def _bundle(
        self,
        ctx: _Context,
        existing: CryptoSessionBundle | None,
        *,
        rand: bytes,
        traffic_key: TrafficKey | None,
        id_i: bytes | None,
    ) -> CryptoSessionBundle:
        header = ctx.message.header
        cs_map = header.cs_id_map
        if isinstance(cs_map, EmptyMap):
            entries: tuple[SrtpIdEntry, ...] = ()
        elif isinstance(cs_map, SrtpIdMap):
            entries = cs_map.entries
        else:
            raise MikeyProtocolError("only the SRTP-ID crypto session map keys SRTP")
        old = existing.crypto_sessions if existing is not None else []
        if len(entries) < len(old):
            raise MikeyProtocolError(
                f"the update maps {len(entries)} crypto sessions; the CSB has {len(old)}"
            )
        known = {s.policy_no: s.policy for s in old}
        policies = self._policies(ctx, known)
        sessions: list[CryptoSession] = []
        for index, entry in enumerate(entries):
            policy = policies.get(entry.policy_no)
            if policy is None:
                raise MikeyPolicyError(
                    f"crypto session {index + 1} refers to policy {entry.policy_no}, which the"
                    " message does not carry"
                )
            ssrc = entry.ssrc
            if index < len(old) and old[index].ssrc and ssrc not in (0, old[index].ssrc):
                raise MikeyProtocolError(
                    f"the update changes the SSRC of crypto session {index + 1}"
                )
            if ssrc == 0 and index < len(old):
                ssrc = old[index].ssrc
            if ssrc == 0 and header.v:
                ssrc = int.from_bytes(self._rng(4)) or 1  # ours to choose (§6.1.1)
            sessions.append(
                CryptoSession(
                    cs_id=index + 1,
                    policy_no=entry.policy_no,
                    ssrc=ssrc,
                    roc=entry.roc,
                    policy=policy,
                )
            )
        if existing is None:
            assert traffic_key is not None
            bundle = CryptoSessionBundle(
                csb_id=header.csb_id,
                rand=rand,
                prf_func=header.prf_func,
                traffic_key=traffic_key,
                crypto_sessions=sessions,
                initiator_id=id_i,
                responder_id=self.identity,
            )
        else:
            bundle = CryptoSessionBundle(
                csb_id=header.csb_id,
                rand=rand,
                prf_func=header.prf_func,
                traffic_key=traffic_key or existing.traffic_key,
                crypto_sessions=sessions,
                initiator_id=existing.initiator_id,
                responder_id=existing.responder_id,
                generation=existing.generation + (traffic_key is not None),
            )
        for session in sessions:
            bundle.check_keys(session.cs_id)
        return bundle

    # -- answers ------------------------------------------------------------------------

    def _answer(
        self, ctx: _Context, header: CommonHeader, payloads: list[Payload], authenticate: bool
    ) -> bytes:
        """Encode an answer; with ``authenticate``, end it with V (RFC 3830 §5.2)."""
        t = ctx.timestamp
        if not authenticate or ctx.keys is None:
            return Message(header=header, payloads=tuple(payloads)).encode()
        assert t is not None
        mac_alg = ctx.mac_alg
        payloads.append(VerificationPayload(auth_alg=mac_alg, ver_data=bytes(mac_alg.mac_length)))
        # IDr is the one the answer carries, else the one the I_MESSAGE carried.
        ids = [p for p in payloads if isinstance(p, IdPayload)]
        id_r = ids[-1].data if ids else ctx.id_r
        trailer = ctx.id_i + id_r + _ts_bytes(t)
        message = Message(header=header, payloads=tuple(payloads))
        return _seal(message, mac_alg, ctx.keys.authentication, trailer)

    def _identity_payloads(self) -> list[Payload]:
        if self.identity is None:
            return []
        return [IdPayload(id_type=self.id_type, data=self.identity)]

    def _verification(self, ctx: _Context, bundle: CryptoSessionBundle) -> bytes:
        received = ctx.message.header.cs_id_map
        filled = not isinstance(received, SrtpIdMap) or any(
            entry.ssrc != session.ssrc
            for entry, session in zip(received.entries, bundle.crypto_sessions, strict=False)
        )
        header = CommonHeader(
            data_type=self.answers[ctx.message.data_type],
            csb_id=bundle.csb_id,
            cs_id_map=_srtp_id_map(bundle.crypto_sessions) if filled else received,
            prf_func=bundle.prf_func,
        )
        assert ctx.timestamp is not None
        payloads: list[Payload] = [ctx.timestamp, *self._identity_payloads()]
        return self._answer(ctx, header, payloads, authenticate=True)

    def _error_message(self, ctx: _Context, exc: MikeyError) -> bytes | None:
        """HDR, T, {ERR}, {SP}, [V] (RFC 3830 §5.1.2): authenticated only when the
        message that caused it was."""
        supported = []
        if isinstance(exc, MikeyPolicyError):
            supported = [
                security_policy_payload(p, n, gstreamer_sp=self.profile.gstreamer_sp)
                for n, p in enumerate(self.supported)
            ]
        header, payloads = error_parts(ctx.message.header, ctx.timestamp, exc, supported)
        return self._answer(ctx, header, payloads, authenticate=ctx.authenticated)


def error_parts(
    request: CommonHeader,
    timestamp: TimestampPayload | None,
    exc: MikeyError,
    supported: Sequence[SecurityPolicyPayload] = (),
) -> tuple[CommonHeader, list[Payload]]:
    """The HDR and payloads of the error message answering ``request`` (RFC 3830
    §5.1.2): its T echoed, the error number of ``exc``, and the ``supported`` policies
    (sent with Invalid SP, §5.1.1); a V, if any, is the caller's to add."""
    error_no = exc.error_no if exc.error_no is not None else ErrorNo.UNSPECIFIED_ERROR
    payloads: list[Payload] = [
        timestamp or TimestampPayload(ts_type=TsType.NTP_UTC, value=0),
        ErrorPayload(error_no=error_no),
        *supported,
    ]
    header = CommonHeader(
        data_type=DataType.ERROR,
        csb_id=request.csb_id,
        # SP payloads need a map type that has policies (RFC 4563 §5): SRTP-ID, no CS.
        cs_id_map=SrtpIdMap() if supported else EmptyMap(),
        prf_func=request.prf_func,
    )
    return header, payloads
