"""What every connector is: a stream of normalized ``Mention`` batches with a safe checkpoint."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Protocol

from social_care.errors import SkippableError
from social_care.models import Channel, Mention

__all__ = ["Batch", "Connector", "NewestFirstWindow", "PageLoopGuard", "parse_time", "parse_time_or", "skip_item"]
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Batch:
    mentions: Sequence[Mention]
    checkpoint: str | None = None  # a cursor safe to commit once these are stored; None = not yet
    skipped: Sequence[str] = field(default_factory=tuple)  # reasons for items dropped as malformed
    cut: Sequence[str] = field(default_factory=tuple)  # reasons for listings that ended early (read again later)


class Connector(Protocol):
    stream: ClassVar[str]
    channel: ClassVar[Channel]

    def poll(self, cursor: str | None) -> Iterator[Batch]: ...


class PageLoopGuard:
    """Follows one listing's next tokens (Singer's loop detection, softened to the listing).

    Graph may answer a short or even empty page that still has ``next``, and a broken listing may hand
    back a cursor it already gave. A repeated token is asked for once more; if the listing repeats itself
    again, ``follow`` returns False and ``cut`` says why: that listing ends, everything read so far is
    kept, the other listings go on, and the caller does not move its cursor past what was not read.
    """

    def __init__(self, stream: str, listing: str = "") -> None:
        self.stream = stream
        self.listing = listing
        self.cut: str | None = None
        self._seen: set[str] = set()
        self._repeats = 0

    def follow(self, token: str) -> bool:
        """Whether to request ``token``; False (and ``cut`` set) once the listing repeated itself twice."""
        if token in self._seen:
            self._repeats += 1
            if self._repeats > 1:
                where = f" {self.listing}" if self.listing else ""
                self.cut = (f"{self.stream}{where}: the platform repeated pagination token {token[:16]!r} "
                            "twice; this listing was ended and is read again next poll")
                log.warning(self.cut)
                return False
        self._seen.add(token)
        return True


class NewestFirstWindow:
    """Reads a listing the platform documents as newest first and stops once it reaches items older than
    ``since``, but only while the listing really is newest first: an unsorted one is read to its end."""

    def __init__(self, since: datetime | None) -> None:
        self.since = since
        self._last: datetime | None = None
        self._sorted = True
        self._older_seen = False

    def keep(self, at: datetime) -> bool:
        """Whether an item from ``at`` is new enough to keep."""
        if self._last is not None and at > self._last:
            self._sorted = False
        self._last = at
        if self.since is not None and at < self.since:
            self._older_seen = True
            return False
        return True

    @property
    def done(self) -> bool:
        return self._older_seen and self._sorted


def parse_time(value: object) -> datetime:
    """X (``2026-11-20T10:01:44.000Z``) and Graph (``2026-11-20T10:01:44+0000``) timestamps → aware UTC."""
    if not isinstance(value, str) or not value:
        raise SkippableError(f"missing or invalid timestamp {value!r}")
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise SkippableError(f"unreadable timestamp {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_time_or(value: object, default: datetime) -> datetime:
    """``parse_time``, or ``default`` when the platform sent no readable timestamp."""
    try:
        return parse_time(value)
    except SkippableError:
        return default


def skip_item(stream: str, item: object, reason: str) -> str:
    """Log one malformed platform item with a clear reason; the rest of the page goes on."""
    item_id = item.get("id") if isinstance(item, dict) else None
    message = f"{stream}: skipped item {item_id!r}: {reason}"
    log.warning(message)
    return message
