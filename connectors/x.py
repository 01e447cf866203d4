# size: the X streams (mentions, DMs, recent search) and their client share the page loop and the error translation
"""X (tweepy 4.17): the ``XClient`` gateway and the mention and DM streams.

Both streams are newest-first, so they only hand out a checkpoint after a whole drain succeeded.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, ClassVar

import tweepy

from social_care.errors import RateLimited, RetriableError, SkippableError
from social_care.models import Channel, Delivery, Mention, ReplyTarget

from ._errors import x_errors, x_webhook_errors
from ._http import make_session
from .base import (
    KEY_MAX,
    Batch,
    count,
    fit_key,
    ident,
    ident_or_none,
    label,
    message_text,
    optional_ident,
    paginate,
    parse_time,
    skip_item,
)

__all__ = ["XClient", "XMentions", "XDirectMessages", "XSearch", "X_ORIGIN", "search_query"]

log = logging.getLogger(__name__)
X_ORIGIN = "https://api.twitter.com"
TWEET_FIELDS = ["created_at", "author_id", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "lang"]
USER_FIELDS = ["username", "name", "public_metrics"]
DM_FIELDS = ["id", "text", "event_type", "created_at", "sender_id", "dm_conversation_id", "participant_ids"]


class XClient:
    """The only code that talks to tweepy: every call has a timeout and translated errors."""

    def __init__(
        self,
        *,
        user_id: str,
        bearer_token: str,
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        access_token: str | None = None,
        access_token_secret: str | None = None,
        base_url: str = X_ORIGIN,
        timeout: float = 15.0,
        clock: Callable[[], datetime],
    ) -> None:
        self.user_id = user_id
        self.clock = clock
        self._client = tweepy.Client(
            bearer_token=bearer_token,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            access_token=access_token,
            access_token_secret=access_token_secret,
            return_type=dict,
            wait_on_rate_limit=False,  # a rate limit pauses the stream; a job never sleeps
        )
        self._client.session = make_session(X_ORIGIN, base_url, timeout)
        self.has_user_auth = bool(consumer_key and consumer_secret and access_token and access_token_secret)
        self._username: str | None = None

    def mentions(self, *, since_id: str | None, pagination_token: str | None) -> dict[str, Any]:
        with x_errors(self.clock):
            body: dict[str, Any] = self._client.get_users_mentions(
                self.user_id,
                since_id=since_id,
                pagination_token=pagination_token,
                max_results=100,
                tweet_fields=TWEET_FIELDS,
                expansions=["author_id"],
                user_fields=USER_FIELDS,
                user_auth=False,
            )
            return body

    def search_recent(self, *, query: str, since_id: str | None, next_token: str | None,
                      max_results: int) -> dict[str, Any]:
        """``GET /2/tweets/search/recent`` (the last 7 days; its own rate limit; billed per post read)."""
        with x_errors(self.clock):
            body: dict[str, Any] = self._client.search_recent_tweets(
                query,
                since_id=since_id,
                next_token=next_token,
                max_results=max_results,
                tweet_fields=TWEET_FIELDS,
                expansions=["author_id"],
                user_fields=USER_FIELDS,
                user_auth=False,
            )
            return body

    def username(self) -> str:
        """The brand's own @username (once per client): recent search excludes posts that tag it."""
        if self._username is None:
            with x_errors(self.clock):
                body = self._client.get_user(id=self.user_id, user_auth=False)
            data = _object(body.get("data") if isinstance(body, dict) else None)
            name = label(data.get("username"))
            if not name:
                raise RetriableError("X answered the brand's own user without a username", platform="x")
            self._username = name
        return self._username

    def dm_events(self, *, pagination_token: str | None) -> dict[str, Any]:
        with x_errors(self.clock):
            body: dict[str, Any] = self._client.get_direct_message_events(
                dm_event_fields=DM_FIELDS,
                event_types="MessageCreate",
                expansions=["sender_id"],
                user_fields=USER_FIELDS,
                max_results=100,
                pagination_token=pagination_token,
                user_auth=True,
            )
            return body

    def conversation_dm_events(self, *, participant_id: str) -> dict[str, Any]:
        with x_errors(self.clock):
            body: dict[str, Any] = self._client.get_direct_message_events(
                participant_id=participant_id, dm_event_fields=DM_FIELDS, max_results=100, user_auth=True
            )
            return body

    def reply(self, *, in_reply_to: str, text: str) -> Delivery:
        with x_errors(self.clock):
            body = self._client.create_tweet(text=text, in_reply_to_tweet_id=in_reply_to, user_auth=True)
        return Delivery(external_id=_written(body, "id"), sent_at=self.clock())

    def send_dm(self, *, participant_id: str | None, conversation_id: str | None, text: str) -> Delivery:
        with x_errors(self.clock):
            if participant_id:
                body = self._client.create_direct_message(participant_id=participant_id, text=text, user_auth=True)
            else:
                body = self._client.create_direct_message(dm_conversation_id=conversation_id, text=text, user_auth=True)
        return Delivery(external_id=_written(body, "dm_event_id"), sent_at=self.clock())

    def own_replies(self, *, since: datetime) -> list[dict[str, Any]]:
        """The brand's recent tweets with what they reply to (to reconcile a reply left in `sending`)."""
        with x_errors(self.clock):
            body = self._client.get_users_tweets(
                self.user_id,
                start_time=since,
                max_results=100,
                tweet_fields=["created_at", "referenced_tweets", "in_reply_to_user_id"],
                user_auth=False,
            )
        return list(body.get("data") or [])


    # ---- webhooks (V2 Webhooks + Account Activity; tweepy has no methods for them, its request() signs) ----
    def _webhook_call(self, method: str, route: str, *, user_auth: bool, json: Any = None) -> dict[str, Any]:
        with x_webhook_errors(self.clock):
            response = self._client.request(method, route, json=json, user_auth=user_auth)
            body = response.json() if response.content else {}
        return body if isinstance(body, dict) else {}

    def webhooks(self) -> list[dict[str, Any]]:
        """The app's registered webhooks: [{id, url, valid, created_at}] (app-only bearer)."""
        data = self._webhook_call("GET", "/2/webhooks", user_auth=False).get("data")
        return [w for w in data if isinstance(w, dict)] if isinstance(data, list) else []

    def create_webhook(self, url: str) -> dict[str, Any]:
        """Register ``url``; X sends its CRC to it before answering."""
        return _object(self._webhook_call("POST", "/2/webhooks", user_auth=False, json={"url": url}).get("data"))

    def revalidate_webhook(self, webhook_id: str) -> None:
        """PUT /2/webhooks/:id: X runs the CRC again (an invalid webhook becomes valid when it passes)."""
        self._webhook_call("PUT", f"/2/webhooks/{webhook_id}", user_auth=False)

    def subscribe_all(self, webhook_id: str) -> bool:
        """Subscribe the brand account (user context) to all its activity on ``webhook_id``."""
        body = self._webhook_call("POST", f"/2/account_activity/webhooks/{webhook_id}/subscriptions/all",
                                  user_auth=True)
        return bool(_object(body.get("data")).get("subscribed"))

    def subscribed(self, webhook_id: str) -> bool:
        body = self._webhook_call("GET", f"/2/account_activity/webhooks/{webhook_id}/subscriptions/all",
                                  user_auth=True)
        return bool(_object(body.get("data")).get("subscribed"))


def _written(body: Any, name: str) -> str:
    """The new object's id from a write's answer. Without it the write may still have happened: the error is
    retriable, so the outbox looks on the platform before it sends again."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not data.get(name):
        raise RetriableError(f"X answered without `data.{name}`; the message may have gone out", platform="x")
    return str(data[name])


def _users(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    users = _object(body.get("includes")).get("users")
    return {str(u.get("id")): u for u in users if isinstance(u, dict)} if isinstance(users, list) else {}


def _normalize(
    stream: str,
    items: Sequence[Any],
    users: dict[str, dict[str, Any]],
    to_mention: Callable[[Any, dict[str, dict[str, Any]]], Mention | None],
) -> tuple[list[Mention], list[str]]:
    """Mentions from one page; a malformed item is logged with its reason and skipped, the rest kept."""
    out: list[Mention] = []
    skipped: list[str] = []
    for item in items:
        try:
            mention = to_mention(item, users)
        except SkippableError as exc:
            skipped.append(skip_item(stream, item, str(exc)))
            continue
        if mention is not None:
            out.append(mention)
    return out, skipped


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _array(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _token(value: Any) -> str | None:
    """A pagination token as X documents it (text), else None: the listing ends there."""
    return value if isinstance(value, str) and value else None


def _next_token(body: dict[str, Any]) -> str | None:
    """The next page's token of an X listing (``meta.next_token``), None on the last page."""
    return _token(_object(body.get("meta")).get("next_token"))


def _followers(user: dict[str, Any]) -> int | None:
    metrics = user.get("public_metrics")
    return count(metrics.get("followers_count")) if isinstance(metrics, dict) else None


def _user(users: dict[str, dict[str, Any]], user_id: str) -> dict[str, Any]:
    user = users.get(user_id)
    return user if isinstance(user, dict) else {}


def _tweet(item: Any, users: dict[str, dict[str, Any]], *, channel: Channel, own_id: str) -> Mention | None:
    """A customer's tweet as a Mention (None for the brand's own); SkippableError for junk."""
    if not isinstance(item, dict) or not item.get("id"):
        raise SkippableError("not a tweet object (no id)")
    tweet_id = ident(item["id"], "tweet id")
    author_id = optional_ident(item.get("author_id"), "tweet author_id")
    if not author_id:
        raise SkippableError("tweet without author_id")
    if author_id == own_id:
        return None  # the brand's own tweet
    text = message_text(item.get("text"), "tweet")
    user = _user(users, author_id)
    handle = label(user.get("username"))
    references = item.get("referenced_tweets")
    replied = [r for r in references if isinstance(r, dict) and r.get("type") == "replied_to"] \
        if isinstance(references, list) else []
    replied_to = ident_or_none(replied[0].get("id")) if replied else None
    return Mention(
        channel=channel,
        external_id=tweet_id,
        author_id=author_id,
        author_handle=handle,
        author_name=label(user.get("name")),
        author_followers=_followers(user),
        text=text,
        created_at=parse_time(item.get("created_at")),
        reply_to=ReplyTarget(channel, thread_id=tweet_id, recipient_id=author_id),
        thread_key=fit_key(ident_or_none(item.get("conversation_id"), KEY_MAX) or tweet_id),
        parent_external_id=replied_to,
        permalink=f"https://x.com/{handle or 'i/web'}/status/{tweet_id}",
        raw=item,
    )


class XMentions:
    """``GET /2/users/:id/mentions`` since the cursor (a tweet id), following next_token to the end."""

    stream: ClassVar[str] = "x.mentions"
    # whose signed webhooks also deliver this stream (its polls become the backstop); None: polled only
    webhook_platform: ClassVar[str | None] = "x"
    channel: ClassVar[Channel] = Channel.X_MENTION

    def __init__(self, client: XClient) -> None:
        self.client = client

    def poll(self, cursor: str | None) -> Iterator[Batch]:
        newest: str | None = None
        pages = paginate(lambda token: self.client.mentions(since_id=cursor, pagination_token=token), _next_token,
                         stream=self.stream)
        for page in pages:
            body = page.body
            meta = _object(body.get("meta"))
            items = _array(body.get("data"))
            # the cursor is an id the store can keep: meta's newest_id, else the first item's that is an id
            newest = newest or ident_or_none(meta.get("newest_id")) or next(
                (i for i in (ident_or_none(it.get("id")) for it in items if isinstance(it, dict)) if i), None)
            mentions, skipped = _normalize(self.stream, items, _users(body), self._mention)
            if page.cut:
                # the drain is incomplete: keep what was read, leave the cursor where it was
                yield Batch(mentions, skipped=skipped, cut=[page.cut])
            elif page.next is None:
                # newest-first: the cursor moves only now that the whole drain succeeded
                yield Batch(mentions, checkpoint=_max_id(newest, cursor), skipped=skipped)
            else:
                yield Batch(mentions, skipped=skipped)

    def _mention(self, item: Any, users: dict[str, dict[str, Any]]) -> Mention | None:
        return _tweet(item, users, channel=Channel.X_MENTION, own_id=self.client.user_id)


class XDirectMessages:
    """``GET /2/dm_events`` has no since_id: page back (newest first) until an event we already hold."""

    stream: ClassVar[str] = "x.dms"
    webhook_platform: ClassVar[str | None] = "x"
    channel: ClassVar[Channel] = Channel.X_DM

    def __init__(self, client: XClient, *, lookback: timedelta = timedelta(days=30)) -> None:
        self.client = client
        self.lookback = lookback

    def poll(self, cursor: str | None) -> Iterator[Batch]:
        newest: str | None = None
        for page in paginate(lambda token: self.client.dm_events(pagination_token=token), _next_token,
                             stream=self.stream):
            data = page.body.get("data")
            items = [i for i in data if isinstance(i, dict)] if isinstance(data, list) else []
            fresh = []
            reached_known = False
            for item in items:
                event_id = str(item.get("id") or "")
                if cursor and event_id and not _is_newer(event_id, cursor):
                    reached_known = True
                    break
                fresh.append(item)
            if newest is None and items:
                newest = ident_or_none(items[0].get("id"))
            mentions, skipped = _normalize(self.stream, fresh, _users(page.body), self._mention)
            if reached_known or page.next is None and not page.cut:
                yield Batch(mentions, checkpoint=_max_id(newest, cursor), skipped=skipped)
                return
            if page.cut:
                # the drain is incomplete: keep what was read, leave the cursor where it was
                yield Batch(mentions, skipped=skipped, cut=[page.cut])
                return
            yield Batch(mentions, skipped=skipped)

    def _mention(self, item: dict[str, Any], users: dict[str, dict[str, Any]]) -> Mention | None:
        if item.get("event_type", "MessageCreate") != "MessageCreate":
            return None
        if not item.get("id"):
            raise SkippableError("DM event without id")
        event_id = ident(item["id"], "DM event id")
        sender = optional_ident(item.get("sender_id"), "DM event sender_id")
        if not sender:
            raise SkippableError("DM event without sender_id")
        if sender == self.client.user_id:
            return None  # the brand's own message
        text = message_text(item.get("text"), "DM event")
        conversation = fit_key(ident_or_none(item.get("dm_conversation_id"), KEY_MAX)
                               or _conversation_id(sender, self.client.user_id))
        user = _user(users, sender)
        return Mention(
            channel=Channel.X_DM,
            external_id=event_id,
            author_id=sender,
            author_handle=label(user.get("username")),
            author_name=label(user.get("name")),
            author_followers=_followers(user),
            text=text,
            created_at=parse_time(item.get("created_at")),
            reply_to=ReplyTarget(Channel.X_DM, thread_id=conversation, recipient_id=sender),
            thread_key=conversation,
            permalink=f"https://x.com/messages/{conversation}",
            raw=item,
        )


def search_query(terms: Sequence[str], *, user_id: str, username: str) -> str:
    """The recent-search query: any of the terms (a phrase in quotes), not by the brand, not a retweet, and
    not tagging the brand (those are ``x.mention``)."""
    quoted = [f'"{t.replace(chr(34), "")}"' if " " in t else t.replace('"', "") for t in terms]
    return f"({' OR '.join(quoted)}) -from:{user_id} -@{username} -is:retweet"


class XSearch:
    """``GET /2/tweets/search/recent`` for posts that name the brand without tagging it.

    Newest first, like mentions: the cursor (since_id) moves only after a whole drain. Recent search is
    billed per post read, so the cursor also counts the posts read today (UTC); at
    ``max_posts_per_day`` the stream stops and pauses until the next day. A drain the budget cut short
    keeps what it read and moves on from the newest post: the older ones it did not reach are not read
    (they would cost the next day's budget again and again).
    """

    stream: ClassVar[str] = "x.search"
    webhook_platform: ClassVar[str | None] = None
    channel: ClassVar[Channel] = Channel.X_SEARCH

    def __init__(self, client: XClient, *, terms: Sequence[str], max_posts_per_day: int = 500) -> None:
        if not terms:
            raise ValueError("XSearch needs at least one search term")
        self.client = client
        self.terms = list(terms)
        self.max_posts_per_day = max_posts_per_day

    def poll(self, cursor: str | None) -> Iterator[Batch]:
        since_id, day, read = _search_state(cursor)
        now = self.client.clock().astimezone(UTC)
        today = now.date().isoformat()
        if day != today:
            day, read = today, 0
        if read >= self.max_posts_per_day:
            raise self._budget_spent(now)
        username = self.client.username()
        query = search_query(self.terms, user_id=self.client.user_id, username=username)
        newest: str | None = None

        def fetch(token: str | None) -> dict[str, Any]:
            left = self.max_posts_per_day - read
            return self.client.search_recent(query=query, since_id=since_id, next_token=token,
                                             max_results=max(10, min(100, left)))

        pages = paginate(fetch, lambda b: _token(_object(b.get("meta")).get("next_token")), stream=self.stream)
        for page in pages:
            body = page.body
            meta = _object(body.get("meta"))
            items = _array(body.get("data"))
            read += len(items)
            newest = newest or ident_or_none(meta.get("newest_id")) or next(
                (i for i in (ident_or_none(it.get("id")) for it in items if isinstance(it, dict)) if i), None)
            mentions, skipped = _normalize(self.stream, items, _users(body), lambda it, us: self._post(it, us,
                                                                                                       username))
            state = _search_cursor(_max_id(newest, since_id), day, read)
            if page.next is None and page.cut is None:
                yield Batch(mentions, checkpoint=state, skipped=skipped)
                return
            if read >= self.max_posts_per_day:
                note = (f"{self.stream}: the daily budget of {self.max_posts_per_day} posts read "
                        "(SOCIAL_CARE_X_SEARCH_MAX_POSTS_PER_DAY) ran out mid-listing; older matching posts "
                        "of this listing were not read")
                log.warning(note)
                yield Batch(mentions, checkpoint=state, skipped=skipped, cut=[note])
                raise self._budget_spent(now)
            if page.cut is not None:
                yield Batch(mentions, skipped=skipped, cut=[page.cut])
                return
            yield Batch(mentions, skipped=skipped)

    def _budget_spent(self, now: datetime) -> RateLimited:
        tomorrow = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=UTC)
        return RateLimited(
            f"x.search paused until {tomorrow:%Y-%m-%d} 00:00 UTC: the daily budget of {self.max_posts_per_day} "
            "posts read is spent (SOCIAL_CARE_X_SEARCH_MAX_POSTS_PER_DAY)",
            reset_at=tomorrow, platform="x")

    def _post(self, item: Any, users: dict[str, dict[str, Any]], username: str) -> Mention | None:
        mention = _tweet(item, users, channel=Channel.X_SEARCH, own_id=self.client.user_id)
        if mention is None:
            return None  # the brand's own post
        references = mention.raw.get("referenced_tweets")
        kinds = {r.get("type") for r in references if isinstance(r, dict)} if isinstance(references, list) else set()
        if "retweeted" in kinds:
            return None  # a retweet: the words are someone else's
        if f"@{username.lower()}" in mention.text.lower():
            return None  # it tags the brand: x.mention has it
        return mention


def _search_state(cursor: str | None) -> tuple[str | None, str | None, int]:
    """(since_id, day, posts read that day) from the stream's cursor (a bare id is a since_id)."""
    if not cursor:
        return None, None, 0
    try:
        value = json.loads(cursor)
    except ValueError:
        return ident_or_none(cursor), None, 0
    if not isinstance(value, dict):
        return ident_or_none(str(value)), None, 0
    read = value.get("read")
    return (ident_or_none(value.get("since_id")), value.get("day") if isinstance(value.get("day"), str) else None,
            read if isinstance(read, int) and not isinstance(read, bool) and read >= 0 else 0)


def _search_cursor(since_id: str | None, day: str, read: int) -> str:
    return json.dumps({"since_id": since_id, "day": day, "read": read}, separators=(",", ":"))


def _conversation_id(a: str, b: str) -> str:
    lo, hi = sorted((a, b), key=lambda v: (len(v), v))
    return f"{lo}-{hi}"


def _is_newer(candidate: str, cursor: str) -> bool:
    if candidate.isdigit() and cursor.isdigit():
        return int(candidate) > int(cursor)
    return candidate != cursor


def _max_id(newest: str | None, cursor: str | None) -> str | None:
    if newest is None:
        return cursor
    if cursor is None:
        return newest
    return newest if _is_newer(newest, cursor) else cursor
