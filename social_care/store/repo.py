"""Keyword-only functions over one ``Session``: the code that inserts posts and writes the event log and cursors.

Callers own the transaction (``session_scope``), so a poll's posts and its cursor commit together. A
post's status and version change only in ``social_care.cases``, which writes its log entry here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from ..logging_setup import redact
from ..models import as_utc
from .tables import Cursor, PollRun, Post, Reply, StatusEvent, StreamPause

__all__ = [
    "insert_new_posts",
    "get_cursor",
    "set_cursor",
    "record_event",
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
    if detail is not None:
        detail = redact(detail)
        if len(detail) > DETAIL_LIMIT:
            detail = detail[: DETAIL_LIMIT - 1] + "…"
    event = StatusEvent(
        post_id=post.id, action=action, from_status=from_status, to_status=to_status, actor=actor, at=now,  # type: ignore[arg-type]
        detail=detail, reply_id=reply_id, version=post.version if version is None else version,
    )
    session.add(event)
    return event


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
