"""Pages and plain forms of the inbox tools (they work without JavaScript): tags, notes, the "don't engage"
mark and saved replies on a post; bulk actions from the queue; the saved replies library; the team view."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..inbox import agents, authors, bulk, macros, notes, tags
from ..inbox.common import NotAllowedError, NotFoundError, WorkflowError
from ..models import Channel
from ..reports import resolve_week
from .api_models import PostId
from .auth import FLASH_COOKIE, AuthUser, SessionStore
from .deps import core, page_user, templates_of
from .pages import _act, _local_path, _render_post, _sentence, form_user

router = APIRouter(include_in_schema=False)


# ---- a post --------------------------------------------------------------------------------------


@router.post("/posts/{post_id}/tags")
def add_tags(request: Request, post_id: PostId, version: int = Form(...), tags_text: str = Form("", alias="tags"),
             user: AuthUser = Depends(form_user)) -> Response:
    def op() -> str:
        tags.add_tags(core(request), post_id, tags_text, actor=user.username, expected_version=version)
        return "tagged"

    return _act(request, user, post_id, op)


@router.post("/posts/{post_id}/untag")
def remove_tag(request: Request, post_id: PostId, version: int = Form(...), tag: str = Form(""),
               user: AuthUser = Depends(form_user)) -> Response:
    def op() -> str:
        tags.remove_tags(core(request), post_id, tag, actor=user.username, expected_version=version)
        return "untagged"

    return _act(request, user, post_id, op)


@router.post("/posts/{post_id}/notes")
def add_note(request: Request, post_id: PostId, text: str = Form(""), user: AuthUser = Depends(form_user)) -> Response:
    def op() -> str:
        notes.add_note(core(request), post_id, text=text, actor=user.username)
        return "noted"

    return _act(request, user, post_id, op)


@router.post("/posts/{post_id}/author")
def author_mark(request: Request, post_id: PostId, version: int = Form(...), reason: str = Form(""),
                off: str = Form(""), user: AuthUser = Depends(form_user)) -> Response:
    def op() -> str:
        app = core(request)
        if off:
            authors.unmark_author(app, post_id, actor=user.username, expected_version=version)
            return "unmarked"
        authors.mark_author(app, post_id, reason=reason, actor=user.username, expected_version=version)
        return "marked"

    return _act(request, user, post_id, op)


@router.post("/posts/{post_id}/macro")
def insert_macro(request: Request, post_id: PostId, macro_id: int = Form(..., ge=1, le=2**31 - 1),
                 user: AuthUser = Depends(form_user)) -> Response:
    """Without JavaScript: the post page again, with the saved reply (rendered for this post) in the draft box;
    nothing is saved until "Save draft" or "Approve and send"."""
    try:
        rendered = macros.insert_macro(core(request), post_id, macro_id, actor=user.username)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    except WorkflowError as exc:
        return _render_post(request, user, post_id, error=_sentence(str(exc)), status_code=422)
    return _render_post(request, user, post_id, text_override=rendered.text)


# ---- bulk actions from the queue -----------------------------------------------------------------


@router.post("/bulk", response_class=HTMLResponse)
def run_bulk(
    request: Request,
    ids: list[str] = Form([]),
    action: str = Form(""),
    assignee: str = Form(""),
    tag: str = Form(""),
    back: str = Form("/"),
    user: AuthUser = Depends(form_user),
) -> Response:
    """Each selected post (``id:version``) on its own: the outcome page lists what was done and what was not."""
    back_url = _local_path(back)
    try:
        items = bulk.parse_items(ids)
        outcomes = bulk.run_bulk(core(request), items, action, actor=user.username, assignee=assignee or None,
                                 tags=tag)
        error = None
    except WorkflowError as exc:
        outcomes, error = [], _sentence(str(exc))
    ctx = {"user": user, "csrf": user.csrf, "outcomes": outcomes, "action": action, "error": error,
           "back": back_url, "ok": sum(1 for o in outcomes if o.ok)}
    status = 400 if error else 200
    return templates_of(request).TemplateResponse(request, "bulk.html", ctx, status_code=status)


# ---- saved replies -------------------------------------------------------------------------------


def _macros_page(request: Request, user: AuthUser, *, error: str | None = None, status_code: int = 200,
                 q: str | None = None, form: dict[str, Any] | None = None) -> Response:
    app = core(request)
    with app.session() as s:
        items = macros.list_macros(s, q=q, limit=500)
        admin = macros.is_admin(s, user.username)
        mention_count = notes.unseen_mention_count(s, user.username)
    signer: SessionStore = request.app.state.sessions
    flash = signer.read_flash(request.cookies.get(FLASH_COOKIE))
    ctx = {"user": user, "csrf": user.csrf, "items": items, "admin": admin, "error": error or flash, "q": q or "",
           "form": form or {}, "placeholders": macros.PLACEHOLDERS, "channel_values": [c.value for c in Channel],
           "notice": {"saved": "Saved reply saved.", "deleted": "Saved reply deleted."}.get(
               request.query_params.get("done") or ""),
           "mention_count": mention_count}
    resp = templates_of(request).TemplateResponse(request, "macros.html", ctx, status_code=status_code)
    if request.cookies.get(FLASH_COOKIE):
        resp.delete_cookie(FLASH_COOKIE, path="/")
    return resp


@router.get("/macros", response_class=HTMLResponse)
def macros_page(request: Request, q: str | None = None, user: AuthUser = Depends(page_user)) -> Response:
    return _macros_page(request, user, q=q)


def _macro_write(request: Request, user: AuthUser, op: Any, form: dict[str, Any]) -> Response:
    try:
        op()
    except NotAllowedError as exc:  # nothing typed is worth keeping for someone who may not save it
        signer: SessionStore = request.app.state.sessions
        resp = RedirectResponse("/macros", status_code=303)
        resp.set_cookie(FLASH_COOKIE, signer.flash(_sentence(str(exc))), max_age=120, **signer.cookie_kwargs())
        return resp
    except NotFoundError:
        raise HTTPException(404, "no such saved reply") from None
    except WorkflowError as exc:
        return _macros_page(request, user, error=_sentence(str(exc)), status_code=422, form=form)
    return RedirectResponse("/macros?done=" + ("deleted" if form.get("deleted") else "saved"), status_code=303)


@router.post("/macros")
def create_macro(request: Request, name: str = Form(""), text: str = Form(""), lang: str = Form(""),
                 channel: str = Form(""), user: AuthUser = Depends(form_user)) -> Response:
    form = {"name": name, "text": text, "lang": lang, "channel": channel}
    return _macro_write(request, user, lambda: macros.create_macro(
        core(request), name=name, text=text, lang=lang, channel=channel, actor=user.username), form)


@router.post("/macros/{macro_id}")
def update_macro(request: Request, macro_id: PostId, name: str = Form(""), text: str = Form(""),
                 lang: str = Form(""), channel: str = Form(""), user: AuthUser = Depends(form_user)) -> Response:
    form = {"id": macro_id, "name": name, "text": text, "lang": lang, "channel": channel}
    return _macro_write(request, user, lambda: macros.update_macro(
        core(request), macro_id, name=name, text=text, lang=lang, channel=channel, actor=user.username), form)


@router.post("/macros/{macro_id}/delete")
def delete_macro(request: Request, macro_id: PostId, user: AuthUser = Depends(form_user)) -> Response:
    return _macro_write(request, user, lambda: macros.delete_macro(core(request), macro_id, actor=user.username),
                        {"deleted": True})


# ---- the team ------------------------------------------------------------------------------------


@router.get("/team", response_class=HTMLResponse)
def team_page(request: Request, user: AuthUser = Depends(page_user)) -> Response:
    app = core(request)
    week = resolve_week(app, "current")
    with app.session() as s:
        rows = agents.team_table(s, start=week.start, end=week.end, as_of=app.now())
        mention_count = notes.unseen_mention_count(s, user.username)
    links = {r["username"]: "/?" + urlencode({"status": "open", "assignee": "-" if r["username"] == agents.UNASSIGNED
                                              else r["username"]}) for r in rows}
    return templates_of(request).TemplateResponse(request, "team.html", {
        "user": user, "csrf": user.csrf, "rows": rows, "week": week.label, "links": links,
        "mention_count": mention_count})
