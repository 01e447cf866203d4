""""Don't engage": a mark on an author (one customer per platform, ``Post.customer_key``) plainly out to
exploit the brand, with the reason.

Their posts, those already stored and every future one, stay out of autosend (a draft waits for a person)
and out of the queue's default view (``muted=1`` lists them; every other view shows them with the mark).
Nothing is hidden or deleted on the platform: no code path calls a hide or delete endpoint. Marking and
unmarking are events in the audit trail of the post it was done from (``author_marked`` /
``author_unmarked``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, not_
from sqlmodel import Session, col, select

from .. import cases
from ..models import as_utc
from ..store.tables import Post
from .common import WorkflowError, load_post
from .marks import blocks_autosend
from .tables import AuthorMark

if TYPE_CHECKING:
    from ..app import App

__all__ = ["MAX_REASON", "blocks_autosend", "mark_author", "mark_dict", "mark_of", "marks_for", "muted_condition",
           "unmark_author"]

MAX_REASON = 500


def mark_of(session: Session, customer_key: str) -> AuthorMark | None:
    return session.get(AuthorMark, customer_key)


def marks_for(session: Session, customer_keys: Sequence[str]) -> dict[str, AuthorMark]:
    keys = list(dict.fromkeys(k for k in customer_keys if k))
    if not keys:
        return {}
    return {m.customer_key: m for m in session.exec(select(AuthorMark).where(col(AuthorMark.customer_key).in_(keys)))}


def mark_dict(mark: AuthorMark | None) -> dict[str, Any] | None:
    if mark is None:
        return None
    return {"customer_key": mark.customer_key, "reason": mark.reason, "by": mark.actor,
            "at": as_utc(mark.at).isoformat()}


def muted_condition(muted: bool) -> Any:
    """SQL: the post's author is marked "don't engage" (``muted=True``) or is not."""
    marked = exists().where(col(AuthorMark.customer_key) == col(Post.customer_key))
    return marked if muted else not_(marked)


def mark_author(app: App, post_id: int, *, reason: str, actor: str, expected_version: int | None) -> AuthorMark:
    """Mark the author of ``post_id`` "don't engage" (a new reason replaces the old one)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise WorkflowError("say why not to engage with this author")
    if len(reason) > MAX_REASON:
        raise WorkflowError(f"the reason is at most {MAX_REASON} characters")
    now = app.now()
    with app.session() as s:
        post = load_post(s, post_id, expected_version)
        mark = s.get(AuthorMark, post.customer_key)
        if mark is None:
            mark = AuthorMark(customer_key=post.customer_key, reason=reason, actor=actor, at=now)
        mark.reason, mark.actor, mark.at = reason, actor, now
        s.add(mark)
        cases.record(s, post, "author_marked", actor=actor, now=now,
                     note=f"don't engage with {post.customer_key}: {reason}")
        s.flush()
        s.expunge(mark)
        return mark


def unmark_author(app: App, post_id: int, *, actor: str, expected_version: int | None) -> Post:
    now = app.now()
    with app.session() as s:
        post = load_post(s, post_id, expected_version)
        mark = s.get(AuthorMark, post.customer_key)
        if mark is None:
            raise WorkflowError("this author is not marked \"don't engage\"")
        s.delete(mark)
        cases.record(s, post, "author_unmarked", actor=actor, now=now,
                     note=f"engage again with {post.customer_key}")
        return post


