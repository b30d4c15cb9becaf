"""``make demo``: what mikey does today, step by step, on this machine alone.

It builds MIKEY messages of several kinds (RFC 3830 §3 and its extensions), encodes them,
shows them as they travel in SDP (RFC 4567), decodes them back and prints every field,
and shows a damaged message refused with the payload and byte offset at fault. Later
issues grow it into the end-to-end demonstration (keys, SRTP, PKI, signed API).
"""

from __future__ import annotations

import base64
import time

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table

from mikey.cli.render import render_tree
from mikey.errors import MikeyParseError
from mikey.registry import DataType, label_of
from mikey.wire.describe import describe
from mikey.wire.message import Message, decode_message
from mikey.wire.samples import psk_message, sample_certificate, sample_message

__all__ = ["main"]


def _step(console: Console, number: int, title: str) -> None:
    console.print()
    console.print(Rule(f"[bold]Step {number}[/bold] · {title}", align="left"))


def _show(console: Console, message: Message, *, tree: bool = True) -> bytes:
    data = message.encode()
    decoded = decode_message(data)
    assert decoded == message, "decode(encode(message)) must give the message back"
    kinds = ", ".join(p.payload_type.label for p in message.payloads)
    console.print(
        f"  {label_of(message.data_type, DataType)}: HDR, {escape(kinds)}"
        f" — {len(data)} bytes, decoded back identical"
    )
    if tree:
        console.print(render_tree(describe(decoded), "[bold green]MIKEY message[/bold green]"))
    return data


def main() -> None:
    console = Console(highlight=False)
    started = time.perf_counter()
    console.print(
        Panel.fit(
            "[bold]mikey[/bold] — MIKEY key management for secure real-time media\n"
            "This demo builds, encodes and decodes MIKEY messages (RFC 3830 and extensions).",
        )
    )

    _step(console, 1, "A pre-shared key I_MESSAGE keying two SRTP streams (RFC 3830 §3.1)")
    data = _show(console, psk_message(crypto_sessions=2))
    line = f"a=key-mgmt:mikey {base64.b64encode(data).decode()}"
    console.print("  In SDP (RFC 4567 §3.1) it travels as one attribute line:")
    console.print(f"  [dim]{line}[/dim]", soft_wrap=True)

    _step(console, 2, "A public-key I_MESSAGE with a certificate (RFC 3830 §3.2)")
    console.print(f"  (certificate: a {len(sample_certificate())}-byte DER X.509 made with pyca)")
    _show(console, sample_message(DataType.PUBLIC_KEY), tree=False)

    _step(console, 3, "One message of every data type the IANA registry defines")
    table = Table("data type", "payloads after HDR", "bytes", "round trip", box=None)
    for data_type in DataType:
        message = sample_message(data_type)
        encoded = message.encode()
        same = decode_message(encoded) == message
        table.add_row(
            f"{int(data_type)} {data_type.label}",
            ", ".join(p.payload_type.label for p in message.payloads),
            str(len(encoded)),
            "[green]identical[/green]" if same else "[red]DIFFERENT[/red]",
        )
    console.print(table)

    _step(console, 4, "A MIKEY-SAKKE message (RFC 6509), as 3GPP mission-critical calls use")
    _show(console, sample_message(DataType.SAKKE_MSG))

    _step(console, 5, "Damaged input is refused with the payload and byte offset at fault")
    damaged = bytearray(data)
    damaged[29] = 0x07  # the T payload's TS type: 7 is not a registered timestamp type
    for label, candidate in (("a flipped byte", bytes(damaged)), ("truncation", data[:-5])):
        try:
            decode_message(candidate)
        except MikeyParseError as exc:
            console.print(f"  {label}: [red]refused[/red] — {escape(str(exc))}")
        else:  # pragma: no cover - the demo would be lying
            raise SystemExit(f"{label} was accepted: this is a bug")

    console.print()
    console.print(
        f"[bold green]Done[/bold green] in {time.perf_counter() - started:.1f} s. "
        "Decode your own messages with [bold]mikey decode[/bold] "
        "(raw, base64, hex, SDP or RTSP KeyMgmt; --json)."
    )


if __name__ == "__main__":
    main()
