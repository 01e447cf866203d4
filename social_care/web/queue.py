"""The queue: one list of posts across the four channels, most urgent first (web page, API and CLI).

``urgency`` is the single, pure ranking formula. ``list_queue`` filters in SQL (indexed on status and
created_at), ranks the open backlog in Python with ``urgency`` and loads full rows only for the page.
Posts that are no longer waiting (sent, resolved, spam…) have no meaningful wait, so a view of those
is ordered newest first instead.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, or_
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from ..models import OPEN_STATUSES, Channel, PostStatus, as_utc
from ..store.tables import Post

if TYPE_CHECKING:
    from ..config import Settings

__all__ = [
    "ALL_STATUSES",
    "DEFAULT_STATUSES",
    "NEAR_TARGET",
    "QueueFilter",
    "QueueResult",
    "QueueRow",
    "list_queue",
    "queue_row",
    "urgency",
    "wait_state",
]

ALL_STATUSES: tuple[str, ...] = tuple(s.value for s in PostStatus)
DEFAULT_STATUSES: tuple[str, ...] = tuple(s.value for s in PostStatus if s in OPEN_STATUSES)
#: A wait at or past this fraction of the channel's response target shows amber.
NEAR_TARGET = 0.75
#: History views (sent, resolved, spam…) count matches up to this many ("10000+").
COUNT_CAP = 10_000


def urgency(
    *,
    polarity: float | None,
    flagged: bool,
    followers: int | None,
    waited_minutes: float,
    target_minutes: float,
) -> float:
    """How urgent a post is, 0..100 (higher first).

    - anger, 40 points: half from how negative the text is (``-polarity``), half from being flagged;
    - reach, 20 points: log10 of the author's followers, full at one million (unknown = 0);
    - waiting, 40 points: the wait as a share of the channel's response target, full at twice the
      target; so a post past its target outranks an equally angry fresh one.
    """
    negativity = min(max(-(polarity or 0.0), 0.0), 1.0)
    anger = 0.5 * negativity + (0.5 if flagged else 0.0)
    reach = min(math.log10(1 + max(followers or 0, 0)) / 6.0, 1.0)
    ratio = max(waited_minutes, 0.0) / max(target_minutes, 1.0)
    waiting = min(ratio, 2.0) / 2.0
    return round(40.0 * anger + 20.0 * reach + 40.0 * waiting, 2)


def urgency_many(
    *,
    polarity: np.ndarray,
    flagged: np.ndarray,
    followers: np.ndarray,
    waited_minutes: np.ndarray,
    target_minutes: np.ndarray,
) -> np.ndarray:
    """``urgency`` for whole columns at once (the queue ranks thousands of open posts per page view)."""
    negativity = np.clip(-polarity, 0.0, 1.0)
    anger = 0.5 * negativity + 0.5 * flagged
    reach = np.minimum(np.log10(1.0 + np.maximum(followers, 0.0)) / 6.0, 1.0)
    waiting = np.minimum(np.maximum(waited_minutes, 0.0) / np.maximum(target_minutes, 1.0), 2.0) / 2.0
    return np.round(40.0 * anger + 20.0 * reach + 40.0 * waiting, 2)


def wait_state(waited_minutes: float, target_minutes: float) -> str:
    """``ok`` | ``near`` (amber, from 75 % of the target) | ``over`` (red, past the target)."""
    ratio = waited_minutes / max(target_minutes, 1.0)
    if ratio >= 1.0:
        return "over"
    if ratio >= NEAR_TARGET:
        return "near"
    return "ok"


@dataclass(frozen=True)
class QueueFilter:
    channel: str | None = None
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    lang: str | None = None
    category: str | None = None
    assignee: str | None = None  # a user name, or "-" for unassigned
    q: str | None = None
    snoozed: bool = False  # False: hide posts snoozed into the future; True: only those
    limit: int = 50

    @classmethod
    def from_params(
        cls,
        *,
        channel: str | None = None,
        status: str | Sequence[str] | None = None,
        lang: str | None = None,
        category: str | None = None,
        assignee: str | None = None,
        q: str | None = None,
        snoozed: bool = False,
        limit: int = 50,
    ) -> QueueFilter:
        """From query parameters / CLI options; blanks mean "any"; ``status`` may be "open", "all" or a list."""
        if isinstance(status, str):
            status = [s for s in status.split(",") if s.strip()]
        statuses: list[str] = []
        for s in status or ["open"]:
            s = s.strip()
            if s == "open":
                statuses.extend(DEFAULT_STATUSES)
            elif s == "all":
                statuses.extend(ALL_STATUSES)
            elif s in ALL_STATUSES:
                statuses.append(s)
            else:
                raise ValueError(f"unknown status {s!r}: one of open, all, {', '.join(ALL_STATUSES)}")
        if channel and channel not in {c.value for c in Channel}:
            raise ValueError(f"unknown channel {channel!r}: one of {', '.join(c.value for c in Channel)}")
        return cls(
            channel=channel or None,
            statuses=tuple(dict.fromkeys(statuses)),
            lang=(lang or "").strip() or None,
            category=(category or "").strip() or None,
            assignee=(assignee or "").strip() or None,
            q=(q or "").strip() or None,
            snoozed=snoozed,
            limit=max(1, min(int(limit), 500)),
        )

    @property
    def ranks_by_urgency(self) -> bool:
        return set(self.statuses) <= set(DEFAULT_STATUSES)

    @property
    def is_whole_backlog(self) -> bool:
        """The default view: every open, not snoozed post (its rows give the open/overdue counts)."""
        return (
            set(self.statuses) == set(DEFAULT_STATUSES)
            and not self.snoozed
            and not (self.channel or self.lang or self.category or self.assignee or self.q)
        )

    def params(self) -> dict[str, str]:
        """The filter as query parameters (for links and the live-update poll)."""
        out: dict[str, str] = {}
        if self.channel:
            out["channel"] = self.channel
        if tuple(self.statuses) != DEFAULT_STATUSES:
            out["status"] = ",".join(self.statuses)
        for name in ("lang", "category", "assignee", "q"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.snoozed:
            out["snoozed"] = "1"
        if self.limit != QueueFilter.limit:
            out["limit"] = str(self.limit)
        return out


@dataclass
class QueueRow:
    post: Post
    urgency: float
    waited_minutes: float
    target_minutes: int
    wait_state: str  # ok | near | over | done (answered: the wait has stopped)
    snoozed: bool

    def as_dict(self) -> dict[str, Any]:
        p = self.post
        return {
            "id": p.id,
            "version": p.version,
            "channel": p.channel,
            "status": p.status,
            "author_handle": p.author_handle,
            "author_name": p.author_name,
            "author_followers": p.author_followers,
            "text": p.text,
            "created_at": as_utc(p.created_at).isoformat(),
            "lang": p.lang,
            "label": p.label,
            "polarity": p.polarity,
            "flagged": p.flagged,
            "category": p.category,
            "reasons": list(p.reasons or []),
            "assignee": p.assignee,
            "snoozed_until": as_utc(p.snoozed_until).isoformat() if p.snoozed_until else None,
            "urgency": self.urgency,
            "waited_minutes": round(self.waited_minutes, 1),
            "target_minutes": self.target_minutes,
            "wait_state": self.wait_state,
        }


@dataclass
class QueueResult:
    rows: list[QueueRow]
    total: int  # matching the filter (before the page limit; history views stop counting at COUNT_CAP + 1)
    open_count: int  # needing action, not snoozed (all channels, no other filter)
    overdue_count: int  # of those, past their channel's response target
    filter: QueueFilter
    now: datetime
    stamp: str = field(default="")  # changes when the list would render differently

    @property
    def total_text(self) -> str:
        return f"{COUNT_CAP:,}+" if self.total > COUNT_CAP else f"{self.total:,}"


def _open_counts(session: Session, settings: Settings, now: datetime) -> tuple[int, int]:
    """Open posts (needing action, not snoozed) and how many of them are past their channel's target.

    One indexed query over the open backlog (status, created_at); the per-channel target is applied here.
    """
    t = Post.__table__.c  # type: ignore[attr-defined]
    rows = session.connection().execute(
        select(t.channel, t.created_at).where(t.status.in_(DEFAULT_STATUSES), _not_snoozed(now))
    ).all()
    return _counts(rows, settings, now)


def _counts(rows: Sequence[Any], settings: Settings, now: datetime) -> tuple[int, int]:
    """(open, overdue) from (channel, created_at, …) rows of the open, not snoozed posts."""
    since = _Since(now)
    targets = {ch.value: settings.response_target_minutes(ch.value) for ch in Channel}
    overdue = sum(1 for r in rows if since.minutes(r[1]) >= targets.get(r[0], 60))
    return len(rows), overdue


class _Since:
    """Minutes from a stored time to ``now``, fast for SQLite's naive UTC values and aware ones alike."""

    def __init__(self, now: datetime) -> None:
        self.now = as_utc(now)
        self.naive = self.now.replace(tzinfo=None)

    def minutes(self, value: datetime) -> float:
        if value.tzinfo is None:
            return (self.naive - value).total_seconds() / 60.0
        return (self.now - value).total_seconds() / 60.0


def _not_snoozed(now: datetime) -> Any:
    return or_(col(Post.snoozed_until).is_(None), col(Post.snoozed_until) <= now)


def _conditions(f: QueueFilter, now: datetime) -> list[Any]:
    cond: list[Any] = [col(Post.status).in_(f.statuses)]
    if f.snoozed:
        cond.append(col(Post.snoozed_until) > now)
    elif f.ranks_by_urgency:
        cond.append(_not_snoozed(now))  # history views (sent, resolved…) ignore snoozes: nothing waits there
    # The open backlog is small: keep the planner on (status, created_at) rather than a channel/category
    # index that would visit a quarter of all history (coalesce() is not indexable, on purpose).
    def field(column: Any) -> Any:
        return func.coalesce(column, "") if f.ranks_by_urgency else column

    if f.channel:
        cond.append(field(Post.channel) == f.channel)
    if f.lang:
        cond.append(field(Post.lang) == f.lang)
    if f.category:
        cond.append(field(Post.category) == f.category)
    if f.assignee == "-":
        cond.append(col(Post.assignee).is_(None))
    elif f.assignee:
        cond.append(field(Post.assignee) == f.assignee)
    if f.q:
        like = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        cond.append(
            or_(
                col(Post.text).ilike(like, escape="\\"),
                col(Post.author_handle).ilike(like, escape="\\"),
                col(Post.author_name).ilike(like, escape="\\"),
            )
        )
    return cond


def _most_urgent(light: Sequence[Any], targets: dict[str, int], now: datetime, limit: int) -> list[int]:
    """Ids of the ``limit`` most urgent of (channel, created_at, id, polarity, flagged, followers) rows;
    ties go to the older post (lower id)."""
    n = len(light)
    if n == 0:
        return []
    since = _Since(now)
    scores = urgency_many(
        polarity=np.fromiter((r[3] or 0.0 for r in light), float, n),
        flagged=np.fromiter((1.0 if r[4] else 0.0 for r in light), float, n),
        followers=np.fromiter((r[5] or 0 for r in light), float, n),
        waited_minutes=np.fromiter((since.minutes(r[1]) for r in light), float, n),
        target_minutes=np.fromiter((targets.get(r[0], 60) for r in light), float, n),
    )
    ids = np.fromiter((r[2] for r in light), np.int64, n)
    order = np.lexsort((ids, -scores))[:limit]  # by score descending, then id ascending
    return [int(i) for i in ids[order]]


def _minutes(a: datetime, b: datetime) -> float:
    return (as_utc(a) - as_utc(b)).total_seconds() / 60.0


def list_queue(session: Session, settings: Settings, f: QueueFilter, *, now: datetime) -> QueueResult:
    """The queue page: the ``f.limit`` most urgent posts matching ``f``, with counts."""
    cond = _conditions(f, now)
    targets = {ch.value: settings.response_target_minutes(ch.value) for ch in Channel}
    counts: tuple[int, int] | None = None
    if f.ranks_by_urgency:
        t = Post.__table__.c  # type: ignore[attr-defined]
        light = session.connection().execute(
            select(t.channel, t.created_at, t.id, t.polarity, t.flagged, t.author_followers).where(*cond)
        ).all()
        total = len(light)
        ids = _most_urgent(light, targets, now, f.limit)
        full = select(Post).options(defer(Post.raw)).where(col(Post.id).in_(ids))  # type: ignore[arg-type]
        by_id = {p.id: p for p in session.exec(full).all()} if ids else {}
        posts = [by_id[i] for i in ids if i in by_id]
        if f.is_whole_backlog:
            counts = _counts(light, settings, now)  # the same rows: no second query
    else:
        capped = select(Post.id).where(*cond).limit(COUNT_CAP + 1).subquery()
        total = int(session.exec(select(func.count()).select_from(capped)).one())
        posts = list(
            session.exec(
                select(Post)
                .options(defer(Post.raw))  # type: ignore[arg-type]
                .where(*cond)
                .order_by(col(Post.created_at).desc(), col(Post.id).desc())
                .limit(f.limit)
            ).all()
        )
    rows = [queue_row(p, targets, now) for p in posts]
    open_count, overdue = counts or _open_counts(session, settings, now)
    stamp = f"{total}:{open_count}:{overdue}:" + ",".join(f"{r.post.id}.{r.post.version}.{r.wait_state}" for r in rows)
    return QueueResult(
        rows=rows,
        total=total,
        open_count=open_count,
        overdue_count=overdue,
        filter=f,
        now=now,
        stamp=hashlib.sha1(stamp.encode()).hexdigest()[:16],
    )


def queue_row(p: Post, targets: dict[str, int], now: datetime) -> QueueRow:
    target = targets.get(p.channel, 60)
    if p.status in DEFAULT_STATUSES:
        waited = _minutes(now, p.created_at)
        state = wait_state(waited, target)
    else:
        end = p.first_response_at or p.resolved_at or p.updated_at
        waited = max(_minutes(end, p.created_at), 0.0)
        state = "done"
    snoozed = p.snoozed_until is not None and as_utc(p.snoozed_until) > now
    return QueueRow(
        post=p,
        urgency=urgency(
            polarity=p.polarity,
            flagged=p.flagged,
            followers=p.author_followers,
            waited_minutes=waited,
            target_minutes=target,
        ),
        waited_minutes=waited,
        target_minutes=target,
        wait_state=state,
        snoozed=snoozed,
    )
