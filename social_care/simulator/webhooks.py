# size: one delivery engine for both platforms (queue, signing, retries with backoff, the test knobs)
"""Signed webhook deliveries to a configured callback URL, and the platforms' webhook registrations.

Every customer post that appears in the simulator (seeded through the Python API or ``/_sim/...``, or written
by a client) becomes one event; a background thread per platform groups events into deliveries, signs them and
POSTs them with a timeout, retrying with exponential backoff until it gets a 200. Knobs per platform (all
also settable through ``POST /_sim/webhooks``):

``duplicate`` extra copies of each delivery · ``out_of_order`` hold that many deliveries and send them newest
first · ``batch`` events per delivery (Meta: entries; X: events of one kind) · ``hold_seconds`` longest wait for
a batch or an out-of-order group to fill · ``delay`` seconds before each delivery leaves · ``stopped`` drop new
events (webhooks lost or disabled: the backstop poll must find them) · ``retry_base``/``retry_max``/
``max_attempts`` the backoff · ``timeout`` per request (X 10 s, Meta 20 s).

Registrations: X ``POST /2/webhooks`` (URL checks, CRC GET) and ``/2/account_activity/.../subscriptions/all``;
Meta ``/{page-id}/subscribed_apps`` (Page fields) plus the app-level fields set in the dashboard (``configure``:
Instagram's ``comments`` and ``messages`` deliver the linked account's comments and DMs as ``object: "instagram"``)
plus the dashboard's callback URL and verify token
(``configure("facebook", url=..., verify_token=...)``, which sends Meta's verification GET when asked).
"""
from __future__ import annotations

import heapq
import http.client
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from . import webhook_payloads as shapes
from ._util import Record
from .faults import platform_name

if TYPE_CHECKING:
    from .core import Simulator
    from .graph_state import Comment, IgComment, Message, Post
    from .x_state import DMEvent, Tweet

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_RESPONSE = 64 * 1024
META_FIELDS = {"feed", "messages", "message_echoes", "messaging_postbacks", "message_deliveries",
               "message_reads", "messaging_optins", "mention", "ratings"}  # Page fields (subscribed_apps)
IG_ENTRY = "ig_entry"  # an Instagram entry: delivered apart from Page entries, as ``object: "instagram"``


@dataclass
class Knobs:
    duplicate: int = 0
    out_of_order: int = 0
    batch: int = 1
    hold_seconds: float = 0.2
    delay: float = 0.0
    stopped: bool = False
    retry_base: float = 1.0
    retry_max: float = 60.0
    max_attempts: int = 6
    timeout: float = 10.0

    def update(self, **kw: Any) -> None:
        names = {f.name for f in fields(self)}
        for name, value in kw.items():
            if name not in names:
                raise TypeError(f"unknown webhook knob {name!r}; use one of {', '.join(sorted(names))}")
            current = getattr(self, name)
            if isinstance(current, bool):
                value = value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")
            setattr(self, name, type(current)(value))
        if self.batch < 1 or self.max_attempts < 1 or self.timeout <= 0:
            raise ValueError("batch and max_attempts must be >= 1, timeout > 0")


@dataclass
class Attempt(Record):
    """One HTTP POST of a delivery (a retry or a duplicate copy is another attempt)."""
    platform: str
    delivery: int  # id shared by a delivery's retries and its duplicate copies
    copy: int  # 0 = the original, 1.. = duplicates
    attempt: int  # 1 = first try
    url: str
    status: int | None  # None: no HTTP answer (refused, timed out)
    error: str | None
    events: int
    body: bytes
    headers: dict[str, str]
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"platform": self.platform, "delivery": self.delivery, "copy": self.copy, "attempt": self.attempt,
                "url": self.url, "status": self.status, "error": self.error, "events": self.events,
                "at": self.at.isoformat(), "body": self.body.decode("utf-8", "replace")}


@dataclass
class _Event:
    kind: str  # meta: "entry" | "ig_entry"; x: "tweet_create_events" | "direct_message_events"
    item: dict[str, Any]
    at: float  # monotonic time it happened
    users: dict[str, Any] = field(default_factory=dict)
    mention: bool = False
    app: bool = False


@dataclass(order=True)
class _Due:
    due: float
    seq: int
    delivery: int = field(compare=False)
    copy: int = field(compare=False)
    attempt: int = field(compare=False)
    body: bytes = field(compare=False)
    events: int = field(compare=False)


def http_call(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
              timeout: float) -> tuple[int, bytes]:
    """One request with a timeout, no proxies, no redirects followed; raises OSError when there is no answer."""
    parts = urlsplit(url)
    if (parts.hostname or "") not in LOOPBACK_HOSTS:  # the simulator never leaves this machine
        raise OSError(f"the simulator only connects to 127.0.0.1; map {parts.scheme}://{parts.netloc} to a local "
                      "address with the webhooks 'resolve' setting")
    conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(parts.hostname or "", parts.port, timeout=timeout)
    try:
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read(MAX_RESPONSE)
    except http.client.HTTPException as exc:
        raise OSError(f"bad HTTP answer: {type(exc).__name__}") from None
    finally:
        conn.close()


class _Channel:
    """One platform's callback: pending events, the delivery queue, and the worker thread sending them."""

    def __init__(self, hub: WebhookHub, platform: str) -> None:
        self.hub, self.platform = hub, platform
        self.knobs = Knobs(timeout=20.0 if platform == "facebook" else 10.0)
        self.cond = threading.Condition()
        self.pending: list[_Event] = []
        self.held: list[tuple[float, bytes, int]] = []  # built deliveries held back for out-of-order
        self.due: list[_Due] = []
        self.sending = 0
        self.thread: threading.Thread | None = None
        self.closed = False
        self.generation = 0  # bumped by clear(): a delivery in flight then is not retried

    # -- producer side ------------------------------------------------------------------------------------------
    def add(self, event: _Event) -> None:
        with self.cond:
            if self.knobs.stopped:
                self.hub.dropped[self.platform] = self.hub.dropped.get(self.platform, 0) + 1
                return
            self.pending.append(event)
            self._start()
            self.cond.notify_all()

    def _start(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.closed = False
            self.thread = threading.Thread(target=self._run, name=f"sim-webhooks-{self.platform}", daemon=True)
            self.thread.start()

    def clear(self) -> None:
        with self.cond:
            self.generation += 1
            self.pending.clear()
            self.held.clear()
            self.due.clear()
            self.knobs = Knobs(timeout=20.0 if self.platform == "facebook" else 10.0)
            self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=1.0)  # a daemon thread; one stuck in a slow request ends with its timeout

    def idle(self) -> bool:
        with self.cond:
            return not (self.pending or self.held or self.due or self.sending)

    # -- worker side --------------------------------------------------------------------------------------------
    def _build(self, now: float) -> float | None:
        """Move pending events into deliveries when a batch is full or has waited long enough (lock held).
        Returns the next time something becomes ready, or None."""
        k = self.knobs
        wake: float | None = None
        while self.pending:
            kind = self.pending[0].kind
            group = [e for e in self.pending if e.kind == kind][:k.batch]
            if len(group) < k.batch and now < self.pending[0].at + k.hold_seconds and k.batch > 1:
                wake = self.pending[0].at + k.hold_seconds
                break
            ids = {id(e) for e in group}
            self.pending = [e for e in self.pending if id(e) not in ids]
            body = self.hub.render(self.platform, group)
            self.held.append((now, body, len(group)))
        if self.held and (k.out_of_order < 2 or len(self.held) >= k.out_of_order
                          or now >= self.held[0][0] + k.hold_seconds):
            batch = self.held[::-1] if k.out_of_order >= 2 else self.held
            self.held = []
            for _, body, count in batch:
                delivery = next(self.hub.delivery_ids)
                for copy in range(1 + max(k.duplicate, 0)):
                    heapq.heappush(self.due, _Due(now + k.delay, next(self.hub.seq), delivery, copy, 1, body, count))
        elif self.held:
            wake = min(wake or float("inf"), self.held[0][0] + k.hold_seconds)
        return wake

    def _run(self) -> None:
        while True:
            with self.cond:
                while True:
                    if self.closed:
                        return
                    now = time.monotonic()
                    wake = self._build(now)
                    if self.due and self.due[0].due <= now:
                        item = heapq.heappop(self.due)
                        self.sending += 1
                        break
                    nxt = min(x for x in (wake, self.due[0].due if self.due else None, now + 5.0) if x is not None)
                    self.cond.wait(max(nxt - now, 0.001))
            try:
                self._send(item)
            finally:
                with self.cond:
                    self.sending -= 1
                    self.cond.notify_all()

    def _send(self, item: _Due) -> None:
        generation = self.generation
        url, headers = self.hub.target(self.platform, item.body)
        status: int | None = None
        error: str | None = None
        if url is None:
            error = "no callback configured"
        else:
            try:
                status, _ = http_call("POST", self.hub.resolve_url(url), body=item.body, headers=headers,
                                      timeout=self.knobs.timeout)
            except OSError as exc:
                error = f"{type(exc).__name__}: {exc}"
        if generation != self.generation:  # the simulator was reset meanwhile: forget this delivery
            return
        self.hub.record(Attempt(self.platform, item.delivery, item.copy, item.attempt, url or "", status, error,
                                item.events, item.body, headers, self.hub.sim.clock()))
        if status != 200 and url is not None:
            k = self.knobs
            if item.attempt < k.max_attempts:
                wait = min(k.retry_base * 2 ** (item.attempt - 1), k.retry_max)
                with self.cond:
                    heapq.heappush(self.due, _Due(time.monotonic() + wait, next(self.hub.seq), item.delivery,
                                                  item.copy, item.attempt + 1, item.body, item.events))
            else:
                self.hub.gave_up.append(item.delivery)


class WebhookHub:
    def __init__(self, sim: Simulator, *, facebook_app_secret: str, x_consumer_secret: str,
                 facebook_app_id: str = "1234567890123456") -> None:
        self.sim = sim
        self.facebook_app_secret = facebook_app_secret
        self.x_consumer_secret = x_consumer_secret
        self.facebook_app_id = facebook_app_id
        self.lock = threading.RLock()
        self.delivery_ids = itertools.count(1)
        self.seq = itertools.count(1)
        self.channels = {"facebook": _Channel(self, "facebook"), "x": _Channel(self, "x")}
        self.url_policy = "strict"  # "loopback": http:// and a port allowed for 127.0.0.1/localhost
        self.resolve: dict[str, str] = {}  # public origin -> where the simulator really connects
        self.x_webhook_limit = 1  # pay-per-use: 1 webhook, 3 subscriptions
        self.x_subscription_limit = 3
        self.crc_timeout = 3.0
        self._reset_state()

    def _reset_state(self) -> None:
        with self.lock:
            self.attempts: list[Attempt] = []
            self.dropped: dict[str, int] = {}
            self.gave_up: list[int] = []
            self.crc_checks: list[dict[str, Any]] = []
            self.x_webhooks: dict[str, dict[str, Any]] = {}  # id -> {id, url, valid, created_at}
            self.x_subscriptions: dict[str, list[str]] = {}  # webhook id -> user ids
            self.meta_url: str | None = None
            self.meta_verify_token: str | None = None
            self.meta_fields: set[str] = set()

    def reset(self) -> None:
        for channel in self.channels.values():
            channel.clear()
        self._reset_state()
        self.url_policy, self.resolve = "strict", {}

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()

    # ---- configuration -----------------------------------------------------------------------------------------
    def configure(self, platform: str, url: str | None = None, *, verify_token: str | None = None,
                  fields: list[str] | str | None = None, verify: bool = False, crc: bool = False,
                  **knobs: Any) -> dict[str, Any]:
        """Point ``platform``'s deliveries at ``url`` (as if registered and subscribed) and/or set knobs.

        Meta: ``url`` is the app dashboard's callback URL; ``fields`` the Page's subscribed fields (default
        feed,messages,message_echoes,comments); ``verify=True`` sends Meta's verification GET with ``verify_token``
        first (a wrong answer raises ValueError). X: registers ``url`` as the app's webhook and subscribes the
        brand; ``crc=True`` runs the CRC first."""
        platform = platform_name(platform)
        if platform not in self.channels:
            raise ValueError("webhooks exist for 'x' and 'facebook'")
        channel = self.channels[platform]
        with channel.cond:
            channel.knobs.update(**knobs)
            channel.cond.notify_all()
        if url is not None:
            if platform == "facebook":
                if verify and not self.meta_verify(url, verify_token or ""):
                    raise ValueError("the callback did not answer Meta's verification request with the challenge")
                with self.lock:
                    self.meta_url, self.meta_verify_token = url, verify_token
                    if fields is not None or not self.meta_fields:
                        self.set_meta_fields(fields or ["feed", "messages", "message_echoes", "comments"])
            else:
                if crc and not self.x_crc(url):
                    raise ValueError("the callback did not answer X's CRC correctly")
                with self.lock:
                    hook = self.x_register(url)
                    subs = self.x_subscriptions.setdefault(hook["id"], [])
                    if self.sim.x.user_id not in subs:
                        subs.append(self.sim.x.user_id)
        elif fields is not None and platform == "facebook":
            self.set_meta_fields(fields)
        described: dict[str, Any] = self.describe()[platform]
        return described

    def set_meta_fields(self, fields_: list[str] | str) -> None:
        names = [f.strip() for f in (fields_.split(",") if isinstance(fields_, str) else fields_) if f.strip()]
        with self.lock:
            self.meta_fields = set(names)

    def describe(self) -> dict[str, Any]:
        with self.lock:
            return {
                "facebook": {"url": self.meta_url, "fields": sorted(self.meta_fields),
                             "knobs": vars(self.channels["facebook"].knobs).copy(),
                             "dropped": self.dropped.get("facebook", 0)},
                "x": {"webhooks": list(self.x_webhooks.values()), "subscriptions": dict(self.x_subscriptions),
                      "knobs": vars(self.channels["x"].knobs).copy(), "dropped": self.dropped.get("x", 0)},
                "url_policy": self.url_policy, "resolve": dict(self.resolve),
            }

    def resolve_url(self, url: str) -> str:
        for origin, local in self.resolve.items():
            if url == origin or url.startswith(origin.rstrip("/") + "/") or url.startswith(origin.rstrip("/") + "?"):
                return local.rstrip("/") + url[len(origin.rstrip("/")):]
        return url

    # ---- records ------------------------------------------------------------------------------------------------
    def record(self, attempt: Attempt) -> None:
        with self.lock:
            self.attempts.append(attempt)

    def deliveries(self, platform: str | None = None) -> list[Attempt]:
        with self.lock:
            return [a for a in self.attempts if platform is None or a.platform == platform_name(platform)]

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is pending, held, due or being sent (retries included); True when idle."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(c.idle() for c in self.channels.values()):
                return True
            time.sleep(0.01)
        return False

    # ---- targets ----------------------------------------------------------------------------------------------
    def _x_target(self, user_id: str) -> str | None:
        with self.lock:
            for hook_id, hook in self.x_webhooks.items():
                if hook["valid"] and user_id in self.x_subscriptions.get(hook_id, []):
                    url: str = hook["url"]
                    return url
        return None

    def target(self, platform: str, body: bytes) -> tuple[str | None, dict[str, str]]:
        if platform == "facebook":
            headers = {"Content-Type": "application/json", "User-Agent": "facebookexternalua",
                       "X-Hub-Signature": shapes.meta_signature_sha1(self.facebook_app_secret, body),
                       "X-Hub-Signature-256": shapes.meta_signature(self.facebook_app_secret, body)}
            with self.lock:
                return self.meta_url, headers
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "x-twitter-webhooks-signature": shapes.x_signature(self.x_consumer_secret, body)}
        return self._x_target(self.sim.x.user_id), headers

    def render(self, platform: str, group: list[_Event]) -> bytes:
        if platform == "facebook":
            obj = "instagram" if group[0].kind == IG_ENTRY else "page"
            return shapes.meta_body(shapes.meta_payload([e.item for e in group], obj))
        user_id = self.sim.x.user_id
        if group[0].kind == "tweet_create_events":
            payload = shapes.x_tweet_payload(user_id, [e.item for e in group], any(e.mention for e in group))
        elif group[0].kind != "direct_message_events":
            payload = shapes.x_payload(user_id, group[0].kind, [e.item for e in group])
        else:
            users: dict[str, Any] = {}
            for e in group:
                users.update(e.users)
            payload = shapes.x_dm_payload(user_id, [e.item for e in group], users, any(e.app for e in group))
        return shapes.x_body(payload)

    # ---- events (called by the platform states, under their locks) ------------------------------------------
    def _meta_wants(self, field_: str) -> bool:
        with self.lock:
            return self.meta_url is not None and field_ in self.meta_fields

    def comment_changed(self, comment: Comment, verb: str) -> None:
        if self._meta_wants("feed"):
            entry = shapes.meta_comment_entry(self.sim.facebook.page_id, comment, verb, self.sim.clock())
            self.channels["facebook"].add(_Event("entry", entry, time.monotonic()))

    def post_added(self, post: Post) -> None:
        if self._meta_wants("feed"):
            entry = shapes.meta_post_entry(self.sim.facebook.page_id, post, self.sim.clock())
            self.channels["facebook"].add(_Event("entry", entry, time.monotonic()))

    def ig_comment_added(self, comment: IgComment) -> None:
        if self._meta_wants("comments"):
            entry = shapes.ig_comment_entry(self.sim.facebook.ig_user_id, comment, self.sim.clock())
            self.channels["facebook"].add(_Event(IG_ENTRY, entry, time.monotonic()))

    def message_added(self, msg: Message) -> None:
        state = self.sim.facebook
        conv = state.conversations.get(msg.conversation_id)
        if conv is not None and conv.platform == "instagram":  # echoes come with the messages field
            if self._meta_wants("messages"):
                entry = shapes.ig_message_entry(state.ig_user_id, msg, self.sim.clock())
                self.channels["facebook"].add(_Event(IG_ENTRY, entry, time.monotonic()))
            return
        echo = msg.from_id == self.sim.facebook.page_id
        if self._meta_wants("message_echoes" if echo else "messages"):
            entry = shapes.meta_message_entry(self.sim.facebook.page_id, msg, self.sim.clock(), self.facebook_app_id)
            self.channels["facebook"].add(_Event("entry", entry, time.monotonic()))

    def tweet_created(self, tweet: Tweet) -> None:
        state = self.sim.x
        brand = state.user_id
        mention = state.is_mention(tweet) and tweet.author_id != brand
        if not (mention or tweet.author_id == brand) or self._x_target(brand) is None:
            return
        item = shapes.v1_tweet(state, tweet)
        self.channels["x"].add(_Event("tweet_create_events", item, time.monotonic(), mention=mention))

    def tweet_deleted(self, tweet: Tweet) -> None:
        if self._x_target(self.sim.x.user_id) is not None:
            item = shapes.v1_tweet_delete(tweet, self.sim.clock())
            self.channels["x"].add(_Event("tweet_delete_events", item, time.monotonic()))

    def dm_created(self, event: DMEvent) -> None:
        state = self.sim.x
        brand = state.user_id
        members = event.dm_conversation_id.split("-")
        if brand not in members or self._x_target(brand) is None:
            return
        other = next((m for m in members if m != brand), brand)
        recipient = other if event.sender_id == brand else brand
        item = shapes.v1_dm_event(state, event, recipient)
        users = shapes.dm_users(state, event.sender_id, recipient)
        self.channels["x"].add(_Event("direct_message_events", item, time.monotonic(), users=users,
                                      app=event.sender_id == brand))

    # ---- verification requests the platforms send -------------------------------------------------------------
    def meta_verify(self, url: str, verify_token: str) -> bool:
        challenge = str(secrets.randbelow(10**10))
        query = urlencode({"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token})
        sep = "&" if "?" in url else "?"
        try:
            status, body = http_call("GET", self.resolve_url(url) + sep + query, timeout=self.crc_timeout)
        except OSError:
            return False
        return status == 200 and body.decode("utf-8", "replace").strip() == challenge

    def x_crc(self, url: str) -> bool:
        """X's CRC: GET <url>?crc_token=…; the answer must be 200 JSON with the right response_token."""
        token = secrets.token_urlsafe(24)
        sep = "&" if "?" in url else "?"
        ok, detail = False, ""
        try:
            status, body = http_call("GET", self.resolve_url(url) + sep + urlencode({"crc_token": token}),
                                     timeout=self.crc_timeout)
            answer = json.loads(body) if status == 200 else None
            expected = shapes.x_crc_response(self.x_consumer_secret, token)
            ok = isinstance(answer, dict) and answer.get("response_token") == expected
            detail = f"HTTP {status}"
        except (OSError, ValueError) as exc:
            detail = type(exc).__name__
        with self.lock:
            self.crc_checks.append({"url": url, "ok": ok, "detail": detail, "at": self.sim.clock().isoformat()})
        return ok

    # ---- X registrations ------------------------------------------------------------------------------------
    def url_problem(self, url: str) -> str | None:
        """Why X would refuse ``url`` (None: acceptable)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return "the URL is not valid"
        loopback = self.url_policy == "loopback" and (parts.hostname or "") in LOOPBACK_HOSTS
        if parts.scheme != "https" and not (loopback and parts.scheme == "http"):
            return "the URL must use https"
        if not parts.hostname:
            return "the URL has no host"
        if port is not None and not loopback:
            return "the URL must not contain a port"
        return None

    def x_register(self, url: str) -> dict[str, Any]:
        with self.lock:
            for hook in self.x_webhooks.values():
                if hook["url"] == url:
                    hook["valid"] = True
                    return hook
            hook_id = self.sim.x._ids.next(self.sim.clock())
            hook = {"created_at": self.sim.clock().strftime("%Y-%m-%dT%H:%M:%S.000Z"), "id": hook_id, "url": url,
                    "valid": True}
            self.x_webhooks[hook_id] = hook
            return hook
