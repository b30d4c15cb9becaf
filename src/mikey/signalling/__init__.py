"""The signalling layer: keys carried in SDP and RTSP.

SDP Security Descriptions (SDES, RFC 4568 ``a=crypto``) live in ``mikey.signalling.sdes``;
the SDP model (RFC 8866) in ``mikey.signalling.sdp``; MIKEY in SDP (RFC 4567
``a=key-mgmt``, bidding-down prevention) in ``mikey.signalling.keymgmt``; the RTSP
``KeyMgmt`` header in ``mikey.signalling.rtsp``; SIP-style offer/answer (RFC 3264) in
``mikey.signalling.offer_answer`` (its ``offer``, ``answer`` and ``process_answer`` are
called through the module: the package-level ``answer`` and ``process_answer`` are
SDES's). Everything here turns text into keys and policies for
``mikey.srtp``; nothing here opens a socket.
"""

from mikey.signalling.keymgmt import (
    KEY_MGMT,
    MIKEY,
    KeyMgmt,
    check_sdp_ids,
    effective_key_mgmt,
    protocol_list,
    sdp_ids_payload,
)
from mikey.signalling.offer_answer import CRYPTO, Answer, Offer, SrtpPair
from mikey.signalling.rtsp import (
    KEY_MANAGEMENT_FAILURE,
    KEYMGMT_HEADER,
    KeyMgmtSpec,
    format_keymgmt,
    parse_keymgmt,
)
from mikey.signalling.sdes import (
    ANSWER_SUITES,
    SUITES,
    SdesCrypto,
    SdesKey,
    SdesSuite,
    answer,
    generate,
    process_answer,
    srtp_session,
)
from mikey.signalling.sdp import Attribute, MediaDescription, SdpLine, SessionDescription

__all__ = [
    "ANSWER_SUITES",
    "CRYPTO",
    "KEYMGMT_HEADER",
    "KEY_MANAGEMENT_FAILURE",
    "KEY_MGMT",
    "MIKEY",
    "SUITES",
    "Answer",
    "Attribute",
    "KeyMgmt",
    "KeyMgmtSpec",
    "MediaDescription",
    "Offer",
    "SdesCrypto",
    "SdesKey",
    "SdesSuite",
    "SdpLine",
    "SessionDescription",
    "SrtpPair",
    "answer",
    "check_sdp_ids",
    "effective_key_mgmt",
    "format_keymgmt",
    "generate",
    "parse_keymgmt",
    "process_answer",
    "protocol_list",
    "sdp_ids_payload",
    "srtp_session",
]
