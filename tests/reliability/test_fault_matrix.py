"""The fault matrix: every platform call the service makes × every failure class platforms.md names.

One table (``CELLS``) is generated from two lists, ``ENDPOINTS`` and ``FAULTS``; each cell runs the real
service code (tweepy, facebook-sdk, httpx) against the simulator over HTTP with the fault injected on that
one endpoint, then checks: the outcome and message the service records (and shows in ``status``), the
pause it takes (or the retry it plans), that the other streams went on untouched, and, once the platform
behaves again, that nothing was lost and nothing duplicated: every customer post stored once, every
reply on the platform once, every Slack alert once (a second copy only with the "may be a duplicate" note).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlmodel import func, select

from social_care import alerts
from social_care.app import build_app
from social_care.models import Channel, ReplyTarget
from social_care.outbox import send_due
from social_care.pipeline import poll_all
from social_care.runner import status_report
from social_care.store.tables import Cursor, Post, Reply
from tests.conftest import PAGE_ID, X_USER_ID
from tests.spine.helpers import ANGRY, IG_USER_ID, STREAM_OF, Feeder

HTML_ERROR = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
FAST_TIMEOUT = 1.0  # the HTTP timeout of the timeout cells (the other calls in those cells must beat it)
STALL = 5.0  # released as soon as the client gave up (see _wait_for_stalls)


# ---- the endpoints ---------------------------------------------------------------------------------


@dataclass
class Scene:
    """What a cell fed the simulator: customer posts by channel, and the ids its endpoint needs."""

    sim: Any
    fed: Counter = field(default_factory=Counter)
    ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    name: str
    platform: str  # x | facebook | slack
    role: str  # poll | send | slack
    channel: Channel | None
    method: str
    path: Callable[[Scene], str]  # what the fault's path_contains is, for this scene
    missing: str | None = None  # poll: the field an "item missing fields" fault drops
    missing_skips: bool = True  # poll: whether that item is skipped (False: the item is not a post itself)


def _fill_x_mentions(feed: Feeder, scene: Scene) -> None:
    feed.many(Channel.X_MENTION, 105)  # two pages of 100
    scene.fed[Channel.X_MENTION] += 105


def _fill_x_dms(feed: Feeder, scene: Scene) -> None:
    feed.many(Channel.X_DM, 105)
    scene.fed[Channel.X_DM] += 105


def _fill_feed(feed: Feeder, scene: Scene) -> None:
    for i in range(27):  # two pages of 25 posts, one customer comment each
        post = scene.sim.facebook.add_post(message=f"Offer {i}")
        scene.sim.facebook.add_comment(post, user_id=f"77{i}", name="Jane Doe", text=f"is offer {i} on?")
    scene.fed[Channel.FACEBOOK_COMMENT] += 27


def _fill_post_comments(feed: Feeder, scene: Scene) -> None:
    target = scene.sim.facebook.add_post(message="Big sale")
    for i in range(55):  # two pages of 50 comments under one post
        scene.sim.facebook.add_comment(target, user_id=f"78{i}", name="Jane Doe", text=f"sizes for item {i}?")
    other = scene.sim.facebook.add_post(message="Other news")
    scene.sim.facebook.add_comment(other, user_id="7900", name="Ann Lee", text="when do you open?")
    scene.ids["post"] = target
    scene.fed[Channel.FACEBOOK_COMMENT] += 56


def _fill_conversations(feed: Feeder, scene: Scene) -> None:
    feed.many(Channel.MESSENGER, 27)  # two pages of 25 conversations
    scene.fed[Channel.MESSENGER] += 27


def _fill_conversation_messages(feed: Feeder, scene: Scene) -> None:
    for i in range(30):  # more than the 25 messages a conversation listing carries inline
        scene.sim.facebook.add_message(psid="8123", name="Jane Doe", text=f"message {i} about my order")
    feed.many(Channel.MESSENGER, 2)
    scene.ids["conv"] = scene.sim.facebook.conversation_for("8123").id
    scene.fed[Channel.MESSENGER] += 32


def _fill_x_search(feed: Feeder, scene: Scene) -> None:
    feed.many(Channel.X_SEARCH, 105)  # two pages of 100
    scene.fed[Channel.X_SEARCH] += 105


def _fill_ig_media(feed: Feeder, scene: Scene) -> None:
    fb = scene.sim.facebook
    for i in range(27):  # two pages of 25 media, one customer comment each
        media = fb.add_ig_media(caption=f"Look {i}")
        fb.add_ig_comment(media, user_id=f"66{i}", username=f"fan{i}", text=f"is look {i} in stock?")
    scene.fed[Channel.INSTAGRAM_COMMENT] += 27


def _fill_ig_comments(feed: Feeder, scene: Scene) -> None:
    fb = scene.sim.facebook
    media = fb.add_ig_media(caption="Big sale")
    for i in range(55):  # two pages of 50 comments on one media
        fb.add_ig_comment(media, user_id=f"67{i}", username=f"fan{i}", text=f"sizes for item {i}?")
    other = fb.add_ig_media(caption="Other news")
    fb.add_ig_comment(other, user_id="6800", username="ann.lee", text="when do you open?")
    scene.ids["media"] = media
    scene.fed[Channel.INSTAGRAM_COMMENT] += 56


def _fill_ig_replies(feed: Feeder, scene: Scene) -> None:
    fb = scene.sim.facebook
    media = fb.add_ig_media(caption="Giveaway")
    top = fb.add_ig_comment(media, user_id="6900", username="jane.doe", text="how do I enter?")
    for i in range(55):  # more than the 50 replies a comment carries inline: read from /{comment}/replies
        fb.add_ig_comment(media, user_id=f"69{i + 10}", username=f"fan{i}", text=f"me too {i}", parent_id=top)
    scene.ids["top"] = top
    scene.fed[Channel.INSTAGRAM_COMMENT] += 56


def _fill_ig_conversations(feed: Feeder, scene: Scene) -> None:
    feed.many(Channel.INSTAGRAM_DM, 27)  # two pages of 25 conversations
    scene.fed[Channel.INSTAGRAM_DM] += 27


FILL: dict[str, Callable[[Feeder, Scene], None]] = {
    "x.mentions": _fill_x_mentions, "x.dms": _fill_x_dms, "facebook.feed": _fill_feed,
    "facebook.post_comments": _fill_post_comments, "facebook.conversations": _fill_conversations,
    "facebook.conversation_messages": _fill_conversation_messages, "x.search": _fill_x_search,
    "instagram.media": _fill_ig_media, "instagram.comments": _fill_ig_comments,
    "instagram.replies": _fill_ig_replies, "instagram.conversations": _fill_ig_conversations,
}
# the Instagram Send API shares Messenger's path: its cells tell them apart by the recipient (Feeder's IGSIDs
# start with 61, Messenger's PSIDs with 80); the conversations listings by their platform parameter
IG_RECIPIENT = 'recipient={"id": "61'
MESSENGER_RECIPIENT = 'recipient={"id": "80'


ENDPOINTS = [
    Endpoint("x.mentions", "x", "poll", Channel.X_MENTION, "GET", lambda s: "/mentions", missing="author_id"),
    Endpoint("x.dms", "x", "poll", Channel.X_DM, "GET", lambda s: "/2/dm_events", missing="sender_id"),
    Endpoint("facebook.feed", "facebook", "poll", Channel.FACEBOOK_COMMENT, "GET",
             lambda s: f"{PAGE_ID}/feed", missing="from", missing_skips=False),
    Endpoint("facebook.post_comments", "facebook", "poll", Channel.FACEBOOK_COMMENT, "GET",
             lambda s: f"{s.ids['post']}/comments", missing="from"),
    Endpoint("facebook.conversations", "facebook", "poll", Channel.MESSENGER, "GET",
             lambda s: f"{PAGE_ID}/conversations", missing="updated_time", missing_skips=False),
    Endpoint("facebook.conversation_messages", "facebook", "poll", Channel.MESSENGER, "GET",
             lambda s: f"{s.ids['conv']}/messages", missing="from"),
    Endpoint("x.search", "x", "poll", Channel.X_SEARCH, "GET", lambda s: "/2/tweets/search/recent",
             missing="author_id"),
    Endpoint("instagram.media", "facebook", "poll", Channel.INSTAGRAM_COMMENT, "GET",
             lambda s: f"{IG_USER_ID}/media", missing="timestamp", missing_skips=False),
    Endpoint("instagram.comments", "facebook", "poll", Channel.INSTAGRAM_COMMENT, "GET",
             lambda s: f"{s.ids['media']}/comments", missing="from"),
    Endpoint("instagram.replies", "facebook", "poll", Channel.INSTAGRAM_COMMENT, "GET",
             lambda s: f"{s.ids['top']}/replies", missing="from"),
    Endpoint("instagram.conversations", "facebook", "poll", Channel.INSTAGRAM_DM, "GET",
             lambda s: "platform=instagram", missing="updated_time", missing_skips=False),
    # send: "missing" is the field a write's answer lacks (the reply went out, its new id did not come back)
    Endpoint("x.reply", "x", "send", Channel.X_MENTION, "POST", lambda s: "/2/tweets", missing="id"),
    Endpoint("x.dm_send", "x", "send", Channel.X_DM, "POST", lambda s: "/messages", missing="dm_event_id"),
    Endpoint("facebook.comment_reply", "facebook", "send", Channel.FACEBOOK_COMMENT, "POST",
             lambda s: "/comments", missing="id"),
    Endpoint("facebook.messenger_send", "facebook", "send", Channel.MESSENGER, "POST",
             lambda s: MESSENGER_RECIPIENT, missing="message_id"),
    Endpoint("instagram.reply", "facebook", "send", Channel.INSTAGRAM_COMMENT, "POST", lambda s: "/replies",
             missing="id"),
    Endpoint("instagram.dm_send", "facebook", "send", Channel.INSTAGRAM_DM, "POST", lambda s: IG_RECIPIENT,
             missing="message_id"),
    # reading back what the brand sent, to settle a reply a crash left unconfirmed (outbox reconciliation)
    Endpoint("x.own_tweets", "x", "reconcile", Channel.X_MENTION, "GET",
             lambda s: f"/users/{X_USER_ID}/tweets"),
    Endpoint("x.dm_conversation", "x", "reconcile", Channel.X_DM, "GET", lambda s: "/dm_conversations/with/"),
    Endpoint("facebook.comment_replies", "facebook", "reconcile", Channel.FACEBOOK_COMMENT, "GET",
             lambda s: "/comments"),
    Endpoint("facebook.conversation_lookup", "facebook", "reconcile", Channel.MESSENGER, "GET",
             lambda s: f"{PAGE_ID}/conversations"),
    Endpoint("slack.webhook", "slack", "slack", None, "POST", lambda s: "/services/"),
]


# ---- the faults ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What the service must do about a fault while it lasts."""

    outcome: str  # poll: the stream's outcome; send: "waiting" (reply not sent yet); slack: "waiting"
    message: str = ""  # a phrase the recorded error (and so `status`) must contain
    pause: str | None = None  # the pause kind taken (rate_limit | fatal | errors), None = just retry
    pause_seconds: float | None = None  # how long that pause is (± a minute)


@dataclass(frozen=True)
class Fault:
    name: str
    roles: frozenset[str]
    platforms: frozenset[str]
    inject: Callable[[Any, Endpoint, str], None]  # (sim, endpoint, path_contains)
    expect: Callable[[Endpoint], Expect | None]  # None: the cell does not exist


ALL_ROLES = frozenset({"poll", "send", "reconcile", "slack"})
ALL_PLATFORMS = frozenset({"x", "facebook", "slack"})
GRAPH = frozenset({"facebook"})
LISTINGS = frozenset({"poll"})


def _unreachable(ep: Endpoint) -> str:
    return {"x": "cannot reach X", "facebook": "cannot reach the Graph API", "slack": "Slack"}[ep.platform]


def _transient(ep: Endpoint, message: str) -> Expect:
    if ep.role == "poll":
        return Expect("retriable", message)
    if ep.role in ("send", "reconcile"):
        return Expect("waiting", message)
    return Expect("waiting", message, pause="errors", pause_seconds=30)


def _rate_limited(ep: Endpoint, seconds: float, slack_seconds: float) -> Expect:
    if ep.role == "slack":
        return Expect("waiting", "Slack rate limit", pause="rate_limit", pause_seconds=slack_seconds)
    outcome = "rate_limited" if ep.role == "poll" else "waiting"
    return Expect(outcome, "", pause="rate_limit", pause_seconds=seconds)


def _graph(code: int) -> Fault:
    if code in (1, 2):
        def expect(ep: Endpoint) -> Expect:
            return _transient(ep, f"code {code}")
    elif code in (4, 17, 32, 613):
        def expect(ep: Endpoint) -> Expect:
            return _rate_limited(ep, 600, 0)  # no estimated_time_to_regain_access: the default 10 minutes
    else:
        phrase = {190: "FACEBOOK_PAGE_ACCESS_TOKEN", 200: "permission", 368: "policy"}[code]

        def expect(ep: Endpoint) -> Expect:
            outcome = "fatal" if ep.role == "poll" else "waiting"
            return Expect(outcome, phrase, pause="fatal", pause_seconds=1800)

    return Fault(f"graph_{code}", frozenset({"poll", "send", "reconcile"}), GRAPH,
                 lambda sim, ep, path: sim.graph_error_next(code=code, path_contains=path, method=ep.method),
                 expect)


def _inject_timeout(sim: Any, ep: Endpoint, path: str) -> None:
    # a write that the platform did although the answer never came: the worst case for duplicates
    sim.timeout_next(ep.platform, seconds=STALL, path_contains=path, method=ep.method,
                     apply=ep.method == "POST")


def _inject_5xx(sim: Any, ep: Endpoint, path: str) -> None:
    sim.fail_next(ep.platform, status=502, body=HTML_ERROR, path_contains=path, method=ep.method)


def _expect_5xx(ep: Endpoint) -> Expect:
    message = {"x": "HTTP 502", "facebook": "non-JSON page", "slack": "HTTP 502"}[ep.platform]
    return _transient(ep, message)


def _inject_429(reset: bool) -> Callable[[Any, Endpoint, str], None]:
    def inject(sim: Any, ep: Endpoint, path: str) -> None:
        seconds = {"x": 900, "facebook": 420, "slack": 7}[ep.platform] if reset else None
        code = (32 if reset else 613) if ep.platform == "facebook" else None
        sim.rate_limit_next(ep.platform, reset_seconds=seconds, path_contains=path, method=ep.method,
                            code=code)

    return inject


def _expect_429(reset: bool) -> Callable[[Endpoint], Expect]:
    def expect(ep: Endpoint) -> Expect:
        if reset:  # X: x-rate-limit-reset; Graph: estimated_time_to_regain_access (7 min); Slack: Retry-After
            return _rate_limited(ep, {"x": 900, "facebook": 420, "slack": 7}[ep.platform], 7)
        return _rate_limited(ep, {"x": 900, "facebook": 600, "slack": 30}[ep.platform], 30)

    return expect


def _expect_missing(ep: Endpoint) -> Expect:
    return Expect("ok") if ep.role == "poll" else Expect("waiting", "answered without")


FAULTS = [
    Fault("timeout", ALL_ROLES, ALL_PLATFORMS, _inject_timeout,
          lambda ep: _transient(ep, _unreachable(ep) if ep.role != "slack" else "timeout")),
    Fault("connection_reset", ALL_ROLES, ALL_PLATFORMS,
          lambda sim, ep, path: sim.reset_next(ep.platform, path_contains=path, method=ep.method,
                                               apply=ep.method == "POST"),
          lambda ep: _transient(ep, _unreachable(ep) if ep.role != "slack" else "unreachable")),
    Fault("5xx_html", ALL_ROLES, ALL_PLATFORMS, _inject_5xx, _expect_5xx),
    Fault("truncated_json", frozenset({"poll", "send", "reconcile"}), ALL_PLATFORMS,
          lambda sim, ep, path: sim.malformed_next(ep.platform, path_contains=path, method=ep.method,
                                                   apply=ep.method == "POST"),
          lambda ep: _transient(ep, "not valid JSON")),
    Fault("429_reset", ALL_ROLES, ALL_PLATFORMS, _inject_429(True), _expect_429(True)),
    Fault("429_no_reset", ALL_ROLES, ALL_PLATFORMS, _inject_429(False), _expect_429(False)),
    *[_graph(code) for code in (1, 2, 4, 17, 32, 190, 200, 368, 613)],
    Fault("empty_page", LISTINGS, ALL_PLATFORMS,
          lambda sim, ep, path: sim.empty_page_next(ep.platform, path_contains=path),
          lambda ep: Expect("ok")),
    Fault("repeated_cursor", LISTINGS, ALL_PLATFORMS,
          lambda sim, ep, path: sim.stuck_page_next(ep.platform, count=3, path_contains=path),
          lambda ep: Expect("degraded", "repeated pagination token")),
    Fault("missing_fields", frozenset({"poll", "send"}), ALL_PLATFORMS,
          lambda sim, ep, path: sim.missing_field_next(ep.platform, ep.missing or "id", path_contains=path,
                                                       method=ep.method),
          _expect_missing),
    Fault("duplicates_across_pages", LISTINGS, ALL_PLATFORMS,
          lambda sim, ep, path: sim.duplicate_next(ep.platform, path_contains=path), lambda ep: Expect("ok")),
]


def _cells() -> Iterator[Any]:
    for ep in ENDPOINTS:
        for fault in FAULTS:
            if ep.role in fault.roles and ep.platform in fault.platforms:
                expect = fault.expect(ep)
                if expect is not None:
                    yield pytest.param(ep, fault, expect, id=f"{ep.name}-{fault.name}")


CELLS = list(_cells())


# ---- running one cell ------------------------------------------------------------------------------


@pytest.fixture
def build(make_settings, clock) -> Iterator[Callable[..., Any]]:
    apps = []

    def make(**overrides: Any) -> Any:
        app = build_app(make_settings(**overrides), clock=clock)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.engine.dispose()


def _stored(app: Any) -> Counter:
    with app.session() as s:
        rows = s.exec(select(Post.channel, func.count()).group_by(Post.channel)).all()
    return Counter({Channel(c): n for c, n in rows})


def _assert_each_post_once(app: Any) -> None:
    with app.session() as s:
        dupes = s.exec(
            select(Post.channel, Post.external_id, func.count()).group_by(Post.channel, Post.external_id)
            .having(func.count() > 1)
        ).all()
    assert not dupes, f"stored twice: {dupes}"


def _wait_for_stalls(sim: Any) -> None:
    """A stalled write goes through after the client gave up; wait until the simulator answered it."""
    sim.release_stalls()
    assert sim.wait_idle()


def _assert_pause(status: dict[str, Any], key: str, expect: Expect, now: Any) -> None:
    paused = status["paused"]
    if expect.pause is None:
        assert key not in paused, f"{key} paused although the fault only needs a retry: {paused}"
        return
    assert key in paused, f"{key} not paused: {paused}"
    assert paused[key]["kind"] == expect.pause
    if expect.message:
        assert expect.message in paused[key]["reason"]
    until = paused[key]["until"]
    until = until if until.tzinfo else until.replace(tzinfo=now.tzinfo)
    assert abs((until - now).total_seconds() - expect.pause_seconds) < 60, (until - now, expect)


@pytest.mark.parametrize(("endpoint", "fault", "expect"), CELLS)
def test_fault_matrix(build, sim, clock, endpoint: Endpoint, fault: Fault, expect: Expect) -> None:
    timeout = FAST_TIMEOUT if fault.name == "timeout" else None
    overrides = {"SOCIAL_CARE_HTTP_TIMEOUT": timeout} if timeout else {}
    if endpoint.role == "poll":
        _poll_cell(build(**overrides), sim, clock, endpoint, fault, expect)
        return
    app = build(SOCIAL_CARE_AUTOSEND="playbook", **overrides)
    cell = {"send": _send_cell, "reconcile": _reconcile_cell, "slack": _slack_cell}[endpoint.role]
    cell(app, sim, clock, endpoint, fault, expect)


def _poll_cell(app: Any, sim: Any, clock: Any, ep: Endpoint, fault: Fault, expect: Expect) -> None:
    scene = Scene(sim)
    feed = Feeder(sim)
    FILL[ep.name](feed, scene)
    for channel in Channel:  # two posts on every other channel
        if channel != ep.channel:
            feed.many(channel, 2, text="a question about delivery times")
            scene.fed[channel] += 2
    stream = STREAM_OF[ep.channel]
    fault.inject(sim, ep, ep.path(scene))

    results = {r.stream: r for r in poll_all(app)}
    _wait_for_stalls(sim)
    result = results[stream]
    assert result.outcome == expect.outcome, (result.outcome, result.error)
    assert expect.message in (result.error or ""), result.error
    status = status_report(app)
    assert status["last_polls"][stream]["outcome"] == expect.outcome
    assert expect.message in (status["last_polls"][stream]["error"] or "")
    _assert_pause(status, stream, expect, clock())
    # the other streams were not touched
    for other in Channel:
        if other != ep.channel:
            assert results[STREAM_OF[other]].outcome == "ok", results[STREAM_OF[other]]
            assert _stored(app)[other] == scene.fed[other]
    stored = _stored(app)[ep.channel]
    if fault.name == "missing_fields":
        skipped = 1 if ep.missing_skips else 0
        assert result.skipped == skipped and status["last_polls"][stream]["skipped"] == skipped
        assert stored == scene.fed[ep.channel] - skipped
    elif expect.outcome == "ok":
        assert stored == scene.fed[ep.channel]
    if expect.outcome != "ok":
        with app.session() as s:
            assert s.get(Cursor, stream) is None  # nothing read past what failed

    # the platform behaves again: after the pause, everything is read, each post once
    sim.faults.clear()
    clock.advance(seconds=(expect.pause_seconds or 0) + 120)
    again = {r.stream: r for r in poll_all(app)}
    assert again[stream].outcome == "ok", again[stream]
    stored = _stored(app)
    for channel in Channel:
        lost = 1 if fault.name == "missing_fields" and ep.missing_skips and channel == ep.channel else 0
        assert scene.fed[channel] - lost <= stored[channel] <= scene.fed[channel], (channel, stored)
    _assert_each_post_once(app)
    assert poll_all(app) and _stored(app) == stored  # a third poll adds nothing


# the channels autosend answers (x.search replies wait for a person: tests/spine/test_new_channels.py)
AUTOSENT = [c for c in Channel if not c.person_approves]


def _reply_writes(sim: Any) -> Counter:
    """Replies on the platforms, by the post they answer."""
    out: Counter = Counter()
    for w in sim.writes:
        if w.kind != "slack":
            out[(w.kind, w.target)] += 1
    return out


def _send_cell(app: Any, sim: Any, clock: Any, ep: Endpoint, fault: Fault, expect: Expect) -> None:
    feed = Feeder(sim)
    for channel in AUTOSENT:
        feed.add(channel, ANGRY)
    assert all(r.outcome == "ok" for r in poll_all(app))
    scene = Scene(sim)
    fault.inject(sim, ep, ep.path(scene))
    send_due(app)
    _wait_for_stalls(sim)
    with app.session() as s:
        replies = {Channel(r.channel): r for r in s.exec(select(Reply))}
    target = replies[ep.channel]
    assert target.status in ("approved", "sending"), (target.status, target.error)
    assert expect.message in (target.error or ""), target.error
    for other, reply in replies.items():  # the other channels' replies went out
        if other != ep.channel:
            assert reply.status == "sent", (other, reply.status, reply.error)
    status = status_report(app)
    assert status["replies_approved_not_sent"] == 1
    (retrying,) = status["replies_retrying"]
    assert retrying["reply_id"] == target.id and expect.message in retrying["reason"]
    _assert_pause(status, f"send:{ep.channel.value}", expect, clock())

    sim.faults.clear()
    clock.advance(seconds=(expect.pause_seconds or 0) + 3600)
    send_due(app)
    send_due(app)
    with app.session() as s:
        target = s.get(Reply, target.id)
    assert target.status == "sent", (target.status, target.error)
    writes = _reply_writes(sim)
    assert len(writes) == len(AUTOSENT) and set(writes.values()) == {1}, writes  # each customer answered once


def _reconcile_cell(app: Any, sim: Any, clock: Any, ep: Endpoint, fault: Fault, expect: Expect) -> None:
    """A crash left a reply `sending` after the platform posted it; checking the platform fails."""
    feed = Feeder(sim)
    for channel in AUTOSENT:
        feed.add(channel, ANGRY)
    assert all(r.outcome == "ok" for r in poll_all(app))
    with app.session() as s:
        target = s.exec(select(Reply).where(Reply.channel == ep.channel.value)).one()
        reply_to = ReplyTarget(ep.channel, target.target_thread_id, target.target_recipient_id)
        app.responders.for_target(reply_to).send(reply_to, target.text)  # sent; then the process died
        target.status, target.sending_at, target.attempts = "sending", app.now(), 1
        s.add(target)
    fault.inject(sim, ep, ep.path(Scene(sim)))
    send_due(app)
    _wait_for_stalls(sim)
    with app.session() as s:
        target = s.get(Reply, target.id)
        others = s.exec(select(Reply).where(Reply.id != target.id)).all()
    assert target.status == "sending", (target.status, target.error)  # neither resent nor given up
    assert "cannot check on the platform yet" in target.error and expect.message in target.error, target.error
    assert all(r.status == "sent" for r in others), [(r.channel, r.status, r.error) for r in others]
    status = status_report(app)
    (retrying,) = status["replies_retrying"]
    assert retrying["reply_id"] == target.id and "cannot check on the platform yet" in retrying["reason"]
    _assert_pause(status, f"send:{ep.channel.value}", expect, clock())

    sim.faults.clear()
    clock.advance(seconds=(expect.pause_seconds or 0) + 60)
    send_due(app)
    with app.session() as s:
        target = s.get(Reply, target.id)
    assert target.status == "sent", (target.status, target.error)
    writes = _reply_writes(sim)
    assert len(writes) == len(AUTOSENT) and set(writes.values()) == {1}, writes  # each customer answered once


def _slack_cell(app: Any, sim: Any, clock: Any, ep: Endpoint, fault: Fault, expect: Expect) -> None:
    feed = Feeder(sim)
    feed.add(Channel.X_MENTION, ANGRY)
    poll_all(app)
    assert alerts.evaluate(app) == 1
    fault.inject(sim, ep, ep.path(Scene(sim)))
    assert alerts.deliver(app) == 0
    _wait_for_stalls(sim)
    status = status_report(app)
    assert status["slack"]["pending"] == 1 and not status["slack"]["ok"]
    assert expect.message in status["slack"]["state"], status["slack"]
    _assert_pause(status, "alerts.slack", expect, clock())
    # replies and polling go on while Slack is down
    feed.add(Channel.MESSENGER, ANGRY)
    assert all(r.outcome == "ok" for r in poll_all(app))
    assert send_due(app).sent == 2

    sim.faults.clear()
    clock.advance(seconds=(expect.pause_seconds or 0) + 5)
    alerts.evaluate(app)
    for _ in range(8):  # the simulator's Slack paces 1 msg/s in real time, after a copy that went through
        alerts.deliver(app)
        if status_report(app)["slack"]["pending"] == 0:
            break
        clock.advance(seconds=2)
        time.sleep(0.3)
    status = status_report(app)
    assert status["slack"]["ok"] and status["slack"]["pending"] == 0, status["slack"]
    copies = [m for m in sim.slack.messages if "worst service" in str(m)]
    assert copies, "the alert was lost"
    assert len(copies) <= 2
    if len(copies) == 2:  # at-least-once: the second copy says it may be one
        assert "may be a duplicate" in str(copies[1]) and "may be a duplicate" not in str(copies[0])
