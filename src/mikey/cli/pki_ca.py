"""``mikey pki`` commands that run the CA from its store (``mikey.pki.store``): ``init``,
``issue``, ``list``, ``revoke``, ``crl``, ``renew``, ``export``, ``audit``.

The store is a SQLAlchemy URL: ``--store``, else ``$MIKEY_PKI_STORE``, else a SQLite file
in the working directory. A CA's private key lives in the store, encrypted under a
passphrase taken from ``--passphrase-env NAME``, ``--passphrase-file PATH`` or a prompt,
never from the command line. Keys the CA generates for a certificate are written to
``--key-out`` the same way (encrypted PKCS#8, mode 0600). Every change is recorded in the
store's audit trail under ``--actor`` (default: the login name).

Exit codes: 0 success, 1 refused or bad input (unknown CA or serial, wrong passphrase, a
CSR whose signature does not verify), 2 bad usage.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mikey.cli.output import fail
from mikey.cli.pki import pki_app
from mikey.errors import MikeyError
from mikey.pki.inspect import pem
from mikey.pki.keyfile import load_private_key, passphrase, save_private_key
from mikey.pki.keys import KeyType
from mikey.pki.profiles import PROFILES
from mikey.pki.store import DEFAULT_URL, PkiStore, StoredCertificate, load_csr

__all__: list[str] = []

STORE_ENV = "MIKEY_PKI_STORE"

_JSON = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
_STORE = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="URL",
        help=f"Store URL (sqlite:///file, postgresql+psycopg://…); default ${STORE_ENV}"
        f" or {DEFAULT_URL}.",
    ),
]
_PASS_ENV = Annotated[
    str | None,
    typer.Option("--passphrase-env", metavar="NAME", help="Read the CA passphrase from $NAME."),
]
_PASS_FILE = Annotated[
    Path | None,
    typer.Option("--passphrase-file", metavar="PATH", help="Read the CA passphrase from a file."),
]
_ACTOR = Annotated[
    str | None, typer.Option("--actor", help="Who does this, for the audit trail (default: you).")
]
_REASONS = {
    flag.value: flag for flag in x509.ReasonFlags if flag is not x509.ReasonFlags.remove_from_crl
}


def _store(url: str | None, *, as_json: bool) -> PkiStore:
    try:
        return PkiStore(url or os.environ.get(STORE_ENV) or DEFAULT_URL)
    except MikeyError as exc:
        fail(str(exc), 1, as_json=as_json)


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return "cli"


def _passphrase(env: str | None, file: Path | None, prompt: str, *, as_json: bool) -> bytes:
    try:
        if env is not None or file is not None:
            return passphrase(env=env, file=file)
        return passphrase(prompt=prompt)
    except MikeyError as exc:
        fail(str(exc), 2, as_json=as_json)


def _serial(text: str, *, as_json: bool) -> int:
    try:
        return int(text.replace(":", ""), 16)
    except ValueError:
        fail(f"{text!r} is not a serial number in hex", 2, as_json=as_json)


def stored_certificate(serial: str, store: str | None, *, as_json: bool) -> StoredCertificate:
    """The certificate with ``serial`` (hex) in the store, for ``mikey pki info``."""
    number = _serial(serial, as_json=as_json)
    with _store(store, as_json=as_json) as pki:
        try:
            return pki.get_certificate(number)
        except MikeyError as exc:
            fail(str(exc), 1, as_json=as_json)


def _record(stored: StoredCertificate) -> dict[str, Any]:
    revocation = stored.revocation
    return {
        "serial": f"{stored.serial_number:x}",
        "issuer": stored.issuer,
        "subject": stored.subject,
        "profile": stored.profile,
        "not_before": stored.not_before.isoformat(),
        "not_after": stored.not_after.isoformat(),
        "status": "revoked" if revocation is not None else "good",
        "revoked_at": revocation.revoked_at.isoformat() if revocation else None,
        "revocation_reason": revocation.reason.value if revocation else None,
        "sha256_fingerprint": stored.fingerprint_sha256,
    }


def _write(path: Path | None, data: bytes, *, as_json: bool) -> None:
    if path is None:
        return
    try:
        path.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}", 2, as_json=as_json)


def _done(out: dict[str, Any], text: str, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(out, indent=2))
    else:
        Console(highlight=False, emoji=False, soft_wrap=True).print(text)


@pki_app.command()
def init(
    name: Annotated[str, typer.Argument(help="The CA's name in the store.")],
    *,
    subject: Annotated[str, typer.Option("--subject", help="RFC 4514 subject, e.g. 'CN=Root'.")],
    parent: Annotated[
        str | None, typer.Option("--parent", help="Make an intermediate under this CA.")
    ] = None,
    key_type: Annotated[
        str, typer.Option("--key-type", help=f"One of {', '.join(k.value for k in KeyType)}.")
    ] = KeyType.ECDSA_P384.value,
    path_length: Annotated[
        int | None, typer.Option("--path-length", help="CAs allowed below this one.")
    ] = None,
    lifetime_days: Annotated[
        int | None, typer.Option("--lifetime-days", help="Validity (default 20 y root, 10 y CA).")
    ] = None,
    crl_url: Annotated[
        list[str] | None, typer.Option("--crl-url", help="CRL distribution point to embed.")
    ] = None,
    ocsp_url: Annotated[str | None, typer.Option("--ocsp-url", help="OCSP URL to embed.")] = None,
    store: _STORE = None,
    passphrase_env: _PASS_ENV = None,
    passphrase_file: _PASS_FILE = None,
    actor: _ACTOR = None,
    as_json: _JSON = False,
) -> None:
    """Create a root CA, or an intermediate CA with --parent, in the store.

    The new CA's key is encrypted under the passphrase; a parent's key is unlocked with
    the same one.
    """
    try:
        kind = KeyType(key_type)
    except ValueError:
        fail(
            f"--key-type {key_type!r}: use {', '.join(k.value for k in KeyType)}",
            2,
            as_json=as_json,
        )
    secret = _passphrase(passphrase_env, passphrase_file, "CA passphrase: ", as_json=as_json)
    options: dict[str, Any] = {
        "key_type": kind,
        "crl_urls": tuple(crl_url or ()),
        "ocsp_url": ocsp_url,
    }
    if path_length is not None:
        options["path_length"] = path_length
    if lifetime_days is not None:
        options["lifetime"] = timedelta(days=lifetime_days)
    with _store(store, as_json=as_json) as pki:
        try:
            ca = pki.create_ca(
                name,
                subject,
                passphrase=secret,
                actor=_actor(actor),
                parent=parent,
                parent_passphrase=secret if parent else None,
                **options,
            )
        except MikeyError as exc:
            fail(str(exc), 1, as_json=as_json)
    certificate = ca.certificate
    subject_text = certificate.subject.rfc4514_string()
    not_after = certificate.not_valid_after_utc.isoformat()
    out = {
        "name": name,
        "subject": subject_text,
        "serial": f"{certificate.serial_number:x}",
        "not_after": not_after,
        "parent": parent,
        "key": kind.value,
    }
    where = f"under {escape(parent)}" if parent else "root"
    _done(
        out,
        f"[green]created[/green] CA {escape(name)}: {escape(subject_text)} ({kind.value},"
        f" {where}, valid to {not_after[:10]})",
        as_json=as_json,
    )


@pki_app.command()
def issue(
    ca: Annotated[str, typer.Argument(help="The issuing CA's name.")],
    *,
    profile: Annotated[
        str, typer.Option("--profile", help=f"One of {', '.join(sorted(PROFILES))}.")
    ] = "endpoint",
    subject: Annotated[str | None, typer.Option("--subject", help="RFC 4514 subject.")] = None,
    san: Annotated[
        list[str] | None,
        typer.Option("--san", help="Subject alternative name: DNS, IP, e-mail or URI."),
    ] = None,
    csr: Annotated[
        Path | None, typer.Option("--csr", help="Certify the key of this PKCS#10 request.")
    ] = None,
    cert_out: Annotated[
        Path | None, typer.Option("--cert-out", help="Write the certificate (PEM) here.")
    ] = None,
    key_out: Annotated[
        Path | None,
        typer.Option("--key-out", help="Without --csr: write the generated key here."),
    ] = None,
    key_passphrase_env: Annotated[
        str | None,
        typer.Option(
            "--key-passphrase-env", metavar="NAME", help="Encrypt the new key with $NAME."
        ),
    ] = None,
    store: _STORE = None,
    passphrase_env: _PASS_ENV = None,
    passphrase_file: _PASS_FILE = None,
    actor: _ACTOR = None,
    as_json: _JSON = False,
) -> None:
    """Issue an end-entity certificate under a profile, for a key the CA generates
    (written encrypted to --key-out) or for the key of a CSR."""
    if csr is None and key_out is None:
        fail("give --csr, or --key-out for the key the CA generates", 2, as_json=as_json)
    request = None
    if csr is not None:
        try:
            request = load_csr(csr.read_bytes(), source=str(csr))
        except OSError as exc:
            fail(f"cannot read {csr}: {exc.strerror or exc}", 2, as_json=as_json)
        except MikeyError as exc:
            fail(str(exc), 1, as_json=as_json)
    secret = _passphrase(passphrase_env, passphrase_file, "CA passphrase: ", as_json=as_json)
    key_secret = None
    if request is None:
        key_secret = _passphrase(
            key_passphrase_env, None, "passphrase for the new key: ", as_json=as_json
        )
    with _store(store, as_json=as_json) as pki:
        try:
            issued = pki.issue(
                ca,
                profile,
                passphrase=secret,
                actor=_actor(actor),
                subject=subject,
                sans=tuple(san or ()),
                csr=request,
            )
            if issued.private_key is not None and key_out is not None and key_secret:
                save_private_key(key_out, issued.private_key, key_secret)
        except MikeyError as exc:
            fail(str(exc), 1, as_json=as_json)
    certificate = issued.certificate
    _write(cert_out, pem([certificate]), as_json=as_json)
    subject_text = certificate.subject.rfc4514_string()
    not_after = certificate.not_valid_after_utc.isoformat()
    out = {
        "serial": f"{certificate.serial_number:x}",
        "subject": subject_text,
        "issuer": ca,
        "profile": profile,
        "not_after": not_after,
        "certificate": str(cert_out) if cert_out else pem([certificate]).decode(),
        "key": str(key_out) if issued.private_key is not None and key_out else None,
    }
    text = (
        f"[green]issued[/green] {escape(subject_text)} serial {certificate.serial_number:x}"
        f" ({escape(profile)}, valid to {not_after[:10]})"
    )
    if cert_out is None:
        text += "\n" + pem([certificate]).decode().rstrip()
    _done(out, text, as_json=as_json)


@pki_app.command("list")
def list_certificates(
    *,
    ca: Annotated[str | None, typer.Option("--ca", help="Only this CA's certificates.")] = None,
    store: _STORE = None,
    as_json: _JSON = False,
) -> None:
    """List the certificates the store's CAs issued, oldest first."""
    with _store(store, as_json=as_json) as pki:
        try:
            records = [_record(c) for c in pki.find_certificates(issuer=ca)]
        except MikeyError as exc:
            fail(str(exc), 1, as_json=as_json)
    if as_json:
        print(json.dumps(records, indent=2))
        return
    table = Table("serial", "subject", "issuer", "profile", "valid to", "status", box=None)
    for r in records:
        status = "[red]revoked[/red]" if r["status"] == "revoked" else "good"
        table.add_row(
            r["serial"][:16] + "…",
            escape(r["subject"]),
            escape(r["issuer"]),
            r["profile"],
            r["not_after"][:10],
            status,
        )
    Console(highlight=False, emoji=False).print(table)


@pki_app.command()
def revoke(
    serial: Annotated[str, typer.Argument(help="Serial number (hex).")],
    *,
    reason: Annotated[
        str, typer.Option("--reason", help=f"One of {', '.join(_REASONS)}.")
    ] = "unspecified",
    store: _STORE = None,
    actor: _ACTOR = None,
    as_json: _JSON = False,
) -> None:
    """Revoke a certificate: on its CA's next CRL, and revoked to OCSP at once."""
    flag = _REASONS.get(reason)
    if flag is None:
        fail(f"--reason {reason!r}: use one of {', '.join(_REASONS)}", 2, as_json=as_json)
    number = _serial(serial, as_json=as_json)
    with _store(store, as_json=as_json) as pki:
        try:
            revocation = pki.revoke(number, actor=_actor(actor), reason=flag)
        except MikeyError as exc:
            fail(str(exc), 1, as_json=as_json)
    out = {
        "serial": f"{number:x}",
        "revoked_at": revocation.revoked_at.isoformat(),
        "reason": revocation.reason.value,
    }
    _done(out, f"[red]revoked[/red] {out['serial']} ({out['reason']})", as_json=as_json)


@pki_app.command()
def crl(
    ca: Annotated[str, typer.Argument(help="The CA whose next CRL to issue.")],
    *,
    out: Annotated[Path | None, typer.Option("--out", help="Write the CRL (PEM) here.")] = None,
    store: _STORE = None,
    passphrase_env: _PASS_ENV = None,
    passphrase_file: _PASS_FILE = None,
    actor: _ACTOR = None,
    as_json: _JSON = False,
) -> None:
    """Issue the CA's next CRL (numbered one above the last) with every revocation."""
    secret = _passphrase(passphrase_env, passphrase_file, "CA passphrase: ", as_json=as_json)
    with _store(store, as_json=as_json) as pki:
        try:
            made = pki.build_crl(ca, passphrase=secret, actor=_actor(actor))
        except MikeyError as exc:
            fail(str(exc), 1, as_json=as_json)
    data = made.public_bytes(serialization.Encoding.PEM)
    _write(out, data, as_json=as_json)
    number = made.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    result = {
        "ca": ca,
        "number": number,
        "revoked": len(list(made)),
        "next_update": made.next_update_utc.isoformat() if made.next_update_utc else None,
        "crl": str(out) if out else data.decode(),
    }
    text = f"CRL {number} of {escape(ca)}: {result['revoked']} revoked"
    if out is None:
        text += "\n" + data.decode().rstrip()
    _done(result, text, as_json=as_json)


@pki_app.command()
def renew(
    serial: Annotated[str, typer.Argument(help="Serial number (hex) of the certificate.")],
    *,
    cert_out: Annotated[
        Path | None, typer.Option("--cert-out", help="Write the new certificate (PEM) here.")
    ] = None,
    store: _STORE = None,
    passphrase_env: _PASS_ENV = None,
    passphrase_file: _PASS_FILE = None,
    actor: _ACTOR = None,
    as_json: _JSON = False,
) -> None:
    """Certify the same key again: same CA, profile, subject and names, a new serial
    and validity period. (To change the key, issue from a new CSR.)"""
    number = _serial(serial, as_json=as_json)
    secret = _passphrase(passphrase_env, passphrase_file, "CA passphrase: ", as_json=as_json)
    with _store(store, as_json=as_json) as pki:
        try:
            old = pki.get_certificate(number)
            try:
                sans = old.certificate.extensions.get_extension_for_class(
                    x509.SubjectAlternativeName
                ).value
                names = [_plain_name(n) for n in sans]
            except x509.ExtensionNotFound:
                names = []
            issued = pki.issue(
                old.issuer,
                old.profile,
                passphrase=secret,
                actor=_actor(actor),
                subject=old.certificate.subject,
                sans=names,
                public_key=old.certificate.public_key(),  # type: ignore[arg-type]
            )
        except MikeyError as exc:
            fail(str(exc), 1, as_json=as_json)
    certificate = issued.certificate
    _write(cert_out, pem([certificate]), as_json=as_json)
    out = {
        "renewed": f"{number:x}",
        "serial": f"{certificate.serial_number:x}",
        "not_after": certificate.not_valid_after_utc.isoformat(),
        "certificate": str(cert_out) if cert_out else pem([certificate]).decode(),
    }
    _done(
        out,
        f"[green]renewed[/green] {out['renewed']} as {out['serial']}, valid to"
        f" {out['not_after'][:10]}",
        as_json=as_json,
    )


def _plain_name(name: x509.GeneralName) -> str:
    """A subject alternative name back in the plain form ``--san`` takes."""
    return str(name.value)


@pki_app.command()
def export(
    serial: Annotated[
        str | None, typer.Argument(help="Serial number (hex) of the certificate.")
    ] = None,
    *,
    ca: Annotated[
        str | None, typer.Option("--ca", help="Instead: the certificate of this CA.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="The file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="pem (with chain), der or p12.")] = "pem",
    key: Annotated[
        Path | None, typer.Option("--key", help="p12: the certificate's encrypted key file.")
    ] = None,
    key_passphrase_env: Annotated[
        str | None,
        typer.Option(
            "--key-passphrase-env", metavar="NAME", help="p12: $NAME unlocks --key and the p12."
        ),
    ] = None,
    store: _STORE = None,
    as_json: _JSON = False,
) -> None:
    """Export a certificate as PEM (followed by the CAs between it and the root, the
    chain a peer sends; the root, a trust anchor, is exported on its own with --ca), DER,
    or PKCS#12 (with its private key, encrypted under the key's passphrase)."""
    if fmt not in ("pem", "der", "p12"):
        fail(f"--format {fmt!r}: use pem, der or p12", 2, as_json=as_json)
    if (serial is None) == (ca is None):
        fail("give a serial number or --ca NAME", 2, as_json=as_json)
    with _store(store, as_json=as_json) as pki:
        try:
            if ca is not None:
                stored_ca = pki.get_ca(ca)
                certificate, chain = stored_ca.certificate, _chain(pki, stored_ca.parent)
                number = certificate.serial_number
            else:
                number = _serial(serial or "", as_json=as_json)
                stored = pki.get_certificate(number)
                certificate, chain = stored.certificate, _chain(pki, stored.issuer)
        except MikeyError as exc:
            fail(str(exc), 1, as_json=as_json)
    chain = chain[:-1]  # without the root: relying parties hold it already
    if fmt == "pem":
        data = pem([certificate, *chain])
    elif fmt == "der":
        data = certificate.public_bytes(serialization.Encoding.DER)
    else:
        if key is None:
            fail("--format p12 needs --key", 2, as_json=as_json)
        secret = _passphrase(key_passphrase_env, None, "key passphrase: ", as_json=as_json)
        try:
            private_key = load_private_key(key, secret)
        except MikeyError as exc:
            fail(str(exc), 1, as_json=as_json)
        if private_key.public_key() != certificate.public_key():
            fail(f"{key} is not the key of certificate {number:x}", 1, as_json=as_json)
        data = pkcs12.serialize_key_and_certificates(
            name=certificate.subject.rfc4514_string().encode(),
            key=private_key,
            cert=certificate,
            cas=chain,
            encryption_algorithm=serialization.BestAvailableEncryption(secret),
        )
    _write(out, data, as_json=as_json)
    _done(
        {"serial": f"{number:x}", "format": fmt, "out": str(out), "bytes": len(data)},
        f"exported {number:x} as {fmt} to {escape(str(out))} ({len(data)} bytes)",
        as_json=as_json,
    )


def _chain(pki: PkiStore, issuer: str | None) -> list[x509.Certificate]:
    """The issuing CA's certificate and its ancestors', up to the root."""
    chain = []
    name = issuer
    while name is not None:
        ca = pki.get_ca(name)
        chain.append(ca.certificate)
        name = ca.parent
    return chain


@pki_app.command()
def audit(
    *,
    since_hours: Annotated[
        float | None, typer.Option("--since-hours", help="Only events this recent.")
    ] = None,
    store: _STORE = None,
    as_json: _JSON = False,
) -> None:
    """Show the audit trail: who did what, when (append-only)."""
    since = None if since_hours is None else datetime.now(UTC) - timedelta(hours=since_hours)
    with _store(store, as_json=as_json) as pki:
        events = pki.audit_trail(since=since)
    if as_json:
        records = [
            {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "target": e.target}
            | {"details": e.details}
            for e in events
        ]
        print(json.dumps(records, indent=2))
        return
    table = Table("at", "actor", "action", "target", box=None)
    for e in events:
        table.add_row(f"{e.at:%Y-%m-%d %H:%M:%S}", escape(e.actor), e.action, escape(e.target))
    Console(highlight=False, emoji=False).print(table)


@pki_app.command("ocsp-serve")
def ocsp_serve(
    *,
    ca: Annotated[list[str], typer.Option("--ca", help="A CA to answer for (repeatable).")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8080,
    store: _STORE = None,
    passphrase_env: _PASS_ENV = None,
    passphrase_file: _PASS_FILE = None,
) -> None:
    """Answer OCSP over HTTP (RFC 6960) for the CAs given, from the store's records:
    POST / or GET /{base64}; each answer is signed by its CA. Stop with Ctrl-C."""
    import uvicorn

    from mikey.pki.ocsp import OcspResponder, OcspSigner, ocsp_app

    secret = _passphrase(passphrase_env, passphrase_file, "CA passphrase: ", as_json=False)
    pki = _store(store, as_json=False)
    try:
        signers = tuple(OcspSigner.for_ca(pki.load_ca(name, passphrase=secret)) for name in ca)
    except MikeyError as exc:
        pki.close()
        fail(str(exc), 1, as_json=False)
    responder = OcspResponder(signers=signers, status_of=pki.certificate_status)
    Console(highlight=False, emoji=False, soft_wrap=True).print(
        f"OCSP for {escape(', '.join(ca))} at http://{host}:{port}/ (store {escape(pki.url)})"
    )
    try:
        uvicorn.run(ocsp_app(responder), host=host, port=port, log_level="warning")
    finally:
        pki.close()
