"""The public-key and Diffie-Hellman MIKEY modes, each against the public-key operations
it cannot avoid, and the memory an established session keeps.

Endpoints: RSA-2048 certificates under an issuing CA (P-256) under a root (P-384); each
side validates the peer's two-certificate chain in full (path, time, revocation against
both CAs' CRLs, already fetched). One exchange is the whole round: Initiator builds,
Responder processes and answers, Initiator checks the answer, each side makes its
libsrtp session.

Floors (pyca, called directly, in the same run), as the issue defines them ("the RSA,
ECDSA and DH operations it must perform"):

- ``pke``: RSA sign and verify of the I_MESSAGE, RSA encryption and decryption of the
  envelope key, and path validation's four signature checks (two certificates, two CRLs);
- ``rsa_r``: two RSA signatures and their verifications, the envelope's encryption and
  decryption, and two path validations (eight signature checks);
- ``dh_sign``: two RSA signatures and verifications, two path validations, and the
  OAKLEY 5 work: two key generations and two shared-secret computations;
- ``dhhmac``: the OAKLEY 5 work alone (its HMACs are a thousandth of it).

The symmetric part (PRF, HMAC, AES, libsrtp: the PSK exchange's, under 0.3 ms) counts
against each mode.

Memory (``session_memory``): tracemalloc's growth of a PKE Responder's state over N
exchanges, per session.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mikey.crypto.dh import generate_private_key
from mikey.modes import (
    DhHmacInitiator,
    DhHmacResponder,
    DhSignInitiator,
    DhSignResponder,
    PkeInitiator,
    PkeResponder,
    ReplayCache,
    RsaRInitiator,
    RsaRResponder,
)
from mikey.pki import ENDPOINT, CertificateAuthority, TrustStore, build_crl
from mikey.registry import DhGroup
from mikey.session import CryptoSessionBundle

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ALICE, BOB = b"sip:alice@bench", b"sip:bob@bench"
_STATE_LIMIT = 20_000


@dataclass(frozen=True)
class _Endpoints:
    alice_key: rsa.RSAPrivateKey
    bob_key: rsa.RSAPrivateKey
    alice_chain: tuple[x509.Certificate, x509.Certificate]
    bob_chain: tuple[x509.Certificate, x509.Certificate]
    root: x509.Certificate
    crls: tuple[x509.CertificateRevocationList, x509.CertificateRevocationList]
    trust: TrustStore


def _endpoints() -> _Endpoints:
    start = NOW - timedelta(days=1)
    root = CertificateAuthority.create_root("CN=Bench Root", now=start)
    issuing = root.create_intermediate("CN=Bench Issuing", now=start)
    alice = issuing.issue(ENDPOINT, now=start, subject="CN=alice", sans=[ALICE.decode()])
    bob = issuing.issue(ENDPOINT, now=start, subject="CN=bob", sans=[BOB.decode()])
    if not isinstance(alice.private_key, rsa.RSAPrivateKey) or not isinstance(
        bob.private_key, rsa.RSAPrivateKey
    ):
        raise SystemExit("bench: endpoint keys should be RSA")
    crls = (build_crl(root, [], now=start, number=1), build_crl(issuing, [], now=start, number=1))
    return _Endpoints(
        alice.private_key,
        bob.private_key,
        (alice.certificate, issuing.certificate),
        (bob.certificate, issuing.certificate),
        root.certificate,
        crls,
        TrustStore(roots=(root.certificate,), crls=crls),
    )


def _floor(
    e: _Endpoints, *, signatures: int, envelopes: int, chains: int, dh: bool
) -> Callable[[], object]:
    """The public-key operations of one exchange, called directly."""
    data = bytes(2000)  # about what a signed MIKEY message with two certificates covers
    sha256, pkcs1 = hashes.SHA256(), padding.PKCS1v15()
    public = e.alice_key.public_key()
    leaf, ca = e.alice_chain
    root_crl, issuing_crl = e.crls

    def operations() -> object:
        for _ in range(signatures):
            public.verify(e.alice_key.sign(data, pkcs1, sha256), data, pkcs1, sha256)
        for _ in range(envelopes):
            e.bob_key.decrypt(e.bob_key.public_key().encrypt(bytes(32), pkcs1), pkcs1)
        for _ in range(chains):
            leaf.verify_directly_issued_by(ca)
            ca.verify_directly_issued_by(e.root)
            root_crl.is_signature_valid(e.root.public_key())  # type: ignore[arg-type]
            issuing_crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
        if dh:
            mine, theirs = (generate_private_key(DhGroup.OAKLEY_5) for _ in range(2))
            mine.exchange(theirs.public_value())
            theirs.exchange(mine.public_value())
        return None

    operations()
    return operations


def _sessions(a: CryptoSessionBundle, b: CryptoSessionBundle) -> tuple[object, object]:
    return a.srtp_session(1, direction="outbound"), b.srtp_session(1, direction="inbound")


def make_mode_exchanges() -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    """Each mode's exchange and its floor, checked once."""
    e = _endpoints()
    clock = count()

    def now() -> datetime:
        return NOW + timedelta(microseconds=next(clock))

    pke_i = PkeInitiator(
        private_key=e.alice_key,
        certificates=e.alice_chain,
        peer_certificate=e.bob_chain[0],
        identity=ALICE,
    )
    pke_r = PkeResponder(private_key=e.bob_key, certificate=e.bob_chain[0], trust=e.trust)

    def pke() -> object:
        t = now()
        result = pke_r.receive(pke_i.initiate(now=t, verify=True)[0], now=t)
        if result.reply is None or result.bundle is None:
            raise SystemExit(f"bench: PKE failed: {result.error}")
        _trim(pke_r.bundles, pke_i.bundles)
        return _sessions(pke_i.receive_response(result.reply), result.bundle)

    rsa_r_i = RsaRInitiator(
        private_key=e.alice_key, certificates=e.alice_chain, trust=e.trust, identity=ALICE
    )
    rsa_r_r = RsaRResponder(
        private_key=e.bob_key, certificates=e.bob_chain, trust=e.trust, identity=BOB
    )

    def rsa_r() -> object:
        t = now()
        result = rsa_r_r.receive(rsa_r_i.initiate(now=t), now=t)
        if result.reply is None or result.bundle is None:
            raise SystemExit(f"bench: RSA-R failed: {result.error}")
        _trim(rsa_r_r.bundles, rsa_r_i.bundles)
        return _sessions(rsa_r_i.receive_response(result.reply, now=t), result.bundle)

    dh_i = DhSignInitiator(
        private_key=e.alice_key, certificates=e.alice_chain, trust=e.trust, identity=ALICE
    )
    dh_r = DhSignResponder(private_key=e.bob_key, certificates=e.bob_chain, trust=e.trust)

    def dh_sign() -> object:
        t = now()
        result = dh_r.receive(dh_i.initiate(now=t), now=t)
        if result.reply is None or result.bundle is None:
            raise SystemExit(f"bench: DH-SIGN failed: {result.error}")
        _trim(dh_r.bundles, dh_i.bundles)
        return _sessions(dh_i.receive_response(result.reply, now=t), result.bundle)

    hmac_i = DhHmacInitiator(psk=b"bench key", identity=ALICE, peer_identity=BOB)
    hmac_r = DhHmacResponder(psk=b"bench key", identity=BOB)

    def dhhmac() -> object:
        t = now()
        result = hmac_r.receive(hmac_i.initiate(now=t), now=t)
        if result.reply is None or result.bundle is None:
            raise SystemExit(f"bench: DHHMAC failed: {result.error}")
        _trim(hmac_r.bundles, hmac_i.bundles)
        return _sessions(hmac_i.receive_response(result.reply, now=t), result.bundle)

    cases = {
        "pke": (pke, _floor(e, signatures=1, envelopes=1, chains=1, dh=False)),
        "rsa_r": (rsa_r, _floor(e, signatures=2, envelopes=1, chains=2, dh=False)),
        "dh_sign": (dh_sign, _floor(e, signatures=2, envelopes=0, chains=2, dh=True)),
        "dhhmac": (dhhmac, _floor(e, signatures=0, envelopes=0, chains=0, dh=True)),
    }
    for exchange, _ in cases.values():
        exchange()
    return cases


def _trim(*stores: dict[Any, Any]) -> None:
    """Bounded state, as a long-running process would keep it."""
    if len(stores[0]) >= _STATE_LIMIT:
        for store in stores:
            store.clear()


def session_memory(count_: int) -> dict[str, Any]:
    """Bytes a PKE Responder keeps per established session (bundle and replay-cache
    entry), over ``count_`` exchanges."""
    e = _endpoints()
    initiator = PkeInitiator(
        private_key=e.alice_key,
        certificates=e.alice_chain,
        peer_certificate=e.bob_chain[0],
        identity=ALICE,
    )
    responder = PkeResponder(
        private_key=e.bob_key,
        certificate=e.bob_chain[0],
        trust=e.trust,
        replay_cache=ReplayCache(max_entries=count_ + 1),
        max_bundles=count_ + 1,
    )
    times = [NOW + timedelta(microseconds=i) for i in range(count_)]
    messages = [initiator.initiate(now=t)[0] for t in times]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for message, t in zip(messages, times, strict=True):
        if not responder.receive(message, now=t).accepted:
            raise SystemExit("bench: a PKE exchange failed while measuring memory")
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    if len(responder.bundles) != count_:
        raise SystemExit("bench: the Responder did not keep every session")
    return {"sessions": count_, "bytes_per_session": growth / count_}


def hold_sessions(count_: int) -> dict[str, Any]:
    """Establish ``count_`` PKE sessions at one Responder and keep them all: the growth
    of the process's peak resident set per session (``python -m bench --hold N``)."""
    import resource
    import time

    e = _endpoints()
    initiator = PkeInitiator(
        private_key=e.alice_key,
        certificates=e.alice_chain,
        peer_certificate=e.bob_chain[0],
        identity=ALICE,
    )
    responder = PkeResponder(
        private_key=e.bob_key,
        certificate=e.bob_chain[0],
        trust=e.trust,
        replay_cache=ReplayCache(max_entries=count_ + 1),
        max_bundles=count_ + 1,
    )
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.perf_counter()
    for i in range(count_):
        t = NOW + timedelta(microseconds=i)
        if not responder.receive(initiator.initiate(now=t)[0], now=t).accepted:
            raise SystemExit("bench: a PKE exchange failed while holding sessions")
        initiator.bundles.clear()  # the Initiator side is not what is measured
    elapsed = time.perf_counter() - started
    gc.collect()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if len(responder.bundles) != count_:
        raise SystemExit("bench: the Responder did not keep every session")
    return {
        "sessions": count_,
        "seconds": elapsed,
        "peak_rss_growth_bytes": (after - before) * 1024,
        "bytes_per_session": (after - before) * 1024 / count_,
    }
