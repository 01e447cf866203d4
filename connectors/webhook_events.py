"""What a signed webhook delivery says, platform-neutral: new posts (the pollers' ``Mention``), edits and
removals by their authors, and what was left out (the brand's own posts, echoes, kinds we do not read)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from social_care.errors import SkippableError
from social_care.models import Channel, Mention

__all__ = ["Edit", "Removal", "WebhookEvents", "epoch_time", "WebhookPayloadError"]
log = logging.getLogger(__name__)


class WebhookPayloadError(ValueError):
    """The delivery is not the shape the platform documents (refused with a 400, nothing stored)."""


@dataclass(frozen=True, slots=True)
class Edit:
    """The author changed a post's text; ``mention`` is the post as it now reads (stored if not yet)."""

    mention: Mention


@dataclass(frozen=True, slots=True)
class Removal:
    """The author removed a post on the platform."""

    channel: Channel
    external_id: str
    at: datetime | None = None


@dataclass
class WebhookEvents:
    mentions: list[Mention] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    entries: int = 0  # entries (changes, messages, events) read in the delivery
    dropped: int = 0  # the brand's own posts, echoes, tweets that do not mention the brand
    unknown: list[str] = field(default_factory=list)  # objects and event kinds not read (acknowledged)
    skipped: list[str] = field(default_factory=list)  # malformed entries (the rest of the delivery goes on)
    source: str | None = None  # whose deliveries these are when not the endpoint's platform ("instagram")

    def skip(self, platform: str, item: object, reason: str) -> None:
        item_id = item.get("id") if isinstance(item, dict) else None
        message = f"webhooks.{platform}: skipped entry {item_id!r}: {reason}"
        log.warning(message)
        self.skipped.append(message)


def epoch_time(value: object, *, millis: bool, whole_seconds: bool = False) -> datetime:
    """An epoch timestamp (number or digits; milliseconds when ``millis``) → aware UTC.

    ``whole_seconds`` drops the milliseconds, as the Graph API's own ``created_time`` does, so a post
    read by webhook carries the same time as when it is polled."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SkippableError(f"missing or invalid timestamp {value!r}")
    try:
        if isinstance(value, float):
            ms = round(value * (1 if millis else 1000))
        else:
            ms = int(value) * (1 if millis else 1000)
    except (ValueError, OverflowError):
        raise SkippableError(f"unreadable timestamp {value!r}") from None
    if whole_seconds:
        ms -= ms % 1000
    try:
        return datetime.fromtimestamp(ms // 1000, UTC) + timedelta(milliseconds=ms % 1000)
    except (OverflowError, OSError, ValueError):
        raise SkippableError(f"timestamp out of range {value!r}") from None
