"""Server-rendered pages: sign-in, the queue, a post and its actions (plain forms, work without JS)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import workflow
from ..errors import StaleViewError
from ..inbox.bulk import ACTIONS as BULK_ACTIONS
from ..inbox.macros import list_macros, macro_dict, render_for
from ..inbox.notes import mark_seen, unseen_mention_count
from ..inbox.tags import all_tags
from ..inbox.views import post_extras, row_extras
from ..models import ReplyStatus, as_utc
from ..post_detail import TimelineItem, load_post_detail, team
from ..queue import ALL_STATUSES, CursorError, QueueFilter, list_queue
from ..scoring.base import CATEGORIES, LABELS
from ..store.tables import Post, Reply
from .api_models import PostId
from .auth import (
    ABSOLUTE_TIMEOUT,
    FLASH_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    AuthUser,
    SessionStore,
    authenticate,
    clear_failures,
    client_address,
    end_sessions,
    locked_until,
    record_failure,
    same_token,
)
from .deps import core, page_user, templates_of

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

DONE_MESSAGES = {
    "sent": "Reply sent on the customer's channel.",
    "queued": "Reply approved; it will be sent by the outbox.",
    "failed": "Reply approved but sending failed — see the reply below.",
    "needs_human": "Reply approved but the platform would not take it automatically — answer by hand (see below).",
    "draft": "Draft saved.",
    "assigned": "Assignment saved.",
    "snoozed": "Snoozed.",
    "woken": "Back in the queue.",
    "resolved": "Resolved.",
    "reopened": "Reopened.",
    "spam": "Marked as spam/troll: no reply will be sent.",
    "corrected": "Correction saved (kept as feedback for the scorer).",
    "tagged": "Tags saved.",
    "untagged": "Tag removed.",
    "noted": "Note added (the customer never sees it).",
    "marked": "Author marked \"don't engage\": no autosend, out of the default view.",
    "unmarked": "The \"don't engage\" mark is off.",
    "signed_out": "Signed out.",
}
LOGIN_NOTICES = {
    "signed_out": "Signed out.",
    "signed_out_everywhere": "Signed out on every device.",
    "ended": "Your session ended (signed out, timed out or the password changed): sign in again.",
}


def _local_path(value: str | None) -> str:
    """Only same-site paths as redirect targets (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


# ---- sign-in -------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/", done: str | None = None, ended: bool = False) -> Response:
    return _login_form(request, next=next, done="ended" if ended and not done else done)


def _login_form(
    request: Request, *, next: str = "/", error: str | None = None, done: str | None = None, status_code: int = 0
) -> Response:
    token = secrets.token_urlsafe(24)
    resp = templates_of(request).TemplateResponse(
        request,
        "login.html",
        {"next": _local_path(next), "login_csrf": token, "error": error, "user": None,
         "notice": LOGIN_NOTICES.get(done or "")},
        status_code=status_code or (401 if error else 200),
    )
    store: SessionStore = request.app.state.sessions
    resp.set_cookie(LOGIN_COOKIE, token, max_age=3600, **store.cookie_kwargs())
    return resp


def _try_again(until: datetime, now: datetime) -> str:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return (f"Too many failed sign-ins for this account or from your address. Try again at "
            f"{until:%H:%M} UTC (in {minutes} min).")


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    if not same_token(csrf_token, request.cookies.get(LOGIN_COOKIE)):
        return _login_form(request, next=next, error="The sign-in form expired: try again.")
    app = core(request)
    address = client_address(request.client)
    until = locked_until(app, username, address)
    if until is not None:  # the password is not even checked while locked
        log.warning("sign-in refused (throttled until %s UTC): user %r from %s", f"{until:%H:%M}",
                    username[:64], address)
        return _login_form(request, next=next, error=_try_again(until, app.now()), status_code=429)
    user = authenticate(app, username, password)
    if user is None:
        record_failure(app, username, address)
        log.warning("failed sign-in: user %r from %s", username[:64], address)
        until = locked_until(app, username, address)
        error = _try_again(until, app.now()) if until else "Wrong user name or password."
        return _login_form(request, next=next, error=error, status_code=429 if until else 401)
    clear_failures(app, user.username)
    store: SessionStore = request.app.state.sessions
    # always a new session id: whatever session cookie the browser brought (planted or stale) is ended
    value, _csrf = store.start(user.username, replacing=request.cookies.get(SESSION_COOKIE))
    log.info("signed in: user %r from %s", user.username, address)
    resp = RedirectResponse(_local_path(next), status_code=303)
    resp.set_cookie(SESSION_COOKIE, value, max_age=int(ABSOLUTE_TIMEOUT.total_seconds()), **store.cookie_kwargs())
    resp.delete_cookie(LOGIN_COOKIE, **store.cookie_kwargs())
    return resp


def form_user(request: Request, user: AuthUser = Depends(page_user), csrf_token: str = Form("")) -> AuthUser:
    """A signed-in user whose form carries the session's CSRF token."""
    if not same_token(csrf_token, user.csrf):
        raise HTTPException(403, "The form's CSRF token is missing or wrong: reload the page and try again.")
    return user


@router.post("/logout")
def logout(request: Request, everywhere: str = Form(""), user: AuthUser = Depends(form_user)) -> Response:
    """End this session on the server (the cookie is useless from now on); ``everywhere`` ends all of
    the user's sessions, on every device."""
    store: SessionStore = request.app.state.sessions
    if everywhere:
        end_sessions(core(request), user.username, "sign_out_everywhere")
    else:
        store.end(user.session_id, "sign_out")
    resp = RedirectResponse("/login?done=" + ("signed_out_everywhere" if everywhere else "signed_out"),
                          status_code=303)
    resp.delete_cookie(SESSION_COOKIE, **store.cookie_kwargs())
    return resp


# ---- the queue -----------------------------------------------------------------------------------


def queue_filter(
    channel: str | None = None,
    status: str | None = None,
    lang: str | None = None,
    category: str | None = None,
    assignee: str | None = None,
    q: str | None = None,
    snoozed: bool = False,
    limit: int = 50,
    tag: str | None = Query(None, description="a free tag the posts carry"),
    mentioned: str | None = Query(None, description="a user name: posts whose notes mention them, unseen"),
    muted: bool = Query(False, description="only the authors marked \"don't engage\" (the default view "
                                           "leaves them out)"),
) -> QueueFilter:
    try:
        return QueueFilter.from_params(
            channel=channel, status=status, lang=lang, category=category, assignee=assignee, q=q,
            snoozed=snoozed, limit=limit, tag=tag, mentioned=mentioned, muted=muted,
        )
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/", response_class=HTMLResponse)
def queue_page(
    request: Request,
    f: QueueFilter = Depends(queue_filter),
    after: str | None = None,
    fragment: bool = False,
    user: AuthUser = Depends(page_user),
) -> Response:
    """The queue: one page of ``f.limit`` posts; "Next" links (``after``) page through every match."""
    app = core(request)
    now = app.now()
    notice = None
    with app.session() as s:
        try:
            result = list_queue(s, app.settings, f, now=now, after=after)
        except CursorError as exc:
            notice, after = f"{exc}. Showing the first page.", None
            result = list_queue(s, app.settings, f, now=now)
        members = [u.username for u in team(s)]
        extras = row_extras(s, [r.post for r in result.rows], user.username)
        mention_count = unseen_mention_count(s, user.username)
        tag_list = [t["tag"] for t in all_tags(s)]
    query = urlencode(f.params())
    ctx = {
        "user": user,
        "csrf": user.csrf,
        "result": result,
        "f": f,
        "now": now,
        "statuses": ALL_STATUSES,
        "categories": CATEGORIES,
        "members": members,
        "query": query,
        "page_query": urlencode({**f.params(), "after": after}) if after else query,
        "next_url": "/?" + urlencode({**f.params(), "after": result.next_after}) if result.next_after else None,
        "first_url": "/?" + query if query else "/",
        "status_value": f.status_value,
        "page_notice": notice,
        "extras": extras,
        "mention_count": mention_count,
        "tag_list": tag_list,
        "bulk_actions": BULK_ACTIONS,
    }
    return templates_of(request).TemplateResponse(request, "_rows.html" if fragment else "queue.html", ctx)


# ---- a post --------------------------------------------------------------------------------------


def _render_post(
    request: Request,
    user: AuthUser,
    post_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
    text_override: str | None = None,
) -> Response:
    app = core(request)
    now = app.now()
    workflow.open_view(app, post_id, username=user.username)
    mark_seen(app, post_id, username=user.username)
    with app.session() as s:
        post = s.get(Post, post_id)
        if post is None:
            raise HTTPException(404, "no such post")
        detail = load_post_detail(s, app.settings, post, now=now)
        members = team(s)
        inbox = post_extras(s, post)
        inbox["macros"] = [macro_dict(m, render_for(s, m, post, brand=app.playbook.brand, now=now))
                           for m in list_macros(s, lang=post.lang, channel=post.reply_channel)]
        inbox["mention_count"] = unseen_mention_count(s, user.username)
    detail.viewers = workflow.viewers(app, post_id, exclude=user.username)
    signer: SessionStore = request.app.state.sessions
    flash = signer.read_flash(request.cookies.get(FLASH_COOKIE))
    done = request.query_params.get("done")
    text = text_override if text_override is not None else (detail.draft.text if detail.draft else "")
    ctx = {
        "user": user,
        "csrf": user.csrf,
        "d": detail,
        "p": detail.post,
        "now": now,
        "members": members,
        "labels": LABELS,
        "categories": CATEGORIES,
        "error": error or flash,
        "notice": None if flash else DONE_MESSAGES.get(done or ""),
        "text": text,
        "approve_block": approve_block(detail.replies, text),
        "snooze_default": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "inbox": inbox,
        "timeline": timeline_with_notes(detail.conversation, inbox["notes"]),
        "mention_count": inbox["mention_count"],
    }
    resp = templates_of(request).TemplateResponse(request, "post.html", ctx, status_code=status_code)
    if request.cookies.get(FLASH_COOKIE):
        resp.delete_cookie(FLASH_COOKIE, path="/")
    return resp


def timeline_with_notes(conversation: list[TimelineItem], notes: list[dict[str, Any]]) -> list[TimelineItem]:
    """The conversation with the team's internal notes in time order (``who="note"``, shown apart)."""
    items = list(conversation) + [
        TimelineItem(who="note", author=n["author"], text=n["text"], at=datetime.fromisoformat(n["created_at"]))
        for n in notes
    ]
    return sorted(items, key=lambda i: (i.at, {"customer": 0, "brand": 1}.get(i.who, 2)))


def approve_block(replies: list[Reply], text: str) -> tuple[str, str] | None:
    """Why "Approve and send" cannot be used now, as (kind, reason): ``pending`` or ``empty``; None if it can."""
    pending = next((r for r in replies if r.status in (ReplyStatus.APPROVED.value, ReplyStatus.SENDING.value)), None)
    if pending is not None:
        return "pending", (
            f"A reply is already being sent (approved by {pending.author or 'someone'}): wait for it to go out."
        )
    if not text.strip():
        return "empty", "Nothing to approve yet: write a reply first."
    return None


@router.get("/posts/{post_id}", response_class=HTMLResponse)
def post_page(request: Request, post_id: PostId, user: AuthUser = Depends(page_user)) -> Response:
    return _render_post(request, user, post_id)


def _act(
    request: Request, user: AuthUser, post_id: int, op: Callable[[], str], *, text: str | None = None
) -> Response:
    """Run a workflow operation from a form: redirect on success; on refusal, the reason on the post page.

    A refusal that would lose nothing the person typed redirects back to the post with the reason shown
    once (a flash); one that would lose an edited reply renders the page with the reason and the text kept
    (409 when the post changed meanwhile, 422 when the reply cannot go out as written).
    """
    try:
        done = op()
    except StaleViewError as exc:
        return _render_post(request, user, post_id, error=str(exc), status_code=409, text_override=text)
    except workflow.NotFoundError:
        raise HTTPException(404, "no such post") from None
    except workflow.WorkflowError as exc:
        reason = _sentence(str(exc))
        if text is not None and text.strip() and text.strip() != _draft_text(request, post_id):
            return _render_post(request, user, post_id, error=reason, status_code=422, text_override=text)
        signer: SessionStore = request.app.state.sessions
        resp = RedirectResponse(f"/posts/{post_id}", status_code=303)
        resp.set_cookie(FLASH_COOKIE, signer.flash(reason), max_age=120, **signer.cookie_kwargs())
        return resp
    return RedirectResponse(f"/posts/{post_id}?done={done}", status_code=303)


def _sentence(message: str) -> str:
    message = message.strip()
    return (message[:1].upper() + message[1:]).rstrip(".") + "."


def _draft_text(request: Request, post_id: int) -> str:
    with core(request).session() as s:
        draft = workflow.draft_for(s, post_id)
        return draft.text.strip() if draft is not None else ""


@router.post("/posts/{post_id}/approve")
def approve(
    request: Request,
    post_id: PostId,
    version: int = Form(...),
    text: str = Form(""),
    user: AuthUser = Depends(form_user),
) -> Response:
    def op() -> str:
        if not text.strip():
            raise workflow.WorkflowError("nothing to approve: the reply is empty — write one first, then approve it")
        result = workflow.approve_and_send(
            core(request), post_id, text=text, actor=user.username, expected_version=version
        )
        if result.send_error:
            return "failed"
        return result.reply.status if result.reply.status in ("sent", "failed", "needs_human") else "queued"

    return _act(request, user, post_id, op, text=text)


@router.post("/posts/{post_id}/draft")
def save_draft(
    request: Request, post_id: PostId, version: int = Form(...), text: str = Form(""),
    user: AuthUser = Depends(form_user),
) -> Response:
    def op() -> str:
        workflow.save_draft(core(request), post_id, text=text, actor=user.username, expected_version=version)
        return "draft"

    return _act(request, user, post_id, op, text=text)


@router.post("/posts/{post_id}/assign")
def assign(
    request: Request,
    post_id: PostId,
    version: int = Form(...),
    assignee: str = Form(""),
    user: AuthUser = Depends(form_user),
) -> Response:
    def op() -> str:
        who = user.username if assignee == "@me" else assignee
        workflow.assign(core(request), post_id, assignee=who, actor=user.username, expected_version=version)
        return "assigned"

    return _act(request, user, post_id, op)


def parse_until(until: str, minutes: str, now: datetime) -> datetime | None:
    """Snooze target from a preset (minutes) or a ``datetime-local`` value taken as UTC; "" wakes."""
    if minutes.strip():
        try:
            return now + timedelta(minutes=int(minutes))
        except ValueError:
            raise workflow.WorkflowError("snooze minutes must be a whole number") from None
    if until.strip():
        try:
            return as_utc(datetime.fromisoformat(until.strip()))
        except ValueError:
            raise workflow.WorkflowError("snooze until: give a date and time like 2026-05-01T09:00") from None
    return None


@router.post("/posts/{post_id}/snooze")
def snooze(
    request: Request,
    post_id: PostId,
    version: int = Form(...),
    until: str = Form(""),
    minutes: str = Form(""),
    user: AuthUser = Depends(form_user),
) -> Response:
    def op() -> str:
        app = core(request)
        when = parse_until(until, minutes, app.now())
        workflow.snooze(app, post_id, until=when, actor=user.username, expected_version=version)
        return "snoozed" if when else "woken"

    return _act(request, user, post_id, op)


def _simple(name: str, done: str) -> Callable[..., Response]:
    fn = getattr(workflow, name)

    def handler(
        request: Request, post_id: PostId, version: int = Form(...), user: AuthUser = Depends(form_user)
    ) -> Response:
        def op() -> str:
            fn(core(request), post_id, actor=user.username, expected_version=version)
            return done

        return _act(request, user, post_id, op)

    handler.__name__ = f"{name}_form"
    return handler


router.post("/posts/{post_id}/resolve")(_simple("resolve", "resolved"))
router.post("/posts/{post_id}/reopen")(_simple("reopen", "reopened"))
router.post("/posts/{post_id}/spam")(_simple("mark_spam", "spam"))


@router.post("/posts/{post_id}/correct")
def correct(
    request: Request,
    post_id: PostId,
    version: int = Form(...),
    field: str = Form(...),
    value: str = Form(""),
    user: AuthUser = Depends(form_user),
) -> Response:
    def op() -> str:
        workflow.correct(core(request), post_id, field=field, value=value, actor=user.username,
                         expected_version=version)
        return "corrected"

    return _act(request, user, post_id, op)
