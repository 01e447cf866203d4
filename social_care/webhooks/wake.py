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
import threading
from typing import TYPE_CHECKING

from ..alerts import deliver
from ..pipeline import draft_pending
from ..scale import enabled
from ..scale.wake import stop_workers_wake, wake_workers

if TYPE_CHECKING:
    from ..app import App

__all__ = ["wake_senders", "stop_senders"]
log = logging.getLogger(__name__)
_lock = threading.Lock()
IDLE_SECONDS = 30.0  # the worker thread ends after this long without a wake (a new one starts on the next)
# the live worker of each App, by id(App): an entry holds its App (the worker refers to it), so the id cannot
# be reused while the entry is there; a worker removes its own entry when it ends
_workers: dict[int, _Worker] = {}


class _Worker:
    def __init__(self, app: App) -> None:
        self.app = app
        self.event = threading.Event()
        self.alive = True
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="social-care-webhook-pings", daemon=True)
        self.thread.start()

    def _end(self) -> None:
        """Called holding ``_lock``: this worker takes no more wakes, and leaves the registry."""
        self.alive = False
        if _workers.get(id(self.app)) is self:
            del _workers[id(self.app)]

    def _run(self) -> None:
        while True:
            if not self.event.wait(IDLE_SECONDS):
                with _lock:
                    if not self.event.is_set():
                        self._end()
                        return
            self.event.clear()
            if self.stopping:
                with _lock:
                    self._end()
                return
            try:
                draft_pending(self.app)  # a large batch's drafts (idempotent beside another process)
                deliver(self.app)
            except Exception as exc:  # noqa: BLE001 - the scheduled sender (if any) tries again
                log.warning("webhook pings: Slack delivery failed: %s", type(exc).__name__)


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
    with _lock:
        worker = _workers.get(id(app))
        if worker is None or not worker.alive:
            worker = _Worker(app)
            _workers[id(app)] = worker
        worker.event.set()


def stop_senders(app: App, timeout: float = 10.0) -> None:
    """End the worker thread of ``app`` (if any) once its current Slack delivery is done."""
    stop_workers_wake(app, timeout)
    with _lock:
        worker = _workers.get(id(app))
        if worker is None:
            return
        worker.stopping = True
        worker.event.set()
    worker.thread.join(timeout)
