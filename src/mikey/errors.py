"""The exception tree: every failure a caller or a peer can cause is a ``MikeyError``.

Errors that have an answer on the wire carry it: ``error_no`` is the RFC 3830 §6.12
``ErrorNo`` a Responder puts in its ERR payload.
"""

from __future__ import annotations

from mikey.registry import ErrorNo

__all__ = [
    "MikeyAuthenticationError",
    "MikeyBiddingDownError",
    "MikeyError",
    "MikeyIdentityError",
    "MikeyInvalidCertError",
    "MikeyInvalidDataTypeError",
    "MikeyInvalidDhError",
    "MikeyInvalidEncrAlgError",
    "MikeyInvalidHashError",
    "MikeyInvalidMacAlgError",
    "MikeyInvalidPrfError",
    "MikeyKeyManagementError",
    "MikeyParseError",
    "MikeyPeerError",
    "MikeyPkiError",
    "MikeyPolicyError",
    "MikeyPolicyParamError",
    "MikeyProtocolError",
    "MikeyReplayError",
    "MikeyRtspError",
    "MikeySdpError",
    "MikeySignatureError",
    "MikeySrtpError",
    "MikeyStructuredFieldError",
    "MikeyTimestampError",
    "MikeyTwoTimePadError",
    "MikeyUnsupportedAlgorithmError",
    "MikeyValueError",
]


class MikeyError(Exception):
    """Base class of every error mikey raises on purpose."""

    error_no: ErrorNo | None = None


class MikeyValueError(MikeyError, ValueError):
    """A value given to a constructor or encoder breaks a rule of the RFC."""


class MikeyParseError(MikeyError, ValueError):
    """Untrusted bytes do not form a valid MIKEY message.

    ``payload`` names the payload being read (``"HDR"``, ``"KEMAC"``, …) and ``offset`` is
    the byte offset from the start of the message where the fault was found.
    """

    error_no = ErrorNo.UNSPECIFIED_ERROR

    def __init__(self, what: str, *, payload: str, offset: int) -> None:
        super().__init__(f"{payload} at byte {offset}: {what}")
        self.what = what
        self.payload = payload
        self.offset = offset


class MikeyAuthenticationError(MikeyError):
    """A MAC does not verify: the message was altered or the keys differ.

    A Responder answers with Auth failure (RFC 3830 §6.12); the message is rejected.
    """

    error_no = ErrorNo.AUTH_FAILURE


class MikeyUnsupportedAlgorithmError(MikeyError, ValueError):
    """An algorithm the message names is not one this implementation can use."""


class MikeyInvalidEncrAlgError(MikeyUnsupportedAlgorithmError):
    """The KEMAC encryption algorithm is not supported: Invalid EA (RFC 3830 §6.12)."""

    error_no = ErrorNo.INVALID_EA


class MikeyInvalidMacAlgError(MikeyUnsupportedAlgorithmError):
    """The MAC algorithm is not supported: Invalid MAC (RFC 3830 §6.12)."""

    error_no = ErrorNo.INVALID_MAC


class MikeyInvalidPrfError(MikeyUnsupportedAlgorithmError):
    """The CSB's PRF is not one this side supports: Invalid PRF (RFC 3830 §6.12)."""

    error_no = ErrorNo.INVALID_PRF


class MikeyInvalidHashError(MikeyUnsupportedAlgorithmError):
    """A hash function (a CHASH's, or one asked for a signature) is not one this side
    uses: Invalid HA (RFC 3830 §6.12)."""

    error_no = ErrorNo.INVALID_HA


class MikeyInvalidDhError(MikeyError, ValueError):
    """A DH group this side does not take, or a peer's DH value that is not a valid
    element of its group: Invalid DH (RFC 3830 §6.12, "DH group not supported", the
    nearest answer the table has for a bad value too)."""

    error_no = ErrorNo.INVALID_DH


class MikeyPolicyError(MikeyError, ValueError):
    """A security policy cannot be honoured as a whole: Invalid SP (RFC 3830 §6.12)."""

    error_no = ErrorNo.INVALID_SP


class MikeyPolicyParamError(MikeyPolicyError):
    """One security policy parameter is unacceptable: Invalid SPpar (RFC 3830 §6.12)."""

    error_no = ErrorNo.INVALID_SPPAR


class MikeyTimestampError(MikeyError):
    """A timestamp is outside the accepted window: Invalid TS (RFC 3830 §5.4, §6.12)."""

    error_no = ErrorNo.INVALID_TS


class MikeyReplayError(MikeyError):
    """A message was seen before (RFC 3830 §5.4).

    It is dropped without an answer: answering a replay would let anyone who recorded
    a message make the Responder talk.
    """


class MikeyIdentityError(MikeyError):
    """An identity is unknown or not the expected one: Invalid ID (RFC 3830 §6.12)."""

    error_no = ErrorNo.INVALID_ID


class MikeyProtocolError(MikeyError):
    """A message is well formed but not what the exchange allows at this point.

    For instance an I_MESSAGE without RAND or KEMAC, a verification message for another
    CSB, or a call out of order. A Responder answers Unspecified error.
    """

    error_no = ErrorNo.UNSPECIFIED_ERROR


class MikeySrtpError(MikeyError):
    """libsrtp refused an operation: an SRTP packet did not authenticate, was replayed,
    or could not be protected (``status`` is libsrtp's ``srtp_err_status_t``)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class MikeyPeerError(MikeyError):
    """The peer answered with an error message (RFC 3830 §5.1.2).

    ``error_nos`` lists its ERR payloads' numbers. ``authenticated`` says whether its V
    verified; an unauthenticated error message is only a hint of what went wrong (anyone
    on the path can forge one), so the exchange it answers stays open.
    """

    def __init__(self, message: str, *, error_nos: tuple[int, ...], authenticated: bool) -> None:
        super().__init__(message)
        self.error_nos = error_nos
        self.authenticated = authenticated


class MikeyInvalidDataTypeError(MikeyError):
    """A message of a data type this side does not take here: Invalid DT (RFC 3830 §6.12)."""

    error_no = ErrorNo.INVALID_DT


class MikeyPkiError(MikeyError):
    """A PKI operation cannot be done: a CSR whose signature does not verify, a CA that
    may not issue what is asked, a certificate that does not fit its profile."""


class MikeyInvalidCertError(MikeyError):
    """A peer's certificate cannot be used: not a certificate, not trusted (path,
    validity, usage, revocation), or not the one a CHASH names (Invalid Cert)."""

    error_no = ErrorNo.INVALID_CERT


class MikeyTwoTimePadError(MikeyProtocolError):
    """Two parties would encrypt under the same key with the same SSRC: a forked request
    answered by several Responders that chose one SSRC (RFC 5197 §5.2)."""


class MikeySignatureError(MikeyError):
    """An HTTP message signature (RFC 9421) or a content digest (RFC 9530) cannot be made or
    does not verify.

    ``reason`` says why, as a value of ``mikey.apiauth.SignatureFailure`` ("missing",
    "malformed", "unknown key", "bad signature", "expired", "too old", "component missing",
    "digest mismatch", …), so that a server can count and log failures by kind; ``label``
    names the signature (RFC 9421 §4) when one was chosen. ``http_status`` is a server's
    answer: 401, the request lacks valid authentication (RFC 9110 §15.5.2).
    """

    http_status = 401

    def __init__(self, message: str, *, reason: str, label: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.label = label


class MikeyStructuredFieldError(MikeySignatureError, ValueError):
    """A field value is not a structured field (RFC 8941 §4.2), or not the structure its RFC
    asks for: Signature-Input, Signature and Accept-Signature (RFC 9421 §4.1, §4.2, §5.1), a
    component identifier (§2), Content-Digest (RFC 9530 §2). ``field`` names the field and
    ``offset`` the character where parsing stopped, when there is one. The reason is always
    "malformed", and a server answers 400 (RFC 9110 §15.5.1).
    """

    http_status = 400

    def __init__(
        self, what: str, *, field: str, offset: int | None = None, label: str | None = None
    ) -> None:
        where = field if offset is None else f"{field} at character {offset}"
        super().__init__(f"{where}: {what}", reason="malformed", label=label)
        self.what = what
        self.field = field
        self.offset = offset


class MikeySdpError(MikeyError, ValueError):
    """Text is not a valid SDP session description (RFC 8866 §5, §9), an ``a=key-mgmt``
    attribute (RFC 4567 §3.1) or an RTSP ``KeyMgmt`` header (RFC 4567 §3.2).

    ``line`` is the 1-based line of the description (or 1 for a header value) where the
    fault was found, when there is one.
    """

    def __init__(self, what: str, *, line: int | None = None) -> None:
        super().__init__(what if line is None else f"SDP line {line}: {what}")
        self.what = what
        self.line = line


class MikeyBiddingDownError(MikeyProtocolError):
    """The SDP IDs a MIKEY message authenticates do not list the key management protocols
    the SDP offers: an attacker may have removed offers (RFC 4567 §4.1.4, §7)."""


class MikeyKeyManagementError(MikeyError):
    """The key management of an offer or answer failed as a whole (RFC 4567 §4.1.1-§4.1.2).

    The session is aborted: a SIP answerer sends ``sip_status`` 488 Not Acceptable Here, an
    RTSP server ``rtsp_status`` 463 Key management failure (RFC 4567 §3.2). ``reply`` is
    the Responder's MIKEY error message, if it made one, and ``answer_sdp`` an SDP answer
    carrying it (RFC 4567 §4.1.2: the answer SHOULD include the cause of failure); the
    failure itself is the exception's ``__cause__``.
    """

    sip_status = 488
    rtsp_status = 463

    def __init__(
        self, message: str, *, reply: bytes | None = None, answer_sdp: str | None = None
    ) -> None:
        super().__init__(message)
        self.reply = reply
        self.answer_sdp = answer_sdp


class MikeyRtspError(MikeyError):
    """The RTSP exchange failed (RFC 2326): no connection, a timeout, a status other than
    2xx, a response or SDP that does not parse, or no MIKEY to key the media with."""
