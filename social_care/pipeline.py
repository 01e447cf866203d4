"""Orchestration without platform knowledge: poll a stream, score, store each post once, draft replies.

A stream's cursor is written in the same transaction as the posts of the batch that carries it, so a
crash at any point loses nothing and duplicates nothing on the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from connectors.base import Batch, Connector

from . import cases
from .app import App
from .audit import AUTOSEND
from .config import Autosend
from .drafting import playbook_draft
from .errors import FatalError, RateLimited, RetriableError, SkippableError
from .inbox.marks import blocks_autosend
from .models import OPEN_STATUSES, Mention, PostStatus, ReplyKind, ReplyStatus
from .scoring.categories import category_call
from .scoring.model import CascadeScorer
from .scoring.questions import plain_question
from .store import repo
from .store.tables import PollRun, Post, Reply

__all__ = [
    "PollResult", "poll_stream", "poll_all", "ingest", "ingest_many", "draft_reply", "draft_pending", "choose_template",
    "rescore",
]
log = logging.getLogger(__name__)
FATAL_PAUSE = timedelta(minutes=30)  # then polled again: fixes (a new token) are picked up by themselves


@dataclass
class PollResult:
    stream: str
    fetched: int = 0
    stored: int = 0
    flagged: int = 0
    skipped: int = 0
    listings_cut: int = 0  # listings that ended early (repeated cursor, one post's listing failing)
    outcome: str = "ok"  # ok | degraded | paused | rate_limited | retriable | fatal
    error: str | None = None
    new_post_ids: list[int] = field(default_factory=list)
    cut_reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the platform could not show (e.g. older messages)

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out.pop("new_post_ids")
        out.pop("cut_reasons")
        out.pop("notes")
        return out


def poll_all(app: App) -> list[PollResult]:
    return [poll_stream(app, connector) for connector in app.connectors]


def poll_stream(app: App, connector: Connector) -> PollResult:
    """Drain one stream from its cursor. Errors are recorded and classified, never raised to the job."""
    stream = connector.stream
    result = PollResult(stream=stream)
    started = app.now()
    with app.session() as s:
        pause = repo.active_pause(s, stream=stream, now=started)
        if pause is not None:
            result.outcome, result.error = "paused", pause.reason
            return result
        cursor = repo.get_cursor(s, stream=stream)
    try:
        for batch in connector.poll(cursor):
            _store_batch(app, stream, batch, result)
        with app.session() as s:
            repo.clear_pause(s, stream=stream)
        if result.cut_reasons:
            result.outcome = "degraded"
            result.error = (f"{len(result.cut_reasons)} listing(s) cut short, read again next poll: "
                            + "; ".join(result.cut_reasons[:3]))
        elif result.notes:  # stored what could be read; `status` shows what could not
            result.error = "; ".join(result.notes[:3])
    except RateLimited as exc:
        result.outcome, result.error = "rate_limited", str(exc)
        _pause(app, stream, until=exc.reset_at, kind="rate_limit", reason=str(exc))
    except FatalError as exc:
        result.outcome, result.error = "fatal", str(exc)
        log.error("%s stopped: %s", stream, exc)
        _pause(app, stream, until=app.now() + FATAL_PAUSE, kind="fatal", reason=str(exc))
    except (RetriableError, SkippableError) as exc:
        result.outcome, result.error = "retriable", str(exc)
        log.warning("%s will retry next run: %s", stream, exc)
    with app.session() as s:
        repo.record_run(s, run=PollRun(
            stream=stream, started_at=started, finished_at=app.now(), fetched=result.fetched,
            stored=result.stored, skipped=result.skipped, outcome=result.outcome, error=result.error,
        ))
    return result


def _pause(app: App, stream: str, *, until: datetime, kind: str, reason: str) -> None:
    with app.session() as s:
        repo.pause_stream(s, stream=stream, until=until, kind=kind, reason=reason, now=app.now())


def _store_batch(app: App, stream: str, batch: Batch, result: PollResult) -> None:
    result.fetched += len(batch.mentions)
    result.skipped += len(batch.skipped)
    result.listings_cut += len(batch.cut)
    result.cut_reasons.extend(batch.cut)
    result.notes.extend(batch.notes)
    with app.session() as s:
        fresh = ingest(app, s, batch.mentions)
        if batch.checkpoint is not None:
            repo.set_cursor(s, stream=stream, value=batch.checkpoint, now=app.now())
        if app.fence is not None:  # scaled out: only the stream's lease holder commits (social_care.scale)
            app.fence(s, stream)
    result.stored += len(fresh)
    result.flagged += sum(1 for p in fresh if p.flagged)
    result.new_post_ids.extend(p.id for p in fresh if p.id is not None)


def ingest(app: App, session: Session, mentions: Sequence[Mention], *, draft: bool = True) -> list[Post]:
    """Score and store the mentions not stored yet; flagged ones get their playbook draft (with
    ``draft=False`` they are stored flagged and :func:`draft_pending` drafts them just after)."""
    if not mentions:
        return []
    now = app.now()
    scores = app.scorer.score_many([m.text for m in mentions])
    rows = [_post_row(m, sc, app.scorer.name, now) for m, sc in zip(mentions, scores, strict=True)]
    fresh = cases.store_new(session, rows)
    if len(fresh) < len(rows):  # already stored: a post first read from a webhook takes the poll's details
        kept = {id(p) for p in fresh}
        repo.adopt_polled(session, posts=[r for r in rows if id(r) not in kept])
    for post in fresh if draft else ():
        if post.flagged:
            draft_reply(app, session, post)
    return fresh


def draft_pending(app: App, *, limit: int = 500) -> int:
    """Draft the flagged posts stored without their playbook draft (a large webhook batch is answered with
    its posts stored and flagged; the drafts follow here, at once, and again on every outbox run should the
    process stop in between). Only posts untouched since they arrived (version 1, status flagged, no playbook
    reply) qualify, so a draft a person discarded is never made again. Returns how many were drafted."""
    drafted = 0
    chunk = 20  # short transactions: a webhook delivery never waits long for SQLite's write lock
    while True:
        with app.session() as s:
            has_draft = select(Reply.id).where(Reply.post_id == Post.id, Reply.kind == ReplyKind.PLAYBOOK.value)
            posts = s.exec(
                select(Post).where(Post.status == PostStatus.FLAGGED.value, Post.flagged == True,  # noqa: E712
                                   Post.version == 1, ~has_draft.exists())
                .order_by(col(Post.id)).limit(min(limit - drafted, chunk))
            ).all()
            for post in posts:
                draft_reply(app, s, post)
        drafted += len(posts)
        if len(posts) < chunk or drafted >= limit:
            return drafted


def _score_fields(score: object, scorer_name: str) -> dict[str, Any]:
    """A post's score columns from one scorer result (a new post's, and an edited post's again)."""
    return dict(
        scorer=scorer_name, lang=getattr(score, "lang", None), label=getattr(score, "label", None),
        polarity=getattr(score, "polarity", None), flagged=bool(getattr(score, "flagged", False)),
        category=getattr(score, "category", None), reasons=list(getattr(score, "reasons", ()) or ()),
    )


def _post_fields(m: Mention, score: object, scorer_name: str, now: datetime) -> dict[str, Any]:
    scored = _score_fields(score, scorer_name)
    flagged = scored["flagged"]
    return dict(
        channel=m.channel.value, external_id=m.external_id, author_id=m.author_id, author_handle=m.author_handle,
        author_name=m.author_name, author_followers=m.author_followers, customer_key=m.customer_key, text=m.text,
        created_at=m.created_at, ingested_at=now, thread_key=m.thread_key, parent_external_id=m.parent_external_id,
        permalink=m.permalink, **Post.reply_columns(m.reply_to), **scored,
        status=cases.initial_status(flagged), updated_at=now,
        raw=dict(m.raw) if m.raw else {},
    )


def rescore(app: App, session: Session, posts: Sequence[Post], *, now: datetime, bulk: bool = False) -> list[Post]:
    """Score posts again after their authors edited them, with the scorer new posts go through, and act as
    on arrival: an untouched post (``new``) that the edit makes unhappy is flagged (``cases.transition``, with
    the scorer's reasons) and gets its playbook draft (autosend included). A post already flagged, answered
    or closed keeps its status; its score follows the new text and its log says so. An edit never clears a
    flag (a person does): a flagged post that now reads calmer keeps its flag and the reasons it was flagged
    for. Returns the posts the edit newly flagged that are open, for the caller's Slack ping. ``bulk``: a
    large webhook batch, scored by the cascade's hashed stage alone as ``ingest_many`` scores new posts."""
    if not posts:
        return []
    texts = [p.text for p in posts]
    if bulk and isinstance(app.scorer, CascadeScorer):
        scores, name = app.scorer.score_many_hashed(texts), "fast"
    else:
        scores, name = app.scorer.score_many(texts), app.scorer.name
    pinged: list[Post] = []
    for post, score in zip(posts, scores, strict=True):
        fields = _score_fields(score, name)
        was = bool(post.flagged)
        if was and not fields["flagged"]:
            del fields["flagged"], fields["reasons"]
        for name, value in fields.items():
            setattr(post, name, value)
        session.add(post)
        if was or not post.flagged:
            continue
        reasons = "; ".join(post.reasons or [])
        note = f"by the scorer ({post.scorer}) after the customer's edit" + (f": {reasons}" if reasons else "")
        if post.status == PostStatus.NEW.value:
            cases.transition(session, post, PostStatus.FLAGGED, actor="system", now=now, action="flagged", note=note)
            draft_reply(app, session, post)
        else:  # answered, closed, or a person's reply waiting: the status stays
            cases.record(session, post, "flagged", actor="system", now=now, note=f"{note} (stays {post.status})")
        if PostStatus(post.status) in OPEN_STATUSES:
            pinged.append(post)
    return pinged


def _post_row(m: Mention, score: object, scorer_name: str, now: datetime) -> Post:
    return Post(**_post_fields(m, score, scorer_name, now))


def ingest_many(app: App, session: Session, mentions: Sequence[Mention]) -> list[repo.NewPost]:
    """``ingest`` for a large webhook batch: the same rows and arrival events, written in bulk
    (``cases.store_new_rows``), without drafts (``draft_pending`` makes them just after). Returns the new
    posts' ids, keys and flags."""
    if not mentions:
        return []
    now = app.now()
    texts = [m.text for m in mentions]
    if isinstance(app.scorer, CascadeScorer):
        # the 200 must leave within the platform's deadline (X 10 s): the hashed stage alone, named "fast"
        scores, name = app.scorer.score_many_hashed(texts), "fast"
    else:
        scores, name = app.scorer.score_many(texts), app.scorer.name
    rows = [_post_fields(m, sc, name, now) for m, sc in zip(mentions, scores, strict=True)]
    return cases.store_new_rows(session, rows)


def draft_reply(app: App, session: Session, post: Post, *, actor: str = "system") -> Reply:
    """Create the playbook draft for ``post`` (idempotent) and move the post to awaiting approval.

    With ``SOCIAL_CARE_AUTOSEND=playbook`` the draft is approved at once and the outbox sends it.
    """
    key = f"playbook:{post.id}"
    existing = session.exec(select(Reply).where(Reply.idempotency_key == key)).first()
    if existing is not None:
        return existing
    channel = post.reply_target.channel
    template_key, autosend_ok, why = choose_template(post)
    muted = blocks_autosend(session, post)
    if muted:  # an author marked "don't engage": a person decides whether to answer at all
        autosend_ok, why = False, muted
    if why and why.split(":")[0] not in (post.reasons or []):
        post.reasons = [why.split(":")[0], *(post.reasons or [])]  # the queue's why-flagged column shows it
    now = app.now()
    draft = playbook_draft(app.playbook, session, post, now=now, category=template_key)
    reply = Reply.to(
        post.reply_target, post_id=post.id, kind=ReplyKind.PLAYBOOK.value, text=draft.text,
        status=ReplyStatus.DRAFT.value, idempotency_key=key, template_id=draft.template_id, created_at=now,
    )
    # a customer who did not address the brand gets a reply only when a person approves it
    autosend = app.settings.autosend == Autosend.PLAYBOOK and autosend_ok and not channel.person_approves
    if autosend:
        reply.status, reply.author, reply.approved_at = ReplyStatus.APPROVED.value, AUTOSEND, now
    session.add(reply)
    session.flush()
    cases.transition(session, post, PostStatus.AWAITING_APPROVAL, actor=actor, now=now,
                     action="drafted", note=f"playbook draft {draft.template_id}" + (f" ({why})" if why else ""),
                     reply_id=reply.id)
    if autosend:
        cases.record(session, post, "approved", actor=AUTOSEND, now=now,
                     note=f"reply {reply.id} approved by the playbook (SOCIAL_CARE_AUTOSEND=playbook)",
                     reply_id=reply.id)
    return reply


def choose_template(post: Post) -> tuple[str, bool, str | None]:
    """The playbook template for a flagged post, whether autosend may send it, and why it is not the
    post's category (None when it is).

    A plain question gets the non-apology "question" reply and waits for a person (it needs an answer);
    a category that is not confident gets the general acknowledge-and-apologize reply ("other"); only a
    confident category gets its own apology. A person's category correction redraws with that category
    (workflow), so this applies to the scorer's own category only."""
    text, lang = post.text or "", post.lang
    if plain_question(text, lang):
        return "question", False, "question, not a complaint: a person answers it"
    call = category_call(text, lang)
    category = post.category or call.category
    if category == "other":
        return "other", True, None if call.confident else f"category unsure: {call.why}"
    if call.confident and call.category == category:
        return category, True, None
    return "other", True, f"category unsure: {call.why}"
