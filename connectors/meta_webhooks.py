"""Meta webhook deliveries → the same ``Mention`` the Graph pollers make for the same post.

``object: "page"``: feed ``comment`` changes (add, edited, remove) and visitor posts become
``facebook.comment``; Messenger ``message`` events become ``facebook.messenger``. ``object: "instagram"``
(``entry[].id`` the business account): ``comments`` changes become ``instagram.comment`` and ``messaging``
events ``instagram.dm``. The brand's own comments and message echoes are dropped. The pollers' fields are
matched exactly: ids, author, text, ``created_time`` in whole seconds, reply target, thread key and parent.
What a delivery does not carry (an Instagram comment's time and its media's link, a DM's conversation) is
looked up once by the ingest (``LOOKUP``). Payload shapes: platforms.md §3.1, docs/instagram.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from social_care.errors import SkippableError
from social_care.models import Channel, Mention, ReplyTarget

from .base import fit_key, ident, ident_or_none, label, message_text, parse_time
from .webhook_events import Edit, Removal, WebhookEvents, WebhookPayloadError, epoch_time

__all__ = ["LOOKUP", "parse_meta"]
PLATFORM = "facebook"
LOOKUP = "lookup"  # key in ``raw``: the fields the ingest still asks the Graph API for
POST_ITEMS = frozenset({"post", "status", "photo", "video"})  # a visitor's post on the Page's feed


def parse_meta(body: Any, *, page_id: str | None, ig_user_id: str | None = None) -> WebhookEvents:
    """Read one delivery; WebhookPayloadError when it is not a Meta delivery object at all. Instagram
    deliveries are read only when ``ig_user_id`` (the business account) is configured."""
    if not isinstance(body, dict):
        raise WebhookPayloadError("the body is not a JSON object")
    out = WebhookEvents()
    kind = body.get("object")
    if kind not in ("page", "instagram") or (kind == "instagram" and not ig_user_id):
        out.unknown.append(f"object {str(kind)[:40]!r}")
        return out
    entries = body.get("entry")
    if not isinstance(entries, list):
        raise WebhookPayloadError("`entry` is not a list")
    own = page_id if kind == "page" else ig_user_id
    out.source = "instagram" if kind == "instagram" else None
    for entry in entries:
        if not isinstance(entry, dict):
            out.skip(PLATFORM, entry, "entry is not an object")
            continue
        entry_owner = ident_or_none(entry.get("id"))
        if own and entry_owner and entry_owner != own:
            out.unknown.append(f"entry for another {'Page' if kind == 'page' else 'account'} {entry_owner[:24]!r}")
            continue
        owner = own or entry_owner or ""
        changes, messaging = entry.get("changes"), entry.get("messaging")
        if not isinstance(changes, list) and not isinstance(messaging, list):
            out.unknown.append("entry without changes or messaging")
        for change in changes if isinstance(changes, list) else []:
            out.entries += 1
            if kind == "page":
                _change(change, owner, out)
            else:
                _ig_change(change, owner, entry.get("time"), out)
        for event in messaging if isinstance(messaging, list) else []:
            out.entries += 1
            _messaging(event, owner, MESSENGER if kind == "page" else INSTAGRAM_DM, out)
    return out


def _change_value(change: Any, wanted: str, label: str, out: WebhookEvents) -> dict[str, Any] | None:
    """The ``value`` of a change of field ``wanted``; None (skipped or counted as unknown) otherwise."""
    if not isinstance(change, dict):
        out.skip(PLATFORM, change, "change is not an object")
        return None
    field, value = change.get("field"), change.get("value")
    if field != wanted or not isinstance(value, dict):
        out.unknown.append(f"{label}field {str(field)[:40]!r}")
        return None
    return value


def _change(change: Any, page: str, out: WebhookEvents) -> None:
    value = _change_value(change, "feed", "", out)
    if value is None:
        return
    item, verb = value.get("item"), value.get("verb")
    if item not in ("comment", *POST_ITEMS) or verb not in ("add", "edited", "remove"):
        out.unknown.append(f"feed {str(item)[:24]} {str(verb)[:16]}")
        return
    try:
        if verb == "remove":
            external = value.get("comment_id") if item == "comment" else value.get("post_id")
            at = _created(value) if value.get("created_time") is not None else None
            removal = Removal(Channel.FACEBOOK_COMMENT, ident(external, f"removed {item} id"), at)
            out.removals.append(removal)
            return
        mention = _comment(value, page) if item == "comment" else _visitor_post(value, page)
    except SkippableError as exc:
        out.skip(PLATFORM, {"id": value.get("comment_id") or value.get("post_id")}, str(exc))
        return
    if mention is None:
        out.dropped += 1
    elif verb == "edited":
        out.edits.append(Edit(mention))
    else:
        out.mentions.append(mention)


def _created(value: dict[str, Any]) -> Any:
    """``created_time`` as Meta sends it (epoch seconds), or an ISO time like the Graph API's."""
    raw = value.get("created_time")
    if isinstance(raw, str) and not raw.strip().isdigit():
        return parse_time(raw)
    return epoch_time(raw, millis=False, whole_seconds=True)


def _author(value: dict[str, Any], what: str) -> tuple[str, str | None]:
    author = value.get("from")
    if not isinstance(author, dict) or not author.get("id"):
        raise SkippableError(f"{what} without `from`")
    return ident(author["id"], f"{what} `from` id"), label(author.get("name"))


def _comment(value: dict[str, Any], page: str) -> Mention | None:
    comment_id = ident(value.get("comment_id"), "comment_id")
    post_id = ident(value.get("post_id"), "post_id")
    author_id, name = _author(value, "comment")
    if author_id == page:
        return None  # the Page's own comment
    text = message_text(value.get("message"), "comment")
    parent = ident_or_none(value.get("parent_id"))
    top = parent if parent and parent != post_id else comment_id
    return Mention(
        channel=Channel.FACEBOOK_COMMENT, external_id=comment_id, author_id=author_id, author_name=name, text=text,
        created_at=_created(value),
        reply_to=ReplyTarget(Channel.FACEBOOK_COMMENT, thread_id=comment_id, recipient_id=author_id),
        thread_key=fit_key(f"{post_id}:{top}"), parent_external_id=parent or post_id,
        raw={"webhook": "meta", **value},
    )


def _visitor_post(value: dict[str, Any], page: str) -> Mention | None:
    post_id = ident(value.get("post_id"), "post_id")
    author_id, name = _author(value, "post")
    if author_id == page or not value.get("message"):
        return None  # the Page's own post, or one without words (a photo alone)
    return Mention(
        channel=Channel.FACEBOOK_COMMENT, external_id=post_id, author_id=author_id, author_name=name,
        text=message_text(value.get("message"), "visitor post"), created_at=_created(value),
        reply_to=ReplyTarget(Channel.FACEBOOK_COMMENT, thread_id=post_id, recipient_id=author_id),
        thread_key=post_id, raw={"webhook": "meta", **value},
    )


@dataclass(frozen=True, slots=True)
class _Inbox:
    """What differs between Messenger's and Instagram's ``messaging`` events, which share one shape
    (platforms.md §3.1, docs/instagram.md): the channel, how an unread kind is named in the counts, and
    whether a ``message.is_deleted`` is dropped (Instagram documents it on the event; Messenger does not)."""

    channel: Channel
    label: str
    drops_deleted: bool


MESSENGER = _Inbox(Channel.MESSENGER, "", drops_deleted=False)
INSTAGRAM_DM = _Inbox(Channel.INSTAGRAM_DM, "instagram ", drops_deleted=True)


def _messaging(event: Any, own: str, inbox: _Inbox, out: WebhookEvents) -> None:
    """A ``message`` event (Messenger's shape, on both platforms). Echoes of the Page's or account's own
    messages (``is_echo``) and messages from ``own`` are dropped; the conversation id is not in the event
    and the ingest fills it in (for Instagram also the sender's username)."""
    if not isinstance(event, dict):
        out.skip(PLATFORM, event, "messaging event is not an object")
        return
    message = event.get("message")
    if not isinstance(message, dict):
        kinds = [k for k in event if k not in ("sender", "recipient", "timestamp")]
        out.unknown.append(f"{inbox.label}messaging {str(kinds[:1])[:40]}")
        return
    if message.get("is_echo") or (inbox.drops_deleted and message.get("is_deleted")):
        out.dropped += 1
        return
    try:
        sender = event.get("sender")
        sender_id = ident(sender.get("id") if isinstance(sender, dict) else None, "messaging sender id")
        if sender_id == own:
            out.dropped += 1
            return
        mid = ident(message.get("mid"), "message mid")
        if "text" not in message:
            out.unknown.append(f"{inbox.label}message without text (attachment)")
            return
        text = message_text(message.get("text"), "message")
        created = epoch_time(event.get("timestamp"), millis=True, whole_seconds=True)
    except SkippableError as exc:
        out.skip(PLATFORM, {"id": message.get("mid")}, str(exc))
        return
    out.mentions.append(Mention(
        channel=inbox.channel, external_id=mid, author_id=sender_id, text=text, created_at=created,
        reply_to=ReplyTarget(inbox.channel, thread_id=sender_id, recipient_id=sender_id),
        thread_key=None, raw={"webhook": "meta", **event},
    ))


# ---- Instagram ---------------------------------------------------------------------------------------------
def _ig_change(change: Any, account: str, sent: Any, out: WebhookEvents) -> None:
    """A ``comments`` change: ``value {id, text, from {id, username}, media {id}, parent_id}``. It carries no
    time of its own (``entry.time`` is when Meta sent it): the ingest reads the comment's ``timestamp``."""
    value = _change_value(change, "comments", "instagram ", out)
    if value is None:
        return
    try:
        comment_id = ident(value.get("id"), "comment id")
        author = value.get("from")
        if not isinstance(author, dict) or not author.get("id"):
            raise SkippableError("comment without `from`")
        author_id = ident(author["id"], "comment `from` id")
        if author_id == account:
            out.dropped += 1  # the business account's own comment or reply
            return
        media = value.get("media")
        media_id = ident(media.get("id") if isinstance(media, dict) else None, "comment media id")
        text = message_text(value.get("text"), "comment")
        sent_at = epoch_time(sent, millis=False, whole_seconds=True)  # until the ingest reads the real time
    except SkippableError as exc:
        out.skip(PLATFORM, value, str(exc))
        return
    parent = ident_or_none(value.get("parent_id"))
    top = parent or comment_id  # replies are one level deep: a reply's parent is the top-level comment
    out.mentions.append(Mention(
        channel=Channel.INSTAGRAM_COMMENT, external_id=comment_id, author_id=author_id,
        author_handle=label(author.get("username")), text=text, created_at=sent_at,
        reply_to=ReplyTarget(Channel.INSTAGRAM_COMMENT, thread_id=top, recipient_id=author_id),
        thread_key=fit_key(f"{media_id}:{top}"), parent_external_id=top if parent else media_id,
        raw={"webhook": "meta", LOOKUP: {"comment": comment_id, "media": media_id}, **value},
    ))
