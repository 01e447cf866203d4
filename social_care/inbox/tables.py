"""Tables of the inbox tools (migration ``0009``): tags, notes and their mentions, saved replies and their
uses, authors not to engage with, and who may edit the saved replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = ["AuthorMark", "Macro", "MacroUse", "Note", "NoteMention", "PostTag", "TeamAdmin"]


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index))


class PostTag(SQLModel, table=True):
    """A free tag on a post (``vip``, ``refund-approved``, ``order-1234``); not a scoring category."""

    __tablename__ = "post_tags"
    __table_args__ = (Index("ix_post_tags_tag_post", "tag", "post_id"),)

    post_id: int = Field(foreign_key="posts.id", primary_key=True)
    tag: str = Field(max_length=48, primary_key=True)
    actor: str = Field(max_length=64)
    at: datetime = _ts()


class Note(SQLModel, table=True):
    """An internal note on a post: the team sees it, the customer never does (it is never sent)."""

    __tablename__ = "post_notes"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", index=True)
    author: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _ts()


class NoteMention(SQLModel, table=True):
    """``@name`` in a note: the named team member is pinged in Slack and sees a badge until they open the post."""

    __tablename__ = "note_mentions"
    __table_args__ = (
        UniqueConstraint("note_id", "username", name="uq_note_mentions_note_user"),
        Index("ix_note_mentions_user_seen", "username", "seen_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="post_notes.id", index=True)
    post_id: int = Field(foreign_key="posts.id", index=True)
    username: str = Field(max_length=64)
    created_at: datetime = _ts()
    seen_at: datetime | None = _ts(nullable=True)


class Macro(SQLModel, table=True):
    """A saved reply: a text with placeholders, for one language and channel (None: any)."""

    __tablename__ = "macros"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    lang: str | None = Field(default=None, max_length=8, index=True)
    channel: str | None = Field(default=None, max_length=32, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    uses: int = Field(default=0)
    created_by: str = Field(max_length=64)
    updated_by: str = Field(max_length=64)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class MacroUse(SQLModel, table=True):
    """One insertion of a saved reply into a post's draft (the weekly report counts them)."""

    __tablename__ = "macro_uses"

    id: int | None = Field(default=None, primary_key=True)
    macro_id: int = Field(foreign_key="macros.id", index=True)
    post_id: int = Field(foreign_key="posts.id", index=True)
    actor: str = Field(max_length=64)
    at: datetime = _ts(index=True)


class AuthorMark(SQLModel, table=True):
    """"Don't engage": an author plainly out to exploit the brand. Their posts stay out of autosend and the
    default queue view; nothing is hidden or deleted on the platform."""

    __tablename__ = "author_marks"

    customer_key: str = Field(max_length=160, primary_key=True)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(max_length=64)
    at: datetime = _ts()


class TeamAdmin(SQLModel, table=True):
    """A team member who may edit the saved replies (``social-care user admin NAME``)."""

    __tablename__ = "team_admins"

    username: str = Field(max_length=64, primary_key=True)
    since: datetime = _ts()
