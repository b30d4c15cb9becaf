"""Signing and verifying (RFC 9421 §3.1, §3.2, §4) beyond the RFC's examples: every
algorithm both ways, and every way a signature is refused, each with its reason."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from mikey.apiauth import (
    Algorithm,
    Fields,
    HttpRequest,
    SignatureFailure,
    VerificationKey,
    algorithm_for_key,
    content_digest,
    sign,
    static_keys,
    verify,
)
from mikey.errors import MikeySignatureError, MikeyStructuredFieldError, MikeyValueError

from .rfc9421 import CREATED, NOW, private_key, public_key, resolver, shared_secret

CREATED_AT = datetime.fromtimestamp(CREATED, UTC)
BODY = b'{"hello": "world"}'
MESSAGE = HttpRequest(
    method="POST",
    target_uri="https://example.com/foo?param=Value&Pet=dog",
    headers=Fields(
        [
            ("Host", "example.com"),
            ("Content-Type", "application/json"),
            ("Content-Digest", content_digest(BODY, ["sha-512"])),
        ]
    ),
    body=BODY,
)
COMPONENTS = ("@method", "@authority", "@path", "@query", "content-type", "content-digest")


def signed(key_id: str = "test-key-ed25519", **options: Any) -> HttpRequest:
    """MESSAGE signed with a B.1 key."""
    message = options.pop("message", MESSAGE)
    options.setdefault("created", CREATED_AT)
    options.setdefault("components", COMPONENTS)
    created = sign(message, key=private_key(key_id), key_id=key_id, **options)
    result: HttpRequest = created.apply(message)
    return result


def refused(message: HttpRequest, reason: SignatureFailure, **options: Any) -> MikeySignatureError:
    options.setdefault("keys", resolver())
    options.setdefault("now", NOW)
    with pytest.raises(MikeySignatureError) as caught:
        verify(message, **options)
    assert caught.value.reason == reason, caught.value
    return caught.value


@pytest.fixture(scope="module")
def p384_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


# Round trips -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_id", "algorithm"),
    [
        ("test-key-rsa-pss", Algorithm.RSA_PSS_SHA512),
        ("test-key-rsa", Algorithm.RSA_V1_5_SHA256),
        ("test-key-ecc-p256", Algorithm.ECDSA_P256_SHA256),
        ("test-key-ed25519", Algorithm.ED25519),
        ("test-shared-secret", Algorithm.HMAC_SHA256),
    ],
)
def test_every_algorithm_signs_and_verifies(key_id: str, algorithm: Algorithm) -> None:
    message = signed(key_id, alg=algorithm)
    verified = verify(message, keys=resolver(), now=NOW)
    assert verified.algorithm is algorithm
    assert verified.key_id == key_id
    assert verified.parameters.alg == algorithm.value  # named, so written (§2.3)


def test_ecdsa_p384(p384_key: ec.EllipticCurvePrivateKey) -> None:
    created = sign(MESSAGE, key=p384_key, key_id="p384", components=COMPONENTS, created=CREATED_AT)
    assert created.algorithm is Algorithm.ECDSA_P384_SHA384
    assert len(created.value) == 96  # r || s, 48 bytes each (§3.3.5)
    keys = static_keys({"p384": VerificationKey(key=p384_key.public_key())})
    verify(created.apply(MESSAGE), keys=keys, now=NOW)


def test_ecdsa_p256_signature_is_r_and_s_not_der() -> None:
    created = sign(
        MESSAGE,
        key=private_key("test-key-ecc-p256"),
        key_id="test-key-ecc-p256",
        components=COMPONENTS,
        created=CREATED_AT,
    )
    assert len(created.value) == 64  # §3.3.4


def test_alg_follows_from_the_key_and_is_not_written() -> None:
    for key_id, algorithm in [
        ("test-key-rsa-pss", Algorithm.RSA_PSS_SHA512),  # RSA keys default to RSA-PSS
        ("test-key-ecc-p256", Algorithm.ECDSA_P256_SHA256),
        ("test-key-ed25519", Algorithm.ED25519),
        ("test-shared-secret", Algorithm.HMAC_SHA256),
    ]:
        assert algorithm_for_key(private_key(key_id)) is algorithm
        verified = verify(signed(key_id), keys=resolver(), now=NOW)
        assert verified.algorithm is algorithm
        assert "alg" not in verified.parameters.params


def test_created_has_no_sub_second_part() -> None:
    message = signed(created=CREATED_AT + timedelta(milliseconds=999))
    assert verify(message, keys=resolver(), now=NOW).parameters.created == CREATED


def test_parameters_are_written_in_a_fixed_order() -> None:
    created = sign(
        MESSAGE,
        key=shared_secret(),
        key_id="k",
        alg=Algorithm.HMAC_SHA256,
        components=["@method"],
        created=CREATED_AT,
        expires=CREATED_AT + timedelta(seconds=60),
        nonce="n",
        tag="t",
    )
    assert created.signature_input == (
        f'sig1=("@method");created={CREATED};keyid="k";alg="hmac-sha256";'
        f'expires={CREATED + 60};nonce="n";tag="t"'
    )


# Selection among several signatures (§3.2 step 1.1, §4.3, §7.2.6, §7.2.7) -------------


def two_signatures(first_key: str = "test-key-ecc-p256") -> HttpRequest:
    first = signed(first_key, label="first", tag="app")
    created = sign(
        first,
        key=private_key("test-key-ed25519"),
        key_id="test-key-ed25519",
        components=COMPONENTS,
        created=CREATED_AT,
        label="second",
        tag="app",
    )
    return created.apply(first)


def test_selection_by_label_and_tag() -> None:
    message = two_signatures()
    assert verify(message, keys=resolver(), now=NOW, label="second").label == "second"
    assert verify(message, keys=resolver(), now=NOW, tag="app").label == "first"
    refused(message, SignatureFailure.MISSING, label="third")
    refused(message, SignatureFailure.MISSING, tag="other")
    refused(message, SignatureFailure.MISSING, label="first", tag="other")


def test_an_invalid_signature_does_not_hide_a_valid_one() -> None:
    keys = static_keys({"test-key-ed25519": VerificationKey(key=public_key("test-key-ed25519"))})
    message = two_signatures()
    assert verify(message, keys=keys, now=NOW).label == "second"
    assert verify(message, keys=keys, now=NOW, tag="app").label == "second"
    error = refused(message, SignatureFailure.UNKNOWN_KEY, keys=keys, label="first")
    assert error.label == "first"


def test_a_malformed_signature_does_not_stop_a_valid_one() -> None:
    message = signed().with_fields(
        ("Signature-Input", 'other=("@foo");created=1'), ("Signature", "other=?1")
    )
    assert verify(message, keys=resolver(), now=NOW).label == "sig1"
    with pytest.raises(MikeyStructuredFieldError) as caught:
        verify(message, keys=resolver(), now=NOW, label="other")
    assert caught.value.label == "other"


def test_when_none_verifies_the_first_error_is_raised() -> None:
    error = refused(two_signatures(), SignatureFailure.UNKNOWN_KEY, keys=static_keys({}))
    assert error.label == "first"


# Refusals --------------------------------------------------------------------------


def test_no_signature_at_all() -> None:
    refused(MESSAGE, SignatureFailure.MISSING)


def test_wrong_key() -> None:
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    keys = static_keys({"test-key-ed25519": VerificationKey(key=other)})
    refused(signed(), SignatureFailure.BAD_SIGNATURE, keys=keys)


def test_unknown_key_and_missing_keyid() -> None:
    refused(signed(), SignatureFailure.UNKNOWN_KEY, keys=static_keys({}))
    created = sign(
        MESSAGE,
        key=private_key("test-key-ed25519"),
        key_id=None,
        components=COMPONENTS,
        created=CREATED_AT,
    )
    anonymous = created.apply(MESSAGE)
    refused(anonymous, SignatureFailure.UNKNOWN_KEY)
    # a key known through external means (§3.2 step 5)
    only = VerificationKey(key=public_key("test-key-ed25519"))
    assert verify(anonymous, keys=lambda key_id: only, now=NOW).key_id is None


def test_expired() -> None:
    message = signed(expires=CREATED_AT + timedelta(seconds=60))
    verify(message, keys=resolver(), now=CREATED_AT + timedelta(seconds=59))
    refused(message, SignatureFailure.EXPIRED, now=CREATED_AT + timedelta(seconds=60))


def test_too_old() -> None:
    message = signed()
    verify(message, keys=resolver(), now=CREATED_AT + timedelta(minutes=5))
    refused(message, SignatureFailure.TOO_OLD, now=CREATED_AT + timedelta(minutes=5, seconds=1))
    refused(
        message,
        SignatureFailure.TOO_OLD,
        now=CREATED_AT + timedelta(seconds=11),
        max_age=timedelta(seconds=10),
    )
    verify(message, keys=resolver(), now=CREATED_AT + timedelta(days=400), max_age=None)


def test_created_in_the_future() -> None:
    message = signed()
    verify(message, keys=resolver(), now=CREATED_AT - timedelta(seconds=30))
    refused(message, SignatureFailure.NOT_YET_VALID, now=CREATED_AT - timedelta(seconds=31))
    refused(
        message,
        SignatureFailure.NOT_YET_VALID,
        now=CREATED_AT - timedelta(seconds=1),
        clock_skew=timedelta(0),
    )


def test_required_parameters() -> None:
    refused(signed(created=None), SignatureFailure.PARAMETER_MISSING)  # max_age needs created
    verify(signed(created=None), keys=resolver(), now=NOW, max_age=None)
    refused(signed(), SignatureFailure.PARAMETER_MISSING, required_parameters=["nonce"])
    verify(signed(nonce="abc"), keys=resolver(), now=NOW, required_parameters=["nonce"])


def test_required_components() -> None:
    message = signed(components=["@method", "@authority"])
    verify(message, keys=resolver(), now=NOW, required_components=["@authority"])
    error = refused(
        message, SignatureFailure.NOT_COVERED, required_components=["@authority", "@path"]
    )
    assert '"@path"' in str(error)
    refused(message, SignatureFailure.NOT_COVERED, required_components=['"@method";req'])


def test_tampered_covered_field() -> None:
    message = signed()
    tampered = HttpRequest(
        method="PUT",
        target_uri=message.target_uri,
        headers=message.headers,
        body=message.body,
    )
    refused(tampered, SignatureFailure.BAD_SIGNATURE)


def test_tampered_body_with_content_digest() -> None:
    """§7.2.8: the signature covers Content-Digest; the digest must match the body."""
    message = signed()
    tampered = HttpRequest(
        method=message.method,
        target_uri=message.target_uri,
        headers=message.headers,
        body=b'{"hello": "mallory"}',
    )
    refused(tampered, SignatureFailure.DIGEST_MISMATCH)
    verify(tampered, keys=resolver(), now=NOW, check_content_digest=False)
    refused(tampered, SignatureFailure.MISSING, digest_algorithms=["sha-256"])  # only sha-512


def test_the_body_is_unchecked_when_content_digest_is_not_covered() -> None:
    message = signed(components=["@method"])
    tampered = HttpRequest(
        method=message.method, target_uri=message.target_uri, headers=message.headers, body=b"x"
    )
    verify(tampered, keys=resolver(), now=NOW)


def test_covered_component_missing_from_the_message() -> None:
    message = signed(components=["@method", "content-type"])
    stripped = HttpRequest(
        method="POST",
        target_uri=message.target_uri,
        headers=Fields([(n, v) for n, v in message.headers if n != "Content-Type"]),
    )
    refused(stripped, SignatureFailure.COMPONENT_MISSING)


# Algorithm confusion (§3.2 step 6, §7.3.4, §7.3.6) --------------------------------------


def forged(signature_input: str, signature: bytes) -> HttpRequest:
    return MESSAGE.with_fields(
        ("Signature-Input", signature_input),
        ("Signature", f"sig1=:{base64.b64encode(signature).decode()}:"),
    )


def test_hmac_with_a_public_key_as_the_secret_is_refused() -> None:
    """The classic confusion: HMAC keyed with the (public) RSA key's bytes."""
    params = f'("@method");created={CREATED};keyid="test-key-rsa-pss";alg="hmac-sha256"'
    base = f'"@method": POST\n"@signature-params": {params}'.encode()
    secret = public_key("test-key-rsa-pss").public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
    )
    mac = hmac.HMAC(secret, hashes.SHA256())
    mac.update(base)
    message = forged(f"sig1={params}", mac.finalize())
    refused(message, SignatureFailure.ALGORITHM)
    unbound = static_keys({"test-key-rsa-pss": VerificationKey(key=public_key("test-key-rsa-pss"))})
    refused(message, SignatureFailure.ALGORITHM, keys=unbound)


def test_rsa_downgrade_to_pkcs1_v1_5_is_refused_for_a_bound_key() -> None:
    params = f'("@method");created={CREATED};keyid="test-key-rsa-pss";alg="rsa-v1_5-sha256"'
    base = f'"@method": POST\n"@signature-params": {params}'.encode()
    key = private_key("test-key-rsa-pss")
    assert isinstance(key, rsa.RSAPrivateKey)
    message = forged(f"sig1={params}", key.sign(base, padding.PKCS1v15(), hashes.SHA256()))
    refused(message, SignatureFailure.ALGORITHM)  # bound to RSA-PSS
    unbound = static_keys({"test-key-rsa-pss": VerificationKey(key=public_key("test-key-rsa-pss"))})
    assert verify(message, keys=unbound, now=NOW).algorithm is Algorithm.RSA_V1_5_SHA256
    refused(
        message, SignatureFailure.ALGORITHM, keys=unbound, algorithms={Algorithm.RSA_PSS_SHA512}
    )


def test_unnamed_algorithm_of_an_unbound_rsa_key_is_rsa_pss() -> None:
    params = f'("@method");created={CREATED};keyid="test-key-rsa"'
    base = f'"@method": POST\n"@signature-params": {params}'.encode()
    key = private_key("test-key-rsa")
    assert isinstance(key, rsa.RSAPrivateKey)
    message = forged(f"sig1={params}", key.sign(base, padding.PKCS1v15(), hashes.SHA256()))
    unbound = static_keys({"test-key-rsa": VerificationKey(key=public_key("test-key-rsa"))})
    refused(message, SignatureFailure.BAD_SIGNATURE, keys=unbound)


@pytest.mark.parametrize("alg", ["rsa-sha1", "ed25519", "ecdsa-p384-sha384", "HMAC-SHA256"])
def test_an_alg_that_does_not_fit_the_key_is_refused(alg: str) -> None:
    params = f'("@method");created={CREATED};keyid="test-key-ecc-p256";alg="{alg}"'
    refused(forged(f"sig1={params}", b"\x00" * 64), SignatureFailure.ALGORITHM)


def test_algorithms_not_allowed_are_refused() -> None:
    message = signed("test-shared-secret")
    refused(message, SignatureFailure.ALGORITHM, algorithms={Algorithm.ED25519})


def test_a_der_encoded_ecdsa_signature_is_refused() -> None:
    params = f'("@method");created={CREATED};keyid="test-key-ecc-p256"'
    base = f'"@method": POST\n"@signature-params": {params}'.encode()
    key = private_key("test-key-ecc-p256")
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    der = key.sign(base, ec.ECDSA(hashes.SHA256()))
    refused(forged(f"sig1={params}", der), SignatureFailure.BAD_SIGNATURE)


def test_keys_that_do_not_fit_are_refused_locally() -> None:
    with pytest.raises(MikeyValueError):
        sign(
            MESSAGE,
            key=private_key("test-key-rsa"),
            key_id="k",
            alg=Algorithm.ED25519,
            components=[],
            created=CREATED_AT,
        )
    with pytest.raises(MikeyValueError):
        VerificationKey(key=shared_secret(), algorithm=Algorithm.RSA_PSS_SHA512)
    with pytest.raises(MikeyValueError):
        VerificationKey(key=public_key("test-key-rsa"), algorithm=Algorithm.HMAC_SHA256)
    with pytest.raises(MikeyValueError):
        VerificationKey(key=private_key("test-key-ed25519"))  # type: ignore[arg-type]
    with pytest.raises(MikeyValueError):
        VerificationKey(key=b"short secret")
    with pytest.raises(MikeyValueError):
        algorithm_for_key(ec.generate_private_key(ec.SECP521R1()))
    with pytest.raises(MikeyValueError):
        algorithm_for_key(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    with pytest.raises(MikeyValueError):
        sign(
            MESSAGE,
            key=public_key("test-key-ed25519"),  # type: ignore[arg-type]
            key_id="k",
            components=[],
            created=CREATED_AT,
        )


# Malformed and duplicate signature fields (§4) -------------------------------------------


def with_fields(*lines: tuple[str, str]) -> HttpRequest:
    return MESSAGE.with_fields(*lines)


VALID_INPUT = f'sig1=("@method");created={CREATED};keyid="test-key-ed25519"'
VALID_SIGNATURE = "sig1=:AAAA:"


@pytest.mark.parametrize(
    "lines",
    [
        [("Signature-Input", VALID_INPUT), ("Signature", VALID_SIGNATURE + ", sig1=:AAAA:")],
        [("Signature-Input", VALID_INPUT + ", " + VALID_INPUT), ("Signature", VALID_SIGNATURE)],
        # the same label on two field lines is a duplicate too (§4.1)
        [
            ("Signature-Input", VALID_INPUT),
            ("Signature-Input", VALID_INPUT),
            ("Signature", VALID_SIGNATURE),
        ],
        [("Signature-Input", VALID_INPUT)],  # a label in one field only (§4)
        [("Signature", VALID_SIGNATURE)],
        [("Signature-Input", VALID_INPUT), ("Signature", "sig1=AAAA")],  # not a byte sequence
        [("Signature-Input", VALID_INPUT), ("Signature", "sig1=(:AAAA:)")],
        [("Signature-Input", 'sig1="@method"'), ("Signature", VALID_SIGNATURE)],
        [("Signature-Input", 'sig1=("@method");created="now"'), ("Signature", VALID_SIGNATURE)],
        [("Signature-Input", "sig1=(@method)"), ("Signature", VALID_SIGNATURE)],
        [("Signature-Input", 'sig1=("@method" "@method")'), ("Signature", VALID_SIGNATURE)],
        [("Signature-Input", 'sig1=("@foo")'), ("Signature", VALID_SIGNATURE)],
        [("Signature-Input", 'sig1=("Date")'), ("Signature", VALID_SIGNATURE)],
        [("Signature-Input", 'sig1=("@signature-params")'), ("Signature", VALID_SIGNATURE)],
        [("Signature-Input", VALID_INPUT + ","), ("Signature", VALID_SIGNATURE)],
    ],
)
def test_malformed_signature_fields(lines: list[tuple[str, str]]) -> None:
    with pytest.raises(MikeyStructuredFieldError) as caught:
        verify(with_fields(*lines), keys=resolver(), now=NOW)
    assert caught.value.reason == SignatureFailure.MALFORMED
    assert caught.value.http_status == 400


def test_signing_under_a_label_already_used_is_refused() -> None:
    with pytest.raises(MikeyValueError, match="already"):
        signed(message=signed())


def test_failure_reasons_and_status() -> None:
    error = refused(signed(), SignatureFailure.UNKNOWN_KEY, keys=static_keys({}))
    assert error.http_status == 401
    assert error.label == "sig1"
    assert "test-key-ed25519" in str(error)
    assert str(SignatureFailure.MALFORMED) == "malformed"  # what MikeyStructuredFieldError uses


def test_caller_mistakes() -> None:
    with pytest.raises(MikeyValueError, match="naive"):
        signed(created=datetime(2021, 4, 20))
    with pytest.raises(MikeyValueError, match="naive"):
        verify(signed(), keys=resolver(), now=datetime(2021, 4, 20))
    with pytest.raises(MikeyValueError):
        signed(label="Sig1")
    with pytest.raises(MikeyValueError):
        sign(MESSAGE, key=shared_secret(), key_id="caf\xe9", components=[], created=CREATED_AT)
    with pytest.raises(MikeyValueError):
        signed(tag="line\nbreak")
    with pytest.raises(MikeyValueError):
        verify(signed(), keys=resolver(), now=NOW, label="not a label")


def test_signing_a_component_the_message_lacks() -> None:
    with pytest.raises(MikeySignatureError) as caught:
        signed(components=["x-missing"])
    assert caught.value.reason == SignatureFailure.COMPONENT_MISSING
