"""Values that cross every boundary: channels, reply targets, normalized inbound posts, statuses.

Platform payloads die inside ``connectors/``; everything past a connector sees only these types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

__all__ = [
    "Channel",
    "ReplyTarget",
    "Mention",
    "Delivery",
    "PostStatus",
    "ReplyStatus",
    "ReplyKind",
    "OPEN_STATUSES",
    "CATEGORIES",
    "LABELS",
    "PUBLIC_CHANNELS",
    "PERSON_APPROVES",
    "utcnow",
    "as_utc",
]


class Channel(StrEnum):
    """The only channel names, used in the store, exports, the UI and reports."""

    X_MENTION = "x.mention"
    X_DM = "x.dm"
    FACEBOOK_COMMENT = "facebook.comment"
    MESSENGER = "facebook.messenger"
    INSTAGRAM_COMMENT = "instagram.comment"
    INSTAGRAM_DM = "instagram.dm"
    X_SEARCH = "x.search"  # a post that names the brand without tagging it: the customer did not ask us

    @property
    def is_public(self) -> bool:
        return self in PUBLIC_CHANNELS

    @property
    def platform(self) -> str:
        return self.value.split(".", 1)[0]

    @property
    def label(self) -> str:
        return _CHANNEL_LABELS[self]

    @property
    def reply_limit(self) -> int:
        """The most characters one reply on this channel may have."""
        return _REPLY_LIMITS[self]

    @property
    def reply_window(self) -> timedelta | None:
        """How long after the customer's last message a reply may still be sent (None: no limit)."""
        return _REPLY_WINDOWS.get(self)

    @property
    def platform_label(self) -> str:
        """The platform's display name ("X", "Facebook", "Instagram")."""
        return _PLATFORM_LABELS[self.platform]

    @property
    def handle_prefix(self) -> str:
        """What a handle is written with on this platform ("@" on X and Instagram, nothing on Facebook)."""
        return "@" if self.platform in _AT_HANDLES else ""

    def post_url(self, *, handle: str | None, external_id: str) -> str | None:
        """A post's address built from its id, where the platform has one (X), else None."""
        template = _POST_URLS.get(self)
        return template.format(handle=(handle or "").lstrip("@") or "i/web", id=external_id) if template else None

    @property
    def person_approves(self) -> bool:
        """Whether every reply on this channel needs a person's approval (autosend never sends it)."""
        return self in PERSON_APPROVES

    @property
    def template_kind(self) -> str:
        """Which playbook section drafts replies here: ``public``, ``private``, or ``unsolicited`` (a
        public reply to someone who did not address the brand)."""
        if self in PERSON_APPROVES:
            return "unsolicited"
        return "public" if self.is_public else "private"


_CHANNEL_LABELS = {
    Channel.X_MENTION: "X mention",
    Channel.X_DM: "X DM",
    Channel.FACEBOOK_COMMENT: "Facebook comment",
    Channel.MESSENGER: "Messenger",
    Channel.INSTAGRAM_COMMENT: "Instagram comment",
    Channel.INSTAGRAM_DM: "Instagram DM",
    Channel.X_SEARCH: "X post (not tagged)",
}
_PLATFORM_LABELS = {"x": "X", "facebook": "Facebook", "instagram": "Instagram"}
_AT_HANDLES = frozenset({"x", "instagram"})
_POST_URLS = {Channel.X_MENTION: "https://x.com/{handle}/status/{id}",
              Channel.X_SEARCH: "https://x.com/{handle}/status/{id}"}
PUBLIC_CHANNELS = frozenset({Channel.X_MENTION, Channel.FACEBOOK_COMMENT, Channel.INSTAGRAM_COMMENT,
                             Channel.X_SEARCH})
# the customer did not address the brand: a person approves every reply
PERSON_APPROVES = frozenset({Channel.X_SEARCH})
# X: 280 per post, 10,000 per DM; Graph: comments 8,000; Messenger text under 2,000;
# Instagram: comments 2,200, DMs 1,000
_REPLY_LIMITS = {Channel.X_MENTION: 280, Channel.X_DM: 10_000, Channel.FACEBOOK_COMMENT: 8_000,
                 Channel.MESSENGER: 2_000, Channel.INSTAGRAM_COMMENT: 2_200, Channel.INSTAGRAM_DM: 1_000,
                 Channel.X_SEARCH: 280}
# Meta's standard messaging window (RESPONSE) for Messenger and Instagram; later only a person may answer
# (HUMAN_AGENT tag)
_REPLY_WINDOWS = {Channel.MESSENGER: timedelta(hours=24), Channel.INSTAGRAM_DM: timedelta(hours=24)}


#: A post's sentiment label and issue category: the scorer sets them, a reviewer corrects them, the playbook
#: has a template per category and the reports count them. Listed here once.
LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
CATEGORIES: tuple[str, ...] = ("delivery", "refund", "damaged", "customer_service", "account", "other")


class PostStatus(StrEnum):
    NEW = "new"
    FLAGGED = "flagged"
    AWAITING_APPROVAL = "awaiting_approval"
    SENT = "sent"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESOLVED = "resolved"
    SPAM = "spam"


OPEN_STATUSES = frozenset(
    {PostStatus.NEW, PostStatus.FLAGGED, PostStatus.AWAITING_APPROVAL}
)


class ReplyStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    NEEDS_HUMAN = "needs_human"  # could not be sent automatically (e.g. outside Messenger's 24 h window)


class ReplyKind(StrEnum):
    PLAYBOOK = "playbook"
    MANUAL = "manual"
    FOLLOWUP = "followup"


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """Where a reply to a post must go; fixed when the post is ingested.

    thread_id: the tweet id (x.mention, x.search), the DM conversation id (x.dm), the comment id
    (facebook.comment; the top-level comment for instagram.comment) or the customer's page- or
    Instagram-scoped id (facebook.messenger, instagram.dm).
    """

    channel: Channel
    thread_id: str
    recipient_id: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """One normalized inbound customer post, from any channel."""

    channel: Channel
    external_id: str
    author_id: str
    text: str
    created_at: datetime
    reply_to: ReplyTarget
    author_handle: str | None = None
    author_name: str | None = None
    author_followers: int | None = None
    thread_key: str | None = None  # groups a conversation: tweet conversation, DM conversation, FB post, PSID
    parent_external_id: str | None = None
    permalink: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def customer_key(self) -> str:
        """Same person across the channels of one platform (an X user's mentions and DMs)."""
        return f"{self.channel.platform}:{self.author_id}"


@dataclass(frozen=True, slots=True)
class Delivery:
    """What the platform answered when a reply was sent."""

    external_id: str
    sent_at: datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Aware UTC datetime; naive values (as SQLite returns them) are taken to be UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
