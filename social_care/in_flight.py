"""Replies this process is delivering right now.

A reply marked ``sending`` whose send is on its way (a person's approval, the outbox) is left to its sender
by every other caller in this process (the outbox woken by a webhook delivery, or its tick): checking the
platform before that send has landed there would find nothing and send the reply a second time. An entry
older than ``IN_FLIGHT_SECONDS`` (longer than any send's timeouts) is stale: a sender that never finished,
whose reply the next outbox run checks on the platform. Across processes, scaled out, the reply's lease
(``scale.claims``) does the same.
"""

from __future__ import annotations

import threading
import time

__all__ = ["IN_FLIGHT_SECONDS", "active", "done", "mark"]

IN_FLIGHT_SECONDS = 120.0
_since: dict[int, float] = {}  # reply id -> when its send started (monotonic)
_lock = threading.Lock()


def mark(reply_id: int) -> None:
    with _lock:
        _since[reply_id] = time.monotonic()


def done(reply_id: int) -> None:
    with _lock:
        _since.pop(reply_id, None)


def active(reply_id: int | None) -> bool:
    """Whether this process is delivering ``reply_id`` right now."""
    if reply_id is None:
        return False
    with _lock:
        since = _since.get(reply_id)
        return since is not None and time.monotonic() - since < IN_FLIGHT_SECONDS
