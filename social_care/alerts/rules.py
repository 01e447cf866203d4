"""What pings: turn the store's state into due ``Alert`` rows (the outbox). Idempotent by dedupe key.

* ``flagged:{post}``       a flagged post ingested within the look-back window
* ``sla_warning:{post}``   a flagged post unanswered at ``ratio`` × its channel's response target
* ``sla_breach:{post}``    … and past the target
* ``spike:{minute}``       negative posts in the last hour well above the baseline (see ``spike.py``), with cooldown
* ``connector:{stream}:{since}``        a stream paused as fatal (token expired, permissions lost)
* ``connector_errors:{stream}:{run}``   the last N polls of a stream failed (run = first failure of the streak)

Re-running is harmless: an existing dedupe key is never inserted again. Two processes racing on the
same key hit the unique constraint; the losing run rolls back and the next run finds the row.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from ..models import OPEN_STATUSES, as_utc
from ..store.tables import Alert, PollRun, Post, Reply, StreamPause
from .settings import AlertSettings
from .spike import detect_spike

__all__ = ["WEBHOOK_STREAM", "connector_advice", "enqueue", "evaluate_session"]
log = logging.getLogger(__name__)

WEBHOOK_STREAM = "alerts.slack"  # the StreamPause row that holds the webhook's own state
FAILED_OUTCOMES = ("retriable", "fatal")


def enqueue(
    session: Session,
    *,
    kind: str,
    dedupe_key: str,
    now: datetime,
    post_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Alert | None:
    """Add one alert to the outbox unless ``dedupe_key`` exists; returns the new row or None."""
    if session.exec(select(Alert.id).where(Alert.dedupe_key == dedupe_key)).first() is not None:
        return None
    alert = Alert(
        kind=kind,
        dedupe_key=dedupe_key,
        post_id=post_id,
        payload=payload or {},
        status="pending",
        created_at=now,
    )
    session.add(alert)
    session.flush()
    return alert


def evaluate_session(session: Session, *, settings: Any, cfg: AlertSettings, now: datetime) -> int:
    created = 0
    created += _flagged(session, cfg, now)
    created += _sla(session, settings, cfg, now)
    created += _spike(session, cfg, now)
    created += _connectors(session, settings, cfg, now)
    return created


def _existing(session: Session, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        found.update(
            session.exec(select(Alert.dedupe_key).where(col(Alert.dedupe_key).in_(keys[i : i + 500]))).all()
        )
    return found


def _open_flagged(session: Session, cfg: AlertSettings, now: datetime) -> list[Post]:
    since = now - timedelta(hours=cfg.lookback_hours)
    return list(
        session.exec(
            select(Post)
            .where(Post.flagged == True, col(Post.status).in_([s.value for s in OPEN_STATUSES]))
            .where(Post.created_at >= since)
            .order_by(col(Post.created_at), col(Post.id))
        ).all()
    )


def _flagged(session: Session, cfg: AlertSettings, now: datetime) -> int:
    posts = _open_flagged(session, cfg, now)
    known = _existing(session, (f"flagged:{p.id}" for p in posts))
    created = 0
    for post in posts:
        key = f"flagged:{post.id}"
        if key not in known and enqueue(session, kind="flagged", dedupe_key=key, now=now, post_id=post.id):
            created += 1
    return created


def _sla(session: Session, settings: Any, cfg: AlertSettings, now: datetime) -> int:
    posts = [p for p in _open_flagged(session, cfg, now) if p.first_response_at is None]
    if not posts:
        return 0
    answered = set(
        session.exec(
            select(Reply.post_id).where(col(Reply.post_id).in_([p.id for p in posts]), Reply.status == "sent")
        ).all()
    )
    keys = [f"{k}:{p.id}" for p in posts for k in ("sla_warning", "sla_breach")]
    known = _existing(session, keys)
    created = 0
    for post in posts:
        if post.id in answered:
            continue
        target = timedelta(minutes=settings.response_target_minutes(post.channel))
        waited = now - as_utc(post.created_at)
        if waited >= target:
            kind = "sla_breach"
        elif waited >= target * cfg.sla_warning_ratio:
            kind = "sla_warning"
        else:
            continue
        key = f"{kind}:{post.id}"
        if key in known:
            continue
        if enqueue(
            session,
            kind=kind,
            dedupe_key=key,
            now=now,
            post_id=post.id,
            payload={"target_minutes": int(target.total_seconds() // 60)},
        ):
            created += 1
    return created


def _spike(session: Session, cfg: AlertSettings, now: datetime) -> int:
    cooldown_since = now - timedelta(minutes=cfg.spike_cooldown_minutes)
    recent = session.exec(
        select(Alert.id).where(Alert.kind == "spike", Alert.created_at >= cooldown_since)
    ).first()
    if recent is not None:
        return 0
    hours = cfg.spike_baseline_hours
    since = now - timedelta(hours=hours + 1)
    rows = session.exec(
        select(Post.created_at, Post.category)
        .where(Post.created_at > since, Post.created_at <= now)
        .where((Post.label == "negative") | (Post.flagged == True))
        .where(Post.status != "spam")
    ).all()
    buckets = [0] * (hours + 1)  # 0 = the last hour
    categories: Counter[str] = Counter()
    for created_at, category in rows:
        age = now - as_utc(created_at)
        index = min(int(age.total_seconds() // 3600), hours)
        buckets[index] += 1
        if index == 0 and category:
            categories[category] += 1
    spike = detect_spike(
        buckets[0], buckets[1:], sensitivity=cfg.spike_sensitivity, min_count=cfg.spike_min_count
    )
    if spike is None:
        return 0
    payload = {
        "current": spike.current,
        "baseline_mean": spike.baseline_mean,
        "threshold": spike.threshold,
        "baseline_hours": hours,
        "top_categories": categories.most_common(3),
    }
    return (
        1
        if enqueue(session, kind="spike", dedupe_key=f"spike:{now:%Y-%m-%dT%H:%M}", now=now, payload=payload)
        else 0
    )


def connector_advice(stream: str, reason: str) -> str:
    """What a person should do, from the stream and the recorded reason."""
    text = reason.lower()
    platform = stream.split(".", 1)[0]
    if platform in ("x", "twitter"):
        if any(w in text for w in ("401", "unauthorized", "token", "auth")):
            return (
                "X token expired or revoked: create a new token in the X developer portal and set "
                "X_BEARER_TOKEN (and X_ACCESS_TOKEN / X_ACCESS_TOKEN_SECRET for replies), then restart."
            )
        if any(w in text for w in ("403", "forbidden", "permission", "access level")):
            return (
                "X refused access: check the app's access level and permissions (read + DMs) in the X portal."
            )
        return ("X keeps failing: check X's status page and the X_* settings; polling resumes by itself when it "
                "recovers.")
    if platform in ("facebook", "messenger"):
        if any(w in text for w in ("190", "expired", "token", "session")):
            return (
                "Facebook Page token expired or revoked: generate a new Page access token and set "
                "FACEBOOK_PAGE_ACCESS_TOKEN, then restart."
            )
        if any(w in text for w in ("permission", "(#10)", "code 10", "code 2", "200", "not authorized")):
            return (
                "Facebook permissions lost: re-grant pages_read_engagement, pages_manage_engagement and "
                "pages_messaging to the app for the Page, then set a new FACEBOOK_PAGE_ACCESS_TOKEN."
            )
        return "Facebook keeps failing: check the Meta status page and the FACEBOOK_* settings."
    return "Check the connector's settings and logs."


def _scrub(text: str, settings: Any) -> str:
    secrets = settings.secrets() if hasattr(settings, "secrets") else []
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "****")
    return text[:1000]


def _connectors(session: Session, settings: Any, cfg: AlertSettings, now: datetime) -> int:
    created = 0
    fatal_streams: set[str] = set()
    for pause in session.exec(select(StreamPause).where(StreamPause.kind == "fatal")).all():
        if pause.stream.startswith("alerts."):
            continue
        fatal_streams.add(pause.stream)
        reason = _scrub(pause.reason, settings)
        key = f"connector:{pause.stream}:{as_utc(pause.since):%Y-%m-%dT%H:%M:%S}"
        payload: dict[str, Any] = {
            "stream": pause.stream,
            "reason": reason,
            "advice": connector_advice(pause.stream, reason),
            "since": as_utc(pause.since).isoformat(),
            "kind": "fatal",
        }
        if enqueue(session, kind="connector", dedupe_key=key, now=now, payload=payload):
            created += 1
    streams = set(session.exec(select(PollRun.stream).distinct()).all()) - fatal_streams
    for stream in sorted(streams):
        last_ok = session.exec(
            select(PollRun.id)
            .where(PollRun.stream == stream, col(PollRun.outcome).not_in(FAILED_OUTCOMES))
            .order_by(col(PollRun.id).desc())
        ).first()
        query = select(PollRun).where(PollRun.stream == stream)
        if last_ok is not None:
            query = query.where(col(PollRun.id) > last_ok)
        streak = list(session.exec(query.order_by(col(PollRun.id))).all())
        if len(streak) < cfg.connector_error_runs or any(r.outcome not in FAILED_OUTCOMES for r in streak):
            continue
        reason = _scrub(streak[-1].error or streak[-1].outcome, settings)
        payload = {
            "stream": stream,
            "reason": reason,
            "advice": connector_advice(stream, reason),
            "since": as_utc(streak[0].started_at).isoformat(),
            "failed_runs": len(streak),
            "kind": "errors",
        }
        if enqueue(
            session,
            kind="connector",
            dedupe_key=f"connector_errors:{stream}:{streak[0].id}",
            now=now,
            payload=payload,
        ):
            created += 1
    return created
