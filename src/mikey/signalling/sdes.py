"""SDP Security Descriptions for SRTP: the ``a=crypto`` attribute (RFC 4568).

Implements RFC 4568 §4 (tag, crypto-suite, key-params, session-params) with the grammar
of §9.1 and §9.2; the SRTP ``inline`` key parameter of §6.1 (base64 key||salt, lifetime
as a decimal or ``2^n``, ``MKI:length``, several keys only with MKIs of one length); the
crypto suites of §6.2 (AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32 with its 80-bit
SRTCP tag, F8_128_HMAC_SHA1_80), RFC 6188 §4 (AES_192_CM_HMAC_SHA1_80/_32 and
AES_256_CM_HMAC_SHA1_80/_32) and RFC 7714 §14.1 with the lengths of its §12 tables
(AEAD_AES_128_GCM, AEAD_AES_256_GCM: 16- and 32-byte keys, 12-byte salt); the session
parameters of §6.3 (KDR, UNENCRYPTED_SRTP, UNENCRYPTED_SRTCP, UNAUTHENTICATED_SRTP,
FEC_ORDER, FEC_KEY, WSH) and the extension rule of §6.3.7; and the unicast offer/answer
rules of §5.1.2-§5.1.3 and §7.1.2-§7.1.3.

**Two kinds of refusal.** ``SdesCrypto.parse`` (and the constructors) accept every
attribute RFC 4568 calls valid and refuse the rest: a line that breaks the grammar or a
rule of §6 raises ``MikeyParseError`` whose ``payload`` names the grammar element
(``"a=crypto lifetime"``) and whose ``offset`` is the character position in the line as
given; an unknown crypto suite raises ``MikeyPolicyError``, an unknown mandatory session
parameter (§6.3.7: the attribute is invalid) or a key method other than ``inline``
raises ``MikeyPolicyParamError``, both with the position in the message. A valid
attribute that libsrtp cannot run (the F8 cipher, KDR above 0, FEC_ORDER=SRTP_FEC,
FEC_KEY, unencrypted or unauthenticated AES-GCM SRTP) parses, and its ``policy`` raises
``MikeyPolicyParamError``; ``answer`` passes over such offers. Constructors called with
bad values raise ``MikeyValueError``. Every one of these is a ``MikeyError``.

Optional session parameters (those starting with ``-``, §6.3.7) are kept as written in
``extensions`` and otherwise ignored. Key lifetimes are carried, not enforced: libsrtp
sessions count packets against their own limits only.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, NoReturn

from mikey.errors import (
    MikeyError,
    MikeyParseError,
    MikeyPolicyError,
    MikeyPolicyParamError,
    MikeyValueError,
)
from mikey.srtp.policy import SrtpCipher, SrtpPolicy

if TYPE_CHECKING:
    from mikey.srtp.session import SrtpSession

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

MAX_TAG = 999_999_999  # RFC 4568 §9.1: tag = 1*9DIGIT
MAX_MKI_LENGTH = 128  # RFC 4568 §6.1, §9.2: mki-length range 1..128
MAX_KDR = 24  # RFC 4568 §9.2: kdr range 0..24
MIN_WSH = 64  # RFC 4568 §6.3.6, RFC 3711 §3.3.2
SRTP_MAX_LIFETIME = 2**48  # RFC 3711 §9.2; the SRTP lifetime of RFC 4568 §6.2, RFC 7714 §12
DEFAULT_REPLAY_WINDOW = 128
_MAX_REPLAY_WINDOW = 0x7FFF  # libsrtp's limit, as mikey.srtp.session checks


@dataclass(frozen=True, slots=True, kw_only=True)
class SdesSuite:
    """One SRTP crypto suite of the SDES registry (RFC 4568 §6.2, §10.3.2.1).

    ``cipher`` is ``None`` for a suite libsrtp cannot run (AES-f8); its key and salt
    lengths are still known, so that its attributes can be parsed.
    """

    name: str
    cipher: SrtpCipher | None
    key_length: int
    salt_length: int
    srtp_auth_tag_length: int
    srtcp_auth_tag_length: int
    max_lifetime: int = SRTP_MAX_LIFETIME
    reference: str


def _suite_table(*suites: SdesSuite) -> Mapping[str, SdesSuite]:
    return MappingProxyType({suite.name: suite for suite in suites})


SUITES: Mapping[str, SdesSuite] = _suite_table(
    SdesSuite(
        name="AES_CM_128_HMAC_SHA1_80",
        cipher=SrtpCipher.AES_CM_128,
        key_length=16,
        salt_length=14,
        srtp_auth_tag_length=10,
        srtcp_auth_tag_length=10,
        reference="RFC 4568 §6.2.1",
    ),
    # Only the SRTP tag is 32 bits; SRTCP keeps 80 (RFC 4568 §6.2 table), unlike the
    # MIKEY-style mikey.srtp.policy.AES_CM_128_HMAC_SHA1_32.
    SdesSuite(
        name="AES_CM_128_HMAC_SHA1_32",
        cipher=SrtpCipher.AES_CM_128,
        key_length=16,
        salt_length=14,
        srtp_auth_tag_length=4,
        srtcp_auth_tag_length=10,
        reference="RFC 4568 §6.2.2",
    ),
    SdesSuite(
        name="F8_128_HMAC_SHA1_80",
        cipher=None,
        key_length=16,
        salt_length=14,
        srtp_auth_tag_length=10,
        srtcp_auth_tag_length=10,
        reference="RFC 4568 §6.2.3",
    ),
    SdesSuite(
        name="AES_192_CM_HMAC_SHA1_80",
        cipher=SrtpCipher.AES_CM_192,
        key_length=24,
        salt_length=14,
        srtp_auth_tag_length=10,
        srtcp_auth_tag_length=10,
        reference="RFC 6188 §4 table 1",
    ),
    SdesSuite(
        name="AES_192_CM_HMAC_SHA1_32",
        cipher=SrtpCipher.AES_CM_192,
        key_length=24,
        salt_length=14,
        srtp_auth_tag_length=4,
        srtcp_auth_tag_length=10,
        reference="RFC 6188 §4 table 2",
    ),
    SdesSuite(
        name="AES_256_CM_HMAC_SHA1_80",
        cipher=SrtpCipher.AES_CM_256,
        key_length=32,
        salt_length=14,
        srtp_auth_tag_length=10,
        srtcp_auth_tag_length=10,
        reference="RFC 6188 §4 table 3",
    ),
    SdesSuite(
        name="AES_256_CM_HMAC_SHA1_32",
        cipher=SrtpCipher.AES_CM_256,
        key_length=32,
        salt_length=14,
        srtp_auth_tag_length=4,
        srtcp_auth_tag_length=10,
        reference="RFC 6188 §4 table 4",
    ),
    SdesSuite(
        name="AEAD_AES_128_GCM",
        cipher=SrtpCipher.AES_GCM_128,
        key_length=16,
        salt_length=12,
        srtp_auth_tag_length=16,
        srtcp_auth_tag_length=16,
        reference="RFC 7714 §12 table 2, §14.1",
    ),
    SdesSuite(
        name="AEAD_AES_256_GCM",
        cipher=SrtpCipher.AES_GCM_256,
        key_length=32,
        salt_length=12,
        srtp_auth_tag_length=16,
        srtcp_auth_tag_length=16,
        reference="RFC 7714 §12 table 3, §14.1",
    ),
)
"""Every crypto suite this module knows, by its upper-case name."""

ANSWER_SUITES: tuple[str, ...] = (
    "AEAD_AES_256_GCM",
    "AEAD_AES_128_GCM",
    "AES_256_CM_HMAC_SHA1_80",
    "AES_256_CM_HMAC_SHA1_32",
    "AES_CM_128_HMAC_SHA1_80",
    "AES_CM_128_HMAC_SHA1_32",
)
"""The suites ``answer`` accepts unless told otherwise, strongest first.

The AES-192 suites are left out: libsrtp before 2.8.0 derives their session keys
wrongly (cisco/libsrtp#763), and ``SrtpSession`` refuses them there. Name them in
``accept`` to take them with a newer libsrtp.
"""


def _lookup_suite(name: str) -> SdesSuite:
    suite = SUITES.get(name.upper())  # RFC 4568 §4: field values are case-insensitive
    if suite is None:
        raise MikeyPolicyError(f"unknown SRTP crypto suite {name!r}; known: {', '.join(SUITES)}")
    return suite


# --- values -----------------------------------------------------------------------------

_SUITE_NAME = re.compile(r"[A-Za-z0-9_]+")  # RFC 4568 §9.1 crypto-suite
_VCHARS = re.compile(r"[!-~]+")  # RFC 4234 VCHAR


def _is_int(value: object) -> bool:
    return type(value) is int  # not bool


def _is(value: object, kind: type) -> bool:
    """``isinstance`` for values typed narrower than callers may pass at run time."""
    return isinstance(value, kind)


def _lifetime_text(lifetime: int) -> str:
    if lifetime >= 2 and lifetime & (lifetime - 1) == 0:
        return f"2^{lifetime.bit_length() - 1}"
    return str(lifetime)


@dataclass(frozen=True, slots=True, kw_only=True)
class SdesKey:
    """One SRTP master key of an ``inline`` key parameter (RFC 4568 §6.1).

    ``lifetime`` is the most SRTP or SRTCP packets the key may protect (``None``: the
    suite's default); ``mki`` is the Master Key Identifier carried big-endian in
    ``mki_length`` bytes (1-128) of every packet. The repr leaves the key material out.
    """

    master_key: bytes = field(repr=False)
    master_salt: bytes = field(repr=False)
    lifetime: int | None = None
    mki: int | None = None
    mki_length: int | None = None

    def __post_init__(self) -> None:
        for name, value in (("master key", self.master_key), ("master salt", self.master_salt)):
            if not _is(value, bytes) or not value:
                raise MikeyValueError(f"the {name} must be non-empty bytes")
        if self.lifetime is not None and (not _is_int(self.lifetime) or self.lifetime < 1):
            raise MikeyValueError(
                f"a key lifetime is a positive number of packets, not {self.lifetime!r}"
            )
        if (self.mki is None) != (self.mki_length is None):
            raise MikeyValueError("an MKI needs its length and a length needs its MKI")
        if self.mki is not None and self.mki_length is not None:
            if not _is_int(self.mki_length) or not 1 <= self.mki_length <= MAX_MKI_LENGTH:
                raise MikeyValueError(
                    f"an MKI length is 1 to {MAX_MKI_LENGTH} bytes, not {self.mki_length!r}"
                )
            if not _is_int(self.mki) or not 0 <= self.mki < 256**self.mki_length:
                raise MikeyValueError(
                    f"MKI {self.mki!r} does not fit in {self.mki_length} byte"
                    + ("" if self.mki_length == 1 else "s")
                )

    @property
    def mki_bytes(self) -> bytes | None:
        """The MKI as it appears in SRTP packets: big-endian, ``mki_length`` bytes."""
        if self.mki is None or self.mki_length is None:
            return None
        return self.mki.to_bytes(self.mki_length, "big")

    def to_key_param(self) -> str:
        """The ``inline:`` key parameter (RFC 4568 §6.1, §9.2)."""
        text = "inline:" + base64.b64encode(self.master_key + self.master_salt).decode("ascii")
        if self.lifetime is not None:
            text += "|" + _lifetime_text(self.lifetime)
        if self.mki is not None:
            text += f"|{self.mki}:{self.mki_length}"
        return text


@dataclass(frozen=True, slots=True, kw_only=True)
class SdesCrypto:
    """One ``a=crypto`` attribute for SRTP (RFC 4568 §4, §6).

    ``suite`` is the crypto-suite name as written (matched case-insensitively); ``keys``
    are the master keys, the first of which keys a session. The session parameters of
    §6.3: ``kdr`` is the KDR exponent n (a rate of 2^n; ``None`` when absent);
    ``unencrypted_srtp``, ``unencrypted_srtcp`` and ``unauthenticated_srtp`` switch
    protection off; ``fec_order`` is ``"FEC_SRTP"`` or ``"SRTP_FEC"``; ``fec_key`` is the
    FEC_KEY key-params as written; ``wsh`` the window size hint; ``extensions`` the
    optional ``-`` parameters, as written.

    :raises MikeyValueError: for a value that breaks RFC 4568 §4, §6.1 or §6.3.
    :raises MikeyPolicyError: for an unknown crypto suite.
    :raises MikeyPolicyParamError: for an unknown mandatory session parameter (§6.3.7).
    """

    tag: int
    suite: str
    keys: tuple[SdesKey, ...]
    kdr: int | None = None
    unencrypted_srtp: bool = False
    unencrypted_srtcp: bool = False
    unauthenticated_srtp: bool = False
    fec_order: str | None = None
    fec_key: str | None = field(default=None, repr=False)
    wsh: int | None = None
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _is_int(self.tag) or not 0 <= self.tag <= MAX_TAG:
            raise MikeyValueError(f"a crypto tag is 0 to {MAX_TAG}, not {self.tag!r}")
        if not _is(self.suite, str) or not _SUITE_NAME.fullmatch(self.suite):
            raise MikeyValueError(
                f"{self.suite!r} is not a crypto-suite name (letters, digits and _)"
            )
        suite = _lookup_suite(self.suite)
        self._check_keys(suite)
        if self.kdr is not None and (not _is_int(self.kdr) or not 0 <= self.kdr <= MAX_KDR):
            raise MikeyValueError(f"KDR is 0 to {MAX_KDR} (a power of two), not {self.kdr!r}")
        for name in ("unencrypted_srtp", "unencrypted_srtcp", "unauthenticated_srtp"):
            if not isinstance(getattr(self, name), bool):
                raise MikeyValueError(f"{name} must be a bool")
        if self.fec_order is not None and (
            not _is(self.fec_order, str) or self.fec_order.upper() not in ("FEC_SRTP", "SRTP_FEC")
        ):
            raise MikeyValueError(f"FEC_ORDER is FEC_SRTP or SRTP_FEC, not {self.fec_order!r}")
        if self.fec_key is not None and (
            not _is(self.fec_key, str) or not _VCHARS.fullmatch(self.fec_key)
        ):
            raise MikeyValueError("FEC_KEY must be key-params: visible characters, no spaces")
        if self.wsh is not None and (not _is_int(self.wsh) or self.wsh < MIN_WSH):
            raise MikeyValueError(f"WSH is at least {MIN_WSH} packets, not {self.wsh!r}")
        if not isinstance(self.extensions, tuple):
            raise MikeyValueError("extensions must be a tuple of strings")
        for extension in self.extensions:
            if not _is(extension, str) or not _VCHARS.fullmatch(extension):
                raise MikeyValueError(f"session parameter {extension!r} is not visible text")
            if not extension.startswith("-") or len(extension) < 2:
                raise MikeyPolicyParamError(
                    f"unknown mandatory session parameter {extension!r}: RFC 4568 §6.3.7 "
                    "makes the attribute invalid (optional ones start with '-')"
                )

    def _check_keys(self, suite: SdesSuite) -> None:
        if not _is(self.keys, tuple) or not self.keys:
            raise MikeyValueError("an a=crypto attribute needs at least one key (a tuple)")
        for key in self.keys:
            if not isinstance(key, SdesKey):
                raise MikeyValueError(f"keys must be SdesKey values, not {type(key).__name__}")
            if (len(key.master_key), len(key.master_salt)) != (
                suite.key_length,
                suite.salt_length,
            ):
                raise MikeyValueError(
                    f"{suite.name} takes a {suite.key_length}-byte master key and a "
                    f"{suite.salt_length}-byte salt, not {len(key.master_key)} and "
                    f"{len(key.master_salt)} bytes ({suite.reference})"
                )
            if key.lifetime is not None and key.lifetime > suite.max_lifetime:
                raise MikeyValueError(
                    f"lifetime {_lifetime_text(key.lifetime)} exceeds {suite.name}'s "
                    f"maximum of {_lifetime_text(suite.max_lifetime)} packets (RFC 4568 §6.1)"
                )
        if len(self.keys) > 1:
            if any(key.mki is None for key in self.keys):
                raise MikeyValueError("with several keys every key needs an MKI (RFC 4568 §6.1)")
            if len({key.mki_length for key in self.keys}) > 1:
                raise MikeyValueError("the keys' MKIs must all have one length (RFC 4568 §6.1)")
            if len({key.mki for key in self.keys}) < len(self.keys):
                raise MikeyValueError("two keys have the same MKI (RFC 4568 §4.3)")
            if len({key.master_key for key in self.keys}) < len(self.keys):
                raise MikeyValueError("two keys are the same (RFC 4568 §6.1: keys are unique)")

    @property
    def crypto_suite(self) -> SdesSuite:
        """The definition of ``suite``."""
        return _lookup_suite(self.suite)

    @property
    def policy(self) -> SrtpPolicy:
        """The ``SrtpPolicy`` of this attribute: suite plus session parameters.

        :raises MikeyPolicyParamError: for what libsrtp cannot run.
        """
        suite = self.crypto_suite
        if suite.cipher is None:
            raise MikeyPolicyParamError(
                f"{suite.name}: the AES-f8 cipher is not supported by libsrtp"
            )
        if self.kdr:
            raise MikeyPolicyParamError(
                f"KDR={self.kdr} (re-deriving session keys every 2^{self.kdr} packets) is "
                "not supported by libsrtp, which derives them once: only KDR=0 or none"
            )
        if self.fec_order is not None and self.fec_order.upper() == "SRTP_FEC":
            raise MikeyPolicyParamError(
                "FEC_ORDER=SRTP_FEC (FEC applied after SRTP) is not supported"
            )
        if self.fec_key is not None:
            raise MikeyPolicyParamError(
                "FEC_KEY (separate master keys for an FEC stream) is not supported"
            )
        if suite.cipher.is_aead and self.unencrypted_srtp:
            raise MikeyPolicyParamError(
                f"{suite.name}: AES-GCM always encrypts SRTP (RFC 7714 §8), "
                "UNENCRYPTED_SRTP cannot be honoured"
            )
        if suite.cipher.is_aead and self.unauthenticated_srtp:
            raise MikeyPolicyParamError(
                f"{suite.name}: AES-GCM always authenticates, "
                "UNAUTHENTICATED_SRTP cannot be honoured"
            )
        return SrtpPolicy(
            cipher=suite.cipher,
            srtp_auth_tag_length=0 if self.unauthenticated_srtp else suite.srtp_auth_tag_length,
            srtcp_auth_tag_length=suite.srtcp_auth_tag_length,
            srtp_encryption=not self.unencrypted_srtp,
            srtcp_encryption=not self.unencrypted_srtcp,
            srtp_authentication=not self.unauthenticated_srtp,
        )

    def session_params(self) -> tuple[str, ...]:
        """The session parameters as written by ``to_attribute`` (RFC 4568 §6.3, §9.2)."""
        params: list[str] = []
        if self.kdr is not None:
            params.append(f"KDR={self.kdr}")
        for flag, name in (
            (self.unencrypted_srtp, "UNENCRYPTED_SRTP"),
            (self.unencrypted_srtcp, "UNENCRYPTED_SRTCP"),
            (self.unauthenticated_srtp, "UNAUTHENTICATED_SRTP"),
        ):
            if flag:
                params.append(name)
        if self.fec_order is not None:
            params.append(f"FEC_ORDER={self.fec_order}")
        if self.fec_key is not None:
            params.append(f"FEC_KEY={self.fec_key}")
        if self.wsh is not None:
            params.append(f"WSH={self.wsh}")
        return (*params, *self.extensions)

    def to_attribute(self) -> str:
        """The attribute after ``a=``: ``crypto:<tag> <suite> <key-params> [<params>]``."""
        key_params = ";".join(key.to_key_param() for key in self.keys)
        return " ".join((f"crypto:{self.tag}", self.suite, key_params, *self.session_params()))

    @classmethod
    def parse(cls, line: str) -> SdesCrypto:
        """Parse one ``a=crypto`` attribute, with or without ``a=`` and surrounding space.

        :raises MikeyParseError: for text that breaks RFC 4568 §9 or a rule of §6.
        :raises MikeyPolicyError: for an unknown crypto suite.
        :raises MikeyPolicyParamError: for an unknown mandatory session parameter or a key
            method other than ``inline``.
        """
        if not isinstance(line, str):
            raise TypeError(f"an a=crypto line is a str, not {type(line).__name__}")
        return _Parser(line).crypto()


# --- parsing ----------------------------------------------------------------------------

_SPACE = " \t\r\n"
_TAG = re.compile(r"0|[1-9][0-9]{0,8}")
_KEY_METHOD = re.compile(r"[A-Za-z0-9_]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_LIFETIME = re.compile(r"2\^(0|[1-9][0-9]?)|([1-9][0-9]{0,14})")  # up to 2^48 < 10^15
_MKI = re.compile(r"(0|[1-9][0-9]{0,308}):([1-9][0-9]{0,2})")  # 256^128 < 10^309
_KDR = re.compile(r"0|[1-9][0-9]?")
_WSH = re.compile(r"[1-9][0-9]{1,8}")
_FLAGS = {
    "UNENCRYPTED_SRTP": "unencrypted_srtp",
    "UNENCRYPTED_SRTCP": "unencrypted_srtcp",
    "UNAUTHENTICATED_SRTP": "unauthenticated_srtp",
}
_VALUED = ("KDR", "FEC_ORDER", "FEC_KEY", "WSH")


class _Parser:
    """One pass over one attribute; every failure names the element and its position."""

    def __init__(self, line: str) -> None:
        self.line = line

    def fail(self, what: str, element: str, at: int) -> NoReturn:
        raise MikeyParseError(what, payload=f"a=crypto {element}", offset=at)

    @staticmethod
    def where(element: str, at: int) -> str:
        return f"a=crypto {element} at byte {at}: "

    @contextmanager
    def at(self, element: str, offset: int) -> Iterator[None]:
        """Give a constructor's ``MikeyValueError`` the element and position."""
        try:
            yield
        except MikeyValueError as error:
            raise MikeyParseError(
                str(error), payload=f"a=crypto {element}", offset=offset
            ) from error

    def crypto(self) -> SdesCrypto:
        line = self.line
        start = len(line) - len(line.lstrip(_SPACE))
        end = len(line.rstrip(_SPACE))
        if start == end:
            self.fail("the line is empty", "attribute", start)
        pos = start + 2 if line.startswith("a=", start) else start
        if not line.startswith("crypto:", pos):
            self.fail('expected "crypto:"', "attribute", pos)
        pos += len("crypto:")
        for index in range(pos, end):
            char = line[index]
            if not ("!" <= char <= "~" or char in " \t"):
                self.fail(
                    f"character {char!r} is not allowed (visible ASCII and blanks only, "
                    "RFC 4568 §9.1)",
                    "attribute",
                    index,
                )
        tokens = [(m.start(), m.group()) for m in _VCHARS.finditer(line, pos, end)]
        if not tokens or tokens[0][0] != pos:
            self.fail("the tag must follow 'crypto:' directly", "tag", pos)
        names = ("tag", "crypto-suite", "key-params")
        if len(tokens) < len(names):
            self.fail(f"the {names[len(tokens)]} is missing", names[len(tokens)], end)
        (tag_at, tag_text), (suite_at, suite_text), (keys_at, keys_text) = tokens[:3]
        tag = self.tag(tag_text, tag_at)
        if not _SUITE_NAME.fullmatch(suite_text):
            self.fail(
                f"{suite_text!r} is not a crypto-suite name (letters, digits and _)",
                "crypto-suite",
                suite_at,
            )
        try:
            suite = _lookup_suite(suite_text)
        except MikeyPolicyError as error:
            raise MikeyPolicyError(self.where("crypto-suite", suite_at) + str(error)) from error
        keys = self.keys(keys_text, keys_at, suite)
        params = self.session_params(tokens[3:])
        with self.at("key-params", keys_at):  # the rules across keys (RFC 4568 §6.1)
            return SdesCrypto(
                tag=tag,
                suite=suite_text,
                keys=keys,
                kdr=params.kdr,
                unencrypted_srtp=params.unencrypted_srtp,
                unencrypted_srtcp=params.unencrypted_srtcp,
                unauthenticated_srtp=params.unauthenticated_srtp,
                fec_order=params.fec_order,
                fec_key=params.fec_key,
                wsh=params.wsh,
                extensions=tuple(params.extensions),
            )

    def tag(self, text: str, at: int) -> int:
        if not _TAG.fullmatch(text):
            self.fail(
                f"{text!r} is not a tag: 1 to 9 decimal digits without leading zeros "
                "(RFC 4568 §4.1, §9.1)",
                "tag",
                at,
            )
        return int(text)

    def keys(self, text: str, at: int, suite: SdesSuite) -> tuple[SdesKey, ...]:
        keys: list[SdesKey] = []
        offset = at
        for part in text.split(";"):
            keys.append(self.key(part, offset, suite))
            offset += len(part) + 1
        return tuple(keys)

    def key(self, text: str, at: int, suite: SdesSuite) -> SdesKey:
        method, colon, info = text.partition(":")
        if not colon or not _KEY_METHOD.fullmatch(method):
            self.fail(
                f"{text!r} is not a key-param: expected <key-method>:<key-info>",
                "key-params",
                at,
            )
        if method.lower() != "inline":
            raise MikeyPolicyParamError(
                self.where("key-params", at) + f"key method {method!r} is not supported: "
                "SRTP security descriptions define only 'inline' (RFC 4568 §6.1)"
            )
        info_at = at + len(method) + 1
        fields = info.split("|")
        if len(fields) > 3:
            self.fail(
                "too many '|' fields: inline:<key||salt>[|lifetime][|MKI:length] (RFC 4568 §6.1)",
                "key-params",
                info_at,
            )
        material = self.key_salt(fields[0], info_at, suite)
        lifetime: int | None = None
        mki: tuple[int, int] | None = None
        offset = info_at + len(fields[0]) + 1
        rest = fields[1:]
        if rest and ":" not in rest[0]:
            lifetime = self.lifetime(rest[0], offset, suite)
            offset += len(rest[0]) + 1
            rest = rest[1:]
        if len(rest) > 1:
            self.fail("the lifetime must come before the MKI (RFC 4568 §6.1)", "mki", offset)
        if rest:
            if ":" not in rest[0]:
                self.fail(f"{rest[0]!r} is not MKI:length (RFC 4568 §6.1)", "mki", offset)
            mki = self.mki(rest[0], offset)
        with self.at("key-params", at):
            return SdesKey(
                master_key=material[: suite.key_length],
                master_salt=material[suite.key_length :],
                lifetime=lifetime,
                mki=None if mki is None else mki[0],
                mki_length=None if mki is None else mki[1],
            )

    def key_salt(self, text: str, at: int, suite: SdesSuite) -> bytes:
        if not text or not _BASE64.fullmatch(text):
            self.fail(
                f"{text!r} is not base64 (RFC 3548 §3: A-Z a-z 0-9 + / and = padding)",
                "key||salt",
                at,
            )
        bare = text.rstrip("=")
        try:
            material = base64.b64decode(bare + "=" * (-len(bare) % 4), validate=True)
        except binascii.Error:
            self.fail(f"{len(bare)} base64 characters cannot encode whole bytes", "key||salt", at)
        wanted = suite.key_length + suite.salt_length
        if len(material) != wanted:
            self.fail(
                f"key||salt is {len(material)} bytes, {suite.name} needs {wanted} "
                f"({suite.key_length}-byte key, {suite.salt_length}-byte salt; RFC 4568 §6.1, "
                f"{suite.reference})",
                "key||salt",
                at,
            )
        canonical = base64.b64encode(material).decode("ascii")
        if text not in (canonical, canonical.rstrip("=")):
            self.fail(
                f"{text!r} is not canonical base64 (stray bits or wrong padding)",
                "key||salt",
                at,
            )
        return material

    def lifetime(self, text: str, at: int, suite: SdesSuite) -> int:
        match = _LIFETIME.fullmatch(text)
        if match is None:
            self.fail(
                f"{text!r} is not a lifetime: a non-zero decimal or 2^n without leading "
                "zeros (RFC 4568 §6.1, §9.2), or too large",
                "lifetime",
                at,
            )
        value = 2 ** int(match[1]) if match[1] is not None else int(text)
        if value > suite.max_lifetime:
            self.fail(
                f"lifetime {text} exceeds {suite.name}'s maximum of "
                f"{_lifetime_text(suite.max_lifetime)} packets (RFC 4568 §6.1)",
                "lifetime",
                at,
            )
        return value

    def mki(self, text: str, at: int) -> tuple[int, int]:
        match = _MKI.fullmatch(text)
        if match is None:
            self.fail(
                f"{text!r} is not MKI:length: decimals without leading zeros, "
                f"length 1 to {MAX_MKI_LENGTH} (RFC 4568 §6.1, §9.2)",
                "mki",
                at,
            )
        value, length = int(match[1]), int(match[2])
        if length > MAX_MKI_LENGTH:
            self.fail(
                f"MKI length {length} exceeds {MAX_MKI_LENGTH} bytes (RFC 4568 §6.1)",
                "mki",
                at + len(match[1]) + 1,
            )
        if value >= 256**length:
            self.fail(f"MKI {value} does not fit in {length} bytes", "mki", at)
        return value, length

    def session_params(self, tokens: list[tuple[int, str]]) -> _SessionParams:
        params = _SessionParams()
        seen: set[str] = set()
        for at, token in tokens:
            name, equals, value = token.partition("=")
            upper = name.upper()
            known = upper in _FLAGS if not equals else upper in _VALUED
            if known:
                if upper in seen:
                    self.fail(f"{upper} is given twice", "session-param", at)
                seen.add(upper)
            if upper in _FLAGS and not equals:
                setattr(params, _FLAGS[upper], True)
            elif upper == "KDR" and equals:
                if not _KDR.fullmatch(value) or int(value) > MAX_KDR:
                    self.fail(
                        f"KDR={value!r}: the exponent is 0 to {MAX_KDR} without leading "
                        "zeros (RFC 4568 §6.3.1, §9.2)",
                        "session-param",
                        at,
                    )
                params.kdr = int(value)
            elif upper == "FEC_ORDER" and equals:
                if value.upper() not in ("FEC_SRTP", "SRTP_FEC"):
                    self.fail(
                        f"FEC_ORDER={value!r}: expected FEC_SRTP or SRTP_FEC (RFC 4568 §6.3.4)",
                        "session-param",
                        at,
                    )
                params.fec_order = value
            elif upper == "FEC_KEY" and equals:
                if not value:
                    self.fail("FEC_KEY= needs key-params (RFC 4568 §6.3.5)", "session-param", at)
                params.fec_key = value
            elif upper == "WSH" and equals:
                if not _WSH.fullmatch(value) or int(value) < MIN_WSH:
                    self.fail(
                        f"WSH={value!r}: a window of {MIN_WSH} or more packets, without "
                        "leading zeros, below 10^9 (RFC 4568 §6.3.6)",
                        "session-param",
                        at,
                    )
                params.wsh = int(value)
            elif token.startswith("-") and len(token) > 1:
                params.extensions.append(token)  # optional, and ignored (RFC 4568 §6.3.7)
            else:
                raise MikeyPolicyParamError(
                    self.where("session-param", at)
                    + f"unknown mandatory session parameter {token!r}: RFC 4568 §6.3.7 makes "
                    "the attribute invalid (optional ones start with '-')"
                )
        return params


@dataclass(slots=True)
class _SessionParams:
    kdr: int | None = None
    unencrypted_srtp: bool = False
    unencrypted_srtcp: bool = False
    unauthenticated_srtp: bool = False
    fec_order: str | None = None
    fec_key: str | None = None
    wsh: int | None = None
    extensions: list[str] = field(default_factory=list)


# --- keys, offer/answer and sessions ----------------------------------------------------


def generate(
    suite: str = "AES_CM_128_HMAC_SHA1_80",
    *,
    tag: int = 1,
    mki_length: int | None = None,
    mki: int | None = None,
    lifetime: int | None = None,
    rng: Callable[[int], bytes] = os.urandom,
) -> SdesCrypto:
    """An ``a=crypto`` attribute with a fresh random master key and salt (RFC 4568 §6.1).

    With ``mki_length`` the key gets an MKI, ``mki`` or 1. Suites libsrtp cannot run are
    refused: an offerer must be able to use everything it offers (RFC 4568 §5.1.1).

    :raises MikeyPolicyError: for an unknown suite.
    :raises MikeyPolicyParamError: for a suite libsrtp cannot run.
    :raises MikeyValueError: for a bad tag, MKI or lifetime, or an ``rng`` that returns
        the wrong number of bytes.
    """
    definition = _lookup_suite(suite)
    length = definition.key_length + definition.salt_length
    material = rng(length)
    if not _is(material, bytes) or len(material) != length:
        raise MikeyValueError(f"rng({length}) must return {length} bytes")
    if mki_length is not None and mki is None:
        mki = 1
    crypto = SdesCrypto(
        tag=tag,
        suite=suite,
        keys=(
            SdesKey(
                master_key=material[: definition.key_length],
                master_salt=material[definition.key_length :],
                lifetime=lifetime,
                mki=mki,
                mki_length=mki_length,
            ),
        ),
    )
    _ = crypto.policy  # refuse what libsrtp cannot run
    return crypto


def answer(
    offers: Sequence[SdesCrypto | str],
    *,
    accept: Collection[str] = ANSWER_SUITES,
    mki_length: int | None = None,
    lifetime: int | None = None,
    rng: Callable[[int], bytes] = os.urandom,
) -> tuple[SdesCrypto, SdesCrypto]:
    """Choose one offered attribute and answer it with a key of our own (RFC 4568 §7.1.2).

    ``offers`` are the offer's ``a=crypto`` attributes of one media line, parsed or as
    text, in the offerer's order. The first one that is valid, names a suite in
    ``accept`` and that libsrtp can run is chosen (RFC 4568 §5.1.2: the most preferred
    the answerer supports); text that does not parse counts as an invalid offer. The
    answer carries the chosen tag and suite, a fresh key (``mki_length``, ``lifetime``
    as in ``generate``) and the negotiated session parameters (UNENCRYPTED_SRTP,
    UNENCRYPTED_SRTCP, UNAUTHENTICATED_SRTP; §6.3.2, §6.3.3); declarative ones are not
    echoed. Returns ``(chosen offer, answer)``.

    :raises MikeyPolicyError: if no offer is acceptable (reject the media stream), with
        the reason for each.
    """
    accepted = {_lookup_suite(name).name for name in accept}
    reasons: list[str] = []
    for offer in offers:
        try:
            crypto = offer if isinstance(offer, SdesCrypto) else SdesCrypto.parse(offer)
            if crypto.crypto_suite.name not in accepted:
                reasons.append(f"tag {crypto.tag}: {crypto.suite} is not accepted")
                continue
            _ = crypto.policy  # refuse what libsrtp cannot run
        except MikeyError as error:
            reasons.append(str(error))
            continue
        ours = dataclasses.replace(
            generate(
                crypto.suite,
                tag=crypto.tag,
                mki_length=mki_length,
                lifetime=lifetime,
                rng=rng,
            ),
            unencrypted_srtp=crypto.unencrypted_srtp,
            unencrypted_srtcp=crypto.unencrypted_srtcp,
            unauthenticated_srtp=crypto.unauthenticated_srtp,
        )
        offered = {key.master_key for key in crypto.keys}
        if any(key.master_key in offered for key in ours.keys):
            raise MikeyValueError(
                "rng repeated the offer's master key: the answer's keys must differ "
                "(RFC 4568 §7.1.2)"
            )
        return crypto, ours
    raise MikeyPolicyError(
        "no acceptable a=crypto offer (RFC 4568 §7.1.2): "
        + ("; ".join(reasons) if reasons else "nothing was offered")
    )


_NEGOTIATED = ("unencrypted_srtp", "unencrypted_srtcp", "unauthenticated_srtp")


def process_answer(
    offers: Sequence[SdesCrypto], received: SdesCrypto | str
) -> tuple[SdesCrypto, SdesCrypto]:
    """Check the answer to our offers (RFC 4568 §5.1.3, §7.1.3).

    The answer must echo the tag and suite of one offer, carry the negotiated session
    parameters of that offer, use keys other than ours, and be runnable. Returns
    ``(our accepted offer, the answer)``.

    :raises MikeyParseError: if the answer is text that does not parse.
    :raises MikeyPolicyError: if the answer does not match an offer; the negotiation
        has failed.
    :raises MikeyPolicyParamError: for a session parameter we did not offer or cannot run.
    """
    reply = received if isinstance(received, SdesCrypto) else SdesCrypto.parse(received)
    offer = next((crypto for crypto in offers if crypto.tag == reply.tag), None)
    if offer is None:
        raise MikeyPolicyError(f"the answer's tag {reply.tag} was not offered")
    if offer.crypto_suite is not reply.crypto_suite:
        raise MikeyPolicyError(
            f"the answer to tag {reply.tag} names {reply.suite}, the offer {offer.suite}"
        )
    for name in _NEGOTIATED:
        if getattr(offer, name) != getattr(reply, name):
            raise MikeyPolicyParamError(
                f"the answer to tag {reply.tag} does not agree on {name.upper()}, "
                "a negotiated session parameter (RFC 4568 §6.3)"
            )
    ours = {key.master_key for key in offer.keys}
    if any(key.master_key in ours for key in reply.keys):
        raise MikeyPolicyError(
            "the answer reuses the offer's master key (RFC 4568 §7.1.2 forbids it)"
        )
    _ = reply.policy  # refuse what libsrtp cannot run
    return offer, reply


def srtp_session(
    crypto: SdesCrypto,
    direction: Literal["outbound", "inbound"],
    *,
    ssrc: int | None = None,
    roc: int = 0,
    replay_window: int | None = None,
) -> SrtpSession:
    """An ``SrtpSession`` keyed by the first key of ``crypto``.

    Our own attribute keys the ``"outbound"`` session, the peer's the ``"inbound"`` one
    (RFC 4568 §5.1.1: each side sends the key it sends with). The ROC starts at 0
    (RFC 4568 §6.4); ``ssrc=None`` binds SSRCs as packets arrive (late binding, §6.4.1).
    An inbound session's replay window follows the peer's WSH (§6.3.6) when it asks for
    more than 128 packets, up to libsrtp's limit, unless ``replay_window`` is given.
    Needs the ``srtp`` extra.

    :raises MikeyPolicyParamError: for what libsrtp cannot run.
    :raises MikeySrtpError: if libsrtp is missing or fails.
    """
    from mikey.srtp.session import SrtpSession

    key = crypto.keys[0]
    if replay_window is None:
        replay_window = DEFAULT_REPLAY_WINDOW
        if direction == "inbound" and crypto.wsh is not None:
            replay_window = min(max(crypto.wsh, DEFAULT_REPLAY_WINDOW), _MAX_REPLAY_WINDOW)
    return SrtpSession(
        crypto.policy,
        key.master_key,
        key.master_salt,
        direction=direction,
        ssrc=ssrc,
        roc=roc,
        mki=key.mki_bytes,
        replay_window=replay_window,
    )
