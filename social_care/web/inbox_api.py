"""The JSON API of the inbox tools under ``/api/``: tags, notes, saved replies, bulk actions, the team view and
the "don't engage" mark. The same auth as the rest of ``/api/`` (session + X-CSRF-Token, or HTTP Basic)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from ..inbox import agents, authors, bulk, macros, notes, tags
from ..inbox.common import require_post
from ..reports import resolve_week
from .api import Versioned, _detail
from .api_models import (
    BulkOut,
    DeletedOut,
    InsertOut,
    MacroOut,
    MacroPreviewsOut,
    MacrosOut,
    MentionsOut,
    NoteOut,
    PostId,
    PostOut,
    TagsOut,
    TeamOut,
    errors,
)
from .auth import AuthUser
from .deps import api_user, core

router = APIRouter(prefix="/api", tags=["inbox"], dependencies=[Depends(api_user)])
WRITE_ERRORS = errors(400, 404, 409)
MacroId = Path(ge=1, le=2**31 - 1, description="the saved reply's id")


class TagsIn(Versioned):
    tags: list[str] = Field(min_length=1, max_length=tags.MAX_TAGS, description="free tags, e.g. vip, order-1234")


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=notes.MAX_NOTE, description="the note; @name pings a team member")


class AuthorIn(Versioned):
    dont_engage: bool = Field(description="true marks the author \"don't engage\"; false takes the mark off")
    reason: str | None = Field(None, max_length=authors.MAX_REASON, description="why (required to mark)")


class MacroIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=10_000, description="placeholders: {name}, {order}, {brand}")
    lang: str | None = Field(None, max_length=8, description="a language code, or null for any")
    channel: str | None = Field(None, max_length=32, description="a channel, or null for any")


class BulkItem(BaseModel):
    id: int = Field(ge=1, le=2**31 - 1)
    version: int | None = Field(None, description="the version your view showed; a changed post is refused")


class BulkIn(BaseModel):
    action: Literal["assign", "tag", "resolve", "spam", "approve"]
    items: list[BulkItem] = Field(min_length=1, max_length=bulk.MAX_ITEMS)
    assignee: str | None = Field(None, max_length=64, description="assign: a user name, '@me', or null to unassign")
    tags: list[str] | None = Field(None, max_length=tags.MAX_TAGS, description="tag: the tags to add")


@router.get("/tags", response_model=TagsOut, responses=errors())
def list_tags(request: Request) -> dict[str, Any]:
    """Every tag in use, with how many posts carry it (most used first)."""
    with core(request).session() as s:
        return {"tags": tags.all_tags(s)}


@router.post("/posts/{post_id}/tags", response_model=PostOut, responses=WRITE_ERRORS)
def add_tags(request: Request, post_id: PostId, body: TagsIn, user: AuthUser = Depends(api_user)) -> dict[str, Any]:
    """Add free tags to the post (an existing one is kept as it is)."""
    tags.add_tags(core(request), post_id, body.tags, actor=user.username, expected_version=body.version)
    return _detail(request, post_id, user)


@router.post("/posts/{post_id}/untag", response_model=PostOut, responses=WRITE_ERRORS)
def remove_tags(request: Request, post_id: PostId, body: TagsIn, user: AuthUser = Depends(api_user)) -> dict[str, Any]:
    """Take tags off the post."""
    tags.remove_tags(core(request), post_id, body.tags, actor=user.username, expected_version=body.version)
    return _detail(request, post_id, user)


@router.post("/posts/{post_id}/notes", response_model=NoteOut, responses=errors(400, 404))
def add_note(request: Request, post_id: PostId, body: NoteIn, user: AuthUser = Depends(api_user)) -> dict[str, Any]:
    """An internal note (never sent to the customer); ``@name`` pings that team member in Slack."""
    result = notes.add_note(core(request), post_id, text=body.text, actor=user.username)
    return {"note": notes.note_dict(result.note), "mentioned": result.mentioned, "unknown": result.unknown}


@router.get("/mentions", response_model=MentionsOut, responses=errors())
def mentions(request: Request, user: AuthUser = Depends(api_user)) -> dict[str, Any]:
    """How many posts mention you in a note you have not seen (the queue: ``?mentioned=<you>&status=all``)."""
    with core(request).session() as s:
        return {"count": notes.unseen_mention_count(s, user.username)}


@router.post("/posts/{post_id}/author", response_model=PostOut, responses=WRITE_ERRORS)
def author_mark(
    request: Request, post_id: PostId, body: AuthorIn, user: AuthUser = Depends(api_user)
) -> dict[str, Any]:
    """Mark the post's author "don't engage" (with a reason), or take the mark off: their posts stay out of
    autosend and of the default queue view; nothing is hidden on the platform."""
    app = core(request)
    if body.dont_engage:
        authors.mark_author(app, post_id, reason=body.reason or "", actor=user.username, expected_version=body.version)
    else:
        authors.unmark_author(app, post_id, actor=user.username, expected_version=body.version)
    return _detail(request, post_id, user)


@router.get("/macros", response_model=MacrosOut, responses=errors(400))
def list_macros(
    request: Request,
    q: str | None = Query(None, max_length=200, description="words of the name or text"),
    lang: str | None = Query(None, max_length=8),
    channel: str | None = Query(None, max_length=32),
) -> dict[str, Any]:
    """The saved replies (most used first), for a language and channel (those for any are included)."""
    with core(request).session() as s:
        return {"items": [macros.macro_dict(m) for m in macros.list_macros(s, q=q, lang=lang, channel=channel)]}


@router.post("/macros", response_model=MacroOut, responses=errors(400))
def create_macro(request: Request, body: MacroIn, user: AuthUser = Depends(api_user)) -> dict[str, Any]:
    """A new saved reply (admins only)."""
    m = macros.create_macro(core(request), name=body.name, text=body.text, lang=body.lang, channel=body.channel,
                            actor=user.username)
    return macros.macro_dict(m)


@router.post("/macros/{macro_id}", response_model=MacroOut, responses=errors(400, 404))
def update_macro(request: Request, body: MacroIn, macro_id: int = MacroId,
                 user: AuthUser = Depends(api_user)) -> dict[str, Any]:
    """Change a saved reply (admins only)."""
    m = macros.update_macro(core(request), macro_id, name=body.name, text=body.text, lang=body.lang,
                            channel=body.channel, actor=user.username)
    return macros.macro_dict(m)


@router.post("/macros/{macro_id}/delete", response_model=DeletedOut, responses=errors(404))
def delete_macro(request: Request, macro_id: int = MacroId, user: AuthUser = Depends(api_user)) -> dict[str, Any]:
    """Delete a saved reply (admins only)."""
    macros.delete_macro(core(request), macro_id, actor=user.username)
    return {"deleted": macro_id}


@router.get("/posts/{post_id}/macros", response_model=MacroPreviewsOut, responses=errors(404))
def post_macros(
    request: Request, post_id: PostId, q: str | None = Query(None, max_length=200),
) -> dict[str, Any]:
    """The saved replies for this post's language and reply channel, each rendered for it (``preview``), with
    whether it can go out as written (``fits``: the channel's length limit and tone)."""
    app = core(request)
    with app.session() as s:
        post = require_post(s, post_id)
        found = macros.list_macros(s, q=q, lang=post.lang, channel=post.reply_channel)
        now = app.now()
        return {"items": [macros.macro_dict(m, macros.render_for(s, m, post, brand=app.playbook.brand, now=now))
                          for m in found]}


@router.post("/posts/{post_id}/macros/{macro_id}/insert", response_model=InsertOut, responses=errors(400, 404))
def insert_macro(request: Request, post_id: PostId, macro_id: int = MacroId,
                 user: AuthUser = Depends(api_user)) -> dict[str, Any]:
    """The saved reply rendered for this post, to put in the draft box; counted as used."""
    r = macros.insert_macro(core(request), post_id, macro_id, actor=user.username)
    return {"text": r.text, "macro": macros.macro_dict(r.macro), "missing": r.missing,
            "reference_added": r.reference_added, "limit": r.limit}


@router.post("/bulk", response_model=BulkOut, responses=errors(400))
def run_bulk(request: Request, body: BulkIn, user: AuthUser = Depends(api_user)) -> dict[str, Any]:
    """One action on several posts: each is checked for staleness on its own and reported on its own line."""
    out = bulk.run_bulk(core(request), [(i.id, i.version) for i in body.items], body.action, actor=user.username,
                        assignee=body.assignee, tags=body.tags)
    ok = sum(1 for o in out if o.ok)
    return {"action": body.action, "ok": ok, "failed": len(out) - ok, "results": [o.as_dict() for o in out]}


@router.get("/team", response_model=TeamOut, responses=errors())
def team(request: Request) -> dict[str, Any]:
    """Each team member's open cases, oldest waiting, and first-response median this week."""
    app = core(request)
    week = resolve_week(app, "current")
    with app.session() as s:
        rows = agents.team_table(s, start=week.start, end=week.end, as_of=app.now())
    return {"week": week.label, "rows": rows}
