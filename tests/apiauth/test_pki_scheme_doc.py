"""The worked examples of docs/pki-signature-scheme.md, checked against the code: the
signed request, its canonical JSON, the SHA-256 digest and the Ed25519 signature."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from mikey.apiauth import (
    Fields,
    HttpRequest,
    MemoryNonceStore,
    VerificationKey,
    fingerprint,
    pki_canonical_json,
    pki_digest,
    pki_sign,
    pki_verify,
    static_keys,
)

DOC = (Path(__file__).parents[2] / "docs" / "pki-signature-scheme.md").read_text("utf-8")
# RFC 8032 §7.1 TEST 1
KEY = ed25519.Ed25519PrivateKey.from_private_bytes(
    bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
)
SIGNED_FIELDS = ("authorization", "x-timestamp", "x-nonce")


def examples() -> list[str]:
    sections = re.split(r"^### ", DOC, flags=re.MULTILINE)[1:]
    assert len(sections) == 2, "the doc has two worked examples"
    return sections


def parse_http(block: str) -> tuple[HttpRequest, dict[str, str]]:
    """The request of an ```http block (without the three signature fields) and those."""
    head, _, body = block.partition("\n\n")
    request_line, *lines = head.split("\n")
    method, target, _ = request_line.split(" ")
    headers = [tuple(line.split(":", 1)) for line in lines]
    host = next(value.strip() for name, value in headers if name.lower() == "host")
    request = HttpRequest(
        method=method,
        target_uri=f"https://{host}{target}",
        headers=Fields([(n, v) for n, v in headers if n.lower() not in SIGNED_FIELDS]),
        body=body.removesuffix("\n").encode("utf-8"),
    )
    signature = {n.lower(): v.strip() for n, v in headers if n.lower() in SIGNED_FIELDS}
    return request, signature


def block(section: str, language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", section, re.DOTALL)
    assert match is not None, f"no {language} block"
    return match.group(1)


def value(section: str, label: str) -> str:
    match = re.search(rf"^{label}: `([^`]+)`$", section, re.MULTILINE)
    assert match is not None, f"no {label} line"
    return match.group(1)


def test_fingerprint_of_the_test_key() -> None:
    assert fingerprint(KEY.public_key()) in DOC


@pytest.mark.parametrize("section", examples(), ids=["get", "post"])
def test_worked_example(section: str) -> None:
    request, fields = parse_http(block(section, "http"))
    timestamp, nonce = int(fields["x-timestamp"]), fields["x-nonce"]
    canonical = pki_canonical_json(request, timestamp=timestamp, nonce=nonce)
    assert canonical.decode("ascii") == block(section, "json").removesuffix("\n")
    digest = pki_digest(request, timestamp=timestamp, nonce=nonce)
    assert digest.hex() == value(section, "SHA-256 digest")
    lines = pki_sign(request, key=KEY, key_id="test-key-ed25519", timestamp=timestamp, nonce=nonce)
    assert {name.lower(): v for name, v in lines} == fields
    signature = value(section, "Signature")
    assert fields["authorization"] == f"PKI test-key-ed25519:{signature}"
    KEY.public_key().verify(base64.b64decode(signature), digest)
    verified = pki_verify(
        request.with_fields(*lines),
        keys=static_keys({"test-key-ed25519": VerificationKey(key=KEY.public_key())}),
        now=datetime.fromtimestamp(timestamp + 1, UTC),
        nonces=MemoryNonceStore(),
    )
    assert verified.digest == digest
