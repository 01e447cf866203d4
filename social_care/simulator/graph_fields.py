"""Graph API plumbing: errors, the ``fields=`` expansion syntax, and cursor-paged connections."""
from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ._util import decode_cursor, encode_cursor

GRAPH_HOST = "https://graph.facebook.com"

DEFAULT_MESSAGES = {
    1: "An unknown error has occurred.",
    2: "An unexpected error has occurred. Please retry your request later.",
    4: "(#4) Application request limit reached",
    10: "(#10) Application does not have permission for this action",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    100: "(#100) Invalid parameter",
    102: "Session key invalid or no longer valid",
    190: "Invalid OAuth access token - Cannot parse access token",
    200: "(#200) Permissions error",
    230: "(#230) Permissions disallow message to user",
    341: "(#341) Application limit reached",
    368: "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
    506: "(#506) Duplicate status message",
    551: "(#551) This person isn't available right now.",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, "
           "please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
}
TRANSIENT = {1, 2, 4, 17, 32, 341, 613, 80001}


class GraphError(Exception):
    def __init__(self, code: int, message: str | None = None, subcode: int | None = None,
                 type_: str | None = None, status: int | None = None) -> None:
        self.code, self.subcode = code, subcode
        self.message = message or DEFAULT_MESSAGES.get(code, f"(#{code}) Error")
        super().__init__(self.message)
        self.type = type_ or ("GraphMethodException" if code == 100 and subcode == 33 else "OAuthException")
        self.status = status or (403 if code in (4, 10) or 200 <= code < 300 else 400)

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            err["error_subcode"] = self.subcode
        if self.code in TRANSIENT:
            err["is_transient"] = True
        err["fbtrace_id"] = "A" + secrets.token_urlsafe(15)[:20]
        return {"error": err}


def no_such_object(object_id: str) -> GraphError:
    return GraphError(100, f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be "
                           "loaded due to missing permissions, or does not support this operation. Please read the "
                           "Graph API documentation at https://developers.facebook.com/docs/graph-api", subcode=33)


@dataclass
class FieldSpec:
    name: str
    mods: dict[str, str] = field(default_factory=dict)
    sub: list[FieldSpec] | None = None

    def __str__(self) -> str:
        text = self.name + "".join(f".{k}({v})" for k, v in self.mods.items())
        return text + ("{" + ",".join(map(str, self.sub)) + "}" if self.sub is not None else "")


def parse_fields(text: str | None) -> list[FieldSpec] | None:
    """Parse ``a,b.limit(5).summary(true){c,d{e}}``; None when no fields were asked for."""
    if text is None or not text.strip():
        return None
    specs, pos = _parse_list(text, 0)
    if pos != len(text):
        raise GraphError(2500, f"Syntax error \"Expected end of string instead of \"{text[pos]}\".\" at character "
                               f"{pos}: {text}")
    return specs


def _parse_list(text: str, pos: int) -> tuple[list[FieldSpec], int]:
    specs: list[FieldSpec] = []
    while pos < len(text):
        spec, pos = _parse_one(text, pos)
        if spec.name:
            specs.append(spec)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        break
    return specs, pos


def _parse_one(text: str, pos: int) -> tuple[FieldSpec, int]:
    start = pos
    while pos < len(text) and (text[pos].isalnum() or text[pos] in "_"):
        pos += 1
    spec = FieldSpec(text[start:pos].strip())
    while pos < len(text) and text[pos] in ".{":
        if text[pos] == "{":
            spec.sub, pos = _parse_list(text, pos + 1)
            if pos >= len(text) or text[pos] != "}":
                raise GraphError(2500, f"Syntax error \"Expected \"}}\".\" at character {pos}: {text}")
            pos += 1
            continue
        mod_start = pos + 1
        close = text.find(")", mod_start)
        open_ = text.find("(", mod_start)
        if open_ == -1 or close == -1 or open_ > close:
            raise GraphError(2500, f"Syntax error \"Expected \"(\".\" at character {mod_start}: {text}")
        spec.mods[text[mod_start:open_]] = text[open_ + 1:close]
        pos = close + 1
    return spec, pos


def int_arg(args: dict[str, str], name: str, default: int, hi: int = 100) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return max(1, min(int(raw), hi))
    except ValueError:
        raise GraphError(100, f"(#100) param {name} must be an integer") from None


def connection(path: str, items: Sequence[Any], key: Callable[[Any], list[Any]], args: dict[str, str],
               render: Callable[[Any], dict[str, Any]], token: str, summary: dict[str, Any] | None = None,
               default_limit: int = 25) -> dict[str, Any]:
    """One page of a cursor-paged edge. ``items`` are in display order and ``key`` increases along it.

    ``path`` is "vNN.N/{node}/{edge}"; ``args`` are the request's query args (fields, limit, after, ...)."""
    limit = int_arg(args, "limit", default_limit)
    try:
        if args.get("after"):
            ref = decode_cursor(args["after"])
            window = [i for i in items if key(i) > ref]
            page = window[:limit]
        elif args.get("before"):
            ref = decode_cursor(args["before"])
            window = [i for i in items if key(i) < ref]
            page = window[-limit:]
        else:
            page = list(items[:limit])
    except ValueError:
        raise GraphError(100, "(#100) The after/before cursor is invalid") from None
    out: dict[str, Any] = {"data": [render(i) for i in page]}
    if page:
        first, last = encode_cursor(key(page[0])), encode_cursor(key(page[-1]))
        paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
        base = {k: v for k, v in args.items() if k not in ("access_token", "after", "before")}
        base["limit"] = str(limit)
        if key(page[0]) > key(items[0]):
            paging["previous"] = next_url(path, token, {**base, "before": first})
        if key(page[-1]) < key(items[-1]):
            paging["next"] = next_url(path, token, {**base, "after": last})
        out["paging"] = paging
    if summary is not None:
        out["summary"] = summary
    return out


def next_url(path: str, token: str, args: dict[str, str]) -> str:
    return f"{GRAPH_HOST}/{path}?" + urlencode({"access_token": token, **args})
