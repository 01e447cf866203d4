"""The post read model (the post, its conversation, history, replies and activity) shared by the post page,
the JSON API and ``social-care show``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from .models import Channel, ReplyStatus, as_utc
from .queue import QueueRow, queue_row
from .store.tables import Post, Reply, StatusEvent, User
from .workflow import Viewer, draft_for

if TYPE_CHECKING:
    from .config import Settings

__all__ = ["PostDetail", "TimelineItem", "load_post_detail", "post_dict", "reply_dict", "team"]

CONVERSATION_LIMIT = 200
HISTORY_LIMIT = 50
ACTIVITY_LIMIT = 100


@dataclass
class TimelineItem:
    who: str  # "customer" | "brand"
    author: str
    text: str
    at: datetime
    post_id: int | None = None
    reply_status: str | None = None
    is_current: bool = False


@dataclass
class PostDetail:
    row: QueueRow
    conversation: list[TimelineItem]
    history: list[Post]  # the same customer's other posts (every channel of the platform)
    draft: Reply | None
    replies: list[Reply]  # every reply to this post (sent, failed, approved, …) except the open draft
    activity: list[StatusEvent]  # the post's audit trail, newest first
    viewers: list[Viewer] = field(default_factory=list)
    max_length: int = 2_000

    @property
    def post(self) -> Post:
        return self.row.post


def team(session: Session) -> list[User]:
    return list(session.exec(select(User).where(User.is_active == True).order_by(User.username)).all())


def load_post_detail(session: Session, settings: Settings, post: Post, *, now: datetime) -> PostDetail:
    targets = {ch: settings.response_target_minutes(ch) for ch in (c.value for c in Channel)}
    row = queue_row(post, targets, now)
    # the conversation: the thread's customer posts and the brand's replies to them, in time order
    if post.thread_key:
        thread = list(
            session.exec(
                select(Post)
                .where(Post.channel == post.channel, Post.thread_key == post.thread_key)
                .order_by(col(Post.created_at).desc())
                .limit(CONVERSATION_LIMIT)
            ).all()
        )
    else:
        thread = [post]
    if post not in thread:
        thread.append(post)
    ids = [p.id for p in thread]
    sent = session.exec(
        select(Reply).where(col(Reply.post_id).in_(ids), Reply.status == ReplyStatus.SENT.value)
    ).all()
    items = [
        TimelineItem(
            who="customer",
            author=_author(p),
            text=p.text,
            at=as_utc(p.created_at),
            post_id=p.id,
            is_current=p.id == post.id,
        )
        for p in thread
    ]
    items += [
        TimelineItem(
            who="brand",
            author=r.author or "brand",
            text=r.text,
            at=as_utc(r.sent_at or r.approved_at or r.created_at),
            post_id=r.post_id,
            reply_status=r.status,
        )
        for r in sent
    ]
    items.sort(key=lambda i: (i.at, 0 if i.who == "customer" else 1))
    history = list(
        session.exec(
            select(Post)
            .where(Post.customer_key == post.customer_key, Post.id != post.id)
            .order_by(col(Post.created_at).desc())
            .limit(HISTORY_LIMIT)
        ).all()
    )
    draft = draft_for(session, post.id) if post.id is not None else None
    if draft is None:
        draft = session.exec(
            select(Reply).where(Reply.post_id == post.id, Reply.status == ReplyStatus.DRAFT.value).order_by(
                col(Reply.id).desc()
            )
        ).first()
    replies = [
        r
        for r in session.exec(select(Reply).where(Reply.post_id == post.id).order_by(col(Reply.id))).all()
        if draft is None or r.id != draft.id
    ]
    activity = list(
        session.exec(
            select(StatusEvent)
            .where(StatusEvent.post_id == post.id)
            .order_by(col(StatusEvent.at).desc(), col(StatusEvent.id).desc())
            .limit(ACTIVITY_LIMIT)
        ).all()
    )
    return PostDetail(
        row=row,
        conversation=items,
        history=history,
        draft=draft,
        replies=replies,
        activity=activity,
        max_length=Channel(post.reply_channel).reply_limit,
    )


def _author(p: Post) -> str:
    if p.author_handle:
        return Channel(p.channel).handle_prefix + p.author_handle
    return p.author_name or p.author_id


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value else None


def reply_dict(r: Reply) -> dict[str, Any]:
    """A reply as JSON (no idempotency keys or other internals)."""
    return {
        "id": r.id,
        "kind": r.kind,
        "channel": r.channel,
        "status": r.status,
        "text": r.text,
        "author": r.author,
        "error": r.error,
        "created_at": _iso(r.created_at),
        "approved_at": _iso(r.approved_at),
        "sent_at": _iso(r.sent_at),
    }


def post_dict(d: PostDetail) -> dict[str, Any]:
    p = d.post
    out = d.row.as_dict()
    out.update(
        {
            "permalink": p.permalink,
            "customer_key": p.customer_key,
            "thread_key": p.thread_key,
            "first_response_at": _iso(p.first_response_at),
            "resolved_at": _iso(p.resolved_at),
            "reply_channel": p.reply_channel,
            "max_reply_length": d.max_length,
            "draft": reply_dict(d.draft) if d.draft else None,
            "replies": [reply_dict(r) for r in d.replies],
            "conversation": [
                {
                    "who": i.who,
                    "author": i.author,
                    "text": i.text,
                    "at": i.at.isoformat(),
                    "post_id": i.post_id,
                    "current": i.is_current,
                }
                for i in d.conversation
            ],
            "history": [
                {
                    "id": h.id,
                    "channel": h.channel,
                    "text": h.text,
                    "status": h.status,
                    "created_at": _iso(h.created_at),
                }
                for h in d.history
            ],
            "viewers": [{"username": v.username, "seen_at": v.seen_at.isoformat()} for v in d.viewers],
            "activity": [
                {
                    "actor": a.actor,
                    "action": a.action,
                    "from_status": a.from_status,
                    "to_status": a.to_status,
                    "reply_id": a.reply_id,
                    "detail": a.detail,
                    "at": _iso(a.at),
                    "version": a.version,
                }
                for a in d.activity
            ],
        }
    )
    return out
