"""Transport-neutral request/response objects and a tiny path router shared by all platforms."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs

JSON_UTF8 = "application/json; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    raw_body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)  # filled by the router

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        return self.raw_body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Parsed JSON body; raises ValueError when absent or malformed."""
        return json.loads(self.text)

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.text, keep_blank_values=True).items()}

    def body_fields(self) -> dict[str, Any]:
        """Body as a dict: JSON object or form fields (Graph accepts both)."""
        if not self.raw_body:
            return {}
        if self.content_type == "application/json":
            try:
                data = self.json()
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}
        return self.form()

    def parsed_body(self) -> Any:
        """For the request log: JSON value, form dict, text, or None."""
        if not self.raw_body:
            return None
        if self.content_type == "application/json":
            try:
                return self.json()
            except ValueError:
                return self.text
        if self.content_type == "application/x-www-form-urlencoded":
            return self.form()
        return self.text


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False  # drop the connection (TCP RST) instead of answering

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return self.body.decode("utf-8", errors="replace")


def json_response(status: int, obj: Any, content_type: str = JSON_UTF8, **headers: str) -> Response:
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return Response(status, body, {"Content-Type": content_type, **headers})


def text_response(status: int, text: str, content_type: str = "text/plain; charset=utf-8", **headers: str) -> Response:
    return Response(status, text.encode("utf-8"), {"Content-Type": content_type, **headers})


def body_response(status: int, body: Any, default_type: str) -> Response:
    """Arbitrary fault body: dict/list → JSON; str/bytes as given (HTML guessed from '<')."""
    if isinstance(body, (dict, list)):
        return json_response(status, body, default_type)
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    ctype = "text/html; charset=utf-8" if raw.lstrip()[:1] == b"<" else default_type
    return Response(status, raw, {"Content-Type": ctype})


Handler = Callable[..., Response]
Target = TypeVar("Target")


class Router(Generic[Target]):
    """Maps ``METHOD /path/{param}/...`` patterns to targets (a handler, or what a server keeps with it);
    first match wins."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Target]] = []

    def add(self, method: str, pattern: str, handler: Target) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern.rstrip("/"))
        self._routes.append((method.upper(), re.compile(f"^{regex}/?$"), handler))

    def route(self, method: str, pattern: str) -> Callable[[Target], Target]:
        def deco(fn: Target) -> Target:
            self.add(method, pattern, fn)
            return fn
        return deco

    def match(self, method: str, path: str) -> tuple[Target | None, dict[str, str], bool]:
        """Return (handler, params, path_known); path_known tells 405 from 404."""
        known = False
        for m, regex, handler in self._routes:
            found = regex.match(path)
            if found:
                known = True
                if m == method.upper():
                    return handler, found.groupdict(), True
        return None, {}, known
