"""What a restarted `social-care run` does first: its jobs start at once, and an alert the killed process
was sending goes again at once, marked "may be a duplicate", instead of waiting out its lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import select

from social_care import alerts
from social_care.alerts.outbox import recover_interrupted
from social_care.models import Channel
from social_care.pipeline import poll_all
from social_care.store.tables import Alert
from tests.spine.helpers import ANGRY, Feeder


def test_polling_sending_and_alerting_start_at_once(app):
    from scheduler import build_scheduler

    sched = build_scheduler(app, scheduler=BackgroundScheduler(timezone="UTC"), tick_seconds=1)
    sched.start(paused=True)
    try:
        soon = datetime.now(UTC) + timedelta(seconds=1)
        jobs = {job.id: job.next_run_time for job in sched.get_jobs()}
    finally:
        sched.shutdown(wait=False)
    first = [f"poll:{c.stream}" for c in app.connectors] + ["outbox", "alerts:evaluate", "alerts:deliver"]
    assert all(jobs[j] <= soon for j in first), jobs


def test_an_alert_cut_off_by_a_kill_goes_again_at_start_with_the_note(app, sim, clock):
    Feeder(sim).add(Channel.X_MENTION, ANGRY)
    poll_all(app)
    assert alerts.evaluate(app) == 1
    with app.session() as s:  # the killed process had claimed it: its lease runs for another minute
        alert = s.exec(select(Alert)).one()
        alert.status, alert.next_attempt_at = "sending", clock() + timedelta(seconds=70)
        s.add(alert)
    assert alerts.deliver(app) == 0  # a run that is not a fresh start leaves it to its lease
    assert recover_interrupted(app) == 1
    assert alerts.deliver(app) == 1
    assert len(sim.slack.messages) == 1 and "may be a duplicate" in str(sim.slack.messages[0])
    assert recover_interrupted(app) == 0


def test_a_cut_off_alert_folded_into_a_digest_keeps_the_note(app, sim, clock):
    """The killed process may have posted the alert; if it now goes out inside a digest, that digest
    repeats it and must say so."""
    feed = Feeder(sim)
    for _ in range(5):  # more than the digest threshold (3)
        feed.add(Channel.X_MENTION, ANGRY)
    poll_all(app)
    assert alerts.evaluate(app) == 5
    with app.session() as s:
        first = s.exec(select(Alert).order_by(Alert.id)).first()
        first.status, first.next_attempt_at = "sending", clock() + timedelta(seconds=70)
        s.add(first)
    assert recover_interrupted(app) == 1
    assert alerts.deliver(app) == 1
    (digest,) = sim.slack.messages
    assert "5" in digest["text"] and "may be a duplicate" in str(digest)
