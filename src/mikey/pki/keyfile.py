"""Private keys at rest: PKCS#8 encrypted with a passphrase (RFC 5958 §3, PBES2 of
RFC 8018 as pyca/cryptography's ``BestAvailableEncryption`` writes it), in PEM files
created with mode 0600 and replaced atomically, and the passphrase taken from an
environment variable, a file or a prompt, never from a command-line argument.

Every failure a user can cause (a wrong passphrase, a file that is not a key, a key in
clear where an encrypted one is expected) is a ``MikeyPkiError`` saying which.
"""

from __future__ import annotations

import getpass
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from mikey.errors import MikeyPkiError, MikeyValueError
from mikey.pki.keys import PrivateKey, key_type_of

__all__ = [
    "decrypt_private_key",
    "encrypt_private_key",
    "load_private_key",
    "passphrase",
    "save_private_key",
]

MIN_PASSPHRASE = 8


def passphrase(
    *, env: str | None = None, file: str | Path | None = None, prompt: str | None = None
) -> bytes:
    """The passphrase from the first source given: environment variable ``env``, the
    first line of ``file``, or a prompt on the terminal (asked twice when creating).

    :raises MikeyPkiError: if the source is empty or missing.
    """
    if env is not None:
        value = os.environ.get(env)
        if not value:
            raise MikeyPkiError(f"the environment variable {env} holding the passphrase is not set")
        return value.encode()
    if file is not None:
        try:
            lines = Path(file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise MikeyPkiError(f"cannot read the passphrase file {file}: {exc.strerror}") from None
        if not lines or not lines[0]:
            raise MikeyPkiError(f"the passphrase file {file} is empty")
        return lines[0].encode()
    if prompt is not None:
        return getpass.getpass(prompt).encode()
    raise MikeyValueError("give a passphrase source: env, file or prompt")


def save_private_key(path: str | Path, key: PrivateKey, passphrase: bytes) -> None:
    """Write ``key`` to ``path`` as encrypted PKCS#8 PEM, mode 0600, atomically (a
    temporary file in the same directory, renamed over the target).

    :raises MikeyValueError: for a passphrase shorter than 8 bytes.
    """
    data = encrypt_private_key(key, passphrase)
    target = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_private_key(path: str | Path, passphrase: bytes) -> PrivateKey:
    """The private key in ``path``, decrypted with ``passphrase``.

    :raises MikeyPkiError: for a missing or unreadable file, something that is not a
        private key, an unencrypted key, a wrong passphrase, or a key type not used here.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise MikeyPkiError(f"cannot read the key file {path}: {exc.strerror}") from None
    return decrypt_private_key(data, passphrase, source=str(path))


def encrypt_private_key(key: PrivateKey, passphrase: bytes) -> bytes:
    """``key`` as encrypted PKCS#8 PEM (what ``save_private_key`` writes, and what the PKI
    store keeps in its database).

    :raises MikeyValueError: for a passphrase shorter than 8 bytes.
    """
    if len(passphrase) < MIN_PASSPHRASE:
        raise MikeyValueError(f"the passphrase must be at least {MIN_PASSPHRASE} bytes")
    key_type_of(key)  # only key types the PKI uses
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def decrypt_private_key(data: bytes, passphrase: bytes, *, source: str) -> PrivateKey:
    """The private key in encrypted PKCS#8 PEM ``data``, decrypted with ``passphrase``;
    ``source`` names where the bytes came from in error messages.

    :raises MikeyPkiError: as ``load_private_key`` does.
    """
    if b"-----BEGIN ENCRYPTED PRIVATE KEY-----" not in data:
        if b"PRIVATE KEY-----" in data:
            raise MikeyPkiError(
                f"{source} holds a private key in clear; keys at rest are encrypted"
            )
        raise MikeyPkiError(f"{source} is not an encrypted PKCS#8 PEM private key")
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except ValueError as exc:
        # Under a wrong passphrase the decrypted bytes are noise: usually the CBC padding
        # check fails, but one time in 256 it passes and the noise fails as ASN.1 instead,
        # like a broken file. Asking without a password tells them apart: pyca says
        # "encrypted" (TypeError) only when the outer structure parses.
        try:
            serialization.load_pem_private_key(data, password=None)
        except TypeError:
            raise MikeyPkiError(f"wrong passphrase for {source}") from None
        except ValueError:
            pass
        raise MikeyPkiError(f"{source}: not a valid private key ({exc})") from None
    except TypeError as exc:
        raise MikeyPkiError(f"{source}: {exc}") from None
    try:
        key_type_of(key)
    except MikeyValueError as exc:
        raise MikeyPkiError(f"{source}: {exc}") from None
    return key  # type: ignore[return-value]
