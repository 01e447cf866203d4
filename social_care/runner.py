"""One pass of everything (``run --once``) and the status report."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, func, select

from . import alerts, followup, reports
from .alerts import outbox as alerts_outbox
from .alerts import status as slack_status
from .app import App
from .models import ReplyStatus
from .outbox import send_due
from .pipeline import draft_pending, poll_stream
from .scale import enabled, mask_broker_url
from .scale.leader import leader_status, outages
from .scale.leases import active
from .scale.tables import DeadLetter
from .store import repo
from .store.tables import Alert, Cursor, PollRun, Post, Reply, StreamPause
from .webhooks.backstop import webhooks_status

__all__ = ["run_once", "status_report"]


def run_once(app: App, *, sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """One full cycle, for cron: poll every configured stream to exhaustion, score, draft, send what
    autosend allows, find what needs a Slack ping, run due follow-ups, make the weekly report when it is
    due, then deliver the Slack alerts, waiting for Slack's pacing or a Retry-After at most
    ``SOCIAL_CARE_ONCE_ALERT_WAIT_SECONDS`` in all; what is left stays queued for the next run."""
    polls = [poll_stream(app, connector) for connector in app.connectors]
    draft_pending(app)  # a large webhook batch the previous process stored but had not drafted yet
    sent = send_due(app)
    alerts.evaluate(app)
    follow = followup.run(app)
    report = reports.weekly_job(app)["week"] if reports.report_due(app) else None
    delivered = _deliver_alerts(app, budget=app.settings.once_alert_wait_seconds, sleep=sleep)
    with app.session() as s:
        replies = reply_counts(s)
    return {
        "streams": {p.stream: p.as_dict() for p in polls},
        "fetched": sum(p.fetched for p in polls),
        "stored": sum(p.stored for p in polls),
        "flagged": sum(p.flagged for p in polls),
        "skipped": sum(p.skipped for p in polls),
        "listings_cut": sum(p.listings_cut for p in polls),
        "replies_sent": sent.sent,
        "replies_failed": sent.failed,
        "replies_need_human": sent.needs_human,
        # the same counts as `social-care status`, after this run (one query, reply_counts)
        **reply_backlog(replies),
        "replies_by_status": replies,
        "followups_sent": follow.get("sent", 0),
        "weekly_report": report,
        "alerts_delivered": delivered,
        "alerts_waiting": alerts_outbox.pending_count(app),
        "autosend": app.settings.autosend.value,
    }


def reply_counts(s: Session) -> dict[str, int]:
    """Replies by status: one query for `run --once` and `status`."""
    return {str(k): int(v) for k, v in s.exec(select(Reply.status, func.count()).group_by(Reply.status)).all()}


def reply_backlog(by_status: dict[str, int]) -> dict[str, int]:
    """Replies still owed to a customer, named by who has to act: drafts a person has not approved yet,
    and replies approved (or being sent) that the outbox has not sent yet. `run --once` and `status`
    both print these, from the same :func:`reply_counts`."""
    return {
        "replies_awaiting_approval": by_status.get(ReplyStatus.DRAFT.value, 0),
        "replies_approved_not_sent": sum(
            by_status.get(st.value, 0) for st in (ReplyStatus.APPROVED, ReplyStatus.SENDING)
        ),
    }


def _deliver_alerts(app: App, *, budget: float, sleep: Callable[[float], None]) -> int:
    deadline = time.monotonic() + budget
    delivered = 0
    while True:
        delivered += alerts.deliver(app)
        wait = alerts_outbox.next_send_in(app)
        if wait is None or time.monotonic() + wait > deadline:
            return delivered
        sleep(max(wait, 0.05))


def scale_status(app: App) -> dict[str, Any]:
    """Scaled out: the broker, who leads the scheduler, what is held now; in every mode: dead letters."""
    with app.session() as s:
        dead_total = int(s.exec(select(func.count()).select_from(DeadLetter)).one())
        dead = [
            {"id": d.id, "task": d.task, "args": d.args, "reason": d.reason, "deliveries": d.deliveries,
             "at": d.created_at}
            for d in s.exec(select(DeadLetter).order_by(col(DeadLetter.id).desc()).limit(10))
        ]
        held = [{"name": lease.name, "holder": lease.holder, "expires_at": lease.expires_at}
                for lease in active(s)]
    return {
        "mode": "celery" if enabled(app.settings) else "embedded",
        "broker": mask_broker_url(app.settings.broker_url),
        "scheduler_leader": leader_status(app),
        "leases": held,
        "dead_letters_total": dead_total,
        "dead_letters": dead,  # the newest ten tasks given up on, with the reason
        "outages": outages(app),  # the newest broker / database outages the scheduler leader lived through
    }


def status_report(app: App) -> dict[str, Any]:
    now = app.now()
    with app.session() as s:
        cursors = {c.stream: {"value": c.value, "updated_at": c.updated_at} for c in s.exec(select(Cursor))}
        pauses = {
            p.stream: {"kind": p.kind, "until": p.until, "reason": p.reason}
            for p in s.exec(select(StreamPause))
            if repo.active_pause(s, stream=p.stream, now=now) is not None
        }
        last_runs = {}
        for connector in app.connectors:
            run = s.exec(
                select(PollRun).where(PollRun.stream == connector.stream).order_by(col(PollRun.id).desc())
            ).first()
            if run is not None:
                last_runs[connector.stream] = {"at": run.finished_at, "outcome": run.outcome, "stored": run.stored,
                                               "skipped": run.skipped, "error": run.error}
        posts = Counter(dict(s.exec(select(Post.status, func.count()).group_by(Post.status)).all()))
        replies = reply_counts(s)
        problems = [
            {"post_id": r.post_id, "reply_id": r.id, "status": r.status, "reason": r.error}
            for r in s.exec(
                select(Reply).where(col(Reply.status).in_([ReplyStatus.FAILED.value, ReplyStatus.NEEDS_HUMAN.value]))
                .order_by(col(Reply.id).desc()).limit(10)
            )
        ]
        retrying = [
            {"post_id": r.post_id, "reply_id": r.id, "status": r.status, "next_attempt_at": r.next_attempt_at,
             "reason": r.error}
            for r in s.exec(
                select(Reply)
                .where(col(Reply.status).in_([ReplyStatus.APPROVED.value, ReplyStatus.SENDING.value]))
                .where(col(Reply.error).is_not(None))
                .order_by(col(Reply.id).desc()).limit(10)
            )
        ]
        alert_counts = Counter(dict(s.exec(select(Alert.status, func.count()).group_by(Alert.status)).all()))
    return {
        "streams": [c.stream for c in app.connectors],
        "cursors": cursors,
        "paused": pauses,
        "last_polls": last_runs,
        "posts_by_status": dict(posts),
        "replies_by_status": replies,
        **reply_backlog(replies),
        "reply_problems": problems,  # the newest failed / needs-a-person replies, with the reason
        "replies_retrying": retrying,  # the newest replies not sent yet after an error, with the reason
        "alerts_by_status": dict(alert_counts),
        "slack": slack_status(app),
        # per platform: live (polling stretched to the backstop), broken (with the problem), or not used
        "webhooks": webhooks_status(app),
        "scale": scale_status(app),
        "settings": app.settings.describe(),
    }
