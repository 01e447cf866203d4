"""SQLModel tables: the single durable state of social-care (SQLite by default, PostgreSQL by URL).

Schema changes go through Alembic (``social_care/migrations``); never ``create_all`` in product code.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Float, Index, Table, Text, UniqueConstraint, event
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Field, SQLModel

from ..models import Channel, ReplyTarget

__all__ = [
    "Post",
    "anger_reach_points",
    "Reply",
    "StatusEvent",
    "Cursor",
    "StreamPause",
    "PollRun",
    "User",
    "Feedback",
    "PostView",
    "Alert",
    "WebhookState",
    "EarlyRemoval",
    "metadata",
    "table_of",
]

metadata = SQLModel.metadata


def table_of(model: type[SQLModel]) -> Table:
    """The table of a table model, typed (sqlmodel declares no ``__table__``), for Core statements."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table)
    return table


def anger_reach_points(polarity: float | None, flagged: bool | None, followers: int | None) -> float:
    """The time-independent part of a post's queue urgency, 0..60 (the waiting part is added at read time).

    - anger, 40 points: half from how negative the text is (``-polarity``), half from being flagged;
    - reach, 20 points: log10 of the author's followers, full at one million (unknown = 0).
    """
    if polarity is None or math.isnan(polarity):  # a scorer that could not say is not an angry customer
        polarity = 0.0
    negativity = min(max(-polarity, 0.0), 1.0)
    anger = 0.5 * negativity + (0.5 if flagged else 0.0)
    reach = min(math.log10(1 + max(followers or 0, 0)) / 6.0, 1.0)
    return 40.0 * anger + 20.0 * reach


def _base_default(context: Any) -> float:
    """``posts.urgency_base`` for a Core INSERT that did not give one (the ORM sets it in ``_keep_base``)."""
    row = context.get_current_parameters()
    return anger_reach_points(row.get("polarity"), row.get("flagged"), row.get("author_followers"))


def _ts(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index))


class Post(SQLModel, table=True):
    """One customer post (mention, DM, Page comment, Messenger message), stored exactly once."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_posts_channel_external_id"),
        Index("ix_posts_status_created", "status", "created_at"),
        Index("ix_posts_thread", "channel", "thread_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32, index=True)
    external_id: str = Field(max_length=128)
    author_id: str = Field(max_length=128)
    author_handle: str | None = Field(default=None, max_length=255)
    author_name: str | None = Field(default=None, max_length=255)
    author_followers: int | None = None
    customer_key: str = Field(max_length=160, index=True)  # "x:42", "facebook:7012…": one person per platform
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    ingested_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    thread_key: str | None = Field(default=None, max_length=160)
    parent_external_id: str | None = Field(default=None, max_length=128)
    permalink: str | None = Field(default=None, max_length=1000)
    # where a reply goes, captured at ingestion
    reply_channel: str = Field(max_length=32)
    reply_thread_id: str = Field(max_length=160)
    reply_recipient_id: str | None = Field(default=None, max_length=128)
    # score
    scorer: str | None = Field(default=None, max_length=32)
    lang: str | None = Field(default=None, max_length=8, index=True)
    label: str | None = Field(default=None, max_length=16)
    polarity: float | None = None
    flagged: bool = Field(default=False, index=True)
    category: str | None = Field(default=None, max_length=32, index=True)
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # anger_reach_points(polarity, flagged, author_followers), kept in step on every insert and update
    # (``_keep_base``; a Core UPDATE of those columns must set it too): the queue ranks in SQL by this plus
    # the waiting part, so it can page by keyset
    urgency_base: float = Field(
        default=0.0, sa_column=Column(Float, nullable=False, default=_base_default, server_default="0")
    )
    # workflow
    status: str = Field(default="new", max_length=32)
    assignee: str | None = Field(default=None, max_length=64, index=True)
    snoozed_until: datetime | None = _ts()
    first_response_at: datetime | None = _ts()
    resolved_at: datetime | None = _ts()
    version: int = Field(default=1)  # bumped on every change: a send from an older view is refused
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # follow-up after resolution
    followup_enabled: bool = Field(default=True)
    followup_due_at: datetime | None = _ts(index=True)
    followup_sent_at: datetime | None = _ts()
    satisfaction: str | None = Field(default=None, max_length=16)  # "satisfied" | "unsatisfied"
    followup_of_post_id: int | None = Field(default=None, foreign_key="posts.id")  # this post answers a follow-up
    removed_at: datetime | None = _ts()  # the author removed it on the platform (a webhook said so); kept here
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

    @property
    def reply_target(self) -> ReplyTarget:
        """Where a reply to this post goes (stored flat in the ``reply_*`` columns)."""
        return ReplyTarget(Channel(self.reply_channel), self.reply_thread_id, self.reply_recipient_id)

    @staticmethod
    def reply_columns(target: ReplyTarget) -> dict[str, Any]:
        """``target`` as the ``reply_*`` column values of a new post."""
        return {"reply_channel": target.channel.value, "reply_thread_id": target.thread_id,
                "reply_recipient_id": target.recipient_id}


@event.listens_for(Post, "before_insert")
@event.listens_for(Post, "before_update")
def _keep_base(mapper: Any, connection: Any, target: Post) -> None:
    target.urgency_base = anger_reach_points(target.polarity, target.flagged, target.author_followers)


class Reply(SQLModel, table=True):
    """The outbox: draft → approved → sending → sent | failed | needs_human."""

    __tablename__ = "replies"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", index=True)
    kind: str = Field(default="playbook", max_length=16)
    channel: str = Field(max_length=32)
    target_thread_id: str = Field(max_length=160)
    target_recipient_id: str | None = Field(default=None, max_length=128)
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="draft", max_length=16, index=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    author: str | None = Field(default=None, max_length=64)  # who wrote/approved; "autosend", "system" (follow-ups)
    template_id: str | None = Field(default=None, max_length=64)
    external_id: str | None = Field(default=None, max_length=128)  # the platform's id once sent
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = _ts()
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    approved_at: datetime | None = _ts()
    sending_at: datetime | None = _ts()
    sent_at: datetime | None = _ts()

    @property
    def target(self) -> ReplyTarget:
        """Where this reply goes (stored flat in ``channel`` and the ``target_*`` columns)."""
        return ReplyTarget(Channel(self.channel), self.target_thread_id, self.target_recipient_id)

    @classmethod
    def to(cls, target: ReplyTarget, **fields: Any) -> Reply:
        """A new reply addressed to ``target`` (the one place the target is flattened into the columns)."""
        return cls(channel=target.channel.value, target_thread_id=target.thread_id,
                   target_recipient_id=target.recipient_id, **fields)


class StatusEvent(SQLModel, table=True):
    """The one event log of a post (the audit trail): who did what to it, when, and what its status became.

    Every writer goes through ``social_care.cases`` (which calls ``store.repo.record_event``, or
    ``record_events`` for a large webhook batch's arrivals): ingestion and the scorer's flag, drafts,
    approvals, sends (by a person or by autosend), failures, assignments, snoozes, corrections,
    resolutions, follow-ups. The post page, ``social-care audit``, the export, the stale-view refusal
    and the weekly report all read it. ``to_status`` is set only when the event moved the post
    (reports read ``to_status == "resolved"``); ``from_status`` is None on the post's first event.
    """

    __tablename__ = "status_events"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", index=True)
    action: str = Field(default="status", max_length=32, index=True)  # see social_care.audit.ACTIONS
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str | None = Field(default=None, max_length=32)
    actor: str = Field(max_length=64, index=True)  # a user name, "system" or "autosend"
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reply_id: int | None = Field(default=None, foreign_key="replies.id", index=True)
    version: int | None = None  # the post's version after the event


class Cursor(SQLModel, table=True):
    __tablename__ = "cursors"

    stream: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class StreamPause(SQLModel, table=True):
    """A stream is not polled until ``until``: rate limits and fatal errors."""

    __tablename__ = "stream_pauses"

    stream: str = Field(primary_key=True, max_length=64)
    until: datetime | None = _ts()  # None = until a person fixes it (fatal)
    kind: str = Field(max_length=16)  # "rate_limit" | "fatal" | "errors"
    reason: str = Field(sa_column=Column(Text, nullable=False))
    since: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class PollRun(SQLModel, table=True):
    """An audit row per poll: stream, counts, error."""

    __tablename__ = "poll_runs"

    id: int | None = Field(default=None, primary_key=True)
    stream: str = Field(max_length=64, index=True)
    started_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    finished_at: datetime | None = _ts()
    fetched: int = 0
    stored: int = 0
    skipped: int = 0
    outcome: str = Field(default="ok", max_length=16)  # ok | rate_limited | retriable | fatal | paused
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str | None = Field(default=None, max_length=128)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    slack_user_id: str | None = Field(default=None, max_length=32)  # `<@U…>` in Slack pings (user slack)


class Feedback(SQLModel, table=True):
    """A reviewer's correction of the scorer (label, flag or category): new training data."""

    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", index=True)
    field: str = Field(max_length=16)  # "label" | "flagged" | "category"
    old_value: str | None = Field(default=None, max_length=64)
    new_value: str = Field(max_length=64)
    actor: str = Field(max_length=64)
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class PostView(SQLModel, table=True):
    """Who has a post open right now (collision detection across processes)."""

    __tablename__ = "post_views"

    post_id: int = Field(foreign_key="posts.id", primary_key=True)
    username: str = Field(max_length=64, primary_key=True)
    seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Alert(SQLModel, table=True):
    """Slack alert outbox: pending → sent | failed; deduplicated by ``dedupe_key``."""

    __tablename__ = "alerts"

    id: int | None = Field(default=None, primary_key=True)
    # flagged | sla_warning | sla_breach | spike | connector | report | digest
    kind: str = Field(max_length=32, index=True)
    dedupe_key: str = Field(max_length=255, unique=True)
    post_id: int | None = Field(default=None, foreign_key="posts.id", index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = _ts()
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    sent_at: datetime | None = _ts()
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    digest_id: int | None = None  # set when folded into a digest message


class WebhookState(SQLModel, table=True):
    """Per platform ("x", "facebook"): the last accepted signed webhook delivery and the counts of
    accepted, rejected and unknown deliveries. Polling reads it to stretch or restore its interval."""

    __tablename__ = "webhook_state"

    platform: str = Field(primary_key=True, max_length=16)
    last_delivery_at: datetime | None = _ts()
    accepted: int = 0
    rejected: int = 0
    unknown: int = 0  # accepted with nothing we read in it (an unknown object or event kind)
    events: int = 0  # entries read from accepted deliveries
    last_rejected_at: datetime | None = _ts()
    last_rejected_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    broken_alerted_at: datetime | None = _ts()  # the Slack ping that webhooks look broken went for this outage


class EarlyRemoval(SQLModel, table=True):
    """A post its author removed before the store had it (platforms deliver late and out of order): the
    removal is kept here so the post, when it arrives, is stored as removed by its author. ``post_id`` is
    set once it has. Rows are never deleted (they are few, and a record of what the platform said)."""

    __tablename__ = "early_removals"

    channel: str = Field(primary_key=True, max_length=32)
    external_id: str = Field(primary_key=True, max_length=128)
    received_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    post_id: int | None = Field(default=None, foreign_key="posts.id")
