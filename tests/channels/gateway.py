"""A real HTTP SMS gateway on 127.0.0.1 for the tests: it records every reply the centre sends."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    body: dict[str, Any]
    raw: bytes
    headers: dict[str, str]


@dataclass
class Gateway:
    """Replies land in `received`; `fail_next` makes the next N requests answer HTTP 500."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def start() -> tuple[Gateway, ThreadingHTTPServer]:
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            with gateway.lock:
                failing = gateway.fail_next > 0
                if failing:
                    gateway.fail_next -= 1
                else:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    gateway.received.append(Received(json.loads(raw), raw, headers))
            status = 500 if failing else 202
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status": "queued"}' if status == 202 else b'{"error": "modem busy"}')

        def log_message(self, *_: Any) -> None:  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return gateway, server


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (the gateway is down)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/send"
