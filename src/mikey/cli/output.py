"""What every ``mikey`` command shares: reporting an error that stops it, as text on
standard error or as JSON on standard output (``--json``), with its exit status."""

from __future__ import annotations

import json
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

__all__ = ["fail"]


def fail(message: str, code: int, *, as_json: bool) -> NoReturn:
    """Report ``message`` and exit with ``code`` (1 bad input, 2 bad usage)."""
    if as_json:
        print(json.dumps({"error": message}, indent=2))
    else:
        # soft_wrap: one line whatever the terminal width, as scripts and grep expect.
        Console(stderr=True, highlight=False, soft_wrap=True, emoji=False).print(
            f"[red]error:[/red] {escape(message)}"
        )
    raise typer.Exit(code)
