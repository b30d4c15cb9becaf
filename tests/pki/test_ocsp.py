"""OCSP (RFC 6960): our responder and our client against each other (good, revoked and
unknown; nonces; who may sign, §4.2.2.2; freshness, §4.2.2.1; exception answers, §2.3),
validation of a three-certificate chain with OCSP in hard-fail and soft-fail modes, and
the HTTP edges (Appendix A) on a real loopback server. ``test_ocsp_openssl.py`` puts
``openssl ocsp`` on the other side of each."""

from __future__ import annotations

import base64
import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ObjectIdentifier
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Mount, Route

from mikey.errors import MikeyError, MikeyPkiError, MikeyValueError
from mikey.pki import (
    CLIENT,
    ENDPOINT,
    OCSP_RESPONDER,
    CertificateAuthority,
    IssuedCertificate,
    KeyType,
    OcspClient,
    OcspRequest,
    OcspResponder,
    OcspSigner,
    OcspStatus,
    Revocation,
    RevocationMode,
    TrustStore,
    ValidatedChain,
    ValidationError,
    ValidationReason,
    build_crl,
    build_ocsp_request,
    check_ocsp_response,
    fetch_ocsp_response,
    ocsp_app,
    ocsp_url,
    validate,
)
from mikey.pki.ocsp import RESPONSE_LIFETIME, RESPONSE_MEDIA_TYPE, _issuer_hashes

from .ocsp_helpers import Statuses, closed_port_url, loopback_socket, serving

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
DER = serialization.Encoding.DER
SHA1 = hashes.SHA1()
GOOD, REVOKED, UNKNOWN = (
    ocsp.OCSPCertStatus.GOOD,
    ocsp.OCSPCertStatus.REVOKED,
    ocsp.OCSPCertStatus.UNKNOWN,
)


@dataclass
class Pki:
    root: CertificateAuthority
    issuing: CertificateAuthority
    leaf: x509.Certificate
    delegate: IssuedCertificate  # the issuing CA's authorized responder
    statuses: Statuses

    def responder(self, *, delegated: bool = False) -> OcspResponder:
        issuing = (
            OcspSigner(
                issuer=self.issuing.certificate,
                certificate=self.delegate.certificate,
                private_key=self.delegate.private_key,  # type: ignore[arg-type]
            )
            if delegated
            else OcspSigner.for_ca(self.issuing)
        )
        return OcspResponder(
            signers=(OcspSigner.for_ca(self.root), issuing), status_of=self.statuses
        )

    def client(self, *, at: datetime = NOW, delegated: bool = False) -> OcspClient:
        responder = self.responder(delegated=delegated)
        return OcspClient(fetch=lambda request: responder.respond(request.der, now=at))


def make_pki(url: str | None = None) -> Pki:
    root = CertificateAuthority.create_root("CN=OCSP Root", now=NOW, ocsp_url=url)
    issuing = root.create_intermediate("CN=OCSP Issuing", now=NOW, ocsp_url=url)
    leaf = issuing.issue(ENDPOINT, now=NOW, subject="CN=alice").certificate
    delegate = issuing.issue(OCSP_RESPONDER, now=NOW, subject="CN=OCSP Responder")
    return Pki(root, issuing, leaf, delegate, Statuses(leaf, issuing.certificate))


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


def ask(
    responder: OcspResponder,
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    *,
    at: datetime = NOW,
    now: datetime = LATER,
    hash_algorithm: hashes.HashAlgorithm = SHA1,
) -> OcspStatus:
    request = build_ocsp_request(certificate, issuer, hash_algorithm=hash_algorithm)
    answer = responder.respond(request.der, now=at)
    return check_ocsp_response(answer, certificate, issuer, now=now, nonce=request.nonce)


def response_status(answer: bytes) -> ocsp.OCSPResponseStatus:
    return ocsp.load_der_ocsp_response(answer).response_status


def revoke(pki: Pki, certificate: x509.Certificate, **kwargs: object) -> Revocation:
    revocation = Revocation(serial_number=certificate.serial_number, revoked_at=NOW, **kwargs)  # type: ignore[arg-type]
    pki.statuses.revoke(revocation)
    return revocation


# -- CertID ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", [KeyType.RSA_2048, KeyType.ECDSA_P384, KeyType.ED25519])
@pytest.mark.parametrize("algorithm", [hashes.SHA1(), hashes.SHA256(), hashes.SHA512()])
def test_cert_id_hashes_are_pycas(key_type: KeyType, algorithm: hashes.HashAlgorithm) -> None:
    # The responder hashes its CAs' names and keys itself; pyca's request builder is the
    # independent reference for what a client puts in the CertID (§4.1.1).
    ca = CertificateAuthority.create_root("CN=CertID", now=NOW, key_type=key_type)
    leaf = ca.issue(CLIENT, now=NOW, subject="CN=x").certificate
    request = ocsp.OCSPRequestBuilder().add_certificate(leaf, ca.certificate, algorithm).build()
    assert _issuer_hashes(leaf.issuer, ca.certificate, algorithm) == (
        request.issuer_name_hash,
        request.issuer_key_hash,
    )


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", [hashes.SHA1(), hashes.SHA256()], ids=["sha1", "sha256"])
def test_a_good_certificate(pki: Pki, algorithm: hashes.HashAlgorithm) -> None:
    status = ask(pki.responder(), pki.leaf, pki.issuing.certificate, hash_algorithm=algorithm)
    assert status.status is GOOD and status.revocation is None
    assert status.this_update == NOW
    assert status.next_update == NOW + RESPONSE_LIFETIME
    assert status.responder == pki.issuing.certificate


def test_a_revoked_certificate_with_date_and_reason(pki: Pki) -> None:
    bob = pki.issuing.issue(ENDPOINT, now=NOW, subject="CN=bob").certificate
    carol = pki.issuing.issue(ENDPOINT, now=NOW, subject="CN=carol").certificate
    revoked = revoke(pki, bob, reason=x509.ReasonFlags.key_compromise)
    status = ask(pki.responder(), bob, pki.issuing.certificate)
    assert status.status is REVOKED and status.revocation == revoked
    # An unspecified reason is left out of the answer and reads back as unspecified.
    revoked = revoke(pki, carol)
    status = ask(pki.responder(), carol, pki.issuing.certificate)
    assert status.revocation == revoked
    assert revoked.reason is x509.ReasonFlags.unspecified


def test_an_unknown_serial_is_unknown(pki: Pki) -> None:
    stranger = pki.issuing.issue(CLIENT, now=NOW, subject="CN=never recorded").certificate
    status = ask(pki.responder(), stranger, pki.issuing.certificate)
    assert status.status is UNKNOWN and status.revocation is None


@pytest.mark.parametrize("key_type", [KeyType.RSA_2048, KeyType.ED25519])
def test_rsa_and_ed25519_cas_sign_their_answers(key_type: KeyType) -> None:
    ca = CertificateAuthority.create_root("CN=Signer", now=NOW, key_type=key_type)
    leaf = ca.issue(CLIENT, now=NOW, subject="CN=x").certificate
    responder = OcspResponder(signers=(OcspSigner.for_ca(ca),), status_of=Statuses(leaf))
    assert ask(responder, leaf, ca.certificate).status is GOOD


def test_the_root_answers_for_the_intermediate(pki: Pki) -> None:
    status = ask(pki.responder(), pki.issuing.certificate, pki.root.certificate)
    assert status.status is GOOD and status.responder == pki.root.certificate


# -- nonces (§4.4.1, RFC 9654 §2.1) ---------------------------------------------------------


def test_the_nonce_is_echoed_and_checked(pki: Pki) -> None:
    responder = pki.responder()
    request = build_ocsp_request(pki.leaf, pki.issuing.certificate, rng=lambda n: b"\x07" * n)
    assert request.nonce == b"\x07" * 32
    answer = responder.respond(request.der, now=NOW)
    echoed = ocsp.load_der_ocsp_response(answer).extensions.get_extension_for_class(x509.OCSPNonce)
    assert echoed.value.nonce == request.nonce
    with pytest.raises(MikeyPkiError, match="another nonce"):
        check_ocsp_response(
            answer, pki.leaf, pki.issuing.certificate, now=LATER, nonce=b"\x08" * 32
        )
    # A request without a nonce gets an answer without one, which a client that sent one
    # refuses: it could be a replay.
    bare = build_ocsp_request(pki.leaf, pki.issuing.certificate, nonce=False)
    assert bare.nonce is None
    answer = responder.respond(bare.der, now=NOW)
    assert check_ocsp_response(answer, pki.leaf, pki.issuing.certificate, now=LATER).status is GOOD
    with pytest.raises(MikeyPkiError, match="does not echo"):
        check_ocsp_response(answer, pki.leaf, pki.issuing.certificate, now=LATER, nonce=b"x")


def _request_with(pki: Pki, *extensions: tuple[x509.ExtensionType, bool]) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(
        pki.leaf, pki.issuing.certificate, hashes.SHA1()
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    return builder.build().public_bytes(DER)


@pytest.mark.parametrize("size", [0, 129])
def test_an_empty_or_overlong_nonce_is_a_malformed_request(pki: Pki, size: int) -> None:
    answer = pki.responder().respond(
        _request_with(pki, (x509.OCSPNonce(b"n" * size), False)), now=NOW
    )
    assert response_status(answer) is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_nonces_of_1_to_128_octets_are_echoed(pki: Pki) -> None:
    for size in (1, 16, 128):
        request = _request_with(pki, (x509.OCSPNonce(b"n" * size), False))
        answer = ocsp.load_der_ocsp_response(pki.responder().respond(request, now=NOW))
        assert answer.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"n" * size


def test_an_unknown_critical_request_extension_is_refused(pki: Pki) -> None:
    odd = x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00")
    answer = pki.responder().respond(_request_with(pki, (odd, True)), now=NOW)
    assert response_status(answer) is ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    answer = pki.responder().respond(_request_with(pki, (odd, False)), now=NOW)  # ignored
    assert response_status(answer) is ocsp.OCSPResponseStatus.SUCCESSFUL


# -- who may sign (§4.2.2.2) ----------------------------------------------------------------


def forged(
    pki: Pki,
    *,
    key: object,
    responder: x509.Certificate,
    encoding: ocsp.OCSPResponderEncoding = ocsp.OCSPResponderEncoding.HASH,
    certificates: tuple[x509.Certificate, ...] = (),
) -> bytes:
    """A good answer about the leaf, built and signed with pyca directly, by anyone."""
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=pki.leaf,
            issuer=pki.issuing.certificate,
            algorithm=hashes.SHA1(),
            cert_status=GOOD,
            this_update=NOW,
            next_update=NOW + timedelta(hours=1),
            revocation_time=None,
            revocation_reason=None,
        )
        .responder_id(encoding, responder)
    )
    if certificates:
        builder = builder.certificates(certificates)
    return builder.sign(key, hashes.SHA256()).public_bytes(DER)  # type: ignore[arg-type]


def refused(pki: Pki, answer: bytes, *, now: datetime = LATER) -> str:
    with pytest.raises(MikeyPkiError) as info:
        check_ocsp_response(answer, pki.leaf, pki.issuing.certificate, now=now)
    return str(info.value)


def test_an_authorized_responder_may_answer(pki: Pki) -> None:
    status = ask(pki.responder(delegated=True), pki.leaf, pki.issuing.certificate)
    assert status.status is GOOD and status.responder == pki.delegate.certificate
    assert pki.delegate.certificate.extensions.get_extension_for_class(x509.OCSPNoCheck)
    # Named by its name rather than its key hash, it is found just the same.
    answer = forged(
        pki,
        key=pki.delegate.private_key,
        responder=pki.delegate.certificate,
        encoding=ocsp.OCSPResponderEncoding.NAME,
        certificates=(pki.delegate.certificate,),
    )
    status = check_ocsp_response(answer, pki.leaf, pki.issuing.certificate, now=LATER)
    assert status.responder == pki.delegate.certificate


def test_a_response_signed_by_the_wrong_key_is_refused(pki: Pki) -> None:
    # A twin CA, same name as the issuing CA, another key: named by name, it passes for
    # the issuing CA until the signature is checked.
    twin = CertificateAuthority.create_root("CN=OCSP Issuing", now=NOW)
    answer = forged(
        pki,
        key=twin.private_key,
        responder=twin.certificate,
        encoding=ocsp.OCSPResponderEncoding.NAME,
    )
    assert "does not verify with the key of CN=OCSP Issuing" in refused(pki, answer)
    # A genuine answer whose signature was altered on the way.
    genuine = pki.responder().respond(
        build_ocsp_request(pki.leaf, pki.issuing.certificate, nonce=False).der, now=NOW
    )
    assert check_ocsp_response(genuine, pki.leaf, pki.issuing.certificate, now=LATER)
    altered = genuine[:-1] + bytes([genuine[-1] ^ 1])  # the last octet of ECDSA's s
    assert "does not verify" in refused(pki, altered)


def test_a_responder_naming_a_key_nobody_vouches_for_is_refused(pki: Pki) -> None:
    stranger = CertificateAuthority.create_root("CN=Stranger", now=NOW)
    answer = forged(pki, key=stranger.private_key, responder=stranger.certificate)
    assert "neither CN=OCSP Issuing nor a responder certificate" in refused(pki, answer)


def test_a_delegate_without_the_ocsp_signing_usage_is_refused(pki: Pki) -> None:
    impostor = pki.issuing.issue(CLIENT, now=NOW, subject="CN=not a responder")
    assert impostor.private_key is not None
    with pytest.raises(MikeyPkiError, match="id-kp-OCSPSigning"):
        OcspSigner(
            issuer=pki.issuing.certificate,
            certificate=impostor.certificate,
            private_key=impostor.private_key,
        )
    answer = forged(
        pki,
        key=impostor.private_key,
        responder=impostor.certificate,
        certificates=(impostor.certificate,),
    )
    assert "lacks the id-kp-OCSPSigning" in refused(pki, answer)


def test_a_delegate_of_another_ca_is_refused(pki: Pki) -> None:
    # A genuine OCSP responder, but the root's: it may not answer for the issuing CA.
    outsider = pki.root.issue(OCSP_RESPONDER, now=NOW, subject="CN=Root Responder")
    answer = forged(
        pki,
        key=outsider.private_key,
        responder=outsider.certificate,
        certificates=(outsider.certificate,),
    )
    assert "was not issued by CN=OCSP Issuing" in refused(pki, answer)


def test_an_expired_delegate_is_refused(pki: Pki) -> None:
    answer = forged(
        pki,
        key=pki.delegate.private_key,
        responder=pki.delegate.certificate,
        certificates=(pki.delegate.certificate,),
    )
    # The answer itself would be stale by then too; the responder is checked first.
    assert "is not valid at" in refused(pki, answer, now=NOW + timedelta(days=31))


def test_a_signer_needs_its_own_key(pki: Pki) -> None:
    with pytest.raises(MikeyPkiError, match="does not belong"):
        OcspSigner(
            issuer=pki.issuing.certificate,
            certificate=pki.issuing.certificate,
            private_key=pki.root.private_key,
        )


# -- freshness (§4.2.2.1, §3.2 items 5 and 6) -----------------------------------------------


def test_stale_and_future_responses_are_refused(pki: Pki) -> None:
    responder = pki.responder()
    with pytest.raises(MikeyPkiError, match="expired at"):
        ask(responder, pki.leaf, pki.issuing.certificate, now=NOW + RESPONSE_LIFETIME * 2)
    with pytest.raises(MikeyPkiError, match="in the future"):
        ask(responder, pki.leaf, pki.issuing.certificate, now=NOW - timedelta(minutes=10))
    # Within the clock skew it is accepted.
    status = ask(responder, pki.leaf, pki.issuing.certificate, now=NOW - timedelta(minutes=1))
    assert status.status is GOOD
    # Without nextUpdate, max_age bounds the age of thisUpdate.
    answer = responder.respond(build_ocsp_request(pki.leaf, pki.issuing.certificate).der, now=NOW)
    with pytest.raises(MikeyPkiError, match="older than"):
        check_ocsp_response(
            answer,
            pki.leaf,
            pki.issuing.certificate,
            now=NOW + timedelta(minutes=30),
            max_age=timedelta(minutes=10),
        )


# -- exception answers (§2.3) and what the client makes of them -----------------------------


def test_a_malformed_request_gets_malformed_request(pki: Pki) -> None:
    valid = build_ocsp_request(pki.leaf, pki.issuing.certificate).der
    for junk in (b"", b"garbage", b"\x30\x00", valid[:-3], valid + b"\x00"):
        answer = pki.responder().respond(junk, now=NOW)
        assert response_status(answer) is ocsp.OCSPResponseStatus.MALFORMED_REQUEST, junk
        with pytest.raises(MikeyPkiError, match="malformedRequest"):
            check_ocsp_response(answer, pki.leaf, pki.issuing.certificate, now=LATER)


def test_a_negative_serial_number_is_a_malformed_request(pki: Pki) -> None:
    # Found by the property test below: pyca reads a negative serial number (RFC 5280
    # §4.1.2.2 allows none) but cannot write one into the answer.
    issuer = pki.issuing.certificate
    name_hash, key_hash = _issuer_hashes(issuer.subject, issuer, SHA1)
    builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(name_hash, key_hash, 0x7F, SHA1)
    request = builder.build().public_bytes(DER)
    assert request.count(b"\x02\x01\x7f") == 1  # INTEGER 127
    negative = request.replace(b"\x02\x01\x7f", b"\x02\x01\x80")  # INTEGER -128
    assert ocsp.load_der_ocsp_request(negative).serial_number == -128
    answer = pki.responder().respond(negative, now=NOW)
    assert response_status(answer) is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_a_ca_not_served_is_unauthorized(pki: Pki) -> None:
    other = CertificateAuthority.create_root("CN=Elsewhere", now=NOW)
    theirs = other.issue(CLIENT, now=NOW, subject="CN=x").certificate
    answer = pki.responder().respond(build_ocsp_request(theirs, other.certificate).der, now=NOW)
    assert response_status(answer) is ocsp.OCSPResponseStatus.UNAUTHORIZED
    with pytest.raises(MikeyPkiError, match="unauthorized"):
        check_ocsp_response(answer, theirs, other.certificate, now=LATER)


def test_a_store_that_cannot_answer_gives_internal_error(pki: Pki) -> None:
    def broken(issuer: x509.Certificate, serial: int) -> Revocation | None:
        raise MikeyError("the database is down")

    def confused(issuer: x509.Certificate, serial: int) -> Revocation | None:
        return REVOKED  # type: ignore[return-value]  # revoked, but when? No guessing.

    request = build_ocsp_request(pki.leaf, pki.issuing.certificate).der
    for lookup in (broken, confused):
        responder = OcspResponder(signers=(OcspSigner.for_ca(pki.issuing),), status_of=lookup)
        answer = responder.respond(request, now=NOW)
        assert response_status(answer) is ocsp.OCSPResponseStatus.INTERNAL_ERROR


def test_the_client_refuses_what_is_not_an_answer_about_its_certificate(pki: Pki) -> None:
    with pytest.raises(MikeyPkiError, match="not an OCSP response"):
        check_ocsp_response(b"\x30\x03\x0a\x01", pki.leaf, pki.issuing.certificate, now=LATER)
    bob = pki.issuing.issue(CLIENT, now=NOW, subject="CN=bob").certificate
    pki.statuses.known[bob.serial_number] = None
    answer = pki.responder().respond(
        build_ocsp_request(bob, pki.issuing.certificate, nonce=False).der, now=NOW
    )
    with pytest.raises(MikeyPkiError, match="says nothing about CN=alice"):
        check_ocsp_response(answer, pki.leaf, pki.issuing.certificate, now=LATER)


def test_caller_errors(pki: Pki) -> None:
    with pytest.raises(MikeyValueError, match="aware"):
        pki.responder().respond(b"", now=NOW.replace(tzinfo=None))
    with pytest.raises(MikeyValueError, match="aware"):
        check_ocsp_response(b"", pki.leaf, pki.issuing.certificate, now=NOW.replace(tzinfo=None))
    with pytest.raises(MikeyValueError, match="CertID"):
        build_ocsp_request(pki.leaf, pki.issuing.certificate, hash_algorithm=hashes.MD5())
    with pytest.raises(MikeyValueError, match="at least one CA"):
        OcspResponder(signers=(), status_of=pki.statuses)


_PROPERTY_PKI = make_pki()  # hypothesis reruns a test's body: no function-scoped fixture
_PROPERTY_REQUEST = build_ocsp_request(_PROPERTY_PKI.leaf, _PROPERTY_PKI.issuing.certificate).der
_PROPERTY_ANSWERS = [  # signed by the CA, and by a delegate whose certificate comes along
    _PROPERTY_PKI.responder(delegated=delegated).respond(_PROPERTY_REQUEST, now=NOW)
    for delegated in (False, True)
]


@given(st.binary(max_size=400))
def test_any_bytes_get_an_answer_never_an_exception(data: bytes) -> None:
    answer = _PROPERTY_PKI.responder().respond(data, now=NOW)
    assert ocsp.load_der_ocsp_response(answer).response_status in ocsp.OCSPResponseStatus


@given(st.data())
def test_a_damaged_request_gets_an_answer_never_an_exception(data: st.DataObject) -> None:
    request = bytearray(_PROPERTY_REQUEST)
    position = data.draw(st.integers(0, len(request) - 1))
    request[position] ^= data.draw(st.integers(1, 255))
    answer = _PROPERTY_PKI.responder().respond(bytes(request), now=NOW)
    assert ocsp.load_der_ocsp_response(answer).response_status in ocsp.OCSPResponseStatus


@given(st.data())
def test_a_damaged_answer_is_refused_or_read_never_an_exception(data: st.DataObject) -> None:
    answer = bytearray(data.draw(st.sampled_from(_PROPERTY_ANSWERS)))
    position = data.draw(st.integers(0, len(answer) - 1))
    answer[position] ^= data.draw(st.integers(1, 255))
    pki = _PROPERTY_PKI
    with contextlib.suppress(MikeyPkiError):  # any other exception fails the test
        check_ocsp_response(bytes(answer), pki.leaf, pki.issuing.certificate, now=LATER)


# -- validation with OCSP (RFC 5280 §6.3 with RFC 6960) -------------------------------------


def chain_of(pki: Pki, leaf: x509.Certificate | None = None, **kwargs: object) -> ValidatedChain:
    return validate(
        leaf or pki.leaf,
        [pki.issuing.certificate],
        roots=[pki.root.certificate],
        now=LATER,
        **kwargs,  # type: ignore[arg-type]
    )


def refusal(pki: Pki, leaf: x509.Certificate | None = None, **kwargs: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        chain_of(pki, leaf, **kwargs)
    return info.value


def unreachable(request: OcspRequest) -> bytes:
    raise MikeyPkiError("cannot reach the OCSP responder at http://ocsp.invalid")


def test_a_chain_whose_every_certificate_ocsp_vouches_for(pki: Pki) -> None:
    for delegated in (False, True):
        result = chain_of(pki, ocsp=pki.client(delegated=delegated))
        assert result.certificates[0] == pki.leaf
    store = TrustStore(roots=(pki.root.certificate,), ocsp=pki.client())
    assert (
        store.validate([pki.leaf, pki.issuing.certificate], now=LATER).certificates[0] == pki.leaf
    )


def test_a_leaf_ocsp_says_is_revoked_is_refused_hard_or_soft(pki: Pki) -> None:
    dave = pki.issuing.issue(ENDPOINT, now=NOW, subject="CN=dave").certificate
    revoked = revoke(pki, dave, reason=x509.ReasonFlags.key_compromise)
    for mode in RevocationMode:
        error = refusal(pki, dave, ocsp=pki.client(), revocation=mode)
        assert error.reason is ValidationReason.REVOKED and error.revocation == revoked
        assert error.certificate == dave
        assert "keyCompromise" in str(error) and "says OCSP" in str(error)
        assert "2026-11-22T12:00:00" in str(error)


def test_an_intermediate_ocsp_says_is_revoked_is_refused() -> None:
    pki = make_pki()
    revoke(pki, pki.issuing.certificate, reason=x509.ReasonFlags.ca_compromise)
    error = refusal(pki, ocsp=pki.client())
    assert error.reason is ValidationReason.REVOKED
    assert error.certificate == pki.issuing.certificate


def test_without_an_ocsp_answer_hard_fail_refuses_and_soft_fail_passes(pki: Pki) -> None:
    error = refusal(pki, ocsp=OcspClient(fetch=unreachable))
    assert error.reason is ValidationReason.REVOCATION_UNKNOWN
    assert "no CRL from its issuer; OCSP: cannot reach" in str(error)
    chain_of(pki, ocsp=OcspClient(fetch=unreachable), revocation=RevocationMode.SOFT)
    # A stale answer is no answer either.
    stale = pki.client(at=NOW - timedelta(hours=3))
    assert "expired at" in str(refusal(pki, ocsp=stale))
    chain_of(pki, ocsp=stale, revocation=RevocationMode.SOFT)


def test_unknown_is_no_answer(pki: Pki) -> None:
    stranger = pki.issuing.issue(CLIENT, now=NOW, subject="CN=unrecorded").certificate
    error = refusal(pki, stranger, ocsp=pki.client())
    assert error.reason is ValidationReason.REVOCATION_UNKNOWN
    assert "does not know" in str(error) and error.certificate == stranger
    chain_of(pki, stranger, ocsp=pki.client(), revocation=RevocationMode.SOFT)


def test_crls_and_ocsp_together(pki: Pki) -> None:
    crls = [
        build_crl(pki.root, [], now=NOW, number=1),
        build_crl(pki.issuing, [], now=NOW, number=1),
    ]
    # A usable CRL vouches when OCSP cannot be reached ...
    chain_of(pki, crls=crls, ocsp=OcspClient(fetch=unreachable))
    # ... but OCSP, being fresher, can still refuse what the CRL does not list yet.
    erin = pki.issuing.issue(ENDPOINT, now=NOW, subject="CN=erin").certificate
    revoked = revoke(pki, erin)
    error = refusal(pki, erin, crls=crls, ocsp=pki.client())
    assert error.reason is ValidationReason.REVOKED and "says OCSP" in str(error)
    # And a CRL that lists it refuses without asking OCSP.
    listed = [crls[0], build_crl(pki.issuing, [revoked], now=NOW, number=2)]
    error = refusal(pki, erin, crls=listed, ocsp=OcspClient(fetch=unreachable))
    assert error.reason is ValidationReason.REVOKED and "says a CRL" in str(error)


# -- over HTTP (Appendix A) -----------------------------------------------------------------


@dataclass
class Served:
    pki: Pki
    url: str
    revoked: x509.Certificate


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """A PKI whose certificates name a real responder on loopback (AIA), answering at NOW."""
    sock, url = loopback_socket()
    pki = make_pki(url)
    frank = pki.issuing.issue(ENDPOINT, now=NOW, subject="CN=frank").certificate
    revoke(pki, frank, reason=x509.ReasonFlags.superseded)
    with serving(ocsp_app(pki.responder(delegated=True), clock=lambda: NOW), sock):
        yield Served(pki, url, frank)


def test_validation_asks_the_responder_the_certificates_name(served: Served) -> None:
    pki = served.pki
    assert ocsp_url(pki.leaf) == served.url
    chain_of(pki, ocsp=OcspClient())
    error = refusal(pki, served.revoked, ocsp=OcspClient())
    assert error.reason is ValidationReason.REVOKED and "superseded" in str(error)


def test_mounted_in_a_bigger_app() -> None:
    # As the management API will mount it: the address is the mount path with its slash.
    sock, url = loopback_socket()
    pki = make_pki(f"{url}/ocsp/")
    app = Starlette(routes=[Mount("/ocsp", ocsp_app(pki.responder(), clock=lambda: NOW))])
    with serving(app, sock):
        chain_of(pki, ocsp=OcspClient())


def test_an_unreachable_responder_over_http() -> None:
    pki = make_pki(closed_port_url())
    client = OcspClient(fetch=lambda request: fetch_ocsp_response(request, timeout=5))
    error = refusal(pki, ocsp=client)
    assert error.reason is ValidationReason.REVOCATION_UNKNOWN and "cannot reach" in str(error)
    chain_of(pki, ocsp=client, revocation=RevocationMode.SOFT)


def test_get_with_the_request_in_the_path(served: Served) -> None:
    pki = served.pki
    # Find a request whose base64 has "/" and "+", to see both the URL-encoded and the
    # raw form through the router.
    for counter in range(1000):
        request = build_ocsp_request(
            pki.leaf, pki.issuing.certificate, rng=lambda n, c=counter: c.to_bytes(n, "big")
        )
        encoded = base64.b64encode(request.der).decode()
        if "/" in encoded and "+" in encoded:
            break
    else:
        pytest.fail("no request had both / and + in its base64")
    for path in (quote(encoded, safe=""), encoded):
        reply = httpx.get(f"{served.url}/{path}", timeout=10)
        assert reply.status_code == 200
        assert reply.headers["content-type"] == RESPONSE_MEDIA_TYPE
        status = check_ocsp_response(
            reply.content, pki.leaf, pki.issuing.certificate, now=LATER, nonce=request.nonce
        )
        assert status.status is GOOD
    reply = httpx.get(f"{served.url}/not%20base64!", timeout=10)
    assert response_status(reply.content) is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_what_http_refuses(served: Served) -> None:
    request = build_ocsp_request(served.pki.leaf, served.pki.issuing.certificate)
    reply = httpx.post(
        served.url, content=request.der, headers={"content-type": "text/plain"}, timeout=10
    )
    assert reply.status_code == 415
    assert reply.headers["content-type"] == "application/problem+json"
    assert json.loads(reply.content)["status"] == 415
    reply = httpx.post(
        served.url,
        content=b"\x00" * 70_000,
        headers={"content-type": "application/ocsp-request"},
        timeout=10,
    )
    assert reply.status_code == 413
    with pytest.raises(MikeyPkiError, match="answered HTTP 405"):
        fetch_ocsp_response(request, url=f"{served.url}/some/path", timeout=10)


def test_fetch_refuses_what_is_not_an_ocsp_answer() -> None:
    pki = make_pki()  # its certificates name no responder
    request = build_ocsp_request(pki.leaf, pki.issuing.certificate)
    with pytest.raises(MikeyPkiError, match="names no OCSP responder"):
        fetch_ocsp_response(request)
    with pytest.raises(MikeyPkiError, match="over HTTP"):
        fetch_ocsp_response(request, url="ldap://ocsp.example/")

    async def text(_: object) -> Response:
        return Response("hello", media_type="text/plain")

    async def flood(_: object) -> Response:
        return Response(b"\x30" * 100_000, media_type=RESPONSE_MEDIA_TYPE)

    sock, url = loopback_socket()
    app = Starlette(
        routes=[Route("/text", text, methods=["POST"]), Route("/flood", flood, methods=["POST"])]
    )
    with serving(app, sock):
        with pytest.raises(MikeyPkiError, match="answered text/plain"):
            fetch_ocsp_response(request, url=f"{url}/text", timeout=10)
        with pytest.raises(MikeyPkiError, match="answers too much"):
            fetch_ocsp_response(request, url=f"{url}/flood", timeout=10)


def test_mikey_pki_imports_without_the_http_extra() -> None:
    code = (
        "import sys; import mikey.pki; "
        "print(sorted({'starlette', 'httpx', 'uvicorn'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
