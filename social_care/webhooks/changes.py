"""What a delivery says about posts that already exist, or soon will: an author's edit and an author's
removal. An edit updates the stored text, keeps the old one in the post's event log and scores the post
again through the pipeline (``pipeline.rescore``: an untouched post the edit makes unhappy is flagged,
drafted and pinged like a new one; a post already answered or closed keeps its status). A removal marks the
post, never deletes it; one that arrives before the post (platforms deliver late and out of order) is kept
in ``early_removals`` so the post is stored as removed by its author when it comes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from connectors.webhook_events import Removal, WebhookEvents
from social_care.models import Mention, as_utc

from .. import cases
from ..audit import SYSTEM
from ..pipeline import rescore
from ..store.tables import EarlyRemoval, Post

if TYPE_CHECKING:
    from ..app import App

__all__ = ["apply_edits", "apply_removals", "find", "removed_early", "split_edits"]
log = logging.getLogger(__name__)
REMOVED_NOTE = "the customer removed the post on the platform; it is kept here"


def find(s: Session, channel: str, external_id: str) -> Post | None:
    return s.exec(select(Post).where(Post.channel == channel, Post.external_id == external_id)).first()


def split_edits(s: Session, events: WebhookEvents) -> tuple[list[tuple[Post | None, Mention]], list[Mention]]:
    """Edits of stored posts (``None``: added in this same delivery, found once it is stored), and edits of
    posts not stored yet (stored as they now read)."""
    known: list[tuple[Post | None, Mention]] = []
    new: list[Mention] = []
    added = {(m.channel.value, m.external_id) for m in events.mentions}
    for edit in events.edits:
        m = edit.mention
        post = find(s, m.channel.value, m.external_id)
        if post is not None:
            known.append((post, m))
        elif (m.channel.value, m.external_id) in added:
            known.append((None, m))
        else:
            new.append(m)
    return known, new


def apply_edits(
    app: App, s: Session, edits: list[tuple[Post | None, Mention]], now: datetime, *, bulk: bool = False
) -> tuple[int, list[Post]]:
    """The new text of each edited post, the old one in its log, then the post scored again (``bulk``: by
    the fast stage alone, as a large batch's new posts are). Returns how many posts changed and the open
    posts the edits newly flagged (to ping, as new flagged posts are)."""
    changed: list[Post] = []
    for post, mention in edits:
        if post is None:
            post = find(s, mention.channel.value, mention.external_id)
        if post is None or post.text == mention.text:
            continue  # not stored after all, or a retried delivery of the same edit
        old = post.text
        post.text = mention.text
        cases.record(s, post, "customer_edited", actor=SYSTEM, now=now,
                     note=f"the customer edited the post; it read before: {old}")
        if not any(p is post for p in changed):
            changed.append(post)
    return len(changed), rescore(app, s, changed, now=now, bulk=bulk)


def apply_removals(s: Session, removals: Iterable[Removal], now: datetime) -> int:
    """Mark each removed post; remember a removal of a post not stored yet. Returns how many posts were
    marked now."""
    marked = 0
    for removal in removals:
        post = find(s, removal.channel.value, removal.external_id)
        if post is not None:
            marked += _mark(s, post, now, now, REMOVED_NOTE)
            continue
        key = (removal.channel.value, removal.external_id)
        if s.get(EarlyRemoval, key) is None:
            log.info("webhooks: %s %s was removed by its author before it was stored; kept for when it comes",
                     *key)
            s.add(EarlyRemoval(channel=key[0], external_id=key[1], received_at=now))
            s.flush()
    return marked


def removed_early(s: Session, new_posts: Iterable[Any], now: datetime) -> int:
    """Posts just stored whose removal came first: marked removed by their author, as of when the removal
    arrived (as if it had come in order). ``new_posts`` are stored posts or ``repo.NewPost`` rows."""
    by_key = {(p.channel, p.external_id): p.id for p in new_posts if p.id is not None}
    if not by_key:
        return 0
    pending = [r for r in s.exec(select(EarlyRemoval).where(
        col(EarlyRemoval.post_id).is_(None),
        col(EarlyRemoval.external_id).in_(sorted({k[1] for k in by_key})))).all()
        if (r.channel, r.external_id) in by_key]
    marked = 0
    for row in pending:
        post = s.get(Post, by_key[(row.channel, row.external_id)])
        if post is None:
            continue
        marked += _mark(s, post, as_utc(row.received_at), now,
                        f"{REMOVED_NOTE} (the removal arrived before the post)")
        row.post_id = post.id
        s.add(row)
    return marked


def _mark(s: Session, post: Post, removed: datetime, now: datetime, note: str) -> int:
    """``removed``: when the platform said so; ``now``: when the log learns it."""
    if post.removed_at is not None:
        return 0
    post.removed_at = removed
    cases.record(s, post, "customer_removed", actor=SYSTEM, now=now, note=note)
    return 1
