"""Graph API front-end (Page feed/comments, Messenger) as facebook-sdk 3.1.0 sees it."""
from __future__ import annotations

import json
import math
import re
from datetime import timedelta
from typing import Any

from .base import PlatformApi
from .faults import Fault, RateLimitWindow, WindowCounter
from .graph_fields import GraphError, no_such_object, parse_fields
from .graph_render import GraphRenderer
from .graph_state import Comment, IgComment, Post
from .http import Request, Response, json_response
from .webhooks import META_FIELDS

GRAPH_JSON = "application/json; charset=UTF-8"
VERSION_RE = re.compile(r"^/(v\d+\.\d+)(/.*)?$")
DEPRECATED_TAGS = {"CONFIRMED_EVENT_UPDATE", "ACCOUNT_UPDATE", "POST_PURCHASE_UPDATE"}
SEVEN_DAY_TAGS = {"HUMAN_AGENT", "CUSTOMER_FEEDBACK"}
IG_COMMENT_MAX = 2200  # characters in an Instagram comment
IG_MESSAGE_MAX = 1000  # characters in an Instagram direct message
WINDOW_MESSAGE = ("(#10) This message is sent outside of allowed window. Learn more about the new policy here: "
                  "https://developers.facebook.com/docs/messenger-platform/policy-overview")


class GraphApi(PlatformApi):
    platform = "facebook"
    json_type = GRAPH_JSON

    def __init__(self, sim: Any) -> None:
        super().__init__(sim)
        self.state = sim.facebook
        self.calls_per_hour = 4800  # usage headers are percentages of this; 100% → code 32
        self.counter = WindowCounter(timedelta(hours=1))
        self.default_version = "v23.0"

    # ---- plumbing -----------------------------------------------------------------------------
    def default_error_body(self, status: int) -> Any:
        code = 1 if status == 500 else 2
        return GraphError(code, status=status).body()

    def fault_response(self, req: Request, fault: Fault) -> Response:
        if fault.kind == "graph_error":
            err = GraphError(fault.code or 1, fault.message, fault.subcode, status=fault.status)
            return self.decorate(req, json_response(err.status, err.body(), GRAPH_JSON))
        return super().fault_response(req, fault)

    def rate_limited_once(self, req: Request, fault: Fault) -> Response:
        """Graph throttling (code 4/17/32/613/80001, never an HTTP 429): usage headers at 100 %, and
        ``estimated_time_to_regain_access`` (minutes) when ``reset_seconds`` is given."""
        err = GraphError(fault.code or 32, fault.message)
        regain = math.ceil(fault.reset_seconds / 60) if fault.reset_seconds is not None else 0
        return self.decorate(req, json_response(err.status, err.body(), GRAPH_JSON), usage=100, regain=regain)

    def stuck_page_body(self, req: Request, cursor: str) -> Any:
        token = req.query.get("access_token", "sim")
        return {"data": [], "paging": {"cursors": {"before": cursor, "after": cursor},
                                       "next": f"https://graph.facebook.com{req.path}?access_token={token}&after={cursor}"}}

    def rate_limited(self, req: Request, window: RateLimitWindow) -> Response:
        err = GraphError(window.code or 32)
        minutes = math.ceil((window.until - self.sim.clock()).total_seconds() / 60)
        return self.decorate(req, json_response(err.status, err.body(), GRAPH_JSON), usage=100, regain=minutes)

    def decorate(self, req: Request, resp: Response, usage: int | None = None, regain: int = 0) -> Response:
        if usage is None:
            _, remaining, _ = self.counter.hit("calls", self.calls_per_hour, self.sim.clock(), consume=False)
            usage = min(100, (self.calls_per_hour - remaining) * 100 // max(self.calls_per_hour, 1))
        version = self._split(req.path)[0]
        resp.headers.update({
            "X-App-Usage": json.dumps({"call_count": usage, "total_cputime": usage // 2, "total_time": usage // 2}),
            "X-Business-Use-Case-Usage": json.dumps({self.state.page_id: [{
                "type": "pages", "call_count": usage, "total_cputime": usage // 2, "total_time": usage // 2,
                "estimated_time_to_regain_access": regain}]}),
            "facebook-api-version": version, "x-fb-rev": "1019239400", "x-fb-trace-id": "Hx7simAAAAA",
        })
        return resp

    def _split(self, path: str) -> tuple[str, list[str]]:
        m = VERSION_RE.match(path)
        version, rest = (m.group(1), m.group(2) or "/") if m else (self.default_version, path)
        return version, [p for p in rest.split("/") if p]

    def _token(self, req: Request, body: dict[str, Any]) -> str:
        token = req.query.get("access_token") or body.get("access_token")
        header = req.headers.get("authorization", "")
        if not token and header.split(" ", 1)[0] in ("Bearer", "OAuth"):
            token = header.split(" ", 1)[1].strip() if " " in header else ""
        if not token:
            raise GraphError(104, "An access token is required to request this resource.")
        if token != self.sim.page_token:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if self.state.token_expired:
            raise GraphError(190, "Error validating access token: Session has expired on Friday, 20-Nov-26 "
                                  "09:00:00 PST. The current time is Friday, 20-Nov-26 10:00:00 PST.", 463)
        return token

    def handle(self, req: Request) -> Response:
        try:
            body = req.body_fields() if req.method in ("POST", "PUT", "DELETE") else {}
            token = self._token(req, body)
            allowed, _, _ = self.counter.hit("calls", self.calls_per_hour, self.sim.clock())
            if not allowed:
                raise GraphError(32)
            version, parts = self._split(req.path)
            renderer = GraphRenderer(self.state, version, token)
            with self.state.lock:
                result = self._dispatch(req, parts, body, renderer)
            resp = json_response(200, result, GRAPH_JSON)
        except GraphError as err:
            resp = json_response(err.status, err.body(), GRAPH_JSON)
        return self.decorate(req, resp)

    def _resolve(self, object_id: str) -> tuple[str, Any]:
        found: tuple[str, Any] | None = self.state.lookup(object_id)
        if found is None:
            raise no_such_object(object_id)
        return found

    def _dispatch(self, req: Request, parts: list[str], body: dict[str, Any], r: GraphRenderer) -> Any:
        args = {k: v for k, v in req.query.items() if k != "access_token"}
        if not parts or len(parts) > 2:
            raise GraphError(100, "(#100) Unknown path components: /" + "/".join(parts[2:]))
        kind, obj = self._resolve(parts[0])
        if len(parts) == 2 and parts[1] == "subscribed_apps":
            return self._subscribed_apps(req.method, kind, {**args, **body})
        if req.method == "GET":
            if len(parts) == 1:
                return r.node(kind, obj, parse_fields(args.get("fields")))
            return r.edge(kind, obj, parts[1], args)
        if req.method == "DELETE" and len(parts) == 1:
            return self._delete(kind, obj, parts[0])
        if req.method == "POST":
            fields = {k: v for k, v in body.items() if k != "access_token"}
            if len(parts) == 2 and parts[1] == "comments" and kind in ("post", "comment"):
                return self._comment(obj, fields)
            if len(parts) == 2 and parts[1] == "messages" and kind == "page":
                return self._send(fields)
            if len(parts) == 2 and parts[1] == "replies" and kind == "ig_comment":
                return self._ig_reply(obj, fields)
            if len(parts) == 1 and kind == "comment" and "is_hidden" in fields:
                return self._hide(obj, fields)
        raise GraphError(100, f"(#100) Unsupported {req.method.lower()} request.")

    # ---- webhooks: the app's subscription to the Page's fields -------------------------------------------------
    def _subscribed_apps(self, method: str, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        hub = self.sim.webhooks
        if kind != "page":
            raise GraphError(100, f"(#100) Unsupported {method.lower()} request.")
        if method == "GET":
            with hub.lock:
                fields = sorted(hub.meta_fields)
            if not fields:
                return {"data": []}
            return {"data": [{"category": "Business", "link": "https://www.facebook.com/games/?app_id="
                              + hub.facebook_app_id, "name": "social-care", "id": hub.facebook_app_id,
                              "subscribed_fields": fields}]}
        if method == "DELETE":
            hub.set_meta_fields([])
            return {"success": True}
        if method != "POST":
            raise GraphError(100, f"(#100) Unsupported {method.lower()} request.")
        raw = params.get("subscribed_fields")
        if isinstance(raw, list):
            raw = ",".join(str(f) for f in raw)
        names = [f.strip() for f in str(raw or "").strip("[]").replace('"', "").split(",") if f.strip()]
        if not names:
            raise GraphError(100, "(#100) The parameter subscribed_fields is required.")
        for i, name in enumerate(names):
            if name not in META_FIELDS:
                raise GraphError(100, f"(#100) Param subscribed_fields[{i}] must be one of "
                                      f"{{{', '.join(sorted(META_FIELDS))}}} - got \"{name}\"")
        with hub.lock:
            hub.meta_fields |= set(names)
        self.sim.record_write("facebook", "subscribed_apps", self.state.page_id, {"subscribed_fields": names},
                              {"success": True})
        return {"success": True}

    # ---- writes ----------------------------------------------------------------------------------
    def _comment(self, target: Post | Comment, fields: dict[str, Any]) -> dict[str, Any]:
        message = fields.get("message")
        if not isinstance(message, str) or not message.strip():
            raise GraphError(100, "(#100) Missing message or attachment")
        post_id = target.id if isinstance(target, Post) else target.post_id
        parent = None if isinstance(target, Post) else target.id
        comment = self.state._comment(post_id, self.state.page_id, self.state.page_name, message, parent)
        result = {"id": comment.id}
        self.sim.record_write("facebook", "comment_reply", target.id, fields, result)
        return result

    def _ig_reply(self, target: IgComment, fields: dict[str, Any]) -> dict[str, Any]:
        """``POST /{ig-comment-id}/replies?message=``: the business account's reply, filed under the top-level
        comment (a reply to a reply goes there too); hidden comments cannot be replied to."""
        message = fields.get("message")
        if not isinstance(message, str) or not message.strip():
            raise GraphError(100, "(#100) The parameter message is required")
        if len(message) > IG_COMMENT_MAX:
            raise GraphError(100, f"(#100) Param message must be at most {IG_COMMENT_MAX} characters long")
        if target.hidden:
            raise GraphError(100, "(#100) Cannot reply to a hidden comment")
        s = self.state
        reply = s._ig_comment(target.media_id, s.ig_user_id, s.ig_username, message, target.id)
        result = {"id": reply.id}
        self.sim.record_write("facebook", "ig_comment_reply", target.id, fields, result)
        return result

    def _hide(self, comment: Comment, fields: dict[str, Any]) -> dict[str, Any]:
        value = str(fields["is_hidden"]).lower()
        if value not in ("true", "false", "1", "0"):
            raise GraphError(100, "(#100) Param is_hidden must be a boolean")
        if comment.from_id == self.state.page_id:
            raise GraphError(100, "(#100) Cannot hide a comment made by the Page")
        comment.is_hidden = value in ("true", "1")
        result = {"success": True}
        self.sim.record_write("facebook", "hide", comment.id, fields, result)
        return result

    def _delete(self, kind: str, obj: Any, object_id: str) -> dict[str, Any]:
        if kind not in ("post", "comment"):
            raise GraphError(100, "(#100) Unsupported delete request.")
        obj.deleted = True
        result = {"success": True}
        self.sim.record_write("facebook", "delete", object_id, None, result)
        return result

    @staticmethod
    def _json_field(fields: dict[str, Any], name: str) -> Any:
        value = fields.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise GraphError(100, f"(#100) param {name} must be a JSON object") from None
        return value

    def _send(self, fields: dict[str, Any]) -> dict[str, Any]:
        recipient = self._json_field(fields, "recipient")
        message = self._json_field(fields, "message")
        if not isinstance(recipient, dict) or not recipient:
            raise GraphError(100, "(#100) param recipient must be non-empty.")
        comment = self.state.comments.get(str(recipient.get("comment_id", "")))
        known = None
        if comment is not None:  # private reply to a comment: 7 days from the comment
            psid, last, window = comment.from_id, comment.created_at, timedelta(days=7)
        else:
            psid, window = str(recipient.get("id", "")), None
            known = self.state.conversation_for(psid)
            if known is None:
                raise GraphError(100, "(#100) No matching user found", 2018001)
            last = known.last_user_message_at
        if fields.get("sender_action") and message is None:
            return {"recipient_id": psid}
        text = message.get("text") if isinstance(message, dict) else None
        if not isinstance(message, dict) or not (text or message.get("attachment")):
            raise GraphError(100, "(#100) Must send either message or sender_action")
        instagram = comment is None and known is not None and known.platform == "instagram"
        limit = IG_MESSAGE_MAX if instagram else 2000
        if text is not None and len(text) > limit:
            raise GraphError(100, f"(#100) Length of param message[text] must be less than or equal to {limit}")
        mtype = str(fields.get("messaging_type") or "RESPONSE").upper()
        tag = fields.get("tag")
        self._check_window(mtype, tag, last, window)
        name = comment.from_name if comment is not None else ""
        conv = self.state.conversation_for(psid, create=True, name=name)
        assert conv is not None
        sender = (self.state.ig_user_id, self.state.ig_username) if instagram else (self.state.page_id,
                                                                                   self.state.page_name)
        msg = self.state._message(conv, sender[0], sender[1], psid, conv.name, text or "",
                                  messaging_type=mtype, tag=tag)
        result = {"recipient_id": psid, "message_id": msg.id}
        payload = {**fields, "recipient": recipient, "message": message}
        self.sim.record_write("facebook", "ig_message_send" if instagram else "messenger_send", psid, payload, result)
        return result

    def _check_window(self, mtype: str, tag: Any, last: Any, window: timedelta | None = None) -> None:
        if mtype not in ("RESPONSE", "UPDATE", "MESSAGE_TAG", "UTILITY"):
            raise GraphError(100, "(#100) param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
        if mtype == "MESSAGE_TAG":
            if not tag:
                raise GraphError(100, "(#100) param tag is required when messaging_type is MESSAGE_TAG")
            if tag in DEPRECATED_TAGS or tag not in SEVEN_DAY_TAGS:
                raise GraphError(100, f"(#100) param tag value {tag} is not supported")
            window = window or timedelta(days=7)
        else:
            window = window or timedelta(hours=24)
        if last is None or self.sim.clock() - last > window:
            raise GraphError(10, WINDOW_MESSAGE, 2018278)
