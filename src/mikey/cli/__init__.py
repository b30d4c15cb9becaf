"""The ``mikey`` command line. ``mikey --help`` lists the commands."""

from __future__ import annotations

from mikey.cli.app import app, main

__all__ = ["app", "main"]
