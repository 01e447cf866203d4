"""Polling as the backstop: stretched while webhooks deliver, normal again (with one Slack ping and a line
in ``status``) when they fall silent, and it catches what the webhooks missed. A delivery is answered
and pinged at once by the running scheduler, not at its next tick."""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import select

from social_care.alerts import deliver
from social_care.models import Channel
from social_care.runner import status_report
from social_care.store.tables import Alert, Post
from social_care.webhooks import delivery_counts, last_deliveries, poll_due
from social_care.webhooks.backstop import poll_unless_webhooks_live
from tests.spine.helpers import ANGRY, Feeder, connector

from .signing import post_x, x_mentions_payload


def due(app: Any, stream: str) -> bool:
    """``poll_due`` for a stream with the webhook platform its connector declares."""
    return poll_due(app, stream, connector(app, stream).webhook_platform)


def _ids(app: Any) -> set[str]:
    with app.session() as s:
        return set(s.exec(select(Post.external_id)).all())


def test_polling_stretches_while_webhooks_deliver_and_catches_what_they_missed(client: Any, hook_app: Any,
                                                                              sim: Any, clock: Any) -> None:
    mentions = connector(hook_app, "x.mentions")
    assert poll_due(hook_app, "x.mentions", "x")  # no webhook ever: the normal interval
    assert poll_unless_webhooks_live(hook_app, mentions) is not None
    feed = Feeder(sim)
    delivered = feed.add(Channel.X_MENTION, ANGRY)
    missed = feed.add(Channel.X_MENTION, "the second one the webhook lost, still waiting")
    clock.advance(seconds=5)
    assert post_x(client, x_mentions_payload(sim, [delivered])).status_code == 200
    with hook_app.session() as s:
        assert last_deliveries(s) == {"x": clock(), "facebook": None, "instagram": None}
        assert delivery_counts(s)["x"] == {"accepted": 1, "rejected": 0, "unknown": 0, "events": 1}
    assert _ids(hook_app) == {delivered}
    clock.advance(seconds=120)  # the normal interval has passed, but webhooks are live: no poll yet
    assert not poll_due(hook_app, "x.mentions", "x")
    assert poll_unless_webhooks_live(hook_app, mentions) is None
    assert poll_due(hook_app, "facebook.comments", "facebook")  # the other platform polls as usual
    assert status_report(hook_app)["webhooks"]["x"]["state"] == "live"
    clock.advance(seconds=900 - 120)  # the backstop interval since the last poll
    assert poll_due(hook_app, "x.mentions", "x")
    result = poll_unless_webhooks_live(hook_app, mentions)
    assert result is not None and result.stored == 1
    assert _ids(hook_app) == {delivered, missed}


def test_silent_webhooks_return_polling_to_normal_and_ping_once(client: Any, hook_app: Any, sim: Any,
                                                                clock: Any) -> None:
    tweet = Feeder(sim).add(Channel.X_MENTION, ANGRY)
    assert post_x(client, x_mentions_payload(sim, [tweet])).status_code == 200
    poll_unless_webhooks_live(hook_app, connector(hook_app, "x.mentions"))
    clock.advance(seconds=901)  # nothing since
    report = status_report(hook_app)["webhooks"]["x"]
    assert report["state"] == "broken" and "look broken" in report["problem"]
    assert report["poll_interval"] == "normal"
    for _ in range(3):
        assert poll_due(hook_app, "x.mentions", "x") and poll_due(hook_app, "x.dms", "x")
    with hook_app.session() as s:
        broken = [a for a in s.exec(select(Alert)).all() if a.dedupe_key.startswith("webhooks_broken:")]
    assert len(broken) == 1 and broken[0].payload["stream"] == "webhooks.x"
    deadline = time.monotonic() + 20  # Slack's pacing is real time in the simulator
    while "webhooks.x" not in str(sim.slack.messages) and time.monotonic() < deadline:
        clock.advance(seconds=2)
        deliver(hook_app)
        time.sleep(0.2)
    texts = str(sim.slack.messages)
    assert "webhooks.x" in texts and "SOCIAL_CARE_PUBLIC_URL" in texts
    # deliveries come back: live again; a later outage is announced again
    assert post_x(client, x_mentions_payload(sim, [tweet])).status_code == 200
    assert status_report(hook_app)["webhooks"]["x"]["state"] == "live"
    clock.advance(seconds=1000)
    poll_due(hook_app, "x.mentions", "x")
    with hook_app.session() as s:
        assert sum(a.dedupe_key.startswith("webhooks_broken:x") for a in s.exec(select(Alert)).all()) == 2


def test_the_running_scheduler_answers_and_pings_a_delivery_at_once(make_settings: Any, clock: Any,
                                                                    sim: Any) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler
    from fastapi.testclient import TestClient

    from scheduler import build_scheduler
    from social_care.app import build_app
    from social_care.web import create_web_app

    app = build_app(make_settings(SOCIAL_CARE_AUTOSEND="playbook", SOCIAL_CARE_OUTBOX_INTERVAL_SECONDS=3600),
                    clock=clock)
    sched = build_scheduler(app, scheduler=BackgroundScheduler(timezone="UTC"))
    for job in sched.get_jobs():  # nothing scheduled runs while the test looks: only the webhook's wake
        sched.remove_job(job.id)
    sched.start()
    try:
        client = TestClient(create_web_app(app), base_url="http://127.0.0.1")
        tweet = Feeder(sim).add(Channel.X_MENTION, ANGRY, name="Jane Doe")
        assert post_x(client, x_mentions_payload(sim, [tweet])).status_code == 200
        deadline = time.monotonic() + 20  # a bound for a slow machine, not a speed assertion
        while time.monotonic() < deadline:
            replied = [w for w in sim.writes if w.kind == "tweet_reply" and w.target == tweet]
            pinged = [m for m in sim.slack.messages if tweet in str(m)]
            if replied and pinged:
                break
            time.sleep(0.05)
        assert replied, "the playbook reply was not sent"
        assert pinged, "the Slack ping did not leave"
    finally:
        sched.shutdown(wait=True)
        app.engine.dispose()


def test_search_is_never_stretched_and_instagram_follows_its_own_deliveries(client: Any, hook_app: Any, sim: Any,
                                                                           clock: Any) -> None:
    """X's recent search has no webhook: live X webhooks do not slow it. Instagram's deliveries arrive at
    /webhooks/meta but stretch only the Instagram streams (a Page delivery says nothing of Instagram's)."""
    from .signing import ig_comment_change, ig_payload, meta_comment_change, meta_payload, post_meta

    feed = Feeder(sim)
    tweet = feed.add(Channel.X_MENTION, ANGRY)
    assert post_x(client, x_mentions_payload(sim, [tweet])).status_code == 200
    for stream in ("x.mentions", "x.search", "facebook.comments", "instagram.comments"):
        poll_unless_webhooks_live(hook_app, connector(hook_app, stream))
    clock.advance(seconds=120)
    assert not due(hook_app, "x.mentions")
    assert due(hook_app, "x.search")
    comment = feed.add(Channel.FACEBOOK_COMMENT, ANGRY)
    assert post_meta(client, meta_payload(sim.facebook.page_id,
                                          changes=[meta_comment_change(sim, comment)])).status_code == 200
    clock.advance(seconds=120)
    assert not due(hook_app, "facebook.comments") and due(hook_app, "instagram.comments")
    ig_comment = feed.add(Channel.INSTAGRAM_COMMENT, ANGRY)
    r = post_meta(client, ig_payload(sim.facebook.ig_user_id, changes=[ig_comment_change(sim, ig_comment)]))
    assert r.status_code == 200 and r.json()["stored"] == 1
    poll_unless_webhooks_live(hook_app, connector(hook_app, "instagram.comments"))
    clock.advance(seconds=120)
    assert not due(hook_app, "instagram.comments") and due(hook_app, "x.search")
    with hook_app.session() as s:
        assert delivery_counts(s)["instagram"]["accepted"] == 1 and delivery_counts(s)["facebook"]["accepted"] == 1
    assert status_report(hook_app)["webhooks"]["instagram"]["state"] == "live"
