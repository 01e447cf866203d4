"""After a delivery is committed: wake what sends, so a post is answered and pinged at once.

Under ``social-care run`` the scheduler sets ``App.wake`` (a one-off run of the outbox and of the Slack
sender, serialized with their scheduled runs). Scaled out (``SOCIAL_CARE_BROKER_URL``), the web process
hands the sends to the Celery workers (``social_care.scale.wake``). Under ``social-care serve`` alone
there is no scheduler in the process: the drafts of a large batch and the Slack sender run in one worker
thread here (drafts are idempotent and alerts are claimed in the database, so this is safe beside another
process's jobs); replies go out with that other process's outbox.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..alerts import deliver
from ..pipeline import draft_pending
from ..scale import enabled
from ..scale.wake import stop_workers_wake, wake_workers
from ..wake_thread import WakeThreads

if TYPE_CHECKING:
    from ..app import App

__all__ = ["wake_senders", "stop_senders"]
log = logging.getLogger(__name__)


class _Senders:
    def __init__(self, app: App) -> None:
        self.app = app

    def round(self) -> None:
        try:
            draft_pending(self.app)  # a large batch's drafts (idempotent beside another process)
            deliver(self.app)
        except Exception as exc:  # noqa: BLE001 - the scheduled sender (if any) tries again
            log.warning("webhook pings: Slack delivery failed: %s", type(exc).__name__)


_threads: WakeThreads[_Senders] = WakeThreads("social-care-webhook-pings", _Senders)


def wake_senders(app: App, *, flagged: int = 0, large: bool = False) -> None:
    """Never blocks: a wake is a scheduled one-off job, Celery tasks enqueued by a thread (scaled out:
    ``flagged`` new flagged posts, ``large`` when their drafts were left to a task) or a signal to the
    worker thread."""
    if app.wake is not None:
        app.wake()
        return
    if enabled(app.settings):
        wake_workers(app, flagged=flagged, large=large)
        return
    _threads.wake(app)


def stop_senders(app: App, timeout: float = 10.0) -> None:
    """End the worker thread of ``app`` (if any) once its current Slack delivery is done."""
    stop_workers_wake(app, timeout)
    _threads.stop(app, timeout)
