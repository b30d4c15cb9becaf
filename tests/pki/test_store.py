"""The PKI store, each test on SQLite and on a real PostgreSQL: CAs with keys encrypted at
rest, issuance, revocation, CRL numbers (RFC 5280 §5.2.3) that only grow across reopens,
status lookups for OCSP (RFC 6960 §2.2), the append-only audit trail, serial numbers
(§4.1.2.2) that concurrent issuance never reuses, and bad input that writes nothing."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from sqlalchemy import create_engine, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Executable

from mikey.errors import MikeyError, MikeyPkiError, MikeyValueError
from mikey.pki import (
    CLIENT,
    ENDPOINT,
    HIGH_SECURITY,
    OcspResponder,
    OcspSigner,
    check_crl,
    parse_name,
    revocation_of,
)
from mikey.pki.store import (
    UNKNOWN,
    AuditAction,
    DuplicateNameError,
    NotFoundError,
    PkiStore,
    StoreError,
)
from mikey.pki.store.schema import AuditRow, Base, CaRow

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
ROOT_PASS = b"root passphrase"
ISSUING_PASS = b"issuing passphrase"


@pytest.fixture
def store(store_url: str) -> Iterator[PkiStore]:
    with PkiStore(store_url) as opened:
        yield opened


def make_cas(store: PkiStore) -> None:
    store.create_ca(
        "root",
        "CN=Store Root,O=Example",
        passphrase=ROOT_PASS,
        actor="alice",
        now=NOW,
        path_length=2,
    )
    store.create_ca(
        "issuing",
        "CN=Store Issuing,O=Example",
        passphrase=ISSUING_PASS,
        actor="alice",
        parent="root",
        parent_passphrase=ROOT_PASS,
        now=NOW,
        path_length=1,
        crl_urls=("http://pki.example.com/issuing.crl",),
    )


def row_counts(url: str) -> dict[str, int]:
    """Rows per table, read through a connection of its own: what is committed."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: connection.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def request(subject: str = "CN=device-7") -> x509.CertificateSigningRequest:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = x509.CertificateSigningRequestBuilder().subject_name(parse_name(subject))
    return builder.sign(key, hashes.SHA256())


def serials_from(values: list[int]) -> Callable[[], int]:
    """A stand-in for pyca's random_serial_number: ``values`` first, then random ones."""
    real = x509.random_serial_number
    pending = iter(values)
    lock = threading.Lock()

    def next_serial() -> int:
        with lock:
            return next(pending, None) or real()

    return next_serial


# -- CAs and issuance ----------------------------------------------------------------------


def test_cas_keep_their_keys_encrypted_and_their_chain(store: PkiStore, store_url: str) -> None:
    make_cas(store)
    store.create_ca(
        "devices",
        "CN=Store Devices",
        passphrase=b"devices passphrase",
        actor="alice",
        parent="issuing",
        parent_passphrase=ISSUING_PASS,
        now=NOW,
        path_length=0,
    )
    with pytest.raises(MikeyPkiError, match="path length 0"):
        store.create_ca(
            "below",
            "CN=Below",
            passphrase=b"below passphrase",
            actor="alice",
            parent="devices",
            parent_passphrase=b"devices passphrase",
            now=NOW,
        )
    root = store.load_ca("root", passphrase=ROOT_PASS)
    issuing = store.load_ca("issuing", passphrase=ISSUING_PASS)
    devices = store.load_ca("devices", passphrase=b"devices passphrase")
    assert root.chain == () and issuing.chain == ()  # the root is the trust anchor
    assert devices.chain == (issuing.certificate,)
    issuing.certificate.verify_directly_issued_by(root.certificate)
    assert issuing.crl_urls == ("http://pki.example.com/issuing.crl",)
    assert [(ca.name, ca.parent) for ca in store.list_cas()] == [
        ("root", None),
        ("issuing", "root"),
        ("devices", "issuing"),
    ]
    # CA certificates are recorded like any other, under their issuer.
    recorded = store.get_certificate(issuing.certificate.serial_number)
    assert (recorded.issuer, recorded.profile) == ("root", "ca")
    assert store.get_certificate(root.certificate.serial_number).issuer == "root"
    # At rest: encrypted PKCS#8 only; the clear key appears nowhere in the database.
    engine = create_engine(store_url)
    with engine.connect() as connection:
        keys = connection.scalars(select(CaRow.encrypted_key)).all()
    engine.dispose()
    assert all(k.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") for k in keys)
    clear = root.private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert all(clear not in k for k in keys)


def test_issue_records_the_certificate_and_an_audit_event(store: PkiStore) -> None:
    make_cas(store)
    generated = store.issue(
        "issuing", "client", passphrase=ISSUING_PASS, actor="bob", subject="CN=bob", now=NOW
    )
    assert generated.private_key is not None  # returned, never stored
    csr = request("CN=device-7")
    pem = csr.public_bytes(serialization.Encoding.PEM)
    der = csr.public_bytes(serialization.Encoding.DER)
    from_pem = store.issue("issuing", ENDPOINT, passphrase=ISSUING_PASS, actor="bob", csr=pem)
    from_der = store.issue("issuing", ENDPOINT, passphrase=ISSUING_PASS, actor="bob", csr=der)
    for issued in (from_pem, from_der):
        assert issued.private_key is None
        assert issued.certificate.subject == csr.subject
        assert issued.certificate.public_key() == csr.public_key()
    cert = generated.certificate
    stored = store.get_certificate(cert.serial_number)
    assert stored.certificate == cert
    assert (stored.issuer, stored.subject, stored.profile) == ("issuing", "CN=bob", "client")
    assert stored.not_before == NOW and stored.not_after == cert.not_valid_after_utc
    assert stored.fingerprint_sha256 == cert.fingerprint(hashes.SHA256()).hex()
    assert stored.status is x509.ocsp.OCSPCertStatus.GOOD and stored.revocation is None
    events = store.audit_trail(action=AuditAction.CERTIFICATE_ISSUED)
    assert [(e.actor, e.target) for e in events] == [
        ("bob", f"{c.certificate.serial_number:x}") for c in (generated, from_pem, from_der)
    ]
    assert events[0].at == NOW
    assert events[0].details["profile"] == "client" and events[1].details["from_csr"] is True
    assert [e.action for e in store.audit_trail(actor="alice")] == ["ca.created", "ca.created"]
    # Finding.
    assert len(store.find_certificates(issuer="issuing")) == 3
    assert len(store.find_certificates(profile="ca")) == 2
    assert [c.certificate for c in store.find_certificates(subject="CN=bob")] == [cert]
    assert store.find_certificates(subject=parse_name("CN=device-7"), issuer="root") == []


# -- revocation, status, CRLs --------------------------------------------------------------


def test_revocation_status_lookup_and_crl(store: PkiStore) -> None:
    make_cas(store)
    issue = store.issue
    alice = issue("issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject="CN=alice")
    carol = issue("issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject="CN=carol")
    serial = alice.certificate.serial_number
    revocation = store.revoke(
        serial, actor="carol", reason=x509.ReasonFlags.key_compromise, now=LATER
    )
    assert revocation.revoked_at == LATER
    issuing = store.get_ca("issuing").certificate
    assert store.certificate_status(issuing, serial) == revocation
    assert store.certificate_status("issuing", carol.certificate.serial_number) is None
    assert store.certificate_status(issuing, 12345) is UNKNOWN
    assert store.certificate_status(store.get_ca("root").certificate, serial) is UNKNOWN
    assert store.certificate_status(alice.certificate, serial) is UNKNOWN  # not a CA
    revoked = x509.ocsp.OCSPCertStatus.REVOKED
    assert [c.serial_number for c in store.find_certificates(status=revoked)] == [serial]
    with pytest.raises(StoreError, match="revoked already"):
        store.revoke(serial, actor="carol")
    with pytest.raises(NotFoundError, match="no certificate"):
        store.revoke(12345, actor="carol")
    with pytest.raises(MikeyPkiError, match="root CA"):
        store.revoke(store.get_ca("root").certificate.serial_number, actor="carol")
    crl = store.build_crl("issuing", passphrase=ISSUING_PASS, actor="carol", now=LATER)
    check_crl(crl, issuing, now=LATER)
    assert revocation_of(alice.certificate, crl) == revocation
    assert revocation_of(carol.certificate, crl) is None
    assert store.latest_crl("issuing") == crl
    assert store.latest_crl("root") is None
    # A revoked intermediate may not issue any more; it is on its parent's CRL.
    store.revoke(issuing.serial_number, actor="carol", reason=x509.ReasonFlags.ca_compromise)
    with pytest.raises(MikeyPkiError, match="revoked"):
        issue("issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject="CN=dave")
    root_crl = store.build_crl("root", passphrase=ROOT_PASS, actor="carol", now=LATER)
    assert root_crl.get_revoked_certificate_by_serial_number(issuing.serial_number) is not None


def test_an_ocsp_responder_answers_from_the_store(store: PkiStore) -> None:
    make_cas(store)
    issuing = store.load_ca("issuing", passphrase=ISSUING_PASS)
    good, bad = (
        store.issue("issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject=f"CN={n}")
        for n in ("good", "bad")
    )
    store.revoke(
        bad.certificate.serial_number, actor="carol", reason=x509.ReasonFlags.superseded, now=LATER
    )
    responder = OcspResponder(
        signers=(OcspSigner.for_ca(issuing),), status_of=store.certificate_status
    )
    answers = {}
    for issued in (good, bad):
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate(issued.certificate, issuing.certificate, hashes.SHA256())
            .build()
        )
        der = responder.respond(request.public_bytes(serialization.Encoding.DER), now=LATER)
        answers[issued] = ocsp.load_der_ocsp_response(der)
    assert answers[good].certificate_status is ocsp.OCSPCertStatus.GOOD
    assert answers[bad].certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert answers[bad].revocation_time_utc == LATER
    assert answers[bad].revocation_reason is x509.ReasonFlags.superseded


def test_crl_numbers_grow_across_reopening(store_url: str) -> None:
    with PkiStore(store_url) as store:
        make_cas(store)
        for _ in range(2):
            store.build_crl("issuing", passphrase=ISSUING_PASS, actor="carol", now=NOW)
        store.build_crl("root", passphrase=ROOT_PASS, actor="carol", now=NOW)
    with PkiStore(store_url) as store:
        crl = store.build_crl("issuing", passphrase=ISSUING_PASS, actor="carol", now=LATER)
        latest = store.latest_crl("issuing")
        numbers = [e.details["number"] for e in store.audit_trail(action="crl.issued")]
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 3
    assert latest == crl
    assert numbers == [1, 2, 1, 3]  # per CA: the root has its own count


def test_a_reopened_store_sees_everything(store_url: str) -> None:
    with PkiStore(store_url) as store:
        make_cas(store)
        issued = store.issue(
            "issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject="CN=erin", now=NOW
        )
        store.revoke(issued.certificate.serial_number, actor="carol", now=LATER)
        before = (store.list_cas(), store.find_certificates(), store.audit_trail())
    with PkiStore(store_url) as store:
        assert (store.list_cas(), store.find_certificates(), store.audit_trail()) == before
        assert store.get_ca("issuing").certificate == before[0][1].certificate
        status = store.certificate_status("issuing", issued.certificate.serial_number)
        assert status is not None and status is not UNKNOWN and status.revoked_at == LATER
        again = store.issue(  # the key still opens with its passphrase
            "issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject="CN=frank"
        )
        assert store.get_certificate(again.certificate.serial_number).subject == "CN=frank"


# -- the audit trail -----------------------------------------------------------------------


def test_the_database_refuses_to_change_the_audit_trail(store: PkiStore, store_url: str) -> None:
    make_cas(store)
    engine = create_engine(store_url)
    attempts: list[Executable] = [update(AuditRow).values(actor="mallory"), delete(AuditRow)]
    if engine.dialect.name == "postgresql":
        attempts.append(text("TRUNCATE pki_audit"))
    try:
        for statement in attempts:
            with pytest.raises(IntegrityError, match="append-only"), engine.begin() as c:
                c.execute(statement)
    finally:
        engine.dispose()
    assert [e.actor for e in store.audit_trail()] == ["alice", "alice"]
    assert not any(hasattr(store, n) for n in ("delete_audit", "update_audit", "clear_audit"))


# -- bad input: a clear error, and nothing written -----------------------------------------


def _bad_signature_csr() -> bytes:
    der = request().public_bytes(serialization.Encoding.DER)
    return der[:-1] + bytes([der[-1] ^ 0x01])  # the last byte of the signature's s


BAD_INPUT: dict[str, tuple[Callable[[PkiStore], object], type[MikeyError], str]] = {
    "malformed PEM CSR": (
        lambda s: s.issue(
            "issuing",
            ENDPOINT,
            passphrase=ISSUING_PASS,
            actor="bob",
            csr=b"-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgQ1NS\n"
            b"-----END CERTIFICATE REQUEST-----\n",
        ),
        MikeyPkiError,
        "not a valid PEM CSR",
    ),
    "malformed DER CSR": (
        lambda s: s.issue(
            "issuing", ENDPOINT, passphrase=ISSUING_PASS, actor="bob", csr=b"\x30\x82\x01"
        ),
        MikeyPkiError,
        "not a valid DER CSR",
    ),
    "CSR with a bad signature": (
        lambda s: s.issue(
            "issuing", ENDPOINT, passphrase=ISSUING_PASS, actor="bob", csr=_bad_signature_csr()
        ),
        MikeyPkiError,
        "signature does not verify",
    ),
    "wrong passphrase": (
        lambda s: s.issue(
            "issuing", CLIENT, passphrase=b"not the one", actor="bob", subject="CN=x"
        ),
        MikeyPkiError,
        "wrong passphrase for the key of CA 'issuing'",
    ),
    "wrong parent passphrase": (
        lambda s: s.create_ca(
            "other",
            "CN=Other",
            passphrase=b"other passphrase",
            actor="alice",
            parent="root",
            parent_passphrase=b"not the one",
        ),
        MikeyPkiError,
        "wrong passphrase for the key of CA 'root'",
    ),
    "unknown profile": (
        lambda s: s.issue("issuing", "nope", passphrase=ISSUING_PASS, actor="bob", subject="CN=x"),
        MikeyValueError,
        "unknown certificate profile 'nope'",
    ),
    "key the profile refuses": (
        lambda s: s.issue(
            "issuing", HIGH_SECURITY, passphrase=ISSUING_PASS, actor="bob", csr=request()
        ),
        MikeyValueError,
        "profile high-security takes",
    ),
    "duplicate CA name": (
        lambda s: s.create_ca("issuing", "CN=Again", passphrase=ROOT_PASS, actor="alice"),
        DuplicateNameError,
        "a CA called 'issuing' exists already",
    ),
    "unknown CA": (
        lambda s: s.issue("nope", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject="CN=x"),
        NotFoundError,
        "no CA called 'nope'",
    ),
    "short passphrase": (
        lambda s: s.create_ca("short", "CN=Short", passphrase=b"short", actor="alice"),
        MikeyValueError,
        "at least 8 bytes",
    ),
    "no actor": (
        lambda s: s.issue("issuing", CLIENT, passphrase=ISSUING_PASS, actor=" ", subject="CN=x"),
        MikeyValueError,
        "actor must not be empty",
    ),
    "naive time": (
        lambda s: s.revoke(1, actor="carol", now=datetime(2026, 1, 1)),
        MikeyValueError,
        "aware datetime",
    ),
    "bad subject": (
        lambda s: s.issue("issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject="x"),
        MikeyValueError,
        "not an RFC 4514 name",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_a_clear_error_and_writes_nothing(
    case: str, store: PkiStore, store_url: str
) -> None:
    make_cas(store)
    before = row_counts(store_url)
    operation, error, message = BAD_INPUT[case]
    with pytest.raises(error, match=message):
        operation(store)
    assert row_counts(store_url) == before


def test_a_database_failure_half_way_writes_nothing(
    store: PkiStore, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_cas(store)
    before = row_counts(store_url)

    def broken_audit(session: object, **_: object) -> None:
        # The certificate row is in; the audit row breaks a NOT NULL constraint.
        session.add(AuditRow(at=NOW, actor=None, action="x", target="x", details={}))  # type: ignore[attr-defined]

    monkeypatch.setattr(PkiStore, "_audit", staticmethod(broken_audit))
    with pytest.raises(StoreError, match="nothing was written"):
        store.issue("issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject="CN=x")
    assert row_counts(store_url) == before


# -- serial numbers ------------------------------------------------------------------------


def test_a_serial_collision_signs_again_with_a_fresh_one(
    store: PkiStore, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_cas(store)
    first = store.issue("issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject="CN=a")
    taken = first.certificate.serial_number
    monkeypatch.setattr(x509, "random_serial_number", serials_from([taken]))
    second = store.issue("issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject="CN=b")
    assert second.certificate.serial_number != taken
    assert second.certificate.subject == parse_name("CN=b")
    stored = store.get_certificate(second.certificate.serial_number)
    assert stored.certificate == second.certificate
    assert second.certificate.public_key() == second.private_key.public_key()  # type: ignore[union-attr]
    before = row_counts(store_url)
    monkeypatch.setattr(x509, "random_serial_number", lambda: taken)  # a broken source
    with pytest.raises(StoreError, match="serial numbers in a row were taken"):
        store.issue("issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject="CN=c")
    assert row_counts(store_url) == before


def test_concurrent_issuance_never_reuses_a_serial(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with PkiStore(store_url) as setup:
        make_cas(setup)
    issues = 32
    # Each of the first serial numbers is handed to two issuers: the database decides.
    monkeypatch.setattr(x509, "random_serial_number", serials_from([1, 1, 2, 2, 3, 3]))
    stores = [PkiStore(store_url) for _ in range(2)]  # two connection pools, as two hosts
    try:

        def issue(i: int) -> int:
            issued = stores[i % 2].issue(
                "issuing",
                CLIENT,
                passphrase=ISSUING_PASS,
                actor=f"worker-{i % 8}",
                subject=f"CN=device-{i}",
                now=NOW,
            )
            return issued.certificate.serial_number

        with ThreadPoolExecutor(max_workers=8) as pool:
            serials = list(pool.map(issue, range(issues)))
        trail = stores[0].audit_trail(action=AuditAction.CERTIFICATE_ISSUED)
    finally:
        for opened in stores:
            opened.close()
    assert len(set(serials)) == issues
    assert {1, 2, 3} <= set(serials)
    assert sorted(int(e.target, 16) for e in trail) == sorted(serials)
    counts = row_counts(store_url)
    assert counts["pki_certificate"] == issues + 2  # and the two CA certificates
    assert counts["pki_audit"] == issues + 2


def test_concurrent_creation_of_one_name_makes_one_ca(store_url: str) -> None:
    with PkiStore(store_url) as store:
        barrier = threading.Barrier(4)

        def create(i: int) -> str:
            barrier.wait()
            try:
                store.create_ca("twin", f"CN=Twin {i}", passphrase=ROOT_PASS, actor="alice")
            except DuplicateNameError:
                return "duplicate"
            return "created"

        with ThreadPoolExecutor(max_workers=4) as pool:
            outcomes = sorted(pool.map(create, range(4)))
        assert outcomes == ["created", "duplicate", "duplicate", "duplicate"]
        assert len(store.audit_trail()) == 1
    counts = row_counts(store_url)
    assert (counts["pki_ca"], counts["pki_certificate"]) == (1, 1)


# -- opening -------------------------------------------------------------------------------


def test_an_in_memory_store_serves_threads() -> None:
    with PkiStore("sqlite://") as store:
        make_cas(store)
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(
                pool.map(
                    lambda i: store.issue(
                        "issuing", CLIENT, passphrase=ISSUING_PASS, actor="bob", subject=f"CN=m{i}"
                    ),
                    range(8),
                )
            )
        assert len(store.find_certificates(issuer="issuing")) == 8


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nosuchdatabase://x", "cannot use the database URL"),
        ("mysql://u@localhost/db", "no database driver for mysql"),
        ("postgresql+psycopg://u@/db?host=/nonexistent/socket", "failed"),
    ],
)
def test_a_store_that_cannot_open_says_why(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        PkiStore(url)


def test_mikey_pki_imports_without_the_store_extra() -> None:
    """SQLAlchemy loads only when a store name is used: MIKEY's certificate modes import
    mikey.pki and must not need the ``store`` extra."""
    code = (
        "import sys, mikey.pki\n"
        "assert 'sqlalchemy' not in sys.modules\n"
        "from mikey.pki import PkiStore\n"
        "assert 'sqlalchemy' in sys.modules and PkiStore.__name__ == 'PkiStore'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
