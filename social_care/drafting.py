"""Playbook texts that vary: each reply takes the first phrasing of its template (rotated by post id)
that the brand has not used on the same channel recently, so a wave of same-named customers with the
same problem does not get one identical text, which X (403 "duplicate content") and Graph (code 506)
refuse. "Recently" is the Reply table: drafts, approved, sending and sent replies on that channel
drafted or sent within ``RECENT_REPLIES``, among the channel's newest ``RECENT_LIMIT`` replies. A phrasing
the brand posted some other way (by hand in the X app) is not known here: the outbox redrafts on refusal."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select as sa_select  # five columns: more than sqlmodel's select is typed for
from sqlmodel import Session, col, or_, select

from .models import Channel, ReplyKind, ReplyStatus
from .playbook import Draft, Playbook
from .store.tables import Post, Reply

__all__ = ["RECENT_REPLIES", "recent_texts", "playbook_options", "playbook_draft", "followup_options", "followup_draft",
           "options_for"]

#: How far back a brand's replies count as recent when choosing a phrasing ...
RECENT_REPLIES = timedelta(days=7)
#: ... and how many of its newest replies on the channel are looked at (a bound on the query's cost).
RECENT_LIMIT = 5_000
#: Replies in these states went out, or will unless a person stops them.
_LIVE = (ReplyStatus.DRAFT.value, ReplyStatus.APPROVED.value, ReplyStatus.SENDING.value, ReplyStatus.SENT.value)


def recent_texts(session: Session, channel: Channel | str, texts: Iterable[str], *, now: datetime,
                 exclude_reply_id: int | None = None) -> set[str]:
    """Which of ``texts`` the brand sent or queued on ``channel`` recently: among its last ``RECENT_LIMIT``
    replies there, those drafted or sent within ``RECENT_REPLIES``. Walking back from the newest reply by
    primary key keeps the cost flat however many replies the table holds."""
    wanted = list(dict.fromkeys(texts))
    if not wanted:
        return set()
    since = now - RECENT_REPLIES
    latest = (
        sa_select(col(Reply.id), col(Reply.text), col(Reply.status), col(Reply.created_at), col(Reply.sent_at))
        .where(col(Reply.channel) == Channel(channel).value)
        .order_by(col(Reply.id).desc())
        .limit(RECENT_LIMIT)
        .subquery()
    )
    query = select(latest.c.text).where(
        latest.c.status.in_(_LIVE),
        or_(latest.c.created_at >= since, latest.c.sent_at >= since),  # drafted long ago, sent lately
        latest.c.text.in_(wanted),
    )
    if exclude_reply_id is not None:
        query = query.where(latest.c.id != exclude_reply_id)
    return set(session.exec(query).all())


def playbook_options(playbook: Playbook, post: Post, category: str | None = None) -> list[Draft]:
    """Every phrasing of ``post``'s playbook reply, in the order the post tries them. ``category`` is the
    template the pipeline chose (``pipeline.choose_template``: "other" for an unsure category, "question"
    for a plain question); by default the post's category."""
    return playbook.drafts(channel=Channel(post.reply_channel), lang=post.lang, category=category or post.category,
                           name=post.author_name or post.author_handle, text=post.text, post_id=post.id)


def playbook_draft(playbook: Playbook, session: Session, post: Post, *, now: datetime,
                   exclude_reply_id: int | None = None, category: str | None = None) -> Draft:
    """``post``'s playbook reply in a phrasing the brand has not used on the reply channel recently."""
    channel = Channel(post.reply_channel)
    options = playbook_options(playbook, post, category)
    used = recent_texts(session, channel, (o.text for o in options), now=now, exclude_reply_id=exclude_reply_id)
    return playbook.draft(channel=channel, lang=post.lang, category=category or post.category,
                          name=post.author_name or post.author_handle, text=post.text, post_id=post.id, avoid=used)


def followup_options(playbook: Playbook, post: Post) -> list[Draft]:
    return playbook.followups(lang=post.lang, name=post.author_name or post.author_handle, text=post.text,
                              post_id=post.id)


def followup_draft(playbook: Playbook, session: Session, post: Post, channel: Channel | str, *,
                   now: datetime) -> Draft:
    """The follow-up for ``post`` in a phrasing not sent on ``channel`` recently."""
    options = followup_options(playbook, post)
    used = recent_texts(session, channel, (o.text for o in options), now=now)
    return playbook.followup(lang=post.lang, name=post.author_name or post.author_handle, text=post.text,
                             post_id=post.id, avoid=used)


def options_for(playbook: Playbook, reply: Reply, post: Post) -> list[Draft]:
    """The phrasings a reply was drafted from (none for a person's own reply)."""
    if reply.kind == ReplyKind.PLAYBOOK.value:  # the template it was drafted from: "<lang>.<kind>.<key>"
        parts = (reply.template_id or "").split(".")
        return playbook_options(playbook, post, parts[2] if len(parts) == 3 else None)
    if reply.kind == ReplyKind.FOLLOWUP.value:
        return followup_options(playbook, post)
    return []
