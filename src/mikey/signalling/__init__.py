"""The signalling layer: keys carried in SDP and RTSP.

SDP Security Descriptions (SDES, RFC 4568 ``a=crypto``) live in
``mikey.signalling.sdes``; MIKEY in SDP and RTSP (RFC 4567 ``a=key-mgmt``, ``KeyMgmt``)
belongs here too. Everything here turns text into keys and policies for
``mikey.srtp``; nothing here opens a socket.
"""

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

__all__ = [
    "ANSWER_SUITES",
    "SUITES",
    "SdesCrypto",
    "SdesKey",
    "SdesSuite",
    "answer",
    "generate",
    "process_answer",
    "srtp_session",
]
