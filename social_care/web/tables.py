"""Tables of the web app beside the core schema: ``web_sessions`` and ``login_failures`` (migration
``0003_web_sessions``). The post activity log of migration 0002 is now the one event log, ``status_events``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

__all__ = ["LoginFailure", "WebSession"]


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
    # sign_out | password | disabled | new_sign_in | idle | expired
    revoked_reason: str | None = Field(default=None, max_length=32)


class LoginFailure(SQLModel, table=True):
    """A failed sign-in: counted per account and per client address for throttling (never the password)."""

    __tablename__ = "login_failures"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)  # as typed, lower-cased and clipped
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
