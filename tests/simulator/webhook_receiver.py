"""A tiny webhook receiver for tests: a real HTTP server on 127.0.0.1 that checks signatures exactly as
platforms.md §3 describes (written from the doc, not from the simulator's code) and records every request.

    with Receiver(app_secret="…", consumer_secret="…", verify_token="…") as rx:
        rx.url("/webhooks/meta")   # http://127.0.0.1:<port>/webhooks/meta
        rx.fail_next(2, status=500); rx.stall_next(1, seconds=2); rx.crc_mode = "wrong"
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # lower-cased names
    raw: bytes
    body: Any
    signature_ok: bool
    status: int  # what the receiver answered


class Receiver:
    def __init__(self, *, app_secret: str = "sim-app-secret", consumer_secret: str = "sim-consumer-secret",
                 verify_token: str = "meatyhamhock") -> None:
        self.app_secret, self.consumer_secret, self.verify_token = app_secret, consumer_secret, verify_token
        self.lock = threading.Lock()
        self.posts: list[Received] = []
        self.gets: list[dict[str, str]] = []
        self._fail: list[int] = []
        self._stall: list[float] = []
        self.crc_mode = "right"  # right | wrong | status500 | not_json
        self._server: ThreadingHTTPServer | None = None

    # ---- control ------------------------------------------------------------------------------------------------
    def fail_next(self, count: int, status: int = 500) -> None:
        with self.lock:
            self._fail.extend([status] * count)

    def stall_next(self, count: int, seconds: float) -> None:
        with self.lock:
            self._stall.extend([seconds] * count)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def accepted(self, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.posts if r.status == 200 and (path is None or r.path == path)]

    def wait_for(self, count: int, path: str | None = None, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.accepted(path)
            if len(got) >= count:
                return got
            time.sleep(0.01)
        return self.accepted(path)

    # ---- signature checks per platforms.md §3 -----------------------------------------------------------------------
    def meta_ok(self, raw: bytes, header: str | None) -> bool:
        expected = "sha256=" + hmac.new(self.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        return header is not None and hmac.compare_digest(expected, header)

    def x_ok(self, raw: bytes, header: str | None) -> bool:
        digest = hmac.new(self.consumer_secret.encode(), raw, hashlib.sha256).digest()
        expected = "sha256=" + base64.b64encode(digest).decode()
        return header is not None and hmac.compare_digest(expected, header)

    def crc_answer(self, token: str) -> str:
        digest = hmac.new(self.consumer_secret.encode(), token.encode(), hashlib.sha256).digest()
        return "sha256=" + base64.b64encode(digest).decode()

    # ---- server ---------------------------------------------------------------------------------------------
    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                with receiver.lock:
                    receiver.gets.append({"path": parts.path, **query})
                if "crc_token" in query:
                    mode = receiver.crc_mode
                    if mode == "status500":
                        return self._answer(500, b"{}")
                    if mode == "not_json":
                        return self._answer(200, b"<html>ok</html>", "text/html")
                    token = receiver.crc_answer(query["crc_token"] + ("x" if mode == "wrong" else ""))
                    return self._answer(200, json.dumps({"response_token": token}).encode())
                if query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == receiver.verify_token:
                    return self._answer(200, query.get("hub.challenge", "").encode(), "text/plain")
                return self._answer(403, b"")

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = urlsplit(self.path).path
                if path.endswith("/meta"):
                    ok = receiver.meta_ok(raw, headers.get("x-hub-signature-256"))
                else:
                    ok = receiver.x_ok(raw, headers.get("x-twitter-webhooks-signature"))
                with receiver.lock:
                    stall = receiver._stall.pop(0) if receiver._stall else 0.0
                    fail = receiver._fail.pop(0) if receiver._fail and ok else None
                if stall:
                    time.sleep(stall)
                status = fail or (200 if ok else 403)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                with receiver.lock:
                    receiver.posts.append(Received(path, headers, raw, body, ok, status))
                with contextlib.suppress(OSError):  # the sender timed out and went away
                    self._answer(status, b"")

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
