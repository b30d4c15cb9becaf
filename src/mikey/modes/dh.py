"""The Diffie-Hellman methods, sans-I/O: signed DH (RFC 3830 §3.3, §4.5, §5.2, §6.4) and
HMAC-authenticated DH, DHHMAC (RFC 4650 §3, §3.1, §4).

    DH-SIGN  I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP}, DHi, SIGNi
             R_MESSAGE = HDR, T, [IDr|CERTr], IDi, DHr, DHi, SIGNr
    DHHMAC   I_MESSAGE = HDR, T, RAND, [IDi], IDr, {SP}, DHi, KEMAC
             R_MESSAGE = HDR, T, [IDr], IDi, DHr, DHi, KEMAC

Both sides draw a fresh exponent per exchange and take the TGK as g^(xi*xr), the shared
secret as a big-endian value of the group's length: forward secrecy, and each fork
branch gets its own key (RFC 5197 §5.2). The R_MESSAGE echoes T and DHi; the Initiator
checks both. DH-SIGN signs each message with the key of the sender's certificate, which
the peer validates through its trust store; DHHMAC puts an HMAC over the whole message
in a KEMAC with NULL encryption and no key data (RFC 4650 §4.2), keyed with the
authentication key derived from the pre-shared key, the CSB ID and the Initiator's RAND
(RFC 3830 §4.1.4, as RFC 4650 §1.1 refers to).

Which groups are acceptable is policy (``groups``): by default only OAKLEY 5, so that
an Initiator offering a weaker group is refused with Invalid DH (no downgrade).

Updates (§4.5, RFC 4650 §3.1): the same CSB ID, no RAND; with a fresh DHi the answer
brings DHr and DHi and a new TGK, without one neither side sends a DH value and the TGK
stays (policies and crypto sessions change). Certificates are sent again in updates.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from mikey.crypto.dh import DhPrivateKey, generate_private_key
from mikey.crypto.kemac import compute_mac, message_keys, verify_mac
from mikey.crypto.signature import DEFAULT_SIGNATURE_HASH
from mikey.errors import (
    MikeyIdentityError,
    MikeyInvalidDhError,
    MikeyInvalidMacAlgError,
    MikeyPolicyError,
    MikeyProtocolError,
    MikeyValueError,
)
from mikey.interop import RFC3830, InteropProfile
from mikey.modes.common import (
    RAND_LENGTH,
    CryptoSessionSpec,
    _policy_payloads,
    _srtp_id_map,
    crypto_sessions,
    default_policy_acceptance,
    require_aware,
)
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
    DhGroup,
    EncrAlg,
    HashFunc,
    IdType,
    KeyDataType,
    MacAlg,
    PrfFunc,
    SType,
    TsType,
)
from mikey.session import CryptoSession, CryptoSessionBundle, TrafficKey
from mikey.srtp.policy import SrtpPolicy
from mikey.srtp.security_policy import srtp_policy_from_sp
from mikey.wire.basic import IdPayload, RandPayload, TimestampPayload
from mikey.wire.header import CommonHeader, SrtpIdMap
from mikey.wire.kemac import KemacPayload
from mikey.wire.message import Message, decode_message
from mikey.wire.payload import Payload
from mikey.wire.policy import SecurityPolicyPayload
from mikey.wire.publickey import DhPayload

__all__ = ["DhHmacInitiator", "DhHmacResponder", "DhSignInitiator", "DhSignResponder"]


def _dh_payloads(message: Message) -> list[DhPayload]:
    return [p for p in message.payloads if isinstance(p, DhPayload)]


# -- authentication: SIGN or HMAC ------------------------------------------------------


class _Signed:
    """DH-SIGN: each side signs with the key of its certificate (RFC 3830 §3.3, §5.2)."""

    def __init__(
        self,
        private_key: rsa.RSAPrivateKey,
        certificates: Sequence[x509.Certificate],
        *,
        trust: CertificateTrust,
        known: Mapping[bytes, Sequence[x509.Certificate]] | None,
        identity_check: Callable[[x509.Certificate, bytes], bool],
        s_type: SType,
        s_types: Iterable[SType],
        signature_hash: HashFunc,
        signature_hashes: Iterable[HashFunc],
    ) -> None:
        check_credentials(private_key, certificates)
        check_s_type(s_type)
        self.private_key = private_key
        self.certificates = tuple(certificates)
        self.trust = trust
        self.known = dict(known or {})
        self.identity_check = identity_check
        self.s_type = s_type
        self.s_types = frozenset(s_types)
        self.signature_hash = signature_hash
        self.signature_hashes = tuple(signature_hashes)
        self.cert_payloads = cert_payloads(self.certificates)

    def credentials(self) -> list[Payload]:
        return list(self.cert_payloads)

    def placeholder(self) -> Payload:
        return signature_placeholder(self.private_key, self.s_type)

    def seal(self, message: Message, *, csb_id: int, rand: bytes, prf_func: PrfFunc | int) -> bytes:
        return sign_message(message, self.private_key, self.s_type, hash_func=self.signature_hash)

    def check(
        self,
        message: Message,
        *,
        sender: bytes | None,
        now: datetime,
        rand: bytes,
    ) -> None:
        """The sender's chain is trusted, names ``sender`` (its ID), and signed."""
        chain = peer_chain(message, sender, self.known)
        trusted(self.trust, chain, now)
        verify_message(message, chain[0], self.s_types, hash_funcs=self.signature_hashes)
        if sender is not None and not self.identity_check(chain[0], sender):
            raise MikeyIdentityError(f"the peer's certificate is not for {sender!r}")


class _Hmac:
    """DHHMAC: an HMAC over the whole message, in a KEMAC with NULL encryption and no
    key data, keyed by the authentication key of the pre-shared key (RFC 4650 §4.2)."""

    def __init__(self, psk: bytes, mac_alg: MacAlg) -> None:
        if not psk:
            raise MikeyValueError("DHHMAC needs a pre-shared key")
        if mac_alg == MacAlg.NULL:
            raise MikeyInvalidMacAlgError("DHHMAC needs a MAC (RFC 4650 §4.2)")
        self.psk = psk
        self.mac_alg = mac_alg

    def credentials(self) -> list[Payload]:
        return []  # RFC 4650 §4.3: IDs only, no certificates

    def placeholder(self) -> Payload:
        return KemacPayload(
            encr_alg=EncrAlg.NULL,
            encr_data=b"",
            mac_alg=self.mac_alg,
            mac=bytes(self.mac_alg.mac_length),
        )

    def _key(self, mac_alg: MacAlg | int, *, csb_id: int, rand: bytes, prf: PrfFunc | int) -> bytes:
        keys = message_keys(
            self.psk, csb_id=csb_id, rand=rand, encr_alg=EncrAlg.NULL, mac_alg=mac_alg, prf_func=prf
        )
        return keys.authentication

    def seal(self, message: Message, *, csb_id: int, rand: bytes, prf_func: PrfFunc | int) -> bytes:
        data = message.encode()
        covered = data[: len(data) - self.mac_alg.mac_length]
        key = self._key(self.mac_alg, csb_id=csb_id, rand=rand, prf=prf_func)
        return covered + compute_mac(self.mac_alg, key, covered)

    def check(
        self,
        message: Message,
        *,
        sender: bytes | None,
        now: datetime,
        rand: bytes,
    ) -> None:
        kemac = message.payloads[-1]
        if not isinstance(kemac, KemacPayload):  # the wire rules require it; defensive
            raise MikeyProtocolError("a DHHMAC message ends with a KEMAC")
        if kemac.mac_alg == MacAlg.NULL:
            raise MikeyInvalidMacAlgError("the NULL MAC leaves a DHHMAC message unauthenticated")
        if kemac.encr_alg != EncrAlg.NULL or kemac.encr_data:
            raise MikeyProtocolError("a DHHMAC KEMAC carries no encrypted data (RFC 4650 §4.2)")
        header = message.header
        key = self._key(kemac.mac_alg, csb_id=header.csb_id, rand=rand, prf=header.prf_func)
        verify_mac(kemac.mac_alg, key, message.authenticated_bytes(), kemac.mac)


_Auth = _Signed | _Hmac


# -- the Initiator -----------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class _Request(Request):
    rand: bytes
    key: DhPrivateKey | None  # None: an update that keeps the TGK (§4.5)
    dh_i: bytes
    sessions: list[CryptoSession]
    sent_ids: tuple[bytes, bytes]
    previous: CryptoSessionBundle | None = None  # the bundle an update replaces


class _DhInitiator(RoundTripInitiator):
    """What both DH Initiators do: offer a DH value, take the answer's, derive the TGK."""

    request_type: ClassVar[DataType]

    def __init__(
        self,
        auth: _Auth,
        *,
        identity: bytes | None,
        peer_identity: bytes | None,
        group: DhGroup,
        prf_func: PrfFunc,
        id_type: IdType,
        ts_type: TsType,
        profile: InteropProfile,
        rng: Callable[[int], bytes],
    ) -> None:
        self._auth = auth
        self.identity = identity
        self.peer_identity = peer_identity
        self.group = group
        self.prf_func = prf_func
        self.id_type = id_type
        self.ts_type = ts_type
        self.profile = profile
        super().__init__(rng=rng)

    def initiate(
        self, sessions: Sequence[CryptoSessionSpec] = (CryptoSessionSpec(),), *, now: datetime
    ) -> bytes:
        """The I_MESSAGE offering our DH value for ``sessions``. Pass the answer to
        ``receive_response``."""
        require_aware(now)
        request = _Request(
            timestamp=TimestampPayload.at(now, self.ts_type),
            rand=self._rng(RAND_LENGTH),
            key=generate_private_key(self.group),
            dh_i=b"",
            sessions=crypto_sessions(sessions),
            sent_ids=(self.identity or b"", self.peer_identity or b""),
        )
        return self._send(self._new_csb_id(), request, initial=True)

    def update(
        self,
        bundle: CryptoSessionBundle,
        *,
        now: datetime,
        add: Sequence[CryptoSessionSpec] = (),
        new_key: bool = True,
    ) -> bytes:
        """An update of an established ``bundle`` (RFC 3830 §4.5, RFC 4650 §3.1): same CSB
        ID, no RAND, a new timestamp; with ``new_key`` a fresh DHi, so that the answer
        brings a new TGK, else no DH value and the TGK stays; ``add`` appends crypto
        sessions. The bundle changes when the answer is taken by ``receive_response``."""
        require_aware(now)
        if self.bundles.get(bundle.csb_id) is not bundle:
            raise MikeyValueError(f"CSB {bundle.csb_id:#010x} is not established with this peer")
        sessions = [dataclasses.replace(s) for s in bundle.crypto_sessions]
        for spec in crypto_sessions(add):
            sessions.append(dataclasses.replace(spec, cs_id=len(sessions) + 1))
        request = _Request(
            timestamp=TimestampPayload.at(now, self.ts_type),
            rand=bundle.rand,
            key=generate_private_key(self.group) if new_key else None,
            dh_i=b"",
            sessions=sessions,
            sent_ids=(self.identity or b"", self.peer_identity or b""),
            previous=bundle,
        )
        return self._send(bundle.csb_id, request, initial=False)

    def _send(self, csb_id: int, request: _Request, *, initial: bool) -> bytes:
        payloads: list[Payload] = [request.timestamp]
        if initial:
            payloads.append(RandPayload(rand=request.rand))
        for identity in (self.identity, self.peer_identity):
            if identity is not None:
                payloads.append(IdPayload(id_type=self.id_type, data=identity))
        # Updates carry the certificates again (§4.5 lets them be left out, but then each
        # side would have to keep the other's chain per CSB to check the signature).
        payloads += self._auth.credentials()
        payloads += _policy_payloads(request.sessions, self.profile)
        if request.key is not None:
            request.dh_i = request.key.public_value()
            payloads.append(DhPayload(dh_group=self.group, dh_value=request.dh_i))
        payloads.append(self._auth.placeholder())
        header = CommonHeader(
            data_type=self.request_type,
            csb_id=csb_id,
            cs_id_map=_srtp_id_map(request.sessions),
            prf_func=self.prf_func,
        )
        data = self._auth.seal(
            Message(header=header, payloads=tuple(payloads)),
            csb_id=csb_id,
            rand=request.rand,
            prf_func=self.prf_func,
        )
        self._pending[csb_id] = request
        return data

    def receive_response(self, data: bytes, *, now: datetime) -> CryptoSessionBundle:
        """Check the R_MESSAGE and return the bundle keyed by the DH secret.

        :raises MikeyPeerError: the answer is an error message (unauthenticated).
        :raises MikeyInvalidCertError: (DH-SIGN) the Responder's chain is not trusted.
        :raises MikeyAuthenticationError: SIGNr or the HMAC does not verify.
        :raises MikeyInvalidDhError: the Responder's DH value is not valid.
        :raises MikeyProtocolError: the answer does not match the request.
        :raises MikeyParseError: the bytes are not a MIKEY message.
        """
        require_aware(now)
        message = decode_message(data, profile=self.profile.wire)
        header = message.header
        request = self._request_for(message, data)
        assert isinstance(request, _Request)
        ids = id_data(message)
        # R_MESSAGE = ..., [IDr], IDi, ...: IDi is the last ID payload, IDr the one before.
        if not ids or ids[-1] != request.sent_ids[0]:
            raise MikeyProtocolError("the R_MESSAGE does not carry our IDi")
        id_r = ids[-2] if len(ids) > 1 else (self.peer_identity or None)
        self._auth.check(message, sender=id_r, now=now, rand=request.rand)
        if self.peer_identity is not None and id_r != self.peer_identity:
            raise MikeyIdentityError(f"the answer is from {id_r!r}, not {self.peer_identity!r}")
        tgk = self._tgk(message, request)
        previous = request.previous
        sessions = _answered_sessions(message.header, request.sessions)
        if tgk is None:
            assert previous is not None  # only an update keeps the key
            traffic_key, generation = previous.traffic_key, previous.generation
        else:
            traffic_key = TrafficKey(key_type=KeyDataType.TGK, key=tgk)
            generation = 0 if previous is None else previous.generation + 1
        bundle = CryptoSessionBundle(
            csb_id=header.csb_id,
            rand=request.rand,
            prf_func=header.prf_func,
            traffic_key=traffic_key,
            crypto_sessions=sessions,
            initiator_id=self.identity,
            responder_id=id_r,
            generation=generation,
        )
        if previous is not None:  # an update: in force at once, as any answer to it
            del self._pending[header.csb_id]
            self.bundles[header.csb_id] = bundle
            return bundle
        self._settle(request, data, bundle, csb_id=header.csb_id)
        return bundle

    def _tgk(self, message: Message, request: _Request) -> bytes | None:
        """g^(xi*xr) from the answer's DHr, or None when the request sent no DHi (an
        update keeping the TGK): then the answer carries no DH value either (§4.5)."""
        dh_values = _dh_payloads(message)
        if request.key is None:
            if dh_values:
                raise MikeyProtocolError("the answer carries DH values we did not ask for")
            return None
        if len(dh_values) != 2:
            raise MikeyProtocolError("the R_MESSAGE carries DHr and DHi (§3.3, §4.5)")
        dh_r, dh_i = dh_values
        if (dh_i.dh_group, dh_i.dh_value) != (self.group, request.dh_i):
            raise MikeyProtocolError("the R_MESSAGE does not echo our DH value")
        if dh_r.dh_group != self.group:
            raise MikeyInvalidDhError(
                f"the answer uses {dh_r.dh_group.label}, we offered {self.group.label}"
            )
        return request.key.exchange(dh_r.dh_value)


def _answered_sessions(header: CommonHeader, ours: list[CryptoSession]) -> list[CryptoSession]:
    """Our crypto sessions with the SSRCs the Responder filled in (§6.1.1)."""
    cs_map = header.cs_id_map
    if not isinstance(cs_map, SrtpIdMap) or len(cs_map.entries) != len(ours):
        raise MikeyProtocolError("the R_MESSAGE does not map the crypto sessions we sent")
    sessions = []
    for session, entry in zip(ours, cs_map.entries, strict=True):
        if session.ssrc and entry.ssrc != session.ssrc:
            raise MikeyProtocolError(f"the answer changes the SSRC of CS {session.cs_id}")
        sessions.append(
            CryptoSession(
                cs_id=session.cs_id,
                policy_no=session.policy_no,
                ssrc=entry.ssrc,
                roc=session.roc,
                policy=session.policy,
            )
        )
    return sessions


class DhSignInitiator(_DhInitiator):
    """The Initiator of signed Diffie-Hellman (RFC 3830 §3.3): signs with
    ``private_key`` (certificate ``certificates[0]``, sent with its chain unless empty)
    and accepts an answer only from a chain ``trust`` validates that names the IDr it
    carries (and ``peer_identity``, when given)."""

    request_type = DataType.DH_INIT
    answer_type = DataType.DH_RESP
    method = "DH-SIGN"

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
        group: DhGroup = DhGroup.OAKLEY_5,
        s_type: SType = SType.RSA_PKCS1_1_5,
        s_types: Iterable[SType] = RSA_S_TYPES,
        signature_hash: HashFunc = DEFAULT_SIGNATURE_HASH,
        signature_hashes: Iterable[HashFunc] = (DEFAULT_SIGNATURE_HASH,),
        prf_func: PrfFunc = PrfFunc.MIKEY_1,
        id_type: IdType = IdType.URI,
        ts_type: TsType = TsType.NTP_UTC,
        profile: InteropProfile = RFC3830,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        auth = _Signed(
            private_key,
            certificates,
            trust=trust,
            known=known_peer_certificates,
            identity_check=identity_check,
            s_type=s_type,
            s_types=s_types,
            signature_hash=signature_hash,
            signature_hashes=signature_hashes,
        )
        super().__init__(
            auth,
            identity=identity,
            peer_identity=peer_identity,
            group=group,
            prf_func=prf_func,
            id_type=id_type,
            ts_type=ts_type,
            profile=profile,
            rng=rng,
        )


class DhHmacInitiator(_DhInitiator):
    """The Initiator of DHHMAC (RFC 4650): both messages carry an HMAC keyed from the
    pre-shared key ``psk``. ``peer_identity`` (IDr) is required (§3)."""

    request_type = DataType.DHHMAC_INIT
    answer_type = DataType.DHHMAC_RESP
    method = "DHHMAC"

    def __init__(
        self,
        *,
        psk: bytes,
        peer_identity: bytes,
        identity: bytes | None = None,
        group: DhGroup = DhGroup.OAKLEY_5,
        mac_alg: MacAlg = MacAlg.HMAC_SHA_1_160,
        prf_func: PrfFunc = PrfFunc.MIKEY_1,
        id_type: IdType = IdType.URI,
        ts_type: TsType = TsType.NTP_UTC,
        profile: InteropProfile = RFC3830,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        if not peer_identity:
            raise MikeyValueError("DHHMAC always names the Responder (IDr, RFC 4650 §3)")
        super().__init__(
            _Hmac(psk, mac_alg),
            identity=identity,
            peer_identity=peer_identity,
            group=group,
            prf_func=prf_func,
            id_type=id_type,
            ts_type=ts_type,
            profile=profile,
            rng=rng,
        )


# -- the Responder -----------------------------------------------------------------------


class _DhResponder(RoundTripResponder):
    """What both DH Responders do: check the request, answer with our DH value."""

    answer_type: ClassVar[DataType]

    def __init__(
        self,
        auth: _Auth,
        *,
        identity: bytes | None,
        groups: Iterable[DhGroup],
        prf_funcs: Iterable[PrfFunc],
        accept_policy: Callable[[SrtpPolicy], bool],
        replay_cache: ReplayCache | None,
        profile: InteropProfile,
        id_type: IdType,
        max_bundles: int,
        rng: Callable[[int], bytes],
    ) -> None:
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
        self._auth = auth
        self.groups = frozenset(groups)

    def _process(
        self, message: Message, *, now: datetime, peer: bytes
    ) -> tuple[CryptoSessionBundle, bytes]:
        header = message.header
        t = message.get(TimestampPayload)
        if t is None:  # the wire rules require it; defensive
            raise MikeyProtocolError("a DH I_MESSAGE carries T")
        rand_payload = message.get(RandPayload)
        dh_values = _dh_payloads(message)
        ids = id_data(message)
        id_i = ids[0] if ids else None
        id_r = ids[1] if len(ids) > 1 else None
        replay_peer = id_i if id_i is not None else peer
        key = (replay_peer, header.csb_id)
        entry, late = self._freshness(message, t, now=now, peer=replay_peer)
        existing = self.bundles.get(key)
        if existing is not None:
            if rand_payload is not None:
                raise MikeyProtocolError(
                    "an update of an established CSB must not carry a new RAND (RFC 3830 §4.5)"
                )
            rand = existing.rand
        elif rand_payload is None or len(dh_values) != 1:
            raise MikeyProtocolError(
                f"CSB {header.csb_id:#010x} is not established: an initial DH I_MESSAGE"
                " carries RAND and DHi (§3.3)"
            )
        else:
            rand = rand_payload.rand
        self._auth.check(message, sender=id_i, now=now, rand=rand)
        if late is not None:
            raise late
        if id_r is not None and self.identity is not None and id_r != self.identity:
            raise MikeyIdentityError(f"IDr {id_r!r} is not this Responder")
        self._check_prf_and_room(message, key)
        sessions = self._sessions(message, existing)
        payloads: list[Payload] = [t]
        if self.identity is not None:
            payloads.append(IdPayload(id_type=self.id_type, data=self.identity))
        payloads += self._auth.credentials()
        payloads.append(IdPayload(id_type=self.id_type, data=id_i or b""))
        if dh_values:
            (dh_i,) = dh_values
            if dh_i.dh_group not in self.groups:
                accepted = ", ".join(g.label for g in sorted(self.groups))
                raise MikeyInvalidDhError(
                    f"{dh_i.dh_group.label} is not accepted (policy: {accepted}); no downgrade"
                )
            ours = generate_private_key(dh_i.dh_group)
            tgk = ours.exchange(dh_i.dh_value)  # raises Invalid DH for a bad value
            traffic_key = TrafficKey(key_type=KeyDataType.TGK, key=tgk)
            generation = 0 if existing is None else existing.generation + 1
            payloads.append(DhPayload(dh_group=dh_i.dh_group, dh_value=ours.public_value()))
            payloads.append(dh_i)
        else:  # §4.5: no DHi, no DHr: the TGK stays, only the rest changes
            assert existing is not None
            traffic_key, generation = existing.traffic_key, existing.generation
        bundle = CryptoSessionBundle(
            csb_id=header.csb_id,
            rand=rand,
            prf_func=header.prf_func,
            traffic_key=traffic_key,
            crypto_sessions=sessions,
            initiator_id=id_i,
            responder_id=self.identity,
            generation=generation,
        )
        payloads.append(self._auth.placeholder())
        answer_header = CommonHeader(
            data_type=self.answer_type,
            csb_id=header.csb_id,
            cs_id_map=_srtp_id_map(sessions),
            prf_func=header.prf_func,
        )
        reply = self._auth.seal(
            Message(header=answer_header, payloads=tuple(payloads)),
            csb_id=header.csb_id,
            rand=rand,
            prf_func=header.prf_func,
        )
        self._keep(entry, key, bundle)
        return bundle, reply

    def _new_ssrc(self) -> int:
        return int.from_bytes(self._rng(4)) or 1  # ours to choose (§6.1.1)

    def _sessions(
        self, message: Message, existing: CryptoSessionBundle | None
    ) -> list[CryptoSession]:
        cs_map = message.header.cs_id_map
        if not isinstance(cs_map, SrtpIdMap) or not cs_map.entries:
            raise MikeyProtocolError("the I_MESSAGE maps no SRTP crypto session")
        offered = {sp.policy_no: sp for sp in message.get_all(SecurityPolicyPayload)}
        sessions = []
        for index, entry in enumerate(cs_map.entries):
            sp = offered.get(entry.policy_no)
            if sp is None:
                raise MikeyPolicyError(
                    f"crypto session {index + 1} refers to policy {entry.policy_no}, which the"
                    " message does not carry"
                )
            policy = srtp_policy_from_sp(sp, gstreamer_sp=self.profile.gstreamer_sp)
            if not self.accept_policy(policy):
                raise MikeyPolicyError(f"policy {sp.policy_no} ({policy.name}) is not acceptable")
            sessions.append(
                CryptoSession(
                    cs_id=index + 1,
                    policy_no=entry.policy_no,
                    ssrc=entry.ssrc
                    or _kept_ssrc(existing, index)
                    or int.from_bytes(self._rng(4))
                    or 1,
                    roc=entry.roc,
                    policy=policy,
                )
            )
        return sessions


def _kept_ssrc(existing: CryptoSessionBundle | None, index: int) -> int:
    """The SSRC this side chose before for crypto session ``index`` + 1 (0 if none): an
    update keeps the placeholders filled in (§6.1.1)."""
    if existing is None or index >= len(existing.crypto_sessions):
        return 0
    return existing.crypto_sessions[index].ssrc


class DhSignResponder(_DhResponder):
    """The Responder of signed Diffie-Hellman (RFC 3830 §3.3): answers a request whose
    chain ``trust`` validates and whose signature checks out, signed with
    ``private_key`` (certificate ``certificates[0]``)."""

    request_type = DataType.DH_INIT
    answer_type = DataType.DH_RESP
    method = "DH-SIGN"

    def __init__(
        self,
        *,
        private_key: rsa.RSAPrivateKey,
        certificates: Sequence[x509.Certificate],
        trust: CertificateTrust,
        identity: bytes | None = None,
        known_certificates: Mapping[bytes, Sequence[x509.Certificate]] | None = None,
        identity_check: Callable[[x509.Certificate, bytes], bool] = names_identity,
        groups: Iterable[DhGroup] = (DhGroup.OAKLEY_5,),
        s_type: SType = SType.RSA_PKCS1_1_5,
        s_types: Iterable[SType] = RSA_S_TYPES,
        signature_hash: HashFunc = DEFAULT_SIGNATURE_HASH,
        signature_hashes: Iterable[HashFunc] = (DEFAULT_SIGNATURE_HASH,),
        prf_funcs: Iterable[PrfFunc] = (PrfFunc.MIKEY_1, PrfFunc.PRF_HMAC_SHA_256),
        accept_policy: Callable[[SrtpPolicy], bool] = default_policy_acceptance,
        replay_cache: ReplayCache | None = None,
        profile: InteropProfile = RFC3830,
        id_type: IdType = IdType.URI,
        max_bundles: int = 100_000,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        auth = _Signed(
            private_key,
            certificates,
            trust=trust,
            known=known_certificates,
            identity_check=identity_check,
            s_type=s_type,
            s_types=s_types,
            signature_hash=signature_hash,
            signature_hashes=signature_hashes,
        )
        super().__init__(
            auth,
            identity=identity,
            groups=groups,
            prf_funcs=prf_funcs,
            accept_policy=accept_policy,
            replay_cache=replay_cache,
            profile=profile,
            id_type=id_type,
            max_bundles=max_bundles,
            rng=rng,
        )


class DhHmacResponder(_DhResponder):
    """The Responder of DHHMAC (RFC 4650): both messages carry an HMAC keyed from the
    pre-shared key ``psk``."""

    request_type = DataType.DHHMAC_INIT
    answer_type = DataType.DHHMAC_RESP
    method = "DHHMAC"

    def __init__(
        self,
        *,
        psk: bytes,
        identity: bytes | None = None,
        groups: Iterable[DhGroup] = (DhGroup.OAKLEY_5,),
        mac_alg: MacAlg = MacAlg.HMAC_SHA_1_160,
        prf_funcs: Iterable[PrfFunc] = (PrfFunc.MIKEY_1, PrfFunc.PRF_HMAC_SHA_256),
        accept_policy: Callable[[SrtpPolicy], bool] = default_policy_acceptance,
        replay_cache: ReplayCache | None = None,
        profile: InteropProfile = RFC3830,
        id_type: IdType = IdType.URI,
        max_bundles: int = 100_000,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        super().__init__(
            _Hmac(psk, mac_alg),
            identity=identity,
            groups=groups,
            prf_funcs=prf_funcs,
            accept_policy=accept_policy,
            replay_cache=replay_cache,
            profile=profile,
            id_type=id_type,
            max_bundles=max_bundles,
            rng=rng,
        )
