"""Internal notes on a post, with ``@name`` mentions.

A note is for the team only: it is stored beside the post, shown in the conversation in its own style and
never sent to the customer (no reply row is ever made from it). ``@ana`` naming an active team member pings
her in Slack (a ``mention`` alert in the alert outbox: Block Kit, with a link to the post; as ``<@U…>`` when her
Slack user id is on record, ``social-care user slack ana U…``) and puts a badge
on the post in her queue until she opens it. Writing a note is a ``noted`` event in the audit trail; it does
not make anyone's open view of the post stale (``bump=False``): a note changes nothing a reply depends on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, func
from sqlmodel import Session, col, select

from .. import cases
from ..alerts import enqueue
from ..alerts.blocks import slack_user_id
from ..models import as_utc
from ..store.tables import Post
from .common import WorkflowError, active_usernames, require_post
from .tables import Note, NoteMention

if TYPE_CHECKING:
    from ..app import App

__all__ = ["MAX_NOTE", "NoteResult", "add_note", "mark_seen", "mention_condition", "mentioned_posts",
           "mentions_in", "note_dict", "notes_for", "set_slack_id", "unseen_mention_count"]

MAX_NOTE = 4_000
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,63})")


@dataclass
class NoteResult:
    note: Note
    mentioned: list[str] = field(default_factory=list)  # team members pinged (never the note's own author)
    unknown: list[str] = field(default_factory=list)  # @names that are no active team member


def mentions_in(text: str) -> list[str]:
    """The ``@names`` in a note, each once, in order (a trailing dot is punctuation, not part of the name)."""
    return list(dict.fromkeys(m.group(1).rstrip(".-") for m in _MENTION.finditer(text or "")))


def add_note(app: App, post_id: int, *, text: str, actor: str) -> NoteResult:
    text = (text or "").strip()
    if not text:
        raise WorkflowError("the note is empty")
    if len(text) > MAX_NOTE:
        raise WorkflowError(f"a note is at most {MAX_NOTE:,} characters")
    now = app.now()
    with app.session() as s:
        post = require_post(s, post_id)
        note = Note(post_id=post_id, author=actor, text=text, created_at=now)
        s.add(note)
        s.flush()
        assert note.id is not None  # given by the flush
        team = active_usernames(s)
        lowered = {u.lower(): u for u in team}
        names = mentions_in(text)
        mentioned = [lowered[n.lower()] for n in names if n.lower() in lowered and lowered[n.lower()] != actor]
        unknown = [n for n in names if n.lower() not in lowered]
        mentioned = list(dict.fromkeys(mentioned))
        for username in mentioned:
            s.add(NoteMention(note_id=note.id, post_id=post_id, username=username, created_at=now))
            enqueue(s, kind="mention", dedupe_key=f"mention:{note.id}:{username}", now=now, post_id=post_id,
                    payload={"note_id": note.id, "username": username, "by": actor, "text": text[:1500]})
        detail = f"note {note.id}" + (f", mentions {', '.join('@' + u for u in mentioned)}" if mentioned else "")
        cases.record(s, post, "noted", actor=actor, now=now, note=detail, bump=False)
        s.flush()
        s.expunge(note)
        return NoteResult(note=note, mentioned=mentioned, unknown=unknown)


def set_slack_id(app: App, username: str, slack_id: str | None) -> bool:
    """Record a team member's Slack user id (``U…``/``W…``, from their Slack profile: "Copy member ID"), so
    a note's @-mention pings them as ``<@U…>``; None forgets it. Returns whether anything changed."""
    from ..workflow import _require_user

    member = None
    if slack_id is not None:
        member = slack_user_id(slack_id)
        if member is None:
            raise WorkflowError(f"{slack_id.strip()[:40]!r} is not a Slack member id (U or W, then capitals and "
                                "digits, e.g. U024BE7LH: Slack profile → ⋮ → Copy member ID)")
    with app.session() as s:
        user = _require_user(s, username)
        if user.slack_user_id == member:
            return False
        user.slack_user_id = member
        s.add(user)
        return True


def notes_for(session: Session, post_id: int) -> list[Note]:
    return list(session.exec(select(Note).where(Note.post_id == post_id).order_by(col(Note.created_at),
                                                                                     col(Note.id))).all())


def note_dict(note: Note) -> dict[str, Any]:
    return {"id": note.id, "post_id": note.post_id, "author": note.author, "text": note.text,
            "created_at": as_utc(note.created_at).isoformat(), "mentions": mentions_in(note.text)}


def mark_seen(app: App, post_id: int, *, username: str) -> int:
    """``username`` opened the post: their badges for it go; returns how many mentions were unseen."""
    now = app.now()
    with app.session() as s:
        rows = s.exec(select(NoteMention).where(NoteMention.post_id == post_id, NoteMention.username == username,
                                                col(NoteMention.seen_at).is_(None))).all()
        for row in rows:
            row.seen_at = now
            s.add(row)
        return len(rows)


def mentioned_posts(session: Session, username: str, post_ids: Sequence[int]) -> set[int]:
    """Which of ``post_ids`` mention ``username`` in a note they have not seen yet."""
    ids = [i for i in post_ids if i is not None]
    if not ids:
        return set()
    return set(session.exec(select(NoteMention.post_id).where(
        NoteMention.username == username, col(NoteMention.seen_at).is_(None), col(NoteMention.post_id).in_(ids)
    )).all())


def unseen_mention_count(session: Session, username: str) -> int:
    """Posts with a note mentioning ``username`` that they have not opened since (the nav badge)."""
    return int(session.exec(select(func.count(func.distinct(NoteMention.post_id))).where(
        NoteMention.username == username, col(NoteMention.seen_at).is_(None))).one())


def mention_condition(username: str) -> Any:
    """SQL: the post has a note mentioning ``username`` that they have not seen yet."""
    return exists().where(and_(col(NoteMention.post_id) == col(Post.id), col(NoteMention.username) == username,
                               col(NoteMention.seen_at).is_(None)))


def latest_at(notes: Sequence[Note]) -> datetime | None:
    return max((as_utc(n.created_at) for n in notes), default=None)
