"""The pre-shared key method and MIKEY-NULL, sans-I/O (RFC 3830 §3.1, §4.1.4, §5.2).

    I_MESSAGE = HDR, T, RAND, [IDi], [IDr], {SP}, KEMAC        (update: no RAND, §4.5)
    R_MESSAGE = HDR, T, [IDr], V                               (when HDR's V flag asks)

The KEMAC carries one traffic key encrypted with the keys derived from the pre-shared
key and RAND (§4.1.4, §4.2.3); its MAC covers the whole message (§5.2). The exchange,
its answers and the Responder's order of checks are ``mikey.modes.common``'s.

MIKEY-NULL is the same message with KEMAC encryption and MAC NULL and no pre-shared key:
the key travels in clear and nothing is authenticated (what RTSP servers and cameras put
in SDP, relying on TLS). A Responder accepts it only when told to (``allow_null``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from mikey.crypto.kemac import (
    MessageKeys,
    encrypt_key_data,
    message_keys,
    verify_mac,
)
from mikey.errors import (
    MikeyAuthenticationError,
    MikeyIdentityError,
    MikeyInvalidMacAlgError,
    MikeyValueError,
)
from mikey.interop import RFC3830, InteropProfile
from mikey.modes.replay import ReplayCache
from mikey.registry import (
    DataType,
    EncrAlg,
    IdType,
    MacAlg,
    PrfFunc,
    TsType,
)
from mikey.session import CryptoSessionBundle, TrafficKey
from mikey.srtp.policy import SrtpPolicy
from mikey.wire.basic import (
    IdPayload,
    RandPayload,
)
from mikey.wire.header import CommonHeader
from mikey.wire.kemac import KemacPayload, KeyDataSubPayload, SpiValidity
from mikey.wire.message import Message, encode_sub_payloads
from mikey.wire.payload import Payload

__all__ = [
    "CryptoSessionSpec",
    "PskInitiator",
    "PskResponder",
    "ResponderResult",
    "default_policy_acceptance",
]

from mikey.modes.common import (
    CryptoSessionSpec,
    Initiator,
    Responder,
    ResponderResult,
    _Context,
    _Pending,
    _policy_payloads,
    _seal,
    _srtp_id_map,
    default_policy_acceptance,
)

__all__ = [
    "CryptoSessionSpec",
    "PskInitiator",
    "PskResponder",
    "ResponderResult",
    "default_policy_acceptance",
]


class PskInitiator(Initiator):
    """The Initiator of the pre-shared key method, or of MIKEY-NULL with ``psk=None``.

    One object per peer: it keeps the bundles it established, so that ``update`` can
    rekey them and ``receive_response`` can match verification messages.
    """

    answer_type = DataType.PSK_VER_MSG
    method = "pre-shared key"

    def __init__(
        self,
        *,
        psk: bytes | None,
        encr_alg: EncrAlg = EncrAlg.AES_CM_128,
        mac_alg: MacAlg = MacAlg.HMAC_SHA_1_160,
        prf_func: PrfFunc = PrfFunc.MIKEY_1,
        identity: bytes | None = None,
        peer_identity: bytes | None = None,
        id_type: IdType = IdType.URI,
        ts_type: TsType = TsType.NTP_UTC,
        profile: InteropProfile = RFC3830,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        if psk is None:
            encr_alg, mac_alg = EncrAlg.NULL, MacAlg.NULL
        elif not psk:
            raise MikeyValueError("the pre-shared key is empty")
        elif mac_alg == MacAlg.NULL:
            raise MikeyInvalidMacAlgError(
                "the NULL MAC leaves a pre-shared key message unauthenticated (RFC 3830 §4.2.3)"
            )
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
        self.psk = psk

    # -- building messages ---------------------------------------------------------------

    def _keys(self, csb_id: int, rand: bytes) -> MessageKeys:
        if self.psk is None:
            return MessageKeys(encryption=b"", authentication=b"", salt=b"")
        return message_keys(
            self.psk,
            csb_id=csb_id,
            rand=rand,
            encr_alg=self.encr_alg,
            mac_alg=self.mac_alg,
            prf_func=self.prf_func,
        )

    def _message(
        self,
        bundle: CryptoSessionBundle,
        *,
        now: datetime,
        verify: bool,
        initial: bool,
        traffic_key: TrafficKey | None,
    ) -> tuple[bytes, _Pending]:
        t = self._next_timestamp(now)
        keys = self._keys(bundle.csb_id, bundle.rand)
        key_data: list[Payload] = []
        if traffic_key is not None:
            key_data.append(
                KeyDataSubPayload(
                    key_type=traffic_key.key_type,
                    key=traffic_key.key,
                    salt=traffic_key.salt,
                    validity=SpiValidity(spi=traffic_key.mki) if traffic_key.mki else None,
                )
            )
        encr_data = encrypt_key_data(
            encode_sub_payloads(key_data),
            encr_alg=self.encr_alg,
            keys=keys,
            csb_id=bundle.csb_id,
            timestamp=t,
        )
        payloads: list[Payload] = [t]
        if initial:
            payloads.append(RandPayload(rand=bundle.rand))
        id_i = self.identity or b""
        id_r = self.peer_identity or b""
        if self.identity is not None:
            payloads.append(IdPayload(id_type=self.id_type, data=self.identity))
        if self.peer_identity is not None:
            payloads.append(IdPayload(id_type=self.id_type, data=self.peer_identity))
        payloads += _policy_payloads(bundle.crypto_sessions, self.profile)
        payloads.append(
            KemacPayload(
                encr_alg=self.encr_alg,
                encr_data=encr_data,
                mac_alg=self.mac_alg,
                mac=bytes(self.mac_alg.mac_length),
            )
        )
        header = CommonHeader(
            data_type=DataType.PRE_SHARED,
            csb_id=bundle.csb_id,
            cs_id_map=_srtp_id_map(bundle.crypto_sessions),
            v=verify,
            prf_func=self.prf_func,
        )
        data = _seal(
            Message(header=header, payloads=tuple(payloads)), self.mac_alg, keys.authentication
        )
        return data, _Pending(bundle, t, keys.authentication, (id_i, id_r))


class PskResponder(Responder):
    """The Responder of the pre-shared key method (and, with ``allow_null``, MIKEY-NULL).

    ``psk`` is the key shared with every Initiator, or a mapping from Initiator ID (the
    IDi data) to its key; with a mapping, IDi is required. The other arguments are those
    of ``Responder``.
    """

    data_types = frozenset({DataType.PRE_SHARED})
    answer_type = DataType.PSK_VER_MSG
    method = "pre-shared key"

    def __init__(
        self,
        *,
        psk: bytes | Mapping[bytes, bytes] | None,
        identity: bytes | None = None,
        allow_null: bool = False,
        prf_funcs: Iterable[PrfFunc] = (PrfFunc.MIKEY_1, PrfFunc.PRF_HMAC_SHA_256),
        accept_policy: Callable[[SrtpPolicy], bool] = default_policy_acceptance,
        supported: Sequence[SrtpPolicy] = (),
        replay_cache: ReplayCache | None = None,
        profile: InteropProfile = RFC3830,
        id_type: IdType = IdType.URI,
        max_bundles: int = 100_000,
        rng: Callable[[int], bytes] = os.urandom,
    ) -> None:
        if psk is None and not allow_null:
            raise MikeyValueError("a Responder without a pre-shared key needs allow_null=True")
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
        self.psk = psk
        self.allow_null = allow_null

    def _psk_for(self, id_i: bytes | None) -> bytes | None:
        if self.psk is None or isinstance(self.psk, bytes):
            return self.psk
        if id_i is None:
            raise MikeyIdentityError("this Responder needs IDi to find the pre-shared key")
        psk = self.psk.get(id_i)
        if psk is None:
            raise MikeyIdentityError(f"no pre-shared key for Initiator {id_i!r}")
        return psk

    def _authenticate(
        self, ctx: _Context, kemac: KemacPayload, id_i: bytes | None, *, csb_id: int, rand: bytes
    ) -> MessageKeys:
        message = ctx.message
        null = kemac.encr_alg == EncrAlg.NULL and kemac.mac_alg == MacAlg.NULL
        psk = None if null and self.allow_null else self._psk_for(id_i)
        if psk is None:  # MIKEY-NULL
            if kemac.encr_alg != EncrAlg.NULL or kemac.mac_alg != MacAlg.NULL:
                raise MikeyAuthenticationError(
                    "this Responder has no pre-shared key: only MIKEY-NULL (no encryption,"
                    " no MAC) is accepted"
                )
            return MessageKeys(encryption=b"", authentication=b"", salt=b"")
        if kemac.mac_alg == MacAlg.NULL:
            raise MikeyInvalidMacAlgError(
                "the NULL MAC leaves a pre-shared key message unauthenticated"
            )
        keys = message_keys(
            psk,
            csb_id=csb_id,
            rand=rand,
            encr_alg=kemac.encr_alg,
            mac_alg=kemac.mac_alg,
            prf_func=message.header.prf_func,
        )
        verify_mac(kemac.mac_alg, keys.authentication, message.authenticated_bytes(), kemac.mac)
        ctx.authenticated = True
        return keys
