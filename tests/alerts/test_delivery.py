"""The outbox against the simulator's Slack sink: pacing, digests, outages, 429, permanent errors."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from social_care import alerts
from social_care.store.tables import Alert

from .factory import SECRET, add_post, make_app


def flagged_posts(app: Any, n: int, **kw: Any) -> list[Any]:
    now = app.now()
    return [
        add_post(
            app,
            created_at=now - timedelta(minutes=5),
            flagged=True,
            text=f"order {i} never arrived",
            author=str(500 + i),
            handle=f"cust{i}",
            **kw,
        )
        for i in range(n)
    ]


def rows(app: Any) -> list[Alert]:
    with app.session() as s:
        return list(s.exec(select(Alert).order_by(Alert.id)).all())


def slack_requests(sim: Any) -> list[Any]:
    return [r for r in sim.requests if r.platform == "slack"]


def drain(app: Any, clock: Any, runs: int = 20, step: float = 1.0) -> int:
    total = 0
    for _ in range(runs):
        total += alerts.deliver(app)
        clock.advance(seconds=step)
    return total


def test_flagged_post_pings_once_with_links(care_app: Any, sim: Any, clock: Any) -> None:
    post = add_post(
        care_app,
        created_at=clock() - timedelta(minutes=3),
        flagged=True,
        text="my parcel never came",
        reasons=["never came", "angry tone"],
        followers=5400,
    )
    assert alerts.evaluate(care_app) == 1
    assert alerts.evaluate(care_app) == 0  # dedupe key
    assert alerts.deliver(care_app) == 1
    clock.advance(seconds=5)
    assert alerts.deliver(care_app) == 0  # never the same alert twice
    assert len(sim.slack.messages) == 1
    msg = sim.slack.messages[0]
    assert msg["text"] and msg["blocks"]
    flat = str(msg)
    for needle in (
        "@jane",
        "5,400 followers",
        "never came, angry tone",
        "3 min",
        f"https://x.com/jane/status/{post.external_id}",
        f"/posts/{post.id}",
        "my parcel never came",
    ):
        assert needle in flat, needle
    assert [a.status for a in rows(care_app)] == ["sent"]


def test_one_message_per_second_in_order(care_app: Any, sim: Any, clock: Any) -> None:
    posts = flagged_posts(care_app, 3)  # 3 is not a burst (threshold: more than 3)
    assert alerts.evaluate(care_app) == 3
    assert alerts.deliver(care_app) == 1
    assert alerts.deliver(care_app) == 0  # same second: wait, do not sleep
    clock.advance(seconds=1)
    assert alerts.deliver(care_app) == 1
    clock.advance(seconds=1)
    assert alerts.deliver(care_app) == 1
    assert [f"cust{i}" in m["text"] for i, m in enumerate(sim.slack.messages)] == [True, True, True]
    assert all(r.status == 200 for r in slack_requests(sim))  # never hit Slack's own limit
    assert {a.post_id for a in rows(care_app)} == {p.id for p in posts}


def test_burst_is_folded_into_one_digest(care_app: Any, sim: Any, clock: Any) -> None:
    flagged_posts(care_app, 4)  # more than 3 due at once (and below the spike minimum of 5)
    alerts.evaluate(care_app)
    assert drain(care_app, clock, runs=3) == 1
    assert len(sim.slack.messages) == 1
    digest = sim.slack.messages[0]
    assert "4 customer posts need attention" in digest["text"]
    assert all(f"cust{i}" in str(digest["blocks"]) for i in range(4))
    by_kind: dict[str, list[Alert]] = {}
    for a in rows(care_app):
        by_kind.setdefault(a.kind, []).append(a)
    (digest_row,) = by_kind["digest"]
    assert digest_row.status == "sent"
    assert {a.status for a in by_kind["flagged"]} == {"folded"}
    assert {a.digest_id for a in by_kind["flagged"]} == {digest_row.id}


def test_outage_alerts_wait_and_go_out_in_order(care_app: Any, sim: Any, clock: Any) -> None:
    flagged_posts(care_app, 2)
    alerts.evaluate(care_app)
    sim.fail_next(platform="slack", status=500, count=3)
    assert alerts.deliver(care_app) == 0
    state = alerts.status(care_app)
    assert state["state"].startswith("retrying after errors") and state["pending"] == 2
    attempts = len(slack_requests(sim))
    clock.advance(seconds=10)
    assert alerts.deliver(care_app) == 0
    assert len(slack_requests(sim)) == attempts  # backing off: no request at all
    assert drain(care_app, clock, runs=60, step=30) == 2
    assert [r.status for r in slack_requests(sim)] == [500, 500, 500, 200, 200]
    assert ["cust0" in sim.slack.messages[0]["text"], "cust1" in sim.slack.messages[1]["text"]] == [
        True,
        True,
    ]
    assert alerts.status(care_app)["state"] == "ok"


def test_rate_limit_honours_retry_after(care_app: Any, sim: Any, clock: Any) -> None:
    flagged_posts(care_app, 1)
    alerts.evaluate(care_app)
    sim.rate_limit(platform="slack", seconds=30)
    assert alerts.deliver(care_app) == 0
    assert slack_requests(sim)[-1].status == 429
    assert alerts.status(care_app)["state"].startswith("rate limited")
    clock.advance(seconds=20)
    assert alerts.deliver(care_app) == 0
    assert len(slack_requests(sim)) == 1  # waited, did not knock again
    clock.advance(seconds=10)
    assert alerts.deliver(care_app) == 1
    assert len(sim.slack.messages) == 1


def test_timeout_is_retried_later(slack_settings: Any, clock: Any, sim: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(sim, "clock", clock)
    app = make_app(slack_settings(SOCIAL_CARE_HTTP_TIMEOUT=0.3), clock)
    try:
        flagged_posts(app, 1)
        alerts.evaluate(app)
        sim.timeout_next("slack", seconds=3)
        assert alerts.deliver(app) == 0
        assert "timeout" in (rows(app)[0].error or "")
        assert drain(app, clock, runs=5, step=60) == 1
        assert len(sim.slack.messages) == 1
    finally:
        app.engine.dispose()


@pytest.mark.parametrize(
    ("status", "body"), [(404, "no_service"), (410, "channel_is_archived"), (403, "invalid_token")]
)
def test_permanent_error_stops_sending_and_keeps_alerts(
    slack_settings: Any, clock: Any, sim: Any, monkeypatch: Any, caplog: Any, status: int, body: str
) -> None:
    monkeypatch.setattr(sim, "clock", clock)
    settings = slack_settings()
    app = make_app(settings, clock)
    try:
        caplog.set_level(logging.DEBUG)
        flagged_posts(app, 2)
        alerts.evaluate(app)
        sim.fail_next(platform="slack", status=status, body=body)
        assert alerts.deliver(app) == 0
        summary = alerts.status(app)
        assert summary["state"].startswith("stopped") and body in summary["state"]
        assert "SLACK_WEBHOOK_URL" in summary["state"]
        assert summary["webhook"].endswith("/services/T…/****") and summary["pending"] == 2
        assert drain(app, clock, runs=5, step=3600) == 0
        assert len(slack_requests(sim)) == 1  # stopped: no more requests
        assert SECRET not in caplog.text and SECRET not in str(summary)
        # a person sets a new webhook: delivery resumes, nothing was lost
        new_url = settings.slack_webhook_url.get_secret_value().replace("B0SIM", "B0NEW")
        app2 = make_app(slack_settings(SLACK_WEBHOOK_URL=new_url), clock)
        assert drain(app2, clock, runs=3) == 2
        assert len(sim.slack.messages_to(f"/services/T0SIM/B0NEW/{SECRET}")) == 2
        app2.engine.dispose()
    finally:
        app.engine.dispose()


def test_resume_after_a_person_fixed_slack(care_app: Any, sim: Any, clock: Any) -> None:
    flagged_posts(care_app, 1)
    alerts.evaluate(care_app)
    sim.fail_next(platform="slack", status=404, body="no_service")
    assert alerts.deliver(care_app) == 0
    assert alerts.resume(care_app) is True
    clock.advance(seconds=1)
    assert alerts.deliver(care_app) == 1


def test_refused_payload_is_sent_as_plain_text(care_app: Any, sim: Any, clock: Any) -> None:
    flagged_posts(care_app, 1)
    alerts.evaluate(care_app)
    sim.fail_next(platform="slack", status=400, body="invalid_blocks")
    assert alerts.deliver(care_app) == 0
    clock.advance(seconds=1)
    assert alerts.deliver(care_app) == 1
    (msg,) = sim.slack.messages
    assert "blocks" not in msg and "cust0" in msg["text"]


def test_refused_twice_is_failed_and_listed(care_app: Any, sim: Any, clock: Any) -> None:
    flagged_posts(care_app, 2)
    alerts.evaluate(care_app)
    sim.fail_next(platform="slack", status=400, body="invalid_payload", count=2)
    drain(care_app, clock, runs=6)
    summary = alerts.status(care_app)
    assert [f["kind"] for f in summary["failed"]] == ["flagged"]
    assert len(sim.slack.messages) == 1  # the other alert was not held up


def test_crash_between_post_and_mark_sent_resends_once_marked(care_app: Any, sim: Any, clock: Any) -> None:
    """At-least-once: a `sending` row whose lease expired is sent again, flagged as a possible duplicate."""
    flagged_posts(care_app, 1)
    alerts.evaluate(care_app)
    with care_app.session() as s:
        row = s.exec(select(Alert)).one()
        row.status, row.next_attempt_at, row.attempts = "sending", clock() + timedelta(seconds=60), 1
        s.add(row)
    assert alerts.deliver(care_app) == 0  # lease still running: another run may be sending it
    clock.advance(seconds=61)
    assert alerts.deliver(care_app) == 1
    assert "may be a duplicate" in str(sim.slack.messages[0]["blocks"])
    clock.advance(seconds=5)
    assert alerts.deliver(care_app) == 0


def test_disabled_or_unset_webhook_sends_nothing(slack_settings: Any, clock: Any, sim: Any) -> None:
    app = make_app(slack_settings(SLACK_WEBHOOK_URL=None), clock)
    try:
        flagged_posts(app, 1)
        assert alerts.evaluate(app) == 1  # kept in the outbox for when Slack is configured
        assert alerts.deliver(app) == 0
        assert alerts.status(app)["state"].startswith("not configured")
    finally:
        app.engine.dispose()
