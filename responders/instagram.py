"""Instagram responders: a reply under the customer's top-level comment, a direct message (Send API with the
Instagram-scoped id, ``RESPONSE``, inside the 24 h window like Messenger)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from connectors.facebook import GraphClient
from social_care.models import Channel, Delivery, ReplyTarget

from .facebook import _page_item_in

__all__ = ["InstagramCommentResponder", "InstagramMessageResponder"]


class InstagramCommentResponder:
    channel: ClassVar[Channel] = Channel.INSTAGRAM_COMMENT
    max_length: ClassVar[int] = Channel.INSTAGRAM_COMMENT.reply_limit

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    def send(self, target: ReplyTarget, text: str) -> Delivery:
        return self.client.reply_to_ig_comment(comment_id=target.thread_id, text=text)

    def find_sent(self, target: ReplyTarget, text: str, *, since: datetime) -> Delivery | None:
        found: Delivery | None = None
        for page in self.client.pages(f"{target.thread_id}/replies", stream="instagram.comments",
                                      fields="id,text,timestamp,from", limit=50):
            found = found or _page_item_in(self.client, page, text, since, own_id=self.client.ig_user_id,
                                           text_field="text", time_field="timestamp")
        return found


class InstagramMessageResponder:
    channel: ClassVar[Channel] = Channel.INSTAGRAM_DM
    max_length: ClassVar[int] = Channel.INSTAGRAM_DM.reply_limit

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
            found = _page_item_in(self.client, messages, text, since, own_id=self.client.ig_user_id)
            if found is not None:
                return found
        return None
