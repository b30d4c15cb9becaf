"""Private keys at rest (RFC 5958 encrypted PKCS#8): 0600 files, atomic replacement,
passphrase sources, every failure a clear MikeyPkiError, and ``openssl pkey`` as an
independent reader of what we write."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from mikey.errors import MikeyPkiError, MikeyValueError
from mikey.pki import KeyType
from mikey.pki.keyfile import load_private_key, passphrase, save_private_key

SECRET = b"correct horse battery"


@pytest.mark.parametrize("key_type", list(KeyType), ids=lambda k: k.value)
def test_round_trip_encrypted_and_private(key_type: KeyType, tmp_path: Path) -> None:
    key = key_type.generate()
    path = tmp_path / "ca.key"
    save_private_key(path, key, SECRET)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_bytes()
    assert text.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = load_private_key(path, SECRET)
    assert loaded.public_key() == key.public_key()


def test_openssl_reads_it_with_the_passphrase(tmp_path: Path) -> None:
    exe = shutil.which("openssl")
    assert exe, "the openssl command is needed (Debian package openssl)"
    key = KeyType.ECDSA_P256.generate()
    path = tmp_path / "k.pem"
    save_private_key(path, key, SECRET)
    result = subprocess.run(
        [exe, "pkey", "-in", str(path), "-passin", "pass:" + SECRET.decode(), "-pubout"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert result.stdout == expected
    wrong = subprocess.run(
        [exe, "pkey", "-in", str(path), "-passin", "pass:nope-nope"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert wrong.returncode != 0


def test_replacing_a_key_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    save_private_key(path, KeyType.ED25519.generate(), SECRET)
    second = KeyType.ED25519.generate()
    save_private_key(path, second, SECRET)
    assert load_private_key(path, SECRET).public_key() == second.public_key()
    assert [p.name for p in tmp_path.iterdir()] == ["k.pem"]


def test_every_failure_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    key = KeyType.ECDSA_P256.generate()
    save_private_key(path, key, SECRET)
    with pytest.raises(MikeyPkiError, match="wrong passphrase"):
        load_private_key(path, b"not the passphrase")
    with pytest.raises(MikeyPkiError, match="cannot read"):
        load_private_key(tmp_path / "missing.pem", SECRET)
    clear = tmp_path / "clear.pem"
    clear.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(MikeyPkiError, match="in clear"):
        load_private_key(clear, SECRET)
    junk = tmp_path / "junk.pem"
    junk.write_text(
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
    )
    with pytest.raises(MikeyPkiError, match="not a valid private key"):
        load_private_key(junk, SECRET)
    (tmp_path / "cert.pem").write_text("hello")
    with pytest.raises(MikeyPkiError, match="not an encrypted PKCS#8"):
        load_private_key(tmp_path / "cert.pem", SECRET)
    with pytest.raises(MikeyValueError, match="at least 8"):
        save_private_key(tmp_path / "short.pem", key, b"short")
    assert not (tmp_path / "short.pem").exists()


def test_passphrase_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIKEY_TEST_PASSPHRASE", "from the environment")
    assert passphrase(env="MIKEY_TEST_PASSPHRASE") == b"from the environment"
    monkeypatch.delenv("MIKEY_TEST_PASSPHRASE")
    with pytest.raises(MikeyPkiError, match="not set"):
        passphrase(env="MIKEY_TEST_PASSPHRASE")
    (tmp_path / "pass").write_text("from a file\nignored\n")
    assert passphrase(file=tmp_path / "pass") == b"from a file"
    (tmp_path / "empty").write_text("")
    with pytest.raises(MikeyPkiError, match="empty"):
        passphrase(file=tmp_path / "empty")
    with pytest.raises(MikeyPkiError, match="cannot read"):
        passphrase(file=tmp_path / "missing")
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed")
    assert passphrase(prompt="Passphrase: ") == b"typed"
    with pytest.raises(MikeyValueError, match="source"):
        passphrase()
