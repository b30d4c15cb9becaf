"""MIKEY key-transport methods as sans-I/O state machines: bytes and time in, bytes,
bundles and errors out (RFC 3830 §3, §5)."""

from mikey.modes.dh import DhHmacInitiator, DhHmacResponder, DhSignInitiator, DhSignResponder
from mikey.modes.pke import PkeInitiator, PkeResponder
from mikey.modes.psk import (
    CryptoSessionSpec,
    PskInitiator,
    PskResponder,
    ResponderResult,
    default_policy_acceptance,
)
from mikey.modes.pubkey import CertificateTrust, certificate_names
from mikey.modes.replay import ReplayCache
from mikey.modes.router import MethodResponder, ResponderRouter
from mikey.modes.rsa_r import RsaRGroup, RsaRInitiator, RsaRResponder

__all__ = [
    "CertificateTrust",
    "CryptoSessionSpec",
    "DhHmacInitiator",
    "DhHmacResponder",
    "DhSignInitiator",
    "DhSignResponder",
    "MethodResponder",
    "PkeInitiator",
    "PkeResponder",
    "PskInitiator",
    "PskResponder",
    "ReplayCache",
    "ResponderResult",
    "ResponderRouter",
    "RsaRGroup",
    "RsaRInitiator",
    "RsaRResponder",
    "certificate_names",
    "default_policy_acceptance",
]
