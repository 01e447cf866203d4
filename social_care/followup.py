"""Follow-up after resolution: ask the customer, privately, whether everything is fine now.

``run(app) -> dict`` (scheduler job, every few minutes), in four idempotent steps:

1. **schedule**: a resolved post with follow-ups on gets ``followup_due_at = resolved_at + delay``.
2. **create**: when due, one ``Reply`` (kind ``followup``, status ``approved``, idempotency key
   ``followup:{post_id}``) to the customer's latest *private* conversation on that platform (X DM or
   Messenger, same ``customer_key``), handed to the reply outbox (``social_care.outbox.send_reply``).
   It is listed for a person instead (status ``needs_human`` with the reason) when there is no
   private conversation, or when Messenger's 24-hour window since the customer's last message has
   closed. Other due posts of the same customer are covered by that one message.
3. **sent**: once the outbox has sent it, ``followup_sent_at`` is set (on the covered posts too).
4. **answer**: the customer's next private message after the follow-up (within the answer window)
   is scored with ``app.scorer``: ``satisfaction`` becomes ``satisfied`` or ``unsatisfied``. An
   unhappy answer reopens the case (``cases.transition`` → ``flagged``) and pings Slack again.

``set_followup(app, post_id, enabled, actor)`` turns follow-ups off (or on again) for one post.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session, col, select

from . import cases
from .alerts import enqueue
from .app import App
from .audit import SYSTEM
from .config import FollowupSettings
from .drafting import followup_draft
from .errors import SkippableError, SocialCareError
from .models import Channel, PostStatus, ReplyKind, ReplyStatus, as_utc
from .outbox import send_reply
from .store import repo
from .store.tables import Post, Reply

__all__ = ["PRIVATE_CHANNELS", "FollowupSettings", "followup_text", "run", "set_followup"]
log = logging.getLogger(__name__)

PRIVATE_CHANNELS = tuple(c.value for c in Channel if not c.is_public)


def followup_text(app: App, post: Post, *, session: Session | None = None, channel: str | None = None,
                  now: datetime | None = None) -> str:
    """The follow-up in the customer's language, from the playbook templates a team can edit; with a session,
    in a phrasing not sent on ``channel`` recently."""
    if session is None or channel is None:
        return app.playbook.followup(lang=post.lang, name=post.author_name or post.author_handle, text=post.text,
                                     post_id=post.id).text
    return followup_draft(app.playbook, session, post, channel, now=now or app.now()).text


def run(app: App, *, send: Callable[[int], object] | None = None) -> dict[str, int]:
    """One pass of the follow-up job; returns counts of what it did.

    Each follow-up made is sent at once by ``send`` (its reply id): by default in this process through the
    outbox; scaled out, the worker's task hands each one to the ``send_reply`` task instead, so a follow-up is
    one send on the send queue like any reply. A follow-up not sent yet stays approved for the outbox."""
    cfg = app.settings.followup
    out = {"scheduled": 0, "created": 0, "needs_human": 0, "sent": 0, "answered": 0, "reopened": 0}
    if not cfg.enabled:
        return out
    now = app.now()
    with app.session() as s:
        out["scheduled"] = _schedule(s, cfg, now)
        to_send = _create_due(s, app, cfg, now, out)
    if send is None and getattr(app, "responders", None) is not None:
        send = partial(_send_now, app)
    if send is not None:
        for reply_id in to_send:
            send(reply_id)
    with app.session() as s:
        out["sent"] = _mark_sent(s)
        _answers(s, app, cfg, app.now(), out)
    return out


def _send_now(app: App, reply_id: int) -> None:
    try:
        send_reply(app, reply_id)
    except SocialCareError as exc:  # stays approved: the outbox job tries again
        log.warning("follow-up reply %s not sent yet: %s", reply_id, exc)


def _schedule(s: Session, cfg: FollowupSettings, now: datetime) -> int:
    posts = s.exec(
        select(Post)
        .where(Post.status == PostStatus.RESOLVED.value, Post.followup_enabled == True)
        .where(col(Post.followup_due_at).is_(None), col(Post.followup_sent_at).is_(None))
        .where(col(Post.followup_of_post_id).is_(None), col(Post.resolved_at).is_not(None))
        .where(col(Post.resolved_at) >= now - timedelta(days=cfg.lookback_days))
    ).all()
    for post in posts:
        post.followup_due_at = _at(post.resolved_at) + timedelta(minutes=cfg.delay_minutes)
        s.add(post)
    return len(posts)


def _create_due(s: Session, app: App, cfg: FollowupSettings, now: datetime, out: dict[str, int]) -> list[int]:
    due = s.exec(
        select(Post)
        .where(Post.status == PostStatus.RESOLVED.value, Post.followup_enabled == True)
        .where(col(Post.followup_due_at) <= now, col(Post.followup_sent_at).is_(None))
        .order_by(col(Post.resolved_at).desc(), col(Post.id).desc())
    ).all()
    if not due:
        return []
    existing = set(
        s.exec(
            select(Reply.post_id).where(
                Reply.kind == ReplyKind.FOLLOWUP.value, col(Reply.post_id).in_([p.id for p in due])
            )
        ).all()
    )
    by_customer: dict[str, list[Post]] = defaultdict(list)
    for post in due:
        by_customer[post.customer_key].append(post)
    to_send: list[int] = []
    for customer, posts in by_customer.items():
        if any(p.id in existing for p in posts) or _pending_followup(s, customer):
            continue  # one message per customer; the others are covered when it is sent
        post = posts[0]  # the latest resolved
        reply = _followup_reply(s, app, post, cfg, now)
        s.add(reply)
        s.flush()
        if reply.status == ReplyStatus.APPROVED.value:
            out["created"] += 1
            assert reply.id is not None  # given by the flush
            to_send.append(reply.id)
        else:
            out["needs_human"] += 1
            log.info("follow-up for post %s listed for a person: %s", post.id, reply.error)
    return to_send


def _at(value: datetime | None) -> datetime:
    """A time column the query has already required to be set, in UTC."""
    assert value is not None
    return as_utc(value)


def _pending_followup(s: Session, customer: str) -> bool:
    return (
        s.exec(
            select(Reply.id)
            .join(Post, col(Post.id) == col(Reply.post_id))
            .where(Post.customer_key == customer, Reply.kind == ReplyKind.FOLLOWUP.value)
            .where(col(Reply.status).in_([ReplyStatus.APPROVED.value, ReplyStatus.SENDING.value]))
        ).first()
        is not None
    )


def _followup_reply(s: Session, app: App, post: Post, cfg: FollowupSettings, now: datetime) -> Reply:
    private = s.exec(
        select(Post)
        .where(Post.customer_key == post.customer_key, col(Post.channel).in_(PRIVATE_CHANNELS))
        .order_by(col(Post.created_at).desc(), col(Post.id).desc())
    ).first()
    target = private or post
    reply = Reply.to(
        target.reply_target,
        post_id=post.id,
        kind=ReplyKind.FOLLOWUP.value,
        text=followup_text(app, post, session=s, channel=target.reply_channel, now=now),
        idempotency_key=f"followup:{post.id}",
        author=SYSTEM,
        created_at=now,
        status=ReplyStatus.APPROVED.value,
        approved_at=now,
    )
    if private is None:
        reply.status = ReplyStatus.NEEDS_HUMAN.value
        reply.error = (
            f"no private conversation with this customer on {Channel(post.channel).platform}: "
            "follow up by hand if it fits"
        )
    elif (window := Channel(private.channel).reply_window) is not None and now - as_utc(private.created_at) > window:
        reply.status = ReplyStatus.NEEDS_HUMAN.value
        reply.error = (
            f"outside {Channel(private.channel).label}'s {int(window.total_seconds() // 3600)}-hour window "
            f"(the customer's last message is from {as_utc(private.created_at):%Y-%m-%d %H:%M} UTC): "
            "follow up by hand, e.g. from Meta Business Suite"
        )
    return reply


def _mark_sent(s: Session) -> int:
    rows = s.exec(
        select(Reply, Post)
        .join(Post, col(Post.id) == col(Reply.post_id))
        .where(Reply.kind == ReplyKind.FOLLOWUP.value, Reply.status == ReplyStatus.SENT.value)
        .where(col(Post.followup_sent_at).is_(None))
    ).all()
    for reply, post in rows:
        sent_at = as_utc(reply.sent_at or reply.created_at)
        covered = s.exec(
            select(Post)
            .where(Post.customer_key == post.customer_key, Post.status == PostStatus.RESOLVED.value)
            .where(col(Post.followup_due_at) <= sent_at, col(Post.followup_sent_at).is_(None))
            .where(Post.followup_enabled == True)
        ).all()
        for p in {row.id: row for row in (post, *covered)}.values():
            p.followup_sent_at = sent_at
            s.add(p)
    return len(rows)


def _answers(s: Session, app: App, cfg: FollowupSettings, now: datetime, out: dict[str, int]) -> None:
    window = timedelta(hours=cfg.answer_hours)
    waiting = s.exec(
        select(Post)
        .where(col(Post.followup_sent_at).is_not(None), col(Post.satisfaction).is_(None))
        .where(col(Post.followup_sent_at) >= now - window - timedelta(days=1))
    ).all()
    by_customer: dict[str, list[Post]] = defaultdict(list)
    for post in waiting:
        by_customer[post.customer_key].append(post)
    for customer, posts in by_customer.items():
        first_sent = min(_at(p.followup_sent_at) for p in posts)
        answer = s.exec(
            select(Post)
            .where(Post.customer_key == customer, col(Post.channel).in_(PRIVATE_CHANNELS))
            .where(Post.created_at > first_sent, Post.created_at <= first_sent + window)
            .where(col(Post.followup_of_post_id).is_(None), col(Post.id).not_in([p.id for p in posts]))
            .order_by(col(Post.created_at), col(Post.id))
        ).first()
        if answer is None:
            continue
        score = app.scorer.score(answer.text)
        unhappy = bool(score.flagged) or score.label == "negative"
        verdict = "unsatisfied" if unhappy else "satisfied"
        primary = max(posts, key=lambda p: (_at(p.followup_sent_at), p.id or 0))
        answer.followup_of_post_id = primary.id
        s.add(answer)
        for post in posts:
            if _at(post.followup_sent_at) < as_utc(answer.created_at):
                post.satisfaction = verdict
                s.add(post)
        out["answered"] += 1
        if unhappy:
            _reopen(s, primary, answer, now)
            out["reopened"] += 1


def _reopen(s: Session, post: Post, answer: Post, now: datetime) -> None:
    quote = answer.text if len(answer.text) <= 120 else answer.text[:119] + "…"
    post.flagged = True
    cases.transition(s, post, PostStatus.FLAGGED, actor=SYSTEM, now=now, action="reopened",
                     note=f"customer unhappy after follow-up (post {answer.id}): {quote}")
    enqueue(
        s,
        kind="reopened",
        dedupe_key=f"reopened:{post.id}:{answer.id}",
        now=now,
        post_id=post.id,
        payload={"note": f"Answer to the follow-up: “{quote}”", "answer_post_id": answer.id},
    )
    log.info("post %s reopened: the customer is not happy after the follow-up", post.id)


def set_followup(app: App, post_id: int, enabled: bool, actor: str) -> Post:
    """Turn follow-ups on or off for one post; an unsent follow-up is withdrawn when turned off."""
    with app.session() as s:
        post = s.get(Post, post_id)
        if post is None:
            raise SkippableError(f"no post {post_id}")
        if post.followup_enabled == enabled:
            return post
        post.followup_enabled = enabled
        cases.record(s, post, "followup_on" if enabled else "followup_off", actor=actor, now=app.now())
        if not enabled:
            for reply in s.exec(
                select(Reply)
                .where(Reply.post_id == post_id, Reply.kind == ReplyKind.FOLLOWUP.value)
                .where(col(Reply.status).in_([ReplyStatus.APPROVED.value, ReplyStatus.NEEDS_HUMAN.value]))
            ).all():
                repo.discard_reply(s, reply)
        log.info("follow-up for post %s turned %s by %s", post_id, "on" if enabled else "off", actor)
        return post
