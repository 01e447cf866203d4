"""Webhook bodies and signatures in the platforms' shapes (platforms.md §3).

Meta: ``{"object": "page", "entry": [...]}`` with ``changes`` (field ``feed``) or ``messaging`` entries, and
``{"object": "instagram", ...}`` with ``changes`` (field ``comments``) or ``messaging`` entries, signed
``X-Hub-Signature-256: sha256=<lowercase hex>`` over the raw body with the app secret; the body is the
"escaped unicode version" (non-ASCII as ``\\uXXXX``, ``/`` as ``\\/``), so re-serialised JSON does not match.
X Account Activity: v1.1-shaped ``tweet_create_events`` / ``direct_message_events`` for ``for_user_id``, signed
``x-twitter-webhooks-signature: sha256=<base64>`` with the consumer secret.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .x_state import MENTION_RE

if TYPE_CHECKING:
    from .graph_state import Comment, IgComment, Message, Post
    from .x_state import DMEvent, Tweet, XState, XUser

X_LONG = 140  # longer posts arrive truncated, the whole text in extended_tweet.full_text
X_APP_ID = "268278"  # the app a DM sent through the API is attributed to
X_APP = {"id": X_APP_ID, "name": "social-care", "url": "https://github.com/"}


# ---- signatures -----------------------------------------------------------------------------------------------
def meta_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def meta_signature_sha1(secret: str, body: bytes) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def x_signature(secret: str, body: bytes) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def x_crc_response(secret: str, crc_token: str) -> str:
    """The CRC answer X expects: sha256= + base64(HMAC-SHA256(consumer secret, crc_token))."""
    return x_signature(secret, crc_token.encode())


def meta_body(payload: dict[str, Any]) -> bytes:
    """Meta's escaped-unicode JSON: ASCII only, slashes escaped."""
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def x_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ---- Meta ------------------------------------------------------------------------------------------------------
def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())


def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def meta_comment_entry(page_id: str, comment: Comment, verb: str, now: datetime) -> dict[str, Any]:
    """One ``feed`` change for a comment: verb add / edited / remove."""
    value: dict[str, Any] = {
        "from": {"id": comment.from_id, "name": comment.from_name},
        "post_id": comment.post_id, "comment_id": comment.id,
        "parent_id": comment.parent_id or comment.post_id,
        "created_time": _epoch(comment.created_at), "item": "comment", "verb": verb,
    }
    if verb != "remove":
        value["message"] = comment.message
    return {"id": page_id, "time": _epoch(now), "changes": [{"field": "feed", "value": value}]}


def meta_post_entry(page_id: str, post: Post, now: datetime) -> dict[str, Any]:
    value = {"from": {"id": post.from_id, "name": post.from_name}, "post_id": post.id, "message": post.message,
             "created_time": _epoch(post.created_at), "item": "status", "verb": "add", "published": 1}
    return {"id": page_id, "time": _epoch(now), "changes": [{"field": "feed", "value": value}]}


def meta_message_entry(page_id: str, msg: Message, now: datetime, app_id: str) -> dict[str, Any]:
    """A Messenger ``messaging`` entry; the Page's own messages come back as echoes."""
    event: dict[str, Any] = {"sender": {"id": msg.from_id}, "recipient": {"id": msg.to_id},
                             "timestamp": _ms(msg.created_at), "message": {"mid": msg.id, "text": msg.text}}
    if msg.from_id == page_id:
        event["message"] = {"is_echo": True, "app_id": int(app_id), "mid": msg.id, "text": msg.text}
    return {"id": page_id, "time": _ms(now), "messaging": [event]}


def meta_payload(entries: list[dict[str, Any]], obj: str = "page") -> dict[str, Any]:
    return {"object": obj, "entry": entries}


def ig_comment_entry(ig_user_id: str, comment: IgComment, now: datetime) -> dict[str, Any]:
    """An Instagram ``comments`` change (``object: "instagram"``): no time of its own, ``entry.time`` is when
    Meta sent it; ``parent_id`` only on a reply."""
    value: dict[str, Any] = {"from": {"id": comment.from_id, "username": comment.username},
                             "media": {"id": comment.media_id, "media_product_type": "FEED"}, "id": comment.id,
                             "text": comment.text}
    if comment.parent_id:
        value["parent_id"] = comment.parent_id
    return {"id": ig_user_id, "time": _epoch(now), "changes": [{"field": "comments", "value": value}]}


def ig_message_entry(ig_user_id: str, msg: Message, now: datetime) -> dict[str, Any]:
    """An Instagram ``messages`` event, Messenger's shape; the account's own messages come back as echoes in
    the same field."""
    event: dict[str, Any] = {"sender": {"id": msg.from_id}, "recipient": {"id": msg.to_id},
                             "timestamp": _ms(msg.created_at), "message": {"mid": msg.id, "text": msg.text}}
    if msg.from_id == ig_user_id:
        event["message"] = {"mid": msg.id, "text": msg.text, "is_echo": True}
    return {"id": ig_user_id, "time": _ms(now), "messaging": [event]}


# ---- X ---------------------------------------------------------------------------------------------------------
def v1_time(dt: datetime) -> str:
    """v1.1 created_at: ``Wed Oct 10 20:19:24 +0000 2018`` (English names whatever the locale)."""
    dt = dt.astimezone(UTC)
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{days[dt.weekday()]} {months[dt.month - 1]} {dt:%d %H:%M:%S} +0000 {dt.year}"


def v1_user(state: XState, user: XUser) -> dict[str, Any]:
    tweets = sum(1 for t in state.tweets.values() if t.author_id == user.id)
    return {"id": int(user.id), "id_str": user.id, "name": user.name, "screen_name": user.username,
            "location": None, "url": None, "description": user.description, "protected": False,
            "verified": False, "followers_count": user.followers, "friends_count": user.following,
            "listed_count": 0, "favourites_count": 0, "statuses_count": tweets,
            "created_at": v1_time(user.created_at or datetime(2015, 3, 1, tzinfo=UTC)),
            "profile_image_url_https": f"https://pbs.twimg.com/profile_images/{user.id}/avatar_normal.jpg",
            "default_profile_image": False}


def _entities(state: XState, text: str) -> dict[str, Any]:
    by_name = {u.username.lower(): u for u in state.users.values()}
    mentions = []
    for m in MENTION_RE.finditer(text):
        user = by_name.get(m.group(1).lower())
        mention: dict[str, Any] = {"screen_name": m.group(1), "name": user.name if user else m.group(1),
                                   "indices": [m.start(), m.end()]}
        if user is not None:
            mention.update(id=int(user.id), id_str=user.id)
        mentions.append(mention)
    return {"hashtags": [], "urls": [], "user_mentions": mentions, "symbols": []}


def v1_tweet(state: XState, tweet: Tweet) -> dict[str, Any]:
    author = state.users[tweet.author_id]
    parent = state.tweets.get(tweet.in_reply_to_tweet_id or "")
    parent_author = state.users.get(tweet.in_reply_to_user_id or "")
    out: dict[str, Any] = {
        "created_at": v1_time(tweet.created_at), "id": int(tweet.id), "id_str": tweet.id, "text": tweet.text,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>', "truncated": False,
        "in_reply_to_status_id": int(parent.id) if parent else None,
        "in_reply_to_status_id_str": parent.id if parent else None,
        "in_reply_to_user_id": int(parent_author.id) if parent_author else None,
        "in_reply_to_user_id_str": parent_author.id if parent_author else None,
        "in_reply_to_screen_name": parent_author.username if parent_author else None,
        "user": v1_user(state, author), "geo": None, "coordinates": None, "place": None, "contributors": None,
        "is_quote_status": False, "quote_count": 0, "reply_count": 0, "retweet_count": 0, "favorite_count": 0,
        "entities": _entities(state, tweet.text), "favorited": False, "retweeted": False, "filter_level": "low",
        "lang": "en", "timestamp_ms": str(_ms(tweet.created_at)),
    }
    if len(tweet.text) > X_LONG:
        short = tweet.text[:X_LONG - 25].rstrip() + "\u2026 https://t.co/" + tweet.id[-10:]
        out.update(text=short, truncated=True, display_text_range=[0, len(short) - 24],
                   entities=_entities(state, short),
                   extended_tweet={"full_text": tweet.text, "display_text_range": [0, len(tweet.text)],
                                   "entities": _entities(state, tweet.text)})
    return out


def v1_dm_event(state: XState, event: DMEvent, recipient_id: str) -> dict[str, Any]:
    message_create: dict[str, Any] = {
        "target": {"recipient_id": recipient_id}, "sender_id": event.sender_id,
        "message_data": {"text": event.text, "entities": _entities(state, event.text)},
    }
    if event.sender_id == state.user_id:  # sent through the API by the brand's app
        message_create["source_app_id"] = X_APP_ID
    return {"type": "message_create", "id": event.id, "created_timestamp": str(_ms(event.created_at)),
            "message_create": message_create}


def x_tweet_payload(for_user_id: str, tweets: list[dict[str, Any]], mention: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {"for_user_id": for_user_id}
    if mention:
        payload["user_has_blocked"] = "false"
    payload["tweet_create_events"] = tweets
    return payload


def v1_tweet_delete(tweet: Tweet, now: datetime) -> dict[str, Any]:
    return {"status": {"id": tweet.id, "user_id": tweet.author_id}, "timestamp_ms": str(_ms(now))}


def x_payload(for_user_id: str, kind: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"for_user_id": for_user_id, kind: items}


def x_dm_payload(for_user_id: str, events: list[dict[str, Any]], users: dict[str, Any],
                 with_app: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {"for_user_id": for_user_id, "direct_message_events": events}
    if with_app:
        payload["apps"] = {X_APP_ID: X_APP}
    payload["users"] = users
    return payload


def dm_users(state: XState, *user_ids: str) -> dict[str, Any]:
    out = {}
    for uid in user_ids:
        user = state.users.get(uid)
        if user is not None:
            full = v1_user(state, user)
            out[uid] = {"id": uid, "created_timestamp": str(_ms(user.created_at or datetime(2015, 3, 1,
                                                                                           tzinfo=UTC))),
                        "name": user.name, "screen_name": user.username, "protected": False, "verified": False,
                        "followers_count": user.followers, "friends_count": user.following,
                        "statuses_count": full["statuses_count"],
                        "profile_image_url_https": full["profile_image_url_https"]}
    return out
