"""mikey: key management for secure real-time media (MIKEY, RFC 3830 and extensions).

The wire format lives in ``mikey.wire``, the IANA numbers in ``mikey.registry`` and the
exception tree in ``mikey.errors``.
"""

from mikey.errors import MikeyError, MikeyParseError, MikeyValueError

__all__ = ["MikeyError", "MikeyParseError", "MikeyValueError", "__version__"]

__version__ = "0.1.0"
