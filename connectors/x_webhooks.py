"""X Account Activity webhook deliveries → the same ``Mention`` the X pollers make for the same post.

``tweet_create_events`` that mention the brand (and are not by it) become ``x.mention``, with a long post's
``extended_tweet.full_text``; ``direct_message_events`` of type ``message_create`` not sent by the brand
become ``x.dm``. Payloads are v1.1-shaped (platforms.md §3.2): the fields are mapped onto what the v2
pollers read, so ids, author, text, ``created_at`` (milliseconds), reply target and thread key agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from social_care.errors import SkippableError
from social_care.models import Channel, Mention, ReplyTarget

from .base import KEY_MAX, count, fit_key, ident, ident_or_none, label, message_text, parse_time
from .webhook_events import WebhookEvents, WebhookPayloadError, epoch_time

__all__ = ["parse_x", "conversation_id"]
PLATFORM = "x"
READ = ("tweet_create_events", "direct_message_events")
CONTEXT = frozenset({"for_user_id", "user_has_blocked", "users", "apps", "source"})
_V1_TIME = "%a %b %d %H:%M:%S %z %Y"


def parse_x(body: Any, *, user_id: str) -> WebhookEvents:
    """Read one delivery for ``user_id`` (X_USER_ID); WebhookPayloadError when it is not an X delivery."""
    if not isinstance(body, dict):
        raise WebhookPayloadError("the body is not a JSON object")
    for_user = ident_or_none(body.get("for_user_id"))
    if for_user is None:
        raise WebhookPayloadError("`for_user_id` is missing")
    out = WebhookEvents()
    if for_user != user_id:
        out.unknown.append(f"for_user_id {for_user[:24]!r} is not X_USER_ID")
        return out
    for key in body:
        if key not in READ and key not in CONTEXT:
            out.unknown.append(str(key)[:40])
    users: dict[str, Any] = body["users"] if isinstance(body.get("users"), dict) else {}
    tweets = body.get("tweet_create_events")
    for tweet in tweets if isinstance(tweets, list) else []:
        out.entries += 1
        try:
            mention = _tweet(tweet, user_id)
        except SkippableError as exc:
            out.skip(PLATFORM, tweet if not isinstance(tweet, dict) else {"id": tweet.get("id_str")}, str(exc))
            continue
        if mention is None:
            out.dropped += 1
        else:
            out.mentions.append(mention)
    events = body.get("direct_message_events")
    for event in events if isinstance(events, list) else []:
        out.entries += 1
        if isinstance(event, dict) and event.get("type") != "message_create":
            out.unknown.append(f"direct message event {str(event.get('type'))[:32]!r}")
            continue
        try:
            mention = _dm(event, user_id, users)
        except SkippableError as exc:
            out.skip(PLATFORM, event, str(exc))
            continue
        if mention is None:
            out.dropped += 1
        else:
            out.mentions.append(mention)
    return out


def _tweet_time(tweet: dict[str, Any]) -> datetime:
    if tweet.get("timestamp_ms") is not None:
        return epoch_time(tweet["timestamp_ms"], millis=True)
    raw = tweet.get("created_at")
    if not isinstance(raw, str):
        raise SkippableError("tweet without created_at")
    try:
        return datetime.strptime(raw, _V1_TIME)
    except ValueError:
        return parse_time(raw)


def _mentions_brand(tweet: dict[str, Any], user_id: str) -> bool:
    if ident_or_none(tweet.get("in_reply_to_user_id_str") or tweet.get("in_reply_to_user_id")) == user_id:
        return True
    for source in (tweet.get("extended_tweet"), tweet):
        entities = source.get("entities") if isinstance(source, dict) else None
        mentions = entities.get("user_mentions") if isinstance(entities, dict) else None
        for m in mentions if isinstance(mentions, list) else []:
            if isinstance(m, dict) and ident_or_none(m.get("id_str") or m.get("id")) == user_id:
                return True
    return False


def _tweet(tweet: Any, user_id: str) -> Mention | None:
    if not isinstance(tweet, dict):
        raise SkippableError("not a tweet object")
    tweet_id = ident(tweet.get("id_str") or tweet.get("id"), "tweet id")
    user: dict[str, Any] = tweet["user"] if isinstance(tweet.get("user"), dict) else {}
    author_id = ident(user.get("id_str") or user.get("id"), "tweet user id")
    if author_id == user_id or not _mentions_brand(tweet, user_id):
        return None  # the brand's own post, or one that does not mention it
    extended = tweet.get("extended_tweet")
    if isinstance(extended, dict) and extended.get("full_text") is not None:
        text = message_text(extended.get("full_text"), "tweet")
    else:
        text = message_text(tweet.get("full_text", tweet.get("text")), "tweet")
    handle = label(user.get("screen_name"))
    replied_to = ident_or_none(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"))
    conversation = ident_or_none(tweet.get("conversation_id_str") or tweet.get("conversation_id"), KEY_MAX)
    return Mention(
        channel=Channel.X_MENTION, external_id=tweet_id, author_id=author_id, author_handle=handle,
        author_name=label(user.get("name")), author_followers=count(user.get("followers_count")), text=text,
        created_at=_tweet_time(tweet),
        reply_to=ReplyTarget(Channel.X_MENTION, thread_id=tweet_id, recipient_id=author_id),
        # a reply's conversation is its thread's first post: without it in the payload, the store takes the
        # thread of the post it answers (ingest); a post that answers nothing starts its own
        thread_key=fit_key(conversation) if conversation else (None if replied_to else tweet_id),
        parent_external_id=replied_to,
        permalink=f"https://x.com/{handle or 'i/web'}/status/{tweet_id}",
        raw={"webhook": "x", **tweet},
    )


def conversation_id(a: str, b: str) -> str:
    """A 1:1 DM conversation id as X forms it (the pollers' fallback too): smaller-larger id."""
    lo, hi = sorted((a, b), key=lambda v: (len(v), v))
    return f"{lo}-{hi}"


def _dm(event: Any, user_id: str, users: dict[str, Any]) -> Mention | None:
    if not isinstance(event, dict):
        raise SkippableError("direct message event is not an object")
    event_id = ident(event.get("id"), "DM event id")
    create: dict[str, Any] = event["message_create"] if isinstance(event.get("message_create"), dict) else {}
    sender = ident(create.get("sender_id"), "DM sender_id")
    if sender == user_id:
        return None  # the brand's own message (DMs the brand sends are delivered too)
    data: dict[str, Any] = create["message_data"] if isinstance(create.get("message_data"), dict) else {}
    text = message_text(data.get("text"), "DM")
    conversation = fit_key(conversation_id(sender, user_id))
    user: dict[str, Any] = users[sender] if isinstance(users.get(sender), dict) else {}
    return Mention(
        channel=Channel.X_DM, external_id=event_id, author_id=sender, author_handle=label(user.get("screen_name")),
        author_name=label(user.get("name")), author_followers=count(user.get("followers_count")), text=text,
        created_at=epoch_time(event.get("created_timestamp"), millis=True),
        reply_to=ReplyTarget(Channel.X_DM, thread_id=conversation, recipient_id=sender),
        thread_key=conversation, permalink=f"https://x.com/messages/{conversation}",
        raw={"webhook": "x", **event},
    )
