"""The public-key envelope method, sans-I/O (RFC 3830 §3.2, §4.1.4, §4.2.5, §4.2.6, §4.5,
§5.2, §6.3, §6.5, §6.7, §6.8).

    I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP}, KEMAC, [CHASH], PKE, SIGNi
    R_MESSAGE = HDR, T, [IDr], V

The Initiator draws an envelope key per message, encrypts it to the Responder's
certificate (PKE, RSA PKCS#1 v1.5 as §4.2.5 mandates) and derives the KEMAC keys from it
(§4.1.4). The KEMAC carries IDi followed by the traffic key, encrypted, and its MAC
covers the KEMAC payload alone, with its Next payload field set to zero (§5.2). SIGNi,
made with the key of the Initiator's certificate (CERT payloads, leaf first), covers the
whole message (§5.2). V is computed as in the pre-shared key method.

The Responder trusts nothing it has not checked, in this order: the Initiator's chain
(``CertificateTrust``: path, time, usage, revocation; Invalid Cert), SIGN (Auth failure),
CHASH against its own certificate (Invalid Cert), the envelope key (Auth failure), the
KEMAC MAC (Auth failure), then the IDi inside the KEMAC: equal to the IDi in clear and
named by the certificate (Invalid ID). Then as every KEMAC method (``mikey.modes.common``).

Cached envelope keys (§3.2, §4.5): with ``cache`` CACHE or CACHE_FOR_CSB in PKE, both
sides keep the envelope key of the CSB, and updates are pre-shared key messages keyed by
it (they "MUST NOT be a public key message").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from mikey.crypto.envelope import open_envelope, seal_envelope
from mikey.crypto.kemac import MessageKeys, message_keys, verify_mac
from mikey.crypto.rsakey import rsa_public_key
from mikey.crypto.signature import DEFAULT_SIGNATURE_HASH
from mikey.errors import (
    MikeyAuthenticationError,
    MikeyIdentityError,
    MikeyInvalidMacAlgError,
    MikeyProtocolError,
    MikeyValueError,
)
from mikey.interop import RFC3830, InteropProfile
from mikey.modes.common import (
    Initiator,
    Responder,
    _Context,
    _Pending,
    _policy_payloads,
    default_policy_acceptance,
)
from mikey.modes.psk import psk_message
from mikey.modes.pubkey import (
    RSA_S_TYPES,
    CertificateTrust,
    cert_hash_payload,
    cert_payloads,
    check_chash,
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
from mikey.registry import (
    CacheIndicator,
    DataType,
    EncrAlg,
    HashFunc,
    IdType,
    MacAlg,
    PayloadType,
    PrfFunc,
    SType,
    TsType,
)
from mikey.session import CryptoSessionBundle, TrafficKey
from mikey.srtp.policy import SrtpPolicy
from mikey.wire.basic import IdPayload, RandPayload
from mikey.wire.kemac import KemacPayload
from mikey.wire.message import Message, decode_sub_payloads
from mikey.wire.payload import Payload
from mikey.wire.publickey import CertHashPayload, EnvelopePayload

__all__ = ["PkeInitiator", "PkeResponder"]

ENVELOPE_KEY_LENGTH = 32  # §4.1.4 takes any inkey length; 256 bits


class PkeInitiator(Initiator):
    """The Initiator of the public-key envelope method.

    ``private_key`` signs (its certificate is ``certificates[0]``, sent with the rest of
    the chain in CERT payloads unless ``certificates`` is empty because the Responder
    has it); ``peer_certificate`` is the Responder's, which the envelope key is encrypted
    to and CHASH names (with ``chash``, or None to leave CHASH out). ``identity`` is
    required: IDi travels inside the KEMAC (§3.2). ``cache`` asks the Responder to keep
    the envelope key for pre-shared key updates (§4.5). With ``trust``, the Responder's
    certificate (with ``peer_chain``, its intermediates) is validated each time before an
    envelope key is sealed to it (§4.3.1); without, the caller vouches for it.
    """

    method = "public-key envelope"

    def __init__(
        self,
        *,
        private_key: rsa.RSAPrivateKey,
        certificates: Sequence[x509.Certificate],
        peer_certificate: x509.Certificate,
        identity: bytes,
        peer_identity: bytes | None = None,
        trust: CertificateTrust | None = None,
        peer_chain: Sequence[x509.Certificate] = (),
        s_type: SType = SType.RSA_PKCS1_1_5,
        signature_hash: HashFunc = DEFAULT_SIGNATURE_HASH,
        chash: HashFunc | None = HashFunc.SHA_1,
        cache: CacheIndicator = CacheIndicator.NO_CACHE,
        encr_alg: EncrAlg = EncrAlg.AES_CM_128,
        mac_alg: MacAlg = MacAlg.HMAC_SHA_1_160,
        prf_func: PrfFunc = PrfFunc.MIKEY_1,
        id_type: IdType = IdType.URI,
        ts_type: TsType = TsType.NTP_UTC,
        profile: InteropProfile = RFC3830,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        check_credentials(private_key, certificates)
        if not identity:
            raise MikeyValueError("the public-key method needs the Initiator's identity (IDi)")
        if mac_alg == MacAlg.NULL:
            raise MikeyInvalidMacAlgError("the KEMAC of the public-key method needs a MAC")
        check_s_type(s_type)
        super().__init__(
            encr_alg=encr_alg,
            mac_alg=mac_alg,
            prf_func=prf_func,
            identity=identity,
            peer_identity=peer_identity,
            id_type=id_type,
            ts_type=ts_type,
            profile=profile,
            rng=rng,
        )
        self.private_key = private_key
        self.certificates = tuple(certificates)
        self.peer_certificate = peer_certificate
        self.trust = trust
        self.peer_chain = tuple(peer_chain)
        self.peer_key = rsa_public_key(peer_certificate)
        self.s_type = s_type
        self.signature_hash = signature_hash
        self.chash = chash
        self.cache = cache
        self._envelope_keys: dict[int, bytes] = {}
        # The same for every message: encoded once.
        self._cert_payloads = cert_payloads(self.certificates)
        self._chash_payload = None if chash is None else cert_hash_payload(peer_certificate, chash)

    def forget(self, csb_id: int) -> None:
        super().forget(csb_id)
        self._envelope_keys.pop(csb_id, None)

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
        cached = None if initial else self._envelope_keys.get(bundle.csb_id)
        if cached is not None:  # §4.5: a pre-shared key message under the envelope key
            keys = self._keys(cached, bundle)
            return psk_message(
                self,
                bundle,
                keys,
                now=now,
                verify=verify,
                initial=False,
                traffic_key=traffic_key,
                extensions=extensions,
            )
        data, pending, envelope_key = self._build(
            bundle,
            now=now,
            verify=verify,
            initial=initial,
            traffic_key=traffic_key,
            peer=(self.peer_certificate, self._chash_payload, self.peer_identity, self.peer_chain),
            extensions=extensions,
        )
        if self.cache != CacheIndicator.NO_CACHE:
            self._envelope_keys[bundle.csb_id] = envelope_key
        return data, pending

    def invite(
        self,
        bundle: CryptoSessionBundle,
        *,
        peer_certificate: x509.Certificate,
        now: datetime,
        peer_identity: bytes | None = None,
        peer_chain: Sequence[x509.Certificate] = (),
    ) -> bytes:
        """Group keying: an I_MESSAGE giving another member the CSB ID, RAND, crypto
        sessions and traffic key of ``bundle`` (one the Initiator established), under an
        envelope key of its own encrypted to that member's certificate (validated with
        ``peer_chain`` when this Initiator has a ``trust``), so that every member derives
        the same TEKs (RFC 3830 §1, §3.2; RFC 5197 §5.4). Members do not answer (no V),
        and nothing is cached for them.
        """
        if self.bundles.get(bundle.csb_id) is not bundle:
            raise MikeyValueError(f"CSB {bundle.csb_id:#010x} is not established by this side")
        chash = None if self.chash is None else cert_hash_payload(peer_certificate, self.chash)
        data, _, _ = self._build(
            bundle,
            now=now,
            verify=False,
            initial=True,
            traffic_key=bundle.traffic_key,
            peer=(peer_certificate, chash, peer_identity, peer_chain),
            cache=CacheIndicator.NO_CACHE,
        )
        return data

    def _build(
        self,
        bundle: CryptoSessionBundle,
        *,
        now: datetime,
        verify: bool,
        initial: bool,
        traffic_key: TrafficKey | None,
        peer: tuple[
            x509.Certificate, CertHashPayload | None, bytes | None, Sequence[x509.Certificate]
        ],
        cache: CacheIndicator | None = None,
        extensions: Sequence[Payload] = (),
    ) -> tuple[bytes, _Pending, bytes]:
        """A public-key I_MESSAGE to ``peer`` (its certificate, CHASH, IDr and the
        intermediates to validate its certificate with), with the envelope key drawn for
        it."""
        recipient, chash, peer_identity, chain = peer
        if self.trust is not None:  # never seal an envelope to a certificate not trusted
            trusted(self.trust, [recipient, *chain], now)
        peer_key = (
            self.peer_key if recipient is self.peer_certificate else rsa_public_key(recipient)
        )
        t = self._next_timestamp(now)
        envelope_key = self._rng(ENVELOPE_KEY_LENGTH)
        keys = self._keys(envelope_key, bundle)
        assert self.identity is not None
        inner: list[Payload] = [IdPayload(id_type=self.id_type, data=self.identity)]
        inner += self._key_data_payloads(traffic_key)
        ids, sent_ids = self._id_payloads(peer_identity)
        payloads: list[Payload] = [t]
        if initial:
            payloads.append(RandPayload(rand=bundle.rand))
        payloads += ids
        payloads += extensions
        payloads += self._cert_payloads
        payloads += _policy_payloads(bundle.crypto_sessions, self.profile)
        payloads.append(self._kemac(inner, keys, bundle, t))
        if chash is not None:
            payloads.append(chash)
        encrypted = seal_envelope(peer_key, envelope_key)
        payloads.append(
            EnvelopePayload(data=encrypted, cache=self.cache if cache is None else cache)
        )
        payloads.append(signature_placeholder(self.private_key, self.s_type))
        header = self._header(DataType.PUBLIC_KEY, bundle, verify=verify)
        data = sign_message(
            Message(header=header, payloads=tuple(payloads)),
            self.private_key,
            self.s_type,
            hash_func=self.signature_hash,
            kemac_key=(self.mac_alg, keys.authentication),
        )
        pending = _Pending(bundle, t, keys.authentication, sent_ids, DataType.PK_VER_MSG)
        return data, pending, envelope_key

    def _keys(self, envelope_key: bytes, bundle: CryptoSessionBundle) -> MessageKeys:
        return message_keys(
            envelope_key,
            csb_id=bundle.csb_id,
            rand=bundle.rand,
            encr_alg=self.encr_alg,
            mac_alg=self.mac_alg,
            prf_func=self.prf_func,
        )


class PkeResponder(Responder):
    """The Responder of the public-key envelope method.

    ``private_key`` and ``certificate`` are this side's: the envelope key is decrypted
    with the key, and a CHASH must name the certificate. ``trust`` validates every chain
    an Initiator presents before anything in its message is believed (an explicit
    argument: there is no default trust). ``known_certificates`` maps an IDi to the
    chain of an Initiator that leaves its CERT payloads out (§4.3.1).
    ``identity_check(certificate, idi)`` says whether a certificate is the IDi's (by
    default: one of ``certificate_names``). ``s_types`` are the signature types
    accepted. Other arguments are those of ``Responder``.
    """

    answers: ClassVar[Mapping[DataType | int, DataType]] = {
        DataType.PUBLIC_KEY: DataType.PK_VER_MSG,
        DataType.PRE_SHARED: DataType.PSK_VER_MSG,  # updates under a cached envelope key
    }
    method = "public-key envelope"

    def __init__(
        self,
        *,
        private_key: rsa.RSAPrivateKey,
        certificate: x509.Certificate,
        trust: CertificateTrust,
        identity: bytes | None = None,
        known_certificates: Mapping[bytes, Sequence[x509.Certificate]] | None = None,
        identity_check: Callable[[x509.Certificate, bytes], bool] = names_identity,
        s_types: Iterable[SType] = RSA_S_TYPES,
        signature_hashes: Iterable[HashFunc] = (DEFAULT_SIGNATURE_HASH,),
        prf_funcs: Iterable[PrfFunc] = (PrfFunc.MIKEY_1, PrfFunc.PRF_HMAC_SHA_256),
        accept_policy: Callable[[SrtpPolicy], bool] = default_policy_acceptance,
        supported: Sequence[SrtpPolicy] = (),
        replay_cache: ReplayCache | None = None,
        profile: InteropProfile = RFC3830,
        id_type: IdType = IdType.URI,
        max_bundles: int = 100_000,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        check_credentials(private_key, [certificate])
        super().__init__(
            identity=identity,
            prf_funcs=prf_funcs,
            accept_policy=accept_policy,
            supported=supported,
            replay_cache=replay_cache,
            profile=profile,
            id_type=id_type,
            max_bundles=max_bundles,
            rng=rng,
        )
        self.private_key = private_key
        self.certificate = certificate
        self.trust = trust
        self.known_certificates = dict(known_certificates or {})
        self.identity_check = identity_check
        self.s_types = frozenset(s_types)
        self.signature_hashes = tuple(signature_hashes)
        # Cached envelope keys by (Initiator, CSB ID), with the certificate they came with.
        self._envelope_keys: dict[tuple[bytes, int], tuple[bytes, x509.Certificate]] = {}

    def forget(self, csb_id: int, *, initiator: bytes) -> None:
        super().forget(csb_id, initiator=initiator)
        self._envelope_keys.pop((initiator, csb_id), None)

    # -- authentication ---------------------------------------------------------------

    def _authenticate(
        self, ctx: _Context, kemac: KemacPayload, id_i: bytes | None, *, csb_id: int, rand: bytes
    ) -> MessageKeys:
        message = ctx.message
        if kemac.mac_alg == MacAlg.NULL:
            raise MikeyInvalidMacAlgError("the KEMAC of the public-key method needs a MAC")
        if message.data_type == DataType.PRE_SHARED:
            return self._authenticate_cached(ctx, kemac, id_i, csb_id=csb_id, rand=rand)
        chain = peer_chain(message, id_i, self.known_certificates)
        trusted(self.trust, chain, ctx.now)
        verify_message(message, chain[0], self.s_types, hash_funcs=self.signature_hashes)
        chash = message.get(CertHashPayload)
        if chash is not None:
            check_chash(chash, self.certificate)
        envelope = message.get(EnvelopePayload)
        if envelope is None:  # the wire rules require it; defensive
            raise MikeyProtocolError("a public-key I_MESSAGE needs a PKE payload")
        envelope_key = open_envelope(self.private_key, envelope.data)
        keys = self._message_keys(envelope_key, kemac, message, csb_id=csb_id, rand=rand)
        verify_mac(kemac.mac_alg, keys.authentication, message.kemac_mac_bytes(), kemac.mac)
        ctx.authenticated = True
        ctx.credential = chain[0]
        if envelope.cache != CacheIndicator.NO_CACHE:
            ctx.cache_envelope_key = envelope_key
        return keys

    def _authenticate_cached(
        self, ctx: _Context, kemac: KemacPayload, id_i: bytes | None, *, csb_id: int, rand: bytes
    ) -> MessageKeys:
        """An update under the envelope key cached for this CSB (§4.5): authenticated by
        the KEMAC MAC over the whole message, as in the pre-shared key method."""
        message = ctx.message
        cached = self._envelope_keys.get((ctx.replay_peer, csb_id))
        if cached is None:
            raise MikeyAuthenticationError(
                f"no envelope key is cached for CSB {csb_id:#010x}: a pre-shared key update"
                " cannot be authenticated"
            )
        envelope_key, certificate = cached
        keys = self._message_keys(envelope_key, kemac, message, csb_id=csb_id, rand=rand)
        verify_mac(kemac.mac_alg, keys.authentication, message.authenticated_bytes(), kemac.mac)
        ctx.authenticated = True
        ctx.credential = certificate
        return keys

    @staticmethod
    def _message_keys(
        envelope_key: bytes, kemac: KemacPayload, message: Message, *, csb_id: int, rand: bytes
    ) -> MessageKeys:
        return message_keys(
            envelope_key,
            csb_id=csb_id,
            rand=rand,
            encr_alg=kemac.encr_alg,
            mac_alg=kemac.mac_alg,
            prf_func=message.header.prf_func,
        )

    # -- key data ---------------------------------------------------------------------

    def _key_data(self, ctx: _Context, plaintext: bytes) -> tuple[Payload, ...]:
        if ctx.message.data_type == DataType.PRE_SHARED:
            return decode_sub_payloads(plaintext)
        inner = decode_sub_payloads(plaintext, first=PayloadType.ID)
        first = inner[0] if inner else None
        if not isinstance(first, IdPayload):  # the decoder starts with ID; defensive
            raise MikeyIdentityError("the KEMAC does not start with IDi")
        if ctx.id_i and first.data != ctx.id_i:
            raise MikeyIdentityError(
                f"the IDi inside the KEMAC ({first.data!r}) is not the IDi in clear"
                f" ({ctx.id_i!r}) (§3.2)"
            )
        assert isinstance(ctx.credential, x509.Certificate)
        if not self.identity_check(ctx.credential, first.data):
            raise MikeyIdentityError(f"the Initiator's certificate is not for IDi {first.data!r}")
        return inner[1:]

    def _accepted(self, ctx: _Context, key: tuple[bytes, int]) -> None:
        if ctx.cache_envelope_key is not None:
            assert isinstance(ctx.credential, x509.Certificate)
            self._envelope_keys[key] = (ctx.cache_envelope_key, ctx.credential)
