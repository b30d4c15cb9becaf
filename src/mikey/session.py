"""Crypto session bundles: what a MIKEY exchange establishes, and the SRTP keys it yields.

RFC 3830 §1.3 and §4.4 (a CSB holds the TGK and the crypto sessions it keys), §4.1.3
(TEK and salt of crypto session ``cs_id`` derived from the TGK with the constants
0x2AD01C64 and 0x39A2C14B, label constant ‖ cs_id ‖ csb_id ‖ RAND; a salt carried in the
key data takes precedence), §4.5 (an update keeps the CSB ID and RAND, may replace the
TGK and may add crypto sessions), §6.1.1 (SRTP-ID map: policy, SSRC, ROC per crypto
session, SSRC 0 a placeholder the Responder fills in) and §6.14 (an SPI/MKI in the key
validity data).

A bundle is plain data with slots, kept small on purpose: a Responder holds one per peer
and CSB (``bench``: memory per established bundle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Literal

from mikey.crypto.prf import TgkConstant, prf_many, tgk_label
from mikey.errors import MikeyPolicyParamError, MikeyValueError
from mikey.registry import KeyDataType, PrfFunc
from mikey.srtp.policy import SrtpPolicy

if TYPE_CHECKING:
    from mikey.srtp.session import SrtpSession

__all__ = ["CryptoSession", "CryptoSessionBundle", "TrafficKey"]

_TEK_TYPES = (KeyDataType.TEK, KeyDataType.TEK_SALT)


@cache
def _srtp_session_class() -> type[SrtpSession]:
    """``SrtpSession``, imported on first use: it needs the ``srtp`` extra (libsrtp),
    which parsing and key derivation do not."""
    from mikey.srtp.session import SrtpSession

    return SrtpSession


@dataclass(slots=True, kw_only=True)
class CryptoSession:
    """One SRTP stream of a bundle (RFC 3830 §6.1.1): CS ID ``cs_id`` (its 1-based
    position in the CS ID map), the sender's SSRC (0 while unknown), the ROC at the time
    of the exchange, and the SRTP policy its SP payload number resolved to."""

    cs_id: int
    policy_no: int
    ssrc: int
    roc: int
    policy: SrtpPolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class TrafficKey:
    """The key a MIKEY message transported (RFC 3830 §6.13): a TGK or a TEK, the salt
    carried with it if any, and the MKI of its key validity data if any."""

    key_type: KeyDataType
    key: bytes = field(repr=False)
    salt: bytes | None = field(default=None, repr=False)
    mki: bytes | None = None

    def __post_init__(self) -> None:
        if self.key_type not in (*_TEK_TYPES, KeyDataType.TGK, KeyDataType.TGK_SALT):
            raise MikeyValueError(f"SRTP is keyed by a TGK or a TEK, not {self.key_type.label}")
        if not self.key:
            raise MikeyValueError(f"the {self.key_type.label} is empty")


@dataclass(slots=True, kw_only=True, eq=False)
class CryptoSessionBundle:
    """The state a MIKEY exchange leaves on both sides (RFC 3830 §1.3).

    ``generation`` counts the traffic keys this bundle has had: 0 after the initial
    exchange, +1 for each update that carried a new key (RFC 3830 §4.5).
    """

    csb_id: int
    rand: bytes = field(repr=False)
    prf_func: PrfFunc | int
    traffic_key: TrafficKey
    crypto_sessions: list[CryptoSession]
    initiator_id: bytes | None = None
    responder_id: bytes | None = None
    generation: int = 0

    def crypto_session(self, cs_id: int) -> CryptoSession:
        """The crypto session with CS ID ``cs_id`` (1-based)."""
        if not 1 <= cs_id <= len(self.crypto_sessions):
            raise MikeyValueError(
                f"CSB {self.csb_id:#010x} has crypto sessions 1-{len(self.crypto_sessions)},"
                f" not {cs_id}"
            )
        return self.crypto_sessions[cs_id - 1]

    def _tek_and_salt(self, cs_id: int) -> tuple[bytes | None, bytes | None]:
        """The master key and salt the traffic key carries for ``cs_id`` (None: derive
        from the TGK), checked against the crypto session's policy."""
        policy = self.crypto_session(cs_id).policy
        key_length, salt_length = policy.master_key_length, policy.master_salt_length
        tk = self.traffic_key
        key: bytes | None = None
        salt = tk.salt
        if tk.key_type in _TEK_TYPES:
            key = tk.key
            if salt is None and len(key) == key_length + salt_length:
                key, salt = key[:key_length], key[key_length:]
            if len(key) != key_length:
                raise MikeyPolicyParamError(
                    f"{policy.name} needs a {key_length}-byte master key; the TEK has {len(key)}"
                    + (f" (or {key_length + salt_length} with the salt)" if salt is None else "")
                )
            if salt is None:
                raise MikeyPolicyParamError(
                    "a TEK without salt keys no SRTP session: send TEK+SALT or key ‖ salt"
                )
        if salt is not None and len(salt) != salt_length:
            raise MikeyPolicyParamError(
                f"{policy.name} needs a {salt_length}-byte master salt; the key data carries"
                f" {len(salt)}"
            )
        return key, salt

    def check_keys(self, cs_id: int) -> None:
        """Check, without deriving anything, that the traffic key can key crypto session
        ``cs_id``'s policy.

        :raises MikeyPolicyParamError: as ``srtp_master_key``.
        """
        self._tek_and_salt(cs_id)

    def srtp_master_key(self, cs_id: int) -> tuple[bytes, bytes]:
        """The SRTP master key and master salt of crypto session ``cs_id``.

        From a TGK: TEK = PRF(TGK, 0x2AD01C64 ‖ cs_id ‖ csb_id ‖ RAND) at the policy's
        master key length, and the carried salt or else PRF(TGK, 0x39A2C14B ‖ …) at its
        salt length (RFC 3830 §4.1.3). From a TEK: the TEK itself, with the carried salt
        or, for a TEK holding key ‖ salt (GStreamer, ONVIF), its tail.

        :raises MikeyPolicyParamError: if the transported key or salt does not have the
            lengths the crypto session's policy needs (Invalid SPpar).
        """
        key, salt = self._tek_and_salt(cs_id)
        policy = self.crypto_session(cs_id).policy
        wanted = [
            (constant, length)
            for constant, length, carried in (
                (TgkConstant.TEK, policy.master_key_length, key),
                (TgkConstant.SALT, policy.master_salt_length, salt),
            )
            if carried is None
        ]
        if wanted:
            derived = iter(
                prf_many(
                    self.traffic_key.key,
                    [
                        (tgk_label(c, cs_id=cs_id, csb_id=self.csb_id, rand=self.rand), n)
                        for c, n in wanted
                    ],
                    self.prf_func,
                )
            )
            key = key if key is not None else next(derived)
            salt = salt if salt is not None else next(derived)
        assert key is not None and salt is not None
        return key, salt

    def srtp_session(
        self,
        cs_id: int,
        *,
        direction: Literal["outbound", "inbound"],
        replay_window: int = 128,
    ) -> SrtpSession:
        """A libsrtp session for crypto session ``cs_id``: its policy, keys, SSRC (any
        SSRC while the map holds the placeholder 0), ROC and MKI.

        Needs the ``srtp`` extra. After an update that carried a new key, call
        ``rekey_srtp_session`` on the sessions made earlier.
        """
        cs = self.crypto_session(cs_id)
        key, salt = self.srtp_master_key(cs_id)
        return _srtp_session_class()(
            cs.policy,
            key,
            salt,
            direction=direction,
            ssrc=cs.ssrc or None,
            roc=cs.roc,
            mki=self.traffic_key.mki,
            replay_window=replay_window,
        )

    def rekey_srtp_session(self, session: SrtpSession, cs_id: int) -> None:
        """Move ``session`` to this bundle's current traffic key; its streams keep their
        ROC and replay state (RFC 3711 §3.3.1, RFC 3830 §4.5)."""
        key, salt = self.srtp_master_key(cs_id)
        session.rekey(key, salt, mki=self.traffic_key.mki)
