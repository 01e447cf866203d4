"""`run --once` from cron is one full cycle: poll, send, Slack alerts (paced, Retry-After within a bound),
due follow-ups and a due weekly report; its counts match `status`."""

from __future__ import annotations

import json
from datetime import timedelta

from social_care.models import Channel
from social_care.runner import run_once, status_report

from .helpers import ANGRY, HAPPY, Feeder
from .test_cli import _cli, _env, _values


def _run(settings, tmp_path, **extra: str) -> dict:
    env = _env({**_values(settings), **extra})
    proc = _cli("run", "--once", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_run_once_delivers_slack_alerts(make_settings, sim, tmp_path):
    settings = make_settings()  # replies wait for a person: the team is pinged
    feed = Feeder(sim)
    feed.add(Channel.X_MENTION, ANGRY)
    feed.add(Channel.MESSENGER, ANGRY)
    summary = _run(settings, tmp_path, SOCIAL_CARE_ONCE_ALERT_WAIT_SECONDS="10")
    assert summary["alerts_delivered"] >= 1 and summary["alerts_waiting"] == 0, summary
    assert sim.slack.messages, "a cron-run --once must ping Slack"
    # a second run has nothing new to say: no alert twice
    before = len(sim.slack.messages)
    again = _run(settings, tmp_path, SOCIAL_CARE_ONCE_ALERT_WAIT_SECONDS="10")
    assert again["alerts_delivered"] == 0 and len(sim.slack.messages) == before


def test_run_once_paces_several_messages_at_one_per_second(make_settings, sim, tmp_path):
    """Two messages that are not folded together (a flagged post, the due weekly report): one cron run
    delivers both, a second apart, and Slack never has to answer 429."""
    from datetime import UTC, datetime

    settings = make_settings(SOCIAL_CARE_REPORTS_DIR=str(tmp_path / "reports"))
    feed = Feeder(sim)
    feed.add(Channel.X_MENTION, HAPPY, created_at=datetime.now(UTC) - timedelta(days=14))  # a report is due
    feed.add(Channel.X_MENTION, ANGRY)  # a flagged post now
    summary = _run(settings, tmp_path, SOCIAL_CARE_ONCE_ALERT_WAIT_SECONDS="10")
    assert summary["weekly_report"] is not None, summary
    assert summary["alerts_delivered"] == 2 and summary["alerts_waiting"] == 0, summary
    posts = [r for r in sim.requests if r.platform == "slack"]
    assert [r.status for r in posts] == [200, 200]
    assert (posts[1].at - posts[0].at).total_seconds() >= 0.9
    assert any("Weekly mention report" in m["text"] for m in sim.slack.messages)


def test_run_once_waits_out_a_short_retry_after(make_settings, sim, tmp_path):
    settings = make_settings()
    Feeder(sim).add(Channel.X_MENTION, ANGRY)
    sim.rate_limit(platform="slack", seconds=2)
    summary = _run(settings, tmp_path, SOCIAL_CARE_ONCE_ALERT_WAIT_SECONDS="15")
    assert summary["alerts_delivered"] >= 1 and summary["alerts_waiting"] == 0, summary
    assert sim.slack.messages


def test_run_once_leaves_alerts_queued_beyond_its_wait_bound(make_settings, sim, tmp_path):
    settings = make_settings()
    Feeder(sim).add(Channel.X_MENTION, ANGRY)
    sim.rate_limit(platform="slack", seconds=600)
    summary = _run(settings, tmp_path, SOCIAL_CARE_ONCE_ALERT_WAIT_SECONDS="2")
    assert summary["alerts_delivered"] == 0 and summary["alerts_waiting"] >= 1, summary
    assert not sim.slack.messages


def test_run_once_counts_drafts_waiting_like_status(app, sim):
    Feeder(sim).add(Channel.X_MENTION, ANGRY)  # autosend is off: the draft waits for a person
    summary = run_once(app)
    status = status_report(app)
    assert summary["replies_awaiting_approval"] == status["replies_awaiting_approval"] == 1
    assert summary["replies_approved_not_sent"] == status["replies_approved_not_sent"] == 0
    assert summary["replies_by_status"] == status["replies_by_status"] == {"draft": 1}


def test_run_once_and_status_name_the_same_reply_backlog(make_settings, sim, tmp_path):
    """Through the real CLI: one draft awaiting approval, one approved reply X would not take yet
    (rate limited); `run --once` and `status` print the same two counts under the same names."""
    settings = make_settings()
    feed = Feeder(sim)
    feed.add(Channel.X_MENTION, ANGRY)
    feed.add(Channel.X_MENTION, ANGRY + " Second order too.")
    env = _env(_values(settings))
    first = _run(settings, tmp_path)
    assert first["replies_awaiting_approval"] == 2 and first["replies_approved_not_sent"] == 0, first
    queue = _cli("queue", "--json", env=env, cwd=tmp_path)
    post_id = json.loads(queue.stdout)["items"][0]["id"]
    sim.rate_limit(platform="x", seconds=900, path_contains="/2/tweets")
    approved = _cli("approve", str(post_id), "--as", "ana", env=env, cwd=tmp_path)
    assert json.loads(approved.stdout)["reply_status"] == "approved", approved.stdout + approved.stderr
    summary = _run(settings, tmp_path)
    status = _cli("status", env=env, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    shown = json.loads(status.stdout)
    for name in ("replies_awaiting_approval", "replies_approved_not_sent", "replies_by_status"):
        assert summary[name] == shown[name], (name, summary, shown)
    assert summary["replies_awaiting_approval"] == 1 and summary["replies_approved_not_sent"] == 1


def test_run_once_makes_the_due_weekly_report_once(make_settings, clock, sim, tmp_path):
    from social_care.app import build_app

    # a post stored two weeks ago; the last full week's report is due (its Monday 08:00 has passed)
    app = build_app(make_settings(SOCIAL_CARE_REPORTS_DIR=str(tmp_path / "reports")), clock=clock)
    Feeder(sim).add(Channel.X_MENTION, ANGRY, created_at=clock() - timedelta(days=14))
    first = run_once(app)
    assert first["weekly_report"] is not None
    assert list((tmp_path / "reports").glob(f"social-care-{first['weekly_report']}.*"))
    assert run_once(app)["weekly_report"] is None  # made once per week
    app.engine.dispose()
