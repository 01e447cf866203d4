"""One pass of everything (``run --once``) and the status report."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlmodel import col, func, select

from .alerts import status as slack_status
from .app import App
from .outbox import send_due
from .pipeline import poll_stream
from .store import repo
from .store.tables import Alert, Cursor, PollRun, Post, Reply, StreamPause

__all__ = ["run_once", "status_report"]


def run_once(app: App) -> dict[str, Any]:
    """Poll every configured stream to exhaustion, score, draft, send what autosend allows."""
    polls = [poll_stream(app, connector) for connector in app.connectors]
    sent = send_due(app)
    return {
        "streams": {p.stream: p.as_dict() for p in polls},
        "fetched": sum(p.fetched for p in polls),
        "stored": sum(p.stored for p in polls),
        "flagged": sum(p.flagged for p in polls),
        "skipped": sum(p.skipped for p in polls),
        "replies_sent": sent.sent,
        "replies_failed": sent.failed,
        "replies_need_human": sent.needs_human,
        "replies_waiting": sent.waiting,
        "autosend": app.settings.autosend.value,
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
                                               "error": run.error}
        posts = Counter(dict(s.exec(select(Post.status, func.count()).group_by(Post.status)).all()))
        replies = Counter(dict(s.exec(select(Reply.status, func.count()).group_by(Reply.status)).all()))
        alerts = Counter(dict(s.exec(select(Alert.status, func.count()).group_by(Alert.status)).all()))
    return {
        "streams": [c.stream for c in app.connectors],
        "cursors": cursors,
        "paused": pauses,
        "last_polls": last_runs,
        "posts_by_status": dict(posts),
        "replies_by_status": dict(replies),
        "alerts_by_status": dict(alerts),
        "slack": slack_status(app),
        "settings": app.settings.describe(),
    }
