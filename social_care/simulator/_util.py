"""Small shared helpers: clocks, timestamp formats, id generators, opaque cursors."""
from __future__ import annotations

import base64
import itertools
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

Clock = Callable[[], datetime]

TWITTER_EPOCH_MS = 1288834974657


def real_clock() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | str | None, clock: Clock) -> datetime:
    """Normalise a user-supplied timestamp (None = now, ISO string, naive = UTC)."""
    if value is None:
        value = clock()
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def x_time(dt: datetime) -> str:
    """X v2 format, milliseconds mandatory: 2026-11-20T10:01:44.000Z."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def graph_time(dt: datetime) -> str:
    """Graph API format: 2026-11-20T09:15:02+0000."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def epoch(dt: datetime) -> int:
    return int(dt.timestamp())


class Snowflake:
    """Time-ordered numeric ids like X's: ((ms - twepoch) << 22) | sequence."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._used: set[int] = set()

    def next(self, at: datetime) -> str:
        ms = max(int(at.timestamp() * 1000) - TWITTER_EPOCH_MS, 0)
        with self._lock:
            value = ms << 22
            while value in self._used:
                value += 1
            self._used.add(value)
        return str(value)


class Counter:
    """Thread-safe increasing integers starting at ``start``."""

    def __init__(self, start: int) -> None:
        self._it = itertools.count(start)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return next(self._it)


def encode_cursor(value: Any) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return "QVFI" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    """Inverse of encode_cursor; raises ValueError on anything malformed."""
    if not cursor.startswith("QVFI"):
        raise ValueError("bad cursor")
    body = cursor[4:]
    try:
        return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except Exception as exc:  # noqa: BLE001 - any decoding problem is a bad cursor
        raise ValueError("bad cursor") from exc


class Record:
    """Mixin for state dataclasses: attribute access plus read-only ``obj["field"]``."""

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)
