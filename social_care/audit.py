"""The audit trail: who did what to which post, and when, read from the one event log (``status_events``).

Written only through ``social_care.cases`` (``store.repo.record_event``); read here for ``social-care audit``, the
post page, the
export and the weekly report's "who answered". An actor is a team member's user name, ``system``
(ingestion, the scorer, follow-ups, the outbox's failures) or ``autosend`` (playbook replies approved
and sent without a person, ``SOCIAL_CARE_AUTOSEND=playbook``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from .models import ReplyKind, as_utc
from .store.tables import Post, Reply, StatusEvent

__all__ = [
    "ACTIONS",
    "AUTOMATIC",
    "AUTOSEND",
    "SYSTEM",
    "AuditFilter",
    "answered_by",
    "event_dict",
    "events_for_posts",
    "parse_since",
    "query",
    "reply_actor",
]

SYSTEM = "system"
AUTOSEND = "autosend"
AUTOMATIC = "automatic"  # the weekly report's name for replies autosend answered
#: Every action the log records, with what it means (``social-care audit --action`` takes these).
ACTIONS: dict[str, str] = {
    "received": "the post was stored (not flagged by the scorer)",
    "flagged": "flagged: by the scorer on arrival or after the customer edited the post, or by a person",
    "unflagged": "a person took the flag off",
    "drafted": "the playbook drafted a reply",
    "edited": "a person saved an edited draft",
    "approved": "a reply was approved for sending (by a person, or by autosend)",
    "sent": "a reply went out on the platform",
    "answered": "an earlier post in the thread was answered by another post's reply",
    "redrafted": "the platform refused a duplicate text; the case reference was added",
    "send_failed": "a reply could not be sent (the reason is in the detail)",
    "needs_human": "a reply needs a person (window closed, no channel, unconfirmed send)",
    "assigned": "assigned to a team member, or unassigned",
    "snoozed": "hidden from the queue until a time",
    "woken": "a snooze ended by a person",
    "corrected": "a person corrected the scorer's sentiment or category",
    "resolved": "resolved",
    "reopened": "back into the queue (by a person, or an unhappy answer to the follow-up)",
    "marked_spam": "marked as spam/troll: no reply",
    "followup_sent": "the follow-up message went out",
    "followup_on": "follow-up turned on for the post",
    "followup_off": "follow-up turned off for the post",
    "customer_edited": "the customer edited the post on the platform (the old text is in the detail)",
    "customer_removed": "the customer removed the post on the platform (it is kept here)",
    "tagged": "a person added tags to the post",
    "untagged": "a person took tags off the post",
    "noted": "a person wrote an internal note (the customer never sees it)",
    "macro_used": "a saved reply was inserted into the draft",
    "author_marked": "the author was marked \"don't engage\" (no autosend, out of the default view)",
    "author_unmarked": "the \"don't engage\" mark was taken off the author",
    "status": "another status change",
}
DEFAULT_LIMIT = 200


def reply_actor(reply: Reply) -> str:
    """Who sent a reply: the person who approved it, ``autosend`` for the playbook, ``system`` for follow-ups."""
    if reply.kind == ReplyKind.FOLLOWUP.value:
        return SYSTEM
    if reply.author in (None, SYSTEM, AUTOSEND):
        return AUTOSEND  # older autosent replies were written with author "system"
    return reply.author


@dataclass(frozen=True)
class AuditFilter:
    post_id: int | None = None
    user: str | None = None
    since: datetime | None = None
    actions: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_params(
        cls,
        *,
        post_id: int | None = None,
        user: str | None = None,
        since: str | None = None,
        action: str | None = None,
        limit: int = DEFAULT_LIMIT,
        now: datetime,
    ) -> AuditFilter:
        """Checked filters; ValueError with a message to show for bad input."""
        actions: tuple[str, ...] = ()
        if action:
            actions = tuple(a.strip().lower() for a in action.split(",") if a.strip())
            unknown = [a for a in actions if a not in ACTIONS]
            if unknown:
                raise ValueError(f"unknown action {', '.join(unknown)}: one of {', '.join(ACTIONS)}")
        if limit < 1:
            raise ValueError("--limit must be 1 or more")
        if post_id is not None and post_id < 1:
            raise ValueError("--post must be a post id (1 or more)")
        user = (user or "").strip() or None
        return cls(post_id=post_id, user=user, since=parse_since(since, now) if since else None,
                   actions=actions, limit=limit)


_RELATIVE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """``2026-11-20``, ``2026-11-20T09:30`` (UTC unless it says otherwise) or ``30m``/``24h``/``7d``/``2w`` ago."""
    m = _RELATIVE.match(text)
    if m:
        return as_utc(now) - timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--since must be a date (2026-11-20), a date and time (2026-11-20T09:30) or an age (24h, 7d), "
            f"got {text!r}"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def query(session: Session, f: AuditFilter) -> list[StatusEvent]:
    """The newest ``f.limit`` events that match, oldest first."""
    stmt = select(StatusEvent)
    if f.post_id is not None:
        stmt = stmt.where(StatusEvent.post_id == f.post_id)
    if f.user is not None:
        stmt = stmt.where(StatusEvent.actor == f.user)
    if f.since is not None:
        stmt = stmt.where(col(StatusEvent.at) >= f.since)
    if f.actions:
        stmt = stmt.where(col(StatusEvent.action).in_(f.actions))
    rows = session.exec(stmt.order_by(col(StatusEvent.at).desc(), col(StatusEvent.id).desc()).limit(f.limit)).all()
    return list(reversed(rows))


def events_for_posts(session: Session, post_ids: list[int]) -> dict[int, list[StatusEvent]]:
    """Every event of these posts, oldest first, by post id (in chunks: any number of posts)."""
    out: dict[int, list[StatusEvent]] = {pid: [] for pid in post_ids}
    for i in range(0, len(post_ids), 500):
        for ev in session.exec(
            select(StatusEvent)
            .where(col(StatusEvent.post_id).in_(post_ids[i : i + 500]))
            .order_by(col(StatusEvent.at), col(StatusEvent.id))
        ):
            out[ev.post_id].append(ev)
    return out


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat().replace("+00:00", "Z") if value is not None else None


def event_dict(ev: StatusEvent, *, with_post: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "at": _iso(ev.at),
        "actor": ev.actor,
        "action": ev.action,
        "from_status": ev.from_status,
        "to_status": ev.to_status,
        "reply_id": ev.reply_id,
        "detail": ev.detail,
    }
    if with_post:
        out = {"id": ev.id, "post_id": ev.post_id, **out}
    return out


def answered_by(session: Session, start: datetime, end: datetime, *, posts: Any = None) -> list[dict[str, Any]]:
    """Replies sent in ``[start, end)`` per sender (follow-ups left out): team members by user name,
    ``automatic`` for autosend; most replies first, then by name. ``posts``: an SQL condition on the
    replies' posts (a tag's report counts only replies to its posts)."""
    query = select(Reply).where(
        Reply.status == "sent", Reply.kind != ReplyKind.FOLLOWUP.value,
        col(Reply.sent_at) >= start, col(Reply.sent_at) < end,
    )
    if posts is not None:
        query = query.join(Post, col(Post.id) == col(Reply.post_id)).where(posts)
    rows = session.exec(query).all()
    counts: dict[str, int] = {}
    for reply in rows:
        who = reply_actor(reply)
        key = AUTOMATIC if who == AUTOSEND else who
        counts[key] = counts.get(key, 0) + 1
    return [{"who": who, "replies": n} for who, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
