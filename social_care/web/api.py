"""The JSON API under ``/api/``: the queue and the same operations as the page, for scripts and the page's JS.

Auth: the session cookie plus the ``X-CSRF-Token`` header on writes, or HTTP Basic (a team member's
name and password) for scripts. Writes carry ``version``; a stale one answers 409 with the reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from .. import workflow
from ..inbox.views import post_extras, row_extras
from ..post_detail import load_post_detail, post_dict, reply_dict
from ..queue import CursorError, QueueFilter, QueueResult, list_queue
from ..store.tables import Post
from .api_models import ApproveOut, Me, PostId, PostOut, QueueOut, StampOut, ViewOut, errors
from .auth import AuthUser
from .deps import api_user, core
from .pages import queue_filter

router = APIRouter(prefix="/api", tags=["queue"], dependencies=[Depends(api_user)])
WRITE_ERRORS = errors(400, 404, 409)


class Versioned(BaseModel):
    version: int = Field(description="the post version your view was made from")


class ApproveIn(Versioned):
    text: str | None = Field(None, description="the reply as edited; omit to send the draft as it is")


class TextIn(Versioned):
    text: str


class AssignIn(Versioned):
    assignee: str | None = Field(None, description="a team member's user name; null unassigns; '@me' claims")


class SnoozeIn(Versioned):
    until: datetime | None = Field(None, description="ISO time (UTC if naive); null wakes the post")


class CorrectIn(Versioned):
    field: Literal["label", "flagged", "category"]
    value: str | bool


def _detail(request: Request, post_id: PostId, user: AuthUser) -> dict[str, Any]:
    app = core(request)
    with app.session() as s:
        post = s.get(Post, post_id)
        if post is None:
            raise HTTPException(404, "no such post")
        detail = load_post_detail(s, app.settings, post, now=app.now())
        extras = {**row_extras(s, [post], user.username).get(post_id, {}), **post_extras(s, post)}
    detail.viewers = workflow.viewers(app, post_id, exclude=user.username)
    return {**post_dict(detail), **extras}


@router.get("/me", response_model=Me, responses=errors())
def me(user: AuthUser = Depends(api_user)) -> dict[str, str]:
    """Who you are signed in as."""
    return {"username": user.username, "display_name": user.display_name}


def _page(
    request: Request, f: QueueFilter, after: str | None, username: str | None = None
) -> tuple[QueueResult, dict[int, dict[str, Any]]]:
    """One page of the queue, and per post the inbox tools' fields (tags, your mentions, the author mark)."""
    app = core(request)
    with app.session() as s:
        try:
            result = list_queue(s, app.settings, f, now=app.now(), after=after)
        except CursorError as exc:
            raise HTTPException(400, str(exc)) from None
        extras = row_extras(s, [r.post for r in result.rows], username) if username is not None else {}
        return result, extras


@router.get("/queue", response_model=QueueOut, responses=errors(400))
def queue(
    request: Request,
    f: QueueFilter = Depends(queue_filter),
    after: str | None = Query(None, description="the `next_after` of the previous page"),
    user: AuthUser = Depends(api_user),
) -> dict[str, Any]:
    """The queue, most urgent first, one page of ``limit`` (default 50) at a time.

    Default: flagged posts needing a reply, not snoozed; ``status``: open (every post needing action) |
    all | a list. ``next`` is the link to the following page (null on the last); ``total`` counts every
    match. Paging keeps the first page's order, so following ``next`` shows each post once.
    """
    r, extras = _page(request, f, after, user.username)
    return {
        "items": [{**row.as_dict(), **(extras.get(row.post.id, {}) if row.post.id is not None else {})}
                  for row in r.rows],
        "total": r.total,
        "start": r.start,
        "next_after": r.next_after,
        "next": "/api/queue?" + urlencode({**f.params(), "after": r.next_after}) if r.next_after else None,
        "open": r.open_count,
        "overdue": r.overdue_count,
        "stamp": r.stamp,
    }


@router.get("/queue/stamp", response_model=StampOut, responses=errors(400))
def queue_stamp(
    request: Request, f: QueueFilter = Depends(queue_filter), after: str | None = None
) -> dict[str, Any]:
    """A small answer for live updates: ``stamp`` changes whenever the list would render differently."""
    r, _ = _page(request, f, after)
    return {"stamp": r.stamp, "total": r.total, "open": r.open_count, "overdue": r.overdue_count}


@router.get("/posts/{post_id}", response_model=PostOut, responses=errors(404))
def post(request: Request, post_id: PostId, user: AuthUser = Depends(api_user)) -> dict[str, Any]:
    """A post with its conversation, the customer's other posts, the draft, replies, viewers and activity."""
    return _detail(request, post_id, user)


@router.post("/posts/{post_id}/view", response_model=ViewOut, responses=errors(404))
def view(request: Request, post_id: PostId, user: AuthUser = Depends(api_user)) -> dict[str, Any]:
    """Heartbeat of an open post page: records that you have it open; says who else has, and its version."""
    app = core(request)
    try:
        workflow.open_view(app, post_id, username=user.username)
    except workflow.NotFoundError:
        raise HTTPException(404, "no such post") from None
    with app.session() as s:
        p = s.get(Post, post_id)
        assert p is not None
        version, assignee = p.version, p.assignee
    others = workflow.viewers(app, post_id, exclude=user.username)
    return {
        "version": version,
        "assignee": assignee,
        "viewers": [{"username": v.username, "seen_at": v.seen_at.isoformat()} for v in others],
    }


@router.post("/posts/{post_id}/approve", response_model=ApproveOut, responses=WRITE_ERRORS)
def approve(
    request: Request, post_id: PostId, body: ApproveIn, user: AuthUser = Depends(api_user)
) -> dict[str, Any]:
    """Approve the reply (edited draft, or a manual one) and send it on the customer's channel."""
    result = workflow.approve_and_send(
        core(request), post_id, text=body.text, actor=user.username, expected_version=body.version
    )
    return {
        "post_id": post_id,
        "status": result.post.status,
        "version": result.post.version,
        "reply": reply_dict(result.reply),
        "send_error": result.send_error,
    }


@router.post("/posts/{post_id}/draft", response_model=PostOut, responses=WRITE_ERRORS)
def save_draft(
    request: Request, post_id: PostId, body: TextIn, user: AuthUser = Depends(api_user)
) -> dict[str, Any]:
    """Keep an edited draft without sending it."""
    workflow.save_draft(core(request), post_id, text=body.text, actor=user.username, expected_version=body.version)
    return _detail(request, post_id, user)


@router.post("/posts/{post_id}/assign", response_model=PostOut, responses=WRITE_ERRORS)
def assign(
    request: Request, post_id: PostId, body: AssignIn, user: AuthUser = Depends(api_user)
) -> dict[str, Any]:
    who = user.username if body.assignee == "@me" else body.assignee
    workflow.assign(core(request), post_id, assignee=who, actor=user.username, expected_version=body.version)
    return _detail(request, post_id, user)


@router.post("/posts/{post_id}/snooze", response_model=PostOut, responses=WRITE_ERRORS)
def snooze(
    request: Request, post_id: PostId, body: SnoozeIn, user: AuthUser = Depends(api_user)
) -> dict[str, Any]:
    workflow.snooze(core(request), post_id, until=body.until, actor=user.username, expected_version=body.version)
    return _detail(request, post_id, user)


@router.post("/posts/{post_id}/resolve", response_model=PostOut, responses=WRITE_ERRORS)
def resolve(
    request: Request, post_id: PostId, body: Versioned, user: AuthUser = Depends(api_user)
) -> dict[str, Any]:
    workflow.resolve(core(request), post_id, actor=user.username, expected_version=body.version)
    return _detail(request, post_id, user)


@router.post("/posts/{post_id}/reopen", response_model=PostOut, responses=WRITE_ERRORS)
def reopen(
    request: Request, post_id: PostId, body: Versioned, user: AuthUser = Depends(api_user)
) -> dict[str, Any]:
    workflow.reopen(core(request), post_id, actor=user.username, expected_version=body.version)
    return _detail(request, post_id, user)


@router.post("/posts/{post_id}/spam", response_model=PostOut, responses=WRITE_ERRORS)
def spam(
    request: Request, post_id: PostId, body: Versioned, user: AuthUser = Depends(api_user)
) -> dict[str, Any]:
    """Spam or troll: no reply is sent, no follow-up."""
    workflow.mark_spam(core(request), post_id, actor=user.username, expected_version=body.version)
    return _detail(request, post_id, user)


@router.post("/posts/{post_id}/correct", response_model=PostOut, responses=WRITE_ERRORS)
def correct(
    request: Request, post_id: PostId, body: CorrectIn, user: AuthUser = Depends(api_user)
) -> dict[str, Any]:
    """Correct the sentiment label, the flag or the category: stored as feedback and applied to the post."""
    workflow.correct(
        core(request), post_id, field=body.field, value=body.value, actor=user.username, expected_version=body.version
    )
    return _detail(request, post_id, user)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request) -> dict[str, Any]:
    """The OpenAPI schema of this API (sign-in required like everything else)."""
    return request.app.openapi()  # type: ignore[no-any-return]
