"""Tests of the tshark harness itself, on MIKEY messages built by hand (RFC 3830 §6).

These do not use the mikey package: they check that the harness wraps, dissects
and maps messages back correctly, so that interop failures elsewhere point at
the codec and not at the harness.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from . import tshark
from .tshark import build_pcap, dissect, dissect_many, tshark_path

pytestmark = pytest.mark.interop

CSB_ID = 0x1A2B3C4D
SSRC = 0xDEADBEEF
TGK = bytes(range(0x40, 0x50))
MAC = b"\xaa" * 20
RAND = bytes(range(16))
NTP = 0xE9A1B2C3_80000000  # 2024-03-17 18:19:47.5 UTC


def _hdr(next_payload: int, data_type: int = 0, csb_id: int = CSB_ID) -> bytes:
    """HDR with one SRTP-ID map entry (policy 1, SSRC, ROC 0)."""
    return struct.pack("!BBBBIBB", 1, data_type, next_payload, 0, csb_id, 1, 0) + struct.pack(
        "!BII", 1, SSRC, 0
    )


def _psk_message(csb_id: int = CSB_ID) -> bytes:
    """HDR, T (NTP-UTC), RAND, SP (SRTP), KEMAC (NULL encryption, TGK, HMAC-SHA-1)."""
    t = struct.pack("!BBQ", 11, 0, NTP)
    rand = struct.pack("!BB", 10, len(RAND)) + RAND
    params = b"".join(struct.pack("!BBB", kind, 1, value) for kind, value in ((0, 1), (1, 16)))
    sp = struct.pack("!BBBH", 1, 0, 0, len(params)) + params
    key = struct.pack("!BBH", 0, 0x00, len(TGK)) + TGK  # Type TGK, KV Null
    kemac = struct.pack("!BBH", 0, 0, len(key)) + key + b"\x01" + MAC
    return _hdr(5, csb_id=csb_id) + t + rand + sp + kemac


def _error_message() -> bytes:
    """HDR (data type Error, no CS), T, ERR (Invalid timestamp)."""
    hdr = struct.pack("!BBBBIBB", 1, 6, 5, 0, CSB_ID, 0, 0)
    return hdr + struct.pack("!BBQ", 12, 0, NTP) + struct.pack("!BBH", 0, 1, 0)


def test_tshark_is_installed() -> None:
    assert tshark_path().endswith("tshark")


def test_missing_tshark_fails_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TSHARK", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(tshark, "_is_executable", lambda path: False)
    with pytest.raises(RuntimeError, match="install Debian package tshark"):
        tshark_path()
    monkeypatch.setenv("TSHARK", str(tmp_path / "nope"))
    with pytest.raises(RuntimeError, match="not an executable"):
        tshark_path()


def test_valid_psk_message_dissects_cleanly() -> None:
    d = dissect(_psk_message())
    d.assert_clean()
    assert d.has_mikey and not d.malformed and d.completed
    assert d.payload_names() == ["mikey.hdr", "mikey.t", "mikey.rand", "mikey.sp", "mikey.kemac"]
    assert d.show("mikey.csb_id") == f"0x{CSB_ID:08x}"
    assert d.first("mikey.csb_id").as_int() == CSB_ID
    assert d.first("mikey.csb_id").pos == 4
    assert d.first("mikey.srtp_id.ssrc").as_int() == SSRC
    assert d.show("mikey.type") == "0"
    assert d.first("mikey.rand.data").as_bytes() == RAND
    # NULL-encrypted KEMAC in a Pre-shared message: the key data sub-payload is shown.
    kemac = d.payloads("mikey.kemac")[0]
    assert kemac.first("mikey.key.data").as_bytes() == TGK
    assert kemac.first("mikey.kemac.mac").as_bytes() == MAC
    assert d.shows("mikey.next_payload") == ["5", "11", "10", "1", "0"]
    assert d.dissected_length == len(_psk_message())


def test_truncated_message_is_malformed() -> None:
    d = dissect(_psk_message()[:-5])
    assert d.has_mikey
    assert d.malformed
    assert not d.completed
    assert not d.clean
    assert any(e.severity == "Error" and e.group == "Malformed" for e in d.expert)


def test_error_message() -> None:
    d = dissect(_error_message())
    d.assert_clean()
    assert d.payload_names() == ["mikey.hdr", "mikey.t", "mikey.err"]
    assert d.first("mikey.err.no").showname == "Error no.: Invalid timestamp (1)"
    assert d.mikey_showname.endswith(": Error")


def test_many_messages_map_back_in_order() -> None:
    messages = [_psk_message(csb_id=n) for n in range(1, 31)]
    messages.insert(7, b"\x01\x00")  # too short even for the HDR
    results = dissect_many(messages)
    assert len(results) == len(messages)
    for message, d in zip(messages, results, strict=True):
        assert d.message == message
    assert results[7].malformed and not results[7].has_mikey
    ok = results[:7] + results[8:]
    assert [d.first("mikey.csb_id").as_int() for d in ok] == list(range(1, 31))
    assert all(d.clean for d in ok)


def test_empty_batch() -> None:
    assert dissect_many([]) == []


def test_pcap_layout() -> None:
    pcap = build_pcap([b"abc"])
    magic, _, _, _, _, snaplen, linktype = struct.unpack_from("<IHHiIII", pcap)
    assert (magic, linktype) == (0xA1B2C3D4, 101)
    assert snaplen >= 65535
    _, _, caplen, wirelen = struct.unpack_from("<IIII", pcap, 24)
    assert caplen == wirelen == 20 + 8 + 3
    assert pcap.endswith(b"abc")
