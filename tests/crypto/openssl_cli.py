"""The ``openssl`` command as an independent implementation for interop checks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def openssl(*args: str | Path) -> bytes:
    """Run ``openssl`` with ``args``; its standard output, or a failed assertion that
    shows its standard error."""
    exe = shutil.which("openssl")
    assert exe, "the openssl command is needed (Debian package openssl)"
    result = subprocess.run([exe, *map(str, args)], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout


def write_private_key(key: rsa.RSAPrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def write_public_key(key: rsa.RSAPrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path
