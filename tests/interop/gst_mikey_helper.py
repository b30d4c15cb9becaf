#!/usr/bin/python3
"""Drive GStreamer's MIKEY implementation (``GstSdp.MIKEYMessage``, libgstsdp).

This script runs under Debian's own interpreter (``/usr/bin/python3``), which has PyGObject
(``gi``); the project's virtualenv does not.  ``tests/interop/gstreamer.py`` runs it in a
subprocess and imposes the timeout (GStreamer's parser loops forever on payloads it does not
implement, so never run ``parse`` without one).

Usage::

    /usr/bin/python3 gst_mikey_helper.py build|parse|caps|version  < request.json > reply.json

Commands (JSON on stdin, one JSON object on stdout):

``build``
    A message spec (see ``build_message``) -> ``{"b64": base64 of gst_mikey_message_to_bytes()}``.
``parse``
    ``{"b64": ...}`` -> everything ``gst_mikey_message_new_from_bytes`` (called through ctypes
    with a NULL ``GstMIKEYDecryptInfo``) parsed, or ``{"error": ...}`` when it returned NULL.
``caps``
    ``{"b64": ...}`` -> ``{"ok": bool, "caps": str}``: the message parsed as above, then
    ``gst_mikey_message_to_caps`` into an empty ``application/x-srtp`` caps.
``version``
    ``{}`` -> GStreamer and PyGObject versions.

A failure of the request itself (bad spec, GStreamer refusing a value) is reported as
``{"error": ...}`` with exit status 2.
"""

from __future__ import annotations

import base64
import ctypes
import ctypes.util
import json
import sys
from typing import Any

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import Gst, GstSdp  # noqa: E402

Gst.init(None)


class RequestError(Exception):
    """The request cannot be carried out (bad spec or GStreamer said no)."""


# --------------------------------------------------------------------------------------------
# ctypes view of libgstsdp (GStreamer 1.22 public structs, gstmikey.h)
# --------------------------------------------------------------------------------------------


def _load(name: str, fallback: str) -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library(name) or fallback)


_glib = _load("glib-2.0", "libglib-2.0.so.0")
_gst = _load("gstreamer-1.0", "libgstreamer-1.0.so.0")
_sdp = _load("gstsdp-1.0", "libgstsdp-1.0.so.0")

_vp = ctypes.c_void_p


class _GstMiniObject(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_size_t),
        ("refcount", ctypes.c_int),
        ("lockstate", ctypes.c_int),
        ("flags", ctypes.c_uint),
        ("copy", _vp),
        ("dispose", _vp),
        ("free", _vp),
        ("priv_uint", ctypes.c_uint),
        ("priv_pointer", _vp),
    ]


class _GArray(ctypes.Structure):
    _fields_ = [("data", _vp), ("len", ctypes.c_uint)]


class _Message(ctypes.Structure):
    _fields_ = [
        ("mini_object", _GstMiniObject),
        ("version", ctypes.c_uint8),
        ("type", ctypes.c_int),
        ("V", ctypes.c_int),
        ("prf_func", ctypes.c_int),
        ("CSB_id", ctypes.c_uint32),
        ("map_type", ctypes.c_int),
        ("map_info", ctypes.POINTER(_GArray)),
        ("payloads", ctypes.POINTER(_GArray)),
    ]


class _MapSRTP(ctypes.Structure):
    _fields_ = [("policy", ctypes.c_uint8), ("ssrc", ctypes.c_uint32), ("roc", ctypes.c_uint32)]


class _Payload(ctypes.Structure):
    _fields_ = [("mini_object", _GstMiniObject), ("type", ctypes.c_int), ("len", ctypes.c_uint)]


class _KEMAC(ctypes.Structure):
    _fields_ = [
        ("pt", _Payload),
        ("enc_alg", ctypes.c_int),
        ("mac_alg", ctypes.c_int),
        ("subpayloads", ctypes.POINTER(_GArray)),
    ]


class _T(ctypes.Structure):
    _fields_ = [("pt", _Payload), ("type", ctypes.c_int), ("ts_value", _vp)]


class _PKE(ctypes.Structure):
    _fields_ = [
        ("pt", _Payload),
        ("C", ctypes.c_int),
        ("data_len", ctypes.c_uint16),
        ("data", _vp),
    ]


class _SP(ctypes.Structure):
    _fields_ = [
        ("pt", _Payload),
        ("policy", ctypes.c_uint),
        ("proto", ctypes.c_int),
        ("params", ctypes.POINTER(_GArray)),
    ]


class _SPParam(ctypes.Structure):
    _fields_ = [("type", ctypes.c_uint8), ("len", ctypes.c_uint8), ("val", _vp)]


class _RAND(ctypes.Structure):
    _fields_ = [("pt", _Payload), ("len", ctypes.c_uint8), ("rand", _vp)]


class _KeyData(ctypes.Structure):
    _fields_ = [
        ("pt", _Payload),
        ("key_type", ctypes.c_int),
        ("key_len", ctypes.c_uint16),
        ("key_data", _vp),
        ("salt_len", ctypes.c_uint16),
        ("salt_data", _vp),
        ("kv_type", ctypes.c_int),
        ("kv_len", ctypes.c_uint8 * 2),
        ("kv_data", _vp * 2),
    ]


def _check_layouts() -> None:
    """Compare the ctypes layouts with the typelib's field offsets, when GIRepository is there."""
    try:
        gi.require_version("GIRepository", "2.0")
        from gi.repository import GIRepository
    except (ValueError, ImportError):
        return
    repo = GIRepository.Repository.get_default()
    repo.require("GstSdp", "1.0", 0)
    pairs = {
        "MIKEYMessage": _Message,
        "MIKEYMapSRTP": _MapSRTP,
        "MIKEYPayload": _Payload,
        "MIKEYPayloadKEMAC": _KEMAC,
        "MIKEYPayloadT": _T,
        "MIKEYPayloadPKE": _PKE,
        "MIKEYPayloadSP": _SP,
        "MIKEYPayloadSPParam": _SPParam,
        "MIKEYPayloadRAND": _RAND,
        "MIKEYPayloadKeyData": _KeyData,
    }
    for name, cls in pairs.items():
        info = repo.find_by_name("GstSdp", name)
        for i in range(GIRepository.struct_info_get_n_fields(info)):
            field = GIRepository.struct_info_get_field(info, i)
            fname = field.get_name()
            want = GIRepository.field_info_get_offset(field)
            got = getattr(cls, fname).offset
            if want != got:
                raise RuntimeError(f"ctypes layout of {name}.{fname}: {got} != typelib {want}")


_check_layouts()

_glib.g_bytes_new.restype = _vp
_glib.g_bytes_new.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
_glib.g_bytes_unref.argtypes = [_vp]
_glib.g_free.argtypes = [_vp]
_gst.gst_mini_object_unref.argtypes = [_vp]
_gst.gst_caps_new_empty_simple.restype = _vp
_gst.gst_caps_new_empty_simple.argtypes = [ctypes.c_char_p]
_gst.gst_caps_to_string.restype = _vp
_gst.gst_caps_to_string.argtypes = [_vp]
_sdp.gst_mikey_message_new_from_bytes.restype = ctypes.POINTER(_Message)
_sdp.gst_mikey_message_new_from_bytes.argtypes = [_vp, _vp, _vp]
_sdp.gst_mikey_message_to_caps.restype = ctypes.c_int
_sdp.gst_mikey_message_to_caps.argtypes = [_vp, _vp]
_sdp.gst_mikey_payload_key_data_set_interval.restype = ctypes.c_int
_sdp.gst_mikey_payload_key_data_set_interval.argtypes = [
    _vp,
    ctypes.c_uint8,
    ctypes.c_char_p,
    ctypes.c_uint8,
    ctypes.c_char_p,
]

PAYLOAD_NAMES = {
    int(v): v.value_nick.upper() for v in GstSdp.MIKEYPayloadType.__enum_values__.values()
}


def _raw(ptr: int | None, length: int) -> bytes:
    return ctypes.string_at(ptr, length) if ptr and length else b""


def _garray(arr: Any, item: type[ctypes.Structure] | type[ctypes.c_void_p]) -> list[Any]:
    if not arr:
        return []
    a = arr.contents
    if not a.len:
        return []
    return list((item * a.len).from_address(a.data))


def _parse_ptr(data: bytes) -> Any:
    """``gst_mikey_message_new_from_bytes(bytes, NULL, NULL)``; a NULL pointer on failure."""
    gbytes = _glib.g_bytes_new(data, len(data))
    try:
        return _sdp.gst_mikey_message_new_from_bytes(gbytes, None, None)
    finally:
        _glib.g_bytes_unref(gbytes)


# --------------------------------------------------------------------------------------------
# parse: describe what GStreamer read
# --------------------------------------------------------------------------------------------

_TS_LEN = {0: 8, 1: 8, 2: 4}


def _describe_payload(addr: int) -> dict[str, Any]:
    base = _Payload.from_address(addr)
    ptype = base.type
    out: dict[str, Any] = {"type": ptype, "name": PAYLOAD_NAMES.get(ptype, f"UNKNOWN({ptype})")}
    if ptype == GstSdp.MIKEYPayloadType.KEMAC:
        k = _KEMAC.from_address(addr)
        out["enc_alg"] = k.enc_alg
        out["mac_alg"] = k.mac_alg
        out["subpayloads"] = [_describe_payload(p) for p in _garray(k.subpayloads, _vp) if p]
    elif ptype == GstSdp.MIKEYPayloadType.T:
        t = _T.from_address(addr)
        out["ts_type"] = t.type
        out["value"] = _raw(t.ts_value, _TS_LEN.get(t.type, 0)).hex()
    elif ptype == GstSdp.MIKEYPayloadType.PKE:
        p = _PKE.from_address(addr)
        out["c"] = p.C
        out["data"] = _raw(p.data, p.data_len).hex()
    elif ptype == GstSdp.MIKEYPayloadType.SP:
        s = _SP.from_address(addr)
        out["policy"] = s.policy
        out["proto"] = s.proto
        out["params"] = [[q.type, _raw(q.val, q.len).hex()] for q in _garray(s.params, _SPParam)]
    elif ptype == GstSdp.MIKEYPayloadType.RAND:
        r = _RAND.from_address(addr)
        out["rand"] = _raw(r.rand, r.len).hex()
    elif ptype == GstSdp.MIKEYPayloadType.KEY_DATA:
        kd = _KeyData.from_address(addr)
        out["key_type"] = kd.key_type
        out["key"] = _raw(kd.key_data, kd.key_len).hex()
        out["salt"] = _raw(kd.salt_data, kd.salt_len).hex() if kd.salt_len else None
        out["kv_type"] = kd.kv_type
        if kd.kv_type == GstSdp.MIKEYKVType.SPI:
            out["spi"] = _raw(kd.kv_data[0], kd.kv_len[0]).hex()
        elif kd.kv_type == GstSdp.MIKEYKVType.INTERVAL:
            out["vf"] = _raw(kd.kv_data[0], kd.kv_len[0]).hex()
            out["vt"] = _raw(kd.kv_data[1], kd.kv_len[1]).hex()
    return out


def _describe_message(msg: _Message) -> dict[str, Any]:
    return {
        "version": msg.version,
        "type": msg.type,
        "v": bool(msg.V),
        "prf": msg.prf_func,
        "csb_id": msg.CSB_id,
        "map_type": msg.map_type,
        "cs": [
            {"policy": m.policy, "ssrc": m.ssrc, "roc": m.roc}
            for m in _garray(msg.map_info, _MapSRTP)
        ],
        "payloads": [_describe_payload(p) for p in _garray(msg.payloads, _vp) if p],
    }


def cmd_parse(req: dict[str, Any]) -> dict[str, Any]:
    ptr = _parse_ptr(base64.b64decode(req["b64"]))
    if not ptr:
        return {"error": "gst_mikey_message_new_from_bytes returned NULL"}
    try:
        return _describe_message(ptr.contents)
    finally:
        _gst.gst_mini_object_unref(ctypes.cast(ptr, _vp))


def cmd_caps(req: dict[str, Any]) -> dict[str, Any]:
    ptr = _parse_ptr(base64.b64decode(req["b64"]))
    if not ptr:
        return {"error": "gst_mikey_message_new_from_bytes returned NULL"}
    caps = _gst.gst_caps_new_empty_simple(req.get("media_type", "application/x-srtp").encode())
    try:
        ok = bool(_sdp.gst_mikey_message_to_caps(ctypes.cast(ptr, _vp), caps))
        sptr = _gst.gst_caps_to_string(caps)
        text = ctypes.string_at(sptr).decode()
        _glib.g_free(sptr)
        return {"ok": ok, "caps": text}
    finally:
        _gst.gst_mini_object_unref(caps)
        _gst.gst_mini_object_unref(ctypes.cast(ptr, _vp))


# --------------------------------------------------------------------------------------------
# build: make a message with GStreamer's API
# --------------------------------------------------------------------------------------------


def _enum(cls: Any, value: Any, what: str) -> Any:
    """An enum member of ``cls`` from an int or a (case-insensitive) nick/name."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise RequestError(f"{what}: expected an int or a name, got {value!r}")
    members = cls.__enum_values__
    if isinstance(value, int):
        if value not in members:
            names = sorted((int(k), v.value_nick) for k, v in members.items())
            raise RequestError(
                f"{what}: {value} is not a {cls.__name__} value; PyGObject only passes {names}"
            )
        return members[value]
    key = value.lower().replace("-", "_").replace("+", "_")
    for member in members.values():
        nick = member.value_nick.lower().replace("-", "_")
        short = nick
        for prefix in ("mikey_map_type_", "mikey_prf_", "mikey_sec_proto_"):
            short = short.removeprefix(prefix)
        if key in (nick, short, member.value_name.lower()):
            return member
    raise RequestError(f"{what}: unknown {cls.__name__} name {value!r}")


def _hex(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise RequestError(f"{what}: expected a hex string, got {value!r}")
    try:
        return bytes.fromhex(value)
    except ValueError as exc:
        raise RequestError(f"{what}: bad hex: {exc}") from None


def _ok(result: bool, what: str) -> None:
    if not result:
        raise RequestError(f"GStreamer refused {what}")


def _new_payload(ptype: Any) -> Any:
    try:
        return GstSdp.MIKEYPayload.new(_enum(GstSdp.MIKEYPayloadType, ptype, "payload type"))
    except TypeError:  # "constructor returned NULL": gst_mikey_payload_new has no struct for it
        raise RequestError(f"gst_mikey_payload_new({ptype!r}) returned NULL") from None


def _key_data(spec: dict[str, Any], where: str) -> Any:
    kd = _new_payload("key_data")
    key_type = _enum(GstSdp.MIKEYKeyDataType, spec.get("key_type", "tek"), f"{where}.key_type")
    _ok(kd.key_data_set_key(key_type, _hex(spec["key"], f"{where}.key")), f"{where} key")
    if spec.get("salt") is not None:
        _ok(kd.key_data_set_salt(_hex(spec["salt"], f"{where}.salt")), f"{where} salt")
    kv = spec.get("kv") or {"type": "null"}
    kv_type = _enum(GstSdp.MIKEYKVType, kv.get("type", "null"), f"{where}.kv.type")
    if kv_type == GstSdp.MIKEYKVType.SPI:
        _ok(kd.key_data_set_spi(_hex(kv["spi"], f"{where}.kv.spi")), f"{where} SPI")
    elif kv_type == GstSdp.MIKEYKVType.INTERVAL:
        # PyGObject's binding of gst_mikey_payload_key_data_set_interval is unusable in 1.22
        # (its introspection drops vf_data), so call the C function on the same payload.
        vf = _hex(kv["vf"], f"{where}.kv.vf")
        vt = _hex(kv["vt"], f"{where}.kv.vt")
        ptr = hash(kd)  # PyGObject's boxed hash is the C pointer; checked just below
        if _Payload.from_address(ptr).type != GstSdp.MIKEYPayloadType.KEY_DATA:
            raise RuntimeError("cannot find the C pointer of a PyGObject MIKEYPayload")
        _ok(
            bool(
                _sdp.gst_mikey_payload_key_data_set_interval(
                    ptr, len(vf), vf or None, len(vt), vt or None
                )
            ),
            f"{where} interval",
        )
    return kd


def _payload(spec: dict[str, Any], where: str) -> Any:
    """One payload from its spec, or None when it was added through a message-level call."""
    kind = str(spec.get("type", "")).lower()
    if kind == "kemac":
        p = _new_payload("kemac")
        enc = _enum(GstSdp.MIKEYEncAlg, spec.get("enc_alg", "null"), f"{where}.enc_alg")
        mac = _enum(GstSdp.MIKEYMacAlg, spec.get("mac_alg", "null"), f"{where}.mac_alg")
        _ok(p.kemac_set(enc, mac), f"{where} kemac_set")
        for j, sub in enumerate(spec.get("subpayloads", [])):
            _ok(p.kemac_add_sub(_key_data(sub, f"{where}.subpayloads[{j}]")), f"{where} sub")
        return p
    if kind == "sp":
        p = _new_payload("sp")
        proto = _enum(GstSdp.MIKEYSecProto, spec.get("proto", "srtp"), f"{where}.proto")
        _ok(p.sp_set(int(spec.get("policy", 0)), proto), f"{where} sp_set")
        for j, (ptype, value) in enumerate(spec.get("params", [])):
            val = _hex(value, f"{where}.params[{j}]")
            _ok(p.sp_add_param(int(ptype), val), f"{where} param {ptype}")
        return p
    if kind == "t":
        p = _new_payload("t")
        ts_type = _enum(GstSdp.MIKEYTSType, spec.get("ts_type", "ntp_utc"), f"{where}.ts_type")
        _ok(p.t_set(ts_type, _hex(spec["value"], f"{where}.value")), f"{where} t_set")
        return p
    if kind == "rand":
        p = _new_payload("rand")
        _ok(p.rand_set(_hex(spec["rand"], f"{where}.rand")), f"{where} rand_set")
        return p
    if kind == "pke":
        p = _new_payload("pke")
        c = _enum(GstSdp.MIKEYCacheType, spec.get("c", "none"), f"{where}.c")
        _ok(p.pke_set(c, _hex(spec["data"], f"{where}.data")), f"{where} pke_set")
        return p
    if kind == "raw":
        # gst_mikey_payload_new(type) and nothing else: for DH/SIGN/ID/CERT/CHASH/V this makes
        # a payload with an SP body that to_bytes() skips (see SOURCE.md / the report).
        return _new_payload(spec["payload_type"])
    raise RequestError(f"{where}: unknown payload type {spec.get('type')!r}")


def build_message(spec: dict[str, Any]) -> Any:
    """Build a ``GstSdp.MIKEYMessage`` from a JSON spec.

    Header: ``version`` (default 1), ``data_type`` (int or name: psk_init, psk_verify, ...),
    ``v`` (bool), ``prf`` (0 / "mikey_1"), ``csb_id`` (int), ``map_type`` (0 / "srtp"),
    ``cs``: list of ``{"policy", "ssrc", "roc"}``.

    ``payloads`` (in order), each a dict with ``type``:

    * ``T``: ``ts_type`` (ntp_utc | ntp | counter), ``value`` hex (8, 8 or 4 bytes)
      -> ``gst_mikey_message_add_t``; ``T_NOW`` -> ``add_t_now_ntp_utc``
    * ``RAND``: ``rand`` hex -> ``add_rand``; or ``len`` -> ``add_rand_len`` (random bytes)
    * ``SP``: ``policy``, ``proto`` (srtp), ``params`` [[type, value hex], ...]
    * ``KEMAC``: ``enc_alg`` (null | aes_cm_128 | aes_kw_128 | aes_gcm_128), ``mac_alg``
      (null | hmac_sha_1_160), ``subpayloads``: [{``key_type`` (tgk | tek), ``key`` hex,
      ``salt`` hex (optional), ``kv``: {``type``: null} | {``type``: spi, ``spi`` hex} |
      {``type``: interval, ``vf`` hex, ``vt`` hex}}]
    * ``PKE``: ``c`` (none | always | for_csb), ``data`` hex -> ``add_pke``
    * ``RAW``: ``payload_type`` -> a bare ``gst_mikey_payload_new(payload_type)``

    Alternatively ``from_caps`` (a caps string with srtp-key/srtp-cipher/srtp-auth) ->
    ``gst_mikey_message_new_from_caps``, as gst-rtsp-server does; then ``cs`` is appended.
    """
    if "from_caps" in spec:
        caps = Gst.Caps.from_string(spec["from_caps"])
        if caps is None:
            raise RequestError(f"cannot parse caps {spec['from_caps']!r}")
        msg = GstSdp.MIKEYMessage.new_from_caps(caps)
        if msg is None:
            raise RequestError("gst_mikey_message_new_from_caps returned NULL")
    else:
        msg = GstSdp.MIKEYMessage.new()
        _ok(
            msg.set_info(
                int(spec.get("version", GstSdp.MIKEY_VERSION)),
                _enum(GstSdp.MIKEYType, spec.get("data_type", "psk_init"), "data_type"),
                bool(spec.get("v", False)),
                _enum(GstSdp.MIKEYPRFFunc, spec.get("prf", 0), "prf"),
                int(spec.get("csb_id", 0)),
                _enum(GstSdp.MIKEYMapType, spec.get("map_type", 0), "map_type"),
            ),
            "set_info",
        )
    for i, cs in enumerate(spec.get("cs", [])):
        _ok(
            msg.add_cs_srtp(int(cs.get("policy", 0)), int(cs["ssrc"]), int(cs.get("roc", 0))),
            f"cs[{i}]",
        )
    for i, pspec in enumerate(spec.get("payloads", [])):
        where = f"payloads[{i}]"
        kind = str(pspec.get("type", "")).lower()
        if kind == "t_now":
            _ok(msg.add_t_now_ntp_utc(), where)
        elif kind == "rand" and "rand" not in pspec:
            _ok(msg.add_rand_len(int(pspec.get("len", 16))), where)
        else:
            _ok(msg.add_payload(_payload(pspec, where)), where)
    return msg


def cmd_build(spec: dict[str, Any]) -> dict[str, Any]:
    msg = build_message(spec)
    # base64_encode() is gst_mikey_message_to_bytes(msg, NULL, NULL) + g_base64_encode; the
    # PyGObject binding of to_bytes() does not accept None for its GstMIKEYEncryptInfo.
    return {"b64": msg.base64_encode()}


def cmd_version(_req: dict[str, Any]) -> dict[str, Any]:
    major, minor, micro, nano = Gst.version()
    return {
        "gstreamer": Gst.version_string(),
        "version": [major, minor, micro, nano],
        "pygobject": ".".join(map(str, gi.version_info)),
        "python": sys.version.split()[0],
    }


COMMANDS = {"build": cmd_build, "parse": cmd_parse, "caps": cmd_caps, "version": cmd_version}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in COMMANDS:
        print(f"usage: {argv[0]} {'|'.join(COMMANDS)} < request.json", file=sys.stderr)
        return 64
    raw = sys.stdin.read()
    try:
        request = json.loads(raw) if raw.strip() else {}
        if not isinstance(request, dict):
            raise RequestError("request must be a JSON object")
        reply = COMMANDS[argv[1]](request)
    except (RequestError, KeyError, ValueError, TypeError) as exc:
        json.dump({"error": f"{type(exc).__name__}: {exc}"}, sys.stdout)
        sys.stdout.write("\n")
        return 2
    json.dump(reply, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
