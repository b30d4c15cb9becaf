"""The MIKEY wire format: bytes to payload dataclasses and back (RFC 3830 §6 and the
payloads of RFC 4563, 4567, 4738, 4909, 4442, 6043, 6267 and 6509).

``decode_message`` is where untrusted bytes come in; it returns a complete ``Message`` or
raises ``MikeyParseError`` with the payload and byte offset at fault. Every payload is a
frozen dataclass; ``Message`` derives the Next payload fields and checks the payloads its
data type allows (``mikey.wire.rules``). Interop profiles (``mikey.wire.profiles``) name
the deviations of real peers a decoder may tolerate.
"""

from mikey.wire.basic import (
    CertPayload,
    ErrorPayload,
    IdPayload,
    RandPayload,
    TimestampPayload,
    VerificationPayload,
    ntp_from_datetime,
    ntp_to_datetime,
)
from mikey.wire.buffer import Profile
from mikey.wire.extension import (
    CsbId,
    GeneralExtensionContent,
    GeneralExtensionPayload,
    KeyIdInformation,
    KeyIdSubPayload,
    OmaBcast,
    SakkeToSelf,
    SdpIds,
    TeslaIKey,
    ThreeGppKeyParameters,
    VendorId,
)
from mikey.wire.header import (
    CommonHeader,
    CsIdMap,
    EmptyMap,
    GenericIdEntry,
    GenericIdMap,
    SrtpIdEntry,
    SrtpIdMap,
    SrtpSessionData,
)
from mikey.wire.ibake import (
    EcDiffieHellmanSubPayload,
    EncryptedSecretKeyPayload,
    IbakePayload,
    SecretKeySubPayload,
)
from mikey.wire.kemac import (
    IntervalValidity,
    KemacPayload,
    KeyDataSubPayload,
    KeyValidity,
    SpiValidity,
)
from mikey.wire.message import Message, decode_message, decode_sub_payloads, encode_sub_payloads
from mikey.wire.payload import Payload
from mikey.wire.policy import PolicyParam, SecurityPolicyPayload
from mikey.wire.profiles import LENIENT, MCX, PROFILES, STRICT, TRAILING_ZERO
from mikey.wire.publickey import CertHashPayload, DhPayload, EnvelopePayload, SignaturePayload
from mikey.wire.sakke import SakkePayload
from mikey.wire.ticket import (
    IdRolePayload,
    RandRolePayload,
    TicketFlag,
    TicketPayload,
    TicketPolicy,
    TicketPolicyPayload,
    TimestampRolePayload,
)

__all__ = [
    "LENIENT",
    "MCX",
    "PROFILES",
    "STRICT",
    "TRAILING_ZERO",
    "CertHashPayload",
    "CertPayload",
    "CommonHeader",
    "CsIdMap",
    "CsbId",
    "DhPayload",
    "EcDiffieHellmanSubPayload",
    "EmptyMap",
    "EncryptedSecretKeyPayload",
    "EnvelopePayload",
    "ErrorPayload",
    "GeneralExtensionContent",
    "GeneralExtensionPayload",
    "GenericIdEntry",
    "GenericIdMap",
    "IbakePayload",
    "IdPayload",
    "IdRolePayload",
    "IntervalValidity",
    "KemacPayload",
    "KeyDataSubPayload",
    "KeyIdInformation",
    "KeyIdSubPayload",
    "KeyValidity",
    "Message",
    "OmaBcast",
    "Payload",
    "PolicyParam",
    "Profile",
    "RandPayload",
    "RandRolePayload",
    "SakkePayload",
    "SakkeToSelf",
    "SdpIds",
    "SecretKeySubPayload",
    "SecurityPolicyPayload",
    "SignaturePayload",
    "SpiValidity",
    "SrtpIdEntry",
    "SrtpIdMap",
    "SrtpSessionData",
    "TeslaIKey",
    "ThreeGppKeyParameters",
    "TicketFlag",
    "TicketPayload",
    "TicketPolicy",
    "TicketPolicyPayload",
    "TimestampPayload",
    "TimestampRolePayload",
    "VendorId",
    "VerificationPayload",
    "decode_message",
    "decode_sub_payloads",
    "encode_sub_payloads",
    "ntp_from_datetime",
    "ntp_to_datetime",
]
