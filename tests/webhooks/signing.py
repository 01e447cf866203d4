"""Signed deliveries for tests, built from platforms.md §3 alone (not from the code under test):
Meta signs the raw body with hex HMAC-SHA256 of the app secret, X with base64 HMAC-SHA256 of the
consumer secret. Payload builders render simulator records in the platforms' webhook shapes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

APP_SECRET = "sim-app-secret"  # tests/conftest.py's FACEBOOK_APP_SECRET
CONSUMER_SECRET = "sim-consumer-secret"  # X_CONSUMER_SECRET
VERIFY_TOKEN = "meatyhamhock"


def body_bytes(payload: Any) -> bytes:
    # escaped unicode, as Meta sends it: the signature covers exactly these bytes
    return json.dumps(payload, ensure_ascii=True).encode()


def meta_header(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": "sha256=" + digest, "Content-Type": "application/json"}


def x_header(body: bytes, secret: str = CONSUMER_SECRET) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {"x-twitter-webhooks-signature": "sha256=" + digest, "Content-Type": "application/json"}


def post_meta(client: Any, payload: Any, **kw: Any) -> Any:
    body = body_bytes(payload)
    return client.post("/webhooks/meta", content=body, headers=meta_header(body, **kw))


def post_x(client: Any, payload: Any, **kw: Any) -> Any:
    body = body_bytes(payload)
    return client.post("/webhooks/x", content=body, headers=x_header(body, **kw))


# ---- payloads ---------------------------------------------------------------------------------------------

def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _ms(at: datetime) -> int:
    return _epoch(at) * 1000 + at.microsecond // 1000


V1_TIME = "%a %b %d %H:%M:%S +0000 %Y"


def x_tweet(sim: Any, tweet_id: str, *, long_text: str | None = None) -> dict[str, Any]:
    """A v1.1 Tweet object for a simulator tweet (a long post: ``truncated`` + ``extended_tweet``)."""
    t = sim.x.tweets[tweet_id]
    user = sim.x.users[t.author_id]
    text = t.text
    out: dict[str, Any] = {
        "created_at": t.created_at.strftime(V1_TIME),
        "id": int(t.id), "id_str": t.id, "text": text[:140] if long_text else text,
        "user": {"id": int(user.id), "id_str": user.id, "name": user.name, "screen_name": user.username,
                 "followers_count": user.followers},
        "in_reply_to_status_id_str": t.in_reply_to_tweet_id, "in_reply_to_user_id_str": t.in_reply_to_user_id,
        "entities": {"user_mentions": _user_mentions(sim, text)},
        "timestamp_ms": str(_ms(t.created_at)),
    }
    if long_text:
        out["truncated"] = True
        out["extended_tweet"] = {"full_text": text, "entities": {"user_mentions": _user_mentions(sim, text)}}
    return out


def _user_mentions(sim: Any, text: str) -> list[dict[str, Any]]:
    found = []
    for user in sim.x.users.values():
        if f"@{user.username}".lower() in text.lower():
            found.append({"id_str": user.id, "id": int(user.id), "screen_name": user.username})
    return found


def x_mentions_payload(sim: Any, tweet_ids: list[str], *, for_user_id: str = "99") -> dict[str, Any]:
    return {"for_user_id": for_user_id, "user_has_blocked": "false",
            "tweet_create_events": [x_tweet(sim, t) for t in tweet_ids]}


def x_dm_event(sim: Any, event_id: str, *, brand: str = "99") -> dict[str, Any]:
    e = sim.x.dm_events[event_id]
    return {"type": "message_create", "id": e.id, "created_timestamp": str(_ms(e.created_at)),
            "message_create": {"target": {"recipient_id": brand}, "sender_id": e.sender_id,
                               "message_data": {"text": e.text, "entities": {}}}}


def x_dms_payload(sim: Any, event_ids: list[str], *, for_user_id: str = "99") -> dict[str, Any]:
    events = [x_dm_event(sim, e) for e in event_ids]
    users = {}
    for e in event_ids:
        u = sim.x.users[sim.x.dm_events[e].sender_id]
        users[u.id] = {"id": u.id, "name": u.name, "screen_name": u.username, "followers_count": u.followers}
    return {"for_user_id": for_user_id, "direct_message_events": events, "users": users, "apps": {}}


def meta_comment_change(sim: Any, comment_id: str, *, verb: str = "add", text: str | None = None) -> dict[str, Any]:
    c = sim.facebook.comments[comment_id]
    return {"field": "feed", "value": {
        "item": "comment", "verb": verb, "comment_id": c.id, "post_id": c.post_id,
        "parent_id": c.parent_id or c.post_id, "message": c.message if text is None else text,
        "from": {"id": c.from_id, "name": c.from_name}, "created_time": _epoch(c.created_at)}}


def meta_message_event(sim: Any, mid: str, *, page_id: str) -> dict[str, Any]:
    m = sim.facebook.messages[mid]
    return {"sender": {"id": m.from_id}, "recipient": {"id": page_id}, "timestamp": _ms(m.created_at),
            "message": {"mid": m.id, "text": m.text}}


def meta_payload(page_id: str, *, changes: list[dict[str, Any]] = (), messaging: list[dict[str, Any]] = (),
                 time: int = 1795680000) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": page_id, "time": time}
    if changes:
        entry["changes"] = list(changes)
    if messaging:
        entry["messaging"] = list(messaging)
    return {"object": "page", "entry": [entry]}


def ig_comment_change(sim: Any, comment_id: str, *, text: str | None = None) -> dict[str, Any]:
    """An Instagram ``comments`` change: id, text, from {id, username}, media {id, media_product_type},
    parent_id on a reply (no time of its own)."""
    c = sim.facebook.ig_comments[comment_id]
    value: dict[str, Any] = {"from": {"id": c.from_id, "username": c.username},
                             "media": {"id": c.media_id, "media_product_type": "FEED"}, "id": c.id,
                             "text": c.text if text is None else text}
    if c.parent_id:
        value["parent_id"] = c.parent_id
    return {"field": "comments", "value": value}


def ig_message_event(sim: Any, mid: str) -> dict[str, Any]:
    m = sim.facebook.messages[mid]
    message: dict[str, Any] = {"mid": m.id, "text": m.text}
    if m.from_id == sim.facebook.ig_user_id:
        message["is_echo"] = True
    return {"sender": {"id": m.from_id}, "recipient": {"id": m.to_id}, "timestamp": _ms(m.created_at),
            "message": message}


def ig_payload(ig_user_id: str, *, changes: list[dict[str, Any]] = (), messaging: list[dict[str, Any]] = (),
               time: int = 1795680000) -> dict[str, Any]:
    payload = meta_payload(ig_user_id, changes=changes, messaging=messaging, time=time)
    payload["object"] = "instagram"
    return payload
