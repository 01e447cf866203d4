"""Meta (Page) webhook deliveries → the same ``Mention`` the Graph pollers make for the same post.

Feed ``comment`` changes (add, edited, remove) and visitor posts become ``facebook.comment``; Messenger
``message`` events become ``facebook.messenger``. The Page's own comments and message echoes are dropped.
The pollers' fields are matched exactly: ids, author, text, ``created_time`` in whole seconds, reply target,
thread key and parent. Payload shapes: platforms.md §3.1.
"""

from __future__ import annotations

from typing import Any

from social_care.errors import SkippableError
from social_care.models import Channel, Mention, ReplyTarget

from .base import fit_key, ident, ident_or_none, label, message_text, parse_time
from .webhook_events import Edit, Removal, WebhookEvents, WebhookPayloadError, epoch_time

__all__ = ["parse_meta"]
PLATFORM = "facebook"
POST_ITEMS = frozenset({"post", "status", "photo", "video"})  # a visitor's post on the Page's feed


def parse_meta(body: Any, *, page_id: str | None) -> WebhookEvents:
    """Read one delivery; WebhookPayloadError when it is not a Meta delivery object at all."""
    if not isinstance(body, dict):
        raise WebhookPayloadError("the body is not a JSON object")
    out = WebhookEvents()
    if body.get("object") != "page":
        out.unknown.append(f"object {str(body.get('object'))[:40]!r}")
        return out
    entries = body.get("entry")
    if not isinstance(entries, list):
        raise WebhookPayloadError("`entry` is not a list")
    for entry in entries:
        if not isinstance(entry, dict):
            out.skip(PLATFORM, entry, "entry is not an object")
            continue
        entry_page = ident_or_none(entry.get("id"))
        if page_id and entry_page and entry_page != page_id:
            out.unknown.append(f"entry for another Page {entry_page[:24]!r}")
            continue
        page = page_id or entry_page or ""
        changes, messaging = entry.get("changes"), entry.get("messaging")
        if not isinstance(changes, list) and not isinstance(messaging, list):
            out.unknown.append("entry without changes or messaging")
        for change in changes if isinstance(changes, list) else []:
            out.entries += 1
            _change(change, page, out)
        for event in messaging if isinstance(messaging, list) else []:
            out.entries += 1
            _messaging(event, page, out)
    return out


def _change(change: Any, page: str, out: WebhookEvents) -> None:
    if not isinstance(change, dict):
        out.skip(PLATFORM, change, "change is not an object")
        return
    field, value = change.get("field"), change.get("value")
    if field != "feed" or not isinstance(value, dict):
        out.unknown.append(f"field {str(field)[:40]!r}")
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


def _messaging(event: Any, page: str, out: WebhookEvents) -> None:
    if not isinstance(event, dict):
        out.skip(PLATFORM, event, "messaging event is not an object")
        return
    message = event.get("message")
    if not isinstance(message, dict):
        kinds = [k for k in event if k not in ("sender", "recipient", "timestamp")]
        out.unknown.append(f"messaging {str(kinds[:1])[:40]}")
        return
    if message.get("is_echo"):
        out.dropped += 1  # the Page's own message coming back
        return
    try:
        sender = event.get("sender")
        psid = ident(sender.get("id") if isinstance(sender, dict) else None, "messaging sender id")
        if psid == page:
            out.dropped += 1
            return
        mid = ident(message.get("mid"), "message mid")
        if "text" not in message:
            out.unknown.append("message without text (attachment)")
            return
        text = message_text(message.get("text"), "message")
        created = epoch_time(event.get("timestamp"), millis=True, whole_seconds=True)
    except SkippableError as exc:
        out.skip(PLATFORM, {"id": message.get("mid")}, str(exc))
        return
    out.mentions.append(Mention(
        channel=Channel.MESSENGER, external_id=mid, author_id=psid, text=text, created_at=created,
        reply_to=ReplyTarget(Channel.MESSENGER, thread_id=psid, recipient_id=psid),
        thread_key=None,  # the conversation id is not in the event: the store fills it in (ingest)
        raw={"webhook": "meta", **event},
    ))
