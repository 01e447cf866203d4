"""What pings: SLA warning then breach, spikes with cooldown, connectors that stopped working."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from social_care import alerts
from social_care.store import repo
from social_care.store.tables import Alert, PollRun

from .factory import add_post, add_reply, set_status


def keys(app: Any) -> list[str]:
    with app.session() as s:
        return list(s.exec(select(Alert.dedupe_key).order_by(Alert.id)).all())


def test_sla_warning_then_breach_for_unanswered_flagged_post(care_app: Any, clock: Any) -> None:
    # targets default to 60 min; the warning comes at 75 % = 45 min
    post = add_post(care_app, channel="x.dm", created_at=clock() - timedelta(minutes=44), flagged=True)
    alerts.evaluate(care_app)
    assert keys(care_app) == [f"flagged:{post.id}"]
    clock.advance(minutes=1)
    alerts.evaluate(care_app)
    assert keys(care_app)[-1] == f"sla_warning:{post.id}"
    clock.advance(minutes=15)
    alerts.evaluate(care_app)
    alerts.evaluate(care_app)
    assert keys(care_app) == [f"flagged:{post.id}", f"sla_warning:{post.id}", f"sla_breach:{post.id}"]


def test_answered_post_gets_no_sla_alert(care_app: Any, clock: Any) -> None:
    post = add_post(care_app, created_at=clock() - timedelta(minutes=50), flagged=True)
    add_reply(care_app, post, sent_at=clock() - timedelta(minutes=30))
    clock.advance(minutes=30)
    alerts.evaluate(care_app)
    assert keys(care_app) == [f"flagged:{post.id}"]


def test_sla_alert_answered_before_delivery_is_skipped(care_app: Any, sim: Any, clock: Any) -> None:
    post = add_post(care_app, created_at=clock() - timedelta(minutes=61), flagged=True)
    alerts.evaluate(care_app)
    assert alerts.deliver(care_app) == 1  # the flagged ping
    set_status(care_app, post, "resolved", clock())
    clock.advance(seconds=1)
    assert alerts.deliver(care_app) == 0
    with care_app.session() as s:
        breach = s.exec(select(Alert).where(Alert.kind == "sla_breach")).one()
    assert breach.status == "skipped"
    assert len(sim.slack.messages) == 1


def test_old_posts_do_not_ping_on_first_deploy(care_app: Any, clock: Any) -> None:
    add_post(care_app, created_at=clock() - timedelta(days=3), flagged=True)
    assert alerts.evaluate(care_app) == 0


def _negatives(app: Any, clock: Any, per_hour: list[int]) -> None:
    """per_hour[0] = the last hour, per_hour[1] = the hour before, ..."""
    for hours_ago, count in enumerate(per_hour):
        for i in range(count):
            add_post(
                app,
                created_at=clock() - timedelta(hours=hours_ago, minutes=10 + i),
                label="negative",
                text="bad",
                author=f"{hours_ago}{i}",
            )


def test_spike_fires_once_then_cools_down(care_app: Any, sim: Any, clock: Any) -> None:
    _negatives(care_app, clock, [9] + [1] * 24)
    assert alerts.evaluate(care_app) == 1
    assert [k.split(":")[0] for k in keys(care_app)] == ["spike"]
    clock.advance(minutes=30)
    _negatives(care_app, clock, [9])
    assert alerts.evaluate(care_app) == 0  # cooldown (120 min)
    clock.advance(minutes=100)
    _negatives(care_app, clock, [12])
    assert alerts.evaluate(care_app) == 1
    assert alerts.deliver(care_app) == 1
    assert "negative posts in the last hour" in sim.slack.messages[0]["text"]


def test_no_spike_at_the_usual_level(care_app: Any, clock: Any) -> None:
    _negatives(care_app, clock, [4] * 25)
    assert alerts.evaluate(care_app) == 0


def test_fatal_connector_pause_pings_with_what_to_do(care_app: Any, sim: Any, clock: Any) -> None:
    with care_app.session() as s:
        repo.pause_stream(
            s,
            stream="x.mentions",
            until=None,
            kind="fatal",
            now=clock(),
            reason="[x HTTP 401] Unauthorized: token sim-bearer-token expired",
        )
    assert alerts.evaluate(care_app) == 1
    assert alerts.evaluate(care_app) == 0
    assert alerts.deliver(care_app) == 1
    text = str(sim.slack.messages[0])
    assert "x.mentions" in text and "X_BEARER_TOKEN" in text
    assert "sim-bearer-token" not in text  # secrets are scrubbed from the reason


def test_facebook_permission_loss_advice() -> None:
    advice = alerts.connector_advice("facebook.comments", "[facebook code 10] (#10) permission denied")
    assert "pages_read_engagement" in advice
    assert "FACEBOOK_PAGE_ACCESS_TOKEN" in alerts.connector_advice("facebook.messenger", "code 190 expired")


def _run(app: Any, clock: Any, outcome: str, stream: str = "facebook.comments") -> None:
    clock.advance(minutes=2)
    with app.session() as s:
        repo.record_run(
            s,
            run=PollRun(
                stream=stream,
                started_at=clock(),
                finished_at=clock(),
                outcome=outcome,
                error=None if outcome == "ok" else "[facebook HTTP 500] code 2 service down",
            ),
        )


def test_repeated_poll_errors_ping_once_per_streak(care_app: Any, clock: Any) -> None:
    _run(care_app, clock, "ok")
    for _ in range(2):
        _run(care_app, clock, "retriable")
    assert alerts.evaluate(care_app) == 0  # two failures: not yet
    _run(care_app, clock, "retriable")
    assert alerts.evaluate(care_app) == 1
    _run(care_app, clock, "retriable")
    assert alerts.evaluate(care_app) == 0  # same streak
    _run(care_app, clock, "ok")
    for _ in range(3):
        _run(care_app, clock, "fatal")
    assert alerts.evaluate(care_app) == 1  # a new streak
    assert [k.split(":")[0] for k in keys(care_app)] == ["connector_errors", "connector_errors"]
