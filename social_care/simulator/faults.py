"""Fault injection (one-shot failures, stalls, malformed bodies, forced rate limits)
and the fixed-window counters used for the platforms' own rate limits."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

PLATFORM_ALIASES = {"x": "x", "twitter": "x", "facebook": "facebook", "graph": "facebook",
                    "fb": "facebook", "messenger": "facebook", "instagram": "facebook", "slack": "slack"}


def platform_name(platform: str) -> str:
    try:
        return PLATFORM_ALIASES[platform.lower()]
    except KeyError:
        raise ValueError(f"unknown platform {platform!r}; use 'x', 'facebook' (Instagram is served by the Graph "
                         "API too) or 'slack'") from None


@dataclass
class Fault:
    platform: str
    # "fail" | "graph_error" | "timeout" | "malformed" | "stuck_page" | "reset" | "rate_limited"
    # | "empty_page" | "missing_field" | "duplicate"
    kind: str
    remaining: int = 1
    path_contains: str | None = None
    status: int | None = None
    body: Any = None
    content_type: str | None = None
    seconds: float = 0.0
    code: int | None = None
    subcode: int | None = None
    message: str | None = None
    apply: bool = False  # timeout/reset/malformed faults: the platform did the work, only the answer is lost
    method: str | None = None  # only requests with this HTTP method (None = any)
    field: str | None = None  # missing_field: the field dropped from the first item of the page
    reset_seconds: float | None = None  # rate_limited: when the limit resets (None = no reset header)
    memo: Any = None  # duplicate: the last item of the previous page, repeated on the next one

    def matches(self, platform: str, path: str, method: str | None = None) -> bool:
        return (self.platform == platform and (self.path_contains is None or self.path_contains in path)
                and (self.method is None or method is None or self.method.upper() == method.upper()))


@dataclass
class RateLimitWindow:
    platform: str
    until: datetime
    path_contains: str | None = None
    code: int | None = None  # Graph error code (default 32)

    def matches(self, platform: str, path: str, now: datetime) -> bool:
        return (self.platform == platform and now < self.until
                and (self.path_contains is None or self.path_contains in path))


class FaultBook:
    """FIFO of pending faults; the first fault matching a request is consumed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._windows: list[RateLimitWindow] = []
        self.stall_release = threading.Event()  # set by reset/stop to end stalls early

    def add(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("count must be >= 1")
        with self._lock:
            self._faults.append(fault)

    def add_window(self, window: RateLimitWindow) -> None:
        with self._lock:
            self._windows.append(window)

    def take(self, platform: str, path: str, method: str | None = None) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(platform, path, method):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def window(self, platform: str, path: str, now: datetime) -> RateLimitWindow | None:
        with self._lock:
            self._windows = [w for w in self._windows if now < w.until]
            for w in self._windows:
                if w.matches(platform, path, now):
                    return w
        return None

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def release_stalls(self) -> None:
        self.stall_release.set()
        self.stall_release = threading.Event()

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._windows.clear()
        self.release_stalls()


@dataclass
class _Window:
    start: datetime
    used: int = 0


@dataclass
class WindowCounter:
    """Fixed windows per key, like X's 15-minute buckets: (limit, remaining, reset_at)."""

    window: timedelta = timedelta(minutes=15)
    _buckets: dict[Any, _Window] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: Any, limit: int, now: datetime, consume: bool = True) -> tuple[bool, int, datetime]:
        """Count one call; return (allowed, remaining, reset_at)."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None or now >= bucket.start + self.window:
                bucket = self._buckets[key] = _Window(now)
            allowed = bucket.used < limit
            if allowed and consume:
                bucket.used += 1
            return allowed, max(limit - bucket.used, 0), bucket.start + self.window

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
