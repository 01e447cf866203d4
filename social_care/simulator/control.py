"""Small JSON control API under /_sim/ so another process can seed and inspect the simulator."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .http import Request, Response, Router, json_response

if TYPE_CHECKING:
    from .core import Simulator

FAULTS = ("fail_next", "graph_error_next", "rate_limit", "timeout_next", "malformed_next",
          "stuck_page_next", "reset_next", "rate_limit_next", "empty_page_next", "missing_field_next",
          "duplicate_next")


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class ControlApi:
    """POST /_sim/x/mentions | /_sim/x/dms | /_sim/x/users | /_sim/x/tweets/delete | /_sim/facebook/posts |
    /_sim/facebook/comments | /_sim/facebook/comments/edit | /_sim/facebook/comments/remove |
    /_sim/facebook/messages | /_sim/instagram/media | /_sim/instagram/comments | /_sim/instagram/messages |
    /_sim/faults | /_sim/webhooks | /_sim/reset;  GET /_sim/health | /_sim/writes | /_sim/requests |
    /_sim/slack/messages | /_sim/webhooks.  Bodies are JSON objects whose keys are the Python API's keyword
    arguments."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.router: Router[Callable[[dict[str, Any]], tuple[int, Any]]] = Router()
        seeders: dict[str, Callable[..., Any]] = {
            "x/mentions": sim.x.add_mention, "x/dms": sim.x.add_dm, "x/tweets": sim.x.add_tweet,
            "x/users": lambda **kw: sim.x.add_user(**kw).id, "x/tweets/delete": sim.x.delete_tweet,
            "facebook/posts": sim.facebook.add_post,
            "facebook/comments": sim.facebook.add_comment, "facebook/messages": sim.facebook.add_message,
            "facebook/comments/edit": sim.facebook.edit_comment,
            "facebook/comments/remove": sim.facebook.remove_comment,
            "instagram/media": sim.facebook.add_ig_media, "instagram/comments": sim.facebook.add_ig_comment,
            "instagram/messages": sim.facebook.add_ig_message,
        }
        for path, fn in seeders.items():
            self.router.add("POST", f"/_sim/{path}", _seeder(fn))
        self.router.add("POST", "/_sim/faults", self._fault)
        self.router.add("POST", "/_sim/reset", self._reset)
        self.router.add("GET", "/_sim/health", lambda body: (200, {"ok": True}))
        self.router.add("GET", "/_sim/writes", lambda body: (200, {"writes": [w.to_dict() for w in sim.writes]}))
        self.router.add("GET", "/_sim/requests",
                        lambda body: (200, {"requests": [r.to_dict() for r in sim.requests]}))
        self.router.add("GET", "/_sim/slack/messages", lambda body: (200, {"messages": sim.slack.messages}))
        self.router.add("POST", "/_sim/webhooks", self._webhooks)
        self.router.add("GET", "/_sim/webhooks", lambda body: (200, {
            **sim.webhooks.describe(), "crc_checks": sim.webhooks.crc_checks,
            "deliveries": [a.to_dict() for a in sim.webhooks.deliveries()]}))

    def _reset(self, body: dict[str, Any]) -> tuple[int, Any]:
        self.sim.reset()
        return 200, {"ok": True, "reset": None}

    def _webhooks(self, body: dict[str, Any]) -> tuple[int, Any]:
        """{"url_policy": "strict"|"loopback", "resolve": {public origin: local origin}} and/or
        {"platform": "x"|"facebook", "url": ..., knobs...} (see webhooks.configure)."""
        hub = self.sim.webhooks
        if "url_policy" in body:
            policy = body.pop("url_policy")
            if policy not in ("strict", "loopback"):
                raise ValueError("url_policy must be strict or loopback")
            hub.url_policy = policy
        if "resolve" in body:
            resolve = body.pop("resolve")
            if not isinstance(resolve, dict):
                raise ValueError("resolve must map public origins to local ones")
            hub.resolve = {str(k): str(v) for k, v in resolve.items()}
        if "platform" in body:
            hub.configure(body.pop("platform"), **body)
        elif body:
            raise ValueError("knobs need a platform: x or facebook")
        return 200, hub.describe()

    def _fault(self, body: dict[str, Any]) -> tuple[int, Any]:
        kind = body.pop("type", None)
        if kind not in FAULTS:
            return 400, {"error": f"type must be one of {', '.join(FAULTS)}"}
        getattr(self.sim, kind)(**body)
        return 201, {"ok": True, "type": kind}

    def handle(self, req: Request) -> Response:
        target, _, known = self.router.match(req.method, req.path)
        if target is None:
            return json_response(405 if known else 404, {"error": f"no control route {req.method} {req.path}"})
        try:
            body = req.json() if req.raw_body else {}
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            status, result = target(body)
        except (TypeError, ValueError, KeyError) as exc:
            return json_response(400, {"error": str(exc)})
        return json_response(status, _jsonable(result))


def _seeder(fn: Callable[..., Any]) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    """A control route that adds one object from the request body's fields and answers its id."""

    def seed(body: dict[str, Any]) -> tuple[int, Any]:
        return 201, {"id": fn(**body)}

    return seed
