"""Exports: every stored customer post as JSONL (with its audit trail); reviewers' corrections as training CSV."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from typing import Any, TextIO

from sqlmodel import col, select

from .app import App
from .audit import event_dict, events_for_posts
from .inbox.tags import tag_condition, tags_for
from .models import as_utc
from .store.tables import Feedback, Post, Reply, StatusEvent

__all__ = ["export_jsonl", "export_feedback_csv", "post_record"]
CHUNK = 1000


def _iso(value: Any) -> str | None:
    return as_utc(value).isoformat().replace("+00:00", "Z") if value is not None else None


def post_record(post: Post, replies: list[Reply], events: list[StatusEvent] | None = None,
                tags: list[str] | None = None) -> dict[str, Any]:
    return {
        "channel": post.channel,
        "external_id": post.external_id,
        "author_id": post.author_id,
        "author_handle": post.author_handle,
        "text": post.text,
        "created_at": _iso(post.created_at),
        "lang": post.lang,
        "label": post.label,
        "polarity": post.polarity,
        "flagged": post.flagged,
        "category": post.category,
        "status": post.status,
        "tags": list(tags or []),  # free tags (social_care.inbox.tags), apart from the scoring category
        "replies": [
            {"id": r.id, "channel": r.channel, "external_id": r.external_id, "text": r.text, "status": r.status,
             "author": r.author, "sent_at": _iso(r.sent_at)}
            for r in replies
        ],
        # the audit trail, oldest first: who did what and when (reply_id matches a reply's id above)
        "events": [event_dict(ev, with_post=False) for ev in events or []],
    }


def export_jsonl(app: App, out: TextIO, *, tag: str | None = None) -> int:
    """Write one JSON object per stored post (oldest first; only those tagged ``tag`` when given), in chunks
    so memory stays flat."""
    count, last_id = 0, 0
    only = [tag_condition(tag)] if tag else []
    while True:
        with app.session() as s:
            posts = s.exec(select(Post).where(col(Post.id) > last_id, *only).order_by(col(Post.id))
                           .limit(CHUNK)).all()
            if not posts:
                return count
            replies: dict[int, list[Reply]] = defaultdict(list)
            ids = [p.id for p in posts]
            for reply in s.exec(select(Reply).where(col(Reply.post_id).in_(ids)).order_by(col(Reply.id))):
                replies[reply.post_id].append(reply)
            events = events_for_posts(s, ids)  # type: ignore[arg-type]
            tags = tags_for(s, ids)  # type: ignore[arg-type]
        for post in posts:
            assert post.id is not None  # read from the store
            record = post_record(post, replies[post.id], events[post.id], tags.get(post.id))
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        last_id = posts[-1].id  # type: ignore[assignment]


def export_feedback_csv(app: App, out: TextIO) -> int:
    """Corrected posts as training rows in the shape of the training data (text, label, …)."""
    with app.session() as s:
        rows = s.exec(select(Feedback, Post).join(Post, col(Feedback.post_id) == col(Post.id))
                      .order_by(col(Feedback.at), col(Feedback.id))).all()
    latest: dict[int, dict[str, Any]] = {}
    for fb, post in rows:
        rec = latest.setdefault(post.id, {  # type: ignore[arg-type]
            "text": post.text, "label": post.label, "flagged": post.flagged, "category": post.category,
            "lang": post.lang, "channel": post.channel, "external_id": post.external_id, "corrected_by": fb.actor,
        })
        rec[fb.field] = fb.new_value
        rec["corrected_by"] = fb.actor
    writer = csv.DictWriter(out, fieldnames=["text", "label", "flagged", "category", "lang", "channel",
                                             "external_id", "corrected_by"])
    writer.writeheader()
    for rec in latest.values():
        rec["flagged"] = str(rec["flagged"]).lower() in ("true", "1", "yes")
        writer.writerow(rec)
    return len(latest)
