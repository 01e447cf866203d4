"""Facebook responders: a reply under the customer's comment, a Messenger message (RESPONSE, 24 h)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from connectors.base import parse_time_or
from connectors.facebook import GraphClient
from social_care.models import Channel, Delivery, ReplyTarget

__all__ = ["CommentResponder", "MessengerResponder"]


def _find_page_item(client: GraphClient, path: str, text: str, since: datetime, **args: object) -> Delivery | None:
    return _page_item_in(client, client.get(path, **args).get("data") or [], text, since)


def _page_item_in(client: GraphClient, items: list[object], text: str, since: datetime, *,
                  own_id: str | None = None, text_field: str = "message",
                  time_field: str = "created_time") -> Delivery | None:
    """The brand's own item (the Page's, or ``own_id``'s) with ``text`` written since ``since``, if ``items``
    hold one. Instagram comments carry ``text`` and ``timestamp`` where Graph's carry ``message`` and
    ``created_time``."""
    own = own_id or client.page_id
    for item in items:
        if not isinstance(item, dict):
            continue
        author = str((item.get("from") or {}).get("id") or "")
        if author == own and str(item.get(text_field, "")).strip() == text.strip():
            at = parse_time_or(item.get(time_field), since)
            if at >= since:
                return Delivery(external_id=str(item["id"]), sent_at=at)
    return None


class CommentResponder:
    channel: ClassVar[Channel] = Channel.FACEBOOK_COMMENT
    max_length: ClassVar[int] = Channel.FACEBOOK_COMMENT.reply_limit

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    def send(self, target: ReplyTarget, text: str) -> Delivery:
        return self.client.reply_to_comment(comment_id=target.thread_id, text=text)

    def find_sent(self, target: ReplyTarget, text: str, *, since: datetime) -> Delivery | None:
        return _find_page_item(
            self.client, f"{target.thread_id}/comments", text, since,
            fields="id,message,created_time,from", order="reverse_chronological", limit=100,
        )


class MessengerResponder:
    channel: ClassVar[Channel] = Channel.MESSENGER
    max_length: ClassVar[int] = Channel.MESSENGER.reply_limit

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    def send(self, target: ReplyTarget, text: str) -> Delivery:
        return self.client.send_message(psid=target.recipient_id or target.thread_id, text=text)

    def find_sent(self, target: ReplyTarget, text: str, *, since: datetime) -> Delivery | None:
        psid = target.recipient_id or target.thread_id
        body = self.client.get(
            f"{self.client.page_id}/conversations", platform="messenger", user_id=psid,
            fields="id,messages.limit(50){id,message,from,created_time}",
        )
        for conv in body.get("data") or []:
            messages = (conv.get("messages") or {}).get("data") or [] if isinstance(conv, dict) else []
            found = _page_item_in(self.client, messages, text, since)
            if found is not None:
                return found
        return None
