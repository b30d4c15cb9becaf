"""Helpers for the OCSP tests: an in-memory status store, and a real HTTP server on
loopback (uvicorn serving an ASGI app in a background thread, on a socket bound to a free
port before the certificates that name it are made, so that no port is guessed and none
is shared between pytest workers)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.x509 import ocsp

from mikey.pki import Revocation

STARTUP_TIMEOUT = 10.0


class Statuses:
    """An in-memory status store (``mikey.pki.ocsp.StatusLookup``): the serial numbers a
    CA issued, and those it revoked; any other is unknown."""

    def __init__(self, *issued: x509.Certificate) -> None:
        self.known: dict[int, Revocation | None] = {c.serial_number: None for c in issued}

    def revoke(self, revocation: Revocation) -> None:
        self.known[revocation.serial_number] = revocation

    def __call__(
        self, issuer: x509.Certificate, serial: int
    ) -> Revocation | ocsp.OCSPCertStatus | None:
        return self.known.get(serial, ocsp.OCSPCertStatus.UNKNOWN)


def loopback_socket() -> tuple[socket.socket, str]:
    """A TCP socket bound to a free loopback port, and the http:// URL of that port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on: connections are refused at once."""
    sock, url = loopback_socket()
    sock.close()
    return url


@contextlib.contextmanager
def serving(app: Any, sock: socket.socket) -> Iterator[None]:
    """Serve ``app`` on ``sock`` until the block ends; fails loudly if it cannot start."""
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("uvicorn did not start serving the OCSP responder")
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)
        sock.close()
