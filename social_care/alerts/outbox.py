"""Deliver the alert outbox to the configured sink (``alerts.sinks``; Slack's webhook): in order, ≤ 1 message/s,
bursts folded, nothing lost.

Delivery guarantee: **at-least-once**. A message is claimed (``status="sending"`` with a lease in
``next_attempt_at``) and committed before the POST, and marked ``sent`` after Slack's ``ok``. A
crash between the two leaves a ``sending`` row whose lease expires; it is then sent again, marked
"may be a duplicate". Losing a customer alert is worse than one duplicate, and Slack webhooks
have no idempotency key, so exactly-once is not available. Normal operation never sends twice:
dedupe keys are unique, and a claim only succeeds on a ``pending`` row.

Pacing: one message per ``min_interval_seconds`` (from the newest ``sent_at``), at most
``max_per_run`` per run, never sleeping: a run sends what it may and leaves the rest for the next.
Webhook state lives in the ``StreamPause`` row ``alerts.slack``: ``rate_limit`` (429 Retry-After),
``errors`` (5xx/timeouts, exponential back-off) and ``fatal`` (webhook revoked/forbidden/archived:
nothing is sent until SLACK_WEBHOOK_URL changes or :func:`resume` is called; alerts keep waiting).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import httpx
from sqlalchemy import CursorResult, func, update
from sqlmodel import Session, col, select

from ..errors import FatalError, PlatformError, RateLimited, SkippableError, Unconfirmed
from ..models import OPEN_STATUSES, as_utc
from ..store import repo
from ..store.tables import Alert, Post, User
from . import blocks
from .rules import WEBHOOK_STREAM
from .settings import AlertSettings
from .sinks import configured_sink
from .slack import mask_webhook_url

if TYPE_CHECKING:
    from ..app import App
    from ..config import Settings

__all__ = ["FOLDABLE", "deliver_app", "resume", "webhook_status"]
log = logging.getLogger(__name__)

FOLDABLE = ("flagged", "reopened", "sla_warning", "sla_breach")
LEASE_EXTRA_SECONDS = 60


@dataclass
class _Outgoing:
    alert_id: int
    message: dict[str, Any]


def fingerprint(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:12]


def deliver_app(app: App, *, client: httpx.Client | None = None) -> int:
    cfg = app.settings.alerts
    sink = configured_sink(cfg, client=client)
    if sink is None:
        return 0
    sent = 0
    for _ in range(max(cfg.max_per_run, 1)):
        now = app.now()
        with app.session() as s:
            if not _may_send(s, cfg, now):
                break
            outgoing = _next_message(s, app.settings, cfg, now)
        if outgoing is None:
            break
        try:
            sink.send(outgoing.message, now=now)
        except PlatformError as exc:
            with app.session() as s:
                _failed(s, cfg, outgoing.alert_id, exc, app.now())
            break  # whatever Slack said, the next try belongs to the next run
        with app.session() as s:
            alert = s.get(Alert, outgoing.alert_id)
            if alert is not None:
                alert.status, alert.sent_at, alert.next_attempt_at, alert.error = (
                    "sent",
                    app.now(),
                    None,
                    None,
                )
                s.add(alert)
            repo.clear_pause(s, stream=WEBHOOK_STREAM)
        sent += 1
    return sent


def next_send_in(app: App) -> float | None:
    """Seconds until the next pending alert may go to Slack (pacing, a Retry-After, a retry backoff);
    None when nothing is pending or Slack refused the webhook (a person must fix it)."""
    cfg = app.settings.alerts
    if configured_sink(cfg) is None:
        return None
    now: datetime = app.now()
    with app.session() as s:
        pending = s.exec(select(Alert.next_attempt_at).where(Alert.status == "pending")).all()
        if not pending:
            return None
        at = min(as_utc(t) if t is not None else now for t in pending)
        pause = repo.active_pause(s, stream=WEBHOOK_STREAM, now=now)
        if pause is not None:
            if pause.kind == "fatal" or pause.until is None:
                return None
            at = max(at, as_utc(pause.until))
        last: datetime | None = s.exec(select(func.max(Alert.sent_at))).one()
        if last is not None:
            at = max(at, as_utc(last) + timedelta(seconds=cfg.min_interval_seconds))
    return max((at - now).total_seconds(), 0.0)


def pending_count(app: App) -> int:
    with app.session() as s:
        return int(s.exec(select(func.count()).select_from(Alert).where(Alert.status == "pending")).one())


def _may_send(s: Session, cfg: AlertSettings, now: datetime) -> bool:
    pause = repo.active_pause(s, stream=WEBHOOK_STREAM, now=now)
    if pause is not None:
        if pause.kind == "fatal" and f"[webhook {fingerprint(cfg.webhook_url or '')}]" not in pause.reason:
            log.info("alerts: SLACK_WEBHOOK_URL changed since it was refused; sending again")
            repo.clear_pause(s, stream=WEBHOOK_STREAM)
            s.flush()
        else:
            return False
    last = s.exec(select(func.max(Alert.sent_at))).one()
    return last is None or now >= as_utc(last) + timedelta(seconds=cfg.min_interval_seconds)


def recover_interrupted(app: App) -> int:
    """At the start of ``social-care run`` (the one process that delivers alerts): an alert left
    ``sending`` was cut off by the previous process stopping, so it goes again now, marked "may be a
    duplicate", instead of after its lease. Returns how many."""
    with app.session() as s:
        return _recover_stale(s, None)


def _recover_stale(s: Session, now: datetime | None) -> int:
    """Alerts whose ``sending`` lease ran out (all of them when ``now`` is None) go back to pending."""
    query = select(Alert).where(Alert.status == "sending")
    if now is not None:
        query = query.where(col(Alert.next_attempt_at) <= now)
    stale = s.exec(query).all()
    for alert in stale:
        log.warning("alerts: alert %s was cut off while being sent; sending it again", alert.id)
        alert.status = "pending"
        alert.next_attempt_at = None
        alert.payload = {**alert.payload, "maybe_duplicate": True}
        s.add(alert)
    if stale:
        s.flush()
    return len(stale)


def _due(s: Session, now: datetime) -> list[Alert]:
    return list(
        s.exec(
            select(Alert)
            .where(Alert.status == "pending")
            .where((col(Alert.next_attempt_at).is_(None)) | (col(Alert.next_attempt_at) <= now))
            .order_by(col(Alert.created_at), col(Alert.id))
        ).all()
    )


def _next_message(s: Session, settings: Settings, cfg: AlertSettings, now: datetime) -> _Outgoing | None:
    """Claim the next message (folding a burst into a digest); None when nothing is due."""
    _recover_stale(s, now)
    due = _due(s, now)
    while due:
        head = due[0]
        foldable = [a for a in due if a.kind in FOLDABLE]
        if head.kind in FOLDABLE and len(foldable) > cfg.digest_threshold:
            head = _fold(s, foldable, cfg, now)
            message = head.payload["message"]
        else:
            message = _render(s, settings, cfg, head, now)
            if message is None:  # e.g. the post was answered before its SLA alert went out
                head.status, head.error = "skipped", "no longer relevant when it was due"
                s.add(head)
                due = due[1:]
                continue
        if head.payload.get("maybe_duplicate"):
            message = _with_note(message, "Re-sent after an interruption: this may be a duplicate.")
        if head.payload.get("text_only"):
            message = blocks.text_only(message)
        claimed = cast(CursorResult[Any], s.execute(  # an UPDATE's result is a cursor result
            update(Alert)
            .where(col(Alert.id) == head.id, col(Alert.status) == "pending")
            .values(
                status="sending",
                attempts=Alert.attempts + 1,
                next_attempt_at=now + timedelta(seconds=cfg.timeout_seconds + LEASE_EXTRA_SECONDS),
            )
        ))
        if claimed.rowcount != 1:  # another process took it
            return None
        assert head.id is not None  # a stored row's key
        return _Outgoing(alert_id=head.id, message=message)
    return None


def _fold(s: Session, alerts: list[Alert], cfg: AlertSettings, now: datetime) -> Alert:
    """Replace many pending post alerts with one digest alert (members → ``folded``)."""
    posts = {p.id: p for p in s.exec(select(Post).where(col(Post.id).in_([a.post_id for a in alerts]))).all()}
    severity = {k: i for i, k in enumerate(FOLDABLE)}  # later in FOLDABLE = more urgent
    worst: dict[int, Alert] = {}
    for alert in alerts:
        if alert.post_id is not None and alert.post_id in posts:
            kept = worst.get(alert.post_id)
            if kept is None or severity[alert.kind] > severity[kept.kind]:
                worst[alert.post_id] = alert
    lines = []
    for alert in sorted(worst.values(), key=lambda a: (a.created_at, a.id)):
        post = posts[alert.post_id]
        lines.append(
            {
                "kind": alert.kind,
                "post_id": post.id,
                "channel": blocks.channel_label(post.channel),
                "author": blocks.author_label(post),
                "text": post.text,
                "waited": blocks.format_wait((now - as_utc(post.created_at)).total_seconds()),
                "queue_url": blocks.queue_url(cfg.public_url, post.id),
            }
        )
    message = blocks.digest_message(
        lines, total=len(lines), public_url=cfg.public_url, max_items=cfg.digest_max_items
    )
    ids = [a.id for a in alerts]
    payload: dict[str, Any] = {"alert_ids": ids, "message": message}
    if any(a.payload.get("maybe_duplicate") for a in alerts):  # a member may have gone out already
        payload["maybe_duplicate"] = True
    digest = Alert(
        kind="digest",
        dedupe_key=f"digest:{ids[0]}:{ids[-1]}:{len(ids)}",
        status="pending",
        payload=payload,
        created_at=alerts[0].created_at,
    )
    s.add(digest)
    s.flush()
    for alert in alerts:
        alert.status, alert.digest_id = "folded", digest.id
        s.add(alert)
    s.flush()
    return digest


def _render(
    s: Session, settings: Settings, cfg: AlertSettings, alert: Alert, now: datetime
) -> dict[str, Any] | None:
    p = alert.payload
    if alert.kind == "digest":
        message: dict[str, Any] = p["message"]
        return message
    if alert.kind in FOLDABLE:
        post = s.get(Post, alert.post_id)
        if post is None:
            return None
        if alert.kind.startswith("sla_") and (
            post.first_response_at is not None or post.status not in OPEN_STATUSES
        ):
            return None
        target = p.get("target_minutes") or settings.response_target_minutes(post.channel)
        return blocks.post_message(
            alert.kind, post, now=now, public_url=cfg.public_url, target_minutes=target, note=p.get("note")
        )
    if alert.kind == "spike":
        cats = ", ".join(f"{c} ({n})" for c, n in p.get("top_categories", [])) or "—"
        body = (
            f"*{p['current']}* negative posts in the last hour; usual is *{p['baseline_mean']}* an hour "
            f"(last {p['baseline_hours']} h). Threshold {p['threshold']}."
        )
        return blocks.simple_message(
            ":chart_with_upwards_trend: Spike in negative posts",
            body,
            fields=[
                f"*Last hour*\n{p['current']}",
                f"*Usual per hour*\n{p['baseline_mean']}",
                f"*Top issues*\n{cats}",
            ],
            buttons=[("Open the queue", f"{cfg.public_url}/posts")],
        )
    if alert.kind == "connector":
        body = f"*{p['stream']}* stopped working.\n*What to do:* {p['advice']}"
        return blocks.simple_message(
            f":warning: Connector stopped: {p['stream']}",
            body,
            fields=[
                f"*Since*\n{p['since'][:16].replace('T', ' ')} UTC",
                f"*Error*\n{blocks.escape(p['reason'])}",
            ],
            fallback=f"Connector {p['stream']} stopped: {p['advice']}",
        )
    if alert.kind == "mention":  # an @-mention in a team note (social_care.inbox.notes)
        post = s.get(Post, alert.post_id)
        if post is None:
            return None
        member = s.exec(select(User.slack_user_id).where(User.username == p.get("username", ""))).first()
        return blocks.mention_message(post, by=p.get("by", "someone"), username=p.get("username", ""),
                                      note=p.get("text", ""), public_url=cfg.public_url, slack_id=member)
    if alert.kind == "report":
        return blocks.simple_message(
            p.get("headline", "Weekly report"),
            p.get("body", ""),
            fields=p.get("fields", []),
            context=p.get("context", []),
            buttons=[tuple(b) for b in p.get("buttons", [])],
            fallback=p.get("fallback"),
        )
    return blocks.simple_message(alert.kind, str(p.get("text", "")))


def _with_note(message: dict[str, Any], note: str) -> dict[str, Any]:
    extra = {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}
    return blocks.enforce_limits(
        {"text": message.get("text", ""), "blocks": [*message.get("blocks", []), extra]}
    )


def _failed(s: Session, cfg: AlertSettings, alert_id: int, exc: PlatformError, now: datetime) -> None:
    """What the sink's answer (an error class) means for the alert and the webhook's state."""
    alert = s.get(Alert, alert_id)
    if alert is None:
        return
    alert.error = str(exc)
    alert.status = "pending"
    alert.next_attempt_at = None
    if isinstance(exc, Unconfirmed):  # at-least-once: the copy sent again says it may be one
        alert.payload = {**alert.payload, "maybe_duplicate": True}
    masked = mask_webhook_url(cfg.webhook_url)
    if isinstance(exc, FatalError):
        log.error("alerts: Slack webhook %s refused: %s. Alerts are kept and wait.", masked, exc)
        repo.pause_stream(
            s,
            stream=WEBHOOK_STREAM,
            until=None,
            kind="fatal",
            now=now,
            reason=f"{exc} [webhook {fingerprint(cfg.webhook_url or '')}]",
        )
    elif isinstance(exc, RateLimited):
        log.warning("alerts: Slack rate limit on %s; waiting %.0f s", masked,
                    (exc.reset_at - now).total_seconds())
        repo.pause_stream(
            s,
            stream=WEBHOOK_STREAM,
            until=exc.reset_at,
            kind="rate_limit",
            reason=str(exc),
            now=now,
        )
    elif isinstance(exc, SkippableError):
        if alert.payload.get("text_only"):
            alert.status = "failed"
            log.error("alerts: Slack refused alert %s even as plain text: %s", alert.id, exc)
        else:
            alert.payload = {**alert.payload, "text_only": True}
            log.warning("alerts: Slack refused alert %s (%s); it will be sent as plain text", alert.id, exc)
    else:
        delay = min(cfg.retry_base_seconds * 2 ** max(alert.attempts - 1, 0), cfg.retry_max_seconds)
        log.warning("alerts: Slack delivery failed (%s); retrying in %.0f s", exc, delay)
        repo.pause_stream(
            s,
            stream=WEBHOOK_STREAM,
            until=now + timedelta(seconds=delay),
            kind="errors",
            reason=str(exc),
            now=now,
        )
    s.add(alert)


def webhook_status(app: App) -> dict[str, Any]:
    """A ``social-care status``-style summary: safe to print (the webhook URL is masked)."""
    cfg = app.settings.alerts
    now = app.now()
    with app.session() as s:
        counts = dict(s.exec(select(Alert.status, func.count()).group_by(Alert.status)).all())
        oldest = s.exec(
            select(func.min(Alert.created_at)).where(col(Alert.status).in_(["pending", "sending"]))
        ).one()
        last_sent = s.exec(select(func.max(Alert.sent_at))).one()
        pause = repo.active_pause(s, stream=WEBHOOK_STREAM, now=now)
        failed = s.exec(select(Alert).where(Alert.status == "failed").order_by(col(Alert.id))).all()
    if not cfg.webhook_url:
        state = "not configured (set SLACK_WEBHOOK_URL)"
    elif not cfg.enabled:
        state = "disabled (SOCIAL_CARE_ALERT_ENABLED=false)"
    elif pause is None:
        state = "ok"
    elif pause.kind == "fatal":
        state = "stopped: " + pause.reason.split(" [webhook ")[0]
    else:
        until = as_utc(pause.until).isoformat() if pause.until else "?"
        what = "rate limited" if pause.kind == "rate_limit" else "retrying after errors"
        state = f"{what} until {until}: {pause.reason}"
    return {
        "webhook": mask_webhook_url(cfg.webhook_url),
        "state": state,
        "ok": state == "ok",
        "pending": counts.get("pending", 0) + counts.get("sending", 0),
        "oldest_pending_minutes": int((now - as_utc(oldest)).total_seconds() // 60) if oldest else None,
        "sent": counts.get("sent", 0),
        "folded_into_digests": counts.get("folded", 0),
        "skipped": counts.get("skipped", 0),
        "failed": [{"id": a.id, "kind": a.kind, "error": a.error} for a in failed],
        "last_sent_at": as_utc(last_sent).isoformat() if last_sent else None,
    }


def resume(app: App) -> bool:
    """Clear a stopped/backing-off webhook state (after a person fixed Slack); True if there was one."""
    with app.session() as s:
        had = repo.active_pause(s, stream=WEBHOOK_STREAM, now=app.now()) is not None
        repo.clear_pause(s, stream=WEBHOOK_STREAM)
    return had
