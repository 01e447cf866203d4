"""Keyword-only functions over one ``Session``: the code that inserts posts and writes the event log and cursors.

Callers own the transaction (``session_scope``), so a poll's posts and its cursor commit together. A
post's status and version change only in ``social_care.cases``, which writes its log entry here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from ..logging_setup import redact
from ..models import as_utc
from .tables import Cursor, PollRun, Post, Reply, StatusEvent, StreamPause, anger_reach_points, table_of

__all__ = [
    "insert_new_posts",
    "insert_new_rows",
    "NewPost",
    "adopt_polled",
    "get_cursor",
    "set_cursor",
    "record_event",
    "record_events",
    "active_pause",
    "pause_stream",
    "clear_pause",
    "record_run",
]


def insert_new_posts(session: Session, *, posts: Sequence[Post]) -> list[Post]:
    """Insert the posts not stored yet (unique on channel + external_id); return only the new ones.

    Re-delivery of a post (at-least-once polling) is harmless: it is silently dropped here. The new posts'
    first log entries are ``cases.store_new``'s (the caller to use).
    """
    if not posts:
        return []
    by_channel: dict[str, set[str]] = {}
    for post in posts:
        by_channel.setdefault(post.channel, set()).add(post.external_id)
    known: set[tuple[str, str]] = set()
    for channel, ids in by_channel.items():
        for chunk in _chunks(sorted(ids), 500):
            rows = session.exec(
                select(Post.channel, Post.external_id).where(
                    Post.channel == channel, col(Post.external_id).in_(chunk)
                )
            ).all()
            known.update((c, e) for c, e in rows)
    fresh: list[Post] = []
    for post in posts:
        key = (post.channel, post.external_id)
        if key in known:
            continue
        known.add(key)
        session.add(post)
        fresh.append(post)
    session.flush()
    return fresh


@dataclass(frozen=True, slots=True)
class NewPost:
    id: int
    channel: str
    external_id: str
    flagged: bool


def _known(session: Session, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    by_channel: dict[str, set[str]] = {}
    for channel, external_id in keys:
        by_channel.setdefault(channel, set()).add(external_id)
    known: set[tuple[str, str]] = set()
    for channel, ids in by_channel.items():
        for chunk in _chunks(sorted(ids), 500):
            rows = session.exec(
                select(Post.channel, Post.external_id).where(Post.channel == channel, col(Post.external_id).in_(chunk))
            ).all()
            known.update((c, e) for c, e in rows)
    return known


def insert_new_rows(session: Session, *, rows: Sequence[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """``insert_new_posts`` in bulk, for a large batch: the rows (given as column values) not stored yet, in
    one statement; returns each new row's id with the values written. Their arrival events are
    ``cases.store_new_rows``'s (the caller to use), written with :func:`record_events`."""
    known = _known(session, ((r["channel"], r["external_id"]) for r in rows))
    fresh: list[dict[str, Any]] = []
    for row in rows:
        key = (row["channel"], row["external_id"])
        if key in known:
            continue
        known.add(key)
        fresh.append({"followup_enabled": True,
                      "urgency_base": anger_reach_points(row.get("polarity"), row.get("flagged"),
                                                         row.get("author_followers")), **row})
    if not fresh:
        return []
    posts = table_of(Post)
    result = session.connection().execute(insert(posts).returning(posts.c.id, sort_by_parameter_order=True), fresh)
    return list(zip(result.scalars().all(), fresh, strict=True))


WEBHOOK_ONLY_FIELDS = ("thread_key", "permalink", "author_handle", "author_name", "author_followers", "raw")


def adopt_polled(session: Session, *, posts: Sequence[Post]) -> int:
    """A poll found posts already stored: those that came by webhook take the details only the poll can
    know (the conversation id, permalink, the author's name and reach, the platform's own item); text,
    times, reply target, score and status stay. Returns how many rows changed."""
    polled = [p for p in posts if not (p.raw or {}).get("webhook")]
    by_channel: dict[str, dict[str, Post]] = {}
    for post in polled:
        by_channel.setdefault(post.channel, {})[post.external_id] = post
    changed = 0
    for channel, items in by_channel.items():
        for chunk in _chunks(sorted(items), 500):
            for stored in session.exec(select(Post).where(Post.channel == channel,
                                                          col(Post.external_id).in_(chunk))).all():
                if not (stored.raw or {}).get("webhook"):
                    continue
                source = items[stored.external_id]
                for name in WEBHOOK_ONLY_FIELDS:
                    value = getattr(source, name)
                    if value is not None and value != {}:
                        setattr(stored, name, value)
                session.add(stored)
                changed += 1
    return changed


def get_cursor(session: Session, *, stream: str) -> str | None:
    row = session.get(Cursor, stream)
    return row.value if row else None


def set_cursor(session: Session, *, stream: str, value: str, now: datetime) -> None:
    row = session.get(Cursor, stream)
    if row is None:
        session.add(Cursor(stream=stream, value=value, updated_at=now))
    else:
        row.value = value
        row.updated_at = now
        session.add(row)


DETAIL_LIMIT = 1000


def _clip(detail: str | None) -> str | None:
    """An event's detail as stored: secrets masked, cut to ``DETAIL_LIMIT`` characters."""
    if detail is None:
        return None
    detail = redact(detail)
    return detail[: DETAIL_LIMIT - 1] + "…" if len(detail) > DETAIL_LIMIT else detail


def record_event(
    session: Session,
    *,
    post: Post,
    action: str,
    actor: str,
    now: datetime,
    detail: str | None = None,
    reply_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    version: int | None = None,
) -> StatusEvent:
    """The one writer of a post's event log (the audit trail). It changes nothing on the post:
    ``social_care.cases`` moves the post and bumps its version, then calls this with the statuses the
    event carries (``to_status`` only when the event moved the post or is its arrival). ``detail`` is
    masked for secrets and cut to ``DETAIL_LIMIT`` characters."""
    event = StatusEvent(
        post_id=post.id, action=action, from_status=from_status, to_status=to_status, actor=actor, at=now,  # type: ignore[arg-type]
        detail=_clip(detail), reply_id=reply_id, version=post.version if version is None else version,
    )
    session.add(event)
    return event


def record_events(session: Session, *, events: Sequence[dict[str, Any]]) -> None:
    """:func:`record_event` in bulk (a large batch's arrivals), one statement: each event as column values
    (``post_id``, ``action``, ``actor``, ``at``, ``to_status``, ``version``, ``detail``; the rest default to
    None), its ``detail`` masked and cut the same way."""
    if not events:
        return
    rows = [{"from_status": None, "reply_id": None, **e, "detail": _clip(e.get("detail"))} for e in events]
    session.connection().execute(insert(table_of(StatusEvent)), rows)


def active_pause(session: Session, *, stream: str, now: datetime) -> StreamPause | None:
    row = session.get(StreamPause, stream)
    if row is None:
        return None
    if row.until is not None and as_utc(row.until) <= now:
        return None
    return row


def pause_stream(
    session: Session, *, stream: str, until: datetime | None, kind: str, reason: str, now: datetime
) -> None:
    row = session.get(StreamPause, stream)
    if row is None:
        session.add(StreamPause(stream=stream, until=until, kind=kind, reason=reason, since=now))
    else:
        row.until, row.kind, row.reason, row.since = until, kind, reason, now
        session.add(row)


def discard_reply(session: Session, reply: Reply) -> None:
    """Delete an unsent reply (a draft another reply made moot, a follow-up turned off). The event log
    keeps its entries (their detail says what the reply was); only their link to the deleted row goes."""
    for event in session.exec(select(StatusEvent).where(StatusEvent.reply_id == reply.id)).all():
        event.reply_id = None
        session.add(event)
    session.flush()
    session.delete(reply)


def clear_pause(session: Session, *, stream: str) -> None:
    row = session.get(StreamPause, stream)
    if row is not None:
        session.delete(row)


def record_run(session: Session, *, run: PollRun) -> None:
    session.add(run)


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
