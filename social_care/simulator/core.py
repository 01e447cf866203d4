"""The Simulator: platform state, fault injection and records, independent of the HTTP transport."""
from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ._util import Clock, real_clock
from .control import ControlApi
from .faults import Fault, FaultBook, RateLimitWindow, platform_name
from .graph_api import GraphApi
from .graph_state import FacebookState
from .http import Request, Response, text_response
from .records import RecordedRequest, RecordedWrite, redact_headers
from .slack import SlackApi, SlackState
from .webhooks import WebhookHub
from .x_api import XApi
from .x_state import XState


class Simulator:
    """Stateful fake of the X API v2, the Graph API (Page + Messenger) and Slack incoming webhooks."""

    def __init__(self, x_user_id: str = "99", x_username: str = "acmeshop", page_id: str = "104512345678901",
                 page_name: str = "Acme", page_token: str = "EAAB-sim-token", x_bearer_token: str | None = "sim-bearer",
                 clock: Callable[[], Any] | None = None, x_name: str | None = None,
                 rate_limits: str | dict[str, int] = "documented", facebook_app_secret: str = "sim-app-secret",
                 x_consumer_secret: str = "sim-consumer-secret") -> None:
        self.clock: Clock = clock or real_clock
        # signed webhook deliveries and registrations; created first, the states report new posts to it
        self.webhooks = WebhookHub(self, facebook_app_secret=facebook_app_secret, x_consumer_secret=x_consumer_secret)
        self.page_token = page_token
        self.x_bearer_token = x_bearer_token
        self.x = XState(self, str(x_user_id), x_username, x_name or page_name)
        self.facebook = FacebookState(self, str(page_id), page_name)
        self.slack = SlackState()
        self.faults = FaultBook()
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._writes: list[RecordedWrite] = []
        self.errors: list[BaseException] = []  # internal simulator exceptions (answered with HTTP 500)
        self._replays: dict[str, Response] = {}  # empty_page: cursor → the page that was held back
        self._replay_ids = itertools.count(1)
        self._in_flight = 0  # requests being answered (a stalled one counts until its answer is made)
        self.x_api = XApi(self, rate_limits)
        self.graph_api = GraphApi(self)
        self.slack_api = SlackApi(self)
        self.control = ControlApi(self)

    # ---- records -----------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def writes(self) -> list[RecordedWrite]:
        with self._lock:
            return list(self._writes)

    def record_write(self, platform: str, kind: str, target: str, payload: Any, response: Any) -> None:
        with self._lock:
            self._writes.append(RecordedWrite(platform, kind, target, payload, response, self.clock()))

    def destructive_calls(self) -> list[RecordedRequest]:
        """Every delete/hide attempt seen (whatever its outcome): X DELETE, Graph DELETE or is_hidden POST."""
        out = []
        for r in self.requests:
            body = r.body if isinstance(r.body, dict) else {}
            if r.platform in ("x", "facebook") and (r.method == "DELETE" or "is_hidden" in body
                                                    or "is_hidden" in r.query):
                out.append(r)
        return out

    # ---- faults ------------------------------------------------------------------------------
    def fail_next(self, platform: str, status: int = 503, body: Any = None, content_type: str | None = None,
                  count: int = 1, path_contains: str | None = None, method: str | None = None) -> None:
        """Answer the next ``count`` matching requests with ``status`` (and ``body``: dict → JSON, str as is)."""
        self.faults.add(Fault(platform_name(platform), "fail", count, path_contains, status=status, body=body,
                              content_type=content_type, method=method))

    def graph_error_next(self, code: int = 17, subcode: int | None = None, message: str | None = None,
                         count: int = 1, path_contains: str | None = None, status: int | None = None,
                         method: str | None = None) -> None:
        """Answer the next matching Graph requests with a Graph error envelope for ``code``."""
        self.faults.add(Fault("facebook", "graph_error", count, path_contains, status=status, code=code,
                              subcode=subcode, message=message, method=method))

    def rate_limit(self, platform: str = "x", seconds: float = 900, path_contains: str | None = None,
                   code: int | None = None) -> None:
        """Rate-limit matching requests for ``seconds`` of simulator time (X 429 + x-rate-limit-reset,
        Graph error ``code`` (default 32) with usage headers at 100, Slack 429 + Retry-After)."""
        until = self.clock() + timedelta(seconds=seconds)
        self.faults.add_window(RateLimitWindow(platform_name(platform), until, path_contains, code))

    def timeout_next(self, platform: str, seconds: float = 30.0, count: int = 1, path_contains: str | None = None,
                     apply: bool = False, method: str | None = None) -> None:
        """Stall the next matching requests for ``seconds`` (real time) before answering. The request is not
        applied (a 504 follows the stall) unless ``apply=True``. reset()/stop() end stalls early."""
        self.faults.add(Fault(platform_name(platform), "timeout", count, path_contains, seconds=seconds,
                              apply=apply, method=method))

    def malformed_next(self, platform: str, count: int = 1, path_contains: str | None = None,
                       method: str | None = None, apply: bool = False) -> None:
        """Answer the next matching requests with 200 and a truncated JSON body (nothing is applied, unless
        ``apply=True``: the write went through and only its answer was cut)."""
        self.faults.add(Fault(platform_name(platform), "malformed", count, path_contains, method=method,
                              apply=apply))

    def stuck_page_next(self, platform: str, count: int = 3, path_contains: str | None = None,
                        method: str | None = "GET") -> None:
        """Answer the next matching listing requests with an empty page whose next cursor is the one just
        requested (Graph documents short and empty pages with ``next``; a broken one repeats its cursor)."""
        self.faults.add(Fault(platform_name(platform), "stuck_page", count, path_contains, method=method))

    def reset_next(self, platform: str, count: int = 1, path_contains: str | None = None,
                   method: str | None = None, apply: bool = False) -> None:
        """Drop the connection (TCP RST, no status line) on the next matching requests. With ``apply=True``
        the platform did the work first (a write that went through whose answer was lost)."""
        self.faults.add(Fault(platform_name(platform), "reset", count, path_contains, method=method,
                              apply=apply))

    def rate_limit_next(self, platform: str, reset_seconds: float | None = 900, count: int = 1,
                        path_contains: str | None = None, method: str | None = None,
                        code: int | None = None) -> None:
        """Rate-limit the next matching requests once each, in the platform's shape: X 429 with
        ``x-rate-limit-reset`` (none when ``reset_seconds`` is None), Slack 429 with ``Retry-After`` (or
        none),
        Graph error ``code`` (default 32) with ``estimated_time_to_regain_access`` in minutes (or 0)."""
        self.faults.add(Fault(platform_name(platform), "rate_limited", count, path_contains, method=method,
                              code=code, reset_seconds=reset_seconds))

    def empty_page_next(self, platform: str, count: int = 1, path_contains: str | None = None) -> None:
        """Answer the next matching listing requests with an empty page whose next cursor leads to the page
        that was due (Graph: "a page may contain fewer than limit, even none, while next exists")."""
        self.faults.add(Fault(platform_name(platform), "empty_page", count, path_contains, method="GET"))

    def missing_field_next(self, platform: str, field: str, count: int = 1, path_contains: str | None = None,
                           method: str | None = "GET") -> None:
        """Drop ``field`` from the first item of the next matching listing pages (an item missing fields), or
        from a write's answer (``method="POST"``: the write is done, its answer lacks the new id)."""
        self.faults.add(Fault(platform_name(platform), "missing_field", count, path_contains, method=method,
                              field=field))

    def duplicate_next(self, platform: str, path_contains: str | None = None) -> None:
        """The next listing page that has a next cursor is remembered; the page after it repeats that page's
        last item first (a duplicate across pages, as cursor listings do when items move)."""
        self.faults.add(Fault(platform_name(platform), "duplicate", 2, path_contains, method="GET"))

    def release_stalls(self) -> None:
        """End every request currently stalled by timeout_next()."""
        self.faults.release_stalls()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no request is being answered (e.g. a stalled write the client gave up on has been
        applied); True when idle."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._in_flight == 0:
                    return True
            time.sleep(0.01)
        return False

    def set_rate_limits(self, mode: str | dict[str, int]) -> None:
        """X per-15-min limits: "documented", "generous" or {"GET /2/users/:id/mentions": 5, ...}."""
        self.x_api.set_rate_limits(mode)

    def reset(self) -> None:
        """Forget all posts, messages, records, faults and rate-limit counters (ids keep increasing)."""
        self.faults.clear()
        self.webhooks.reset()
        self.x.reset()
        self.facebook.reset()
        self.slack.reset()
        self.x_api.counter.clear()
        self.graph_api.counter.clear()
        with self._lock:
            self._requests.clear()
            self._writes.clear()
            self.errors.clear()
            self._replays.clear()

    # ---- request pipeline ----------------------------------------------------------------------
    def platform_for(self, path: str) -> str:
        if path == "/2" or path.startswith("/2/"):
            return "x"
        if path.startswith("/services/"):
            return "slack"
        return "facebook"

    def handle(self, req: Request) -> Response:
        if req.path.startswith("/_sim/") or req.path == "/_sim":
            return self.control.handle(req)
        with self._lock:
            self._in_flight += 1
        try:
            return self._handle(req)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _handle(self, req: Request) -> Response:
        platform = self.platform_for(req.path)
        api = {"x": self.x_api, "facebook": self.graph_api, "slack": self.slack_api}[platform]
        record = RecordedRequest(platform, req.method, req.path, dict(req.query), redact_headers(req.headers),
                                 req.parsed_body(), 0, self.clock())
        with self._lock:
            self._requests.append(record)
        cursor = req.query.get("after") or req.query.get("pagination_token") or req.query.get("next_token")
        with self._lock:
            replay = self._replays.pop(cursor, None) if cursor else None
        if replay is not None:  # the page an empty_page fault held back
            record.status = replay.status
            return replay
        # faults match on the path, or on its parameters (query and form fields) when the path alone is shared:
        # Messenger's and Instagram's conversations and Send API differ only in ``platform`` and ``recipient``
        where = _where(req)
        fault = self.faults.take(platform, where, req.method)
        try:
            if fault is not None and fault.kind == "timeout":
                self.faults.stall_release.wait(fault.seconds)
                resp = api.handle(req) if fault.apply else api.fault_response(req, fault)
            elif fault is not None and fault.kind in ("empty_page", "missing_field", "duplicate"):
                resp = self._reshape(api, req, fault, api.handle(req))
            elif fault is not None:
                if fault.apply and fault.kind in ("reset", "malformed"):
                    api.handle(req)  # the platform did it; the answer is lost on the way back
                resp = api.fault_response(req, fault)
            elif (window := self.faults.window(platform, where, self.clock())) is not None:
                resp = api.rate_limited(req, window)
            else:
                resp = api.handle(req)
        except Exception as exc:  # noqa: BLE001 - a simulator bug must not kill the server thread
            self.errors.append(exc)
            resp = text_response(500, f"simulator error: {exc!r}")
        record.status = resp.status
        return resp

    def _reshape(self, api: Any, req: Request, fault: Fault, resp: Response) -> Response:
        """Listing faults applied to a real answer (kept as is when it is not a page of items)."""
        try:
            body = json.loads(resp.body) if resp.status in (200, 201) else None
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return resp
        found = body.get("data")
        data: list[Any] = found if isinstance(found, list) else []
        if fault.kind == "empty_page":
            token = f"EMPTY{next(self._replay_ids)}"
            with self._lock:
                self._replays[token] = resp
            body = api.stuck_page_body(req, token)
        elif fault.kind == "missing_field":  # the first item of a page, or a write's answer object
            item = data[0] if data else body.get("data") if isinstance(body.get("data"), dict) else body
            if not isinstance(item, dict) or (fault.field or "id") not in item:
                return resp
            item.pop(fault.field or "id")
        elif fault.kind == "duplicate":
            users = (body.get("includes") or {}).get("users") or []
            if fault.memo is None:
                meta, paging = body.get("meta") or {}, body.get("paging") or {}
                has_next = meta.get("next_token") or paging.get("next")
                if data and has_next:
                    item = data[-1]
                    author = str(item.get("author_id") or item.get("sender_id") or "")
                    fault.memo = (item, [u for u in users if str(u.get("id")) == author])
                else:
                    fault.remaining += 1  # wait for a page that has a next one
                return resp
            item, extra_users = fault.memo
            body["data"] = [item, *data]
            if extra_users:
                body.setdefault("includes", {})["users"] = [*users, *extra_users]
        return Response(resp.status, json.dumps(body, ensure_ascii=False).encode("utf-8"), dict(resp.headers))


def _where(req: Request) -> str:
    """``path?k=v&…`` over the query and the body's fields, what a fault's ``path_contains`` is looked for in."""
    try:
        fields = req.body_fields() if req.raw_body else {}
    except ValueError:
        fields = {}
    params = {**req.query, **{k: v for k, v in fields.items() if isinstance(v, str)}}
    params.pop("access_token", None)
    return req.path + "?" + "&".join(f"{k}={v}" for k, v in params.items())
