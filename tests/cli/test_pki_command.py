"""``mikey pki info`` and ``mikey pki verify`` end to end on files: readable text and
JSON, every refusal with its reason and exit status 1, bad input as one clear line
(exit 1) and bad usage (exit 2), never a traceback."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from typer.testing import CliRunner, Result

from mikey.cli.app import app
from mikey.pki import ENDPOINT, CertificateAuthority, Revocation, build_crl
from mikey.pki.inspect import pem

NOW = datetime.now(UTC).replace(microsecond=0)


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("pki-cli")
    root = CertificateAuthority.create_root("CN=CLI Root", now=NOW - timedelta(days=1))
    issuing = root.create_intermediate("CN=CLI Issuing", now=NOW - timedelta(days=1))
    alice = issuing.issue(
        ENDPOINT, now=NOW - timedelta(days=1), subject="CN=alice", sans=["alice.example"]
    ).certificate
    bob = issuing.issue(ENDPOINT, now=NOW - timedelta(days=1), subject="CN=bob").certificate
    revoked = Revocation(
        serial_number=bob.serial_number,
        revoked_at=NOW - timedelta(hours=1),
        reason=x509.ReasonFlags.key_compromise,
    )
    paths = {
        "root": root.certificate,
        "issuing": issuing.certificate,
        "alice": alice,
        "bob": bob,
    }
    out = {}
    for name, certificate in paths.items():
        out[name] = directory / f"{name}.pem"
        out[name].write_bytes(pem([certificate]))
    out["alice.der"] = directory / "alice.der"
    out["alice.der"].write_bytes(alice.public_bytes(serialization.Encoding.DER))
    out["alice-chain"] = directory / "alice-chain.pem"
    out["alice-chain"].write_bytes(pem([alice, issuing.certificate]))
    for name, ca, entries in (("root-crl", root, []), ("issuing-crl", issuing, [revoked])):
        crl = build_crl(ca, entries, now=NOW - timedelta(minutes=5), number=1)
        out[name] = directory / f"{name}.pem"
        out[name].write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    out["garbage"] = directory / "garbage.pem"
    out["garbage"].write_bytes(
        b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
    )
    return out


def test_info_shows_what_the_certificate_says(files: dict[str, Path]) -> None:
    result = run("pki", "info", str(files["alice"]))
    assert result.exit_code == 0, result.output
    certificate = x509.load_pem_x509_certificate(files["alice"].read_bytes())
    for text in (
        "CN=alice",
        "CN=CLI Issuing",
        "DNS:alice.example",
        "rsa-2048",
        certificate.fingerprint(hashes.SHA256()).hex(":").upper(),
        certificate.fingerprint(hashes.SHA1()).hex(":").upper(),
        "keyUsage (critical)",
        "digital_signature",
        "key_encipherment",
    ):
        assert text in result.output, text


def test_info_json_of_der_and_of_a_bundle(files: dict[str, Path]) -> None:
    result = run("pki", "info", "--json", str(files["alice.der"]))
    assert result.exit_code == 0
    info = json.loads(result.output)
    assert info["subject"] == "CN=alice"
    assert (
        info["serial"]
        == f"{x509.load_der_x509_certificate(files['alice.der'].read_bytes()).serial_number:x}"
    )
    usages = {e["name"]: e["value"] for e in info["extensions"]}
    assert usages["basicConstraints"] == {"ca": False, "path_length": None}
    assert usages["extendedKeyUsage"] == ["clientAuth", "serverAuth"]
    both = json.loads(run("pki", "info", "--json", str(files["alice-chain"])).output)
    assert [i["subject"] for i in both] == ["CN=alice", "CN=CLI Issuing"]


def test_verify_accepts_a_good_chain(files: dict[str, Path]) -> None:
    args = ["pki", "verify", str(files["alice"]), "--chain", str(files["issuing"])]
    args += ["--root", str(files["root"]), "--crl", str(files["root-crl"])]
    args += ["--crl", str(files["issuing-crl"]), "--usage", "client"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    assert "CN=alice -> CN=CLI Issuing -> CN=CLI Root" in result.output
    # The chain may follow the leaf in one file.
    bundled = run(
        "pki", "verify", str(files["alice-chain"]), "-r", str(files["root"]), "--soft-fail"
    )
    assert bundled.exit_code == 0, bundled.output


def test_verify_refuses_a_revoked_certificate_with_date_and_reason(
    files: dict[str, Path],
) -> None:
    args = ["pki", "verify", "--json", str(files["bob"]), "--chain", str(files["issuing"])]
    args += ["--root", str(files["root"]), "--crl", str(files["root-crl"])]
    args += ["--crl", str(files["issuing-crl"])]
    result = run(*args)
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out["valid"] is False
    assert out["reason"] == "revoked"
    assert out["revocation_reason"] == "keyCompromise"
    assert out["certificate"] == "CN=bob"
    text = run(*[a for a in args if a != "--json"])
    assert text.exit_code == 1
    assert "refused" in text.output and "revoked" in text.output


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ([], "revocation status unknown"),  # hard-fail: no CRLs given
        (["--soft-fail", "--usage", "1.3.6.1.5.5.7.3.3"], "wrong usage"),  # codeSigning
        (["--soft-fail", "--at", "2000-01-01T00:00:00"], "not yet valid"),
    ],
)
def test_verify_names_each_refusal(files: dict[str, Path], extra: list[str], reason: str) -> None:
    args = ["pki", "verify", "--json", str(files["alice-chain"]), "-r", str(files["root"])]
    result = run(*args, *extra)
    assert result.exit_code == 1, result.output
    assert json.loads(result.output)["reason"] == reason


def test_verify_refuses_an_untrusted_root(files: dict[str, Path]) -> None:
    other = CertificateAuthority.create_root("CN=Other Root", now=NOW - timedelta(days=1))
    path = files["root"].parent / "other.pem"
    path.write_bytes(pem([other.certificate]))
    result = run("pki", "verify", "--json", str(files["alice-chain"]), "-r", str(path))
    assert result.exit_code == 1
    assert json.loads(result.output)["reason"] == "untrusted root or bad signature"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["info", "{garbage}"], 1, "is not a valid PEM certificate"),
        (["info", "{missing}"], 2, "cannot read"),
        (["verify", "{alice}", "-r", "{garbage}"], 1, "is not a valid PEM certificate"),
        (["verify", "{alice}", "-r", "{root}", "--crl", "{alice}"], 1, "is not a valid PEM CRL"),
        (["verify", "{alice}", "-r", "{root}", "--usage", "nonsense"], 2, "--usage"),
        (["verify", "{alice}", "-r", "{root}", "--at", "yesterday"], 2, "ISO 8601"),
    ],
)
def test_bad_input_and_usage_are_one_clear_line(
    files: dict[str, Path], args: list[str], code: int, message: str
) -> None:
    names = {name.replace(".", "_"): str(path) for name, path in files.items()}
    names["missing"] = str(files["root"].parent / "missing.pem")
    argv = [a.format(**names) for a in args]
    result = run("pki", *argv)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    as_json = run("pki", argv[0], "--json", *argv[1:])
    assert as_json.exit_code == code
    assert message in json.loads(as_json.output)["error"]


def test_a_missing_file_named_like_a_serial_creates_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MIKEY_PKI_STORE", raising=False)
    result = run("pki", "info", "cafe")
    assert result.exit_code == 2 and "cannot read cafe" in result.output
    assert list(tmp_path.iterdir()) == []
