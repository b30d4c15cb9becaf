"""The SAKKE payload of MIKEY-SAKKE. RFC 6509 §4.2, §7; SAKKE data per RFC 6508 §4.

The payload carries SAKKE Encapsulated Data (RFC 6508 §6.2.1): the point R_(b,S) in
uncompressed form followed by the masked SSV, H. For Parameter Set 1 (RFC 6509 Appendix A)
its length is fixed, and decoding checks it; private-use parameter sets are carried
unchecked. 3GPP TS 33.180 Annex E.5 embeds the same fields in the "SAKKE-to-self" general
extension, so the fields after the Next payload byte have their own codec here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self, TypeVar

from mikey.errors import MikeyValueError
from mikey.registry import IdScheme, PayloadType, Registry, SakkeParams
from mikey.wire.buffer import Reader, Writer, check_assigned, check_length
from mikey.wire.payload import Payload

__all__ = ["SAKKE_PRIVATE_USE", "SakkePayload", "encapsulated_data_length"]

E = TypeVar("E", bound=Registry)

SAKKE_PRIVATE_USE = range(240, 255)
"""RFC 6509 §7: SAKKE params and ID scheme values 240-254 are for Private Use; 0 and 255
are Reserved and 2-239 (SAKKE params) or 3-239 (ID scheme) are unassigned."""

# RFC 6508 §4: Encapsulated Data is 0x04 || x || y || H, that is 2*L + n/8 + 1 octets with
# L = Ceiling(lg(p)/8). Parameter Set 1 (RFC 6509 Appendix A): lg(p) = 1024, n = 128.
_ENCAPSULATED_DATA_LENGTH: dict[int, int] = {SakkeParams.PARAMETER_SET_1: 2 * 128 + 128 // 8 + 1}
_UNCOMPRESSED_POINT = 0x04  # RFC 6508 §4 "Points on E", RFC 5480 §2.2


def encapsulated_data_length(sakke_params: SakkeParams | int) -> int | None:
    """Octets of SAKKE Encapsulated Data for a parameter set; ``None`` if not known."""
    return _ENCAPSULATED_DATA_LENGTH.get(sakke_params)


@dataclass(frozen=True, slots=True, kw_only=True)
class SakkePayload(Payload):
    """SAKKE: SAKKE Encapsulated Data for the Responder (RFC 6509 §4.2).

    ``sakke_params`` and ``id_scheme`` are registry members or private-use numbers
    (240-254, RFC 6509 §7); Reserved and unassigned values are refused. ``sakke_data`` is
    the Encapsulated Data of RFC 6508 §4, checked for length and point form when the
    parameter set is known.
    """

    payload_type = PayloadType.SAKKE
    sakke_params: SakkeParams | int
    id_scheme: IdScheme | int
    sakke_data: bytes

    def __post_init__(self) -> None:
        check_assigned(self.sakke_params, SakkeParams, "SAKKE params", SAKKE_PRIVATE_USE)
        check_assigned(self.id_scheme, IdScheme, "ID scheme", SAKKE_PRIVATE_USE)
        check_length(self.sakke_data, 16, "SAKKE data")
        expected = encapsulated_data_length(self.sakke_params)
        if expected is None:
            return
        if len(self.sakke_data) != expected:
            raise MikeyValueError(
                f"SAKKE data for {_params_label(self.sakke_params)} is {expected} bytes,"
                f" got {len(self.sakke_data)}"
            )
        if self.sakke_data[0] != _UNCOMPRESSED_POINT:
            raise MikeyValueError(
                f"SAKKE data must start with R_(b,S) in uncompressed form (0x04),"
                f" got {self.sakke_data[0]:#04x}"
            )

    # RFC 6509 §4.2, Table 3:
    # ! Next payload  ! SAKKE params  !   ID scheme   !  SAKKE data   ~
    # ~ length (cont) !                  SAKKE data                   ~

    @classmethod
    def decode(cls, r: Reader) -> tuple[Self, PayloadType]:
        next_type = r.enum(PayloadType, "Next payload")
        return cls.decode_fields(r), next_type

    def encode(self, w: Writer, next_type: PayloadType) -> None:
        w.uint8(next_type)
        self.encode_fields(w)

    @classmethod
    def decode_fields(cls, r: Reader) -> Self:
        """Read the fields after the Next payload byte (also used by TS 33.180 E.5)."""
        sakke_params = r.enum_or_private(SakkeParams, "SAKKE params", SAKKE_PRIVATE_USE)
        id_scheme = r.enum_or_private(IdScheme, "ID scheme", SAKKE_PRIVATE_USE)
        at = r.pos
        length = r.uint16("SAKKE data length")
        expected = encapsulated_data_length(sakke_params)
        if expected is not None and length != expected:
            r.fail(
                f"SAKKE data length: {_params_label(sakke_params)} Encapsulated Data is"
                f" {expected} bytes (RFC 6508 §4), got {length}",
                at,
            )
        at = r.pos
        sakke_data = r.take(length, "SAKKE data")
        if expected is not None and sakke_data[0] != _UNCOMPRESSED_POINT:
            r.fail(
                f"SAKKE data: R_(b,S) must be uncompressed (0x04, RFC 6508 §4),"
                f" got {sakke_data[0]:#04x}",
                at,
            )
        return cls(sakke_params=sakke_params, id_scheme=id_scheme, sakke_data=sakke_data)

    def encode_fields(self, w: Writer) -> None:
        """Write the fields after the Next payload byte."""
        w.uint8(self.sakke_params)
        w.uint8(self.id_scheme)
        w.uint16(len(self.sakke_data))
        w.raw(self.sakke_data)


def _params_label(value: SakkeParams | int) -> str:
    """The registry name of a parameter set, or its number if private."""
    return value.label if isinstance(value, SakkeParams) else f"private SAKKE params {value}"
