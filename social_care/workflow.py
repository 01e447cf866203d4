"""The social team's operations on a post, shared by the web page, the JSON API and the CLI.

Every operation takes the post ``version`` the caller's view was rendered from (``expected_version``)
and refuses with ``StaleViewError`` when the post changed since: two people never answer the same
customer by accident. Every status change goes through ``repo.change_status`` (who + when); every
other change (assignment, snooze, draft edits, corrections) bumps ``Post.version`` and is written to
the activity log (``post_activity``) so the refusal can say who changed the post and when.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from .errors import SocialCareError, StaleViewError
from .models import OPEN_STATUSES, Channel, PostStatus, ReplyKind, ReplyStatus, as_utc
from .playbook import LIMITS, check_reply
from .scoring.base import CATEGORIES, LABELS
from .store import repo
from .store.tables import Feedback, Post, PostView, Reply, StatusEvent, User
from .web.tables import PostActivity

if TYPE_CHECKING:
    from .app import App

__all__ = [
    "MAX_REPLY_LENGTH",
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

#: The most characters a reply may have, per channel the reply goes to (the playbook's limits).
MAX_REPLY_LENGTH: dict[str, int] = {channel.value: limit for channel, limit in LIMITS.items()}
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
    send_error: str | None = None  # the sender raised; the reply stays approved for the outbox job


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
    """ "Jane changed this post at 10:42 — reload before sending" from the newest recorded change."""
    who, at = None, None
    act = session.exec(
        select(PostActivity).where(PostActivity.post_id == post.id).order_by(col(PostActivity.id).desc()).limit(1)
    ).first()
    if act is not None:
        who, at = act.actor, as_utc(act.at)
    ev = session.exec(
        select(StatusEvent).where(StatusEvent.post_id == post.id).order_by(col(StatusEvent.id).desc()).limit(1)
    ).first()
    if ev is not None and (at is None or as_utc(ev.at) > at):
        who, at = ev.actor, as_utc(ev.at)
    if at is None:
        at = as_utc(post.updated_at)
    who_text = _display_name(session, who) if who else "Someone"
    return f"{who_text} changed this post at {at:%H:%M} UTC — reload before sending"


def _display_name(session: Session, username: str) -> str:
    if username == "system":
        return "The system"
    user = session.exec(select(User).where(User.username == username)).first()
    return (user.display_name or user.username) if user else username


def _touch(session: Session, post: Post, *, actor: str, action: str, now: datetime, detail: str | None = None) -> None:
    """Record a non-status change: bump the version and log who did what."""
    post.version += 1
    post.updated_at = now
    session.add(post)
    _log(session, post, actor=actor, action=action, now=now, detail=detail)


def _log(session: Session, post: Post, *, actor: str, action: str, now: datetime, detail: str | None = None) -> None:
    session.add(PostActivity(post_id=post.id, actor=actor, action=action, detail=detail, at=now, version=post.version))


def _status(session: Session, post: Post, to: str, *, actor: str, now: datetime, note: str | None = None) -> bool:
    changed = repo.change_status(session, post=post, to_status=to, actor=actor, now=now, note=note)
    if changed:
        _log(session, post, actor=actor, action=f"status:{to}", now=now, detail=note)
    return changed


def draft_for(session: Session, post_id: int) -> Reply | None:
    """The playbook draft of a post (the newest, if several)."""
    return session.exec(
        select(Reply)
        .where(Reply.post_id == post_id, Reply.kind == ReplyKind.PLAYBOOK.value, Reply.status == ReplyStatus.DRAFT.value)
        .order_by(col(Reply.id).desc())
        .limit(1)
    ).first()


def _manual_reply(post: Post, text: str, now: datetime) -> Reply:
    """A reply a person wrote, addressed like the post's own reply target."""
    return Reply(
        post_id=post.id,
        kind=ReplyKind.MANUAL.value,
        channel=post.reply_channel,
        target_thread_id=post.reply_thread_id,
        target_recipient_id=post.reply_recipient_id,
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

    ``text=None`` sends the draft as it is. The reply is committed as ``approved`` (post →
    awaiting_approval) before ``outbox.send_reply`` sends it, so a crash in between never loses it.
    """
    now = app.now()
    with app.session() as s:
        post = _load(s, post_id, expected_version)
        if post.status == PostStatus.SPAM.value:
            raise WorkflowError("this post is marked as spam/troll: reopen it before replying")
        pending = s.exec(
            select(Reply).where(
                Reply.post_id == post.id,
                col(Reply.status).in_([ReplyStatus.APPROVED.value, ReplyStatus.SENDING.value]),
            )
        ).first()
        if pending is not None:
            raise WorkflowError(f"a reply to this post is already being sent (approved by {pending.author})")
        draft = draft_for(s, post.id)
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
        if not _status(s, post, PostStatus.AWAITING_APPROVAL.value, actor=actor, now=now, note=note):
            _touch(s, post, actor=actor, action="approve", now=now, detail=note)
        reply_id = reply.id
    assert reply_id is not None

    from .outbox import send_reply  # the lead's sender: responders, Reply status, first response, → sent

    send_error = None
    try:
        sent = send_reply(app, reply_id)
    except SocialCareError as exc:
        log.warning("reply %s approved but not sent: %s", reply_id, exc)
        send_error = str(exc)
        sent = None
    with app.session() as s:
        post = s.get(Post, post_id)
        reply_row = sent if sent is not None else s.get(Reply, reply_id)
        assert post is not None and reply_row is not None
        return ApproveResult(post=post, reply=reply_row, send_error=send_error)


def save_draft(app: App, post_id: int, *, text: str, actor: str, expected_version: int | None) -> Post:
    """The "edit" action: keep an edited draft without sending it (creates a manual draft if none)."""
    now = app.now()
    with app.session() as s:
        post = _load(s, post_id, expected_version)
        text = _check_text(post, text)
        draft = draft_for(s, post.id) or s.exec(
            select(Reply).where(
                Reply.post_id == post.id, Reply.kind == ReplyKind.MANUAL.value, Reply.status == ReplyStatus.DRAFT.value
            )
        ).first()
        if draft is None:
            draft = _manual_reply(post, text, now)
        draft.text = text
        draft.author = actor
        s.add(draft)
        _touch(s, post, actor=actor, action="edit_draft", now=now)
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
            _touch(s, post, actor=actor, action="assign", now=now, detail=assignee or "unassigned")
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
        _touch(s, post, actor=actor, action="snooze", now=now, detail=f"{until:%Y-%m-%d %H:%M} UTC" if until else "woken")
        return post


def resolve(app: App, post_id: int, *, actor: str, expected_version: int | None, note: str | None = None) -> Post:
    now = app.now()
    with app.session() as s:
        post = _load(s, post_id, expected_version)
        if post.status == PostStatus.RESOLVED.value:
            raise WorkflowError("this post is already resolved")
        post.snoozed_until = None
        _status(s, post, PostStatus.RESOLVED.value, actor=actor, now=now, note=note)
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
        _status(s, post, to, actor=actor, now=now, note="reopened")
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
        _status(s, post, PostStatus.SPAM.value, actor=actor, now=now, note="spam/troll: no reply")
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
                post_id=post.id,
                field=field,
                old_value=None if old is None else _text(old),
                new_value=_text(new),
                actor=actor,
                at=now,
            )
        )
        setattr(post, field, new)
        _touch(s, post, actor=actor, action=f"correct:{field}", now=now, detail=f"{_text(old)} → {_text(new)}")
        if field == "flagged":
            # a person's flag moves an untouched post between new and flagged; flagged posts get the playbook
            if new and post.status == PostStatus.NEW.value:
                _status(s, post, PostStatus.FLAGGED.value, actor=actor, now=now, note="flagged by a person")
                from .pipeline import draft_reply

                draft_reply(app, s, post, actor=actor)
            elif not new and post.status == PostStatus.FLAGGED.value:
                _status(s, post, PostStatus.NEW.value, actor=actor, now=now, note="unflagged by a person")
        elif field == "category":
            _redraft_for_category(app, s, post)
        return post


def _redraft_for_category(app: App, s: Session, post: Post) -> None:
    """An untouched playbook draft follows a corrected category; a person's edits are never replaced."""
    draft = draft_for(s, post.id)
    if draft is None or draft.kind != ReplyKind.PLAYBOOK.value or draft.author is not None:
        return
    from .drafting import playbook_draft

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
