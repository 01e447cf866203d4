"""What the inbox tools share: loading a post for a change (refusing a stale view) and the team's names."""

from __future__ import annotations

from sqlmodel import Session, select

from ..store.tables import Post, User
from ..workflow import NotFoundError, WorkflowError, _load  # the workflow's one stale-view check

__all__ = ["NotAllowedError", "NotFoundError", "WorkflowError", "active_usernames", "load_post", "require_post"]


class NotAllowedError(WorkflowError):
    """The signed-in team member may not do this (an admin's task); answered with 403."""


def load_post(session: Session, post_id: int, expected_version: int | None) -> Post:
    """The post, or ``NotFoundError``; ``StaleViewError`` when it changed since ``expected_version``."""
    return _load(session, post_id, expected_version)


def require_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFoundError(f"post {post_id} not found")
    return post


def active_usernames(session: Session) -> set[str]:
    return set(session.exec(select(User.username).where(User.is_active == True)).all())  # noqa: E712 - SQL
