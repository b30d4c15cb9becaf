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
from typing import ClassVar

from mikey.crypto.kemac import (
    MessageKeys,
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
    RandPayload,
)
from mikey.wire.kemac import KemacPayload
from mikey.wire.message import Message
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
        extensions: Sequence[Payload] = (),
    ) -> tuple[bytes, _Pending]:
        keys = self._keys(bundle.csb_id, bundle.rand)
        return psk_message(
            self,
            bundle,
            keys,
            now=now,
            verify=verify,
            initial=initial,
            traffic_key=traffic_key,
            extensions=extensions,
        )


def psk_message(
    initiator: Initiator,
    bundle: CryptoSessionBundle,
    keys: MessageKeys,
    *,
    now: datetime,
    verify: bool,
    initial: bool,
    traffic_key: TrafficKey | None,
    extensions: Sequence[Payload] = (),
) -> tuple[bytes, _Pending]:
    """A pre-shared key I_MESSAGE from ``initiator`` for ``bundle``, protected with
    ``keys``: those of a pre-shared key, or of a cached envelope key (§3.2, §4.5)."""
    t = initiator._next_timestamp(now)
    kemac = initiator._kemac(initiator._key_data_payloads(traffic_key), keys, bundle, t)
    ids, sent_ids = initiator._id_payloads(initiator.peer_identity)
    payloads: list[Payload] = [t]
    if initial:
        payloads.append(RandPayload(rand=bundle.rand))
    payloads += ids
    payloads += extensions
    payloads += _policy_payloads(bundle.crypto_sessions, initiator.profile)
    payloads.append(kemac)
    header = initiator._header(DataType.PRE_SHARED, bundle, verify=verify)
    message = Message(header=header, payloads=tuple(payloads))
    data = _seal(message, initiator.mac_alg, keys.authentication)
    return data, _Pending(bundle, t, keys.authentication, sent_ids, DataType.PSK_VER_MSG)


class PskResponder(Responder):
    """The Responder of the pre-shared key method (and, with ``allow_null``, MIKEY-NULL).

    ``psk`` is the key shared with every Initiator, or a mapping from Initiator ID (the
    IDi data) to its key; with a mapping, IDi is required. The other arguments are those
    of ``Responder``.
    """

    answers: ClassVar[Mapping[DataType | int, DataType]] = {
        DataType.PRE_SHARED: DataType.PSK_VER_MSG
    }
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
