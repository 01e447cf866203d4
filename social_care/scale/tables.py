"""Tables of the scaled-out service (migration ``0007_scale_out``): leases, dead letters, task deliveries.

They exist in every database (the embedded default simply leaves them empty)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text
from sqlmodel import Field, SQLModel

__all__ = ["DeadLetter", "Lease", "TaskDelivery"]


class Lease(SQLModel, table=True):
    """A named lease with an expiry: the scheduler leader (``scheduler``), a stream being polled
    (``poll:x.mentions``), a reply being sent (``reply:42``), the Slack deliverer (``alerts:slack``).
    Its holder renews it while working; a holder that dies loses it when ``expires_at`` passes."""

    __tablename__ = "leases"

    name: str = Field(primary_key=True, max_length=128)
    holder: str = Field(max_length=160)  # host:pid:nonce of the process holding it
    acquired_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))


class DeadLetter(SQLModel, table=True):
    """A task given up on: a poison input, a time limit, retries used up, or a worker dying every time
    it ran. Kept with the reason for a person (``social-care status``), never retried by itself."""

    __tablename__ = "dead_letters"

    id: int | None = Field(default=None, primary_key=True)
    task: str = Field(max_length=128, index=True)
    task_id: str | None = Field(default=None, max_length=64)
    args: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    deliveries: int = 1
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))


class TaskDelivery(SQLModel, table=True):
    """How often a task message was started without finishing (deleted when it finishes): a message that
    kills its worker every time is redelivered (late acknowledgement) and must stop somewhere."""

    __tablename__ = "task_deliveries"

    task_id: str = Field(primary_key=True, max_length=64)
    task: str = Field(max_length=128)
    count: int = 0
    first_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
