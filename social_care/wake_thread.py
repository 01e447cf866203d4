"""One daemon thread per App that runs a round of work after each wake, for the webhook endpoints' senders.

A wake never blocks the request that gives it: it notes what is wanted (under the registry's lock) and sets
an event. Wakes that come while a round runs fold into the next round; the thread ends after ``idle``
seconds without a wake and the next wake starts a new one. ``webhooks.wake`` (Slack pings and a large
batch's drafts under ``serve``) and ``scale.wake`` (handing sends to the Celery workers) are its two users.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from .app import App

__all__ = ["WakeThreads", "Rounds"]
IDLE_SECONDS = 30.0  # a thread ends after this long without a wake (a new one starts on the next)


class Rounds(Protocol):
    def round(self) -> None:
        """One round of work after one or more wakes."""


R = TypeVar("R", bound=Rounds)


class _Thread(Generic[R]):
    def __init__(self, owner: WakeThreads[R], app: App, work: R) -> None:
        self.owner, self.app, self.work = owner, app, work
        self.event = threading.Event()
        self.alive = True
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name=owner.name, daemon=True)
        self.thread.start()

    def _end(self) -> None:
        """Called holding the owner's lock: this thread takes no more wakes, and leaves the registry."""
        self.alive = False
        if self.owner.threads.get(id(self.app)) is self:
            del self.owner.threads[id(self.app)]

    def _run(self) -> None:
        lock = self.owner.lock
        while True:
            if not self.event.wait(self.owner.idle):
                with lock:
                    if not self.event.is_set():
                        self._end()
                        return
            with lock:
                self.event.clear()
                if self.stopping:
                    self._end()
                    return
            self.work.round()


class WakeThreads(Generic[R]):
    """The live wake thread of each App, by ``id(app)``: an entry holds its App (the thread refers to it), so
    the id cannot be reused while the entry is there; a thread removes its own entry when it ends."""

    def __init__(self, name: str, make_work: Callable[[App], R], *, idle: float = IDLE_SECONDS) -> None:
        self.name, self.make_work, self.idle = name, make_work, idle
        self.lock = threading.Lock()  # guards the registry, each thread's ending, and what callers note
        self.threads: dict[int, _Thread[R]] = {}

    def wake(self, app: App, note: Callable[[R], None] | None = None) -> None:
        """Never blocks on the work: run ``note`` on ``app``'s work under the lock (what its next round
        should do), then signal its thread, starting one when there is none."""
        with self.lock:
            current = self.threads.get(id(app))
            if current is None or not current.alive:
                current = _Thread(self, app, self.make_work(app))
                self.threads[id(app)] = current
            if note is not None:
                note(current.work)
            current.event.set()

    def stop(self, app: App, timeout: float = 10.0) -> None:
        """End ``app``'s thread (if any) once its current round is done."""
        with self.lock:
            current = self.threads.get(id(app))
            if current is None:
                return
            current.stopping = True
            current.event.set()
        current.thread.join(timeout)
