"""Instagram (Instagram API with Facebook Login, through the same ``GraphClient`` and Page token): comments
on the business account's media, and its direct messages.

* ``/{ig-user-id}/media`` (newest first) → ``/{ig-media-id}/comments`` with each comment's replies inline
  (``replies{...}``), paged on ``/{ig-comment-id}/replies`` when there are more.
* ``/{page-id}/conversations?platform=instagram`` with their messages. Instagram lets an app read only the
  20 most recent messages of a conversation: when all 20 are newer than the cursor, earlier ones may never
  be readable, and the poll says so (a note in the poll's record, which ``status`` shows).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

from social_care.errors import SkippableError
from social_care.models import Channel, Mention, ReplyTarget

from .base import (
    Batch,
    NewestFirstWindow,
    fit_key,
    ident,
    ident_or_none,
    label,
    message_text,
    parse_time,
    skip_item,
    url,
)
from .facebook import GraphClient, MessengerConversations, _listing_failed, _since

__all__ = ["InstagramComments", "InstagramMessages", "IG_MESSAGES_READABLE", "comment_details", "ig_conversation_of"]
log = logging.getLogger(__name__)

IG_MESSAGES_READABLE = 20
REPLY_FIELDS = "id,text,timestamp,from,username,parent_id"
IG_COMMENT_FIELDS = f"id,text,timestamp,from,username,replies.limit(50){{{REPLY_FIELDS}}}"
MEDIA_FIELDS = "id,caption,timestamp,permalink,comments_count"
IG_CONVERSATION_FIELDS = ("id,updated_time,participants,"
                          f"messages.limit({IG_MESSAGES_READABLE}){{id,message,from,to,created_time}}")


class InstagramComments:
    """Comments and replies on the business account's recent media."""

    stream: ClassVar[str] = "instagram.comments"
    webhook_platform: ClassVar[str | None] = "instagram"  # Meta's Instagram fields, counted apart
    channel: ClassVar[Channel] = Channel.INSTAGRAM_COMMENT

    def __init__(self, client: GraphClient, *, lookback: timedelta = timedelta(days=14)) -> None:
        if not client.ig_user_id:
            raise ValueError("InstagramComments needs the Instagram business account id")
        self.client = client
        self.ig_user_id: str = client.ig_user_id
        self.lookback = lookback

    def poll(self, cursor: str | None) -> Iterator[Batch]:
        now = self.client.clock()
        since = _since(cursor)
        newest = parse_time(cursor) if cursor else None
        media_window = NewestFirstWindow(now - self.lookback)  # media come newest first
        cuts: list[str] = []
        listing_cuts: list[str] = []
        for media_page in self.client.pages(f"{self.ig_user_id}/media", stream=self.stream, cuts=listing_cuts,
                                            fields=MEDIA_FIELDS, limit=25):
            for media in media_page:
                media_id = ident_or_none(media.get("id")) if isinstance(media, dict) else None
                if media_id is None:
                    yield Batch([], skipped=[skip_item(self.stream, media, "media without an id")])
                    continue
                try:
                    posted = parse_time(media.get("timestamp"))
                except SkippableError:
                    posted = now  # an unreadable time: read its comments rather than miss a customer
                if not media_window.keep(posted):
                    continue
                media_cuts: list[str] = []
                try:
                    mentions, skipped = self._media_comments(media, media_id, since, media_cuts)
                except SkippableError as exc:  # this media's listing is refused: only it waits
                    mentions, skipped = [], []
                    media_cuts.append(_listing_failed(self.stream, f"comments of media {media_id}", exc))
                cuts.extend(media_cuts)
                for m in mentions:
                    newest = m.created_at if newest is None or m.created_at > newest else newest
                yield Batch(mentions, skipped=skipped, cut=media_cuts)
            if media_window.done:
                break
        cuts.extend(listing_cuts)
        yield Batch([], checkpoint=None if cuts else (newest.isoformat() if newest else None), cut=listing_cuts)

    def _media_comments(self, media: dict[str, Any], media_id: str, since: datetime | None,
                        cuts: list[str]) -> tuple[list[Mention], list[str]]:
        out: list[Mention] = []
        skipped: list[str] = []
        link = url(media.get("permalink"))
        for page in self.client.pages(f"{media_id}/comments", stream=self.stream, cuts=cuts,
                                      fields=IG_COMMENT_FIELDS, limit=50):
            for item in page:
                self._keep(item, media_id, None, link, since, out, skipped)
                top = ident_or_none(item.get("id")) if isinstance(item, dict) else None
                if top is None:
                    continue
                for reply in self._replies(item, top, cuts):
                    self._keep(reply, media_id, top, link, since, out, skipped)
        return out, skipped

    def _replies(self, comment: dict[str, Any], top: str, cuts: list[str]) -> Iterator[Any]:
        inline = comment.get("replies")
        paging = inline.get("paging") if isinstance(inline, dict) else None
        if isinstance(inline, dict) and not (isinstance(paging, dict) and paging.get("next")):
            data = inline.get("data")
            yield from data if isinstance(data, list) else []
            return
        if inline is None:
            return  # no replies (Graph leaves an empty nested edge out)
        for page in self.client.pages(f"{top}/replies", stream=self.stream, cuts=cuts, fields=REPLY_FIELDS,
                                      limit=50):
            yield from page

    def _keep(self, item: Any, media_id: str, top: str | None, link: str | None, since: datetime | None,
              out: list[Mention], skipped: list[str]) -> None:
        try:
            mention = self._comment(item, media_id, top, link)
        except SkippableError as exc:
            skipped.append(skip_item(self.stream, item, str(exc)))
            return
        if mention is not None and (since is None or mention.created_at >= since):
            out.append(mention)

    def _comment(self, item: Any, media_id: str, top: str | None, link: str | None) -> Mention | None:
        if not isinstance(item, dict) or not item.get("id"):
            raise SkippableError("comment without id")
        comment_id = ident(item["id"], "comment id")
        author = item.get("from")
        if not isinstance(author, dict) or not author.get("id"):
            raise SkippableError("comment without `from` (needs instagram_manage_comments)")
        author_id = ident(author["id"], "comment `from` id")
        if author_id == self.ig_user_id:
            return None  # the business account's own comment or reply
        text = message_text(item.get("text"), "comment")
        top = top or ident_or_none(item.get("parent_id")) or comment_id
        handle = label(author.get("username")) or label(item.get("username"))
        return Mention(
            channel=Channel.INSTAGRAM_COMMENT, external_id=comment_id, author_id=author_id,
            author_handle=handle, text=text, created_at=parse_time(item.get("timestamp")),
            # Instagram replies only under a top-level comment: a reply to a reply goes there too
            reply_to=ReplyTarget(Channel.INSTAGRAM_COMMENT, thread_id=top, recipient_id=author_id),
            thread_key=fit_key(f"{media_id}:{top}"), parent_external_id=top if top != comment_id else media_id,
            permalink=link, raw=item,
        )


class InstagramMessages(MessengerConversations):
    """``/{page-id}/conversations?platform=instagram`` and their (20 most recent) messages."""

    stream: ClassVar[str] = "instagram.dms"
    webhook_platform: ClassVar[str | None] = "instagram"  # Meta's Instagram fields, counted apart
    channel: ClassVar[Channel] = Channel.INSTAGRAM_DM
    platform: ClassVar[str] = "instagram"
    fields: ClassVar[str] = IG_CONVERSATION_FIELDS

    def __init__(self, client: GraphClient) -> None:
        if not client.ig_user_id:
            raise ValueError("InstagramMessages needs the Instagram business account id")
        super().__init__(client)

    @property
    def own_id(self) -> str:
        return self.client.ig_user_id or self.client.page_id

    def permalink(self, link: Any) -> str | None:
        return None  # an Instagram conversation has no web address

    def check_unread(self, conv_id: str, window: NewestFirstWindow, read: int, notes: list[str]) -> None:
        if read >= IG_MESSAGES_READABLE and not window.done:
            note = (f"{self.stream}: conversation {conv_id}: all {read} readable messages are new; Instagram "
                    f"lets an app read only the {IG_MESSAGES_READABLE} most recent, so earlier ones may be "
                    "missing: read the conversation in the Instagram app")
            log.warning(note)
            notes.append(note)


def comment_details(client: GraphClient, comment_id: str, media_id: str,
                    links: dict[str, str | None]) -> tuple[datetime, str | None]:
    """What a ``comments`` webhook does not carry and the poll reads: the comment's ``timestamp`` and its
    media's permalink (``links`` caches the media already read)."""
    created = parse_time(client.get(comment_id, fields="timestamp").get("timestamp"))
    if media_id not in links:
        links[media_id] = url(client.get(media_id, fields="permalink").get("permalink"))
    return created, links[media_id]


def ig_conversation_of(client: GraphClient, igsid: str) -> tuple[str, str | None] | None:
    """One customer's Instagram conversation (``conversations?platform=instagram&user_id=``): its id as the
    poller keys the thread, and the customer's username; None when there is none."""
    body = client.get(f"{client.page_id}/conversations", platform="instagram", user_id=igsid,
                      fields="id,participants")
    data = body.get("data")
    conv = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else None
    conv_id = ident_or_none(conv.get("id")) if conv else None
    if conv is None or conv_id is None:
        return None
    people = conv.get("participants")
    people = people.get("data") if isinstance(people, dict) else None
    handle = next((label(p.get("username")) for p in people or []
                   if isinstance(p, dict) and str(p.get("id")) == igsid), None)
    return fit_key(conv_id), handle
