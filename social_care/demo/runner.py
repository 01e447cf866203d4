"""The demo: start the simulator on 127.0.0.1, feed it the bundled posts (time-compressed), run the
service against it, and narrate what happens. Ctrl-C stops it; ``--exit-when-idle`` stops by itself."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url
from sqlmodel import col, func, select

from ..models import utcnow
from ..store.tables import Alert, Post, Reply

if TYPE_CHECKING:
    from ..app import App
    from ..config import Settings
    from ..simulator import Simulator

__all__ = ["run_demo", "load_demo_posts", "DemoFeed"]

PAGE_ID = "104512345678901"
X_USER_ID = "99"
DEMO_USER, DEMO_PASSWORD = "demo", "demo-care"
FAST_POLL_SECONDS = 2
SLACK_GRACE_SECONDS = 20


def load_demo_posts() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    data = resources.files(__package__).joinpath("data")
    posts = [json.loads(line) for line in data.joinpath("posts.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    page_posts = json.loads(data.joinpath("page_posts.json").read_text(encoding="utf-8"))
    return sorted(posts, key=lambda p: (p.get("at_minute", 0), p["id"])), page_posts


def _numeric(author_id: str, base: int) -> str:
    digits = "".join(ch for ch in author_id if ch.isdigit()) or "1"
    return str(base + int(digits))


@dataclass
class DemoFeed:
    """Puts each demo post into the simulator at its time; remembers platform ids for threads."""

    sim: Simulator
    posts: list[dict[str, Any]]
    page_posts: list[dict[str, Any]]
    speed: float
    start: datetime = field(default_factory=utcnow)
    fed: int = 0
    errors: int = 0
    _ids: dict[str, str] = field(default_factory=dict)
    _page_ids: dict[str, str] = field(default_factory=dict)
    _ig_media: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def publish_page_posts(self) -> None:
        for p in self.page_posts:
            at = self.start + timedelta(minutes=float(p.get("at_minute", -60)))
            self._page_ids[p["id"]] = self.sim.facebook.add_post(message=p["message"], created_at=at, from_page=True)
        # the same campaign on Instagram: the two newest Page posts, where Instagram comments arrive
        for p in self.page_posts[-2:]:
            at = self.start + timedelta(minutes=float(p.get("at_minute", -60)))
            self._ig_media.append(self.sim.facebook.add_ig_media(caption=p["message"], created_at=at))

    def due_at(self, post: dict[str, Any]) -> float:
        """Seconds after start at which ``post`` arrives, time-compressed by ``speed``."""
        return float(post.get("at_minute", 0)) * 60.0 / self.speed

    def run(self) -> None:
        t0 = time.monotonic()
        for post in self.posts:
            wait = self.due_at(post) - (time.monotonic() - t0)
            if wait > 0 and self.stop.wait(wait):
                return
            try:
                self.add(post)
            except Exception as exc:  # noqa: BLE001 - one bad demo line must not end the demo
                print(f"  demo: could not feed {post.get('id')}: {exc}")
                self.errors += 1
            self.fed += 1

    def add(self, post: dict[str, Any]) -> str:
        author = post.get("author") or {}
        channel = post["channel"]
        now = utcnow()
        if channel == "x.mention":
            uid = _numeric(author.get("id", "x-1"), 5_000_000)
            parent = self._ids.get(post.get("parent") or "")
            ext = self.sim.x.add_mention(author_id=uid, username=author.get("handle") or f"user{uid}",
                                         name=author.get("name") or "Customer", text=post["text"], created_at=now,
                                         followers=int(author.get("followers") or 0), in_reply_to=parent)
        elif channel == "x.dm":
            uid = _numeric(author.get("id", "x-1"), 5_000_000)
            ext = self.sim.x.add_dm(sender_id=uid, username=author.get("handle") or f"user{uid}", text=post["text"],
                                    created_at=now)
        elif channel == "facebook.comment":
            uid = _numeric(author.get("id", "fb-1"), 7_000_000_000)
            page_post = self._page_ids.get(post.get("post") or "") or next(iter(self._page_ids.values()))
            parent = self._ids.get(post.get("parent") or "")
            ext = self.sim.facebook.add_comment(page_post, user_id=uid, name=author.get("name") or "Customer",
                                                text=post["text"], parent_id=parent, created_at=now)
        elif channel == "x.search":  # names the brand without tagging it
            uid = _numeric(author.get("id", "x-1"), 5_000_000)
            ext = self.sim.x.add_tweet(uid, post["text"], username=author.get("handle") or f"user{uid}",
                                       name=author.get("name") or "Customer", created_at=now,
                                       followers=int(author.get("followers") or 0))
        elif channel == "instagram.comment":
            uid = _numeric(author.get("id", "ig-1"), 6_000_000_000)
            media = self._ig_media[int(_numeric(post["id"], 0)) % len(self._ig_media)]
            ext = self.sim.facebook.add_ig_comment(media, user_id=uid, username=author.get("handle") or f"user{uid}",
                                                   text=post["text"], created_at=now)
        elif channel == "instagram.dm":
            uid = _numeric(author.get("id", "ig-1"), 6_100_000_000)
            ext = self.sim.facebook.add_ig_message(igsid=uid, username=author.get("handle") or f"user{uid}",
                                                   text=post["text"], created_at=now)
        else:
            uid = _numeric(author.get("id", "fb-1"), 8_000_000_000)
            ext = self.sim.facebook.add_message(psid=uid, name=author.get("name") or "Customer", text=post["text"],
                                                created_at=now)
        self._ids[post["id"]] = ext
        external_id: str = ext
        return external_id


def _fresh_sqlite(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)


# the demo's own secrets, shared by the simulator and the service (never used outside the demo)
DEMO_CONSUMER_SECRET = "demo-cs"
DEMO_APP_SECRET = "demo-app-secret"
DEMO_VERIFY_TOKEN = "demo-verify-token"


def run_demo(*, exit_when_idle: bool, port: int, speed: float, database_url: str,
             autosend: str = "none", idle_timeout: float = 900.0, webhooks: bool = True) -> int:
    from apscheduler.schedulers.background import BackgroundScheduler  # lazy: the scheduler only when the demo runs

    from scheduler import build_scheduler

    from ..app import build_app
    from ..config import load_settings
    from ..logging_setup import configure_logging
    from ..simulator import Simulator, SimulatorServer
    from ..web import serve_in_thread
    from ..web.auth import add_user

    configure_logging("WARNING")
    posts, page_posts = load_demo_posts()
    sim = Simulator(x_user_id=X_USER_ID, x_username="acmeshop", page_id=PAGE_ID, page_name="Acme",
                    page_token="demo-page-token", x_bearer_token="demo-bearer-token",
                    rate_limits="generous", x_consumer_secret=DEMO_CONSUMER_SECRET,
                    facebook_app_secret=DEMO_APP_SECRET)
    server = SimulatorServer(sim, host="127.0.0.1", port=0).start()
    _fresh_sqlite(database_url)
    web_port = port
    settings = load_settings(
        _env_file=None,
        SOCIAL_CARE_DATABASE_URL=database_url, SOCIAL_CARE_AUTOSEND=autosend, SOCIAL_CARE_BRAND_NAME="Acme",
        X_USER_ID=X_USER_ID, X_BEARER_TOKEN="demo-bearer-token", X_CONSUMER_KEY="demo-ck",
        X_CONSUMER_SECRET=DEMO_CONSUMER_SECRET, FACEBOOK_APP_SECRET=DEMO_APP_SECRET,
        FACEBOOK_WEBHOOK_VERIFY_TOKEN=DEMO_VERIFY_TOKEN, X_ACCESS_TOKEN=f"{X_USER_ID}-demo-at",
        X_ACCESS_TOKEN_SECRET="demo-ats",
        X_API_BASE_URL=server.url, FACEBOOK_PAGE_ID=PAGE_ID, FACEBOOK_PAGE_ACCESS_TOKEN="demo-page-token",
        FACEBOOK_GRAPH_URL=server.url, SLACK_WEBHOOK_URL=f"{server.url}/services/TDEMO/BDEMO/demo",
        SOCIAL_CARE_POLL_X_MENTIONS_SECONDS=FAST_POLL_SECONDS, SOCIAL_CARE_POLL_X_DMS_SECONDS=FAST_POLL_SECONDS,
        SOCIAL_CARE_POLL_FACEBOOK_COMMENTS_SECONDS=FAST_POLL_SECONDS,
        SOCIAL_CARE_POLL_FACEBOOK_MESSENGER_SECONDS=FAST_POLL_SECONDS,
        INSTAGRAM_BUSINESS_ACCOUNT_ID=sim.facebook.ig_user_id, SOCIAL_CARE_X_SEARCH_TERMS="Acme, acme shop, akme",
        SOCIAL_CARE_POLL_INSTAGRAM_COMMENTS_SECONDS=FAST_POLL_SECONDS,
        SOCIAL_CARE_POLL_INSTAGRAM_DMS_SECONDS=FAST_POLL_SECONDS, SOCIAL_CARE_POLL_X_SEARCH_SECONDS=FAST_POLL_SECONDS,
        SOCIAL_CARE_OUTBOX_INTERVAL_SECONDS=FAST_POLL_SECONDS,
        SOCIAL_CARE_SECRET_KEY="demo-only-secret-key-not-for-production",
    )
    app = build_app(settings)
    add_user(app, DEMO_USER, DEMO_PASSWORD, display_name="Demo agent")
    _server, _thread, url = serve_in_thread(app, "127.0.0.1", web_port)
    print(f"social-care demo — simulator at {server.url}")
    print(f"queue page: {url}  (sign in as {DEMO_USER} / {DEMO_PASSWORD})")
    if webhooks:
        print(_go_live(sim, settings, url))
    else:
        print("webhooks off (--no-webhooks): every post is found by polling")
    print(f"feeding {len(posts)} customer posts over {posts[-1].get('at_minute', 0) * 60 / speed:.0f} s "
          f"(autosend={autosend}); Ctrl-C stops\n")

    feed = DemoFeed(sim=sim, posts=posts, page_posts=page_posts, speed=speed)
    feed.publish_page_posts()
    feeder = threading.Thread(target=feed.run, name="demo-feed", daemon=True)
    sched = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                              "misfire_grace_time": 30})
    build_scheduler(app, scheduler=sched, tick_seconds=FAST_POLL_SECONDS)
    sched.start()
    feeder.start()
    narrator = _Narrator(app)
    started = time.monotonic()
    idle_since: float | None = None
    suggested = autosend != "none"  # with autosend there is nothing waiting to try
    code = 0
    try:
        while True:
            time.sleep(0.5)
            narrator.tick()
            if feed.fed == len(posts) and narrator.idle(len(posts) - feed.errors) and not suggested:
                narrator.suggest(url)
                suggested = True
            if exit_when_idle and feed.fed == len(posts) and narrator.idle(len(posts) - feed.errors):
                idle_since = idle_since or time.monotonic()
                # Slack pings go out at most one a second: give them a moment, but never wait for ever
                if narrator.alerts_pending() == 0 or time.monotonic() - idle_since > SLACK_GRACE_SECONDS:
                    break
            if exit_when_idle and time.monotonic() - started > idle_timeout:
                print("demo: gave up waiting for the posts to be processed")
                code = 1
                break
    except KeyboardInterrupt:
        print("\nstopping…")
    finally:
        feed.stop.set()
        sched.shutdown(wait=False)
        _server.should_exit = True
        summary = narrator.summary(fed=feed.fed)
        print(json.dumps(summary, sort_keys=True))
        server.stop()
        app.engine.dispose()
    return code


def _go_live(sim: Simulator, settings: Settings, url: str) -> str:
    """What a brand does going live, against the simulator: the Meta dashboard's callback and verify token,
    then ``social-care webhooks subscribe`` (X registers the URL after its CRC, the Page subscribes its
    fields). The simulator accepts the loopback http:// address the real platforms refuse."""
    from ..webhook_subscribe import subscribe

    sim.webhooks.url_policy = "loopback"
    sim.webhooks.configure("facebook", f"{url}/webhooks/meta", verify_token=DEMO_VERIFY_TOKEN, verify=True)
    code, lines = subscribe(settings.model_copy(update={"public_url": url}), allow_loopback=True)
    if code != 0:
        return "webhooks could not be subscribed; polling finds every post:\n  " + "\n  ".join(lines)
    return (f"webhooks live: X and Meta deliver signed posts to {url}/webhooks/x and /webhooks/meta at once; "
            "polling stays as the backstop (Instagram and untagged X mentions are polled)")


class _Narrator:
    """Prints each new post, reply and Slack ping once; knows when the demo has nothing left to do."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.last_post = self.last_reply_event = self.last_alert = 0
        self.seen_replies: set[int] = set()

    def tick(self) -> None:
        with self.app.session() as s:
            for p in s.exec(select(Post).where(col(Post.id) > self.last_post).order_by(col(Post.id))):
                self.last_post = p.id or self.last_post
                flag = "FLAGGED " if p.flagged else ""
                why = f"  [{', '.join(p.reasons[:3])}]" if p.flagged and p.reasons else ""
                who = f"@{p.author_handle}" if p.author_handle else (p.author_name or p.author_id)
                print(f"← {p.channel:<18} {who[:20]:<20} {flag}{p.lang or '?'}: {_short(p.text)}{why}")
            for r in s.exec(select(Reply).where(col(Reply.status).in_(["sent", "needs_human", "failed"]))):
                if r.id is None or r.id in self.seen_replies:
                    continue
                self.seen_replies.add(r.id)
                arrow = "→" if r.status == "sent" else "!"
                print(f"{arrow} {r.channel:<18} reply {r.status}: {_short(r.text)}"
                      + (f"  ({r.error})" if r.error and r.status != "sent" else ""))
            for a in s.exec(select(Alert).where(col(Alert.id) > self.last_alert, Alert.status == "sent")
                            .order_by(col(Alert.id))):
                self.last_alert = a.id or self.last_alert
                print(f"⚑ slack {a.kind}: {_alert_line(a)}")

    def idle(self, expected: int) -> bool:
        with self.app.session() as s:
            stored: int = s.exec(select(func.count()).select_from(Post)).one()
            pending: int = s.exec(select(func.count()).select_from(Reply)
                             .where(col(Reply.status).in_(["approved", "sending"]))).one()
        return stored >= expected and pending == 0

    def suggest(self, url: str, per_channel: int = 1) -> None:
        """Name a few flagged posts waiting for approval, one per channel, for a newcomer to try."""
        with self.app.session() as s:
            waiting = s.exec(select(Post).where(Post.flagged, Post.status == "awaiting_approval")
                             .order_by(col(Post.polarity), col(Post.id))).all()
        picks: dict[str, list[Post]] = {}
        for p in waiting:
            if len(picks.setdefault(p.channel, [])) < per_channel:
                picks[p.channel].append(p)
        if not picks:
            return
        print(f"\n{len(waiting)} flagged posts wait for your approval. Try these on the queue page:")
        for channel in sorted(picks):
            for p in picks[channel]:
                why = ", ".join(p.reasons[:3]) if p.reasons else p.label
                print(f"  {url}/posts/{p.id}  {channel}: {_short(p.text, 50)}  [{why}]")
        print("(run with --autosend playbook to see flagged posts answered automatically)\n")

    def alerts_pending(self) -> int:
        with self.app.session() as s:
            query = select(func.count()).select_from(Alert).where(Alert.status == "pending")
            count: int = s.exec(query).one()
            return count

    def summary(self, *, fed: int) -> dict[str, Any]:
        with self.app.session() as s:
            posts = s.exec(select(Post.channel, func.count()).group_by(Post.channel)).all()
            flagged = s.exec(select(func.count()).select_from(Post).where(Post.flagged)).one()
            replies = s.exec(select(Reply.status, func.count()).group_by(Reply.status)).all()
            alerts = s.exec(select(func.count()).select_from(Alert).where(Alert.status == "sent")).one()
        return {"fed": fed, "stored": dict(posts), "flagged": flagged, "replies": dict(replies), "slack_sent": alerts}


def _alert_line(alert: Alert) -> str:
    """One line a person reads in the console for a Slack ping that went out."""
    payload = alert.payload or {}
    message = payload.get("message") if isinstance(payload.get("message"), dict) else payload
    text = message.get("text") if isinstance(message, dict) else None
    if text:
        return _short(str(text))
    if alert.kind == "spike":
        return f"{payload.get('current')} negative posts in the last hour (threshold {payload.get('threshold')})"
    return f"post #{alert.post_id}" if alert.post_id else "sent"


def _short(text: str, width: int = 70) -> str:
    one = " ".join(text.split())
    return one if len(one) <= width else one[: width - 1] + "…"
