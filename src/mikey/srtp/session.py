"""SRTP sessions on libsrtp: an ``SrtpPolicy`` and a master key in, packets protected.

RFC 3711 §3.1-§3.4 (SRTP and SRTCP packets, MKI, the rollover counter and the replay
list), §4.3 (key derivation, done by libsrtp), §8.1 (re-keying: a new master key while
the crypto context, and so the ROC, continues), §9.1 (no keystream used twice); RFC 6188
(AES-192/256-CM); RFC 7714 §8-§9 (AES-GCM). The ROC and SSRC come from the key
management, as RFC 3830 §6.1.1 carries them.

libsrtp does the cryptography (through ``mikey.srtp._libsrtp``); this module maps the
policy, checks what libsrtp does not (lengths, direction, MKI, a closed session) and keeps
the ROC of streams that start mid-sequence: libsrtp's wildcard streams always start at
ROC 0, so with an ROC but no SSRC each new SSRC gets its own stream before its first
packet reaches libsrtp.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import lru_cache, partial
from types import TracebackType
from typing import Literal, Self

from mikey.errors import MikeyPolicyParamError, MikeySrtpError, MikeyValueError
from mikey.srtp import _libsrtp
from mikey.srtp._libsrtp import (
    AuthType,
    CipherType,
    CryptoPolicy,
    SecServ,
    SsrcType,
    Status,
    StreamPolicy,
)
from mikey.srtp.policy import SrtpCipher, SrtpPolicy

__all__ = ["MAX_LEARNED_STREAMS", "SrtpSession"]

MAX_LEARNED_STREAMS = 64
"""How many SSRCs a session with an ROC but no SSRC takes on before it refuses more."""

RTP_HEADER_LENGTH = 12  # RFC 3550 §5.1, fixed part
RTCP_HEADER_LENGTH = 8  # RFC 3550 §6.4.1: V/P/RC, PT, length, SSRC of sender
SRTCP_INDEX_LENGTH = 4  # RFC 3711 §3.4: E flag and 31-bit index
HMAC_SHA1_KEY_LENGTH = 20  # RFC 3711 §8.2: n_a = 160
MAX_ROC = 2**32 - 1
# srtp_stream_init accepts 64 <= window < 2^15 (RFC 3711 §3.3.2: at least 64).
MIN_REPLAY_WINDOW, MAX_REPLAY_WINDOW = 64, 0x7FFF

_CM_CIPHERS = {
    # The NULL cipher still runs the AES-128-CM key derivation for its auth keys.
    SrtpCipher.NULL: CipherType.NULL_CIPHER,
    SrtpCipher.AES_CM_128: CipherType.AES_ICM_128,
    SrtpCipher.AES_CM_192: CipherType.AES_ICM_192,
    SrtpCipher.AES_CM_256: CipherType.AES_ICM_256,
}
_GCM_CIPHERS = {
    SrtpCipher.AES_GCM_128: CipherType.AES_GCM_128,
    SrtpCipher.AES_GCM_256: CipherType.AES_GCM_256,
}
# libsrtp statuses that mean "this policy cannot be run", answered with Invalid SPpar.
_POLICY_STATUSES = (
    Status.FAIL,  # e.g. a cipher the crypto kernel does not have
    Status.BAD_PARAM,
    Status.INIT_FAIL,
    Status.NO_SUCH_OP,
    Status.CIPHER_FAIL,
)


@lru_cache(maxsize=64)
def _crypto_policies(policy: SrtpPolicy) -> tuple[CryptoPolicy, CryptoPolicy]:
    """libsrtp's SRTP and SRTCP crypto policies for ``policy``.

    :raises MikeyPolicyParamError: for what the bundled libsrtp cannot run correctly.
    """
    cipher = policy.cipher
    tags = (("SRTP", policy.srtp_auth_tag_length), ("SRTCP", policy.srtcp_auth_tag_length))
    for name, tag in tags:
        if tag > _libsrtp.SRTP_MAX_TAG_LEN:
            # libsrtp 2.x unprotect copies the computed tag into a SRTP_MAX_TAG_LEN buffer.
            raise MikeyPolicyParamError(
                f"{policy.name}: libsrtp takes {name} tags of at most "
                f"{_libsrtp.SRTP_MAX_TAG_LEN} bytes, not {tag}"
            )
    key_and_salt = cipher.key_length + cipher.salt_length
    if cipher.is_aead:
        if not policy.srtp_encryption:
            # RFC 7714 §8 always encrypts SRTP; libsrtp's AEAD path ignores sec_serv for RTP.
            raise MikeyPolicyParamError(f"{policy.name}: AES-GCM SRTP cannot be unencrypted")
        cipher_type = _GCM_CIPHERS[cipher]
        return (
            CryptoPolicy(
                cipher_type=cipher_type,
                cipher_key_len=key_and_salt,
                auth_type=AuthType.NULL_AUTH,  # the GCM tag is the authentication
                auth_key_len=0,
                auth_tag_len=policy.srtp_auth_tag_length,
                sec_serv=SecServ.CONF_AND_AUTH,
            ),
            CryptoPolicy(
                cipher_type=cipher_type,
                cipher_key_len=key_and_salt,
                auth_type=AuthType.NULL_AUTH,
                auth_key_len=0,
                auth_tag_len=policy.srtcp_auth_tag_length,
                # RFC 7714 §9.3: E = 0, the whole packet is AAD.
                sec_serv=SecServ.CONF_AND_AUTH if policy.srtcp_encryption else SecServ.AUTH,
            ),
        )
    if cipher is SrtpCipher.AES_CM_192 and _libsrtp.version() < (2, 8, 0):
        # Before 2.8.0 libsrtp derives AES-192 session keys with an AES-256 PRF keyed by
        # master key ‖ part of the salt (cisco/libsrtp#763): no RFC 6188 peer agrees.
        raise MikeyPolicyParamError(
            f"{policy.name}: libsrtp {'.'.join(map(str, _libsrtp.version()))} derives "
            "AES-192-CM keys wrongly (fixed in 2.8.0, cisco/libsrtp#763)"
        )
    cipher_type = _CM_CIPHERS[cipher]
    rtp_services = (SecServ.CONF if policy.srtp_encryption else SecServ.NONE) | (
        SecServ.AUTH if policy.srtp_authentication else SecServ.NONE
    )
    return (
        CryptoPolicy(
            cipher_type=cipher_type,
            cipher_key_len=key_and_salt,
            auth_type=AuthType.HMAC_SHA1 if policy.srtp_authentication else AuthType.NULL_AUTH,
            auth_key_len=HMAC_SHA1_KEY_LENGTH if policy.srtp_authentication else 0,
            auth_tag_len=policy.srtp_auth_tag_length,
            sec_serv=rtp_services,
        ),
        CryptoPolicy(
            cipher_type=cipher_type,
            cipher_key_len=key_and_salt,
            auth_type=AuthType.HMAC_SHA1,  # SRTCP is always authenticated (§3.4)
            auth_key_len=HMAC_SHA1_KEY_LENGTH,
            auth_tag_len=policy.srtcp_auth_tag_length,
            sec_serv=SecServ.CONF_AND_AUTH if policy.srtcp_encryption else SecServ.AUTH,
        ),
    )


def _as_bytes(data: bytes, what: str) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    raise TypeError(f"{what} must be bytes, not {type(data).__name__}")


def _check_uint32(value: int, what: str) -> None:
    if type(value) is not int or not 0 <= value <= MAX_ROC:
        raise MikeyValueError(f"{what} must be an integer from 0 to 2^32-1, not {value!r}")


class SrtpSession:
    """SRTP and SRTCP protection of one direction of a media session, on libsrtp.

    ``direction`` says whether this side protects (``"outbound"``) or unprotects
    (``"inbound"``); the other operation is refused, since protecting and unprotecting
    the same SSRC under one key would reuse keystream (RFC 3711 §9.1). ``ssrc`` limits
    the session to one stream; ``None`` takes any SSRC. ``roc`` is the rollover counter
    the stream(s) start at (RFC 3711 §3.3.1; RFC 3830 §6.1.1 carries it), so that a
    receiver joining mid-stream decrypts from the first packet. ``mki``, when given, is
    appended to every packet and must be on every packet received (RFC 3711 §3.1).
    ``replay_window`` is the SRTP replay window in packets (RFC 3711 §3.3.2).

    Use as a context manager or call ``close``; a closed session raises
    ``MikeySrtpError``. Not thread-safe.

    :raises MikeyValueError: for a key, salt, MKI, SSRC, ROC or window of the wrong size.
    :raises MikeyPolicyParamError: for a policy libsrtp cannot run (Invalid SPpar).
    :raises MikeySrtpError: if libsrtp is not installed (the ``srtp`` extra) or fails.
    """

    _context: _libsrtp.Session | None = None

    def __init__(
        self,
        policy: SrtpPolicy,
        master_key: bytes,
        master_salt: bytes,
        *,
        direction: Literal["outbound", "inbound"],
        ssrc: int | None = None,
        roc: int = 0,
        mki: bytes | None = None,
        replay_window: int = 128,
    ) -> None:
        if not isinstance(policy, SrtpPolicy):
            raise TypeError(f"policy must be an SrtpPolicy, not {type(policy).__name__}")
        if direction not in ("outbound", "inbound"):
            raise MikeyValueError(f"direction must be 'outbound' or 'inbound', not {direction!r}")
        if ssrc is not None:
            _check_uint32(ssrc, "the SSRC")
        _check_uint32(roc, "the ROC")
        if type(replay_window) is not int or not (
            MIN_REPLAY_WINDOW <= replay_window <= MAX_REPLAY_WINDOW
        ):
            raise MikeyValueError(
                f"the replay window must be {MIN_REPLAY_WINDOW} to {MAX_REPLAY_WINDOW} packets,"
                f" not {replay_window!r}"
            )
        self._policy = policy
        self._direction: Literal["outbound", "inbound"] = direction
        self._ssrc = ssrc
        self._roc = roc
        self._window = replay_window
        self._rtp, self._rtcp = _crypto_policies(policy)
        self._key = self._master_key(master_key, master_salt)
        self._mki = self._checked_mki(mki)
        # Streams with their own SSRC (given, or learned when there is an ROC but no SSRC),
        # and those whose starting ROC libsrtp holds as "pending" until their first packet.
        self._streams: set[int] = set()
        self._pending_roc: set[int] = set()
        self._learn = ssrc is None and roc != 0
        context = _libsrtp.Session()
        self._context = context
        try:
            if ssrc is not None:
                self._add_stream(ssrc)
            elif not self._learn:
                context.add_stream(self._stream_policy(self._wildcard, 0))
        except MikeySrtpError as exc:
            self.close()
            if exc.status in _POLICY_STATUSES:
                raise MikeyPolicyParamError(f"libsrtp refuses {policy.name}: {exc}") from exc
            raise

    @property
    def policy(self) -> SrtpPolicy:
        return self._policy

    @property
    def direction(self) -> Literal["outbound", "inbound"]:
        return self._direction

    @property
    def ssrc(self) -> int | None:
        """The one SSRC this session protects, or ``None`` for any."""
        return self._ssrc

    # -- configuration ------------------------------------------------------------------

    @property
    def _wildcard(self) -> SsrcType:
        return SsrcType.ANY_OUTBOUND if self.direction == "outbound" else SsrcType.ANY_INBOUND

    def _master_key(self, master_key: bytes, master_salt: bytes) -> bytes:
        key = _as_bytes(master_key, "the master key")
        salt = _as_bytes(master_salt, "the master salt")
        if len(key) != self.policy.master_key_length:
            raise MikeyValueError(
                f"{self.policy.name} needs a {self.policy.master_key_length}-byte master key,"
                f" not {len(key)} bytes"
            )
        if len(salt) != self.policy.master_salt_length:
            raise MikeyValueError(
                f"{self.policy.name} needs a {self.policy.master_salt_length}-byte master "
                f"salt, not {len(salt)} bytes"
            )
        return key + salt

    @staticmethod
    def _checked_mki(mki: bytes | None) -> bytes | None:
        if mki is None:
            return None
        mki = _as_bytes(mki, "the MKI")
        if not 0 < len(mki) <= _libsrtp.SRTP_MAX_MKI_LEN:
            raise MikeyValueError(
                f"an MKI is 1 to {_libsrtp.SRTP_MAX_MKI_LEN} bytes, not {len(mki)}"
            )
        return mki

    def _stream_policy(self, ssrc_type: SsrcType, ssrc: int) -> StreamPolicy:
        return StreamPolicy(
            ssrc_type=ssrc_type,
            ssrc=ssrc,
            rtp=self._rtp,
            rtcp=self._rtcp,
            key=self._key,
            mki=self._mki,
            window_size=self._window,
        )

    def _open(self) -> _libsrtp.Session:
        if self._context is None:
            raise MikeySrtpError("the SRTP session is closed")
        return self._context

    def _add_stream(self, ssrc: int) -> None:
        context = self._open()
        context.add_stream(self._stream_policy(SsrcType.SPECIFIC, ssrc))
        self._streams.add(ssrc)
        if self._roc:
            context.set_stream_roc(ssrc, self._roc)
            self._pending_roc.add(ssrc)

    def _forget(self, ssrc: int) -> None:
        self._streams.discard(ssrc)
        self._pending_roc.discard(ssrc)
        # Keep the packet's error, not this one; a stream left behind would only be
        # hidden by the one added if the SSRC comes again.
        with contextlib.suppress(MikeySrtpError):
            self._open().remove_stream(ssrc)

    def _learn_stream(self, ssrc: int) -> bool:
        """Give a new SSRC its own stream at the session's ROC; True if one was added."""
        if not self._learn or ssrc in self._streams:
            return False
        if len(self._streams) >= MAX_LEARNED_STREAMS:
            raise MikeySrtpError(
                f"SSRC {ssrc:#010x} would be stream {len(self._streams) + 1}; this session "
                f"takes at most {MAX_LEARNED_STREAMS} (give an SSRC, or ROC 0)"
            )
        self._add_stream(ssrc)
        return True

    # -- packets ------------------------------------------------------------------------

    @property
    def _use_mki(self) -> bool:
        return self._mki is not None

    @property
    def _mki_length(self) -> int:
        return 0 if self._mki is None else len(self._mki)

    def _require(self, direction: str, operation: str) -> _libsrtp.Session:
        context = self._open()
        if self.direction != direction:
            raise MikeySrtpError(f"an {self.direction} SRTP session cannot {operation}")
        return context

    @staticmethod
    def _check_length(packet: bytes, minimum: int, what: str, parts: str) -> None:
        if len(packet) < minimum:
            raise MikeySrtpError(
                f"{what} is {len(packet)} bytes, shorter than {parts} ({minimum} bytes)",
                status=Status.BAD_PARAM,
            )

    def _run(self, ssrc: int, call: Callable[[bytes], bytes], packet: bytes) -> bytes:
        added = self._learn_stream(ssrc)
        try:
            result = call(packet)
        except MikeySrtpError:
            # A stream learned for a packet that failed is dropped again, so forged
            # packets cannot use up MAX_LEARNED_STREAMS.
            if added:
                self._forget(ssrc)
            raise
        return result

    def protect(self, rtp: bytes) -> bytes:
        """An RTP packet, protected: encrypted payload, MKI and tag (RFC 3711 §3.1).

        :raises MikeySrtpError: for a short or malformed packet, an SSRC with no stream,
            a closed or inbound session, or any libsrtp failure (``status`` says which).
        """
        context = self._require("outbound", "protect")
        packet = _as_bytes(rtp, "the RTP packet")
        self._check_length(packet, RTP_HEADER_LENGTH, "the RTP packet", "an RTP header")
        ssrc = int.from_bytes(packet[8:12], "big")

        call = partial(context.protect, use_mki=self._use_mki)
        result = self._run(ssrc, call, packet)
        self._pending_roc.discard(ssrc)
        return result

    def unprotect(self, srtp: bytes) -> bytes:
        """The RTP packet inside an SRTP packet, once its tag and index have checked out.

        :raises MikeySrtpError: if the packet fails authentication (status 7), is
            replayed (9) or too old (10), carries an unknown MKI (25), is short or
            malformed, or the session is closed or outbound.
        """
        context = self._require("inbound", "unprotect")
        packet = _as_bytes(srtp, "the SRTP packet")
        minimum = RTP_HEADER_LENGTH + self._mki_length + self._rtp.auth_tag_len
        self._check_length(packet, minimum, "the SRTP packet", "header, MKI and tag")
        ssrc = int.from_bytes(packet[8:12], "big")

        call = partial(context.unprotect, use_mki=self._use_mki)
        result = self._run(ssrc, call, packet)
        self._pending_roc.discard(ssrc)
        return result

    def protect_rtcp(self, rtcp: bytes) -> bytes:
        """An RTCP (compound) packet, protected: encrypted after the first 8 bytes, then
        E flag and SRTCP index, MKI and tag (RFC 3711 §3.4; RFC 7714 §9).

        :raises MikeySrtpError: as ``protect``.
        """
        context = self._require("outbound", "protect RTCP")
        packet = _as_bytes(rtcp, "the RTCP packet")
        self._check_length(packet, RTCP_HEADER_LENGTH, "the RTCP packet", "an RTCP header")
        ssrc = int.from_bytes(packet[4:8], "big")

        call = partial(context.protect_rtcp, use_mki=self._use_mki)
        return self._run(ssrc, call, packet)

    def unprotect_rtcp(self, srtcp: bytes) -> bytes:
        """The RTCP packet inside an SRTCP packet, once tag and index have checked out.

        :raises MikeySrtpError: as ``unprotect``; also if the E flag disagrees with the
            policy (status 14).
        """
        context = self._require("inbound", "unprotect RTCP")
        packet = _as_bytes(srtcp, "the SRTCP packet")
        minimum = (
            RTCP_HEADER_LENGTH + SRTCP_INDEX_LENGTH + self._mki_length + self._rtcp.auth_tag_len
        )
        self._check_length(packet, minimum, "the SRTCP packet", "header, index, MKI and tag")
        ssrc = int.from_bytes(packet[4:8], "big")

        call = partial(context.unprotect_rtcp, use_mki=self._use_mki)
        return self._run(ssrc, call, packet)

    # -- state ----------------------------------------------------------------------------

    def roc(self, ssrc: int) -> int:
        """The rollover counter of stream ``ssrc`` (``srtp_get_stream_roc``); before the
        stream's first packet, the ROC it was given.

        :raises MikeySrtpError: if the session has no stream for ``ssrc`` (with no SSRC
            given, a stream exists once its first packet has passed).
        """
        context = self._open()
        _check_uint32(ssrc, "the SSRC")
        if ssrc in self._pending_roc:
            return self._roc  # libsrtp reports 0 until the first packet applies it
        try:
            return context.get_stream_roc(ssrc)
        except MikeySrtpError as exc:
            raise MikeySrtpError(
                f"no SRTP stream with SSRC {ssrc:#010x} in this session", status=exc.status
            ) from exc

    def rekey(self, master_key: bytes, master_salt: bytes, *, mki: bytes | None = None) -> None:
        """Switch to a new master key (and MKI) for every packet from now on; each
        stream keeps its ROC, sequence number and SRTCP index (RFC 3711 §3.3.1, §8.1;
        RFC 3830 §4.5). Packets protected under the old key no longer unprotect.

        The MKI is fixed in presence and length by the signalling (RFC 3711 §3.1): a
        session with an MKI needs one of the same length, one without takes none.

        :raises MikeyValueError: for a key, salt or MKI of the wrong size.
        :raises MikeySrtpError: if libsrtp fails; the session is then closed.
        """
        context = self._open()
        key = self._master_key(master_key, master_salt)
        new_mki = self._checked_mki(mki)
        if (new_mki is None) != (self._mki is None) or (
            new_mki is not None and len(new_mki) != self._mki_length
        ):
            raise MikeyValueError(
                f"this session's packets carry a {self._mki_length}-byte MKI; a new key "
                f"must keep that, not bring {'no' if new_mki is None else len(new_mki)}"
                f"{'' if new_mki is None else '-byte'} MKI"
            )
        self._key, self._mki = key, new_mki
        try:
            if self.ssrc is None and not self._learn:
                # Also rekeys the streams libsrtp cloned from the template, keeping
                # their extended sequence numbers.
                context.update_stream(self._stream_policy(self._wildcard, 0))
            for ssrc in sorted(self._streams):
                context.update_stream(self._stream_policy(SsrcType.SPECIFIC, ssrc))
                if ssrc in self._pending_roc:
                    # srtp_update_stream keeps the index but not a pending ROC.
                    context.set_stream_roc(ssrc, self._roc)
        except MikeySrtpError:
            self.close()  # half the streams on the new key: fail closed
            raise

    def close(self) -> None:
        """Free the libsrtp session (``srtp_dealloc``); idempotent. A session that is
        never closed is freed when collected."""
        context, self._context = self._context, None
        if context is not None:
            context.close()

    @property
    def closed(self) -> bool:
        return self._context is None

    def __enter__(self) -> Self:
        self._open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else self.direction
        ssrc = "any SSRC" if self.ssrc is None else f"SSRC {self.ssrc:#010x}"
        return f"<SrtpSession {self.policy.name} {state} {ssrc}>"
