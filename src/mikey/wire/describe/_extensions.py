"""General Extension payloads with their typed contents, and SAKKE payloads.
RFC 3830 §6.15 (General Extension), RFC 4567 §4.1.4 (SDP IDs), RFC 4442 §4.4 (TESLA
I-Key), RFC 4563 §4 (Key ID), RFC 4738 §3.6 (CSB ID), RFC 4909 §3 (OMA BCAST), 3GPP TS
33.180 Annex E.5 (SAKKE to self) and E.6 (3GPP key parameters); RFC 6509 §4.2 (SAKKE
payload), RFC 6508 §4 (its Encapsulated Data).
"""

from __future__ import annotations

from typing import Any

from mikey.errors import MikeyError
from mikey.registry import GeneralExtType, IdScheme, KeyIdType, OmaBcastDataSubtype, SakkeParams
from mikey.wire.describe._fields import (
    Describer,
    Fields,
    Node,
    hex32,
    hex_text,
    plural,
    registry_text,
    text_of,
)
from mikey.wire.extension import (
    KEY_ID_PRIVATE_USE,
    OMA_BCAST_PRIVATE_USE,
    CsbId,
    GeneralExtensionPayload,
    KeyIdInformation,
    OmaBcast,
    SakkeToSelf,
    SdpIds,
    TeslaIKey,
    ThreeGppKeyParameters,
    VendorId,
)
from mikey.wire.sakke import SAKKE_PRIVATE_USE, SakkePayload

# ---------------------------------------------------------------------------------------
# General Extension (RFC 3830 §6.15, RFC 4567, RFC 4442, RFC 4563, RFC 4738, RFC 4909,
# 3GPP TS 33.180 E.5, E.6)


def _extension_content(p: GeneralExtensionPayload, f: Fields) -> tuple[str, tuple[Node, ...]]:
    try:
        content = p.content
    except MikeyError as exc:  # only if the payload was built around the constructor
        return f"does not follow its type's layout: {exc}", ()
    sub = f.nested()
    if isinstance(content, bytes | VendorId):
        data = content if isinstance(content, bytes) else content.data
        text = text_of(data)
        shown = hex_text(data, f.ctx.hex_limit)
        return (f"{text!r}: {shown}" if text else shown), ()
    if isinstance(content, SdpIds):
        return f"SDP key management protocols: {content.protocol_list}", ()
    if isinstance(content, TeslaIKey):
        return f"TESLA initial key {hex_text(content.key, f.ctx.hex_limit)}", ()
    if isinstance(content, ThreeGppKeyParameters):
        return (
            f"{hex_text(p.data, f.ctx.hex_limit)} — encrypted Protected Payload (TS 33.180 E.6):"
            " decrypting needs the key"
        ), ()
    if isinstance(content, KeyIdInformation):
        for key_id in content.key_ids:
            item = sub.nested()
            item.registry("Key ID Type", 1, key_id.key_id_type, KeyIdType, KEY_ID_PRIVATE_USE)
            item.length("Key ID Length", 1, len(key_id.key_id))
            item.data("Key ID", key_id.key_id)
            sub.group(
                "Key ID", registry_text(key_id.key_id_type, KeyIdType, KEY_ID_PRIVATE_USE), item
            )
        text = plural(len(content.key_ids), "Key ID")
    elif isinstance(content, CsbId):
        sub.number("CSB ID", 4, content.csb_id, hex32(content.csb_id))
        text = f"Responder's CSB ID {content.csb_id:#010x}"
    elif isinstance(content, OmaBcast):
        sub.registry("Subtype", 1, content.subtype, OmaBcastDataSubtype, OMA_BCAST_PRIVATE_USE)
        sub.data("Subtype specific data", content.data)
        text = registry_text(content.subtype, OmaBcastDataSubtype, OMA_BCAST_PRIVATE_USE)
    elif isinstance(content, SakkeToSelf):
        next_byte = sub.peek(1)
        note = "0 (set to zero and ignored)" if next_byte == 0 else f"{next_byte} — must be zero"
        sub.number("Next payload", 1, next_byte, note)
        text = "SAKKE to self: " + _sakke_fields(content.sakke, sub)
    else:
        return type(content).__name__, ()
    return text, tuple(sub.nodes)


def _general_extension(p: GeneralExtensionPayload, f: Fields) -> str:
    f.registry("Type", 1, p.ext_type, GeneralExtType, range(241, 256))
    f.length("Length", 2, len(p.data))
    text, children = _extension_content(p, f)
    f.data("Data", p.data, text, children)
    return f"{registry_text(p.ext_type, GeneralExtType, range(241, 256))}: {text}"


# ---------------------------------------------------------------------------------------
# SAKKE (RFC 6509 §4.2, RFC 6508 §4)

# RFC 6508 §4: Encapsulated Data = R_(b,S) as 0x04 || x || y (2L + 1 octets) || H (n/8
# octets); Parameter Set 1 (RFC 6509 Appendix A): L = 128, n = 128.
_SAKKE_PARTS: dict[int, tuple[tuple[str, int], ...]] = {
    SakkeParams.PARAMETER_SET_1: (("R_(b,S)", 257), ("H", 16))
}


def _sakke_fields(p: SakkePayload, f: Fields) -> str:
    f.registry("SAKKE params", 1, p.sakke_params, SakkeParams, SAKKE_PRIVATE_USE)
    f.registry("ID scheme", 1, p.id_scheme, IdScheme, SAKKE_PRIVATE_USE)
    f.length("SAKKE data length", 2, len(p.sakke_data))
    parts = f.nested()
    layout = _SAKKE_PARTS.get(p.sakke_params, ())
    if sum(size for _, size in layout) == len(p.sakke_data):
        texts = {"R_(b,S)": "uncompressed point 0x04 || x || y", "H": "masked SSV"}
        for name, size in layout:
            part = p.sakke_data[parts.at : parts.at + size]
            parts.put(
                Node(name, part.hex(), f"{hex_text(part, f.ctx.hex_limit)}: {texts[name]}"), size
            )
    f.data("SAKKE data", p.sakke_data, children=tuple(parts.nodes))
    return (
        f"{registry_text(p.sakke_params, SakkeParams, SAKKE_PRIVATE_USE)},"
        f" ID scheme {registry_text(p.id_scheme, IdScheme, SAKKE_PRIVATE_USE)}"
    )


DESCRIBERS: dict[type[Any], Describer] = {
    GeneralExtensionPayload: _general_extension,
    SakkePayload: _sakke_fields,
}
