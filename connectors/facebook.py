# size: the Graph streams (Page comments, Messenger, Instagram) share one client, its paging and its errors
"""Facebook (facebook-sdk 3.1.0): the ``GraphClient`` gateway, Page comments and Messenger streams.

facebook-sdk rejects every current Graph version in its constructor, so the version is set as a
plain attribute after construction and every path is explicitly versioned.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

import facebook
import requests

from social_care.errors import RetriableError, SkippableError
from social_care.models import Channel, Delivery, Mention, ReplyTarget

from ._errors import graph_errors
from ._http import make_session
from .base import (
    Batch,
    NewestFirstWindow,
    count,
    fit_key,
    ident,
    ident_or_none,
    label,
    message_text,
    paginate,
    parse_time,
    skip_item,
    url,
)

__all__ = ["GraphClient", "PageComments", "MessengerConversations", "GRAPH_ORIGIN", "conversation_of"]

log = logging.getLogger(__name__)
GRAPH_ORIGIN = "https://graph.facebook.com"
COMMENT_FIELDS = "id,message,created_time,from,parent,comment_count,permalink_url"
FEED_FIELDS = "id,message,created_time,updated_time,from,permalink_url"
CONVERSATION_FIELDS = "id,updated_time,link,participants,messages.limit(25){id,message,from,to,created_time}"
MESSAGE_FIELDS = "id,message,from,to,created_time"
OVERLAP = timedelta(minutes=5)  # re-read a little before the cursor: the store drops what it already has


class GraphClient:
    """The only code that talks to facebook-sdk: timeouts, explicit versions, translated errors."""

    def __init__(
        self,
        *,
        page_id: str,
        page_token: str,
        ig_user_id: str | None = None,
        version: str,
        base_url: str = GRAPH_ORIGIN,
        timeout: float = 15.0,
        clock: Callable[[], datetime],
    ) -> None:
        self.page_id = page_id
        self.ig_user_id = ig_user_id  # the Instagram business account linked to the Page, if configured
        self.version = version
        self.clock = clock
        self.usage: dict[str, object] = {}
        session = make_session(GRAPH_ORIGIN, base_url, timeout, on_response=self._record_usage)
        self._graph = facebook.GraphAPI(access_token=page_token, timeout=timeout, session=session)
        self._graph.version = version  # the SDK's validator only knows 2.8–3.1

    def _record_usage(self, response: requests.Response) -> None:
        for header in ("X-App-Usage", "X-Business-Use-Case-Usage"):
            if header in response.headers:
                self.usage[header] = response.headers[header]

    def get(self, path: str, **args: Any) -> dict[str, Any]:
        with graph_errors(self.clock, self.usage):
            body = self._graph.request(f"{self.version}/{path}", args)
        if not isinstance(body, dict):
            raise SkippableError(f"the Graph API answered {path} with something that is not an object",
                                 platform="facebook")
        return body

    def pages(self, path: str, *, stream: str, cuts: list[str] | None = None, **args: Any) -> Iterator[list[Any]]:
        """Cursor pagination: yields each page's ``data`` (short and empty pages with ``next`` included);
        stops when ``paging.next`` is absent, or when the listing repeats a cursor twice: then the reason
        is appended to ``cuts`` and only this listing ends."""
        def fetch(after: str | None) -> dict[str, Any]:
            return self.get(path, **args) if after is None else self.get(path, **{**args, "after": after})

        for page in paginate(fetch, _next_after, stream=stream, listing=path):
            data = page.body.get("data")
            yield data if isinstance(data, list) else []
            if page.cut and cuts is not None:
                cuts.append(page.cut)

    def subscribe_app(self, fields: list[str]) -> bool:
        """POST /{page-id}/subscribed_apps?subscribed_fields=…: the app receives these Page webhook fields."""
        with graph_errors(self.clock, self.usage):
            body = self._graph.request(f"{self.version}/{self.page_id}/subscribed_apps",
                                       {"subscribed_fields": ",".join(fields)}, method="POST")
        return bool(isinstance(body, dict) and body.get("success"))

    def subscribed_apps(self) -> list[dict[str, Any]]:
        """The apps subscribed to the Page's webhooks, each with its ``subscribed_fields``."""
        data = self.get(f"{self.page_id}/subscribed_apps").get("data")
        return [a for a in data if isinstance(a, dict)] if isinstance(data, list) else []

    def reply_to_comment(self, *, comment_id: str, text: str) -> Delivery:
        with graph_errors(self.clock, self.usage):
            body = self._graph.request(f"{self.version}/{comment_id}/comments", post_args={"message": text},
                                       method="POST")
        return Delivery(external_id=str(_field(body, "id")), sent_at=self.clock())

    def reply_to_ig_comment(self, *, comment_id: str, text: str) -> Delivery:
        """``POST /{ig-comment-id}/replies``: Instagram files it under the top-level comment."""
        with graph_errors(self.clock, self.usage):
            body = self._graph.request(f"{self.version}/{comment_id}/replies", post_args={"message": text},
                                       method="POST")
        return Delivery(external_id=str(_field(body, "id")), sent_at=self.clock())

    def send_message(self, *, psid: str, text: str) -> Delivery:
        """The Send API (``RESPONSE``): a Page-scoped id for Messenger, an Instagram-scoped id for Instagram."""
        with graph_errors(self.clock, self.usage):
            body = self._graph.request(
                f"{self.version}/{self.page_id}/messages",
                post_args={
                    "recipient": json.dumps({"id": psid}),
                    "message": json.dumps({"text": text}),
                    "messaging_type": "RESPONSE",
                },
                method="POST",
            )
        return Delivery(external_id=str(_field(body, "message_id")), sent_at=self.clock())


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _next_after(body: dict[str, Any]) -> str | None:
    """The next page's cursor of a Graph listing: ``paging.cursors.after`` while ``paging.next`` is there."""
    paging = _mapping(body.get("paging"))
    cursors = _mapping(paging.get("cursors"))
    after = cursors.get("after")
    if not paging.get("next") or not isinstance(after, (str, int)) or isinstance(after, bool) or not after:
        return None
    return str(after)


def _field(body: Any, name: str) -> Any:
    """The new object's id from a write's answer; without it the write may still have happened (retriable:
    the outbox looks on the platform before it sends again)."""
    if not isinstance(body, dict) or not body.get(name):
        raise RetriableError(f"the Graph API answered without `{name}`; the message may have gone out",
                             platform="facebook")
    return body[name]


def _listing_failed(stream: str, listing: str, exc: Exception) -> str:
    message = f"{stream} {listing}: {exc}; this listing is read again next poll"
    log.warning(message)
    return message


def _since(cursor: str | None) -> datetime | None:
    if not cursor:
        return None
    return parse_time(cursor) - OVERLAP


class PageComments:
    """Comments (and replies, and visitor posts) on the Page's recent posts, newest first per post."""

    stream: ClassVar[str] = "facebook.comments"
    webhook_platform: ClassVar[str | None] = "facebook"
    channel: ClassVar[Channel] = Channel.FACEBOOK_COMMENT

    def __init__(self, client: GraphClient, *, lookback: timedelta = timedelta(days=14)) -> None:
        self.client = client
        self.lookback = lookback

    def poll(self, cursor: str | None) -> Iterator[Batch]:
        now = self.client.clock()
        since = _since(cursor)
        feed_since = int((now - self.lookback).timestamp())
        newest = parse_time(cursor) if cursor else None
        cuts: list[str] = []  # every listing cut short in this run
        feed_cuts: list[str] = []
        for posts in self.client.pages(
            f"{self.client.page_id}/feed", stream=self.stream, cuts=feed_cuts, fields=FEED_FIELDS, since=feed_since,
            limit=25,
        ):
            for post in posts:
                if not isinstance(post, dict) or not ident_or_none(post.get("id")):
                    yield Batch([], skipped=[skip_item(self.stream, post, "feed item without an id")])
                    continue
                post_cuts: list[str] = []
                try:
                    mentions, skipped = self._post_and_comments(post, since, post_cuts)
                except SkippableError as exc:  # this post's listing is refused (gone, bad id): only it waits
                    mentions, skipped = [], []
                    post_cuts.append(_listing_failed(self.stream, f"comments of post {post['id']}", exc))
                cuts.extend(post_cuts)
                for m in mentions:
                    newest = m.created_at if newest is None or m.created_at > newest else newest
                yield Batch(mentions, skipped=skipped, cut=post_cuts)
        # a listing that ended early was not read to its end: the cursor stays, the next poll reads it again
        cuts.extend(feed_cuts)
        yield Batch([], checkpoint=None if cuts else (newest.isoformat() if newest else None), cut=feed_cuts)

    def _post_and_comments(self, post: dict[str, Any], since: datetime | None,
                           cuts: list[str]) -> tuple[list[Mention], list[str]]:
        out: list[Mention] = []
        skipped: list[str] = []
        post_id = ident(post["id"], "feed post id")
        visitor = self._visitor_post(post, since, skipped)
        if visitor is not None:
            out.append(visitor)
        saw_parent = False
        threads: list[str] = []  # top-level comments that have replies
        for item in self._comments(f"{post_id}/comments", since, skipped, cuts, filter="stream"):
            saw_parent = saw_parent or bool(item.get("parent"))
            top_id = ident_or_none(item.get("id"))
            if top_id and not item.get("parent") and (count(item.get("comment_count")) or 0) > 0:
                threads.append(top_id)
            self._keep(item, post_id, None, out, skipped)
        if not saw_parent:
            # the listing ignored filter=stream (top level only): read the replies of each thread
            for top in threads:
                for item in self._comments(f"{top}/comments", since, skipped, cuts):
                    self._keep(item, post_id, top, out, skipped)
        return out, skipped

    def _comments(self, path: str, since: datetime | None, skipped: list[str], cuts: list[str],
                  **args: Any) -> Iterator[dict[str, Any]]:
        """Comments under ``path``, newest first, until they are older than ``since``."""
        window = NewestFirstWindow(since)
        for page in self.client.pages(path, stream=self.stream, cuts=cuts, fields=COMMENT_FIELDS,
                                      order="reverse_chronological", limit=50, **args):
            for item in page:
                if not isinstance(item, dict):
                    skipped.append(skip_item(self.stream, item, "comment is not an object"))
                    continue
                try:
                    created = parse_time(item.get("created_time"))
                except SkippableError as exc:
                    skipped.append(skip_item(self.stream, item, str(exc)))
                    continue
                if window.keep(created):
                    yield item
            if window.done:
                return

    def _keep(self, item: dict[str, Any], post_id: str, top: str | None, out: list[Mention],
              skipped: list[str]) -> None:
        try:
            mention = self._comment(item, post_id, top)
        except SkippableError as exc:
            skipped.append(skip_item(self.stream, item, str(exc)))
            return
        if mention is not None:
            out.append(mention)

    def _visitor_post(self, post: dict[str, Any], since: datetime | None, skipped: list[str]) -> Mention | None:
        author = post.get("from")
        if not isinstance(author, dict) or not author.get("id") or not post.get("message"):
            return None
        try:
            author_id = ident(author["id"], "visitor post `from` id")
            if author_id == self.client.page_id:
                return None
            post_id = ident(post["id"], "visitor post id")
            text = message_text(post.get("message"), "visitor post")
            created = parse_time(post.get("created_time"))
        except SkippableError as exc:
            skipped.append(skip_item(self.stream, post, str(exc)))
            return None
        if since is not None and created < since:
            return None
        return Mention(
            channel=Channel.FACEBOOK_COMMENT, external_id=post_id, author_id=author_id,
            author_name=label(author.get("name")), text=text, created_at=created,
            reply_to=ReplyTarget(Channel.FACEBOOK_COMMENT, thread_id=post_id, recipient_id=author_id),
            thread_key=post_id, permalink=url(post.get("permalink_url")), raw=post,
        )

    def _comment(self, item: Any, post_id: str, top_hint: str | None = None) -> Mention | None:
        if not isinstance(item, dict) or not item.get("id"):
            raise SkippableError("comment without id")
        comment_id = ident(item["id"], "comment id")
        author = item.get("from") or {}
        if not isinstance(author, dict) or not author.get("id"):
            raise SkippableError("comment without `from` (is the token a Page token?)")
        author_id = ident(author["id"], "comment `from` id")
        if author_id == self.client.page_id:
            return None  # the Page's own comment
        text = message_text(item.get("message"), "comment")
        parent_field = item.get("parent")
        parent = ident_or_none(parent_field.get("id")) if isinstance(parent_field, dict) else None
        parent = parent or top_hint
        top = parent if parent and parent != post_id else comment_id
        return Mention(
            channel=Channel.FACEBOOK_COMMENT, external_id=comment_id, author_id=author_id,
            author_name=label(author.get("name")), text=text, created_at=parse_time(item.get("created_time")),
            reply_to=ReplyTarget(Channel.FACEBOOK_COMMENT, thread_id=comment_id, recipient_id=author_id),
            thread_key=fit_key(f"{post_id}:{top}"), parent_external_id=parent or post_id,
            permalink=url(item.get("permalink_url")), raw=item,
        )


class MessengerConversations:
    """``/{page-id}/conversations?platform=messenger`` (most recently updated first) and their messages."""

    stream: ClassVar[str] = "facebook.messenger"
    webhook_platform: ClassVar[str | None] = "facebook"
    channel: ClassVar[Channel] = Channel.MESSENGER
    platform: ClassVar[str] = "messenger"  # the conversations listing's platform parameter
    fields: ClassVar[str] = CONVERSATION_FIELDS

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    @property
    def own_id(self) -> str:
        """The sender id of the brand's own messages (echoes) in these conversations."""
        return self.client.page_id

    def permalink(self, link: Any) -> str | None:
        return url(f"https://www.facebook.com{link}") if isinstance(link, str) else None

    def poll(self, cursor: str | None) -> Iterator[Batch]:
        since = _since(cursor)
        newest = parse_time(cursor) if cursor else None
        window = NewestFirstWindow(since)  # conversations come most recently updated first
        cuts: list[str] = []  # every listing cut short in this run
        listing_cuts: list[str] = []
        for conversations in self.client.pages(
            f"{self.client.page_id}/conversations", stream=self.stream, cuts=listing_cuts, platform=self.platform,
            fields=self.fields, limit=25,
        ):
            for conv in conversations:
                if not isinstance(conv, dict) or not ident_or_none(conv.get("id")):
                    yield Batch([], skipped=[skip_item(self.stream, conv, "conversation without an id")])
                    continue
                try:
                    updated: datetime | None = parse_time(conv.get("updated_time"))
                except SkippableError as exc:
                    # its messages carry their own times: read them rather than lose a customer's message
                    log.warning("%s: conversation %s has no readable updated_time (%s); reading its messages",
                                self.stream, conv["id"], exc)
                    updated = None
                if updated is not None and not window.keep(updated):
                    continue  # nothing new in this conversation
                conv_cuts: list[str] = []
                notes: list[str] = []
                try:
                    mentions, skipped = self._messages(conv, since, conv_cuts, notes)
                except SkippableError as exc:  # this conversation's listing is refused: only it waits
                    mentions, skipped = [], []
                    conv_cuts.append(_listing_failed(self.stream, f"messages of {conv['id']}", exc))
                cuts.extend(conv_cuts)
                for m in mentions:
                    newest = m.created_at if newest is None or m.created_at > newest else newest
                yield Batch(mentions, skipped=skipped, cut=conv_cuts, notes=notes)
            if window.done:
                break
        cuts.extend(listing_cuts)
        yield Batch([], checkpoint=None if cuts else (newest.isoformat() if newest else None), cut=listing_cuts)

    def _messages(self, conv: dict[str, Any], since: datetime | None, cuts: list[str],
                  notes: list[str]) -> tuple[list[Mention], list[str]]:
        conv_id = ident(conv["id"], "conversation id")
        inline = conv.get("messages")
        pages: Iterator[Sequence[Any]]
        paging = inline.get("paging") if isinstance(inline, dict) else None
        if isinstance(inline, dict) and not (isinstance(paging, dict) and paging.get("next")):
            data = inline.get("data")
            pages = iter([data if isinstance(data, list) else []])
        else:  # more than the inline page, or no inline messages at all: read the conversation itself
            pages = self.client.pages(f"{conv_id}/messages", stream=self.stream, cuts=cuts, fields=MESSAGE_FIELDS,
                                      limit=25)
        out: list[Mention] = []
        skipped: list[str] = []
        link = conv.get("link")
        window = NewestFirstWindow(since)
        read = 0
        for page in pages:
            for item in page:
                read += 1
                try:
                    created = parse_time(item.get("created_time") if isinstance(item, dict) else None)
                    mention = self._message(item, conv_id, link)
                except SkippableError as exc:
                    skipped.append(skip_item(self.stream, item, str(exc)))
                    continue
                if window.keep(created) and mention is not None:
                    out.append(mention)
            if window.done:
                break
        self.check_unread(conv_id, window, read, notes)
        return out, skipped

    def check_unread(self, conv_id: str, window: NewestFirstWindow, read: int, notes: list[str]) -> None:
        """Messenger pages back to the cursor: nothing can stay unread."""

    def _message(self, item: Any, conv_id: str, link: Any) -> Mention | None:
        if not isinstance(item, dict) or not item.get("id"):
            raise SkippableError("message without id")
        message_id = ident(item["id"], "message id")
        sender = item.get("from") or {}
        if not isinstance(sender, dict) or not sender.get("id"):
            raise SkippableError("message without `from`")
        psid = ident(sender["id"], "message `from` id")
        if psid in (self.own_id, self.client.page_id):
            return None  # the brand's own message (an echo)
        text = message_text(item.get("message"), "message")
        return Mention(
            channel=self.channel, external_id=message_id, author_id=psid,
            author_name=label(sender.get("name")), author_handle=label(sender.get("username")), text=text,
            created_at=parse_time(item.get("created_time")),
            reply_to=ReplyTarget(self.channel, thread_id=psid, recipient_id=psid),
            thread_key=fit_key(conv_id), permalink=self.permalink(link), raw=item,
        )


def conversation_of(client: GraphClient, psid: str) -> tuple[str, str | None, str | None] | None:
    """The Messenger conversation of one customer (``conversations?user_id=``): its id as the pollers key
    the thread, its link as they make the permalink, and the customer's name; None when there is none."""
    body = client.get(f"{client.page_id}/conversations", platform="messenger", user_id=psid,
                      fields="id,link,participants")
    data = body.get("data")
    conv = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else None
    conv_id = ident_or_none(conv.get("id")) if conv else None
    if conv is None or conv_id is None:
        return None
    link = conv.get("link")
    people = conv.get("participants")
    people = people.get("data") if isinstance(people, dict) else None
    name = next((label(p.get("name")) for p in people or [] if isinstance(p, dict) and str(p.get("id")) == psid),
                None)
    return (fit_key(conv_id), url(f"https://www.facebook.com{link}") if isinstance(link, str) else None, name)
