"""X responders: a reply tweet to the customer's mention, a DM in the customer's conversation."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from connectors.base import parse_time_or
from connectors.x import XClient
from social_care.models import Channel, Delivery, ReplyTarget

__all__ = ["XReplyResponder", "XDirectMessageResponder", "XSearchReplyResponder"]


class XReplyResponder:
    channel: ClassVar[Channel] = Channel.X_MENTION
    max_length: ClassVar[int] = Channel.X_MENTION.reply_limit

    def __init__(self, client: XClient) -> None:
        self.client = client

    def send(self, target: ReplyTarget, text: str) -> Delivery:
        return self.client.reply(in_reply_to=target.thread_id, text=text)

    def find_sent(self, target: ReplyTarget, text: str, *, since: datetime) -> Delivery | None:
        for tweet in self.client.own_replies(since=since):
            replied = {str(r.get("id")) for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"}
            if target.thread_id in replied and tweet.get("text", "").strip() == text.strip():
                return Delivery(external_id=str(tweet["id"]), sent_at=_at(tweet, since))
        return None


class XSearchReplyResponder(XReplyResponder):
    """A reply on the thread of a post that named the brand without tagging it. The outbox sends it only
    once a person approved it (``Channel.person_approves``). X refuses API replies to a post that does not
    mention or quote the brand for self-serve apps: that refusal leaves the reply to a person."""

    channel: ClassVar[Channel] = Channel.X_SEARCH
    max_length: ClassVar[int] = Channel.X_SEARCH.reply_limit


class XDirectMessageResponder:
    channel: ClassVar[Channel] = Channel.X_DM
    max_length: ClassVar[int] = Channel.X_DM.reply_limit

    def __init__(self, client: XClient) -> None:
        self.client = client

    def send(self, target: ReplyTarget, text: str) -> Delivery:
        return self.client.send_dm(participant_id=target.recipient_id, conversation_id=target.thread_id, text=text)

    def find_sent(self, target: ReplyTarget, text: str, *, since: datetime) -> Delivery | None:
        if not target.recipient_id:
            return None
        body = self.client.conversation_dm_events(participant_id=target.recipient_id)
        for event in body.get("data") or []:
            if str(event.get("sender_id")) == self.client.user_id and event.get("text", "").strip() == text.strip():
                at = _at(event, since)
                if at >= since:
                    return Delivery(external_id=str(event["id"]), sent_at=at)
        return None


def _at(item: dict[str, object], default: datetime) -> datetime:
    return parse_time_or(item.get("created_at"), default)
