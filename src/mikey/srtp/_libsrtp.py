"""A small ABI-mode cffi binding to libsrtp 2.x: SRTP and SRTCP packet protection
(RFC 3711 §3-§4, AES-256/192-CM of RFC 6188, AES-GCM of RFC 7714) with the parts of the
C API that pylibsrtp does not wrap: any cipher, tag length and security service per
direction (``srtp_crypto_policy_t``), an MKI (``srtp_master_key_t``, RFC 3711 §3.1),
the rollover counter (``srtp_set_stream_roc``/``srtp_get_stream_roc``, §3.3.1) and rekeying
that keeps it (``srtp_update_stream``).

pylibsrtp bundles libsrtp in ``pylibsrtp/_binding.abi3.so`` and that object exports the
whole C API, so this module ``dlopen``s it rather than building anything. ABI mode does
not check declarations against a header: every declaration below is copied from
cisco/libsrtp tag v2.7.0 (commit ee1a77c9f9dc02c42bda9901038c500c5efe4cfa),
``include/srtp.h`` and ``crypto/include/crypto_types.h``. Layouts are those of the LP64
build: ``srtp_policy_t`` 128 bytes, ``srtp_crypto_policy_t`` 24, ``srtp_ssrc_t`` 8,
``srtp_master_key_t`` 24; they were measured with a C compiler on that header and agree
with the offsets in pylibsrtp's compiled (API mode) ``ffi`` (tests/srtp/test_libsrtp.py).
The declarations are identical from v2.1.0 through v2.8.0; v2.0 lacks the MKI API, so
``load`` refuses anything outside 2.1 ≤ version < 3.

libsrtp 2.7.0 behaviours a caller must know (read in srtp/srtp.c at that tag): a computed
HMAC tag is copied into a ``SRTP_MAX_TAG_LEN`` (16-byte) stack buffer on unprotect, so
tags of 17-20 bytes, which HMAC-SHA1 allows, overflow it; AES-192-CM master keys go
through an AES-256 KDF keyed with key ‖ salt (cisco/libsrtp#763, fixed in 2.8.0);
``srtp_init`` is not idempotent (a second call returns bad_param); a second stream for an
SSRC hides the first.

Everything cffi hands out is untyped; it stays in this module. Callers see ``bytes``,
``int`` and the frozen dataclasses below, and every non-zero ``srtp_err_status_t``
becomes a ``MikeySrtpError`` carrying the status.
"""

from __future__ import annotations

import functools
import importlib
import re
import socket
from dataclasses import dataclass, field
from enum import IntEnum, IntFlag
from typing import Any

from mikey.errors import MikeySrtpError

__all__ = [
    "SRTP_MAX_MKI_LEN",
    "SRTP_MAX_SRTCP_TRAILER_LEN",
    "SRTP_MAX_TAG_LEN",
    "SRTP_MAX_TRAILER_LEN",
    "AuthType",
    "CipherType",
    "CryptoPolicy",
    "SecServ",
    "Session",
    "SsrcType",
    "Status",
    "StreamPolicy",
    "load",
    "version",
]

# srtp.h: the most libsrtp appends to a packet.
SRTP_MAX_TAG_LEN = 16
SRTP_MAX_MKI_LEN = 128
SRTP_MAX_TRAILER_LEN = SRTP_MAX_TAG_LEN + SRTP_MAX_MKI_LEN
SRTP_MAX_SRTCP_TRAILER_LEN = 4 + SRTP_MAX_TAG_LEN + SRTP_MAX_MKI_LEN
_INT_MAX = 2**31 - 1  # packet lengths travel as C int

_CDEF = """
typedef uint32_t srtp_cipher_type_id_t;
typedef uint32_t srtp_auth_type_id_t;

typedef enum {
    srtp_err_status_ok = 0, srtp_err_status_fail = 1, srtp_err_status_bad_param = 2,
    srtp_err_status_alloc_fail = 3, srtp_err_status_dealloc_fail = 4,
    srtp_err_status_init_fail = 5, srtp_err_status_terminus = 6,
    srtp_err_status_auth_fail = 7, srtp_err_status_cipher_fail = 8,
    srtp_err_status_replay_fail = 9, srtp_err_status_replay_old = 10,
    srtp_err_status_algo_fail = 11, srtp_err_status_no_such_op = 12,
    srtp_err_status_no_ctx = 13, srtp_err_status_cant_check = 14,
    srtp_err_status_key_expired = 15, srtp_err_status_socket_err = 16,
    srtp_err_status_signal_err = 17, srtp_err_status_nonce_bad = 18,
    srtp_err_status_read_fail = 19, srtp_err_status_write_fail = 20,
    srtp_err_status_parse_err = 21, srtp_err_status_encode_err = 22,
    srtp_err_status_semaphore_err = 23, srtp_err_status_pfkey_err = 24,
    srtp_err_status_bad_mki = 25, srtp_err_status_pkt_idx_old = 26,
    srtp_err_status_pkt_idx_adv = 27
} srtp_err_status_t;

typedef struct srtp_ctx_t_ srtp_ctx_t;

typedef enum {
    sec_serv_none = 0, sec_serv_conf = 1, sec_serv_auth = 2, sec_serv_conf_and_auth = 3
} srtp_sec_serv_t;

typedef struct srtp_crypto_policy_t {
    srtp_cipher_type_id_t cipher_type;
    int cipher_key_len;
    srtp_auth_type_id_t auth_type;
    int auth_key_len;
    int auth_tag_len;
    srtp_sec_serv_t sec_serv;
} srtp_crypto_policy_t;

typedef enum {
    ssrc_undefined = 0, ssrc_specific = 1, ssrc_any_inbound = 2, ssrc_any_outbound = 3
} srtp_ssrc_type_t;

typedef struct {
    srtp_ssrc_type_t type;
    unsigned int value;
} srtp_ssrc_t;

typedef struct srtp_master_key_t {
    unsigned char *key;
    unsigned char *mki_id;
    unsigned int mki_size;
} srtp_master_key_t;

typedef struct srtp_policy_t {
    srtp_ssrc_t ssrc;
    srtp_crypto_policy_t rtp;
    srtp_crypto_policy_t rtcp;
    unsigned char *key;
    srtp_master_key_t **keys;
    unsigned long num_master_keys;
    void *deprecated_ekt;
    unsigned long window_size;
    int allow_repeat_tx;
    int *enc_xtn_hdr;
    int enc_xtn_hdr_count;
    struct srtp_policy_t *next;
} srtp_policy_t;

typedef srtp_ctx_t *srtp_t;

srtp_err_status_t srtp_init(void);
const char *srtp_get_version_string(void);
unsigned int srtp_get_version(void);

srtp_err_status_t srtp_create(srtp_t *session, const srtp_policy_t *policy);
srtp_err_status_t srtp_dealloc(srtp_t s);
srtp_err_status_t srtp_add_stream(srtp_t session, const srtp_policy_t *policy);
srtp_err_status_t srtp_remove_stream(srtp_t session, uint32_t ssrc);
srtp_err_status_t srtp_update_stream(srtp_t session, const srtp_policy_t *policy);

srtp_err_status_t srtp_protect_mki(srtp_ctx_t *ctx, void *rtp_hdr, int *pkt_octet_len,
                                   unsigned int use_mki, unsigned int mki_index);
srtp_err_status_t srtp_unprotect_mki(srtp_t ctx, void *srtp_hdr, int *len_ptr,
                                     unsigned int use_mki);
srtp_err_status_t srtp_protect_rtcp_mki(srtp_t ctx, void *rtcp_hdr, int *pkt_octet_len,
                                        unsigned int use_mki, unsigned int mki_index);
srtp_err_status_t srtp_unprotect_rtcp_mki(srtp_t ctx, void *srtcp_hdr, int *pkt_octet_len,
                                          unsigned int use_mki);

srtp_err_status_t srtp_get_protect_trailer_length(srtp_t session, uint32_t use_mki,
                                                  uint32_t mki_index, uint32_t *length);
srtp_err_status_t srtp_get_protect_rtcp_trailer_length(srtp_t session, uint32_t use_mki,
                                                       uint32_t mki_index,
                                                       uint32_t *length);
srtp_err_status_t srtp_set_stream_roc(srtp_t session, uint32_t ssrc, uint32_t roc);
srtp_err_status_t srtp_get_stream_roc(srtp_t session, uint32_t ssrc, uint32_t *roc);
"""


class CipherType(IntEnum):
    """``srtp_cipher_type_id_t`` values (crypto_types.h)."""

    NULL_CIPHER = 0
    AES_ICM_128 = 1
    AES_ICM_192 = 4
    AES_ICM_256 = 5
    AES_GCM_128 = 6
    AES_GCM_256 = 7


class AuthType(IntEnum):
    """``srtp_auth_type_id_t`` values (crypto_types.h)."""

    NULL_AUTH = 0
    HMAC_SHA1 = 3


class SecServ(IntFlag):
    """``srtp_sec_serv_t``: confidentiality and/or authentication."""

    NONE = 0
    CONF = 1
    AUTH = 2
    CONF_AND_AUTH = 3


class SsrcType(IntEnum):
    """``srtp_ssrc_type_t``: one SSRC, or a template for any SSRC of one direction."""

    SPECIFIC = 1
    ANY_INBOUND = 2
    ANY_OUTBOUND = 3


class Status(IntEnum):
    """``srtp_err_status_t``, with a readable message per value."""

    OK = 0
    FAIL = 1
    BAD_PARAM = 2
    ALLOC_FAIL = 3
    DEALLOC_FAIL = 4
    INIT_FAIL = 5
    TERMINUS = 6
    AUTH_FAIL = 7
    CIPHER_FAIL = 8
    REPLAY_FAIL = 9
    REPLAY_OLD = 10
    ALGO_FAIL = 11
    NO_SUCH_OP = 12
    NO_CTX = 13
    CANT_CHECK = 14
    KEY_EXPIRED = 15
    SOCKET_ERR = 16
    SIGNAL_ERR = 17
    NONCE_BAD = 18
    READ_FAIL = 19
    WRITE_FAIL = 20
    PARSE_ERR = 21
    ENCODE_ERR = 22
    SEMAPHORE_ERR = 23
    PFKEY_ERR = 24
    BAD_MKI = 25
    PKT_IDX_OLD = 26
    PKT_IDX_ADV = 27

    @property
    def message(self) -> str:
        return _MESSAGES.get(self, self.name.lower().replace("_", " "))


_MESSAGES = {
    Status.FAIL: "unspecified failure",
    Status.BAD_PARAM: "bad parameter or malformed packet",
    Status.ALLOC_FAIL: "out of memory",
    Status.INIT_FAIL: "stream initialisation failed",
    Status.AUTH_FAIL: "packet failed authentication",
    Status.CIPHER_FAIL: "cipher failure",
    Status.REPLAY_FAIL: "packet replayed",
    Status.REPLAY_OLD: "packet too old for the replay window",
    Status.ALGO_FAIL: "algorithm failed its self-test",
    Status.NO_SUCH_OP: "unsupported operation",
    Status.NO_CTX: "no stream for this SSRC",
    Status.CANT_CHECK: "the packet's E flag does not match the policy",
    Status.KEY_EXPIRED: "master key used up (2^48 SRTP or 2^31 SRTCP packets)",
    Status.PARSE_ERR: "malformed packet",
    Status.BAD_MKI: "MKI in the packet matches no master key",
    Status.PKT_IDX_OLD: "packet index too old",
    Status.PKT_IDX_ADV: "packet index advanced too far",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CryptoPolicy:
    """``srtp_crypto_policy_t`` for one of SRTP or SRTCP. ``cipher_key_len`` counts key
    and salt together, as libsrtp 2 does (30 for AES-128-CM, 28 for AES-128-GCM)."""

    cipher_type: CipherType
    cipher_key_len: int
    auth_type: AuthType
    auth_key_len: int
    auth_tag_len: int
    sec_serv: SecServ


# Not frozen: one is made per stream on the session set-up path, and frozen dataclasses
# pay object.__setattr__ per field; nothing keeps or shares these objects.
@dataclass(slots=True, kw_only=True)
class StreamPolicy:
    """``srtp_policy_t`` for one stream or one wildcard template, with one master key
    (``key`` is master key ‖ master salt) and an optional MKI."""

    ssrc_type: SsrcType
    ssrc: int
    rtp: CryptoPolicy
    rtcp: CryptoPolicy
    key: bytes = field(repr=False)
    mki: bytes | None = None
    window_size: int = 128
    allow_repeat_tx: bool = False


@functools.lru_cache(maxsize=64)
def _crypto_fields(policy: CryptoPolicy) -> dict[str, int]:
    """``policy`` as a cffi initializer for ``srtp_crypto_policy_t``."""
    return {
        "cipher_type": policy.cipher_type,
        "cipher_key_len": policy.cipher_key_len,
        "auth_type": policy.auth_type,
        "auth_key_len": policy.auth_key_len,
        "auth_tag_len": policy.auth_tag_len,
        "sec_serv": policy.sec_serv,
    }


def _fail(status: int, operation: str) -> MikeySrtpError:
    try:
        known = Status(status)
    except ValueError:
        return MikeySrtpError(f"{operation}: libsrtp status {status}", status=status)
    return MikeySrtpError(
        f"{operation}: {known.message} (libsrtp srtp_err_status_{known.name.lower()})",
        status=status,
    )


def _check(status: int, operation: str) -> None:
    if status != Status.OK:
        raise _fail(status, operation)


@functools.cache
def load() -> tuple[Any, Any]:
    """``(ffi, lib)`` for the libsrtp that pylibsrtp bundles, initialised.

    :raises MikeySrtpError: if pylibsrtp or cffi is missing, or the library is not
        libsrtp 2.1 or a later 2.x.
    """
    try:
        cffi = importlib.import_module("cffi")
        bundled = importlib.import_module("pylibsrtp._binding")
    except ImportError as exc:
        raise MikeySrtpError(
            f"SRTP sessions need libsrtp through pylibsrtp and cffi ({exc}): "
            "pip install 'mikey[srtp]'"
        ) from exc
    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    lib = ffi.dlopen(bundled.__file__)
    name = ffi.string(lib.srtp_get_version_string()).decode("ascii", "replace")
    if not (2, 1) <= _parse_version(name, int(lib.srtp_get_version()))[:2] < (3, 0):
        raise MikeySrtpError(
            f"pylibsrtp bundles {name!r}; mikey.srtp declares the libsrtp 2.x ABI "
            "(2.1 or later, checked against 2.7.0) and refuses anything else"
        )
    # Importing pylibsrtp already ran srtp_init. Run again, libsrtp 2.7 repeats its cipher
    # self-tests (a failure returns their status) and then returns bad_param because its
    # debug module is registered already: that one status means "initialised".
    status = lib.srtp_init()
    if status != Status.BAD_PARAM:
        _check(status, "srtp_init")
    return ffi, lib


def _parse_version(name: str, number: int) -> tuple[int, int, int]:
    # srtp_get_version() packs major << 24 | minor << 16 | micro, and is 0 for a build
    # that is not a release; the string ("libsrtp2 2.7.0") is then the only source.
    if number:
        return number >> 24, (number >> 16) & 0xFF, number & 0xFFFF
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", name)
    if found is None:
        return 0, 0, 0
    major, minor, micro = (int(part) for part in found.groups())
    return major, minor, micro


def version() -> tuple[int, int, int]:
    """The loaded libsrtp's (major, minor, micro) version."""
    ffi, lib = load()
    name = ffi.string(lib.srtp_get_version_string()).decode("ascii", "replace")
    return _parse_version(name, int(lib.srtp_get_version()))


class Session:
    """One ``srtp_t``: a set of streams keyed by SSRC plus at most one wildcard template.

    The context is freed by ``close`` or, failing that, when the object is collected.
    Nothing here is thread-safe.
    """

    def __init__(self) -> None:
        ffi, lib = load()
        self._ffi: Any = ffi
        self._lib: Any = lib
        out = ffi.new("srtp_t *")
        _check(lib.srtp_create(out, ffi.NULL), "srtp_create")
        # ffi.gc frees the context if close() is never called; ffi.release in close()
        # runs the same destructor once, now.
        self._ctx: Any = ffi.gc(out[0], lib.srtp_dealloc)

    @property
    def closed(self) -> bool:
        return self._ctx is None

    def close(self) -> None:
        """``srtp_dealloc``; idempotent."""
        if self._ctx is not None:
            ctx, self._ctx = self._ctx, None
            self._ffi.release(ctx)

    def _handle(self) -> Any:
        if self._ctx is None:
            raise MikeySrtpError("the libsrtp session is closed")
        return self._ctx

    def _with_policy(self, function: str, policy: StreamPolicy) -> None:
        ffi = self._ffi
        length = max(policy.rtp.cipher_key_len, policy.rtcp.cipher_key_len)
        if len(policy.key) != length:
            # libsrtp reads cipher_key_len bytes from the key pointer whatever its size.
            raise MikeySrtpError(
                f"{function}: key and salt are {len(policy.key)} bytes, the policy needs {length}",
                status=Status.BAD_PARAM,
            )
        if policy.mki is not None and not 0 < len(policy.mki) <= SRTP_MAX_MKI_LEN:
            raise MikeySrtpError(
                f"{function}: an MKI is 1 to {SRTP_MAX_MKI_LEN} bytes, not {len(policy.mki)}",
                status=Status.BAD_PARAM,
            )
        # Zeroed beyond what is given: next, enc_xtn_hdr, deprecated_ekt are NULL.
        c = ffi.new(
            "srtp_policy_t *",
            {
                "ssrc": {"type": policy.ssrc_type, "value": policy.ssrc},
                "rtp": _crypto_fields(policy.rtp),
                "rtcp": _crypto_fields(policy.rtcp),
                "window_size": policy.window_size,
                "allow_repeat_tx": int(policy.allow_repeat_tx),
            },
        )
        key = ffi.new("unsigned char[]", policy.key)
        keep = [key]  # cdata must outlive the call; libsrtp copies what it keeps
        if policy.mki is None:
            c.key = key
        else:
            master = ffi.new("srtp_master_key_t *")
            mki = ffi.new("unsigned char[]", policy.mki)
            master.key, master.mki_id, master.mki_size = key, mki, len(policy.mki)
            keys = ffi.new("srtp_master_key_t *[1]", [master])
            c.keys, c.num_master_keys = keys, 1
            keep += [master, mki, keys]
        try:
            _check(getattr(self._lib, function)(self._handle(), c), function)
        finally:
            ffi.memmove(key, bytes(len(policy.key)), len(policy.key))

    def add_stream(self, policy: StreamPolicy) -> None:
        """``srtp_add_stream``: a stream for one SSRC, or the wildcard template (one per
        session). libsrtp 2.7 takes a second stream for an SSRC it has: the new one hides
        the old, so callers keep track."""
        self._with_policy("srtp_add_stream", policy)

    def update_stream(self, policy: StreamPolicy) -> None:
        """``srtp_update_stream``: new keys for the stream of ``policy.ssrc`` or, for a
        wildcard, for the template and every stream cloned from it (not for streams added
        with their own SSRC). libsrtp 2.7 keeps each stream's extended sequence number
        (ROC and SEQ) and SRTCP index, and resets its replay bitmap and pending ROC."""
        self._with_policy("srtp_update_stream", policy)

    def remove_stream(self, ssrc: int) -> None:
        """``srtp_remove_stream`` (which wants the SSRC in network byte order)."""
        _check(
            self._lib.srtp_remove_stream(self._handle(), socket.htonl(ssrc)),
            "srtp_remove_stream",
        )

    def set_stream_roc(self, ssrc: int, roc: int) -> None:
        """``srtp_set_stream_roc``: the ROC libsrtp assumes for the stream's next packet
        until a packet has moved the stream's index (a "pending" ROC in libsrtp 2.7)."""
        _check(self._lib.srtp_set_stream_roc(self._handle(), ssrc, roc), "srtp_set_stream_roc")

    def get_stream_roc(self, ssrc: int) -> int:
        """``srtp_get_stream_roc``: the ROC of the stream's highest packet index so far."""
        out = self._ffi.new("uint32_t *")
        _check(self._lib.srtp_get_stream_roc(self._handle(), ssrc, out), "srtp_get_stream_roc")
        return int(out[0])

    def protect_trailer_length(self, *, rtcp: bool, use_mki: bool, mki_index: int = 0) -> int:
        """``srtp_get_protect_(rtcp_)trailer_length``: the most protect adds to a packet
        over all streams of the session."""
        out = self._ffi.new("uint32_t *")
        function = (
            "srtp_get_protect_rtcp_trailer_length" if rtcp else "srtp_get_protect_trailer_length"
        )
        _check(getattr(self._lib, function)(self._handle(), use_mki, mki_index, out), function)
        return int(out[0])

    def _transform(self, function: str, packet: bytes, room: int, *args: int) -> bytes:
        ffi = self._ffi
        if len(packet) > _INT_MAX - room:
            raise MikeySrtpError(f"{function}: a {len(packet)}-byte packet is too long")
        # libsrtp works in place and appends its trailer: give it the room.
        buffer = ffi.new("unsigned char[]", len(packet) + room)
        ffi.memmove(buffer, packet, len(packet))
        length = ffi.new("int *", len(packet))
        _check(getattr(self._lib, function)(self._handle(), buffer, length, *args), function)
        return bytes(ffi.buffer(buffer, length[0]))

    def protect(self, packet: bytes, *, use_mki: bool = False, mki_index: int = 0) -> bytes:
        """``srtp_protect_mki``: RTP in, SRTP out."""
        return self._transform("srtp_protect_mki", packet, SRTP_MAX_TRAILER_LEN, use_mki, mki_index)

    def unprotect(self, packet: bytes, *, use_mki: bool = False) -> bytes:
        """``srtp_unprotect_mki``: SRTP in, RTP out."""
        return self._transform("srtp_unprotect_mki", packet, 0, use_mki)

    def protect_rtcp(self, packet: bytes, *, use_mki: bool = False, mki_index: int = 0) -> bytes:
        """``srtp_protect_rtcp_mki``: RTCP in, SRTCP out."""
        return self._transform(
            "srtp_protect_rtcp_mki", packet, SRTP_MAX_SRTCP_TRAILER_LEN, use_mki, mki_index
        )

    def unprotect_rtcp(self, packet: bytes, *, use_mki: bool = False) -> bytes:
        """``srtp_unprotect_rtcp_mki``: SRTCP in, RTCP out."""
        return self._transform("srtp_unprotect_rtcp_mki", packet, 0, use_mki)
