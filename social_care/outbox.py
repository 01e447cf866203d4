"""The reply outbox: draft → approved → sending → sent | failed | needs_human.

A reply is marked ``sending`` in its own committed transaction before the platform is called. A reply
found in ``sending`` later (a crash between send and mark-sent) is reconciled against the platform
first: if the platform has it, it is marked sent; only if not is it sent again. So a customer never
gets the same reply twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from . import cases, in_flight
from .app import App
from .audit import AUTOSEND, SYSTEM, reply_actor
from .drafting import options_for, recent_texts
from .errors import (
    AuthError,
    BlockedError,
    DuplicateContentError,
    FatalError,
    OutsideWindowError,
    PlatformError,
    RateLimited,
    RetriableError,
    SkippableError,
    SocialCareError,
)
from .logging_setup import redact
from .models import Channel, Delivery, PostStatus, ReplyKind, ReplyStatus, ReplyTarget, as_utc
from .playbook import check_reply, reference, with_reference
from .scale.claims import reply_claim
from .store import repo
from .store.tables import Post, Reply

__all__ = ["Claim", "OutboxResult", "claim", "deliver", "send_due", "send_reply"]
log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
CHANNEL_BLOCKED_PAUSE = timedelta(minutes=30)  # like a stream's fatal pause: a fixed token is picked up alone
RECONCILE_SLACK = timedelta(minutes=2)


@dataclass
class OutboxResult:
    sent: int = 0
    failed: int = 0
    needs_human: int = 0
    waiting: int = 0


def _send_key(channel: str) -> str:
    return f"send:{channel}"


def send_due(app: App, *, limit: int = 50) -> OutboxResult:
    """Send every approved reply that is due (and reconcile any left in ``sending``)."""
    with app.session() as s:
        ids = s.exec(
            select(Reply.id)
            .where(col(Reply.status).in_([ReplyStatus.APPROVED.value, ReplyStatus.SENDING.value]))
            .order_by(col(Reply.approved_at), col(Reply.id))
            .limit(limit)
        ).all()
    result = OutboxResult()
    for reply_id in ids:
        assert reply_id is not None  # a stored row's key
        reply = send_reply(app, reply_id)
        if reply.status == ReplyStatus.SENT.value:
            result.sent += 1
        elif reply.status == ReplyStatus.FAILED.value:
            result.failed += 1
        elif reply.status == ReplyStatus.NEEDS_HUMAN.value:
            result.needs_human += 1
        else:
            result.waiting += 1
    return result


@dataclass
class Claim:
    """An approved reply marked ``sending`` (not committed yet), with where it goes and who sends it."""

    reply: Reply
    target: ReplyTarget
    responder: Any


#: What a send ended with: the reply, and the post when the last transaction loaded it (else None).
Outcome = tuple[Reply, Post | None]


def send_reply(app: App, reply_id: int) -> Reply:
    """Deliver one approved reply on the customer's own channel; safe to call again after a crash.

    Scaled out, only the process that claims the reply sends it (``social_care.scale.claims``); another
    process's call returns the reply as it is."""
    with reply_claim(app, reply_id) as claimed:
        if claimed:
            return _send(app, reply_id)[0]
    with app.session() as s:
        reply = s.get(Reply, reply_id)
        if reply is None:
            raise SkippableError(f"no reply {reply_id}")
        return reply


def _send(app: App, reply_id: int) -> Outcome:
    with app.session() as s:
        reply = s.get(Reply, reply_id)
        if reply is None:
            raise SkippableError(f"no reply {reply_id}")
        claimed = claim(app, s, reply, now=app.now())
    return deliver(app, claimed) if isinstance(claimed, Claim) else claimed


def claim(app: App, s: Session, reply: Reply, *, now: datetime, checked: bool = False) -> Claim | Outcome:
    """In the caller's transaction: mark ``reply`` ``sending`` for ``deliver`` (a ``Claim``), or settle it
    without the platform (an ``Outcome``: not due, channel paused, found already sent, window closed,
    text refused). ``checked``: the caller has just run ``check_reply`` on this text. The caller commits
    before ``deliver`` calls the platform, so a crash in between leaves it ``sending``, checked first."""
    if reply.status not in (ReplyStatus.APPROVED.value, ReplyStatus.SENDING.value):
        return reply, None
    if reply.status == ReplyStatus.SENDING.value and in_flight.active(reply.id):
        return reply, None  # this process is sending it right now: its sender records the answer
    if reply.next_attempt_at is not None and as_utc(reply.next_attempt_at) > now:
        return reply, None
    if repo.active_pause(s, stream=_send_key(reply.channel), now=now) is not None:
        return reply, None
    target = reply.target
    try:
        responder = app.responders.for_target(target)
    except SocialCareError as exc:
        return _finish(app, s, reply, status=ReplyStatus.NEEDS_HUMAN, error=str(exc))
    if reply.status == ReplyStatus.SENDING.value:
        since = as_utc(reply.sending_at or reply.created_at) - RECONCILE_SLACK
        try:
            found = responder.find_sent(target, reply.text, since=since)
        except RetriableError as exc:
            # cannot tell whether it went out: never resend blindly; the next run checks again
            if isinstance(exc, RateLimited):
                repo.pause_stream(s, stream=_send_key(reply.channel), until=exc.reset_at,
                                  kind="rate_limit", reason=str(exc), now=now)
            reply.error = redact(f"cannot check on the platform yet whether this reply went out: {exc}")
            s.add(reply)
            log.warning("reply %s: %s", reply.id, reply.error)
            return reply, None
        except (AuthError, BlockedError) as exc:  # the channel is stopped: check again once it is fixed
            repo.pause_stream(s, stream=_send_key(reply.channel), until=now + CHANNEL_BLOCKED_PAUSE,
                              kind="fatal", reason=str(exc), now=now)
            reply.error = redact(f"cannot check on the platform yet whether this reply went out: {exc}")
            s.add(reply)
            log.warning("reply %s: %s", reply.id, reply.error)
            return reply, None
        except PlatformError as exc:
            return _finish(app, s, reply, status=ReplyStatus.NEEDS_HUMAN, error=(
                f"a crash left this reply unconfirmed and the platform cannot be checked ({exc}): "
                "look on the platform, then resend or resolve"))
        if found is not None:
            return _mark_sent(app, s, reply, found)
    unapproved = _needs_person(reply, target.channel)
    if unapproved:
        return _finish(app, s, reply, status=ReplyStatus.NEEDS_HUMAN, error=unapproved)
    problems = [] if checked else check_reply(reply.text, target.channel)
    if problems:
        return _finish(app, s, reply, status=ReplyStatus.FAILED, error="; ".join(problems))
    closed = _window_closed(s, reply, target.channel, now)
    if closed:
        return _finish(app, s, reply, status=ReplyStatus.NEEDS_HUMAN, error=closed)
    reply.status, reply.sending_at, reply.attempts = ReplyStatus.SENDING.value, now, reply.attempts + 1
    s.add(reply)
    s.flush()
    assert reply.id is not None  # given by the flush
    in_flight.mark(reply.id)
    return Claim(reply, target, responder)


def deliver(app: App, claimed: Claim) -> Outcome:
    """Send a claimed reply (its ``sending`` mark committed) and record what the platform answered."""
    reply_id = claimed.reply.id
    assert reply_id is not None
    try:
        return _deliver(app, claimed, reply_id)
    finally:
        in_flight.done(reply_id)


def _deliver(app: App, claimed: Claim, reply_id: int) -> Outcome:
    reply = claimed.reply
    try:
        delivery = claimed.responder.send(claimed.target, reply.text)
    except RateLimited as exc:
        with app.session() as s:
            repo.pause_stream(s, stream=_send_key(reply.channel), until=exc.reset_at, kind="rate_limit",
                              reason=str(exc), now=app.now())
            return _retry_later(s, reply_id, exc, at=exc.reset_at), None
    except RetriableError as exc:
        # a timeout, a dropped connection or a garbled answer may come after the platform posted the reply:
        # the reply stays `sending`, so the next attempt looks on the platform first and never sends twice
        with app.session() as s:
            return _retry_later(s, reply_id, exc, at=None, unconfirmed=True), None
    except (AuthError, BlockedError) as exc:
        # the whole channel cannot send (token, permission, policy block): the reply waits, not fails
        with app.session() as s:
            repo.pause_stream(s, stream=_send_key(reply.channel), until=app.now() + CHANNEL_BLOCKED_PAUSE,
                              kind="fatal", reason=str(exc), now=app.now())
            return _retry_later(s, reply_id, exc, at=app.now() + CHANNEL_BLOCKED_PAUSE), None
    except OutsideWindowError as exc:
        with app.session() as s:
            return _finish(app, s, s.get(Reply, reply_id), status=ReplyStatus.NEEDS_HUMAN, error=str(exc))
    except DuplicateContentError as exc:
        with app.session() as s:
            redrafted = _redraft_duplicate(app, s, s.get(Reply, reply_id), exc)
        if redrafted:
            return _send(app, reply_id)  # once: a second refusal fails with its reason
        with app.session() as s:
            left = s.get(Reply, reply_id)
            assert left is not None
            return left, None
    except (FatalError, SkippableError) as exc:
        with app.session() as s:
            return _finish(app, s, s.get(Reply, reply_id), status=ReplyStatus.FAILED, error=str(exc))
    with app.session() as s:
        s.add(reply)  # this process marked it sending: the row is as claimed, no need to read it again
        return _mark_sent(app, s, reply, delivery)


DUPLICATE_NOTE = "the platform refused identical text; redrafted"
_DUPLICATE_VARIANT = DUPLICATE_NOTE + " with another phrasing not used recently"
_DUPLICATE_REFERENCE = DUPLICATE_NOTE + " with the case reference"


def _redraft_duplicate(app: App, s: Session, reply: Reply | None, exc: DuplicateContentError) -> bool:
    """The platform refused a text the brand already posted: redraft it once and send once more.

    An untouched playbook text takes another phrasing of its template that the brand has not used on the
    channel recently; when none is left (or a person wrote the text), the case reference is added (a
    customer can quote it in their DM). A second refusal, or no room for the reference, fails with the
    reason, for a person to reword."""
    assert reply is not None
    if (reply.error or "").startswith(DUPLICATE_NOTE):
        return _refused_again(app, s, reply, exc)
    channel = Channel(reply.channel)
    post = s.get(Post, reply.post_id)
    options = options_for(app.playbook, reply, post) if post is not None else []
    untouched = reply.text in {o.text for o in options}
    fresh: str | None = None
    if untouched:
        used = recent_texts(s, channel, (o.text for o in options), now=app.now(), exclude_reply_id=reply.id)
        fresh = next((o.text for o in options if o.text != reply.text and o.text not in used), None)
    note = _DUPLICATE_VARIANT
    if fresh is None:
        note, ref = _DUPLICATE_REFERENCE, reference(reply.post_id)
        if ref in reply.text:
            return _refused_again(app, s, reply, exc)
        if untouched:  # the playbook's own words may be cut at a sentence to make room
            fresh = with_reference(reply.text, reply.post_id, channel.reply_limit)
        elif len(reply.text.rstrip()) + len(ref) <= channel.reply_limit:  # a person's words are never cut
            fresh = reply.text.rstrip() + ref
        else:
            return _refused_again(app, s, reply, exc)
    reply.text = fresh
    reply.status, reply.error, reply.next_attempt_at = ReplyStatus.APPROVED.value, note, None
    s.add(reply)
    if post is not None:
        cases.record(s, post, "redrafted", actor=SYSTEM, now=app.now(), note=note, reply_id=reply.id, bump=False)
    log.info("reply %s: %s", reply.id, note)
    return True


def _refused_again(app: App, s: Session, reply: Reply, exc: DuplicateContentError) -> bool:
    _finish(app, s, reply, status=ReplyStatus.FAILED, error=(
        f"{exc}: the platform refuses this text as a duplicate of an earlier reply; reword it and approve again"))
    return False


def _needs_person(reply: Reply, channel: Channel) -> str | None:
    """Why this reply may not go out without a person, or None: on a channel where the customer did not
    address the brand, only a reply a team member approved (or wrote) is sent; never autosend's, never
    the system's."""
    if not channel.person_approves:
        return None
    if reply.author and reply.author not in (AUTOSEND, SYSTEM) and reply.approved_at is not None:
        return None
    return (f"the customer did not address the brand ({channel.label}): a person must approve every reply "
            "on this channel")


def _window_closed(s: Session, reply: Reply, channel: Channel, now: datetime) -> str | None:
    """Why the channel's reply window is closed (the customer's last message is too old), or None."""
    window = channel.reply_window
    if window is None:
        return None
    last = s.exec(
        select(Post.created_at)
        .where(Post.channel == channel.value, Post.reply_thread_id == reply.target_thread_id)
        .order_by(col(Post.created_at).desc())
    ).first()
    if last is None or now - as_utc(last) <= window:
        return None
    hours = int(window.total_seconds() // 3600)
    return (f"outside {channel.label}'s {hours}-hour window (the customer's last message is older): "
            "a person must answer, e.g. with the HUMAN_AGENT tag from Meta Business Suite")


def _retry_later(
    s: Session, reply_id: int, exc: Exception, *, at: datetime | None, unconfirmed: bool = False
) -> Reply:
    reply = s.get(Reply, reply_id)
    assert reply is not None
    reply.error = redact(str(exc))
    if reply.attempts >= MAX_ATTEMPTS and not isinstance(exc, (RateLimited, AuthError, BlockedError)):
        reply.status = (ReplyStatus.NEEDS_HUMAN if unconfirmed else ReplyStatus.FAILED).value
    else:
        # refused: not sent, safe to try again; unconfirmed: the next attempt checks the platform first
        reply.status = (ReplyStatus.SENDING if unconfirmed else ReplyStatus.APPROVED).value
        backoff = timedelta(seconds=min(30 * 2 ** max(reply.attempts - 1, 0), 3600))
        if at is None:
            assert reply.sending_at is not None  # set when the attempt began
            at = as_utc(reply.sending_at) + backoff
        reply.next_attempt_at = at
    s.add(reply)
    log.warning("reply %s not sent yet: %s", reply_id, reply.error)
    return reply


def _finish(app: App, s: Session, reply: Reply | None, *, status: ReplyStatus, error: str) -> Outcome:
    assert reply is not None
    reply.status, reply.error = status.value, redact(error)
    s.add(reply)
    post = s.get(Post, reply.post_id)
    if post is not None:
        action = "needs_human" if status == ReplyStatus.NEEDS_HUMAN else "send_failed"
        cases.record(s, post, action, actor=SYSTEM, now=app.now(), note=reply.error, reply_id=reply.id)
    log.warning("reply %s %s: %s", reply.id, status.value, reply.error)
    return reply, post


def _mark_sent(app: App, s: Session, reply: Reply | None, delivery: Delivery) -> Outcome:
    assert reply is not None
    now = app.now()
    reply.status, reply.external_id, reply.sent_at, reply.error = (
        ReplyStatus.SENT.value, delivery.external_id, delivery.sent_at or now, None)
    s.add(reply)
    post = s.get(Post, reply.post_id)
    if post is None:
        return reply, None
    actor = reply_actor(reply)
    detail = f"reply {reply.id} sent on {reply.channel} as {reply.external_id}"
    if reply.kind == ReplyKind.FOLLOWUP.value:
        cases.record(s, post, "followup_sent", actor=actor, now=now, note=detail, reply_id=reply.id, bump=False)
        return reply, post
    if post.first_response_at is None:
        post.first_response_at = reply.sent_at
    cases.transition(s, post, PostStatus.SENT, actor=actor, now=now, action="sent", note=detail, reply_id=reply.id)
    _answer_earlier_in_thread(s, post, actor=actor, now=now, sent_at=reply.sent_at, reply_id=reply.id)
    return reply, post


def _answer_earlier_in_thread(
    s: Session, post: Post, *, actor: str, now: datetime, sent_at: datetime | None, reply_id: int | None
) -> None:
    """Earlier open posts of the same customer in the same thread are answered by this reply too."""
    if not post.thread_key:
        return
    earlier = s.exec(
        select(Post).where(
            Post.channel == post.channel, Post.thread_key == post.thread_key, Post.customer_key == post.customer_key,
            Post.id != post.id, col(Post.created_at) <= post.created_at,
            col(Post.status).in_([PostStatus.NEW.value, PostStatus.FLAGGED.value, PostStatus.AWAITING_APPROVAL.value]),
        )
    ).all()
    for other in earlier:
        if other.first_response_at is None:
            other.first_response_at = sent_at
        cases.transition(s, other, PostStatus.SENT, actor=actor, now=now,
                         action="answered", note=f"answered by the reply to post {post.id}", reply_id=reply_id)
        for draft in s.exec(select(Reply).where(Reply.post_id == other.id, Reply.status == ReplyStatus.DRAFT.value)):
            repo.discard_reply(s, draft)
