"""Slack alerts through an outbox (the ``alerts`` table): what pings, and how it is delivered.

Jobs (wired by the scheduler):
    ``evaluate(app) -> int``  create due alerts (flagged, SLA warning/breach, spike, connector)
    ``deliver(app) -> int``   send what may be sent now (≤ 1 msg/s, 429-aware, digests, in order)
Helpers: ``enqueue`` (other modules add an alert), ``status(app)`` (masked summary for
``social-care status``), ``resume(app)`` (after a person fixed a refused webhook).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .outbox import FOLDABLE, deliver_app, resume, webhook_status
from .rules import connector_advice, enqueue, evaluate_session
from .settings import AlertSettings
from .slack import mask_webhook_url
from .spike import Spike, detect_spike

if TYPE_CHECKING:
    from ..app import App

__all__ = [
    "FOLDABLE",
    "AlertSettings",
    "Spike",
    "connector_advice",
    "deliver",
    "detect_spike",
    "enqueue",
    "evaluate",
    "mask_webhook_url",
    "resume",
    "status",
]


def evaluate(app: App) -> int:
    """Create the alerts that are due now; returns how many were created."""
    cfg = app.settings.alerts
    if not cfg.enabled:
        return 0
    with app.session() as s:
        return evaluate_session(s, settings=app.settings, cfg=cfg, now=app.now())


def deliver(app: App) -> int:
    """Send the alerts Slack may take now; returns how many messages were posted."""
    return deliver_app(app)


def status(app: App) -> dict[str, Any]:
    """Webhook state and outbox counts, secrets masked."""
    return webhook_status(app)
