"""X API v2 front-end: the endpoints the product uses, as tweepy 4.17 sees them."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

from ._util import epoch
from .base import PlatformApi
from .faults import Fault, RateLimitWindow, WindowCounter
from .http import Handler, Request, Response, Router, json_response
from .x_render import (
    DM_EXPANSIONS,
    PROBLEMS,
    TWEET_EXPANSIONS,
    USER_EXPANSIONS,
    Renderer,
    XBadRequest,
    check_params,
    csv_param,
    id_param,
    int_param,
    paginate,
    parse_time,
)
from .x_state import conversation_id_for

PROBLEM_TYPE = "application/problem+json"

# Documented per-15-minute limits: (per app / bearer, per user / OAuth1). None = auth type not supported.
DOCUMENTED_LIMITS: dict[str, tuple[int | None, int | None]] = {
    "GET /2/users/:id/mentions": (450, 300),
    "GET /2/users/:id/tweets": (1500, 900),
    "GET /2/users/me": (None, 75),
    "GET /2/users/:id": (300, 900),
    "GET /2/users/by/username/:username": (300, 900),
    "GET /2/dm_events": (None, 15),
    "GET /2/dm_conversations/with/:participant_id/dm_events": (None, 15),
    "GET /2/dm_conversations/:dm_conversation_id/dm_events": (None, 15),
    "POST /2/dm_conversations/with/:participant_id/messages": (None, 15),
    "POST /2/dm_conversations/:dm_conversation_id/messages": (None, 15),
    "POST /2/tweets": (None, 100),
    "DELETE /2/tweets/:id": (None, 50),
    "GET /2/tweets/search/recent": (450, 300),
    "GET /2/tweets/:id": (450, 900),
    "GET /2/tweets": (450, 900),
    "POST /2/webhooks": (450, None),
    "GET /2/webhooks": (450, None),
    "PUT /2/webhooks/:webhook_id": (450, None),
    "DELETE /2/webhooks/:webhook_id": (450, None),
    # not in the documented table; user context only
    "POST /2/account_activity/webhooks/:webhook_id/subscriptions/all": (None, 500),
    "GET /2/account_activity/webhooks/:webhook_id/subscriptions/all": (None, 500),
}
GENEROUS = 1_000_000
FIELD_PARAMS = {"tweet.fields", "user.fields", "media.fields", "place.fields", "poll.fields"}
MENTIONS_PARAMS = FIELD_PARAMS | {"expansions", "max_results", "pagination_token", "since_id", "until_id",
                                  "start_time", "end_time", "exclude"}
DM_PARAMS = FIELD_PARAMS | {"dm_event.fields", "event_types", "expansions", "max_results", "pagination_token"}
OAUTH_KEYS = ("oauth_consumer_key", "oauth_token", "oauth_signature", "oauth_signature_method",
              "oauth_timestamp", "oauth_nonce")


QUERY_TOKEN = re.compile(r'\s*(\(|\)|-?"[^"]*"|-?[^\s()"]+)')


def parse_query(query: str) -> Callable[[Any, Any], bool]:
    """A predicate for one recent-search query (a subset of X's rules: enough for the product's query)."""
    tokens = [m.group(1) for m in QUERY_TOKEN.finditer(query)]
    pos = 0

    def or_expr() -> Callable[[Any, Any], bool]:
        nonlocal pos
        options = [and_expr()]
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            options.append(and_expr())
        return options[0] if len(options) == 1 else (lambda t, st: any(o(t, st) for o in options))

    def and_expr() -> Callable[[Any, Any], bool]:
        nonlocal pos
        parts = []
        while pos < len(tokens) and tokens[pos] not in (")", "OR"):
            parts.append(clause())
        if not parts:
            raise ValueError("empty group or dangling OR")
        return parts[0] if len(parts) == 1 else (lambda t, st: all(p(t, st) for p in parts))

    def clause() -> Callable[[Any, Any], bool]:
        nonlocal pos
        token = tokens[pos]
        pos += 1
        if token == "(":
            inner = or_expr()
            if pos >= len(tokens) or tokens[pos] != ")":
                raise ValueError("missing )")
            pos += 1
            return inner
        if token.startswith("-") and len(token) > 1:
            if token[1:] == "(":
                raise ValueError("negated groups are not supported here")
            positive = atom(token[1:])
            return lambda t, st: not positive(t, st)
        return atom(token)

    def atom(token: str) -> Callable[[Any, Any], bool]:
        if token.startswith('"') and token.endswith('"') and len(token) >= 2:
            phrase = token[1:-1].lower()
            return lambda t, st: phrase in t.text.lower()
        if token.startswith("@") and len(token) > 1:
            name = token[1:].lower()
            return lambda t, st: name in (u.lower() for u in t.mentioned_usernames())
        field, sep, value = token.partition(":")
        if sep and value:
            if field == "conversation_id":
                return lambda t, st: t.conversation_id == value
            if field in ("from", "to"):
                def who(t: Any, st: Any) -> bool:
                    uid = t.author_id if field == "from" else (t.in_reply_to_user_id or "")
                    user = st.users.get(uid)
                    return uid == value or (user is not None and user.username.lower() == value.lower())
                return who
            if field == "is" and value == "retweet":
                return lambda t, st: t.retweet_of is not None
            if field == "is" and value == "reply":
                return lambda t, st: t.in_reply_to_tweet_id is not None
            if field in ("is", "has", "lang", "url", "place"):
                raise ValueError(f"operator {field}:{value} is not supported by this simulator")
        word = token.lower()
        return lambda t, st: re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", t.text.lower()) is not None

    predicate = or_expr()
    if pos != len(tokens):
        raise ValueError(f"unexpected {tokens[pos]!r}")
    return predicate


def problem(status: int, detail: str | None = None, type_: str = "about:blank", **extra: Any) -> Response:
    title = HTTPStatus(status).phrase
    body = {"title": title, "detail": detail or title, "type": type_, "status": status, **extra}
    return json_response(status, body, PROBLEM_TYPE)


@dataclass
class Auth:
    kind: str  # "app" | "user"
    user_id: str | None = None


class XApi(PlatformApi):
    platform = "x"

    def __init__(self, sim: Any, rate_limits: str | dict[str, int] = "documented") -> None:
        super().__init__(sim)
        self.state = sim.x
        self.counter = WindowCounter(timedelta(minutes=15))
        self.rate_limits: dict[str, tuple[int | None, int | None]] = {}
        self.set_rate_limits(rate_limits)
        self.router: Router[tuple[str, Handler]] = Router()
        routes: list[tuple[str, Callable[[Request, Auth], Response]]] = [
            ("GET /2/users/me", self.users_me),
            ("GET /2/users/by/username/:username", self.user_by_username),
            ("GET /2/users/:id/mentions", self.mentions),
            ("GET /2/users/:id/tweets", self.user_tweets),
            ("GET /2/users/:id", self.user_by_id),
            ("GET /2/dm_events", self.dm_events),
            ("GET /2/dm_conversations/with/:participant_id/dm_events", self.dm_events),
            ("GET /2/dm_conversations/:dm_conversation_id/dm_events", self.dm_events),
            ("POST /2/dm_conversations/with/:participant_id/messages", self.send_dm),
            ("POST /2/dm_conversations/:dm_conversation_id/messages", self.send_dm),
            ("POST /2/tweets", self.create_tweet),
            ("GET /2/tweets/search/recent", self.search_recent),
            ("GET /2/tweets/:id", self.tweet_by_id),
            ("GET /2/tweets", self.tweets_by_ids),
            ("DELETE /2/tweets/:id", self.delete_tweet),
            ("POST /2/webhooks", self.create_webhook),
            ("GET /2/webhooks", self.list_webhooks),
            ("PUT /2/webhooks/:webhook_id", self.revalidate_webhook),
            ("DELETE /2/webhooks/:webhook_id", self.delete_webhook),
            ("POST /2/account_activity/webhooks/:webhook_id/subscriptions/all", self.subscribe_all),
            ("GET /2/account_activity/webhooks/:webhook_id/subscriptions/all", self.subscription_check),
        ]
        for key, handler in routes:
            method, path = key.split(" ")
            self.router.add(method, re.sub(r":(\w+)", r"{\1}", path), (key, handler))

    def set_rate_limits(self, mode: str | dict[str, int]) -> None:
        """"documented" (default), "generous"/"off", or {route key: limit per 15 min} overrides."""
        if isinstance(mode, dict):
            for key, limit in mode.items():
                app, _user = self.rate_limits.get(key, DOCUMENTED_LIMITS[key])
                self.rate_limits[key] = (None if app is None else limit, None if _user is None else limit)
            return
        generous = mode in ("generous", "off")
        self.rate_limits = {k: ((None if a is None else GENEROUS), (None if u is None else GENEROUS)) if generous
                            else (a, u)
                            for k, (a, u) in DOCUMENTED_LIMITS.items()}

    # ---- plumbing ---------------------------------------------------------------------------
    def default_error_body(self, status: int) -> Any:
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        return {"title": phrase, "detail": phrase, "type": "about:blank", "status": status}

    def _auth(self, req: Request) -> Auth | None:
        header = req.headers.get("authorization", "")
        scheme, _, cred = header.partition(" ")
        if scheme == "Bearer" and cred.strip():
            expected = self.sim.x_bearer_token
            return Auth("app") if expected is None or cred.strip() == expected else None
        if scheme == "OAuth":
            params = dict(re.findall(r'(\w+)="([^"]*)"', cred))
            if all(params.get(k) for k in OAUTH_KEYS):
                prefix = params["oauth_token"].split("-", 1)[0]
                user_id = prefix if prefix.isdigit() else self.state.user_id
                return Auth("user", user_id) if user_id in self.state.users else None
        return None

    def _limit(self, key: str, auth: Auth | None) -> int | None:
        app, user = self.rate_limits.get(key, (GENEROUS, GENEROUS))
        return user if auth is None or auth.kind == "user" else app

    def _route_key(self, req: Request) -> str | None:
        target, _, _ = self.router.match(req.method, req.path)
        return target[0] if target else None

    def _rate_headers(self, resp: Response, limit: int, remaining: int, reset: datetime) -> Response:
        resp.headers.update({"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(remaining),
                             "x-rate-limit-reset": str(epoch(reset))})
        return resp

    def decorate(self, req: Request, resp: Response) -> Response:
        key = self._route_key(req)
        auth = self._auth(req)
        limit = self._limit(key, auth) if key else None
        if key and limit is not None and "x-rate-limit-limit" not in resp.headers:
            _, remaining, reset = self.counter.hit((key, auth and auth.kind, auth and auth.user_id), limit,
                                                   self.sim.clock(), consume=False)
            self._rate_headers(resp, limit, remaining, reset)
        return resp

    def stuck_page_body(self, req: Request, cursor: str) -> Any:
        return {"meta": {"result_count": 0, "next_token": cursor}}

    def rate_limited(self, req: Request, window: RateLimitWindow) -> Response:
        key = self._route_key(req)
        limit = (self._limit(key, self._auth(req)) if key else None) or 0
        return self._rate_headers(problem(429), limit, 0, window.until)

    def rate_limited_once(self, req: Request, fault: Fault) -> Response:
        key = self._route_key(req)
        limit = (self._limit(key, self._auth(req)) if key else None) or 0
        resp = problem(429)
        resp.headers.update({"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": "0"})
        if fault.reset_seconds is not None:  # X's only reset signal; without it tweepy would hot-loop
            reset = self.sim.clock() + timedelta(seconds=fault.reset_seconds)
            resp.headers["x-rate-limit-reset"] = str(epoch(reset))
        return resp

    def handle(self, req: Request) -> Response:
        auth = self._auth(req)
        if auth is None:
            return problem(401)
        target, params, known = self.router.match(req.method, req.path)
        if target is None:
            return problem(405 if known else 404)
        req.params = params
        key, handler = target
        limit = self._limit(key, auth)
        if limit is None and auth.kind == "user":
            return problem(403, "Authenticating with OAuth 1.0a User Context is forbidden for this endpoint.  "
                           "Supported authentication types are [OAuth 2.0 Application-Only].",
                           PROBLEMS + "unsupported-authentication", title="Unsupported Authentication")
        if limit is None:
            return problem(403, "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  "
                           "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                           PROBLEMS + "unsupported-authentication", title="Unsupported Authentication")
        allowed, remaining, reset = self.counter.hit((key, auth.kind, auth.user_id), limit, self.sim.clock())
        if not allowed:
            return self._rate_headers(problem(429), limit, 0, reset)
        try:
            with self.state.lock:
                resp = handler(req, auth)
        except XBadRequest as exc:
            resp = json_response(400, exc.body(), PROBLEM_TYPE)
        return self._rate_headers(resp, limit, remaining, reset)

    def _list_response(self, page: list[Any], render: Callable[[Any], dict[str, Any]], renderer: Renderer,
                       meta: dict[str, Any]) -> Response:
        if not page:
            return json_response(200, {"meta": {"result_count": 0, **{k: v for k, v in meta.items()
                                                                      if k == "previous_token"}}})
        body: dict[str, Any] = {"data": [render(item) for item in page]}
        if includes := renderer.includes():
            body["includes"] = includes
        body["meta"] = {"result_count": len(page), **meta}
        return json_response(200, body)

    # ---- users ------------------------------------------------------------------------------
    def _user_response(self, req: Request, user: Any, missing: str) -> Response:
        check_params(req.query, {"expansions", "tweet.fields", "user.fields"})
        renderer = Renderer(self.state, req.query, csv_param(req.query, "expansions", USER_EXPANSIONS))
        if user is None:
            return json_response(200, {"errors": [{"value": missing, "detail": f"Could not find user: [{missing}].",
                                                   "title": "Not Found Error", "resource_type": "user",
                                                   "type": PROBLEMS + "resource-not-found"}]})
        return json_response(200, {"data": renderer.user(user)})

    def users_me(self, req: Request, auth: Auth) -> Response:
        return self._user_response(req, self.state.users.get(auth.user_id or ""), auth.user_id or "")

    def user_by_id(self, req: Request, auth: Auth) -> Response:
        return self._user_response(req, self.state.users.get(req.params["id"]), req.params["id"])

    def user_by_username(self, req: Request, auth: Auth) -> Response:
        name = req.params["username"].lower()
        user = next((u for u in self.state.users.values() if u.username.lower() == name), None)
        return self._user_response(req, user, req.params["username"])

    # ---- tweets -------------------------------------------------------------------------------
    def mentions(self, req: Request, auth: Auth) -> Response:
        return self._timeline(req, self.state.mentions_of(req.params["id"])[:800])

    def user_tweets(self, req: Request, auth: Auth) -> Response:
        """``GET /2/users/:id/tweets``: the user's timeline (the 3,200 most recent), newest first."""
        return self._timeline(req, self.state.tweets_of(req.params["id"])[:3200])

    def _timeline(self, req: Request, timeline: list[Any]) -> Response:
        q = req.query
        check_params(q, MENTIONS_PARAMS)
        size = int_param(q, "max_results", 5, 100, 10)
        since_id, until_id = id_param(q, "since_id"), id_param(q, "until_id")
        start, end = parse_time(q, "start_time"), parse_time(q, "end_time")
        exclude = {v for v in q.get("exclude", "").split(",") if v}
        renderer = Renderer(self.state, q, csv_param(q, "expansions", TWEET_EXPANSIONS))
        items = [t for t in timeline
                 if (since_id is None or int(t.id) > since_id) and (until_id is None or int(t.id) < until_id)
                 and (since_id is not None or start is None or t.created_at >= start)
                 and (end is None or t.created_at < end)
                 and not ("replies" in exclude and t.in_reply_to_tweet_id)]
        page, tokens = paginate(items, q.get("pagination_token"), size)
        meta = {"newest_id": page[0].id, "oldest_id": page[-1].id, **tokens} if page else tokens
        return self._list_response(page, renderer.tweet, renderer, meta)

    def _tweet_not_found(self, tid: str) -> dict[str, Any]:
        return {"value": tid, "detail": f"Could not find tweet with id: [{tid}].", "title": "Not Found Error",
                "resource_type": "tweet", "parameter": "id", "resource_id": tid,
                "type": PROBLEMS + "resource-not-found"}

    def tweet_by_id(self, req: Request, auth: Auth) -> Response:
        check_params(req.query, FIELD_PARAMS | {"expansions"})
        renderer = Renderer(self.state, req.query, csv_param(req.query, "expansions", TWEET_EXPANSIONS))
        tweet = self.state.live_tweet(req.params["id"])
        if tweet is None:
            return json_response(200, {"errors": [self._tweet_not_found(req.params["id"])]})
        body: dict[str, Any] = {"data": renderer.tweet(tweet)}
        if includes := renderer.includes():
            body["includes"] = includes
        return json_response(200, body)

    def tweets_by_ids(self, req: Request, auth: Auth) -> Response:
        check_params(req.query, FIELD_PARAMS | {"expansions", "ids"})
        ids = [i for i in req.query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            raise XBadRequest("ids", req.query.get("ids", ""), "The `ids` query parameter must have 1 to 100 ids")
        renderer = Renderer(self.state, req.query, csv_param(req.query, "expansions", TWEET_EXPANSIONS))
        found = [t for i in ids if (t := self.state.live_tweet(i)) is not None]
        body: dict[str, Any] = {}
        if found:
            body["data"] = [renderer.tweet(t) for t in found]
        if includes := renderer.includes():
            body["includes"] = includes
        missing = [self._tweet_not_found(i) for i in ids if self.state.live_tweet(i) is None]
        if missing:
            body["errors"] = missing
        return json_response(200, body)

    def search_recent(self, req: Request, auth: Auth) -> Response:
        q = req.query
        check_params(q, MENTIONS_PARAMS - {"exclude"} | {"query", "next_token", "sort_order"})
        if not q.get("query"):
            raise XBadRequest("query", "", "The `query` query parameter can not be empty")
        size = int_param(q, "max_results", 10, 100, 10)
        renderer = Renderer(self.state, q, csv_param(q, "expansions", TWEET_EXPANSIONS))
        since = self.sim.clock() - timedelta(days=7)
        items = sorted((t for t in self.state.tweets.values()
                        if not t.deleted and t.created_at >= since and self._matches_query(t, q["query"])),
                       key=lambda t: int(t.id), reverse=True)
        since_id = id_param(q, "since_id")
        items = [t for t in items if since_id is None or int(t.id) > since_id]
        page, tokens = paginate(items, q.get("next_token") or q.get("pagination_token"), size)
        tokens.pop("previous_token", None)
        meta = {"newest_id": page[0].id, "oldest_id": page[-1].id, **tokens} if page else tokens
        return self._list_response(page, renderer.tweet, renderer, meta)

    def _matches_query(self, t: Any, query: str) -> bool:
        """The search syntax the product uses: terms and "quoted phrases" (AND by space), OR, ( ),
        negation with -, @name, from:/to: (username or id), conversation_id:, is:retweet, is:reply."""
        try:
            return parse_query(query)(t, self.state)
        except ValueError as exc:
            raise XBadRequest("query", query, f"There were errors processing your request: {exc}") from None

    def create_tweet(self, req: Request, auth: Auth) -> Response:
        try:
            body = req.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return problem(400, "Request body is not valid JSON", PROBLEMS + "invalid-request",
                           title="Invalid Request")
        text = body.get("text")
        reply = body.get("reply") or {}
        if not isinstance(text, str) or not text.strip():
            raise XBadRequest("text", str(text), "$.text: text must be a non-empty string")
        if len(text) > 280:
            return problem(400, f"Text is too long ({len(text)} characters, maximum 280).",
                           PROBLEMS + "invalid-request", title="Invalid Request")
        target = str(reply.get("in_reply_to_tweet_id") or "") or None
        if target is not None:
            parent = self.state.live_tweet(target)
            if parent is None:
                return problem(403, "You attempted to reply to a Tweet that is deleted or not visible to you.")
            if (self.state.summoned_replies_only and parent.author_id != auth.user_id
                    and not self.state.is_mention(parent, auth.user_id)):
                return problem(403, "Reply to this conversation is not allowed because you have not been "
                                    "mentioned or otherwise engaged by the author of the post you are replying to.")
        if any(t.author_id == auth.user_id and not t.deleted and t.text.strip() == text.strip()
               for t in self.state.tweets.values()):
            return problem(403, "You are not allowed to create a Tweet with duplicate content.")
        tid = self.state.add_tweet(auth.user_id or self.state.user_id, text, in_reply_to=target)
        data = {"id": tid, "text": text, "edit_history_tweet_ids": [tid]}
        self.sim.record_write("x", "tweet_reply" if target else "tweet", target or tid, body, {"data": data})
        return json_response(201, {"data": data})

    def delete_tweet(self, req: Request, auth: Auth) -> Response:
        tweet = self.state.live_tweet(req.params["id"])
        if tweet is None:
            return json_response(200, {"data": {"deleted": False}})
        if tweet.author_id != auth.user_id:
            return problem(403, "You are not authorized to delete this Tweet.",
                           PROBLEMS + "not-authorized-for-resource")
        self.state.delete_tweet(tweet.id)
        result = {"data": {"deleted": True}}
        self.sim.record_write("x", "delete", tweet.id, None, result)
        return json_response(200, result)

    # ---- direct messages --------------------------------------------------------------------------
    def _conversation(self, req: Request, auth: Auth) -> str | None:
        me = auth.user_id or ""
        if "participant_id" in req.params:
            pid = req.params["participant_id"]
            if not pid.isdigit() or pid == me:
                raise XBadRequest("participant_id", pid, f"The `participant_id` value [{pid}] is not valid")
            return conversation_id_for(pid, me)
        if "dm_conversation_id" in req.params:
            conv = req.params["dm_conversation_id"]
            if me not in conv.split("-"):
                raise XBadRequest("dm_conversation_id", conv, f"The `dm_conversation_id` value [{conv}] is not valid")
            return conv
        return None

    def dm_events(self, req: Request, auth: Auth) -> Response:
        q = req.query
        check_params(q, DM_PARAMS)
        size = int_param(q, "max_results", 1, 100, 100)
        types = csv_param(q, "event_types", {"MessageCreate", "ParticipantsJoin", "ParticipantsLeave"})
        renderer = Renderer(self.state, q, csv_param(q, "expansions", DM_EXPANSIONS))
        conv = self._conversation(req, auth)
        oldest = self.sim.clock() - timedelta(days=30)
        items = [e for e in self.state.events_for(auth.user_id or "")
                 if (conv is None or e.dm_conversation_id == conv) and e.created_at >= oldest
                 and (not types or e.event_type in types)]
        page, tokens = paginate(items, q.get("pagination_token"), size)
        return self._list_response(page, renderer.dm_event, renderer, tokens)

    def send_dm(self, req: Request, auth: Auth) -> Response:
        try:
            body = req.json()
        except ValueError:
            body = None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            return problem(400, "One or more parameters to your request was invalid.", PROBLEMS + "invalid-request",
                           title="Invalid Request", errors=[{"message": "$.text: text is required"}])
        if len(text) > 10_000:
            return problem(400, "Text is too long (maximum 10000 characters).", PROBLEMS + "invalid-request",
                           title="Invalid Request")
        conv = self._conversation(req, auth) or ""
        other = next((p for p in conv.split("-") if p != auth.user_id), "")
        user = self.state.users.get(other)
        if user is not None and not user.dm_open:
            return problem(403, "You cannot send messages to this user.", PROBLEMS + "not-authorized-for-resource")
        eid = self.state._append_dm(auth.user_id or "", conv, text)
        data = {"dm_conversation_id": conv, "dm_event_id": eid}
        self.sim.record_write("x", "dm", other, body, {"data": data})
        return json_response(201, {"data": data})

    # ---- webhooks (V2 Webhooks + Account Activity) ------------------------------------------------------------
    def _webhook_refused(self, reason: str, detail: str, url: str | None = None, status: int = 400) -> Response:
        error: dict[str, Any] = {"message": reason}
        if url is not None:
            error["parameters"] = {"url": [url]}
        return problem(status, f"{reason}: {detail}", PROBLEMS + "invalid-request", title="Invalid Request",
                       errors=[error])

    def create_webhook(self, req: Request, auth: Auth) -> Response:
        hub = self.sim.webhooks
        try:
            body = req.json()
        except ValueError:
            body = None
        url = body.get("url") if isinstance(body, dict) else None
        if not isinstance(url, str) or not 1 <= len(url) <= 200:
            return problem(400, "One or more parameters to your request was invalid.", PROBLEMS + "invalid-request",
                           title="Invalid Request",
                           errors=[{"message": "$.url: string length must be between 1 and 200"}])
        why = hub.url_problem(url)
        if why is not None:
            return self._webhook_refused("UrlValidationFailed", why, url)
        with hub.lock:
            hooks = list(hub.x_webhooks.values())
        if any(h["url"] == url for h in hooks):
            return self._webhook_refused("DuplicateUrlFailed", "a webhook with this URL is already registered "
                                         "for your app", url)
        if len(hooks) >= hub.x_webhook_limit:
            return self._webhook_refused("WebhookLimitExceeded", f"your app may register {hub.x_webhook_limit} "
                                         "webhook(s)", url, status=403)
        if not hub.x_crc(url):
            return self._webhook_refused("CrcValidationFailed", "the URL did not answer the CRC request with the "
                                         "expected response_token", url)
        hook = hub.x_register(url)
        self.sim.record_write("x", "webhook", hook["id"], body, {"data": hook})
        return json_response(200, {"data": dict(hook)})

    def list_webhooks(self, req: Request, auth: Auth) -> Response:
        with self.sim.webhooks.lock:
            hooks = [dict(h) for h in self.sim.webhooks.x_webhooks.values()]
        if not hooks:
            return json_response(200, {"meta": {"result_count": 0}})
        return json_response(200, {"data": hooks, "meta": {"result_count": len(hooks)}})

    def _hook(self, req: Request) -> dict[str, Any] | None:
        with self.sim.webhooks.lock:
            return self.sim.webhooks.x_webhooks.get(req.params.get("webhook_id", ""))

    def _no_hook(self, req: Request) -> Response:
        return self._webhook_refused("WebhookIdInvalid", "the webhook id was not found or does not belong to "
                                     "your app", status=400)

    def revalidate_webhook(self, req: Request, auth: Auth) -> Response:
        hook = self._hook(req)
        if hook is None:
            return self._no_hook(req)
        ok = self.sim.webhooks.x_crc(hook["url"])
        with self.sim.webhooks.lock:
            hook["valid"] = ok
        if not ok:
            return self._webhook_refused("CrcValidationFailed", "the URL did not answer the CRC request with the "
                                         "expected response_token", hook["url"])
        return json_response(200, {"data": {"valid": True}})

    def delete_webhook(self, req: Request, auth: Auth) -> Response:
        hook = self._hook(req)
        if hook is None:
            return self._no_hook(req)
        with self.sim.webhooks.lock:
            self.sim.webhooks.x_webhooks.pop(hook["id"], None)
            self.sim.webhooks.x_subscriptions.pop(hook["id"], None)
        return json_response(200, {"data": {"deleted": True}})

    def subscribe_all(self, req: Request, auth: Auth) -> Response:
        hub = self.sim.webhooks
        hook = self._hook(req)
        if hook is None:
            return self._no_hook(req)
        with hub.lock:
            subs = hub.x_subscriptions.setdefault(hook["id"], [])
            if auth.user_id not in subs:
                if sum(len(s) for s in hub.x_subscriptions.values()) >= hub.x_subscription_limit:
                    return self._webhook_refused("SubscriptionLimitExceeded", f"your app may have "
                                                 f"{hub.x_subscription_limit} subscriptions", status=403)
                subs.append(auth.user_id or "")
        self.sim.record_write("x", "subscription", hook["id"], None, {"data": {"subscribed": True}})
        return json_response(200, {"data": {"subscribed": True}})

    def subscription_check(self, req: Request, auth: Auth) -> Response:
        hook = self._hook(req)
        if hook is None:
            return self._no_hook(req)
        with self.sim.webhooks.lock:
            subscribed = auth.user_id in self.sim.webhooks.x_subscriptions.get(hook["id"], [])
        return json_response(200, {"data": {"subscribed": subscribed}})
