"""The ``PKI`` scheme (docs/pki-signature-scheme.md): sign and verify with every key type,
each tampered part refused with its reason, replay, clock skew, large bodies, RSA-PSS salt
lengths, and arbitrary field values."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from hypothesis import given
from hypothesis import strategies as st

from mikey.apiauth import (
    LARGE_BODY,
    Fields,
    HttpRequest,
    MemoryNonceStore,
    PrivateKey,
    SignatureFailure,
    VerificationKey,
    pki_canonical_json,
    pki_digest,
    pki_sign,
    pki_verify,
    static_keys,
)
from mikey.errors import MikeySignatureError, MikeyValueError

TIMESTAMP = 1_714_564_800
NOW = datetime.fromtimestamp(TIMESTAMP, UTC)
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # once per module
P256_KEY = ec.generate_private_key(ec.SECP256R1())
KEYS: dict[str, PrivateKey] = {
    "rsa": RSA_KEY,
    "p256": P256_KEY,
    "p384": ec.generate_private_key(ec.SECP384R1()),
    "ed25519": ed25519.Ed25519PrivateKey.generate(),
}
RESOLVER = static_keys({k: VerificationKey(key=v.public_key()) for k, v in KEYS.items()})
REQUEST = HttpRequest(
    method="POST",
    target_uri="https://api.example.com/v1/payments?dry-run=1",
    headers=Fields([("Content-Type", "application/json")]),
    body=b'{"amount":"12.50"}',
)


def signed(
    request: HttpRequest = REQUEST, key_id: str = "ed25519", nonce: str = "nonce-1"
) -> HttpRequest:
    lines = pki_sign(request, key=KEYS[key_id], key_id=key_id, timestamp=NOW, nonce=nonce)
    return request.with_fields(*lines)


def refused(
    request: HttpRequest, now: datetime = NOW, max_skew: timedelta = timedelta(minutes=5)
) -> str:
    """The reason ``request`` is refused."""
    with pytest.raises(MikeySignatureError) as caught:
        pki_verify(request, keys=RESOLVER, now=now, nonces=MemoryNonceStore(), max_skew=max_skew)
    return caught.value.reason


def replace_field(request: HttpRequest, name: str, value: str) -> HttpRequest:
    kept = [(n, v) for n, v in request.headers if n.lower() != name.lower()]
    return replace(request, headers=Fields([*kept, (name, value)]))


@pytest.mark.parametrize("key_id", list(KEYS))
def test_sign_and_verify(key_id: str) -> None:
    verified = pki_verify(signed(key_id=key_id), keys=RESOLVER, now=NOW, nonces=MemoryNonceStore())
    assert (verified.key_id, verified.nonce, verified.timestamp) == (key_id, "nonce-1", NOW)
    assert verified.digest == pki_digest(REQUEST, timestamp=TIMESTAMP, nonce="nonce-1")


def test_the_signed_fields() -> None:
    lines = pki_sign(REQUEST, key=KEYS["ed25519"], key_id="ed25519", timestamp=NOW, nonce="n")
    (auth_name, auth), timestamp, nonce = lines
    assert auth_name == "Authorization" and auth.startswith("PKI ed25519:")
    assert timestamp == ("X-Timestamp", str(TIMESTAMP)) and nonce == ("X-Nonce", "n")


def test_canonical_json() -> None:
    request = replace_field(REQUEST, "content-type", " \tapplication/json ")
    canonical = pki_canonical_json(
        request.with_fields(("X-Other", "x")), timestamp=1, nonce="n", headers=("Content-Type",)
    )
    assert canonical == (
        b'{"body":"{\\"amount\\":\\"12.50\\"}","headers":{"content-type":"application/json"},'
        b'"method":"POST","nonce":"n","timestamp":1,"url":"/v1/payments?dry-run=1"}'
    )
    get = HttpRequest(method="get", target_uri="https://a.example/p%2Fq?")
    assert json.loads(pki_canonical_json(get, timestamp=1, nonce="n")) == {
        "body": "",
        "headers": {},
        "method": "GET",
        "nonce": "n",
        "timestamp": 1,
        "url": "/p%2Fq?",
    }


def test_body_forms() -> None:
    def body_of(body: bytes) -> object:
        request = replace(REQUEST, body=body)
        return json.loads(pki_canonical_json(request, timestamp=1, nonce="n"))["body"]

    assert body_of("é".encode()) == "é"
    assert body_of(b"\xff\x00") == {"base64": "/wA="}
    large = b"x" * (LARGE_BODY + 1)
    assert body_of(large) == {"sha256": hashlib.sha256(large).hexdigest()}
    assert body_of(b"x" * LARGE_BODY) == "x" * LARGE_BODY
    # a short body spelling a large body's digest is still a different document
    assert body_of(f"sha256:{hashlib.sha256(large).hexdigest()}".encode()) != body_of(large)


def test_large_body_bound_by_digest() -> None:
    request = signed(replace(REQUEST, body=b"a" * 100_000))
    pki_verify(request, keys=RESOLVER, now=NOW, nonces=MemoryNonceStore())
    assert refused(replace(request, body=b"a" * 99_999 + b"b")) == SignatureFailure.BAD_SIGNATURE


@pytest.mark.parametrize(
    "salt", [32, padding.PSS.MAX_LENGTH, padding.PSS.DIGEST_LENGTH], ids=["32", "max", "digest"]
)
def test_rsa_pss_any_salt_length_verifies(salt: int) -> None:
    digest = pki_digest(REQUEST, timestamp=TIMESTAMP, nonce="n")
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt)
    signature = base64.b64encode(RSA_KEY.sign(digest, pss, hashes.SHA256())).decode()
    request = REQUEST.with_fields(
        ("Authorization", f"PKI rsa:{signature}"), ("X-Timestamp", str(TIMESTAMP)), ("X-Nonce", "n")
    )
    assert pki_verify(request, keys=RESOLVER, now=NOW, nonces=MemoryNonceStore()).key_id == "rsa"


def test_signature_is_over_the_digest_hashed_again() -> None:
    """Not Prehashed: the 32-byte digest is the message (what existing clients do)."""
    request = signed(key_id="p256")
    auth = request.headers.get("Authorization") or ""
    signature = base64.b64decode(auth.split(":", 1)[1])
    digest = pki_digest(REQUEST, timestamp=TIMESTAMP, nonce="nonce-1")
    P256_KEY.public_key().verify(signature, digest, ec.ECDSA(hashes.SHA256()))


TAMPERED: dict[str, Callable[[HttpRequest], HttpRequest]] = {
    "method": lambda r: replace(r, method="PUT"),
    "url": lambda r: replace(r, target_uri="https://api.example.com/v1/payments?dry-run=0"),
    "query": lambda r: replace(r, target_uri="https://api.example.com/v1/payments"),
    "header": lambda r: replace_field(r, "Content-Type", "text/plain"),
    "header removed": lambda r: replace(
        r, headers=Fields([(n, v) for n, v in r.headers if n.lower() != "content-type"])
    ),
    "body": lambda r: replace(r, body=b'{"amount":"99.50"}'),
    "timestamp": lambda r: replace_field(r, "X-Timestamp", str(TIMESTAMP - 1)),
    "nonce": lambda r: replace_field(r, "X-Nonce", "nonce-2"),
    "key id": lambda r: replace_field(
        r, "Authorization", (r.headers.get("Authorization") or "").replace("ed25519:", "p256:")
    ),
}


@pytest.mark.parametrize("change", list(TAMPERED))
def test_tampering_is_refused(change: str) -> None:
    assert refused(TAMPERED[change](signed())) == SignatureFailure.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("Authorization", "Bearer abc", SignatureFailure.MALFORMED),
        ("Authorization", "PKI nocolon", SignatureFailure.MALFORMED),
        ("Authorization", "PKI k:not base64!", SignatureFailure.MALFORMED),
        ("Authorization", "PKI k%:AAAA", SignatureFailure.MALFORMED),
        ("Authorization", "PKI stranger:AAAA", SignatureFailure.UNKNOWN_KEY),
        ("X-Timestamp", "-5", SignatureFailure.MALFORMED),
        ("X-Timestamp", "1e9", SignatureFailure.MALFORMED),
        ("X-Nonce", "has space", SignatureFailure.MALFORMED),
    ],
)
def test_malformed_and_unknown(name: str, value: str, reason: str) -> None:
    assert refused(replace_field(signed(), name, value)) == reason


@pytest.mark.parametrize("name", ["Authorization", "X-Timestamp", "X-Nonce"])
def test_missing_and_repeated_fields(name: str) -> None:
    request = signed()
    absent = replace(request, headers=Fields([(n, v) for n, v in request.headers if n != name]))
    assert refused(absent) == SignatureFailure.MISSING
    twice = request.with_fields((name, request.headers.get(name) or ""))
    assert refused(twice) == SignatureFailure.MALFORMED


def test_scheme_name_is_case_insensitive() -> None:
    request = signed()
    auth = (request.headers.get("Authorization") or "").replace("PKI ", "pki  ")
    pki_verify(
        replace_field(request, "Authorization", auth),
        keys=RESOLVER,
        now=NOW,
        nonces=MemoryNonceStore(),
    )


def test_replay_is_refused() -> None:
    store = MemoryNonceStore()
    request = signed()
    pki_verify(request, keys=RESOLVER, now=NOW, nonces=store)
    with pytest.raises(MikeySignatureError) as caught:
        pki_verify(request, keys=RESOLVER, now=NOW + timedelta(seconds=299), nonces=store)
    assert caught.value.reason == SignatureFailure.REPLAYED
    pki_verify(signed(key_id="p256"), keys=RESOLVER, now=NOW, nonces=store)  # per key
    forged = replace_field(signed(nonce="fresh"), "X-Timestamp", str(TIMESTAMP + 1))
    with pytest.raises(MikeySignatureError):
        pki_verify(forged, keys=RESOLVER, now=NOW, nonces=store)
    pki_verify(signed(nonce="fresh"), keys=RESOLVER, now=NOW, nonces=store)  # not used up


def test_clock_skew_both_ways() -> None:
    skew = timedelta(seconds=60)
    request = signed()
    for now in (NOW - skew, NOW + skew):
        pki_verify(request, keys=RESOLVER, now=now, nonces=MemoryNonceStore(), max_skew=skew)
    ahead = NOW - skew - timedelta(seconds=1)
    assert refused(request, now=ahead, max_skew=skew) == SignatureFailure.NOT_YET_VALID
    behind = NOW + skew + timedelta(seconds=1)
    assert refused(request, now=behind, max_skew=skew) == SignatureFailure.TOO_OLD


def test_hmac_key_cannot_verify() -> None:
    resolver = static_keys({"ed25519": VerificationKey(key=b"s" * 32)})
    with pytest.raises(MikeySignatureError) as caught:
        pki_verify(signed(), keys=resolver, now=NOW, nonces=MemoryNonceStore())
    assert caught.value.reason == SignatureFailure.ALGORITHM


def test_signer_refuses_bad_input() -> None:
    key = KEYS["ed25519"]
    with pytest.raises(MikeyValueError, match="key id"):
        pki_sign(REQUEST, key=key, key_id="a:b", timestamp=NOW, nonce="n")
    with pytest.raises(MikeyValueError, match="nonce"):
        pki_sign(REQUEST, key=key, key_id="k", timestamp=NOW, nonce="a b")
    with pytest.raises(MikeyValueError, match="naive"):
        pki_sign(REQUEST, key=key, key_id="k", timestamp=datetime(2024, 1, 1), nonce="n")
    with pytest.raises(MikeyValueError, match="before 1970"):
        pki_sign(REQUEST, key=key, key_id="k", timestamp=-1, nonce="n")
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(MikeyValueError, match="1024 bits"):
        pki_sign(REQUEST, key=small, key_id="k", timestamp=NOW, nonce="n")
    with pytest.raises(MikeyValueError, match="naive"):
        pki_verify(signed(), keys=RESOLVER, now=datetime(2024, 1, 1), nonces=MemoryNonceStore())


FIELD_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(st.sampled_from(list("PKI rsa:ed25519AB+/=0123456789 \t-é")), max_size=60),
)


@given(auth=FIELD_TEXT, timestamp=FIELD_TEXT, nonce=FIELD_TEXT)
def test_arbitrary_field_values_raise_only_signature_errors(
    auth: str, timestamp: str, nonce: str
) -> None:
    request = REQUEST
    for name, value in (("Authorization", auth), ("X-Timestamp", timestamp), ("X-Nonce", nonce)):
        request = request.with_fields((name, value))
    with contextlib.suppress(MikeySignatureError):
        pki_verify(request, keys=RESOLVER, now=NOW, nonces=MemoryNonceStore())
