"""A verified delivery into the store, through the pipeline's own ingest: one transaction, committed
before the platform gets its 200. A post that also arrives by a retried delivery or by a poll is the
same row (unique on channel + external_id); edits and removals (in whatever order they come) are
``changes``'s."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from connectors.base import fit_key
from connectors.facebook import GraphClient, MessengerConversations, conversation_of
from connectors.instagram import InstagramComments, comment_details, ig_conversation_of
from connectors.meta_webhooks import LOOKUP
from connectors.webhook_events import WebhookEvents
from social_care.models import Channel, Mention, as_utc

from ..alerts import enqueue
from ..alerts.rules import _existing
from ..pipeline import ingest, ingest_many
from ..store.repo import NewPost
from ..store.tables import Alert, Post, Reply, WebhookState, table_of
from .changes import apply_edits, apply_removals, removed_early, split_edits

if TYPE_CHECKING:
    from ..app import App

__all__ = ["DeliveryResult", "ingest_delivery", "record_rejected", "state_row"]
log = logging.getLogger(__name__)


@dataclass
class DeliveryResult:
    platform: str
    entries: int = 0
    stored: int = 0
    flagged: int = 0
    duplicates: int = 0
    edited: int = 0
    removed: int = 0
    dropped: int = 0
    unknown: int = 0
    skipped: int = 0
    new_post_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out.pop("new_post_ids")
        return out


def state_row(session: Session, platform: str) -> WebhookState:
    row = session.get(WebhookState, platform)
    if row is None:
        row = WebhookState(platform=platform)
        session.add(row)
    return row


def record_rejected(app: App, platform: str, reason: str) -> None:
    """Count a refused delivery (its reason, never its body or signature) for ``webhooks status``."""
    try:
        with app.session() as s:
            row = state_row(s, platform)
            row.rejected += 1
            row.last_rejected_at, row.last_rejected_reason = app.now(), reason[:500]
    except Exception as exc:  # noqa: BLE001 - counting must never turn a 4xx into a 500
        log.warning("webhooks.%s: could not count a rejected delivery: %s", platform, type(exc).__name__)


def ingest_delivery(app: App, platform: str, events: WebhookEvents) -> DeliveryResult:
    """Store what one delivery carries, in one transaction; retried once if a concurrent delivery or poll
    stored the same post first (the second attempt finds it and drops it)."""
    for attempt in (1, 2):
        try:
            return _ingest_once(app, platform, events)
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("webhooks.%s: a post of this delivery was stored concurrently; reading it again", platform)
    raise AssertionError("unreachable")


def _ingest_once(app: App, platform: str, events: WebhookEvents) -> DeliveryResult:
    now = app.now()
    result = DeliveryResult(platform=platform, entries=events.entries, dropped=events.dropped,
                            unknown=len(events.unknown), skipped=len(events.skipped))
    # Graph look-ups before the transaction: no lock held
    conversations = _messenger_conversations(app, events.mentions)
    instagram = _instagram_details(app, events.mentions)
    with app.session() as s:
        edits_known, edits_new = split_edits(s, events)
        mentions = _dedupe([*events.mentions, *edits_new])
        mentions = [_with_thread(s, instagram.get((m.channel, m.external_id), m), conversations)
                    for m in mentions]
        # a few posts go the poll's way, drafted in this transaction; a large batch is written in bulk and
        # drafted just after the 200 (pipeline.draft_pending)
        fresh: list[Post] | list[NewPost] = (ingest(app, s, mentions) if len(mentions) <= INLINE_DRAFTS
                            else ingest_many(app, s, mentions))
        result.stored = len(fresh)
        result.duplicates = len(mentions) - len(fresh)
        result.flagged = sum(1 for p in fresh if p.flagged)
        result.removed = removed_early(s, fresh, now)  # their removals came first
        result.edited, reflagged = apply_edits(app, s, edits_known, now, bulk=len(edits_known) > INLINE_DRAFTS)
        result.flagged += len(reflagged)
        result.removed += apply_removals(s, events.removals, now)
        _ping_flagged(app, s, [*fresh, *reflagged], now)
        row = state_row(s, platform)
        row.accepted += 1
        row.events += events.entries
        row.unknown += len(events.unknown)
        row.last_delivery_at = now
        s.flush()
        result.new_post_ids = [p.id for p in fresh if p.id is not None]
    return result


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    """One mention per (channel, id) in a delivery: the last one wins (an add then its edit)."""
    seen: dict[tuple[str, str], Mention] = {}
    for m in mentions:
        seen[(m.channel.value, m.external_id)] = m
    return list(seen.values())


INLINE_DRAFTS = 25  # deliveries up to this many new posts are drafted before the 200 (as a poll drafts)
MAX_LOOKUPS = 10  # Graph look-ups per delivery: the answer stays well inside Meta's 20 s deadline


def _graph_client(app: App, streams: tuple[str, ...]) -> GraphClient | None:
    """The Graph API client of the first configured Meta stream among ``streams`` (None: none is polled)."""
    for c in app.connectors:
        if c.stream in streams and isinstance(c, MessengerConversations | InstagramComments):
            return c.client
    return None


def _messenger_conversations(app: App, mentions: list[Mention]) -> dict[str, tuple[str, str | None, str | None]]:
    """A Messenger event names the customer (PSID) but not the conversation, nor the customer's name: for a
    customer the store does not know yet, ask the Graph API once (``conversations?user_id=``), so the post
    gets the thread, link and name a poll gives it (and the draft greets them by name)."""
    psids = sorted({m.author_id for m in mentions if m.channel == Channel.MESSENGER})
    if not psids:
        return {}
    with app.session() as s:
        known = set(s.exec(select(Post.author_id).where(Post.channel == Channel.MESSENGER.value,
                                                        col(Post.author_id).in_(psids))).all())
    wanted = [p for p in psids if p not in known][:MAX_LOOKUPS]
    client = _graph_client(app, ("facebook.messenger",))
    if not wanted or client is None:
        return {}
    out: dict[str, tuple[str, str | None, str | None]] = {}
    for psid in wanted:
        try:
            found = conversation_of(client, psid)
        except Exception as exc:  # noqa: BLE001 - the next poll fills the thread in; the post is stored now
            log.info("webhooks.facebook: no conversation for a Messenger customer yet (%s)", type(exc).__name__)
            break
        if found is not None:
            out[psid] = found
    return out


def _instagram_details(app: App, mentions: list[Mention]) -> dict[tuple[Channel, str], Mention]:
    """What an Instagram delivery does not carry, read once from the Graph API for posts the store does not
    have yet: a comment's own time and its media's link; a DM's conversation and the sender's username. A
    post whose look-up fails keeps what the delivery says (``entry.time``, a thread per customer) until a poll
    reads it."""
    wanted = [m for m in mentions if (m.channel == Channel.INSTAGRAM_COMMENT and LOOKUP in (m.raw or {}))
              or m.channel == Channel.INSTAGRAM_DM]
    if not wanted:
        return {}
    with app.session() as s:
        known = set(s.exec(select(Post.channel, Post.external_id).where(
            col(Post.channel).in_([Channel.INSTAGRAM_COMMENT.value, Channel.INSTAGRAM_DM.value]),
            col(Post.external_id).in_([m.external_id for m in wanted]))).all())
        dm_authors = {m.author_id for m in wanted if m.channel == Channel.INSTAGRAM_DM}
        threads: dict[str, tuple[str | None, str | None]] = {
            row[0]: (row[1], row[2]) for row in s.exec(
                select(Post.author_id, Post.thread_key, Post.author_handle)
                .where(Post.channel == Channel.INSTAGRAM_DM.value, col(Post.author_id).in_(dm_authors),
                       col(Post.thread_key).is_not(None)).order_by(col(Post.id)))}
    client = _graph_client(app, ("instagram.comments", "instagram.dms"))
    out: dict[tuple[Channel, str], Mention] = {}
    links: dict[str, str | None] = {}
    lookups = 0
    for m in wanted:
        if (m.channel.value, m.external_id) in known:
            continue  # stored already: the delivery is a duplicate and is dropped as such
        if m.channel == Channel.INSTAGRAM_DM and m.author_id in threads:
            thread, handle = threads[m.author_id]
            out[(m.channel, m.external_id)] = dataclasses.replace(m, thread_key=thread, author_handle=handle)
            continue
        if client is None or lookups >= MAX_LOOKUPS:
            continue
        lookups += 1
        try:
            if m.channel == Channel.INSTAGRAM_COMMENT:
                created, link = comment_details(client, m.raw[LOOKUP]["comment"], m.raw[LOOKUP]["media"],
                                                links)
                out[(m.channel, m.external_id)] = dataclasses.replace(m, created_at=created, permalink=link)
            else:
                found = ig_conversation_of(client, m.author_id)
                if found is not None:
                    threads[m.author_id] = found
                    out[(m.channel, m.external_id)] = dataclasses.replace(m, thread_key=found[0],
                                                                          author_handle=found[1])
        except Exception as exc:  # noqa: BLE001 - the post is stored now; the next poll has the rest
            log.info("webhooks.facebook: no Instagram details for %s yet (%s)", m.external_id, type(exc).__name__)
            break
    return out


def _with_thread(s: Session, m: Mention, conversations: dict[str, tuple[str, str | None, str | None]]) -> Mention:
    """Fill in a thread key the delivery does not carry, from what the store already knows, so the post
    joins its conversation as a polled one would (the next poll corrects it if it differs)."""
    if m.thread_key is not None:
        return m
    if m.channel == Channel.X_MENTION and m.parent_external_id:
        parent = s.exec(select(Post.thread_key).where(Post.channel == m.channel.value,
                                                     Post.external_id == m.parent_external_id)).first()
        if parent is None:  # it answers one of the brand's replies
            parent = s.exec(
                select(Post.thread_key).join(Reply, col(Reply.post_id) == col(Post.id))
                .where(Reply.channel == m.channel.value, Reply.external_id == m.parent_external_id)
            ).first()
        return dataclasses.replace(m, thread_key=parent or fit_key(m.parent_external_id))
    if m.channel == Channel.MESSENGER:
        if m.author_id in conversations:
            thread, link, name = conversations[m.author_id]
            return dataclasses.replace(m, thread_key=thread, permalink=link, author_name=name or m.author_name)
        earlier = s.exec(
            select(Post.thread_key, Post.permalink, Post.author_name)
            .where(Post.channel == m.channel.value, Post.author_id == m.author_id, col(Post.thread_key).is_not(None))
            .order_by(col(Post.id).desc())
        ).first()
        if earlier is not None:
            return dataclasses.replace(m, thread_key=earlier[0], permalink=earlier[1],
                                       author_name=m.author_name or earlier[2])
        return dataclasses.replace(m, thread_key=fit_key(f"psid:{m.author_id}"))
    if m.channel == Channel.INSTAGRAM_DM:
        return dataclasses.replace(m, thread_key=fit_key(f"igsid:{m.author_id}"))
    return m


def _ping_flagged(app: App, s: Session, fresh: Sequence[Post | NewPost], now: datetime) -> None:
    """The Slack ping for a flagged post is queued in the same transaction (the alert rule's own dedupe
    key, so the scheduled rule does not queue it again); the sender is woken after the commit."""
    flagged = [p for p in fresh if p.flagged]
    if not flagged or not app.settings.alerts.enabled:
        return
    if len(flagged) == 1:
        enqueue(s, kind="flagged", dedupe_key=f"flagged:{flagged[0].id}", now=now, post_id=flagged[0].id)
        return

    known = _existing(s, (f"flagged:{p.id}" for p in flagged))
    rows: list[dict[str, Any]] = [
        {"kind": "flagged", "dedupe_key": f"flagged:{p.id}", "post_id": p.id, "payload": {}, "status": "pending",
         "attempts": 0, "created_at": now} for p in flagged if f"flagged:{p.id}" not in known]
    if rows:  # fresh posts: their keys are new unless the scheduled rule raced us
        s.connection().execute(insert(table_of(Alert)), rows)


def last_delivery(session: Session, platform: str) -> datetime | None:
    row = session.get(WebhookState, platform)
    return as_utc(row.last_delivery_at) if row is not None and row.last_delivery_at is not None else None
