"""mikey: key management for secure real-time media (MIKEY, RFC 3830 and extensions).

The wire format lives in ``mikey.wire``, key derivation and KEMAC protection in
``mikey.crypto``, the IANA numbers in ``mikey.registry`` and the exception tree in
``mikey.errors``.
"""

from mikey.errors import (
    MikeyAuthenticationError,
    MikeyError,
    MikeyInvalidEncrAlgError,
    MikeyInvalidMacAlgError,
    MikeyParseError,
    MikeyUnsupportedAlgorithmError,
    MikeyValueError,
)

__all__ = [
    "MikeyAuthenticationError",
    "MikeyError",
    "MikeyInvalidEncrAlgError",
    "MikeyInvalidMacAlgError",
    "MikeyParseError",
    "MikeyUnsupportedAlgorithmError",
    "MikeyValueError",
    "__version__",
]

__version__ = "0.1.0"
