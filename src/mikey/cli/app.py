"""The ``mikey`` command: ``mikey decode`` for now; later issues add more commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from mikey.cli.inputs import find_messages
from mikey.errors import MikeyError, MikeyParseError
from mikey.wire.describe import Node, describe
from mikey.wire.message import decode_message
from mikey.wire.profiles import PROFILES

app = typer.Typer(
    help="MIKEY (RFC 3830) key management for secure real-time media.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """MIKEY (RFC 3830) key management for secure real-time media."""


def _add(tree: Tree, node: Node) -> None:
    where = f" [dim]@{node.offset}+{node.length}[/dim]" if node.offset is not None else ""
    text = f" {escape(node.text)}" if node.text else ""
    label = (
        f"[bold]{escape(node.name)}[/bold]{where}"
        if node.children
        else f"{escape(node.name)}:{text}"
    )
    if node.children and node.text:
        label += f" [cyan]{escape(node.text)}[/cyan]"
    branch = tree.add(label)
    for child in node.children:
        _add(branch, child)


def _hexdump_around(data: bytes, offset: int) -> str:
    start = max(0, offset - 8)
    before, at, after = data[start:offset], data[offset : offset + 1], data[offset + 1 : offset + 8]
    marker = f"[{at.hex()}]" if at else "[end]"
    return f"bytes {start}..: {before.hex(' ')} {marker} {after.hex(' ')}".strip()


@app.command()
def decode(
    source: Annotated[
        Path | None, typer.Argument(help="File to read; '-' or nothing reads standard input.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="auto, raw, base64, hex, sdp or rtsp.")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a tree.")] = False,
    profile: Annotated[
        str, typer.Option(help=f"Interop profile: {', '.join(PROFILES)}.")
    ] = "strict",
) -> None:
    """Decode MIKEY messages and print every field, with IANA names for every number.

    Reads raw bytes, base64, hex, SDP text with a=key-mgmt:mikey lines, or RTSP KeyMgmt
    header values.
    """
    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    if fmt not in ("auto", "raw", "base64", "hex", "sdp", "rtsp"):
        err.print(f"error: unknown --format {fmt!r}: use auto, raw, base64, hex, sdp or rtsp")
        raise typer.Exit(2)
    if profile not in PROFILES:
        err.print(f"error: unknown --profile {profile!r}: use one of {', '.join(PROFILES)}")
        raise typer.Exit(2)
    try:
        raw = sys.stdin.buffer.read() if source in (None, Path("-")) else source.read_bytes()
    except OSError as exc:
        err.print(f"error: cannot read {source}: {exc.strerror}")
        raise typer.Exit(2) from None
    try:
        found = find_messages(raw, fmt)  # type: ignore[arg-type]
    except MikeyError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(1) from None
    failures = 0
    results = []
    for item in found:
        try:
            message = decode_message(item.data, profile=PROFILES[profile])
        except MikeyParseError as exc:
            failures += 1
            if as_json:
                results.append(
                    {
                        "source": item.where,
                        "error": str(exc),
                        "payload": exc.payload,
                        "offset": exc.offset,
                    }
                )
            else:
                err.print(f"[red]error[/red] in {escape(item.where)}: {escape(str(exc))}")
                err.print(f"  {_hexdump_around(item.data, exc.offset)}")
            continue
        node = describe(message)
        if as_json:
            results.append({"source": item.where, "message": node.to_json()})
        else:
            title = f"[bold green]{escape(node.name)}[/bold green] from {escape(item.where)}"
            tree = Tree(f"{title}: {escape(node.text)}")
            for child in node.children:
                _add(tree, child)
            console.print(tree)
    if as_json:
        print(json.dumps(results if len(results) != 1 else results[0], indent=2))
    if failures:
        raise typer.Exit(1)


def main() -> None:
    app()
