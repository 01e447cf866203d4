"""Polling as the backstop of webhooks: while a platform's signed deliveries arrive, its streams are polled
only every ``SOCIAL_CARE_POLL_BACKSTOP_SECONDS``; when none arrived for that long, polling is back to its
normal interval, ``status`` says the webhooks look broken and Slack gets one ping per outage."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from ..alerts import enqueue
from ..models import as_utc
from ..pipeline import poll_stream
from ..store.tables import PollRun, WebhookState

if TYPE_CHECKING:
    from connectors.base import Connector

    from ..app import App
    from ..pipeline import PollResult

__all__ = ["PLATFORMS", "last_deliveries", "delivery_counts", "webhooks_status", "poll_due",
           "poll_unless_webhooks_live"]
log = logging.getLogger(__name__)
PLATFORMS = ("x", "facebook", "instagram")  # Instagram arrives at /webhooks/meta but is counted apart


def last_deliveries(session: Session) -> dict[str, datetime | None]:
    """When each platform's last signed delivery was accepted (None: never)."""
    rows = {r.platform: r for r in session.exec(select(WebhookState)).all()}
    out: dict[str, datetime | None] = {}
    for p in PLATFORMS:
        at = rows[p].last_delivery_at if p in rows else None
        out[p] = as_utc(at) if at is not None else None
    return out


def delivery_counts(session: Session) -> dict[str, dict[str, int]]:
    """Deliveries accepted, rejected and unknown kinds acknowledged, and entries read, per platform."""
    rows = {r.platform: r for r in session.exec(select(WebhookState)).all()}
    return {p: {"accepted": rows[p].accepted if p in rows else 0, "rejected": rows[p].rejected if p in rows else 0,
                "unknown": rows[p].unknown if p in rows else 0, "events": rows[p].events if p in rows else 0}
            for p in PLATFORMS}


def _state(last: datetime | None, now: datetime, window: timedelta) -> str:
    if last is None:
        return "not used"
    return "live" if now - last <= window else "broken"


def webhooks_status(app: App) -> dict[str, Any]:
    """Per platform: the state (live / broken / not used), last delivery, counts, the last refusal."""
    now = app.now()
    window = timedelta(seconds=app.settings.poll_backstop_seconds)
    out: dict[str, Any] = {}
    with app.session() as s:
        last = last_deliveries(s)
        counts = delivery_counts(s)
        rows = {r.platform: r for r in s.exec(select(WebhookState)).all()}
    for p in PLATFORMS:
        at = last[p]
        state = _state(at, now, window)
        row = rows.get(p)
        entry: dict[str, Any] = {
            "state": state,
            "last_delivery_at": at.isoformat() if at is not None else None,
            **counts[p],
            "last_rejected_at": as_utc(row.last_rejected_at).isoformat() if row and row.last_rejected_at else None,
            "last_rejected_reason": row.last_rejected_reason if row else None,
            "poll_interval": f"backstop, every {int(window.total_seconds())} s" if state == "live" else "normal",
        }
        if state == "broken" and at is not None:
            entry["problem"] = (f"webhooks look broken: no signed delivery from {p} for "
                                f"{int((now - at).total_seconds())} s (over the "
                                f"{int(window.total_seconds())} s backstop); polling is back to its normal "
                                "interval. Check the subscription (`social-care webhooks status`) and that "
                                "SOCIAL_CARE_PUBLIC_URL reaches this service")
        out[p] = entry
    return out


def poll_due(app: App, stream: str, platform: str | None) -> bool:
    """Whether the scheduled poll of ``stream`` should run now. ``platform``: whose webhooks also deliver this
    stream's posts (the connector's ``webhook_platform``; None: no webhook does, it is always polled). While
    that platform's webhooks are live, only when the last poll is at least the backstop interval old;
    otherwise always (normal interval). When the webhooks went quiet for the whole window, one Slack ping says
    so (per outage)."""
    if platform is None:
        return True
    now = app.now()
    window = timedelta(seconds=app.settings.poll_backstop_seconds)
    with app.session() as s:
        row = s.get(WebhookState, platform)
        if row is None or row.last_delivery_at is None:
            return True
        last = as_utc(row.last_delivery_at)
        if now - last > window:
            _alert_broken(app, s, row, last, now, window)
            return True
        polled = s.exec(
            select(PollRun.started_at).where(PollRun.stream == stream, col(PollRun.outcome) != "paused")
            .order_by(col(PollRun.id).desc())
        ).first()
    return polled is None or now - as_utc(polled) >= window


def _alert_broken(app: App, s: Session, row: WebhookState, last: datetime, now: datetime,
                  window: timedelta) -> None:
    if row.broken_alerted_at is not None and as_utc(row.broken_alerted_at) >= last:
        return  # this outage was already announced

    reason = (f"no signed webhook delivery since {last:%Y-%m-%d %H:%M} UTC "
              f"(over {int(window.total_seconds())} s); polling is back to its normal interval")
    log.warning("webhooks.%s look broken: %s", row.platform, reason)
    if app.settings.alerts.enabled:
        enqueue(s, kind="connector", dedupe_key=f"webhooks_broken:{row.platform}:{last.isoformat()}", now=now,
                payload={"stream": f"webhooks.{row.platform}", "reason": reason, "kind": "webhooks",
                         "since": last.isoformat(),
                         "advice": ("check the platform's webhook subscription (`social-care webhooks status`) "
                                    "and that SOCIAL_CARE_PUBLIC_URL reaches /webhooks/"
                                    + ("x" if row.platform == "x" else "meta") + "; nothing is lost meanwhile")})
    row.broken_alerted_at = now
    s.add(row)


def poll_unless_webhooks_live(app: App, connector: Connector) -> PollResult | None:
    """The scheduled poll job: ``poll_stream`` when :func:`poll_due` says so, else nothing."""
    if not poll_due(app, connector.stream, connector.webhook_platform):
        return None
    return poll_stream(app, connector)
