"""X API v2 object rendering (fields, expansions, includes) and query validation."""
from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from ._util import x_time
from .x_state import MENTION_RE, DMEvent, Tweet, XState, XUser

PROBLEMS = "https://api.x.com/2/problems/"

TWEET_FIELDS = {
    "article", "attachments", "author_id", "card_uri", "community_id", "context_annotations",
    "conversation_id", "created_at", "display_text_range", "edit_controls", "edit_history_tweet_ids",
    "entities", "geo", "id", "in_reply_to_user_id", "lang", "media_metadata", "non_public_metrics",
    "note_tweet", "organic_metrics", "possibly_sensitive", "promoted_metrics", "public_metrics",
    "referenced_tweets", "reply_settings", "scopes", "source", "text", "withheld",
}
USER_FIELDS = {
    "affiliation", "confirmed_email", "connection_status", "created_at", "description", "entities", "id",
    "is_identity_verified", "location", "most_recent_tweet_id", "name", "parody", "pinned_tweet_id",
    "profile_banner_url", "profile_image_url", "protected", "public_metrics", "receives_your_dm",
    "subscription", "subscription_type", "url", "username", "verified", "verified_followers_count",
    "verified_type", "withheld",
}
DM_EVENT_FIELDS = {"attachments", "created_at", "dm_conversation_id", "entities", "event_type", "id",
                   "participant_ids", "referenced_tweets", "sender_id", "text"}
TWEET_EXPANSIONS = {"article.cover_media", "article.media_entities", "attachments.media_keys",
                    "attachments.media_source_tweet", "attachments.poll_ids", "author_id",
                    "edit_history_tweet_ids", "entities.mentions.username", "geo.place_id",
                    "in_reply_to_user_id", "entities.note.mentions.username", "referenced_tweets.id",
                    "referenced_tweets.id.attachments.media_keys", "referenced_tweets.id.author_id"}
DM_EXPANSIONS = {"attachments.media_keys", "participant_ids", "referenced_tweets.id", "sender_id"}
USER_EXPANSIONS = {"affiliation.user_id", "most_recent_tweet_id", "pinned_tweet_id"}
OTHER_FIELD_PARAMS = ("media.fields", "place.fields", "poll.fields")


class XBadRequest(Exception):
    """A 400 "Invalid Request" problem about one query parameter."""

    def __init__(self, param: str, value: str, message: str) -> None:
        super().__init__(message)
        self.param, self.value, self.message = param, value, message

    def body(self) -> dict[str, Any]:
        return {"errors": [{"parameters": {self.param: [self.value]}, "message": self.message}],
                "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
                "type": PROBLEMS + "invalid-request"}


def check_params(query: dict[str, str], allowed: set[str]) -> None:
    for name, value in query.items():
        if name not in allowed:
            raise XBadRequest(name, value, f"The query parameter [{name}] is not one of "
                                           f"[{','.join(sorted(allowed))}]")


def csv_param(query: dict[str, str], name: str, allowed: set[str]) -> set[str]:
    raw = query.get(name, "")
    values = {v.strip() for v in raw.split(",") if v.strip()}
    for value in sorted(values):
        if value not in allowed:
            raise XBadRequest(name, value, f"The `{name}` query parameter value [{value}] is not one of "
                                           f"[{','.join(sorted(allowed))}]")
    return values


def int_param(query: dict[str, str], name: str, lo: int, hi: int, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.strip().lstrip("-").isdigit() or not lo <= int(raw) <= hi:
        raise XBadRequest(name, raw, f"The `{name}` query parameter value [{raw}] is not between {lo} and {hi}")
    return int(raw)


def id_param(query: dict[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise XBadRequest(name, raw, f"The `{name}` query parameter value [{raw}] does not match ^[0-9]{{1,19}}$")
    return int(raw)


class Renderer:
    """Renders tweets/users/DM events for one request's fields and expansions."""

    def __init__(self, state: XState, query: dict[str, str], expansions: set[str]) -> None:
        self.state = state
        self.tweet_fields = csv_param(query, "tweet.fields", TWEET_FIELDS)
        self.user_fields = csv_param(query, "user.fields", USER_FIELDS)
        self.dm_fields = csv_param(query, "dm_event.fields", DM_EVENT_FIELDS)
        self.expansions = expansions
        self._users: dict[str, dict[str, Any]] = {}
        self._tweets: dict[str, dict[str, Any]] = {}

    # ---- objects -------------------------------------------------------------------
    def user(self, u: XUser) -> dict[str, Any]:
        out: dict[str, Any] = {"id": u.id, "name": u.name, "username": u.username}
        f = self.user_fields
        if "public_metrics" in f:
            out["public_metrics"] = {"followers_count": u.followers, "following_count": u.following,
                                     "tweet_count": sum(1 for t in self.state.tweets.values() if t.author_id == u.id),
                                     "listed_count": 0, "like_count": 0, "media_count": 0}
        if "created_at" in f and u.created_at is not None:
            out["created_at"] = x_time(u.created_at)
        if "description" in f:
            out["description"] = u.description
        if "protected" in f:
            out["protected"] = False
        if "verified" in f:
            out["verified"] = False
        if "profile_image_url" in f:
            out["profile_image_url"] = f"https://pbs.twimg.com/profile_images/{u.id}/avatar_normal.jpg"
        if "receives_your_dm" in f:
            out["receives_your_dm"] = u.dm_open
        return out

    def tweet(self, t: Tweet, primary: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"id": t.id, "text": t.text, "edit_history_tweet_ids": [t.id]}
        f = self.tweet_fields
        simple = {"author_id": t.author_id, "conversation_id": t.conversation_id,
                  "created_at": x_time(t.created_at), "in_reply_to_user_id": t.in_reply_to_user_id,
                  "referenced_tweets": t.referenced_tweets, "lang": "en", "possibly_sensitive": False,
                  "reply_settings": "everyone"}
        for name, value in simple.items():
            if name in f and value is not None:
                out[name] = value
        if "entities" in f and (mentions := self._mention_entities(t)):
            out["entities"] = {"mentions": mentions}
        if "public_metrics" in f:
            replies = sum(1 for o in self.state.tweets.values() if o.in_reply_to_tweet_id == t.id and not o.deleted)
            out["public_metrics"] = {"retweet_count": 0, "reply_count": replies, "like_count": 0,
                                     "quote_count": 0, "bookmark_count": 0, "impression_count": 0}
        if "edit_controls" in f:
            out["edit_controls"] = {"edits_remaining": 5, "is_edit_eligible": True,
                                    "editable_until": x_time(t.created_at + timedelta(hours=1))}
        if "display_text_range" in f:
            out["display_text_range"] = [0, len(t.text)]
        if primary:
            self._expand_tweet(t)
        return out

    def dm_event(self, e: DMEvent) -> dict[str, Any]:
        out: dict[str, Any] = {"id": e.id, "event_type": e.event_type}
        if e.event_type == "MessageCreate":
            out["text"] = e.text
        f = self.dm_fields
        values = {"created_at": x_time(e.created_at), "sender_id": e.sender_id,
                  "dm_conversation_id": e.dm_conversation_id,
                  "participant_ids": e.participant_ids or None}
        for name, value in values.items():
            if name in f and value is not None:
                out[name] = value
        if "sender_id" in self.expansions:
            self._include_user(e.sender_id)
        if "participant_ids" in self.expansions:
            for pid in e.participant_ids:
                self._include_user(pid)
        return out

    # ---- includes -------------------------------------------------------------------
    def _mention_entities(self, t: Tweet) -> list[dict[str, Any]]:
        by_name = {u.username.lower(): u for u in self.state.users.values()}
        out = []
        for m in MENTION_RE.finditer(t.text):
            entity = {"start": m.start(), "end": m.end(), "username": m.group(1)}
            if (u := by_name.get(m.group(1).lower())) is not None:
                entity["id"] = u.id
            out.append(entity)
        return out

    def _include_user(self, user_id: str | None) -> None:
        if user_id and user_id not in self._users and (u := self.state.users.get(user_id)) is not None:
            self._users[user_id] = self.user(u)

    def _expand_tweet(self, t: Tweet) -> None:
        ex = self.expansions
        if "author_id" in ex:
            self._include_user(t.author_id)
        if "in_reply_to_user_id" in ex:
            self._include_user(t.in_reply_to_user_id)
        if "entities.mentions.username" in ex:
            for e in self._mention_entities(t):
                self._include_user(e.get("id"))
        if t.in_reply_to_tweet_id and ex & {"referenced_tweets.id", "referenced_tweets.id.author_id"}:
            ref = self.state.live_tweet(t.in_reply_to_tweet_id)
            if ref is not None:
                if "referenced_tweets.id" in ex and ref.id not in self._tweets:
                    self._tweets[ref.id] = self.tweet(ref, primary=False)
                if "referenced_tweets.id.author_id" in ex:
                    self._include_user(ref.author_id)

    def includes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self._users:
            out["users"] = list(self._users.values())
        if self._tweets:
            out["tweets"] = list(self._tweets.values())
        return out


def encode_token(kind: str, ref: int) -> str:
    return base64.b32encode(f"{kind}{ref}".encode()).decode().rstrip("=").lower()


def decode_token(token: str) -> tuple[str, int]:
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode()
        if raw[0] not in "np" or not raw[1:].isdigit():
            raise ValueError(raw)
        return raw[0], int(raw[1:])
    except Exception:  # noqa: BLE001
        raise XBadRequest("pagination_token", token,
                          f"The `pagination_token` query parameter value [{token}] is not valid") from None


def paginate(items: Sequence[Any], token: str | None, size: int) -> tuple[list[Any], dict[str, str]]:
    """Newest-first id pagination with opaque next/previous tokens."""
    if token:
        kind, ref = decode_token(token)
        if kind == "n":
            page = [i for i in items if int(i.id) < ref][:size]
        else:
            page = [i for i in items if int(i.id) > ref][-size:]
    else:
        page = list(items[:size])
    tokens: dict[str, str] = {}
    if page and int(items[-1].id) < int(page[-1].id):
        tokens["next_token"] = encode_token("n", int(page[-1].id))
    if page and token and int(items[0].id) > int(page[0].id):
        tokens["previous_token"] = encode_token("p", int(page[0].id))
    return page, tokens


def parse_time(query: dict[str, str], name: str) -> datetime | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise XBadRequest(name, raw, f"Invalid '{name}':'{raw}'. '{name}' must be a valid RFC 3339 date") from None
