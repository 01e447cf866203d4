"""A case's life cycle: the one owner of a post's status and version.

Every change to a post is one call here. ``transition`` moves the post to another status; ``record``
notes a change that keeps the status (an assignment, a snooze, an edited draft). Both bump
``Post.version`` (a view rendered before the change is refused) and write one entry to the post's one
event log through ``store.repo.record_event`` (the page, the audit trail, the weekly report and the
stale-view check all read it). ``MOVES`` is the whole life cycle: a move it does not list raises
``ForbiddenMove`` and changes nothing.

The pipeline, the outbox, the team's operations (``workflow``) and the follow-up job call these
functions; nothing else assigns ``Post.status`` or ``Post.version`` (a test walks the code to keep it so).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from .errors import SocialCareError
from .models import PostStatus
from .store import repo
from .store.tables import Post, StatusEvent

__all__ = [
    "MOVES",
    "ForbiddenMove",
    "allowed",
    "arrived",
    "initial_status",
    "life_cycle_table",
    "record",
    "store_new",
    "store_new_rows",
    "transition",
]

S = PostStatus
_EVERY = frozenset(S)

#: From-status → the statuses a post may move to from it (``None``: a post's arrival). Why each move
#: exists: flagged ↔ new by a person's (un)flag; → awaiting_approval when a reply is drafted or approved;
#: → sent when a reply went out (also for earlier posts of the thread it answered, and whatever happened to
#: the post meanwhile: the customer has the reply); → resolved and → spam by a person; a closed post back
#: to flagged or new when reopened (by a person, or by an unhappy answer to the follow-up).
MOVES: dict[PostStatus | None, frozenset[PostStatus]] = {
    None: frozenset({S.NEW, S.FLAGGED}),
    S.NEW: frozenset({S.FLAGGED, S.AWAITING_APPROVAL, S.SENT, S.RESOLVED, S.SPAM}),
    S.FLAGGED: frozenset({S.NEW, S.AWAITING_APPROVAL, S.SENT, S.RESOLVED, S.SPAM}),
    S.AWAITING_APPROVAL: frozenset({S.FLAGGED, S.SENT, S.RESOLVED, S.SPAM}),
    S.SENT: frozenset({S.NEW, S.FLAGGED, S.AWAITING_APPROVAL, S.RESOLVED, S.SPAM}),
    S.AWAITING_CUSTOMER: frozenset({S.NEW, S.FLAGGED, S.AWAITING_APPROVAL, S.SENT, S.RESOLVED, S.SPAM}),
    S.RESOLVED: frozenset({S.NEW, S.FLAGGED, S.AWAITING_APPROVAL, S.SENT, S.SPAM}),
    S.SPAM: frozenset({S.NEW, S.FLAGGED, S.SENT, S.RESOLVED}),
}
assert set(MOVES) == {None, *_EVERY}, "every status has a row"
assert all(to in _EVERY and to != frm for frm, tos in MOVES.items() for to in tos), "moves go somewhere else"


class ForbiddenMove(SocialCareError):
    """A status change the life cycle does not allow (a programming error, or a caller's bad input)."""

    def __init__(self, post_id: int | None, frm: str | None, to: str) -> None:
        allowed_now = ", ".join(sorted(MOVES.get(_status(frm), ()))) or "nothing"
        super().__init__(f"post {post_id} cannot move from {frm or 'nothing'} to {to} (from {frm} only to: "
                         f"{allowed_now})")
        self.post_id, self.from_status, self.to_status = post_id, frm, to


def _status(value: str | None) -> PostStatus | None:
    return None if value is None else PostStatus(value)


def allowed(frm: str | None, to: str) -> bool:
    """Whether the life cycle lets a post in status ``frm`` (None: not stored yet) move to ``to``."""
    try:
        return PostStatus(to) in MOVES[_status(frm)]
    except (KeyError, ValueError):
        return False


def initial_status(flagged: bool) -> str:
    """A new post's status: flagged when the scorer flagged it, else new."""
    return (S.FLAGGED if flagged else S.NEW).value


def store_new(session: Session, posts: Sequence[Post]) -> list[Post]:
    """Insert the posts not stored yet (``repo.insert_new_posts``) and log each new one's arrival."""
    fresh = repo.insert_new_posts(session, posts=posts)
    for post in fresh:
        arrived(session, post)
    return fresh


def store_new_rows(session: Session, rows: Sequence[dict[str, Any]]) -> list[repo.NewPost]:
    """:func:`store_new` in bulk, for a large batch given as column values (a few statements in all): the rows
    not stored yet are inserted at version 1 (``repo.insert_new_rows``), each with the same arrival event
    :func:`arrived` writes (``repo.record_events``). A row whose status is no arrival (``MOVES[None]``) raises
    ``ForbiddenMove`` before anything is written. Returns the new posts' ids, keys and flags."""
    for row in rows:
        _may_arrive(None, row["status"])
    fresh = repo.insert_new_rows(session, rows=[{**row, "version": 1} for row in rows])
    events = []
    for pid, row in fresh:
        action, detail = _arrival(bool(row["flagged"]), row.get("reasons"), row["scorer"])
        events.append({"post_id": pid, "action": action, "to_status": row["status"], "actor": "system",
                       "at": row["ingested_at"], "detail": detail, "version": row["version"]})
    repo.record_events(session, events=events)
    return [repo.NewPost(pid, row["channel"], row["external_id"], bool(row["flagged"])) for pid, row in fresh]


def _may_arrive(post_id: int | None, status: str) -> None:
    if not allowed(None, status):
        raise ForbiddenMove(post_id, None, status)


def _arrival(flagged: bool, reasons: Sequence[str] | None, scorer: str | None) -> tuple[str, str | None]:
    """A new post's first log entry, as (action, detail): ``flagged`` with the scorer's reasons, or
    ``received``."""
    if not flagged:
        return "received", None
    why = "; ".join(reasons or [])
    return "flagged", f"by the scorer ({scorer})" + (f": {why}" if why else "")


def arrived(session: Session, post: Post) -> StatusEvent:
    """The first entry of a stored post's log: ``flagged`` (with the scorer's reasons) or ``received``."""
    _may_arrive(post.id, post.status)
    action, detail = _arrival(post.flagged, post.reasons, post.scorer)
    return repo.record_event(session, post=post, action=action, actor="system", now=post.ingested_at,
                             detail=detail, to_status=post.status, version=post.version)


def transition(
    session: Session,
    post: Post,
    to: str,
    *,
    actor: str,
    now: datetime,
    action: str,
    note: str | None = None,
    reply_id: int | None = None,
) -> StatusEvent:
    """Move ``post`` to status ``to`` (allowed by ``MOVES``, else ``ForbiddenMove``), bump its version and
    log the event. A post already in ``to`` is not moved; the event is still logged (an approval of a
    post that already awaits one)."""
    to = PostStatus(to).value
    if post.status == to:
        return record(session, post, action, actor=actor, now=now, note=note, reply_id=reply_id)
    if not allowed(post.status, to):
        raise ForbiddenMove(post.id, post.status, to)
    frm = post.status
    post.status = to
    if to == S.RESOLVED.value:
        post.resolved_at = now
    _bump(session, post, now)
    return repo.record_event(session, post=post, action=action, actor=actor, now=now, detail=note,
                             reply_id=reply_id, from_status=frm, to_status=to, version=post.version)


def record(
    session: Session,
    post: Post,
    action: str,
    *,
    actor: str,
    now: datetime,
    note: str | None = None,
    reply_id: int | None = None,
    bump: bool = True,
) -> StatusEvent:
    """Log a change that keeps the post's status; ``bump`` (the default) makes it a new version of the post.
    ``bump=False`` is for what a person's open view need not be refused for (a redraft by the outbox, a
    follow-up sent)."""
    if bump:
        _bump(session, post, now)
    return repo.record_event(session, post=post, action=action, actor=actor, now=now, detail=note,
                             reply_id=reply_id, version=post.version)


def _bump(session: Session, post: Post, now: datetime) -> None:
    post.version += 1
    post.updated_at = now
    session.add(post)


def life_cycle_table() -> str:
    """``MOVES`` as a Markdown table (``docs/architecture.md`` holds this text; a test keeps them equal)."""
    order = [None, *S]
    lines = ["| from | may move to |", "|---|---|"]
    for frm in order:
        tos = [s.value for s in S if s in MOVES[frm]]
        lines.append(f"| {frm.value if frm else '(arrival)'} | {', '.join(tos) or '—'} |")
    return "\n".join(lines)
