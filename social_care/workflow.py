"""The social team's operations on a post, shared by the web page, the JSON API and the CLI.

Every operation takes the post ``version`` the caller's view was rendered from (``expected_version``)
and refuses with ``StaleViewError`` when the post changed since: two people never answer the same
customer by accident. Every change (status, assignment, snooze, draft edits, approvals, corrections)
is one call to ``social_care.cases`` (``transition`` or ``record``), which bumps ``Post.version`` and
writes the post's one event log (``status_events``); the refusal says who changed the post and when
from that log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from . import cases, outbox
from .drafting import playbook_draft
from .errors import SocialCareError, StaleViewError
from .models import OPEN_STATUSES, Channel, PostStatus, ReplyKind, ReplyStatus, as_utc
from .pipeline import draft_reply
from .playbook import check_reply
from .scale.claims import reply_claim
from .scoring.base import CATEGORIES, LABELS
from .store.tables import Feedback, Post, PostView, Reply, StatusEvent, User

if TYPE_CHECKING:
    from .app import App

__all__ = [
    "VIEWER_WINDOW",
    "ApproveResult",
    "NotFoundError",
    "Viewer",
    "WorkflowError",
    "approve_and_send",
    "assign",
    "correct",
    "draft_for",
    "mark_spam",
    "open_view",
    "reopen",
    "resolve",
    "save_draft",
    "snooze",
    "viewers",
]
log = logging.getLogger(__name__)

#: A viewer seen within this window still "has the post open".
VIEWER_WINDOW = timedelta(minutes=2)
CORRECTABLE_FIELDS = ("label", "flagged", "category")


class WorkflowError(SocialCareError):
    """The operation is not allowed (bad input or wrong state); the message is safe to show."""


class NotFoundError(WorkflowError):
    pass


@dataclass(frozen=True)
class ApproveResult:
    post: Post
    reply: Reply
    send_error: str | None = None  # the sender raised; the outbox job checks the reply again


@dataclass(frozen=True)
class Viewer:
    username: str
    seen_at: datetime


# ---- helpers -------------------------------------------------------------------------------------


def _load(session: Session, post_id: int, expected_version: int | None) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFoundError(f"post {post_id} not found")
    if expected_version is not None and post.version != int(expected_version):
        raise StaleViewError(_stale_message(session, post))
    return post


def _stale_message(session: Session, post: Post) -> str:
    """ "Jane changed this post at 10:42 — reload before sending" from the newest event of the post."""
    ev = session.exec(
        select(StatusEvent)
        .where(StatusEvent.post_id == post.id)
        .order_by(col(StatusEvent.at).desc(), col(StatusEvent.id).desc())
        .limit(1)
    ).first()
    who = ev.actor if ev is not None else None
    at = as_utc(ev.at) if ev is not None else as_utc(post.updated_at)
    who_text = _display_name(session, who) if who else "Someone"
    return f"{who_text} changed this post at {at:%H:%M} UTC — reload before sending"


def _display_name(session: Session, username: str) -> str:
    if username == "system":
        return "The system"
    if username == "autosend":
        return "Autosend"
    user = session.exec(select(User).where(User.username == username)).first()
    return (user.display_name or user.username) if user else username


def _event(
    session: Session,
    post: Post,
    action: str,
    *,
    actor: str,
    now: datetime,
    detail: str | None = None,
    to: str | None = None,
    reply_id: int | None = None,
) -> None:
    """One entry in the post's event log and a new version of the post (moved to ``to`` when given)."""
    if to is None:
        cases.record(session, post, action, actor=actor, now=now, note=detail, reply_id=reply_id)
    else:
        cases.transition(session, post, to, actor=actor, now=now, action=action, note=detail, reply_id=reply_id)


def draft_for(session: Session, post_id: int) -> Reply | None:
    """The playbook draft of a post (the newest, if several)."""
    return session.exec(
        select(Reply)
        .where(Reply.post_id == post_id, Reply.kind == ReplyKind.PLAYBOOK.value,
               Reply.status == ReplyStatus.DRAFT.value)
        .order_by(col(Reply.id).desc())
        .limit(1)
    ).first()


def _manual_reply(post: Post, text: str, now: datetime) -> Reply:
    """A reply a person wrote, addressed like the post's own reply target."""
    return Reply.to(
        post.reply_target,
        post_id=post.id,
        kind=ReplyKind.MANUAL.value,
        text=text,
        idempotency_key=f"post:{post.id}:manual:v{post.version}",
        created_at=now,
    )


def _check_text(post: Post, text: str) -> str:
    """The reply as it will go out, or a WorkflowError saying what to fix (length, tone)."""
    text = (text or "").strip()
    problems = check_reply(text, Channel(post.reply_channel))
    if problems:
        raise WorkflowError("; ".join(problems))
    return text


def _require_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.is_active:
        raise WorkflowError(f"no active team member named {username!r}")
    return user


# ---- operations ----------------------------------------------------------------------------------


def approve_and_send(
    app: App, post_id: int, *, text: str | None, actor: str, expected_version: int | None
) -> ApproveResult:
    """Approve a reply (the edited playbook draft, or a manual one) and send it on the customer's channel.

    ``text=None`` sends the draft as it is. One transaction approves the reply (post →
    awaiting_approval) and marks it ``sending`` (``outbox.claim``); it commits before the platform is
    called, so a crash in between never loses the reply and never sends it twice (a reply found in
    ``sending`` is checked on the platform first). A second transaction records what the platform
    answered (``outbox.deliver``). The reply's text is read and checked once.
    """
    now = app.now()
    with app.session() as s:
        post = _load(s, post_id, expected_version)
        if post.status == PostStatus.SPAM.value:
            raise WorkflowError("this post is marked as spam/troll: reopen it before replying")
        open_replies = s.exec(
            select(Reply)
            .where(Reply.post_id == post.id, col(Reply.status).in_(
                [ReplyStatus.DRAFT.value, ReplyStatus.APPROVED.value, ReplyStatus.SENDING.value]))
            .order_by(col(Reply.id).desc())
        ).all()
        pending = next((r for r in open_replies if r.status != ReplyStatus.DRAFT.value), None)
        if pending is not None:
            raise WorkflowError(f"a reply to this post is already being sent (approved by {pending.author})")
        draft = next((r for r in open_replies if r.kind == ReplyKind.PLAYBOOK.value), None)  # as draft_for
        if text is None:
            if draft is None:
                raise WorkflowError("there is no draft to approve: write a reply")
            text = draft.text
        text = _check_text(post, text)
        if draft is not None:
            reply = draft
            edited = reply.text.strip() != text
            reply.text = text
        else:
            edited = False
            reply = _manual_reply(post, text, now)
        reply.status = ReplyStatus.APPROVED.value
        reply.author = actor
        reply.approved_at = now
        s.add(reply)
        s.flush()
        note = f"reply {reply.id} approved" + (" (edited)" if edited else "")
        _event(s, post, "approved", actor=actor, now=now, detail=note, to=PostStatus.AWAITING_APPROVAL.value,
               reply_id=reply.id)
        claimed = outbox.claim(app, s, reply, now=now, checked=True)
    send_error = None
    if isinstance(claimed, outbox.Claim):
        assert reply.id is not None
        # scaled out, the reply's lease keeps the workers' outbox from checking it while it is on its way
        with reply_claim(app, reply.id) as mine:
            if not mine:  # another process got to it first: it checks the platform and records the answer
                reply, sent_post = claimed.reply, None
            else:
                try:
                    reply, sent_post = outbox.deliver(app, claimed)
                except SocialCareError as exc:
                    log.warning("reply %s approved but not sent: %s", reply.id, exc)
                    send_error, sent_post = str(exc), None
    else:
        reply, sent_post = claimed
    # the post as the last transaction left it (a send that is retried later did not change it)
    return ApproveResult(post=sent_post or post, reply=reply, send_error=send_error)


def save_draft(app: App, post_id: int, *, text: str, actor: str, expected_version: int | None) -> Post:
    """The "edit" action: keep an edited draft without sending it (creates a manual draft if none)."""
    now = app.now()
    with app.session() as s:
        post = _load(s, post_id, expected_version)
        text = _check_text(post, text)
        draft = draft_for(s, post_id) or s.exec(
            select(Reply).where(
                Reply.post_id == post.id, Reply.kind == ReplyKind.MANUAL.value, Reply.status == ReplyStatus.DRAFT.value
            )
        ).first()
        if draft is None:
            draft = _manual_reply(post, text, now)
        draft.text = text
        draft.author = actor
        s.add(draft)
        s.flush()
        _event(s, post, "edited", actor=actor, now=now, detail=f"draft reply {draft.id} saved", reply_id=draft.id)
        return post


def assign(app: App, post_id: int, *, assignee: str | None, actor: str, expected_version: int | None) -> Post:
    """Claim a post (``assignee=actor``), hand it to someone, or unassign it (``None``)."""
    now = app.now()
    with app.session() as s:
        post = _load(s, post_id, expected_version)
        assignee = (assignee or "").strip() or None
        if assignee is not None:
            _require_user(s, assignee)
        if post.assignee != assignee:
            post.assignee = assignee
            _event(s, post, "assigned", actor=actor, now=now, detail=f"to {assignee}" if assignee else "unassigned")
        return post


def snooze(app: App, post_id: int, *, until: datetime | None, actor: str, expected_version: int | None) -> Post:
    """Hide a post from the default queue until ``until`` (``None`` wakes it up now)."""
    now = app.now()
    with app.session() as s:
        post = _load(s, post_id, expected_version)
        if until is not None:
            until = as_utc(until)
            if until <= now:
                raise WorkflowError("snooze until a time in the future")
        post.snoozed_until = until
        if until is not None:
            _event(s, post, "snoozed", actor=actor, now=now, detail=f"until {until:%Y-%m-%d %H:%M} UTC")
        else:
            _event(s, post, "woken", actor=actor, now=now)
        return post


def resolve(app: App, post_id: int, *, actor: str, expected_version: int | None, note: str | None = None) -> Post:
    now = app.now()
    with app.session() as s:
        post = _load(s, post_id, expected_version)
        if post.status == PostStatus.RESOLVED.value:
            raise WorkflowError("this post is already resolved")
        post.snoozed_until = None
        _event(s, post, "resolved", actor=actor, now=now, detail=note, to=PostStatus.RESOLVED.value)
        return post


def reopen(app: App, post_id: int, *, actor: str, expected_version: int | None) -> Post:
    """Back into the queue: flagged if the scorer (or a person) flagged it, else new."""
    now = app.now()
    with app.session() as s:
        post = _load(s, post_id, expected_version)
        if post.status in {st.value for st in OPEN_STATUSES}:
            raise WorkflowError("this post is already open")
        to = PostStatus.FLAGGED.value if post.flagged else PostStatus.NEW.value
        post.resolved_at = None
        post.snoozed_until = None
        _event(s, post, "reopened", actor=actor, now=now, to=to)
        return post


def mark_spam(app: App, post_id: int, *, actor: str, expected_version: int | None) -> Post:
    """Spam or a troll out to exploit the brand: no reply (approved-but-unsent replies are withdrawn), no follow-up."""
    now = app.now()
    with app.session() as s:
        post = _load(s, post_id, expected_version)
        if post.status == PostStatus.SPAM.value:
            raise WorkflowError("this post is already marked as spam")
        withdrawn = s.exec(
            select(Reply).where(Reply.post_id == post.id, Reply.status == ReplyStatus.APPROVED.value)
        ).all()
        for reply in withdrawn:
            reply.status = ReplyStatus.DRAFT.value
            reply.error = f"withdrawn: post marked as spam by {actor}"
            s.add(reply)
        post.followup_enabled = False
        post.snoozed_until = None
        withdrawn_note = f"; {len(withdrawn)} approved reply withdrawn" if withdrawn else ""
        _event(s, post, "marked_spam", actor=actor, now=now, detail="spam/troll: no reply" + withdrawn_note,
               to=PostStatus.SPAM.value)
        return post


def correct(
    app: App, post_id: int, *, field: str, value: Any, actor: str, expected_version: int | None
) -> Post:
    """A reviewer's correction of the scorer: stored as ``Feedback`` (training data) and applied to the post."""
    now = app.now()
    if field not in CORRECTABLE_FIELDS:
        raise WorkflowError(f"cannot correct {field!r}: one of {', '.join(CORRECTABLE_FIELDS)}")
    new: Any
    if field == "label":
        new = str(value).strip().lower()
        if new not in LABELS:
            raise WorkflowError(f"sentiment must be one of {', '.join(LABELS)}")
    elif field == "category":
        new = str(value).strip().lower()
        if new not in CATEGORIES:
            raise WorkflowError(f"category must be one of {', '.join(CATEGORIES)}")
    else:
        new = _as_bool(value)
    with app.session() as s:
        post = _load(s, post_id, expected_version)
        old = getattr(post, field)
        if old == new:
            return post
        s.add(
            Feedback(
                post_id=post_id,
                field=field,
                old_value=None if old is None else _text(old),
                new_value=_text(new),
                actor=actor,
                at=now,
            )
        )
        setattr(post, field, new)
        if field == "flagged":
            # a person's flag moves an untouched post between new and flagged; flagged posts get the playbook
            if new:
                to = PostStatus.FLAGGED.value if post.status == PostStatus.NEW.value else None
                _event(s, post, "flagged", actor=actor, now=now, detail="flagged by a person", to=to)
                if to is not None:
                    draft_reply(app, s, post, actor=actor)
            else:
                to = PostStatus.NEW.value if post.status == PostStatus.FLAGGED.value else None
                _event(s, post, "unflagged", actor=actor, now=now, detail="unflagged by a person", to=to)
            return post
        _event(s, post, "corrected", actor=actor, now=now, detail=f"{field}: {_text(old)} → {_text(new)}")
        if field == "category":
            _redraft_for_category(app, s, post)
        return post


def _redraft_for_category(app: App, s: Session, post: Post) -> None:
    """An untouched playbook draft follows a corrected category; a person's edits are never replaced."""
    assert post.id is not None  # read from the store
    draft = draft_for(s, post.id)
    if draft is None or draft.kind != ReplyKind.PLAYBOOK.value or draft.author is not None:
        return
    fresh = playbook_draft(app.playbook, s, post, now=app.now(), exclude_reply_id=draft.id)
    draft.text, draft.template_id = fresh.text, fresh.template_id
    s.add(draft)


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on", "flagged"}:
        return True
    if text in {"0", "false", "no", "off", "", "not flagged", "unflagged"}:
        return False
    raise WorkflowError("flagged must be true or false")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def open_view(app: App, post_id: int, *, username: str) -> None:
    """Record that ``username`` has the post open now (collision detection, across processes)."""
    now = app.now()
    with app.session() as s:
        row = s.get(PostView, (post_id, username))
        if row is None:
            if s.get(Post, post_id) is None:
                raise NotFoundError(f"post {post_id} not found")
            row = PostView(post_id=post_id, username=username, seen_at=now)
        row.seen_at = now
        s.add(row)


def viewers(app: App, post_id: int, *, exclude: str | None = None, within: timedelta = VIEWER_WINDOW) -> list[Viewer]:
    """Who else has the post open (seen within ``within``), most recent first."""
    since = app.now() - within
    with app.session() as s:
        rows = s.exec(
            select(PostView).where(PostView.post_id == post_id, col(PostView.seen_at) >= since)
        ).all()
        out = [Viewer(r.username, as_utc(r.seen_at)) for r in rows if r.username != exclude]
    return sorted(out, key=lambda v: v.seen_at, reverse=True)
