"""Tables of the queue (issue 4), beside the core schema: ``post_activity`` (migration ``0002_queue``);
``web_sessions`` and ``login_failures`` (migration ``0003_web_sessions``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Text
from sqlmodel import Field, SQLModel

__all__ = ["LoginFailure", "PostActivity", "WebSession"]


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


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random id; only its SHA-256 is stored, so a copy of the
    database cannot be replayed as a cookie. A session ends when revoked (sign-out, password change,
    ``user disable``), after ``IDLE_TIMEOUT`` without a request, or at ``expires_at`` (absolute)."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    username: str = Field(max_length=64, index=True)
    csrf: str = Field(max_length=64)  # the session's CSRF token (it is in every page the session sees)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    revoked_reason: str | None = Field(default=None, max_length=32)  # sign_out | password | disabled | new_sign_in | idle | expired


class LoginFailure(SQLModel, table=True):
    """A failed sign-in: counted per account and per client address for throttling (never the password)."""

    __tablename__ = "login_failures"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)  # as typed, lower-cased and clipped
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
