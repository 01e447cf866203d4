"""Scaled out: a webhook delivery, once committed, has its sends handed to the workers at once.

The web process stores, scores and drafts a delivery in one transaction before the platform gets its 200
(issue 13: nothing acknowledged may be lost, so the work that makes a post safe is done before the
acknowledgement, not queued). A large batch (more than ``INLINE_DRAFTS`` new posts) is stored and flagged in
bulk; its drafts are the task ``draft_batch`` ("score/draft one batch", queue ``ingest``). What remains is
sending, and that is what this module wakes, after the commit:

- ``outbox_sweep`` (queue ``send``) when autosend approved a reply: it hands each due reply to ``send_reply``;
- ``deliver_alerts`` (queue ``alerts``) when a Slack ping was queued with the posts;
- ``draft_batch`` (queue ``ingest``) when a large batch left drafts to make (it wakes the sweep itself).

The enqueueing runs in one thread of the web process, never in the request: wakes that arrive while it is
enqueueing are coalesced into the next round (each round reads what was committed before it began), and a
broker that does not answer delays no 200. Should the broker be away, nothing is lost: the rows are committed
and the elected scheduler's sweeps (``outbox``, ``alerts:deliver``, ``drafts``) hand them out when it is back.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..config import Autosend
from ..wake_thread import WakeThreads
from . import mask_broker_url

if TYPE_CHECKING:
    from ..app import App

__all__ = ["Wakes", "wake_workers", "stop_workers_wake"]
log = logging.getLogger(__name__)


class Wakes:
    """What the next round enqueues (set by the request threads, taken by the enqueue thread)."""

    def __init__(self) -> None:
        self.send = self.alerts = self.drafts = False

    def any(self) -> bool:
        return self.send or self.alerts or self.drafts


class _Enqueuer:
    """One web process's enqueue rounds: what the wakes noted since the last round, handed to the broker."""

    def __init__(self, app: App) -> None:
        from .tasks import configure  # lazy: celery loads only in a process that has a broker to wake

        configure(app.settings)
        self.app = app
        self.wanted = Wakes()
        self.failing = False

    def round(self) -> None:
        with _threads.lock:
            wanted, self.wanted = self.wanted, Wakes()
        if wanted.any():
            self._enqueue(wanted)

    def _enqueue(self, wanted: Wakes) -> None:
        from .tasks import deliver_alerts, draft_batch, enqueue, outbox_sweep  # lazy: celery (as above)

        try:
            if wanted.alerts:
                enqueue(deliver_alerts, expires=60)
            if wanted.drafts:
                enqueue(draft_batch, expires=300)
            if wanted.send:
                enqueue(outbox_sweep, expires=60)
        except Exception as exc:  # noqa: BLE001 - kombu/redis/amqp connection errors vary by transport
            if not self.failing:
                log.error("webhooks: cannot reach the broker %s (%s): the delivery is stored; its replies and "
                          "Slack pings go out with the scheduler's next sweeps",
                          mask_broker_url(self.app.settings.broker_url), type(exc).__name__)
            self.failing = True
            return
        if self.failing:
            log.warning("webhooks: the broker answers again; deliveries are handed to the workers at once")
        self.failing = False


_threads: WakeThreads[_Enqueuer] = WakeThreads("social-care-enqueue-sends", _Enqueuer)


def wake_workers(app: App, *, flagged: int, large: bool) -> None:
    """Never blocks: note what the committed delivery needs and signal the enqueue thread."""
    autosend = app.settings.autosend == Autosend.PLAYBOOK

    def note(enqueuer: _Enqueuer) -> None:
        if flagged:
            wanted = enqueuer.wanted
            wanted.alerts |= bool(app.settings.alerts.enabled)
            wanted.drafts |= large
            wanted.send |= autosend and not large  # a large batch's drafts wake the sweep themselves

    _threads.wake(app, note)


def stop_workers_wake(app: App, timeout: float = 10.0) -> None:
    """End the enqueue thread of ``app`` (if any) once its current round is done."""
    _threads.stop(app, timeout)
