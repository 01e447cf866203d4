"""The queue: one list of posts across every channel, most urgent first (for the web page, the API and the CLI).

``urgency`` is the single ranking formula. Its time-independent part (anger and reach) is kept in
``posts.urgency_base``; ``list_queue`` adds the waiting part in SQL from ``created_at``, so the database
ranks, filters and cuts the page (SQLite and PostgreSQL alike) and every page after the first is found by
keyset: the "next" link carries the time the ranking was made (``as_of``) and the last row's (score, id),
so the order stays put while someone pages, however long they take, and a later page costs what the
first does. Posts that are no longer waiting (sent, resolved, spam…) have no meaningful wait, so a view of
those is ordered newest first and pages by (created_at, id).

The default view is the flagged posts needing a reply; ``status=open`` shows every open post.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, and_, bindparam, case, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import defer
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from .errors import SocialCareError
from .inbox.authors import muted_condition
from .inbox.notes import mention_condition
from .inbox.tags import normalize_tag, tag_condition
from .models import OPEN_STATUSES, Channel, PostStatus, as_utc
from .store.tables import Post, anger_reach_points, table_of

if TYPE_CHECKING:
    from .config import Settings

__all__ = [
    "ALL_STATUSES",
    "DEFAULT_STATUSES",
    "NEAR_TARGET",
    "CursorError",
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

    Anger and reach are ``anger_reach_points`` (stored as ``posts.urgency_base``); the queue computes the
    waiting part in SQL with ``_score_sql``, which must stay this formula.
    """
    ratio = max(waited_minutes, 0.0) / max(target_minutes, 1.0)
    waiting = min(ratio, 2.0) / 2.0
    return round(anger_reach_points(polarity, flagged, followers) + 40.0 * waiting, 2)


def wait_state(waited_minutes: float, target_minutes: float) -> str:
    """``ok`` | ``near`` (amber, from 75 % of the target) | ``over`` (red, past the target)."""
    ratio = waited_minutes / max(target_minutes, 1.0)
    if ratio >= 1.0:
        return "over"
    if ratio >= NEAR_TARGET:
        return "near"
    return "ok"


class CursorError(ValueError):
    """A page link (``after``) that is damaged or belongs to another kind of view."""


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the row (``score`` or ``created_at``, ``id``), ranked ``as_of``."""

    ranked: bool
    id: int
    start: int  # how many rows came before the next page (for "51–57 of 57")
    as_of: datetime | None = None  # ranked views: the time the waiting part was computed at
    score: float | None = None  # ranked views: the last row's score
    created_at: datetime | None = None  # history views: the last row's created_at

    def token(self) -> str:
        if self.ranked:
            assert self.as_of is not None and self.score is not None
            return f"u_{_micros(self.as_of)}_{self.score!r}_{self.id}_{self.start}"
        assert self.created_at is not None
        return f"h_{_micros(self.created_at)}_{self.id}_{self.start}"

    @classmethod
    def parse(cls, token: str) -> Cursor:
        bad = CursorError("the page link is damaged or belongs to another view: start again from the first page")
        parts = (token or "").strip().split("_")
        try:
            if parts[0] == "u" and len(parts) == 5:
                score = float(parts[2])
                if not 0.0 <= score <= 100.0:
                    raise bad
                return cls(ranked=True, as_of=_from_micros(int(parts[1])), score=score, id=int(parts[3]),
                           start=max(int(parts[4]), 0))
            if parts[0] == "h" and len(parts) == 4:
                return cls(ranked=False, created_at=_from_micros(int(parts[1])), id=int(parts[2]),
                           start=max(int(parts[3]), 0))
        except (ValueError, OverflowError):
            raise bad from None
        raise bad


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(value: datetime) -> int:
    return (as_utc(value) - _EPOCH) // timedelta(microseconds=1)


def _from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True)
class QueueFilter:
    channel: str | None = None
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    flagged_only: bool = True  # the default view: flagged posts needing a reply ("open" drops this)
    lang: str | None = None
    category: str | None = None
    assignee: str | None = None  # a user name, or "-" for unassigned
    q: str | None = None
    snoozed: bool = False  # False: hide posts snoozed into the future; True: only those
    limit: int = 50
    tag: str | None = None  # a free tag the posts carry (``inbox.tags``)
    mentioned: str | None = None  # a user name: posts with a note mentioning them they have not seen
    muted: bool = False  # True: only the authors marked "don't engage"; the default view leaves them out

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
        tag: str | None = None,
        mentioned: str | None = None,
        muted: bool = False,
    ) -> QueueFilter:
        """From query parameters / CLI options; blanks mean "any".

        ``status``: none (the default: flagged posts needing a reply), "open" (every post needing action,
        flagged or not), "all", or a list of statuses.
        """
        if isinstance(status, str):
            status = [s for s in status.split(",") if s.strip()]
        flagged_only = not status
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
            flagged_only=flagged_only,
            lang=(lang or "").strip() or None,
            category=(category or "").strip() or None,
            assignee=(assignee or "").strip() or None,
            q=(q or "").strip() or None,
            snoozed=snoozed,
            limit=max(1, min(int(limit), 500)),
            tag=_tag(tag),
            mentioned=(mentioned or "").strip() or None,
            muted=muted,
        )

    @property
    def ranks_by_urgency(self) -> bool:
        return set(self.statuses) <= set(DEFAULT_STATUSES)

    @property
    def is_whole_backlog(self) -> bool:
        """The default view with no other filter (its total is the "need a reply" count)."""
        return (
            set(self.statuses) == set(DEFAULT_STATUSES)
            and self.flagged_only
            and not self.snoozed
            and not self.muted
            and not (self.channel or self.lang or self.category or self.assignee or self.q or self.tag
                     or self.mentioned)
        )

    def params(self) -> dict[str, str]:
        """The filter as query parameters (for links and the live-update poll)."""
        out: dict[str, str] = {}
        if self.channel:
            out["channel"] = self.channel
        if not self.flagged_only:
            out["status"] = "open" if tuple(self.statuses) == DEFAULT_STATUSES else ",".join(self.statuses)
        for name in ("lang", "category", "assignee", "q", "tag", "mentioned"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.snoozed:
            out["snoozed"] = "1"
        if self.muted:
            out["muted"] = "1"
        if self.limit != QueueFilter.limit:
            out["limit"] = str(self.limit)
        return out

    @property
    def status_value(self) -> str:
        """The status selector's value: "" (the default view), "open", "all", or the statuses."""
        if self.flagged_only:
            return ""
        if tuple(self.statuses) == DEFAULT_STATUSES:
            return "open"
        if set(self.statuses) == set(ALL_STATUSES):
            return "all"
        return ",".join(self.statuses)


def _tag(value: str | None) -> str | None:
    if not (value or "").strip():
        return None
    try:
        return normalize_tag(value or "")
    except SocialCareError as exc:  # a text that cannot be a tag: a bad filter, like an unknown channel
        raise ValueError(str(exc)) from None


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
    total: int  # matching the filter now (history views stop counting at COUNT_CAP + 1)
    open_count: int  # flagged posts needing a reply, not snoozed (all channels, no other filter)
    overdue_count: int  # of those, past their channel's response target
    filter: QueueFilter
    now: datetime
    stamp: str = field(default="")  # changes when the list would render differently
    start: int = 0  # rows before this page (0 on the first page)
    next_after: str | None = None  # the ``after`` value of the next page; None on the last page

    @property
    def total_text(self) -> str:
        return f"{COUNT_CAP:,}+" if self.total > COUNT_CAP else f"{self.total:,}"

    @property
    def range_text(self) -> str:
        """ "51–57" (the rows of this page, counted from 1)."""
        if not self.rows:
            return "0"
        return f"{self.start + 1:,}–{self.start + len(self.rows):,}"


# ---- SQL ----------------------------------------------------------------------------------------


class minutes_between(FunctionElement[float]):  # noqa: N801 - a SQL function
    """Minutes from ``start`` to ``end`` (two timestamps), as a float, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True
    name = "minutes_between"


@compiles(minutes_between)
def _minutes_between_pg(element: minutes_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"CAST(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)})) "
        "AS DOUBLE PRECISION) / 60.0"
    )


@compiles(minutes_between, "sqlite")
def _minutes_between_sqlite(element: minutes_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 1440.0)"


def _at(value: datetime) -> Any:
    # stored like the column's own values: SQLite keeps UTC wall-clock text, PostgreSQL a timestamptz
    return bindparam(None, as_utc(value), type_=table_of(Post).c.created_at.type)


def _target_sql(targets: dict[str, int]) -> Any:
    t = table_of(Post).c
    return case({ch: float(max(m, 1)) for ch, m in targets.items()}, value=t.channel, else_=60.0)


def _waited_sql(as_of: datetime) -> Any:
    t = table_of(Post).c
    return minutes_between(t.created_at, _at(as_of))


def _score_sql(targets: dict[str, int], as_of: datetime) -> Any:
    """``urgency`` in SQL (unrounded): ``urgency_base`` plus 20 points per response target waited, at most 40."""
    t = table_of(Post).c
    ratio = _waited_sql(as_of) / _target_sql(targets)
    waiting = case((ratio <= 0.0, 0.0), (ratio >= 2.0, 40.0), else_=20.0 * ratio)
    return t.urgency_base + waiting


def _not_snoozed(now: datetime) -> Any:
    return or_(col(Post.snoozed_until).is_(None), col(Post.snoozed_until) <= now)


def _conditions(f: QueueFilter, now: datetime) -> list[Any]:
    cond: list[Any] = [col(Post.status).in_(f.statuses)]
    if f.flagged_only:
        # not indexable on purpose: the flagged index holds a large share of all history, while the open
        # backlog is small and found through (status, created_at)
        cond.append(func.coalesce(col(Post.flagged), False) == True)  # noqa: E712 - SQL
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
    if f.tag:
        cond.append(tag_condition(f.tag))
    if f.mentioned:
        cond.append(mention_condition(f.mentioned))
    if f.muted:
        cond.append(muted_condition(True))
    elif f.flagged_only:  # the default view leaves out the authors marked "don't engage"
        cond.append(muted_condition(False))
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


def _open_counts(session: Session, settings: Settings, now: datetime) -> tuple[int, int]:
    """Flagged posts needing a reply (not snoozed) and how many of them are past their channel's target.

    One aggregate over the open backlog (indexed on status, created_at); the per-channel target is a CASE.
    """
    targets = {ch.value: settings.response_target_minutes(ch.value) for ch in Channel}
    return _count(session, _conditions(QueueFilter(), now), targets, now)


def _count(session: Session, cond: list[Any], targets: dict[str, int], now: datetime) -> tuple[int, int]:
    """(posts matching ``cond``, how many of them are past their channel's response target ``now``)."""
    overdue = case((_waited_sql(now) >= _target_sql(targets), 1), else_=0)
    total, late = session.connection().execute(
        select(func.count(), func.coalesce(func.sum(overdue), 0)).select_from(Post).where(*cond)
    ).one()
    return int(total), int(late)


def _minutes(a: datetime, b: datetime) -> float:
    return (as_utc(a) - as_utc(b)).total_seconds() / 60.0


def list_queue(
    session: Session, settings: Settings, f: QueueFilter, *, now: datetime, after: str | None = None
) -> QueueResult:
    """One page of the queue: the ``f.limit`` most urgent posts matching ``f`` (after ``after``), with counts.

    ``after`` is the ``next_after`` of the previous page (``CursorError`` if it is damaged or belongs to
    another kind of view). Which posts match is decided ``now`` (a post resolved meanwhile drops out);
    their order is the one of the first page's time, so nothing is shown twice or skipped while paging:
    time passing, posts arriving, being claimed, snoozed, answered or resolved never shift the later pages.
    The one exception: a post whose anger or reach itself changes meanwhile (a person corrects its flag)
    moves at once, as its old score is not kept, so that walk may show it twice or pass it by.
    """
    cursor = Cursor.parse(after) if after else None
    if cursor is not None and cursor.ranked != f.ranks_by_urgency:
        raise CursorError("the page link belongs to another view: start again from the first page")
    cond = _conditions(f, now)
    targets = {ch.value: settings.response_target_minutes(ch.value) for ch in Channel}
    t = table_of(Post).c
    scores: dict[int, float] = {}
    late = 0
    if f.ranks_by_urgency:
        as_of = cursor.as_of if cursor is not None and cursor.as_of is not None else now
        ranked = select(t.id, _score_sql(targets, as_of).label("score")).where(*cond).subquery()
        page = select(ranked.c.id, ranked.c.score)
        if cursor is not None:
            page = page.where(
                or_(ranked.c.score < cursor.score, and_(ranked.c.score == cursor.score, ranked.c.id > cursor.id))
            )
        found = session.connection().execute(
            page.order_by(ranked.c.score.desc(), ranked.c.id.asc()).limit(f.limit + 1)
        ).all()
        more = len(found) > f.limit
        found = found[: f.limit]
        scores = {int(r[0]): float(r[1]) for r in found}
        ids = list(scores)
        full = select(Post).options(defer(Post.raw)).where(col(Post.id).in_(ids))  # type: ignore[arg-type]
        by_id = {p.id: p for p in session.exec(full).all()} if ids else {}
        posts = [by_id[i] for i in ids if i in by_id]
        total, late = _count(session, cond, targets, now)
        last = found[-1] if found else None
        next_cursor = (
            Cursor(ranked=True, as_of=as_of, score=float(last[1]), id=int(last[0]),
                   start=(cursor.start if cursor else 0) + len(found))
            if more and last is not None
            else None
        )
    else:
        capped = select(Post.id).where(*cond).limit(COUNT_CAP + 1).subquery()
        total = int(session.exec(select(func.count()).select_from(capped)).one())
        query = select(Post).options(defer(Post.raw)).where(*cond)  # type: ignore[arg-type]
        if cursor is not None:
            at = _at(cursor.created_at)  # type: ignore[arg-type]
            query = query.where(  # the <= bound lets the (status, created_at) index start at the cursor
                col(Post.created_at) <= at,
                or_(col(Post.created_at) < at, col(Post.id) < cursor.id),
            )
        found_posts = list(
            session.exec(query.order_by(col(Post.created_at).desc(), col(Post.id).desc()).limit(f.limit + 1)).all()
        )
        more = len(found_posts) > f.limit
        posts = found_posts[: f.limit]
        next_cursor = (
            Cursor(ranked=False, created_at=posts[-1].created_at, id=int(posts[-1].id or 0),
                   start=(cursor.start if cursor else 0) + len(posts))
            if more and posts
            else None
        )
    rows = [queue_row(p, targets, now) for p in posts]
    for row in rows:
        if row.post.id in scores:
            row.urgency = round(scores[row.post.id], 2)  # the score the page was ranked by
    if f.is_whole_backlog:
        open_count, overdue = total, late  # the same query: this view is the "need a reply" backlog
    else:
        open_count, overdue = _open_counts(session, settings, now)
    stamp = f"{total}:{open_count}:{overdue}:" + ",".join(f"{r.post.id}.{r.post.version}.{r.wait_state}" for r in rows)
    return QueueResult(
        rows=rows,
        total=total,
        open_count=open_count,
        overdue_count=overdue,
        filter=f,
        now=now,
        stamp=hashlib.sha1(stamp.encode()).hexdigest()[:16],
        start=cursor.start if cursor else 0,
        next_after=next_cursor.token() if next_cursor else None,
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
