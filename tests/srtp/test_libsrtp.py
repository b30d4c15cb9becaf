"""The ABI-mode binding ``mikey.srtp._libsrtp``: declared layouts against the compiler's,
the version gate, the missing-extra error, and the wrappers' error handling."""

from __future__ import annotations

import importlib
import platform
import struct
from collections.abc import Iterator
from typing import Any

import pytest

from mikey.errors import MikeySrtpError
from mikey.srtp import SrtpSession, _libsrtp
from mikey.srtp import policy as named
from mikey.srtp._libsrtp import (
    AuthType,
    CipherType,
    CryptoPolicy,
    SecServ,
    SsrcType,
    Status,
    StreamPolicy,
)

from .packets import SSRC, keys, rtp

# sizeof/offsetof printed by a C program compiled with gcc (x86-64, LP64) against
# cisco/libsrtp v2.7.0 include/srtp.h (commit ee1a77c9f9dc02c42bda9901038c500c5efe4cfa).
MEASURED_SIZES = {
    "srtp_policy_t": 128,
    "srtp_crypto_policy_t": 24,
    "srtp_ssrc_t": 8,
    "srtp_master_key_t": 24,
    "srtp_sec_serv_t": 4,
    "srtp_ssrc_type_t": 4,
}
MEASURED_OFFSETS = {
    "srtp_policy_t": {
        "ssrc": 0,
        "rtp": 8,
        "rtcp": 32,
        "key": 56,
        "keys": 64,
        "num_master_keys": 72,
        "deprecated_ekt": 80,
        "window_size": 88,
        "allow_repeat_tx": 96,
        "enc_xtn_hdr": 104,
        "enc_xtn_hdr_count": 112,
        "next": 120,
    },
    "srtp_crypto_policy_t": {
        "cipher_type": 0,
        "cipher_key_len": 4,
        "auth_type": 8,
        "auth_key_len": 12,
        "auth_tag_len": 16,
        "sec_serv": 20,
    },
    "srtp_ssrc_t": {"type": 0, "value": 4},
    "srtp_master_key_t": {"key": 0, "mki_id": 8, "mki_size": 16},
}
LP64 = struct.calcsize("P") == 8 and struct.calcsize("l") == 8 and platform.system() != "Windows"

CM_RTP = CryptoPolicy(
    cipher_type=CipherType.AES_ICM_128,
    cipher_key_len=30,
    auth_type=AuthType.HMAC_SHA1,
    auth_key_len=20,
    auth_tag_len=10,
    sec_serv=SecServ.CONF_AND_AUTH,
)


def stream(ssrc_type: SsrcType = SsrcType.SPECIFIC, **changes: Any) -> StreamPolicy:
    fields: dict[str, Any] = {
        "ssrc_type": ssrc_type,
        "ssrc": SSRC,
        "rtp": CM_RTP,
        "rtcp": CM_RTP,
        "key": bytes(range(30)),
        **changes,
    }
    return StreamPolicy(**fields)


@pytest.fixture
def reload_libsrtp() -> Iterator[None]:
    _libsrtp.load.cache_clear()
    yield
    _libsrtp.load.cache_clear()


def test_declared_layout_matches_pylibsrtps_compiled_ffi() -> None:
    """pylibsrtp's ``ffi`` is API mode: its offsets come from the C compiler."""
    compiled = importlib.import_module("pylibsrtp._binding").ffi
    ours, _ = _libsrtp.load()
    for name in ("srtp_policy_t", "srtp_crypto_policy_t", "srtp_ssrc_t"):
        assert ours.sizeof(name) == compiled.sizeof(name), name
    for field_name, field in compiled.typeof("srtp_policy_t").fields:
        assert ours.offsetof("srtp_policy_t", field_name) == field.offset, field_name
    for field_name, field in compiled.typeof("srtp_ssrc_t").fields:
        assert ours.offsetof("srtp_ssrc_t", field_name) == field.offset, field_name


@pytest.mark.skipif(not LP64, reason="offsets measured on an LP64 platform")
def test_declared_layout_matches_the_measured_v2_7_0_header() -> None:
    ours, _ = _libsrtp.load()
    for name, size in MEASURED_SIZES.items():
        assert ours.sizeof(name) == size, name
    for name, offsets in MEASURED_OFFSETS.items():
        for field_name, offset in offsets.items():
            assert ours.offsetof(name, field_name) == offset, (name, field_name)


def test_version_is_libsrtp_2() -> None:
    assert _libsrtp.version()[:2] >= (2, 1)
    assert _libsrtp.version()[0] == 2


def test_version_parsing() -> None:
    assert _libsrtp._parse_version("libsrtp2 2.7.0", 0x02070000) == (2, 7, 0)
    assert _libsrtp._parse_version("libsrtp2 2.8.1", 0) == (2, 8, 1)
    assert _libsrtp._parse_version("libsrtp2 git", 0) == (0, 0, 0)


@pytest.mark.usefixtures("reload_libsrtp")
@pytest.mark.parametrize("found", [(1, 6, 0), (2, 0, 0), (3, 0, 0), (0, 0, 0)])
def test_other_libsrtp_versions_are_refused(
    monkeypatch: pytest.MonkeyPatch, found: tuple[int, int, int]
) -> None:
    monkeypatch.setattr(_libsrtp, "_parse_version", lambda name, number: found)
    with pytest.raises(MikeySrtpError, match="refuses"):
        _libsrtp.load()
    key, salt = keys(named.AES_CM_128_HMAC_SHA1_80)
    with pytest.raises(MikeySrtpError, match="refuses"):
        SrtpSession(named.AES_CM_128_HMAC_SHA1_80, key, salt, direction="inbound")


@pytest.mark.usefixtures("reload_libsrtp")
@pytest.mark.parametrize("missing", ["cffi", "pylibsrtp._binding"])
def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    real = importlib.import_module

    def import_module(name: str, package: str | None = None) -> Any:
        if name == missing:
            raise ImportError(f"No module named {name!r}")
        return real(name, package)

    monkeypatch.setattr(_libsrtp.importlib, "import_module", import_module)
    key, salt = keys(named.AES_CM_128_HMAC_SHA1_80)
    with pytest.raises(MikeySrtpError, match=r"pip install 'mikey\[srtp\]'"):
        SrtpSession(named.AES_CM_128_HMAC_SHA1_80, key, salt, direction="inbound")


def test_srtp_init_again_says_already_initialised() -> None:
    # libsrtp 2.7 re-runs its self-tests, then refuses to register its debug module twice.
    _, lib = _libsrtp.load()
    assert lib.srtp_init() == Status.BAD_PARAM


def test_every_status_reads() -> None:
    for status in Status:
        assert status.message
        error = _libsrtp._fail(status, "op")
        assert error.status == status
        assert f"srtp_err_status_{status.name.lower()}" in str(error)
    assert _libsrtp._fail(99, "op").status == 99
    assert Status.AUTH_FAIL.message == "packet failed authentication"
    assert Status.REPLAY_FAIL.message == "packet replayed"


def test_session_wrappers() -> None:
    session = _libsrtp.Session()
    session.add_stream(stream())
    session.set_stream_roc(SSRC, 9)
    protected = session.protect(rtp(1))
    assert session.get_stream_roc(SSRC) == 9
    session.update_stream(stream(key=bytes(30)))
    assert session.get_stream_roc(SSRC) == 9
    assert session.protect(rtp(2)) != protected
    assert session.protect_trailer_length(rtcp=False, use_mki=False) == 10
    session.remove_stream(SSRC)
    with pytest.raises(MikeySrtpError) as error:
        session.get_stream_roc(SSRC)
    assert error.value.status == Status.BAD_PARAM
    with pytest.raises(MikeySrtpError) as error:
        session.protect(rtp(3))
    assert error.value.status == Status.NO_CTX
    session.close()
    session.close()
    assert session.closed
    with pytest.raises(MikeySrtpError, match="closed"):
        session.protect(rtp(4))


@pytest.mark.parametrize(
    "changes",
    [{"key": bytes(29)}, {"key": bytes(31)}, {"mki": b""}, {"mki": bytes(129)}],
)
def test_stream_policies_are_checked_before_libsrtp_reads_them(changes: dict[str, Any]) -> None:
    with pytest.raises(MikeySrtpError) as error:
        _libsrtp.Session().add_stream(stream(**changes))
    assert error.value.status == Status.BAD_PARAM


def test_a_wildcard_template_is_one_per_session() -> None:
    session = _libsrtp.Session()
    session.add_stream(stream(SsrcType.ANY_INBOUND, ssrc=0))
    with pytest.raises(MikeySrtpError):
        session.add_stream(stream(SsrcType.ANY_OUTBOUND, ssrc=0))
