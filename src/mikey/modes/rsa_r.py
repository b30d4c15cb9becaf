"""MIKEY-RSA-R, the reverse RSA mode, sans-I/O (RFC 4738 §3.1, §3.3-§3.7; RFC 3830
§4.1.4, §5.2, §5.4).

    I_MESSAGE = HDR, T, [RAND], [IDi|CERTi], [IDr], {SP}, SIGNi
    R_MESSAGE = HDR, T, [RAND], [IDr|CERTr], [SP], KEMAC, PKE, SIGNr

The Initiator asks, signed; the Responder chooses the traffic key and returns it in a
KEMAC (IDr first, then the key) protected with keys derived from an envelope key, which
it encrypts to the Initiator's certificate (PKE); SIGNr covers the R_MESSAGE without
SIGNr followed by IDi ‖ IDr ‖ T (§3.6). RAND comes from the Initiator when it sends one,
so that it contributes to the keys (§3.4), else from the Responder; never from both.

Group mode (§3.2): a Responder given an ``RsaRGroup`` is a group key server. Members ask
without SP, listen-only members with no crypto session (#CS = 0); every answer carries a
General Extension CSB_ID with the group's CSB ID, the group's RAND, its policies and
crypto sessions, and its TGK, so that every member derives the same keys; both sides
then use the group's CSB ID and RAND, never the member's RAND (§3.4, §3.6).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from mikey.crypto.envelope import open_envelope, seal_envelope
from mikey.crypto.kemac import (
    decrypt_key_data,
    message_keys,
    verify_mac,
)
from mikey.crypto.rsakey import rsa_public_key
from mikey.crypto.signature import DEFAULT_SIGNATURE_HASH
from mikey.errors import (
    MikeyError,
    MikeyIdentityError,
    MikeyInvalidMacAlgError,
    MikeyPolicyParamError,
    MikeyProtocolError,
    MikeyValueError,
)
from mikey.interop import RFC3830, InteropProfile
from mikey.modes.common import (
    RAND_LENGTH,
    CryptoSessionSpec,
    _policy_payloads,
    _srtp_id_map,
    _ts_bytes,
    crypto_sessions,
    default_policy_acceptance,
    kemac_payload,
    key_data_payloads,
    new_traffic_key,
)
from mikey.modes.pke import ENVELOPE_KEY_LENGTH
from mikey.modes.pubkey import (
    RSA_S_TYPES,
    CertificateTrust,
    cert_payloads,
    check_credentials,
    check_s_type,
    names_identity,
    peer_chain,
    sign_message,
    signature_placeholder,
    trusted,
    verify_message,
)
from mikey.modes.replay import ReplayCache
from mikey.modes.roundtrip import Request, RoundTripInitiator, RoundTripResponder, id_data
from mikey.registry import (
    DataType,
    EncrAlg,
    HashFunc,
    IdType,
    KeyDataType,
    MacAlg,
    PayloadType,
    PrfFunc,
    SType,
    TsType,
)
from mikey.session import CryptoSession, CryptoSessionBundle, TrafficKey
from mikey.srtp.policy import AES_CM_128_HMAC_SHA1_80, SrtpPolicy
from mikey.srtp.security_policy import srtp_policy_from_sp
from mikey.wire.basic import IdPayload, RandPayload, TimestampPayload
from mikey.wire.extension import CsbId, GeneralExtensionPayload
from mikey.wire.header import CommonHeader, SrtpIdMap
from mikey.wire.kemac import KemacPayload, KeyDataSubPayload, SpiValidity
from mikey.wire.message import Message, decode_message, decode_sub_payloads
from mikey.wire.payload import Payload
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.publickey import EnvelopePayload

__all__ = ["RsaRGroup", "RsaRInitiator", "RsaRResponder"]

_SRTP_KEY_TYPES = (KeyDataType.TGK, KeyDataType.TGK_SALT, KeyDataType.TEK, KeyDataType.TEK_SALT)


def _sp_bytes(message: Message) -> dict[int, bytes]:
    """Each SP payload of ``message`` by policy number, as encoded without its Next
    payload field (what the Initiator compares the Responder's choice with, §3.7)."""
    found = {}
    for index, payload in enumerate(message.payloads):
        if isinstance(payload, SecurityPolicyPayload):
            start, end = message.payload_span(index)
            found[payload.policy_no] = message.encode()[start + 1 : end]
    return found


@dataclass(slots=True, kw_only=True)
class _Request(Request):
    """An I_MESSAGE awaiting its R_MESSAGE."""

    rand: bytes | None  # the Initiator's RAND, if it sent one
    sessions: list[CryptoSession]
    offered: dict[int, bytes]  # SP bytes by policy number
    sent_ids: tuple[bytes, bytes]


class RsaRInitiator(RoundTripInitiator):
    """The Initiator of MIKEY-RSA-R: asks the Responder for keys, signed with
    ``private_key`` (whose certificate is ``certificates[0]``, sent with its chain unless
    empty), and accepts the answer only from a chain ``trust`` validates and that names
    ``peer_identity`` (when given) or the IDr it carries.

    ``send_rand`` puts the Initiator's RAND in the I_MESSAGE, as RFC 4738 §3.4
    recommends for unicast. One object per peer: it keeps the bundles established.
    """

    answer_type = DataType.RSA_R_R_MSG
    method = "RSA-R"

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
        s_types: Iterable[SType] = RSA_S_TYPES,
        signature_hash: HashFunc = DEFAULT_SIGNATURE_HASH,
        signature_hashes: Iterable[HashFunc] = (DEFAULT_SIGNATURE_HASH,),
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
        self.signature_hash = signature_hash
        self.signature_hashes = tuple(signature_hashes)
        self.prf_func = prf_func
        self.send_rand = send_rand
        self.id_type = id_type
        self.ts_type = ts_type
        self.profile = profile
        self._cert_payloads = cert_payloads(self.certificates)
        super().__init__(rng=rng)

    def initiate(
        self, sessions: Sequence[CryptoSessionSpec] = (CryptoSessionSpec(),), *, now: datetime
    ) -> bytes:
        """The I_MESSAGE asking for keys for ``sessions`` (one per SRTP stream; SSRC 0
        for the Responder's streams, §6.1.1), offering their policies; no sessions asks a
        group key server for the group's (§3.2, §3.4). Pass the answer to
        ``receive_response``."""
        new_sessions = crypto_sessions(sessions)
        csb_id = self._new_csb_id()
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
        payloads.append(signature_placeholder(self.private_key, self.s_type))
        header = CommonHeader(
            data_type=DataType.RSA_R_I_MSG,
            csb_id=csb_id,
            cs_id_map=_srtp_id_map(new_sessions),
            v=True,  # §3.4: MUST be 1, a response is mandatory
            prf_func=self.prf_func,
        )
        message = Message(header=header, payloads=tuple(payloads))
        data = sign_message(message, self.private_key, self.s_type, hash_func=self.signature_hash)
        self._pending[csb_id] = _Request(
            timestamp=t,
            rand=rand,
            sessions=new_sessions,
            offered=_sp_bytes(message),
            sent_ids=(self.identity or b"", self.peer_identity or b""),
        )
        return data

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
        request = self._request_for(message, data)
        assert isinstance(request, _Request)
        rand_payload = message.get(RandPayload)
        group_csb_id = _group_csb_id(message)
        if group_csb_id is not None:  # §3.6: group mode; the group's CSB ID and RAND count
            if rand_payload is None:
                raise MikeyProtocolError("a group R_MESSAGE carries the group's RAND (§3.5)")
            rand, csb_id = rand_payload.rand, group_csb_id
        elif (rand_payload is None) == (request.rand is None):
            raise MikeyProtocolError(
                "exactly one of the I_MESSAGE and the R_MESSAGE carries RAND (§3.7)"
            )
        else:
            chosen_rand = request.rand if rand_payload is None else rand_payload.rand
            assert chosen_rand is not None  # exactly one side sent it
            rand, csb_id = chosen_rand, header.csb_id
        ids = id_data(message)
        id_r = ids[-1] if ids else request.sent_ids[1]
        chain = peer_chain(message, id_r or None, self.known_peer_certificates)
        trusted(self.trust, chain, now)
        trailer = request.sent_ids[0] + id_r + _ts_bytes(request.timestamp)
        verify_message(
            message, chain[0], self.s_types, hash_funcs=self.signature_hashes, trailer=trailer
        )
        inner = _open_kemac(message, self.private_key, csb_id=csb_id, rand=rand)
        self._check_responder(chain[0], inner, id_r)
        sessions = self._sessions(message, request)
        traffic_key = _traffic_key(inner[1:])
        bundle = CryptoSessionBundle(
            csb_id=csb_id,
            rand=rand,
            prf_func=header.prf_func,
            traffic_key=traffic_key,
            crypto_sessions=sessions,
            initiator_id=self.identity,
            responder_id=id_r or None,
        )
        for session in sessions:
            bundle.check_keys(session.cs_id)
        self._settle(request, data, bundle, csb_id=header.csb_id)
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
        group = not request.sessions  # §3.2: the group's crypto sessions, as given
        if not isinstance(cs_map, SrtpIdMap) or (
            not group and len(cs_map.entries) != len(request.sessions)
        ):
            raise MikeyProtocolError("the R_MESSAGE does not map the crypto sessions we sent")
        if group:
            return _group_sessions(message, cs_map)
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


def _group_csb_id(message: Message) -> int | None:
    """The group's CSB ID of a General Extension CSB_ID (§3.6), if the message has one."""
    for payload in message.get_all(GeneralExtensionPayload):
        content = payload.content
        if isinstance(content, CsbId):
            return content.csb_id
    return None


def _group_sessions(message: Message, cs_map: SrtpIdMap) -> list[CryptoSession]:
    """The crypto sessions a group key server gave, with the policies it sent (§3.2)."""
    policies = {
        sp.policy_no: srtp_policy_from_sp(sp) for sp in message.get_all(SecurityPolicyPayload)
    }
    sessions = []
    for index, entry in enumerate(cs_map.entries):
        policy = policies.get(entry.policy_no)
        if policy is None:
            raise MikeyProtocolError(f"group CS {index + 1} has no SP {entry.policy_no}")
        sessions.append(
            CryptoSession(
                cs_id=index + 1,
                policy_no=entry.policy_no,
                ssrc=entry.ssrc,
                roc=entry.roc,
                policy=policy,
            )
        )
    return sessions


@dataclass(frozen=True, slots=True, kw_only=True)
class RsaRGroup:
    """The keys a group key server gives every member who asks (RFC 4738 §3.2): one CSB
    ID, RAND, set of crypto sessions (the group's streams and their senders' SSRCs) and
    TGK. Make one with ``create`` and give it to an ``RsaRResponder``."""

    csb_id: int
    rand: bytes = field(repr=False)
    crypto_sessions: tuple[CryptoSession, ...]
    traffic_key: TrafficKey

    @classmethod
    def create(
        cls,
        sessions: Sequence[CryptoSessionSpec],
        *,
        profile: InteropProfile = RFC3830,
        encr_alg: EncrAlg = EncrAlg.AES_CM_128,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> RsaRGroup:
        """A fresh group for ``sessions``: its CSB ID, RAND and TGK drawn from ``rng``."""
        if not sessions:
            raise MikeyValueError("a group has at least one crypto session")
        crypto = crypto_sessions(sessions)
        return cls(
            csb_id=int.from_bytes(rng(4)) or 1,
            rand=rng(RAND_LENGTH),
            crypto_sessions=tuple(crypto),
            traffic_key=new_traffic_key(profile, encr_alg, crypto, 0, rng),
        )


def _open_kemac(
    message: Message, key: rsa.RSAPrivateKey, *, csb_id: int, rand: bytes
) -> tuple[Payload, ...]:
    """The KEMAC's sub-payloads, decrypted with the keys from the envelope (PKE) once
    the MAC over the KEMAC payload checks out (RFC 3830 §5.2); ``csb_id`` and ``rand``
    are those the keys derive from (the group's in group mode, §3.6)."""
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
        csb_id=csb_id,
        rand=rand,
        encr_alg=kemac.encr_alg,
        mac_alg=kemac.mac_alg,
        prf_func=header.prf_func,
    )
    verify_mac(kemac.mac_alg, keys.authentication, message.kemac_mac_bytes(), kemac.mac)
    timestamp = message.get(TimestampPayload)
    assert timestamp is not None
    plaintext = decrypt_key_data(
        kemac.encr_data, encr_alg=kemac.encr_alg, keys=keys, csb_id=csb_id, timestamp=timestamp
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


class RsaRResponder(RoundTripResponder):
    """The Responder of MIKEY-RSA-R: answers a signed request from a chain ``trust``
    validates with a traffic key of its choosing, encrypted to the Initiator.

    ``private_key`` signs R_MESSAGEs; ``certificates`` (leaf first) are sent with them;
    ``identity`` (IDr, which leads the KEMAC, §3.6) must be one the certificate names.
    ``accept_policy`` decides which offered SRTP policies are acceptable; a request
    offering none takes ``default_policy``. ``encr_alg`` and ``mac_alg`` protect the
    KEMAC. Replays are dropped (``replay_cache``, RFC 3830 §5.4); other refusals are
    answered with an (unauthenticated) error message.
    """

    request_type = DataType.RSA_R_I_MSG
    method = "RSA-R"

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
        s_types: Iterable[SType] = RSA_S_TYPES,
        signature_hash: HashFunc = DEFAULT_SIGNATURE_HASH,
        signature_hashes: Iterable[HashFunc] = (DEFAULT_SIGNATURE_HASH,),
        encr_alg: EncrAlg = EncrAlg.AES_CM_128,
        mac_alg: MacAlg = MacAlg.HMAC_SHA_1_160,
        prf_funcs: Iterable[PrfFunc] = (PrfFunc.MIKEY_1, PrfFunc.PRF_HMAC_SHA_256),
        accept_policy: Callable[[SrtpPolicy], bool] = default_policy_acceptance,
        default_policy: SrtpPolicy = AES_CM_128_HMAC_SHA1_80,
        group: RsaRGroup | None = None,
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
        super().__init__(
            identity=identity,
            prf_funcs=prf_funcs,
            accept_policy=accept_policy,
            replay_cache=replay_cache,
            profile=profile,
            id_type=id_type,
            max_bundles=max_bundles,
            rng=rng,
        )
        self.identity: bytes = identity
        self.private_key = private_key
        self.certificates = tuple(certificates)
        self.trust = trust
        self.known_certificates = dict(known_certificates or {})
        self.identity_check = identity_check
        self.s_type = s_type
        self.s_types = frozenset(s_types)
        self.signature_hash = signature_hash
        self.signature_hashes = tuple(signature_hashes)
        self.encr_alg = encr_alg
        self.mac_alg = mac_alg
        self.default_policy = default_policy
        self.group = group
        self._cert_payloads = cert_payloads(self.certificates)

    def _process(
        self, message: Message, *, now: datetime, peer: bytes
    ) -> tuple[CryptoSessionBundle, bytes]:
        header = message.header
        t = message.get(TimestampPayload)
        if t is None:  # the wire rules require it; defensive
            raise MikeyProtocolError("an I_MESSAGE needs T")
        ids = id_data(message)
        id_i = ids[0] if ids else None
        id_r = ids[1] if len(ids) > 1 else b""
        replay_peer = id_i if id_i is not None else peer
        entry, late = self._freshness(message, t, now=now, peer=replay_peer)
        chain = peer_chain(message, id_i, self.known_certificates)
        trusted(self.trust, chain, now)
        verify_message(message, chain[0], self.s_types, hash_funcs=self.signature_hashes)
        if late is not None:
            raise late
        if id_i is not None and not self.identity_check(chain[0], id_i):
            raise MikeyIdentityError(f"the Initiator's certificate is not for {id_i!r}")
        if id_r and id_r != self.identity:
            raise MikeyIdentityError(f"IDr {id_r!r} is not this Responder")
        key = (replay_peer, header.csb_id)
        self._check_prf_and_room(message, key)
        rand_payload = message.get(RandPayload)
        group = self.group
        if group is not None:  # §3.2: the group's keys, whatever the member offered
            sessions = [dataclasses.replace(s) for s in group.crypto_sessions]
            chosen = _policy_payloads(sessions, self.profile)
            csb_id, rand, traffic_key = group.csb_id, group.rand, group.traffic_key
        else:
            sessions, chosen = self._sessions(message)
            csb_id = header.csb_id
            rand = rand_payload.rand if rand_payload is not None else self._rng(RAND_LENGTH)
            traffic_key = new_traffic_key(self.profile, self.encr_alg, sessions, 0, self._rng)
        bundle = CryptoSessionBundle(
            csb_id=csb_id,
            rand=rand,
            prf_func=header.prf_func,
            traffic_key=traffic_key,
            crypto_sessions=sessions,
            initiator_id=id_i,
            responder_id=self.identity,
        )
        initiator_key = rsa_public_key(chain[0])
        reply = self._r_message(
            message,
            bundle,
            chosen,
            initiator_key,
            send_rand=group is not None or rand_payload is None,
            trailer_ids=(id_i or b"", self.identity),
        )
        self._keep(entry, key, bundle)
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
        """R_MESSAGE = HDR, [GenExt(CSB_ID)], T, [RAND], [IDr|CERTr], [SP], KEMAC, PKE,
        SIGNr (§3.6): the HDR keeps the request's CSB ID; a group answer names the
        group's in the General Extension."""
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
        payloads: list[Payload] = []
        if self.group is not None:
            payloads.append(GeneralExtensionPayload.from_content(CsbId(csb_id=bundle.csb_id)))
        payloads.append(t)
        if send_rand:
            payloads.append(RandPayload(rand=bundle.rand))
        payloads.append(IdPayload(id_type=self.id_type, data=self.identity))
        payloads += self._cert_payloads
        payloads += chosen or _policy_payloads(bundle.crypto_sessions, self.profile)
        payloads.append(kemac)
        payloads.append(EnvelopePayload(data=seal_envelope(initiator_key, envelope_key)))
        payloads.append(signature_placeholder(self.private_key, self.s_type))
        header = CommonHeader(
            data_type=DataType.RSA_R_R_MSG,
            csb_id=request.header.csb_id,
            cs_id_map=_srtp_id_map(bundle.crypto_sessions),
            prf_func=bundle.prf_func,
        )
        message = Message(header=header, payloads=tuple(payloads))
        trailer = trailer_ids[0] + trailer_ids[1] + _ts_bytes(t)
        return sign_message(
            message,
            self.private_key,
            self.s_type,
            hash_func=self.signature_hash,
            kemac_key=(self.mac_alg, keys.authentication),
            trailer=trailer,
        )
