"""Instagram responders: a reply under the customer's top-level comment, a direct message (Send API with the
Instagram-scoped id, ``RESPONSE``, inside the 24 h window like Messenger)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from connectors.base import parse_time_or
from connectors.facebook import GraphClient
from social_care.models import Channel, Delivery, ReplyTarget

from .base import MAX_LENGTH

__all__ = ["InstagramCommentResponder", "InstagramMessageResponder"]


def _own_item(items: list[Any], own_id: str | None, text: str, since: datetime, *, text_field: str,
              time_field: str) -> Delivery | None:
    """The business account's own item with ``text`` written since ``since``, if ``items`` hold one."""
    for item in items:
        if not isinstance(item, dict):
            continue
        author = item.get("from") if isinstance(item.get("from"), dict) else {}
        if str(author.get("id") or "") == own_id and str(item.get(text_field, "")).strip() == text.strip():
            at = parse_time_or(item.get(time_field), since)
            if at >= since:
                return Delivery(external_id=str(item["id"]), sent_at=at)
    return None


class InstagramCommentResponder:
    channel: ClassVar[Channel] = Channel.INSTAGRAM_COMMENT
    max_length: ClassVar[int] = MAX_LENGTH[Channel.INSTAGRAM_COMMENT]

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    def send(self, target: ReplyTarget, text: str) -> Delivery:
        return self.client.reply_to_ig_comment(comment_id=target.thread_id, text=text)

    def find_sent(self, target: ReplyTarget, text: str, *, since: datetime) -> Delivery | None:
        found: Delivery | None = None
        for page in self.client.pages(f"{target.thread_id}/replies", stream="instagram.comments",
                                      fields="id,text,timestamp,from", limit=50):
            found = found or _own_item(page, self.client.ig_user_id, text, since, text_field="text",
                                       time_field="timestamp")
        return found


class InstagramMessageResponder:
    channel: ClassVar[Channel] = Channel.INSTAGRAM_DM
    max_length: ClassVar[int] = MAX_LENGTH[Channel.INSTAGRAM_DM]

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    def send(self, target: ReplyTarget, text: str) -> Delivery:
        return self.client.send_message(psid=target.recipient_id or target.thread_id, text=text)

    def find_sent(self, target: ReplyTarget, text: str, *, since: datetime) -> Delivery | None:
        igsid = target.recipient_id or target.thread_id
        body = self.client.get(
            f"{self.client.page_id}/conversations", platform="instagram", user_id=igsid,
            fields="id,messages.limit(20){id,message,from,created_time}",
        )
        for conv in body.get("data") or []:
            messages = (conv.get("messages") or {}).get("data") or [] if isinstance(conv, dict) else []
            found = _own_item(messages, self.client.ig_user_id, text, since, text_field="message",
                              time_field="created_time")
            if found is not None:
                return found
        return None
