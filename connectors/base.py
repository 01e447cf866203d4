"""What every connector is: a stream of normalized ``Mention`` batches with a safe checkpoint."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

from social_care.errors import SkippableError
from social_care.models import Channel, Mention

__all__ = [
    "Batch",
    "Connector",
    "NewestFirstWindow",
    "Page",
    "PageLoopGuard",
    "count",
    "fit_key",
    "ident",
    "ident_or_none",
    "label",
    "message_text",
    "optional_ident",
    "paginate",
    "parse_time",
    "parse_time_or",
    "skip_item",
    "url",
]
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Batch:
    mentions: Sequence[Mention]
    checkpoint: str | None = None  # a cursor safe to commit once these are stored; None = not yet
    skipped: Sequence[str] = field(default_factory=tuple)  # reasons for items dropped as malformed
    cut: Sequence[str] = field(default_factory=tuple)  # reasons for listings that ended early (read again later)
    notes: Sequence[str] = field(default_factory=tuple)  # what the platform cannot show (status says so)


class Connector(Protocol):
    stream: ClassVar[str]
    channel: ClassVar[Channel]
    # whose signed webhooks also deliver this stream's posts ("x", "facebook"), making its polls the backstop;
    # None: only polling finds them
    webhook_platform: ClassVar[str | None]

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


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a cursor listing: the platform's answer, the token of the next page (None: this is the
    last page, the listing is complete) and, when the loop guard ended the listing here, why (``cut``)."""

    body: dict[str, Any]
    next: str | None = None
    cut: str | None = None


def paginate(
    fetch: Callable[[str | None], dict[str, Any]],
    next_token: Callable[[dict[str, Any]], str | None],
    *,
    stream: str,
    listing: str = "",
) -> Iterator[Page]:
    """The one page loop of every stream: ``fetch(None)`` then ``fetch(token)`` while ``next_token(body)``
    gives one. A short or empty page that still has a next token is followed (the platforms answer those);
    a repeated token is asked once more and a second repeat ends the listing (``PageLoopGuard``: the
    reason is logged and carried in ``Page.cut``, which the stream passes on as its batch's ``cut``, counted
    in the poll's ``listings_cut``). The caller may stop early (the generator is simply closed)."""
    guard = PageLoopGuard(stream, listing)
    token: str | None = None
    while True:
        body = fetch(token)
        token = next_token(body)
        if token is None:
            yield Page(body)
            return
        if not guard.follow(token):
            yield Page(body, cut=guard.cut)
            return
        yield Page(body, next=token)


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
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except ValueError:
        raise SkippableError(f"unreadable timestamp {value!r}") from None
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first UTC instant Python can hold
        raise SkippableError(f"timestamp out of range {value!r}") from None


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


# ---- item fields: what the posts table can hold on SQLite and PostgreSQL alike ----------------------------

ID_MAX = 128  # posts.external_id, author_id, parent_external_id, reply_recipient_id
KEY_MAX = 160  # posts.thread_key, reply_thread_id
LABEL_MAX = 255  # posts.author_handle, author_name
URL_MAX = 1000  # posts.permalink
COUNT_MAX = 2**31 - 1  # posts.author_followers is an INTEGER


def ident(value: object, what: str, limit: int = ID_MAX) -> str:
    """A platform id (text or a whole number) as text; SkippableError naming ``what`` for anything else."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise SkippableError(f"{what} is not an id ({type(value).__name__})")
    text = str(value).strip()
    if not text:
        raise SkippableError(f"{what} is missing")
    if len(text) > limit or "\x00" in text:
        raise SkippableError(f"{what} is not an id ({len(text)} characters: {text[:24]!r}…)")
    return text


def optional_ident(value: object, what: str, limit: int = ID_MAX) -> str | None:
    """``ident``, or None when the platform sent none (null, missing, empty)."""
    if value is None or value == "":
        return None
    return ident(value, what, limit)


def ident_or_none(value: object, limit: int = ID_MAX) -> str | None:
    """``ident`` for a secondary id (a conversation, a parent): None instead of a skip when it is junk."""
    try:
        return optional_ident(value, "id", limit)
    except SkippableError:
        return None


def label(value: object, limit: int = LABEL_MAX) -> str | None:
    """A display name, handle or link: text without NULs cut to ``limit``; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()
    return text[:limit] or None


def url(value: object) -> str | None:
    """A link that fits the permalink column, else None (a cut link would lead somewhere else)."""
    if not isinstance(value, str) or not value.strip() or len(value) > URL_MAX or "\x00" in value:
        return None
    return value.strip()


def count(value: object) -> int | None:
    """A follower (or reply) count: a whole number from 0 to 2³¹−1, else None (unknown)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COUNT_MAX:
        return None
    return value


def message_text(value: object, what: str) -> str:
    """A customer's words; SkippableError when it is not text. NULs (which PostgreSQL refuses) are dropped."""
    if not isinstance(value, str):
        raise SkippableError(f"{what} without text")
    return value.replace("\x00", "")


def fit_key(key: str, limit: int = KEY_MAX) -> str:
    """A grouping key that fits its column: a longer one keeps its start and a digest of the whole."""
    if len(key) <= limit:
        return key
    return key[: limit - 41] + "#" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()
