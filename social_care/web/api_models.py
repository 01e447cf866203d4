"""What the JSON API answers, as declared in ``/api/openapi.json``: every body and every error status.

The models mirror ``QueueRow.as_dict``, ``post_dict`` and ``reply_dict``; FastAPI validates each answer
against them, so a field that changes type is a failing test, not a silent surprise for a script. They
allow extra fields, so a field added to those dicts appears in the answer before it is declared here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ApproveOut",
    "ErrorOut",
    "Me",
    "PostId",
    "PostOut",
    "QueueOut",
    "StampOut",
    "ViewOut",
    "errors",
]

Timestamp = str  # ISO 8601 with an offset (UTC)
#: A post's id in a path: posts.id is an INTEGER (PostgreSQL int4), so a larger number is no post, not a 500.
PostId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the post's id")]


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorOut(BaseModel):
    """An error: ``detail`` says why. Refusals by the workflow also say ``error`` (refused, stale)."""

    detail: Any = Field(description="the reason, for a person")
    error: Literal["refused", "stale"] | None = Field(None, description="refused (400/404) or stale (409)")


class Me(_Out):
    username: str
    display_name: str


class QueueItem(_Out):
    id: int
    version: int
    channel: str
    status: str
    author_handle: str | None
    author_name: str | None
    author_followers: int | None
    text: str
    created_at: Timestamp
    lang: str | None
    label: str | None
    polarity: float | None
    flagged: bool | None
    category: str | None
    reasons: list[str]
    assignee: str | None
    snoozed_until: Timestamp | None
    urgency: float = Field(ge=0.0, le=100.0)
    waited_minutes: float
    target_minutes: int
    wait_state: Literal["ok", "near", "over", "done"]
    tags: list[str] = Field(default_factory=list, description="free tags (not the scoring category)")
    mentioned: bool = Field(False, description="a note mentions you and you have not opened the post since")
    dont_engage: bool = Field(False, description="the author is marked \"don't engage\"")


class QueueOut(_Out):
    items: list[QueueItem]
    total: int
    start: int
    next_after: str | None
    next: str | None
    open: int
    overdue: int
    stamp: str


class StampOut(_Out):
    stamp: str
    total: int
    open: int
    overdue: int


class ViewerOut(_Out):
    username: str
    seen_at: Timestamp


class ViewOut(_Out):
    version: int
    assignee: str | None
    viewers: list[ViewerOut]


class ReplyOut(_Out):
    id: int
    kind: str
    channel: str
    status: str
    text: str
    author: str | None
    error: str | None
    created_at: Timestamp | None
    approved_at: Timestamp | None
    sent_at: Timestamp | None


class ConversationItem(_Out):
    who: Literal["customer", "brand"]
    author: str
    text: str
    at: Timestamp
    post_id: int | None
    current: bool


class HistoryItem(_Out):
    id: int
    channel: str
    text: str
    status: str
    created_at: Timestamp | None


class ActivityItem(_Out):
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    reply_id: int | None
    detail: str | None
    at: Timestamp | None
    version: int | None


class NoteItem(_Out):
    id: int
    post_id: int
    author: str
    text: str
    created_at: Timestamp
    mentions: list[str]


class AuthorMarkOut(_Out):
    customer_key: str
    reason: str
    by: str
    at: Timestamp


class PostOut(QueueItem):
    permalink: str | None
    customer_key: str
    thread_key: str | None
    first_response_at: Timestamp | None
    resolved_at: Timestamp | None
    reply_channel: str
    max_reply_length: int
    draft: ReplyOut | None
    replies: list[ReplyOut]
    conversation: list[ConversationItem]
    history: list[HistoryItem]
    viewers: list[ViewerOut]
    activity: list[ActivityItem]
    notes: list[NoteItem] = Field(default_factory=list, description="internal notes, oldest first")
    author_mark: AuthorMarkOut | None = None


class ApproveOut(_Out):
    post_id: int
    status: str
    version: int
    reply: ReplyOut
    send_error: str | None


class TagCount(_Out):
    tag: str
    count: int


class TagsOut(_Out):
    tags: list[TagCount]


class NoteOut(_Out):
    note: NoteItem
    mentioned: list[str] = Field(description="team members pinged (Slack and a badge in their queue)")
    unknown: list[str] = Field(description="@names that are no active team member")


class MacroOut(_Out):
    id: int
    name: str
    lang: str | None
    channel: str | None
    text: str
    uses: int
    updated_by: str
    updated_at: Timestamp | None


class MacroPreview(MacroOut):
    preview: str
    fits: bool
    problems: list[str]
    missing: list[str]
    reference_added: bool
    limit: int


class MacrosOut(_Out):
    items: list[MacroOut]


class MacroPreviewsOut(_Out):
    items: list[MacroPreview]


class InsertOut(_Out):
    text: str = Field(description="the saved reply rendered for this post, ready for the draft box")
    macro: MacroOut
    missing: list[str]
    reference_added: bool
    limit: int


class DeletedOut(_Out):
    deleted: int


class BulkItemOut(_Out):
    post_id: int
    ok: bool
    detail: str
    error: Literal["stale", "refused", "not_found"] | None
    status: str | None
    version: int | None


class BulkOut(_Out):
    action: str
    ok: int
    failed: int
    results: list[BulkItemOut]


class TeamRow(_Out):
    username: str
    display_name: str
    open: int
    oldest_waiting_minutes: float | None
    first_response_median_minutes: float | None
    first_responses: int
    replies: int


class TeamOut(_Out):
    week: str
    rows: list[TeamRow]


class MentionsOut(_Out):
    count: int


_WHY = {
    400: "refused: the filter, the page link or the action is not possible (the reason is in detail)",
    401: "not signed in: no session cookie and no valid HTTP Basic credentials",
    403: "a write with a missing or wrong X-CSRF-Token header, or an admin's task (saved replies)",
    404: "no such post (or saved reply)",
    409: "stale: the post changed since the version your view was made from",
    429: "too many failed sign-ins: try again after Retry-After seconds",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the error statuses it may answer, each with the ErrorOut body."""
    return {code: {"model": ErrorOut, "description": _WHY[code]} for code in (401, 403, 429, *codes)}
