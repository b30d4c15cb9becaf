"""The IANA "MIKEY Payload Name Spaces" registry as one ``IntEnum`` per sub-registry.

Numbers and names follow the IANA registry (RFC 3830 §10, RFC 6309) and the RFCs that
registered each value: RFC 3830 §6, RFC 4442, RFC 4563, RFC 4650, RFC 4738, RFC 4771,
RFC 4909, RFC 5748, RFC 6043, RFC 6267, RFC 6509, RFC 8269, and the 3GPP values
registered for MIKEY-SAKKE (3GPP TS 33.180). ``tests/test_registry.py`` compares every
enum with a copy of the registry.

Each member carries ``label``, the registry's own description (``"Pre-shared"``,
``"AES-CM-128"``), for display. Where the RFC lets a receiver carry a value that is not
registered, the wire layer types the field ``Enum | int`` and keeps the raw number.
Values the registry marks Reserved are not members, so a strict decoder refuses them.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Self

__all__ = [
    "CacheIndicator",
    "CertType",
    "CsIdMapType",
    "DataType",
    "DhGroup",
    "EccCurve",
    "EncrAlg",
    "ErrorNo",
    "FecOrder",
    "GeneralExtType",
    "HashFunc",
    "IdRole",
    "IdScheme",
    "IdType",
    "KeyDataType",
    "KeyIdType",
    "KvType",
    "MacAlg",
    "OmaBcastDataSubtype",
    "PayloadType",
    "PrfFunc",
    "ProtType",
    "RandRole",
    "Registry",
    "SType",
    "SakkeParams",
    "SkSubPayloadType",
    "SrtpAuthAlg",
    "SrtpEncrAlg",
    "SrtpParam",
    "SrtpPrf",
    "TeslaMac",
    "TeslaParam",
    "TeslaPrf",
    "TicketType",
    "TsRole",
    "TsType",
    "label_of",
]


class Registry(IntEnum):
    """An IANA MIKEY sub-registry; each member knows its registry description."""

    label: str

    def __new__(cls, value: int, label: str) -> Self:
        member = int.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self) -> str:
        return self.label


def label_of(value: int, registry: type[Registry]) -> str:
    """The registry description of ``value``, or a plain note that it is unassigned."""
    member = registry._value2member_map_.get(value)
    return f"unassigned ({value})" if member is None else member.label  # type: ignore[attr-defined]


MIKEY_VERSION = 1
"""RFC 3830 §6.1: the only version defined."""


class DataType(Registry):
    """HDR data type (RFC 3830 §6.1 Table 6.1.a and its extensions)."""

    PRE_SHARED = 0, "Pre-shared"
    PSK_VER_MSG = 1, "PSK ver msg"
    PUBLIC_KEY = 2, "Public key"
    PK_VER_MSG = 3, "PK ver msg"
    DH_INIT = 4, "D-H init"
    DH_RESP = 5, "D-H resp"
    ERROR = 6, "Error"
    DHHMAC_INIT = 7, "DHHMAC init"  # RFC 4650
    DHHMAC_RESP = 8, "DHHMAC resp"  # RFC 4650
    RSA_R_I_MSG = 9, "RSA-R I_MSG"  # RFC 4738
    RSA_R_R_MSG = 10, "RSA-R R_MSG"  # RFC 4738
    REQUEST_INIT_PSK = 11, "REQUEST_INIT_PSK"  # RFC 6043
    REQUEST_INIT_PK = 12, "REQUEST_INIT_PK"
    REQUEST_RESP = 13, "REQUEST_RESP"
    TRANSFER_INIT = 14, "TRANSFER_INIT"
    TRANSFER_RESP = 15, "TRANSFER_RESP"
    RESOLVE_INIT_PSK = 16, "RESOLVE_INIT_PSK"
    RESOLVE_INIT_PK = 17, "RESOLVE_INIT_PK"
    RESOLVE_RESP = 18, "RESOLVE_RESP"
    REQUEST_KEY_PSK = 19, "REQUEST_KEY_PSK"  # RFC 6267
    REQUEST_KEY_PKE = 20, "REQUEST_KEY_PKE"
    REQUEST_KEY_RESP = 21, "REQUEST_KEY_RESP"
    I_MESSAGE_1 = 22, "I_MESSAGE_1"
    R_MESSAGE_1 = 23, "R_MESSAGE_1"
    I_MESSAGE_2 = 24, "I_MESSAGE_2"
    R_MESSAGE_2 = 25, "R_MESSAGE_2"
    SAKKE_MSG = 26, "SAKKE msg"  # RFC 6509


class PayloadType(Registry):
    """Next payload values (RFC 3830 §6.1 Table 6.1.b and its extensions)."""

    LAST = 0, "Last payload"
    KEMAC = 1, "KEMAC"
    PKE = 2, "PKE"
    DH = 3, "DH"
    SIGN = 4, "SIGN"
    T = 5, "T"
    ID = 6, "ID"
    CERT = 7, "CERT"
    CHASH = 8, "CHASH"
    V = 9, "V"
    SP = 10, "SP"
    RAND = 11, "RAND"
    ERR = 12, "ERR"
    TR = 13, "TR"  # RFC 6043 §6.4
    IDR = 14, "IDR"  # RFC 6043 §6.6
    RANDR = 15, "RANDR"  # RFC 6043 §6.8
    TP = 16, "TP"  # RFC 6043 §6.10
    TICKET = 17, "TICKET"  # RFC 6043 §6.10
    KEY_DATA = 20, "Key data"
    GENERAL_EXT = 21, "General Ext."
    IBAKE = 22, "IBAKE"  # RFC 6267 §6.1
    ESK = 23, "ESK"
    SK = 24, "SK"
    ECCPT = 25, "ECCPT"
    SAKKE = 26, "SAKKE"  # RFC 6509 §4.2


class PrfFunc(Registry):
    """HDR PRF func, 7 bits (RFC 3830 §6.1 Table 6.1.c, RFC 6043 §6.1)."""

    MIKEY_1 = 0, "MIKEY-1"
    PRF_HMAC_SHA_256 = 1, "PRF-HMAC-SHA-256"


class CsIdMapType(Registry):
    """HDR CS ID map type (RFC 3830 §6.1 Table 6.1.d, RFC 4563 §4, RFC 6043 §6.1)."""

    SRTP_ID = 0, "SRTP-ID"
    EMPTY = 1, "Empty map"
    GENERIC_ID = 2, "GENERIC-ID"


class EncrAlg(Registry):
    """KEMAC encryption algorithm (RFC 3830 §6.2 Table 6.2.a, RFC 6043 §6.2)."""

    NULL = 0, "NULL"
    AES_CM_128 = 1, "AES-CM-128"
    AES_KW_128 = 2, "AES-KW-128"
    AES_CM_256 = 3, "AES-CM-256"


class MacAlg(Registry):
    """KEMAC and V MAC algorithm (RFC 3830 §6.2 Table 6.2.b, RFC 6043 §6.2)."""

    NULL = 0, "NULL"
    HMAC_SHA_1_160 = 1, "HMAC-SHA-1-160"
    HMAC_SHA_256_256 = 2, "HMAC-SHA-256-256"

    @property
    def mac_length(self) -> int:
        """Length of the MAC field in bytes; implicit on the wire (RFC 3830 §6.2)."""
        return _MAC_LENGTHS[self]


_MAC_LENGTHS = {MacAlg.NULL: 0, MacAlg.HMAC_SHA_1_160: 20, MacAlg.HMAC_SHA_256_256: 32}


class CacheIndicator(Registry):
    """PKE envelope key cache indicator, 2 bits (RFC 3830 §6.3 Table 6.3)."""

    NO_CACHE = 0, "No cache"
    CACHE = 1, "Cache"
    CACHE_FOR_CSB = 2, "Cache for CSB"


class DhGroup(Registry):
    """DH group (RFC 3830 §6.4 Table 6.4); the DH value length is implicit."""

    OAKLEY_5 = 0, "OAKLEY 5"
    OAKLEY_1 = 1, "OAKLEY 1"
    OAKLEY_2 = 2, "OAKLEY 2"

    @property
    def value_length(self) -> int:
        """Length of the DH value in bytes (1536, 768 and 1024 bits)."""
        return _DH_LENGTHS[self]


_DH_LENGTHS = {DhGroup.OAKLEY_5: 192, DhGroup.OAKLEY_1: 96, DhGroup.OAKLEY_2: 128}


class SType(Registry):
    """SIGN signature type, 4 bits (RFC 3830 §6.5 Table 6.5, RFC 6509 §4.1)."""

    RSA_PKCS1_1_5 = 0, "RSA/PKCS#1/1.5"
    RSA_PSS = 1, "RSA/PSS"
    ECCSI = 2, "ECCSI"


class TsType(Registry):
    """Timestamp type (RFC 3830 §6.6 Table 6.6, RFC 6043 §6.6)."""

    NTP_UTC = 0, "NTP-UTC"
    NTP = 1, "NTP"
    COUNTER = 2, "COUNTER"
    NTP_UTC_32 = 3, "NTP-UTC-32"

    @property
    def value_length(self) -> int:
        """Length of the TS value in bytes; implicit on the wire."""
        return 8 if self in (TsType.NTP_UTC, TsType.NTP) else 4


class IdType(Registry):
    """ID payload type (RFC 3830 §6.7 Table 6.7.a, RFC 6043 §6.6)."""

    NAI = 0, "NAI"
    URI = 1, "URI"
    BYTE_STRING = 2, "Byte string"


class CertType(Registry):
    """CERT payload type (RFC 3830 §6.7 Table 6.7.b)."""

    X509V3 = 0, "X.509v3"
    X509V3_URL = 1, "X.509v3 URL"
    X509V3_SIGN = 2, "X.509v3 Sign"
    X509V3_ENCR = 3, "X.509v3 Encr"


class HashFunc(Registry):
    """CHASH hash function (RFC 3830 §6.8 Table 6.8, RFC 6043 §6.8)."""

    SHA_1 = 0, "SHA-1"
    MD5 = 1, "MD5"
    SHA_256 = 2, "SHA-256"

    @property
    def digest_length(self) -> int:
        """Length of the hash in bytes; implicit on the wire."""
        return _DIGEST_LENGTHS[self]


_DIGEST_LENGTHS = {HashFunc.SHA_1: 20, HashFunc.MD5: 16, HashFunc.SHA_256: 32}


class ProtType(Registry):
    """Security protocol of an SP payload (RFC 3830 §6.10 Table 6.10, RFC 4442 §4)."""

    SRTP = 0, "SRTP"
    TESLA = 1, "TESLA"


class SrtpParam(Registry):
    """SRTP policy parameter types (RFC 3830 §6.10.1 Table 6.10.1.a and extensions)."""

    ENCRYPTION_ALGORITHM = 0, "Encryption algorithm"
    SESSION_ENCR_KEY_LENGTH = 1, "Session Encr. key length"
    AUTHENTICATION_ALGORITHM = 2, "Authentication algorithm"
    SESSION_AUTH_KEY_LENGTH = 3, "Session Auth. key length"
    SESSION_SALT_KEY_LENGTH = 4, "Session Salt key length"
    SRTP_PRF = 5, "SRTP Pseudo Random Function"
    KEY_DERIVATION_RATE = 6, "Key derivation rate"
    SRTP_ENCRYPTION = 7, "SRTP encryption off/on"
    SRTCP_ENCRYPTION = 8, "SRTCP encryption off/on"
    FEC_ORDER = 9, "sender's FEC order"
    SRTP_AUTHENTICATION = 10, "SRTP authentication off/on"
    AUTH_TAG_LENGTH = 11, "Authentication tag length"
    SRTP_PREFIX_LENGTH = 12, "SRTP prefix length"
    ROC_TRANSMISSION_RATE = 13, "ROC transmission rate"  # RFC 4771
    SRTP_AUTH_ALGORITHM = 14, "SRTP Auth. algorithm"  # RFC 5748
    SRTCP_AUTH_ALGORITHM = 15, "SRTCP Auth. algorithm"
    SRTP_SESSION_AUTH_KEY_LENGTH = 16, "SRTP Session Auth. key len"
    SRTCP_SESSION_AUTH_KEY_LENGTH = 17, "SRTCP Session Auth. key len"
    SRTP_AUTH_TAG_LENGTH = 18, "SRTP Authentication tag len"
    SRTCP_AUTH_TAG_LENGTH = 19, "SRTCP Authentication tag len"
    AEAD_AUTH_TAG_LENGTH = 20, "AEAD authentication tag length"  # RFC 7714


class SrtpEncrAlg(Registry):
    """SRTP policy "Encryption algorithm" values (parameter 0; RFC 3830, RFC 7714 …)."""

    NULL = 0, "NULL"
    AES_CM = 1, "AES-CM"
    AES_F8 = 2, "AES-F8"
    SEED_CTR = 3, "SEED-CTR"
    SEED_CCM = 4, "SEED-CCM"
    SEED_GCM = 5, "SEED-GCM"
    AES_GCM = 6, "AES-GCM"
    ARIA_CTR = 7, "ARIA-CTR"
    ARIA_GCM = 8, "ARIA-GCM"


class SrtpAuthAlg(Registry):
    """SRTP policy "Authentication algorithm" values (parameter 2; RFC 3830, RFC 4771)."""

    NULL = 0, "NULL"
    HMAC_SHA_1 = 1, "HMAC-SHA-1"
    RCCM1 = 2, "RCCm1"
    RCCM2 = 3, "RCCm2"
    RCCM3 = 4, "RCCm3"


class SrtpPrf(Registry):
    """SRTP policy "SRTP Pseudo Random Function" values (parameter 5; RFC 5748, 8269)."""

    AES_CM = 0, "AES-CM"
    SEED_CTR = 1, "SEED-CTR"
    ARIA_CTR = 2, "ARIA-CTR"


class TeslaParam(Registry):
    """TESLA policy parameter types of an SP payload with Prot type TESLA (RFC 4442 §4.2)."""

    PRF_IDENTIFIER = 1, "PRF identifier for f and f'"
    PRF_OUTPUT_LENGTH = 2, "Length of PRF f' output"
    MAC_IDENTIFIER = 3, "Identifier for the TESLA MAC"
    MAC_OUTPUT_LENGTH = 4, "Length of TESLA MAC output"
    START_OF_SESSION = 5, "Start of session"
    INTERVAL_DURATION = 6, "Interval duration"
    KEY_DISCLOSURE_DELAY = 7, "Key disclosure delay"
    KEY_CHAIN_LENGTH = 8, "Key chain length"
    LOCAL_TIMESTAMP_MEDIA_RECEIVER = 9, "Local timestamp media receiver"


class TeslaPrf(Registry):
    """TESLA PRF F(x), F'(x) values (TESLA parameter 1; RFC 4442 §4.2)."""

    HMAC_SHA1 = 0, "HMAC-SHA1"


class TeslaMac(Registry):
    """TESLA MAC values (TESLA parameter 3; RFC 4442 §4.2)."""

    HMAC_SHA1 = 0, "HMAC-SHA1"


class FecOrder(Registry):
    """SRTP policy "sender's FEC order" values (parameter 9; RFC 3830 Table 6.10.1.e)."""

    FEC_SRTP = 0, "FEC-SRTP"


class ErrorNo(Registry):
    """ERR payload error numbers (RFC 3830 §6.12 Table 6.12, RFC 6043 §6.12)."""

    AUTH_FAILURE = 0, "Auth failure"
    INVALID_TS = 1, "Invalid TS"
    INVALID_PRF = 2, "Invalid PRF"
    INVALID_MAC = 3, "Invalid MAC"
    INVALID_EA = 4, "Invalid EA"
    INVALID_HA = 5, "Invalid HA"
    INVALID_DH = 6, "Invalid DH"
    INVALID_ID = 7, "Invalid ID"
    INVALID_CERT = 8, "Invalid Cert"
    INVALID_SP = 9, "Invalid SP"
    INVALID_SPPAR = 10, "Invalid SPpar"
    INVALID_DT = 11, "Invalid DT"
    UNSPECIFIED_ERROR = 12, "Unspecified error"
    UNSUPPORTED_MESSAGE_TYPE = 13, "Unsupported message type"  # RFC 6043
    INVALID_TICKET = 14, "Invalid TICKET"
    INVALID_TPPAR = 15, "Invalid TPpar"


class KeyDataType(Registry):
    """Key data sub-payload type, 4 bits (RFC 3830 §6.13 Table 6.13.a, RFC 6043 §6.13)."""

    TGK = 0, "TGK"
    TGK_SALT = 1, "TGK+SALT"
    TEK = 2, "TEK"
    TEK_SALT = 3, "TEK+SALT"
    GTGK = 4, "GTGK"
    GTGK_SALT = 5, "GTGK+SALT"
    MPK = 6, "MPK"
    K_PR = 7, "K_PR"  # RFC 6267

    @property
    def has_salt(self) -> bool:
        """Whether the sub-payload carries Salt len and Salt data fields."""
        return self in (KeyDataType.TGK_SALT, KeyDataType.TEK_SALT, KeyDataType.GTGK_SALT)


class KvType(Registry):
    """Key validity type, 4 bits (RFC 3830 §6.13 Table 6.13.b)."""

    NULL = 0, "Null"
    SPI = 1, "SPI"
    INTERVAL = 2, "Interval"


class GeneralExtType(Registry):
    """General Extension payload type (RFC 3830 §6.15 Table 6.15 and extensions)."""

    VENDOR_ID = 0, "Vendor ID"
    SDP_IDS = 1, "SDP IDs"  # RFC 4567
    TESLA_I_KEY = 2, "TESLA I-Key"  # RFC 4442
    KEY_ID = 3, "Key ID"  # RFC 4563
    CSB_ID = 4, "CSB_ID"  # RFC 4738
    OMA_BCAST = 5, "OMA BCAST"  # RFC 4909
    SAKKE_TO_SELF = 6, "SAKKE-to-self"  # 3GPP TS 33.180
    THREE_GPP_KEY_PARAMETERS = 7, "3GPP key parameters"  # 3GPP TS 33.180


class KeyIdType(Registry):
    """Key ID types of the Key ID general extension (RFC 4563 §4)."""

    MBMS_KEY_DOMAIN_ID = 0, "MBMS Key Domain ID"
    MBMS_SERVICE_KEY_ID = 1, "MBMS Service Key ID"
    MBMS_TRANSPORT_KEY_ID = 2, "MBMS Transport Key ID"


class OmaBcastDataSubtype(Registry):
    """OMA BCAST general extension data subtype (RFC 4909 §3, §6; values 3-4 RFC 5410)."""

    LTKM = 1, "LTKM"
    STKM = 2, "STKM"
    LTKM_REPORTING = 3, "LTKM Reporting"
    PARENTAL_CONTROL = 4, "Parental Control"


class TsRole(Registry):
    """TR payload timestamp role (RFC 6043 §6.4)."""

    TIME_OF_ISSUE = 1, "Time of issue (TRi)"
    START_OF_VALIDITY = 2, "Start of validity period (TRs)"
    END_OF_VALIDITY = 3, "End of validity period (TRe)"
    REKEYING_INTERVAL = 4, "Rekeying interval (TRr)"


class IdRole(Registry):
    """IDR payload identity role (RFC 6043 §6.6, RFC 6509 §4.4, 3GPP TS 33.180)."""

    INITIATOR = 1, "Initiator (IDRi)"
    RESPONDER = 2, "Responder (IDRr)"
    KMS = 3, "KMS (IDRkms)"
    PRE_SHARED_KEY = 4, "Pre-Shared Key (IDRpsk)"
    APPLICATION = 5, "Application (IDRapp)"
    INITIATOR_KMS = 6, "Initiator's KMS (IDRkmsi)"
    RESPONDER_KMS = 7, "Responder's KMS (IDRkmsr)"
    HASHED_INITIATOR = 8, "Hashed Initiator (IDRuidi)"
    HASHED_RESPONDER = 9, "Hashed Responder (IDRuidr)"


class RandRole(Registry):
    """RANDR payload role (RFC 6043 §6.8)."""

    INITIATOR = 1, "Initiator (RANDRi)"
    RESPONDER = 2, "Responder (RANDRr)"
    KMS = 3, "KMS (RANDRkms)"


class TicketType(Registry):
    """TICKET payload ticket type, 16 bits (RFC 6043 §6.10)."""

    MIKEY_BASE_TICKET = 1, "MIKEY base ticket"
    THREE_GPP_BASE_TICKET = 2, "3GPP base ticket"


class EccCurve(Registry):
    """ECC curve of the ECCPT payload (RFC 6267 §6.1)."""

    P_192 = 1, "ECPRGF192Random / P-192 / secp192r1"
    B_163 = 2, "EC2NGF163Random / B-163 / sect163r2"
    K_163 = 3, "EC2NGF163Koblitz / K-163 / sect163k1"
    SECT163R1 = 4, "EC2NGF163Random2 / none / sect163r1"
    P_224 = 5, "ECPRGF224Random / P-224 / secp224r1"
    B_233 = 6, "EC2NGF233Random / B-233 / sect233r1"
    K_233 = 7, "EC2NGF233Koblitz / K-233 / sect233k1"
    P_256 = 8, "ECPRGF256Random / P-256 / secp256r1"
    B_283 = 9, "EC2NGF283Random / B-283 / sect283r1"
    K_283 = 10, "EC2NGF283Koblitz / K-283 / sect283k1"
    P_384 = 11, "ECPRGF384Random / P-384 / secp384r1"
    B_409 = 12, "EC2NGF409Random / B-409 / sect409r1"
    K_409 = 13, "EC2NGF409Koblitz / K-409 / sect409k1"
    P_521 = 14, "ECPRGF521Random / P-521 / secp521r1"
    B_571 = 15, "EC2NGF571Random / B-571 / sect571r1"
    K_571 = 16, "EC2NGF571Koblitz / K-571 / sect571k1"


class SkSubPayloadType(Registry):
    """SK payload sub-payload type (RFC 6267 §6.3)."""

    SECRET_KEY = 1, "Secret Key (SK)"


class SakkeParams(Registry):
    """SAKKE parameter set of the SAKKE payload (RFC 6509 §4.2, RFC 6509 Appendix A)."""

    PARAMETER_SET_1 = 1, "Parameter Set 1"


class IdScheme(Registry):
    """SAKKE identifier scheme (RFC 6509 §4.2, 3GPP TS 33.180)."""

    TEL_URI_MONTHLY_KEYS = 1, "tel URI with monthly keys"
    THREE_GPP_MCX_HASHED_UID = 2, "3GPP MCX hashed UID"


IANA_SUBREGISTRIES: dict[str, type[Registry]] = {
    "mikey-payloads-3": DataType,
    "mikey-payloads-4": PayloadType,
    "mikey-payloads-5": PrfFunc,
    "mikey-payloads-6": CsIdMapType,
    "mikey-payloads-8": EncrAlg,
    "mikey-payloads-9": MacAlg,
    "mikey-payloads-11": CacheIndicator,
    "mikey-payloads-13": DhGroup,
    "mikey-payloads-15": SType,
    "mikey-payloads-17": TsType,
    "mikey-payloads-19": IdType,
    "mikey-payloads-20": CertType,
    "mikey-payloads-22": HashFunc,
    "mikey-payloads-24": ProtType,
    "mikey-payloads-25": SrtpParam,
    "mikey-payloads-26": SrtpEncrAlg,
    "mikey-payloads-27": SrtpAuthAlg,
    "mikey-payloads-28": SrtpPrf,
    "mikey-payloads-29": FecOrder,
    "mikey-payloads-31": ErrorNo,
    "mikey-payloads-33": KeyDataType,
    "mikey-payloads-34": KvType,
    "mikey-payloads-36": GeneralExtType,
    "mikey-payloads-37": KeyIdType,
    "mikey-payloads-38": OmaBcastDataSubtype,
    "mikey-payloads-39": TsRole,
    "mikey-payloads-40": IdRole,
    "mikey-payloads-41": RandRole,
    "mikey-payloads-42": TicketType,
    "mikey-payloads-43": EccCurve,
    "mikey-payloads-44": SkSubPayloadType,
    "sakke-params": SakkeParams,
    "id-scheme": IdScheme,
}
"""Which IANA sub-registry (by its id in the IANA XML) each enum mirrors. The TESLA
enums come from the tables of RFC 4442 §4.2, which the MIKEY registry copy does not hold."""
