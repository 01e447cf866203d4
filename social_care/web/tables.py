"""Tables of the queue (issue 4), beside the core schema; created by migration ``0002_queue``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Text
from sqlmodel import Field, SQLModel

__all__ = ["PostActivity"]


class PostActivity(SQLModel, table=True):
    """Who did what to a post, and when: assignments, snoozes, draft edits, corrections, status changes.

    Status changes are also in ``status_events`` (the reports read those); this log lets a refused
    send say who changed the post ("Jane changed this post at 10:42") and feeds the post page.
    """

    __tablename__ = "post_activity"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", index=True)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32)  # assign | snooze | edit_draft | approve | correct:<field> | status:<to>
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    version: int  # the post's version after the change
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
