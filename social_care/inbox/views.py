"""Read models of the inbox tools for the queue rows and the post (page, API and CLI alike)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from ..store.tables import Post
from .authors import mark_dict, mark_of, marks_for
from .notes import mentioned_posts, note_dict, notes_for
from .tags import tags_for

__all__ = ["post_extras", "row_extras"]


def row_extras(session: Session, posts: Sequence[Post], username: str | None = None) -> dict[int, dict[str, Any]]:
    """Per post id: its tags, whether ``username`` has an unseen mention on it, whether its author is marked
    "don't engage"."""
    ids = [p.id for p in posts if p.id is not None]
    tags = tags_for(session, ids)
    mentioned = mentioned_posts(session, username, ids) if username else set()
    marks = marks_for(session, [p.customer_key for p in posts])
    return {
        pid: {"tags": tags.get(pid, []), "mentioned": pid in mentioned, "dont_engage": p.customer_key in marks}
        for p in posts
        if (pid := p.id) is not None
    }


def post_extras(session: Session, post: Post) -> dict[str, Any]:
    assert post.id is not None  # read from the store
    return {
        "tags": tags_for(session, [post.id]).get(post.id, []),
        "notes": [note_dict(n) for n in notes_for(session, post.id)],
        "author_mark": mark_dict(mark_of(session, post.customer_key)),
    }
