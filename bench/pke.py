"""The public-key envelope exchange against the public-key operations it needs.

``pke_exchange``: the Initiator (RSA-2048 endpoint certificate under an issuing CA under
a P-384 root) builds an I_MESSAGE asking for verification, with its two-certificate
chain, CHASH, PKE and SIGN (PKCS#1 v1.5); the Responder validates the chain in full
(path, time, usage, revocation against both CAs' CRLs, already fetched), checks SIGN,
opens the envelope, checks the KEMAC MAC, decrypts the TGK and answers with V; the
Initiator checks V; each side creates its libsrtp session.

Its floor, ``pke_exchange_primitives``: the public-key operations the exchange cannot
avoid, called directly with pyca: RSA-2048 signing and verification of the message, RSA
PKCS#1 v1.5 encryption and decryption of the envelope key, and the four signature
verifications of path validation (two certificates, two CRLs). The symmetric part (PRF,
HMAC, AES, libsrtp) is left out of the floor: it is the PSK exchange's, timed there, and
under a hundredth of this one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mikey.modes import PkeInitiator, PkeResponder
from mikey.pki import ENDPOINT, CertificateAuthority, TrustStore, build_crl
from mikey.srtp import SrtpSession

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
_STATE_LIMIT = 20_000


def make_pke_exchange() -> tuple[Callable[[], object], Callable[[], object]]:
    """The exchange and its public-key floor, each checked once."""
    start = NOW - timedelta(days=1)
    root = CertificateAuthority.create_root("CN=Bench PKE Root", now=start)
    issuing = root.create_intermediate("CN=Bench PKE Issuing", now=start)
    alice = issuing.issue(ENDPOINT, now=start, subject="CN=alice", sans=["sip:alice@bench"])
    bob = issuing.issue(ENDPOINT, now=start, subject="CN=bob", sans=["sip:bob@bench"])
    alice_key, bob_key = alice.private_key, bob.private_key
    if not isinstance(alice_key, rsa.RSAPrivateKey) or not isinstance(bob_key, rsa.RSAPrivateKey):
        raise SystemExit("bench: endpoint keys should be RSA")
    crls = (build_crl(root, [], now=start, number=1), build_crl(issuing, [], now=start, number=1))
    trust = TrustStore(roots=(root.certificate,), crls=crls)
    initiator = PkeInitiator(
        private_key=alice_key,
        certificates=(alice.certificate, issuing.certificate),
        peer_certificate=bob.certificate,
        identity=b"sip:alice@bench",
    )
    responder = PkeResponder(
        private_key=bob_key, certificate=bob.certificate, trust=trust, identity=b"sip:bob@bench"
    )
    clock = count()

    def exchange() -> tuple[SrtpSession, SrtpSession]:
        now = NOW + timedelta(microseconds=next(clock))
        message, _ = initiator.initiate(now=now, verify=True)
        result = responder.receive(message, now=now)
        if result.reply is None or result.bundle is None:
            raise SystemExit(f"bench: the PKE exchange failed: {result.error}")
        bundle = initiator.receive_response(result.reply)
        sessions = (
            bundle.srtp_session(1, direction="outbound"),
            result.bundle.srtp_session(1, direction="inbound"),
        )
        if len(responder.bundles) >= _STATE_LIMIT:
            responder.bundles.clear()
            initiator.bundles.clear()
        return sessions

    message, _ = initiator.initiate(now=NOW, verify=True)
    signed = bytes(len(message) - 256)  # what SIGN covers: the message before the signature
    sha256, pkcs1 = hashes.SHA256(), padding.PKCS1v15()
    alice_public, bob_public = alice_key.public_key(), bob_key.public_key()
    leaf, ca = alice.certificate, issuing.certificate
    root_crl, issuing_crl = crls

    def primitives() -> object:
        signature = alice_key.sign(signed, pkcs1, sha256)
        envelope = bob_public.encrypt(bytes(32), pkcs1)
        leaf.verify_directly_issued_by(ca)
        ca.verify_directly_issued_by(root.certificate)
        ok = root_crl.is_signature_valid(root.certificate.public_key())  # type: ignore[arg-type]
        ok &= issuing_crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
        alice_public.verify(signature, signed, pkcs1, sha256)
        return ok, bob_key.decrypt(envelope, pkcs1)

    exchange()
    primitives()
    return exchange, primitives
