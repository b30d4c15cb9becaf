"""MIKEY-RSA-R, the reverse RSA mode, sans-I/O (RFC 4738 §3.1, §3.3-§3.7; RFC 3830
§4.1.4, §5.2, §5.4).

    I_MESSAGE = HDR, T, [RAND], [IDi|CERTi], [IDr], {SP}, SIGNi
    R_MESSAGE = HDR, T, [RAND], [IDr|CERTr], [SP], KEMAC, PKE, SIGNr

The Initiator asks, signed; the Responder chooses the traffic key and returns it in a
KEMAC (IDr first, then the key) protected with keys derived from an envelope key, which
it encrypts to the Initiator's certificate (PKE); SIGNr covers the R_MESSAGE without
SIGNr followed by IDi ‖ IDr ‖ T (§3.6). RAND comes from the Initiator when it sends one,
so that it contributes to the keys (§3.4), else from the Responder; never from both.

Unicast only: the group mode of §3.2 (GenExt CSB_ID, Responder's RAND always) is not
built. A listen-only Initiator that maps no crypto session (#CS = 0) is refused.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from mikey.crypto.kemac import (
    decrypt_key_data,
    message_keys,
    verify_mac,
)
from mikey.errors import (
    MikeyError,
    MikeyIdentityError,
    MikeyInvalidDataTypeError,
    MikeyInvalidMacAlgError,
    MikeyInvalidPrfError,
    MikeyPeerError,
    MikeyPolicyParamError,
    MikeyProtocolError,
    MikeyReplayError,
    MikeyTimestampError,
    MikeyValueError,
)
from mikey.interop import RFC3830, InteropProfile
from mikey.modes.common import (
    MAX_ANSWERED,
    RAND_LENGTH,
    CryptoSessionSpec,
    ResponderResult,
    _policy_payloads,
    _srtp_id_map,
    _ts_bytes,
    crypto_sessions,
    default_policy_acceptance,
    error_parts,
    kemac_payload,
    key_data_payloads,
    new_traffic_key,
    require_aware,
)
from mikey.modes.pke import ENVELOPE_KEY_LENGTH
from mikey.modes.pubkey import (
    CertificateTrust,
    cert_payloads,
    check_credentials,
    check_s_type,
    names_identity,
    open_envelope,
    peer_chain,
    rsa_public_key,
    seal_envelope,
    sign_message,
    trusted,
    verify_signature,
)
from mikey.modes.replay import ReplayCache
from mikey.registry import (
    DataType,
    EncrAlg,
    ErrorNo,
    IdType,
    KeyDataType,
    MacAlg,
    PayloadType,
    PrfFunc,
    SType,
    TsType,
    label_of,
)
from mikey.session import CryptoSession, CryptoSessionBundle, TrafficKey
from mikey.srtp.policy import AES_CM_128_HMAC_SHA1_80, SrtpPolicy
from mikey.srtp.security_policy import srtp_policy_from_sp
from mikey.wire.basic import ErrorPayload, IdPayload, RandPayload, TimestampPayload
from mikey.wire.header import CommonHeader, SrtpIdMap
from mikey.wire.kemac import KemacPayload, KeyDataSubPayload, SpiValidity
from mikey.wire.message import Message, decode_message, decode_sub_payloads
from mikey.wire.payload import Payload
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.publickey import EnvelopePayload, SignaturePayload

__all__ = ["RsaRInitiator", "RsaRResponder"]

_SRTP_KEY_TYPES = (KeyDataType.TGK, KeyDataType.TGK_SALT, KeyDataType.TEK, KeyDataType.TEK_SALT)
_S_TYPES = (SType.RSA_PKCS1_1_5, SType.RSA_PSS)


def _ids(message: Message) -> list[bytes]:
    return [p.data for p in message.payloads if isinstance(p, IdPayload)]


def _sp_bytes(message: Message) -> dict[int, bytes]:
    """Each SP payload of ``message`` by policy number, as encoded without its Next
    payload field (what the Initiator compares the Responder's choice with, §3.7)."""
    found = {}
    for index, payload in enumerate(message.payloads):
        if isinstance(payload, SecurityPolicyPayload):
            start, end = message.payload_span(index)
            found[payload.policy_no] = message.encode()[start + 1 : end]
    return found


@dataclass(slots=True)
class _Request:
    """An I_MESSAGE awaiting its R_MESSAGE."""

    timestamp: TimestampPayload
    rand: bytes | None  # the Initiator's RAND, if it sent one
    sessions: list[CryptoSession]
    offered: dict[int, bytes]  # SP bytes by policy number
    sent_ids: tuple[bytes, bytes]
    # Answers taken so far with their bundles: several when the request was forked to
    # several Responders, each with keys of its own (RFC 5197 §5.2).
    branches: list[tuple[bytes, CryptoSessionBundle]] = field(default_factory=list)


class RsaRInitiator:
    """The Initiator of MIKEY-RSA-R: asks the Responder for keys, signed with
    ``private_key`` (whose certificate is ``certificates[0]``, sent with its chain unless
    empty), and accepts the answer only from a chain ``trust`` validates and that names
    ``peer_identity`` (when given) or the IDr it carries.

    ``send_rand`` puts the Initiator's RAND in the I_MESSAGE, as RFC 4738 §3.4
    recommends for unicast. One object per peer: it keeps the bundles established.
    """

    def __init__(
        self,
        *,
        private_key: rsa.RSAPrivateKey,
        certificates: Sequence[x509.Certificate],
        trust: CertificateTrust,
        identity: bytes | None = None,
        peer_identity: bytes | None = None,
        known_peer_certificates: Mapping[bytes, Sequence[x509.Certificate]] | None = None,
        identity_check: Callable[[x509.Certificate, bytes], bool] = names_identity,
        s_type: SType = SType.RSA_PKCS1_1_5,
        s_types: Iterable[SType] = _S_TYPES,
        prf_func: PrfFunc = PrfFunc.MIKEY_1,
        send_rand: bool = True,
        id_type: IdType = IdType.URI,
        ts_type: TsType = TsType.NTP_UTC,
        profile: InteropProfile = RFC3830,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        check_credentials(private_key, certificates)
        check_s_type(s_type)
        self.private_key = private_key
        self.certificates = tuple(certificates)
        self.trust = trust
        self.identity = identity
        self.peer_identity = peer_identity
        self.known_peer_certificates = dict(known_peer_certificates or {})
        self.identity_check = identity_check
        self.s_type = s_type
        self.s_types = frozenset(s_types)
        self.prf_func = prf_func
        self.send_rand = send_rand
        self.id_type = id_type
        self.ts_type = ts_type
        self.profile = profile
        self._rng = rng
        self._cert_payloads = cert_payloads(self.certificates)
        self.bundles: dict[int, CryptoSessionBundle] = {}
        self._pending: dict[int, _Request] = {}
        self._answered: OrderedDict[int, _Request] = OrderedDict()

    def initiate(
        self, sessions: Sequence[CryptoSessionSpec] = (CryptoSessionSpec(),), *, now: datetime
    ) -> bytes:
        """The I_MESSAGE asking for keys for ``sessions`` (one per SRTP stream; SSRC 0
        for the Responder's streams, §6.1.1), offering their policies. Pass the answer to
        ``receive_response``."""
        if not sessions:
            raise MikeyValueError("RSA-R asks for keys for at least one crypto session")
        new_sessions = crypto_sessions(sessions)
        while True:
            csb_id = int.from_bytes(self._rng(4))
            if csb_id and csb_id not in self.bundles and csb_id not in self._pending:
                break
        t = TimestampPayload.at(now, self.ts_type)
        rand = self._rng(RAND_LENGTH) if self.send_rand else None
        payloads: list[Payload] = [t]
        if rand is not None:
            payloads.append(RandPayload(rand=rand))
        for identity in (self.identity, self.peer_identity):
            if identity is not None:
                payloads.append(IdPayload(id_type=self.id_type, data=identity))
        payloads += self._cert_payloads
        payloads += _policy_payloads(new_sessions, self.profile)
        signature = bytes(self.private_key.key_size // 8)
        payloads.append(SignaturePayload(s_type=self.s_type, signature=signature))
        header = CommonHeader(
            data_type=DataType.RSA_R_I_MSG,
            csb_id=csb_id,
            cs_id_map=_srtp_id_map(new_sessions),
            v=True,  # §3.4: MUST be 1, a response is mandatory
            prf_func=self.prf_func,
        )
        message = Message(header=header, payloads=tuple(payloads))
        data = sign_message(message, self.private_key, self.s_type)
        self._pending[csb_id] = _Request(
            timestamp=t,
            rand=rand,
            sessions=new_sessions,
            offered=_sp_bytes(message),
            sent_ids=(self.identity or b"", self.peer_identity or b""),
        )
        return data

    def forget(self, csb_id: int) -> None:
        """Drop the bundle (or pending request) with ``csb_id``."""
        self.bundles.pop(csb_id, None)
        self._pending.pop(csb_id, None)
        self._answered.pop(csb_id, None)

    def branches(self, csb_id: int) -> list[CryptoSessionBundle]:
        """The bundles the answers to ``csb_id`` left, first one first: one per Responder
        when the request was forked, each with its own keys (RFC 5197 §5.2)."""
        request = self._answered.get(csb_id)
        return [bundle for _, bundle in request.branches] if request is not None else []

    def receive_response(self, data: bytes, *, now: datetime) -> CryptoSessionBundle:
        """Check the R_MESSAGE (§3.7) and return the bundle it establishes.

        :raises MikeyPeerError: the answer is an error message (unauthenticated).
        :raises MikeyInvalidCertError: the Responder's chain is not trusted.
        :raises MikeyAuthenticationError: SIGNr, the envelope or the KEMAC MAC fail.
        :raises MikeyIdentityError: the certificate or KEMAC names another Responder.
        :raises MikeyProtocolError: the answer does not match the request.
        :raises MikeyParseError: the bytes are not a MIKEY message.
        """
        message = decode_message(data, profile=self.profile.wire)
        header = message.header
        request = self._pending.get(header.csb_id) or self._answered.get(header.csb_id)
        if request is None:
            raise MikeyProtocolError(f"no RSA-R request with CSB ID {header.csb_id:#010x}")
        if any(data == answer for answer, _ in request.branches):
            raise MikeyProtocolError(
                f"CSB {header.csb_id:#010x} was already answered with these very bytes"
            )
        if message.data_type == DataType.ERROR:
            error_nos = tuple(int(e.error_no) for e in message.get_all(ErrorPayload))
            names = ", ".join(label_of(n, ErrorNo) for n in error_nos) or "no error number"
            raise MikeyPeerError(
                f"the Responder refused CSB {header.csb_id:#010x}: {names}"
                " (unauthenticated: a hint only)",
                error_nos=error_nos,
                authenticated=False,
            )
        if message.data_type != DataType.RSA_R_R_MSG:
            raise MikeyProtocolError(
                f"an RSA-R request is answered by an R_MESSAGE or an error message, not"
                f" {label_of(message.data_type, DataType)}"
            )
        if message.get(TimestampPayload) != request.timestamp:
            raise MikeyProtocolError("the R_MESSAGE does not echo our timestamp (§3.6)")
        rand_payload = message.get(RandPayload)
        if (rand_payload is None) == (request.rand is None):
            raise MikeyProtocolError(
                "exactly one of the I_MESSAGE and the R_MESSAGE carries RAND (§3.7)"
            )
        rand = request.rand if rand_payload is None else rand_payload.rand
        assert rand is not None
        ids = _ids(message)
        id_r = ids[-1] if ids else request.sent_ids[1]
        chain = peer_chain(message, id_r or None, self.known_peer_certificates)
        trusted(self.trust, chain, now)
        trailer = request.sent_ids[0] + id_r + _ts_bytes(request.timestamp)
        verify_signature(message, chain[0], self.s_types, trailer=trailer)
        inner = _open_kemac(message, self.private_key, rand=rand)
        self._check_responder(chain[0], inner, id_r)
        sessions = self._sessions(message, request)
        traffic_key = _traffic_key(inner[1:])
        bundle = CryptoSessionBundle(
            csb_id=header.csb_id,
            rand=rand,
            prf_func=header.prf_func,
            traffic_key=traffic_key,
            crypto_sessions=sessions,
            initiator_id=self.identity,
            responder_id=id_r or None,
        )
        for session in sessions:
            bundle.check_keys(session.cs_id)
        request.branches.append((data, bundle))
        if self._pending.pop(header.csb_id, None) is not None:  # the first answer
            self._answered[header.csb_id] = request
            if len(self._answered) > MAX_ANSWERED:
                self._answered.popitem(last=False)
            self.bundles[header.csb_id] = bundle
        return bundle

    def _check_responder(
        self, certificate: x509.Certificate, inner: tuple[Payload, ...], id_r: bytes
    ) -> None:
        first = inner[0] if inner else None
        if not isinstance(first, IdPayload):  # the decoder starts with ID; defensive
            raise MikeyIdentityError("the KEMAC does not start with IDr")
        expected = self.peer_identity or id_r
        if expected and first.data != expected:
            raise MikeyIdentityError(
                f"the KEMAC names Responder {first.data!r}, not {expected!r} (§3.6)"
            )
        if not self.identity_check(certificate, first.data):
            raise MikeyIdentityError(f"the Responder's certificate is not for {first.data!r}")

    @staticmethod
    def _sessions(message: Message, request: _Request) -> list[CryptoSession]:
        """The crypto sessions the Responder settled: ours, with its SSRCs filled in and
        the policies it chose among those offered (§3.6, §3.7)."""
        cs_map = message.header.cs_id_map
        if not isinstance(cs_map, SrtpIdMap) or len(cs_map.entries) != len(request.sessions):
            raise MikeyProtocolError("the R_MESSAGE does not map the crypto sessions we sent")
        chosen = _sp_bytes(message)
        policies: dict[int, SrtpPolicy] = {}
        for sp in message.get_all(SecurityPolicyPayload):
            if chosen[sp.policy_no] not in request.offered.values():
                raise MikeyProtocolError(
                    f"the R_MESSAGE chose policy {sp.policy_no}, which we did not offer (§3.7)"
                )
            policies[sp.policy_no] = srtp_policy_from_sp(sp)
        sessions = []
        for ours, entry in zip(request.sessions, cs_map.entries, strict=True):
            if ours.ssrc and entry.ssrc != ours.ssrc:
                raise MikeyProtocolError(f"the R_MESSAGE changes the SSRC of CS {ours.cs_id}")
            policy = policies.get(entry.policy_no)
            if policy is None:
                if request.offered:
                    raise MikeyProtocolError(
                        f"CS {ours.cs_id} refers to policy {entry.policy_no}, which the"
                        " R_MESSAGE does not carry"
                    )
                policy = ours.policy
            sessions.append(
                CryptoSession(
                    cs_id=ours.cs_id,
                    policy_no=entry.policy_no,
                    ssrc=entry.ssrc,
                    roc=entry.roc,
                    policy=policy,
                )
            )
        return sessions


def _open_kemac(message: Message, key: rsa.RSAPrivateKey, *, rand: bytes) -> tuple[Payload, ...]:
    """The KEMAC's sub-payloads, decrypted with the keys from the envelope (PKE) once
    the MAC over the KEMAC payload checks out (RFC 3830 §5.2)."""
    kemac = message.get(KemacPayload)
    envelope = message.get(EnvelopePayload)
    if kemac is None or envelope is None:  # the wire rules require both; defensive
        raise MikeyProtocolError("an R_MESSAGE needs KEMAC and PKE")
    if kemac.mac_alg == MacAlg.NULL:
        raise MikeyInvalidMacAlgError("the KEMAC of RSA-R needs a MAC")
    envelope_key = open_envelope(key, envelope.data)
    header = message.header
    keys = message_keys(
        envelope_key,
        csb_id=header.csb_id,
        rand=rand,
        encr_alg=kemac.encr_alg,
        mac_alg=kemac.mac_alg,
        prf_func=header.prf_func,
    )
    verify_mac(kemac.mac_alg, keys.authentication, message.kemac_mac_bytes(), kemac.mac)
    timestamp = message.get(TimestampPayload)
    assert timestamp is not None
    plaintext = decrypt_key_data(
        kemac.encr_data,
        encr_alg=kemac.encr_alg,
        keys=keys,
        csb_id=header.csb_id,
        timestamp=timestamp,
    )
    return decode_sub_payloads(plaintext, first=PayloadType.ID)


def _traffic_key(payloads: Sequence[Payload]) -> TrafficKey:
    key_data = [p for p in payloads if isinstance(p, KeyDataSubPayload)]
    if len(key_data) != 1:
        raise MikeyProtocolError(f"the KEMAC carries {len(key_data)} keys; one is expected")
    (kd,) = key_data
    if kd.key_type not in _SRTP_KEY_TYPES:
        raise MikeyProtocolError(f"SRTP is keyed by a TGK or a TEK, not {kd.key_type.label}")
    mki = kd.validity.spi if isinstance(kd.validity, SpiValidity) else None
    return TrafficKey(key_type=kd.key_type, key=kd.key, salt=kd.salt, mki=mki or None)


class RsaRResponder:
    """The Responder of MIKEY-RSA-R: answers a signed request from a chain ``trust``
    validates with a traffic key of its choosing, encrypted to the Initiator.

    ``private_key`` signs R_MESSAGEs; ``certificates`` (leaf first) are sent with them;
    ``identity`` (IDr, which leads the KEMAC, §3.6) must be one the certificate names.
    ``accept_policy`` decides which offered SRTP policies are acceptable; a request
    offering none takes ``default_policy``. ``encr_alg`` and ``mac_alg`` protect the
    KEMAC. Replays are dropped (``replay_cache``, RFC 3830 §5.4); other refusals are
    answered with an (unauthenticated) error message.
    """

    def __init__(
        self,
        *,
        private_key: rsa.RSAPrivateKey,
        certificates: Sequence[x509.Certificate],
        trust: CertificateTrust,
        identity: bytes,
        known_certificates: Mapping[bytes, Sequence[x509.Certificate]] | None = None,
        identity_check: Callable[[x509.Certificate, bytes], bool] = names_identity,
        s_type: SType = SType.RSA_PKCS1_1_5,
        s_types: Iterable[SType] = _S_TYPES,
        encr_alg: EncrAlg = EncrAlg.AES_CM_128,
        mac_alg: MacAlg = MacAlg.HMAC_SHA_1_160,
        prf_funcs: Iterable[PrfFunc] = (PrfFunc.MIKEY_1, PrfFunc.PRF_HMAC_SHA_256),
        accept_policy: Callable[[SrtpPolicy], bool] = default_policy_acceptance,
        default_policy: SrtpPolicy = AES_CM_128_HMAC_SHA1_80,
        replay_cache: ReplayCache | None = None,
        profile: InteropProfile = RFC3830,
        id_type: IdType = IdType.URI,
        max_bundles: int = 100_000,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        check_credentials(private_key, certificates)
        check_s_type(s_type)
        if mac_alg == MacAlg.NULL:
            raise MikeyInvalidMacAlgError("the KEMAC of RSA-R needs a MAC")
        if not identity:
            raise MikeyValueError("RSA-R needs the Responder's identity: IDr leads the KEMAC")
        self.private_key = private_key
        self.certificates = tuple(certificates)
        self.trust = trust
        self.identity = identity
        self.known_certificates = dict(known_certificates or {})
        self.identity_check = identity_check
        self.s_type = s_type
        self.s_types = frozenset(s_types)
        self.encr_alg = encr_alg
        self.mac_alg = mac_alg
        self.prf_funcs = frozenset(prf_funcs)
        self.accept_policy = accept_policy
        self.default_policy = default_policy
        self.replay_cache = replay_cache if replay_cache is not None else ReplayCache()
        self.profile = profile
        self.id_type = id_type
        self.max_bundles = max_bundles
        self._rng = rng
        self._cert_payloads = cert_payloads(self.certificates)
        self.bundles: dict[tuple[bytes, int], CryptoSessionBundle] = {}

    def bundle(self, csb_id: int, *, initiator: bytes) -> CryptoSessionBundle | None:
        """The bundle established with ``initiator`` (its IDi, or the ``peer`` given
        to ``receive``) under ``csb_id``."""
        return self.bundles.get((initiator, csb_id))

    def forget(self, csb_id: int, *, initiator: bytes) -> None:
        self.bundles.pop((initiator, csb_id), None)

    def receive(self, data: bytes, *, now: datetime, peer: bytes = b"") -> ResponderResult:
        """Process one RSA-R I_MESSAGE; never raises for anything the peer sent.

        :raises MikeyValueError: for a naive ``now``.
        """
        require_aware(now)
        try:
            message = decode_message(data, profile=self.profile.wire)
        except MikeyError as exc:
            return ResponderResult(error=exc)
        try:
            bundle, reply = self._process(message, now=now, peer=peer)
        except MikeyReplayError as exc:
            return ResponderResult(error=exc)
        except MikeyError as exc:
            header, payloads = error_parts(message.header, message.get(TimestampPayload), exc)
            answer = Message(header=header, payloads=tuple(payloads)).encode()
            return ResponderResult(error=exc, reply=answer)
        return ResponderResult(bundle=bundle, reply=reply)

    def _process(
        self, message: Message, *, now: datetime, peer: bytes
    ) -> tuple[CryptoSessionBundle, bytes]:
        header = message.header
        if message.data_type != DataType.RSA_R_I_MSG:
            raise MikeyInvalidDataTypeError(
                "this Responder takes RSA-R I_MESSAGEs, not"
                f" {label_of(message.data_type, DataType)}"
            )
        t = message.get(TimestampPayload)
        if t is None:  # the wire rules require it; defensive
            raise MikeyProtocolError("an I_MESSAGE needs T")
        ids = _ids(message)
        id_i = ids[0] if ids else None
        id_r = ids[1] if len(ids) > 1 else b""
        replay_peer = id_i if id_i is not None else peer
        late: MikeyTimestampError | None = None
        entry = None
        try:
            entry = self.replay_cache.check(message.encode(), t, now=now, peer=replay_peer)
        except MikeyTimestampError as exc:
            late = exc  # answered only once the signature checks out
        chain = peer_chain(message, id_i, self.known_certificates)
        trusted(self.trust, chain, now)
        verify_signature(message, chain[0], self.s_types)
        if late is not None:
            raise late
        if id_i is not None and not self.identity_check(chain[0], id_i):
            raise MikeyIdentityError(f"the Initiator's certificate is not for {id_i!r}")
        if id_r and id_r != self.identity:
            raise MikeyIdentityError(f"IDr {id_r!r} is not this Responder")
        if header.prf_func not in self.prf_funcs:
            raise MikeyInvalidPrfError(f"PRF {label_of(header.prf_func, PrfFunc)} is not accepted")
        key = (replay_peer, header.csb_id)
        if key not in self.bundles and len(self.bundles) >= self.max_bundles:
            raise MikeyProtocolError("too many crypto session bundles: refusing new ones")
        sessions, chosen = self._sessions(message)
        rand_payload = message.get(RandPayload)
        rand = rand_payload.rand if rand_payload is not None else self._rng(RAND_LENGTH)
        traffic_key = new_traffic_key(self.profile, self.encr_alg, sessions, 0, self._rng)
        bundle = CryptoSessionBundle(
            csb_id=header.csb_id,
            rand=rand,
            prf_func=header.prf_func,
            traffic_key=traffic_key,
            crypto_sessions=sessions,
            initiator_id=id_i,
            responder_id=self.identity,
        )
        initiator_key = rsa_public_key(chain[0], "the Initiator's")
        reply = self._r_message(
            message,
            bundle,
            chosen,
            initiator_key,
            send_rand=rand_payload is None,
            trailer_ids=(id_i or b"", self.identity),
        )
        assert entry is not None  # a late message raised above
        self.replay_cache.record(entry)
        self.bundles[key] = bundle
        return bundle, reply

    def _sessions(
        self, message: Message
    ) -> tuple[list[CryptoSession], list[SecurityPolicyPayload]]:
        """The Initiator's crypto sessions with SSRCs filled in and their policies, from
        the offered SP payloads that are acceptable (RFC 4738 §3.4, §3.5)."""
        cs_map = message.header.cs_id_map
        if not isinstance(cs_map, SrtpIdMap) or not cs_map.entries:
            raise MikeyProtocolError(
                "the I_MESSAGE maps no SRTP crypto session (listen-only and group requests"
                " are not supported)"
            )
        offered = {sp.policy_no: sp for sp in message.get_all(SecurityPolicyPayload)}
        policies: dict[int, SrtpPolicy] = {}
        for number, sp in offered.items():
            try:
                mapped = srtp_policy_from_sp(sp, gstreamer_sp=self.profile.gstreamer_sp)
            except MikeyError:
                continue  # one we cannot run: another offer may do
            if self.accept_policy(mapped):
                policies[number] = mapped
        sessions = []
        used: dict[int, SecurityPolicyPayload] = {}
        for index, entry in enumerate(cs_map.entries):
            policy = policies.get(entry.policy_no) if offered else self.default_policy
            if policy is None:
                raise MikeyPolicyParamError(
                    f"crypto session {index + 1} offers policy {entry.policy_no}, which is"
                    " missing or not acceptable"
                )
            if offered:
                used[entry.policy_no] = offered[entry.policy_no]
            ssrc = entry.ssrc or int.from_bytes(self._rng(4)) or 1  # ours to choose (§6.1.1)
            sessions.append(
                CryptoSession(
                    cs_id=index + 1,
                    policy_no=entry.policy_no if offered else 0,
                    ssrc=ssrc,
                    roc=entry.roc,
                    policy=policy,
                )
            )
        return sessions, list(used.values())

    def _r_message(
        self,
        request: Message,
        bundle: CryptoSessionBundle,
        chosen: list[SecurityPolicyPayload],
        initiator_key: rsa.RSAPublicKey,
        *,
        send_rand: bool,
        trailer_ids: tuple[bytes, bytes],
    ) -> bytes:
        """R_MESSAGE = HDR, T, [RAND], [IDr|CERTr], [SP], KEMAC, PKE, SIGNr (§3.6)."""
        t = request.get(TimestampPayload)
        assert t is not None
        envelope_key = self._rng(ENVELOPE_KEY_LENGTH)
        keys = message_keys(
            envelope_key,
            csb_id=bundle.csb_id,
            rand=bundle.rand,
            encr_alg=self.encr_alg,
            mac_alg=self.mac_alg,
            prf_func=bundle.prf_func,
        )
        inner: list[Payload] = [IdPayload(id_type=self.id_type, data=self.identity)]
        inner += key_data_payloads(bundle.traffic_key)
        kemac = kemac_payload(
            inner, keys, encr_alg=self.encr_alg, mac_alg=self.mac_alg, csb_id=bundle.csb_id, t=t
        )
        payloads: list[Payload] = [t]
        if send_rand:
            payloads.append(RandPayload(rand=bundle.rand))
        payloads.append(IdPayload(id_type=self.id_type, data=self.identity))
        payloads += self._cert_payloads
        payloads += chosen or _policy_payloads(bundle.crypto_sessions, self.profile)
        payloads.append(kemac)
        payloads.append(EnvelopePayload(data=seal_envelope(initiator_key, envelope_key)))
        signature = bytes(self.private_key.key_size // 8)
        payloads.append(SignaturePayload(s_type=self.s_type, signature=signature))
        header = CommonHeader(
            data_type=DataType.RSA_R_R_MSG,
            csb_id=bundle.csb_id,
            cs_id_map=_srtp_id_map(bundle.crypto_sessions),
            prf_func=bundle.prf_func,
        )
        message = Message(header=header, payloads=tuple(payloads))
        trailer = trailer_ids[0] + trailer_ids[1] + _ts_bytes(t)
        return sign_message(
            message,
            self.private_key,
            self.s_type,
            kemac_key=(self.mac_alg, keys.authentication),
            trailer=trailer,
        )
