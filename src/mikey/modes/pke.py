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

import hmac
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import ClassVar, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mikey.crypto.kemac import MessageKeys, compute_mac, message_keys, verify_mac
from mikey.errors import (
    MikeyAuthenticationError,
    MikeyIdentityError,
    MikeyInvalidCertError,
    MikeyInvalidMacAlgError,
    MikeyPkiError,
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
from mikey.modes.replay import ReplayCache
from mikey.registry import (
    CacheIndicator,
    CertType,
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
from mikey.wire.basic import CertPayload, IdPayload, RandPayload
from mikey.wire.kemac import KemacPayload
from mikey.wire.message import Message, decode_sub_payloads
from mikey.wire.payload import Payload
from mikey.wire.publickey import CertHashPayload, EnvelopePayload, SignaturePayload

__all__ = ["CertificateTrust", "PkeInitiator", "PkeResponder", "certificate_names"]

ENVELOPE_KEY_LENGTH = 32  # §4.1.4 takes any inkey length; 256 bits
_CERT_TYPES = frozenset({CertType.X509V3, CertType.X509V3_SIGN})


class CertificateTrust(Protocol):
    """Decides whether a peer's certificate chain (leaf first) is trusted at ``now``:
    path, validity, usage and revocation. ``mikey.pki.TrustStore`` is one.

    :raises MikeyPkiError: saying why it is not.
    """

    def validate(self, chain: Sequence[x509.Certificate], *, now: datetime) -> object: ...


def certificate_names(certificate: x509.Certificate) -> set[bytes]:
    """The identities a certificate vouches for, as the bytes an ID payload carries: its
    subject alternative names (URI, email, DNS), or its subject common names when it has
    none (as RFC 6125 §6.4.4 allows only as a fallback)."""
    try:
        sans = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return {
            a.value.encode() if isinstance(a.value, str) else bytes(a.value)
            for a in certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        }
    names: set[bytes] = set()
    for kind in (x509.UniformResourceIdentifier, x509.RFC822Name, x509.DNSName):
        names.update(value.encode() for value in sans.value.get_values_for_type(kind))
    return names


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


_CHASH_ALGORITHMS: dict[HashFunc | int, hashes.HashAlgorithm] = {
    HashFunc.SHA_1: hashes.SHA1(),
    HashFunc.SHA_256: hashes.SHA256(),
}


def _cert_hash(certificate: x509.Certificate, hash_func: HashFunc) -> CertHashPayload:
    """CHASH: the hash of the certificate's DER encoding (§6.8)."""
    return CertHashPayload(
        hash_func=hash_func, hash=certificate.fingerprint(_CHASH_ALGORITHMS[hash_func])
    )


def _names_identity(certificate: x509.Certificate, identity: bytes) -> bool:
    return identity in certificate_names(certificate)


# -- RSA, as RFC 3830 §4.2.5 and §4.2.6 ask ------------------------------------------------

_SIGN_HASH = hashes.SHA256()


def _sign_padding(s_type: SType | int) -> padding.AsymmetricPadding:
    if s_type == SType.RSA_PKCS1_1_5:
        return padding.PKCS1v15()
    if s_type == SType.RSA_PSS:
        return padding.PSS(mgf=padding.MGF1(_SIGN_HASH), salt_length=padding.PSS.DIGEST_LENGTH)
    raise MikeyAuthenticationError(f"S type {s_type} is not an RSA signature")


def _rsa_public_key(certificate: x509.Certificate, whose: str) -> rsa.RSAPublicKey:
    try:
        key = certificate.public_key()
    except (UnsupportedAlgorithm, ValueError) as exc:
        raise MikeyInvalidCertError(f"{whose} certificate's key cannot be read: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise MikeyInvalidCertError(
            f"{whose} certificate holds a {type(key).__name__}; RFC 3830 envelopes and"
            " signatures are RSA"
        )
    return key


class PkeInitiator(Initiator):
    """The Initiator of the public-key envelope method.

    ``private_key`` signs (its certificate is ``certificates[0]``, sent with the rest of
    the chain in CERT payloads unless ``certificates`` is empty because the Responder
    has it); ``peer_certificate`` is the Responder's, which the envelope key is encrypted
    to and CHASH names (with ``chash``, or None to leave CHASH out). ``identity`` is
    required: IDi travels inside the KEMAC (§3.2). ``cache`` asks the Responder to keep
    the envelope key for pre-shared key updates (§4.5).
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
        s_type: SType = SType.RSA_PKCS1_1_5,
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
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise MikeyValueError("RFC 3830 signatures are RSA: the private key must be RSA")
        if certificates and certificates[0].public_key() != private_key.public_key():
            raise MikeyValueError("the first certificate is not the private key's")
        if not identity:
            raise MikeyValueError("the public-key method needs the Initiator's identity (IDi)")
        if mac_alg == MacAlg.NULL:
            raise MikeyInvalidMacAlgError("the KEMAC of the public-key method needs a MAC")
        if chash == HashFunc.MD5:
            raise MikeyValueError("CHASH with MD5 is not offered; use SHA-1 or SHA-256")
        _sign_padding(s_type)
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
        self.peer_key = _rsa_public_key(peer_certificate, "the Responder's")
        self.s_type = s_type
        self.chash = chash
        self.cache = cache
        self._envelope_keys: dict[int, bytes] = {}
        # The same for every message: encoded once.
        self._cert_payloads = [
            CertPayload(cert_type=CertType.X509V3, data=_der(c)) for c in self.certificates
        ]
        self._chash_payload = None if chash is None else _cert_hash(peer_certificate, chash)

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
    ) -> tuple[bytes, _Pending]:
        cached = None if initial else self._envelope_keys.get(bundle.csb_id)
        if cached is not None:  # §4.5: a pre-shared key message under the envelope key
            keys = self._keys(cached, bundle)
            return psk_message(
                self, bundle, keys, now=now, verify=verify, initial=False, traffic_key=traffic_key
            )
        t = self._next_timestamp(now)
        envelope_key = self._rng(ENVELOPE_KEY_LENGTH)
        keys = self._keys(envelope_key, bundle)
        assert self.identity is not None
        inner: list[Payload] = [IdPayload(id_type=self.id_type, data=self.identity)]
        inner += self._key_data_payloads(traffic_key)
        ids, sent_ids = self._id_payloads()
        payloads: list[Payload] = [t]
        if initial:
            payloads.append(RandPayload(rand=bundle.rand))
        payloads += ids
        payloads += self._cert_payloads
        payloads += _policy_payloads(bundle.crypto_sessions, self.profile)
        payloads.append(self._kemac(inner, keys, bundle, t))
        if self._chash_payload is not None:
            payloads.append(self._chash_payload)
        encrypted = self.peer_key.encrypt(envelope_key, padding.PKCS1v15())
        payloads.append(EnvelopePayload(data=encrypted, cache=self.cache))
        signature_length = self.private_key.key_size // 8
        payloads.append(SignaturePayload(s_type=self.s_type, signature=bytes(signature_length)))
        header = self._header(DataType.PUBLIC_KEY, bundle, verify=verify)
        data = self._seal(Message(header=header, payloads=tuple(payloads)), keys)
        if self.cache != CacheIndicator.NO_CACHE:
            self._envelope_keys[bundle.csb_id] = envelope_key
        return data, _Pending(bundle, t, keys.authentication, sent_ids, DataType.PK_VER_MSG)

    def _keys(self, envelope_key: bytes, bundle: CryptoSessionBundle) -> MessageKeys:
        return message_keys(
            envelope_key,
            csb_id=bundle.csb_id,
            rand=bundle.rand,
            encr_alg=self.encr_alg,
            mac_alg=self.mac_alg,
            prf_func=self.prf_func,
        )

    def _seal(self, message: Message, keys: MessageKeys) -> bytes:
        """Fill in the KEMAC MAC (over the KEMAC payload, §5.2), then sign everything
        before the signature field (§5.2, §6.5)."""
        data = bytearray(message.encode())
        index = next(i for i, p in enumerate(message.payloads) if isinstance(p, KemacPayload))
        _, end = message.payload_span(index)
        mac = compute_mac(self.mac_alg, keys.authentication, message.kemac_mac_bytes())
        data[end - len(mac) : end] = mac
        start, _ = message.payload_span(len(message.payloads) - 1)
        covered = bytes(data[: start + 2])  # SIGN's S type and Signature len are covered
        signature = self.private_key.sign(covered, _sign_padding(self.s_type), _SIGN_HASH)
        return covered + signature


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
        identity_check: Callable[[x509.Certificate, bytes], bool] = _names_identity,
        s_types: Iterable[SType] = (SType.RSA_PKCS1_1_5, SType.RSA_PSS),
        prf_funcs: Iterable[PrfFunc] = (PrfFunc.MIKEY_1, PrfFunc.PRF_HMAC_SHA_256),
        accept_policy: Callable[[SrtpPolicy], bool] = default_policy_acceptance,
        supported: Sequence[SrtpPolicy] = (),
        replay_cache: ReplayCache | None = None,
        profile: InteropProfile = RFC3830,
        id_type: IdType = IdType.URI,
        max_bundles: int = 100_000,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise MikeyValueError("RFC 3830 envelopes are RSA: the private key must be RSA")
        if certificate.public_key() != private_key.public_key():
            raise MikeyValueError("the certificate is not the private key's")
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
        self._fingerprints = {f: certificate.fingerprint(a) for f, a in _CHASH_ALGORITHMS.items()}
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
        chain = self._chain(message, id_i)
        try:
            self.trust.validate(chain, now=ctx.now)
        except MikeyPkiError as exc:
            raise MikeyInvalidCertError(f"the Initiator's certificate is refused: {exc}") from exc
        self._verify_signature(message, chain[0])
        chash = message.get(CertHashPayload)
        if chash is not None:
            self._check_chash(chash)
        envelope = message.get(EnvelopePayload)
        if envelope is None:  # the wire rules require it; defensive
            raise MikeyProtocolError("a public-key I_MESSAGE needs a PKE payload")
        envelope_key = self._open_envelope(envelope)
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

    def _chain(self, message: Message, id_i: bytes | None) -> list[x509.Certificate]:
        certificates = message.get_all(CertPayload)
        if not certificates:
            known = self.known_certificates.get(id_i) if id_i is not None else None
            if not known:
                raise MikeyInvalidCertError(
                    "the I_MESSAGE carries no certificate and none is known for its IDi"
                )
            return list(known)
        chain = []
        for index, payload in enumerate(certificates):
            if payload.cert_type not in _CERT_TYPES:
                raise MikeyInvalidCertError(
                    f"CERT {index + 1} is of type {payload.cert_type}; an X.509v3 certificate"
                    " (DER) is expected"
                )
            try:
                certificate = x509.load_der_x509_certificate(payload.data)
                certificate.public_key()  # parsed lazily: a key no one can read is refused now
            except (ValueError, UnsupportedAlgorithm, x509.InvalidVersion) as exc:
                raise MikeyInvalidCertError(
                    f"CERT {index + 1} is not a usable DER X.509 certificate: {exc}"
                ) from None
            chain.append(certificate)
        return chain

    def _verify_signature(self, message: Message, certificate: x509.Certificate) -> None:
        sign = message.get(SignaturePayload)
        if sign is None:  # the wire rules require it; defensive
            raise MikeyProtocolError("a public-key I_MESSAGE needs a SIGN payload")
        if sign.s_type not in self.s_types:
            raise MikeyAuthenticationError(f"signatures of S type {sign.s_type} are not accepted")
        key = _rsa_public_key(certificate, "the Initiator's")
        try:
            key.verify(
                sign.signature,
                message.authenticated_bytes(),
                _sign_padding(sign.s_type),
                _SIGN_HASH,
            )
        except InvalidSignature:
            raise MikeyAuthenticationError("SIGNi does not verify") from None

    def _check_chash(self, chash: CertHashPayload) -> None:
        if chash.hash_func not in self._fingerprints:
            raise MikeyInvalidCertError(f"CHASH with hash function {chash.hash_func} is refused")
        if not hmac.compare_digest(chash.hash, self._fingerprints[chash.hash_func]):
            raise MikeyInvalidCertError(
                "CHASH names a certificate other than this Responder's: the envelope key"
                " was encrypted to another key"
            )

    def _open_envelope(self, envelope: EnvelopePayload) -> bytes:
        try:
            return self.private_key.decrypt(envelope.data, padding.PKCS1v15())
        except ValueError:
            raise MikeyAuthenticationError("the envelope key does not decrypt") from None

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
