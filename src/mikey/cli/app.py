"""The ``mikey`` command: ``mikey decode`` (MIKEY messages) and ``mikey pki`` (the CA).

Exit codes: 0 every message decoded, 1 bad input (a message that does not decode, no
message found, invalid base64 or hex, empty input), 2 bad usage (unknown option value, a
file that cannot be read, nothing piped in).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from rich.console import Console
from rich.markup import escape

from mikey.cli import pki_ca  # noqa: F401  (registers the store-backed `mikey pki` commands)
from mikey.cli.inputs import FORMATS, Found, InputError, InputFormat, find_messages
from mikey.cli.output import fail
from mikey.cli.pki import pki_app
from mikey.cli.render import render_tree
from mikey.errors import MikeyParseError
from mikey.wire.buffer import Profile
from mikey.wire.describe import Node, describe
from mikey.wire.message import Message, decode_message
from mikey.wire.profiles import PROFILES, STRICT

app = typer.Typer(
    help="MIKEY (RFC 3830) key management for secure real-time media.",
    no_args_is_help=True,
    add_completion=False,
)

_HEX_LIMIT = 48
"""Byte strings longer than this are shortened in the tree unless --full is given."""

# What each tolerance of a Profile accepts, for the hint after a failed decode.
_TOLERANCES = {
    "trailing_zero_byte": "one 0x00 byte after the last payload",
    "sp_with_empty_map": "SP payloads beside the Empty CS ID map",
    "skip_payload_rules": "payloads the data type does not allow",
    "nonzero_reserved": "reserved bits that are not zero",
}


app.add_typer(pki_app, name="pki")


@app.callback()
def _root() -> None:
    """MIKEY (RFC 3830) key management for secure real-time media."""


@dataclass(frozen=True, slots=True)
class _Result:
    """What became of one message found in the input."""

    found: Found
    tree: Node | None = None
    error: str | None = None
    error_payload: str | None = None
    error_offset: int | None = None
    hint: str | None = None
    strict_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.found.where}
        if self.tree is not None:
            out["message"] = self.tree.to_json()
            if self.strict_error is not None:
                out["strict_error"] = self.strict_error
            return out
        out["error"] = self.error
        if self.error_payload is not None:
            out["payload"] = self.error_payload
            out["offset"] = self.error_offset
        if self.hint is not None:
            out["hint"] = self.hint
        return out


def _tolerance(data: bytes, profile: Profile) -> str:
    """Which of ``profile``'s tolerances ``data`` needs, in words."""
    flags = [f.name for f in dataclasses.fields(profile) if f.name != "name"]
    enabled = [flag for flag in flags if getattr(profile, flag)]
    needed = []
    for flag in enabled:
        try:
            decode_message(data, profile=Profile(name=flag, **{flag: True}))
        except MikeyParseError:
            continue
        needed.append(flag)
    return ", ".join(_TOLERANCES.get(flag, flag.replace("_", " ")) for flag in needed or enabled)


def _profile_hint(data: bytes, tried: str) -> str | None:
    """The first named profile (narrowest first) under which ``data`` decodes."""
    for name, profile in PROFILES.items():
        if name in (tried, STRICT.name):
            continue
        try:
            decode_message(data, profile=profile)
        except MikeyParseError:
            continue
        return f"decodes with --profile {name} ({_tolerance(data, profile)})"
    return None


def _with_trailing_bytes(tree: Node, message: Message, data: bytes, profile: str) -> Node:
    end = len(message.encode())
    if end >= len(data):
        return tree
    extra = data[end:]
    trailing = Node(
        "Trailing bytes",
        extra.hex(),
        f"{extra.hex()} after the last payload (accepted by --profile {profile})",
        end,
        len(extra),
    )
    text = f"{tree.text} + {len(extra)} trailing byte{'s' if len(extra) > 1 else ''}"
    return dataclasses.replace(
        tree, text=text, length=len(data), children=(*tree.children, trailing)
    )


def _decode(found: Found, profile: str, *, now: datetime, hex_limit: int | None) -> _Result:
    if found.problem is not None:
        return _Result(found, error=found.problem)
    try:
        message = decode_message(found.data, profile=PROFILES[profile])
    except MikeyParseError as exc:
        hint = _profile_hint(found.data, profile)
        return _Result(
            found, error=str(exc), error_payload=exc.payload, error_offset=exc.offset, hint=hint
        )
    strict_error = None
    if profile != STRICT.name:
        try:
            decode_message(found.data)
        except MikeyParseError as exc:
            strict_error = str(exc)
    tree = describe(message, now=now, hex_limit=hex_limit)
    tree = _with_trailing_bytes(tree, message, found.data, profile)
    return _Result(found, tree=tree, strict_error=strict_error)


def _hexdump_around(data: bytes, offset: int) -> str:
    start = max(0, offset - 8)
    before, at, after = data[start:offset], data[offset : offset + 1], data[offset + 1 : offset + 8]
    marker = f"[{at.hex()}]" if at else "[end]"
    shown = " ".join(part for part in (before.hex(" "), marker, after.hex(" ")) if part)
    return f"bytes from {start}: {shown}"


def _read(source: Path | None, *, as_json: bool) -> bytes:
    if source is None or source == Path("-"):
        if sys.stdin is None:
            fail("no input: standard input is closed", 2, as_json=as_json)
        if sys.stdin.isatty():
            fail("no input: give a file, or pipe a message into standard input", 2, as_json=as_json)
        try:
            return sys.stdin.buffer.read()
        except OSError as exc:
            fail(f"cannot read standard input: {exc.strerror or exc}", 1, as_json=as_json)
    try:
        return source.read_bytes()
    except OSError as exc:
        fail(f"cannot read {source}: {exc.strerror or exc}", 2, as_json=as_json)


def _print_result(result: _Result, console: Console, err: Console, *, offsets: bool) -> None:
    where = escape(result.found.where)
    if result.tree is None:
        err.print(f"[red]error[/red] in {where}: {escape(result.error or '')}")
        if result.error_offset is not None:
            err.print(f"  {escape(_hexdump_around(result.found.data, result.error_offset))}")
        if result.hint is not None:
            err.print(f"  hint: {escape(result.hint)}")
        return
    title = f"[bold green]MIKEY message[/bold green] from {where}: {escape(result.tree.text)}"
    notes = []
    if result.strict_error is not None:
        notes.append(f"[yellow]not strict RFC 3830:[/yellow] {escape(result.strict_error)}")
    console.print(render_tree(result.tree, title, offsets=offsets, notes=notes))


@app.command()
def decode(
    source: Annotated[
        Path | None,
        typer.Argument(
            help="File to read; '-' or nothing reads standard input.", show_default=False
        ),
    ] = None,
    *,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help=f"Input form: {', '.join(FORMATS)}."),
    ] = "auto",
    profile: Annotated[
        str,
        typer.Option("--profile", "-p", help=f"Interop profile: {', '.join(PROFILES)}."),
    ] = STRICT.name,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a tree.")] = False,
    full: Annotated[bool, typer.Option("--full", help="Print long byte strings in full.")] = False,
    offsets: Annotated[
        bool, typer.Option("--offsets", help="Show the offset and length of every field.")
    ] = False,
) -> None:
    """Decode MIKEY messages: every field, with IANA names for every number.

    Reads raw bytes, hex, base64, SDP with a=key-mgmt:mikey lines (all of them)
    or RTSP KeyMgmt headers, from a file or standard input.

    Exit status: 0 decoded, 1 bad input, 2 bad usage.
    """
    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}: use one of {', '.join(FORMATS)}", 2, as_json=as_json)
    if profile not in PROFILES:
        fail(f"unknown --profile {profile!r}: use one of {', '.join(PROFILES)}", 2, as_json=as_json)
    raw = _read(source, as_json=as_json)
    try:
        found = find_messages(raw, cast(InputFormat, fmt))
    except InputError as exc:
        fail(str(exc), 1, as_json=as_json)
    now = datetime.now(UTC)
    hex_limit = None if full else _HEX_LIMIT
    results = [_decode(item, profile, now=now, hex_limit=hex_limit) for item in found]
    if as_json:
        out = [result.to_json() for result in results]
        print(json.dumps(out if len(out) != 1 else out[0], indent=2))
    else:
        console = Console(highlight=False, emoji=False)
        err = Console(stderr=True, highlight=False, emoji=False)
        for index, result in enumerate(results):
            if index and result.tree is not None:
                console.print()
            _print_result(result, console, err, offsets=offsets)
    if any(result.tree is None for result in results):
        raise typer.Exit(1)


from mikey.cli import rtsp_receive  # noqa: E402, F401  (registers `mikey rtsp-receive`)


def main() -> None:
    app()
