"""Slack incoming-webhook sink: validates payloads, answers in plain text, 1 msg/s per webhook."""
from __future__ import annotations

import json
import math
import re
import threading
from datetime import datetime
from typing import Any

from .base import PlatformApi
from .faults import Fault, RateLimitWindow
from .http import Request, Response, text_response

SLACK_TYPE = "text/html"
HOOK_RE = re.compile(r"^/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+/?$")
BLOCK_TYPES = {"header", "section", "context", "actions", "divider", "image", "rich_text", "input", "file",
               "video", "markdown"}
TEXT_LIMITS = {"header": 150, "section": 3000}


class SlackState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.messages: list[dict[str, Any]] = []  # accepted payloads, in order
        self.deliveries: list[tuple[str, dict[str, Any]]] = []  # (webhook path, payload)
        self.revoked: set[str] = set()  # webhook paths answering 404 no_service
        self.per_second = 1.0  # sustained messages per second per webhook
        self.burst = 1  # messages allowed back to back before 429
        self._buckets: dict[str, tuple[float, datetime]] = {}

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.deliveries.clear()
            self.revoked.clear()
            self._buckets.clear()

    def messages_to(self, path: str) -> list[dict[str, Any]]:
        return [p for hook, p in self.deliveries if hook.rstrip("/") == path.rstrip("/")]

    def take_token(self, path: str, now: datetime) -> float:
        """Token bucket; returns 0 when allowed, else seconds until the next message is allowed."""
        with self.lock:
            tokens, last = self._buckets.get(path, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + max((now - last).total_seconds(), 0) * self.per_second)
            if tokens >= 1:
                self._buckets[path] = (tokens - 1, now)
                return 0.0
            self._buckets[path] = (tokens, now)
            return (1 - tokens) / self.per_second if self.per_second > 0 else 3600.0


def _block_error(blocks: Any) -> bool:
    if not isinstance(blocks, list) or len(blocks) > 50:
        return True
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            return True
        text = block.get("text")
        if block["type"] in TEXT_LIMITS:
            if block["type"] == "header" and not isinstance(text, dict):
                return True
            if isinstance(text, dict) and len(str(text.get("text", ""))) > TEXT_LIMITS[block["type"]]:
                return True
            if block["type"] == "section" and text is None and not block.get("fields"):
                return True
        if len(block.get("fields") or []) > 10 or len(block.get("elements") or []) > 25:
            return True
        if block["type"] == "context" and len(block.get("elements") or []) > 10:
            return True
    return False


class SlackApi(PlatformApi):
    platform = "slack"
    json_type = SLACK_TYPE

    def __init__(self, sim: Any) -> None:
        super().__init__(sim)
        self.state: SlackState = sim.slack

    def default_error_body(self, status: int) -> Any:
        return {500: "rollup_error", 404: "no_service", 403: "invalid_token", 410: "channel_is_archived",
                429: "rate_limited"}.get(status, "error")

    def decorate(self, req: Request, resp: Response) -> Response:
        if not resp.headers.get("Content-Type"):
            resp.headers["Content-Type"] = SLACK_TYPE
        return resp

    def rate_limited(self, req: Request, window: RateLimitWindow) -> Response:
        wait = max(1, math.ceil((window.until - self.sim.clock()).total_seconds()))
        return text_response(429, "rate_limited", SLACK_TYPE, **{"Retry-After": str(wait)})

    def rate_limited_once(self, req: Request, fault: Fault) -> Response:
        seconds = fault.reset_seconds
        headers = {} if seconds is None else {"Retry-After": str(max(1, math.ceil(seconds)))}
        return text_response(429, "rate_limited", SLACK_TYPE, **headers)

    def handle(self, req: Request) -> Response:
        if not HOOK_RE.match(req.path) or req.path.rstrip("/") in self.state.revoked:
            return text_response(404, "no_service", SLACK_TYPE)
        if req.method != "POST":
            return text_response(405, "invalid_method", SLACK_TYPE)
        try:
            if req.content_type == "application/x-www-form-urlencoded":
                payload = json.loads(req.form().get("payload", ""))
            else:
                payload = req.json()
        except ValueError:
            return text_response(400, "invalid_payload", SLACK_TYPE)
        if not isinstance(payload, dict):
            return text_response(400, "invalid_payload", SLACK_TYPE)
        if "blocks" in payload and _block_error(payload["blocks"]):
            return text_response(400, "invalid_blocks", SLACK_TYPE)
        has_text = isinstance(payload.get("text"), str) and payload["text"].strip()
        if not has_text and not payload.get("blocks") and not payload.get("attachments"):
            return text_response(400, "no_text", SLACK_TYPE)
        wait = self.state.take_token(req.path.rstrip("/"), self.sim.clock())
        if wait > 0:
            return text_response(429, "rate_limited", SLACK_TYPE, **{"Retry-After": str(max(1, math.ceil(wait)))})
        with self.state.lock:
            self.state.messages.append(payload)
            self.state.deliveries.append((req.path.rstrip("/"), payload))
        self.sim.record_write("slack", "slack", req.path.rstrip("/"), payload, "ok")
        return text_response(200, "ok", SLACK_TYPE)

