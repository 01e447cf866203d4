"""Saved replies (macros): the team's library of reply texts, per language and channel (None: any).

Placeholders: ``{name}`` (the customer's first name; the greeting stands without it when the name is not
usable, as the playbook does), ``{order}`` (the order number: an ``order-1234`` tag on the post, else a
number the customer's post gives after "order" or "#"), ``{brand}``. Inserting a saved reply into a
post's draft renders it for that post and refuses what cannot go out as written: longer than the
channel's limit, or defensive in tone (``playbook.check_reply``). A text the brand already sent or queued
on that public channel in the last 7 days (X and Facebook refuse a brand's identical posts) gets the case
reference, as playbook replies do. Each insertion is counted (``macro_uses``; the weekly report lists the
most used) and is a ``macro_used`` event in the post's audit trail that leaves open views valid.
Only admins (``social-care user admin NAME``) create, edit or delete saved replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from .. import cases
from ..drafting import recent_texts
from ..models import Channel, as_utc
from ..playbook import check_reply, usable_first_name, with_reference
from ..store.tables import Post
from ..workflow import _require_user
from .common import NotAllowedError, NotFoundError, WorkflowError, require_post
from .tables import Macro, MacroUse, PostTag, TeamAdmin

if TYPE_CHECKING:
    from ..app import App

__all__ = ["PLACEHOLDERS", "Rendered", "create_macro", "delete_macro", "insert_macro", "is_admin", "list_macros",
           "macro_dict", "most_used", "order_number", "render_for", "set_admin", "update_macro"]

PLACEHOLDERS = ("name", "order", "brand")
_SLOT = re.compile(r"\{(\w*)\}")
_ORDER = re.compile(r"(?:order|bestellung|commande|pedido|ordine|заказ)\s*(?:no\.?|number|nr\.?|n[º°])?\s*[:#]?\s*"
                    r"#?\s*([A-Z0-9-]{4,20})|#(\d{4,12})\b", re.IGNORECASE)
MISSING_ORDER = "[order number]"


@dataclass
class Rendered:
    macro: Macro
    text: str
    limit: int
    fits: bool
    problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # placeholders the post could not fill
    reference_added: bool = False  # the brand used this text recently on the channel: case reference added


def is_admin(session: Session, username: str) -> bool:
    return session.get(TeamAdmin, username) is not None


def set_admin(app: App, username: str, admin: bool) -> bool:
    """Let a team member edit the saved replies (or stop them); returns whether anything changed."""
    with app.session() as s:
        _require_user(s, username)
        row = s.get(TeamAdmin, username)
        if admin and row is None:
            s.add(TeamAdmin(username=username, since=app.now()))
            return True
        if not admin and row is not None:
            s.delete(row)
            return True
        return False


def _require_admin(session: Session, actor: str) -> None:
    if not is_admin(session, actor):
        raise NotAllowedError("only an admin may edit the saved replies (social-care user admin NAME)")


def _clean(name: str, text: str, lang: str | None, channel: str | None) -> tuple[str, str, str | None, str | None]:
    name = " ".join((name or "").split())
    text = (text or "").strip()
    lang = (lang or "").strip().lower() or None
    channel = (channel or "").strip() or None
    if not name or len(name) > 80:
        raise WorkflowError("a saved reply needs a name of 1–80 characters")
    if not text:
        raise WorkflowError("a saved reply needs a text")
    if lang is not None and not re.fullmatch(r"[a-z]{2,3}", lang):
        raise WorkflowError("language: a two- or three-letter code such as en, de, pt (or empty for any)")
    if channel is not None and channel not in {c.value for c in Channel}:
        raise WorkflowError(f"channel: one of {', '.join(c.value for c in Channel)} (or empty for any)")
    unknown = sorted({m.group(1) for m in _SLOT.finditer(text)} - set(PLACEHOLDERS))
    if unknown:
        raise WorkflowError(f"unknown placeholder {', '.join('{' + u + '}' for u in unknown)}: use "
                            + ", ".join("{" + p + "}" for p in PLACEHOLDERS))
    sample = _fill(text, name="Alexandra", order="1234567890", brand="our shop")
    for ch in [Channel(channel)] if channel else list(Channel):
        problems = check_reply(sample, ch)
        if problems and (channel or "sounds" in problems[0]):
            raise WorkflowError("; ".join(problems))
    return name, text, lang, channel


def create_macro(app: App, *, name: str, text: str, lang: str | None, channel: str | None, actor: str) -> Macro:
    name, text, lang, channel = _clean(name, text, lang, channel)
    now = app.now()
    with app.session() as s:
        _require_admin(s, actor)
        macro = Macro(name=name, text=text, lang=lang, channel=channel, created_by=actor, updated_by=actor,
                      created_at=now, updated_at=now)
        s.add(macro)
        s.flush()
        s.expunge(macro)
        return macro


def update_macro(app: App, macro_id: int, *, name: str, text: str, lang: str | None, channel: str | None,
                 actor: str) -> Macro:
    name, text, lang, channel = _clean(name, text, lang, channel)
    with app.session() as s:
        _require_admin(s, actor)
        macro = s.get(Macro, macro_id)
        if macro is None:
            raise NotFoundError(f"saved reply {macro_id} not found")
        macro.name, macro.text, macro.lang, macro.channel = name, text, lang, channel
        macro.updated_by, macro.updated_at = actor, app.now()
        s.add(macro)
        s.flush()
        s.expunge(macro)
        return macro


def delete_macro(app: App, macro_id: int, *, actor: str) -> None:
    with app.session() as s:
        _require_admin(s, actor)
        macro = s.get(Macro, macro_id)
        if macro is None:
            raise NotFoundError(f"saved reply {macro_id} not found")
        for use in s.exec(select(MacroUse).where(MacroUse.macro_id == macro_id)).all():
            s.delete(use)
        s.flush()
        s.delete(macro)


def list_macros(session: Session, *, q: str | None = None, lang: str | None = None, channel: str | None = None,
                limit: int = 100) -> list[Macro]:
    """Saved replies matching ``q`` (name or text), for ``lang`` and ``channel`` (those for any language or
    channel too), most used first."""
    query = select(Macro)
    if q and q.strip():
        like = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(col(Macro.name).ilike(like, escape="\\"), col(Macro.text).ilike(like, escape="\\")))
    if lang:
        query = query.where(or_(col(Macro.lang).is_(None), col(Macro.lang) == lang))
    if channel:
        query = query.where(or_(col(Macro.channel).is_(None), col(Macro.channel) == channel))
    query = query.order_by(col(Macro.uses).desc(), col(Macro.name), col(Macro.id)).limit(max(1, min(limit, 500)))
    return list(session.exec(query).all())


def order_number(session: Session, post: Post) -> str | None:
    """The post's order number: an ``order-…`` tag, else one the customer's text gives."""
    tags = session.exec(select(PostTag.tag).where(PostTag.post_id == post.id,
                                                  col(PostTag.tag).like("order-%"))).all()
    if tags:
        return sorted(tags)[0][len("order-"):].upper()
    m = _ORDER.search(post.text or "")
    if m:
        return (m.group(1) or m.group(2)).strip("-")
    return None


def _fill(text: str, *, name: str | None, order: str | None, brand: str) -> str:
    def slot(m: re.Match[str]) -> str:
        key = m.group(1)
        if key == "name":
            return name or ""
        if key == "order":
            return order or MISSING_ORDER
        if key == "brand":
            return brand
        return m.group(0)

    out = _SLOT.sub(slot, text)
    if not name:  # "Hi {name}, …" without a usable name: "Hi, …"
        out = re.sub(r"\s+([,.!?])", r"\1", out).replace(" ,", ",")
    return out


def render_for(session: Session, macro: Macro, post: Post, *, brand: str, now: datetime) -> Rendered:
    channel = Channel(post.reply_channel)
    limit = channel.reply_limit
    order = order_number(session, post) if "{order}" in macro.text else None
    text = _fill(macro.text, name=usable_first_name(post.author_name), order=order, brand=brand).strip()
    missing = ["order"] if "{order}" in macro.text and order is None else []
    added = False
    if channel.is_public and recent_texts(session, channel, [text], now=now):
        text, added = with_reference(text, int(post.id or 0), limit), True
    problems = check_reply(text, channel)
    return Rendered(macro=macro, text=text, limit=limit, fits=not problems, problems=problems, missing=missing,
                    reference_added=added)


def insert_macro(app: App, post_id: int, macro_id: int, *, actor: str) -> Rendered:
    """The saved reply rendered for the post, counted as used; ``WorkflowError`` when it cannot go out."""
    now = app.now()
    with app.session() as s:
        post = require_post(s, post_id)
        macro = s.get(Macro, macro_id)
        if macro is None:
            raise NotFoundError(f"saved reply {macro_id} not found")
        if macro.channel and macro.channel != post.reply_channel:
            raise WorkflowError(f"saved reply {macro.name!r} is for {Channel(macro.channel).label}, "
                                f"this reply goes on {Channel(post.reply_channel).label}")
        rendered = render_for(s, macro, post, brand=app.playbook.brand, now=now)
        if not rendered.fits:
            raise WorkflowError(f"saved reply {macro.name!r} cannot go out here: " + "; ".join(rendered.problems))
        macro.uses += 1
        s.add(macro)
        s.add(MacroUse(macro_id=macro_id, post_id=post_id, actor=actor, at=now))
        cases.record(s, post, "macro_used", actor=actor, now=now,
                     note=f"saved reply {macro.id} ({macro.name}) inserted into the draft", bump=False)
        s.flush()
        s.expunge(macro)
        return rendered


def most_used(session: Session, start: datetime, end: datetime, limit: int = 10) -> list[dict[str, Any]]:
    """Saved replies by insertions within [start, end), most used first."""
    counts = session.exec(
        select(col(MacroUse.macro_id), func.count())
        .where(col(MacroUse.at) >= start, col(MacroUse.at) < end)
        .group_by(col(MacroUse.macro_id))
    ).all()
    by_id = {m.id: m for m in session.exec(select(Macro).where(col(Macro.id).in_([i for i, _ in counts])))}
    ranked = sorted(((int(c), by_id[i]) for i, c in counts if i in by_id), key=lambda t: (-t[0], t[1].name))
    return [{"id": m.id, "name": m.name, "lang": m.lang, "channel": m.channel, "uses": c} for c, m in ranked[:limit]]


def macro_dict(m: Macro, rendered: Rendered | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": m.id, "name": m.name, "lang": m.lang, "channel": m.channel, "text": m.text,
                           "uses": m.uses, "updated_by": m.updated_by,
                           "updated_at": as_utc(m.updated_at).isoformat() if m.updated_at else None}
    if rendered is not None:
        out.update({"preview": rendered.text, "fits": rendered.fits, "problems": rendered.problems,
                    "missing": rendered.missing, "reference_added": rendered.reference_added,
                    "limit": rendered.limit})
    return out
