"""The "don't engage" mark as the pipeline reads it: one look-up, no workflow (the pipeline runs under it)."""

from __future__ import annotations

from sqlmodel import Session

from ..store.tables import Post
from .tables import AuthorMark

__all__ = ["blocks_autosend"]


def blocks_autosend(session: Session, post: Post) -> str | None:
    """Why autosend must leave this post to a person (the author is marked), or None."""
    mark = session.get(AuthorMark, post.customer_key)
    return f"don't engage: {mark.reason}" if mark is not None else None
