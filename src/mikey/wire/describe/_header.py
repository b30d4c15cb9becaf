"""The Common Header and its CS ID maps. RFC 3830 §6.1 (HDR), §6.1.1 (SRTP-ID map),
RFC 4563 §5 (Empty map), RFC 6043 §6.1.1 (GENERIC-ID map, with SRTP Session Data).
"""

from __future__ import annotations

from mikey.errors import MikeyError
from mikey.registry import CsIdMapType, DataType, PayloadType, PrfFunc, ProtType, label_of
from mikey.wire.describe._fields import Fields, Node, hex32, plural, registry_node
from mikey.wire.header import (
    CommonHeader,
    EmptyMap,
    GenericIdEntry,
    GenericIdMap,
    SrtpIdEntry,
    SrtpIdMap,
)


def _srtp_id_entry(index: int, entry: SrtpIdEntry, f: Fields) -> None:
    sub = f.nested()
    sub.number("Policy_no", 1, entry.policy_no)
    sub.number("SSRC", 4, entry.ssrc, hex32(entry.ssrc))
    sub.number("ROC", 4, entry.roc, hex32(entry.roc))
    text = f"policy {entry.policy_no}, SSRC {entry.ssrc:#010x}, ROC {entry.roc}"
    f.group(f"Crypto session {index}", text, sub)


def _generic_id_entry(entry: GenericIdEntry, f: Fields) -> None:
    sub = f.nested()
    sub.number("CS ID", 1, entry.cs_id)
    sub.registry("Prot type", 1, entry.prot_type, ProtType)
    s_text = "1 (ROC and SEQ present)" if entry.s_flag else "0"
    sub.shared(
        1,
        Node("S", entry.s_flag, s_text),
        Node("#P", len(entry.policy_nos), str(len(entry.policy_nos))),
    )
    policies = sub.nested()
    for policy_no in entry.policy_nos:
        policies.number("Policy_no", 1, policy_no)
    listed = ", ".join(map(str, entry.policy_nos)) or "none"
    sub.group("Ps", listed, policies)
    sub.length("Session Data Length", 2, len(entry.session_data))
    session = sub.nested()
    summary = ""
    if entry.prot_type == ProtType.SRTP and entry.session_data:
        try:
            srtp = entry.srtp_session_data
        except MikeyError:
            srtp = None
        if srtp is not None:
            session.number("SSRC", 4, srtp.ssrc, hex32(srtp.ssrc))
            summary = f"SSRC {srtp.ssrc:#010x}"
            if srtp.roc is not None and srtp.seq is not None:
                session.number("ROC", 4, srtp.roc, hex32(srtp.roc))
                session.number("SEQ", 2, srtp.seq)
                summary += f", ROC {srtp.roc}, SEQ {srtp.seq}"
    if session.nodes:
        sub.group("Session Data", summary, session, entry.session_data.hex())
    else:
        sub.data("Session Data", entry.session_data)
    sub.length("SPI Length", 1, len(entry.spi))
    sub.data("SPI", entry.spi)
    text = f"{label_of(entry.prot_type, ProtType)}, policies {listed}"
    f.group(f"Crypto session {entry.cs_id}", text + (f", {summary}" if summary else ""), sub)


def describe_header(h: CommonHeader, next_type: PayloadType, f: Fields) -> str:
    cs_map = h.cs_id_map
    f.number("Version", 1, h.version)
    f.registry("Data type", 1, h.data_type, DataType)
    f.next_payload(next_type)
    v_text = f"{int(h.v)} ({'response expected' if h.v else 'no response expected'})"
    f.shared(1, Node("V", h.v, v_text), registry_node("PRF func", h.prf_func, PrfFunc))
    f.number("CSB ID", 4, h.csb_id, hex32(h.csb_id))
    f.number("#CS", 1, cs_map.cs_count)
    f.registry("CS ID map type", 1, cs_map.map_type, CsIdMapType)
    info = f.nested()
    if isinstance(cs_map, SrtpIdMap):
        for index, srtp_entry in enumerate(cs_map.entries, 1):
            _srtp_id_entry(index, srtp_entry, info)
    elif isinstance(cs_map, GenericIdMap):
        for generic_entry in cs_map.entries:
            _generic_id_entry(generic_entry, info)
    sessions = plural(cs_map.cs_count, "crypto session")
    empty = (
        " (Empty map: policies are signalled outside MIKEY)" if isinstance(cs_map, EmptyMap) else ""
    )
    f.group("CS ID map info", sessions + empty if info.nodes or empty else "none", info)
    return f"{label_of(h.data_type, DataType)}, CSB ID {h.csb_id:#010x}, {sessions}"
