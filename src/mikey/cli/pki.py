"""``mikey pki``: the certificate authority from the command line.

Commands that read files: ``info`` (what a certificate says) and ``verify`` (RFC 5280
path validation with revocation, ``mikey.pki.validate``). Every command prints for
people by default and JSON with ``--json``.

Exit codes: 0 success (for ``verify``: the chain is valid), 1 bad input or a refused
chain, 2 bad usage (a file that cannot be read, an unknown option value).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from rich.console import Console
from rich.markup import escape

from mikey.cli.output import fail
from mikey.errors import MikeyError
from mikey.pki.inspect import certificate_info, load_certificates, load_crl
from mikey.pki.ocsp import OcspClient
from mikey.pki.validation import RevocationMode, ValidationError, validate

__all__ = ["pki_app"]

pki_app = typer.Typer(
    help="Certificate authority: inspect and verify certificates.",
    no_args_is_help=True,
    add_completion=False,
)

_JSON = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]

USAGES: dict[str, x509.ObjectIdentifier] = {
    "server": ExtendedKeyUsageOID.SERVER_AUTH,
    "client": ExtendedKeyUsageOID.CLIENT_AUTH,
}
"""``--usage`` names for the extended key usages our profiles write."""


def _read(path: Path, *, as_json: bool) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}", 2, as_json=as_json)


def _certificates(path: Path, *, as_json: bool) -> list[x509.Certificate]:
    try:
        return load_certificates(_read(path, as_json=as_json), source=str(path))
    except MikeyError as exc:
        fail(str(exc), 1, as_json=as_json)


def _parse_time(value: str | None, *, as_json: bool) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--at {value!r} is not an ISO 8601 time", 2, as_json=as_json)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _print_info(info: dict[str, Any], console: Console) -> None:
    rows = [
        ("Subject", info["subject"]),
        ("Issuer", info["issuer"]),
        ("Serial", info["serial"]),
        ("Valid", f"{info['not_before']} to {info['not_after']}"),
        ("Names", ", ".join(info["subject_alternative_names"]) or "(none)"),
        ("Key", info["key"]),
        ("Signature", str(info["signature_algorithm"])),
        ("SHA-256", info["sha256_fingerprint"]),
        ("SHA-1", info["sha1_fingerprint"]),
    ]
    for extra, label in (
        ("status", "Status"),
        ("issuing_ca", "Issuing CA"),
        ("profile", "Profile"),
    ):
        if extra in info:
            rows.append((label, str(info[extra])))
    for extension in info["extensions"]:
        flag = " (critical)" if extension["critical"] else ""
        rows.append((f"{extension['name']}{flag}", json.dumps(extension["value"])))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        # soft_wrap: fingerprints and names stay on one line, whole, for copying.
        console.print(f"[bold]{escape(name.ljust(width))}[/bold]  {escape(value)}", soft_wrap=True)


@pki_app.command()
def info(
    source: Annotated[
        str,
        typer.Argument(help="A certificate file (PEM, any number, or DER), or a serial in hex."),
    ],
    *,
    store: Annotated[
        str | None,
        typer.Option("--store", metavar="URL", help="For a serial: the store to look in."),
    ] = None,
    as_json: _JSON = False,
) -> None:
    """Show what certificates say.

    Subject, issuer, serial, validity, names, key, SHA-256 and SHA-1 fingerprints and
    every extension; for a serial, the certificate the store's CAs issued, with its
    status.
    """
    path = Path(source)
    if path.exists() or not _is_hex(source) or not _store_named(store):
        infos = [certificate_info(c) for c in _certificates(path, as_json=as_json)]
    else:
        from mikey.cli.pki_ca import stored_certificate

        stored = stored_certificate(source, store, as_json=as_json)
        infos = [certificate_info(stored.certificate)]
        infos[0]["status"] = "revoked" if stored.revocation is not None else "good"
        infos[0]["issuing_ca"] = stored.issuer
        infos[0]["profile"] = stored.profile
    if as_json:
        print(json.dumps(infos if len(infos) != 1 else infos[0], indent=2))
        return
    console = Console(highlight=False, emoji=False)
    for index, item in enumerate(infos):
        if index:
            console.print()
        _print_info(item, console)


def _store_named(store: str | None) -> bool:
    """Whether a store is meant: given, in the environment, or the default file present.
    A mistyped file name that happens to be hex must not create a store as a side effect."""
    from mikey.cli.pki_ca import STORE_ENV
    from mikey.pki.store import DEFAULT_URL

    return (
        bool(store or os.environ.get(STORE_ENV))
        or Path(DEFAULT_URL.removeprefix("sqlite:///")).exists()
    )


def _is_hex(text: str) -> bool:
    try:
        int(text.replace(":", ""), 16)
    except ValueError:
        return False
    return True


@pki_app.command()
def verify(
    certificate: Annotated[
        Path, typer.Argument(help="The certificate, optionally followed by its chain (PEM).")
    ],
    *,
    root: Annotated[
        list[Path],
        typer.Option("--root", "-r", metavar="FILE", help="A trusted root certificate file."),
    ],
    chain: Annotated[
        list[Path] | None,
        typer.Option("--chain", "-c", metavar="FILE", help="A file of intermediate certificates."),
    ] = None,
    crl: Annotated[
        list[Path] | None, typer.Option("--crl", help="A CRL file (PEM or DER).")
    ] = None,
    ocsp: Annotated[
        bool,
        typer.Option("--ocsp", help="Also ask OCSP, at the address each certificate names."),
    ] = False,
    soft_fail: Annotated[
        bool,
        typer.Option("--soft-fail", help="Accept certificates whose revocation status is unknown."),
    ] = False,
    usage: Annotated[
        str | None,
        typer.Option(
            "--usage",
            metavar="USAGE",
            help="Required extended key usage: server, client or an OID.",
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", metavar="TIME", help="Validate at this ISO 8601 time (default: now)."),
    ] = None,
    as_json: _JSON = False,
) -> None:
    """Validate a certificate chain up to a trusted root, with revocation.

    RFC 5280 path validation. Revocation comes from the CRLs given and, with --ocsp, from
    OCSP (RFC 6960); it is hard-fail (a certificate whose status no source proves is
    refused) unless --soft-fail. A refusal
    names its reason: expired, not yet valid, untrusted, revoked (with date and reason),
    wrong usage, path length, name constraints.

    Exit status: 0 valid, 1 refused or bad input, 2 bad usage.
    """
    certificates = _certificates(certificate, as_json=as_json)
    leaf, intermediates = certificates[0], certificates[1:]
    for path in chain or ():
        intermediates += _certificates(path, as_json=as_json)
    roots = [c for path in root for c in _certificates(path, as_json=as_json)]
    crls = []
    for path in crl or ():
        try:
            crls.append(load_crl(_read(path, as_json=as_json), source=str(path)))
        except MikeyError as exc:
            fail(str(exc), 1, as_json=as_json)
    eku = None
    if usage is not None:
        try:
            eku = USAGES.get(usage) or x509.ObjectIdentifier(usage)
        except ValueError:
            fail(f"--usage {usage!r}: use server, client or a dotted OID", 2, as_json=as_json)
    now = _parse_time(at, as_json=as_json)
    mode = RevocationMode.SOFT if soft_fail else RevocationMode.HARD
    try:
        result = validate(
            leaf,
            intermediates,
            roots=roots,
            now=now,
            crls=crls,
            ocsp=OcspClient() if ocsp else None,
            revocation=mode,
            usage=eku,
        )
    except ValidationError as exc:
        _print_refusal(exc, as_json=as_json)
        raise typer.Exit(1) from None
    except MikeyError as exc:
        fail(str(exc), 1, as_json=as_json)
    names = [c.subject.rfc4514_string() for c in result.certificates]
    if as_json:
        print(json.dumps({"valid": True, "chain": names}, indent=2))
        return
    console = Console(highlight=False, emoji=False)
    console.print(f"[green]valid[/green]: {escape(' -> '.join(names))}")


def _print_refusal(exc: ValidationError, *, as_json: bool) -> None:
    out: dict[str, Any] = {"valid": False, "reason": exc.reason.value, "message": str(exc)}
    if exc.certificate is not None:
        out["certificate"] = exc.certificate.subject.rfc4514_string()
    if exc.revocation is not None:
        out["revoked_at"] = exc.revocation.revoked_at.isoformat()
        out["revocation_reason"] = exc.revocation.reason.value
    if as_json:
        print(json.dumps(out, indent=2))
        return
    Console(stderr=True, highlight=False, emoji=False, soft_wrap=True).print(
        f"[red]refused[/red]: {escape(str(exc))}"
    )
