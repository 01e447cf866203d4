"""Free tags on posts (``vip``, ``refund-approved``, ``order-1234``), kept apart from the scoring categories.

A tag is lower case, 1–48 characters of letters, digits and ``-_.:`` (spaces become ``-``). Adding or
removing tags is one event in the post's audit trail (``tagged`` / ``untagged``) and a new post version.
The queue, the API, the export and the weekly report filter or count by tag through this module.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from .. import cases
from ..models import as_utc
from ..store.tables import Post
from .common import WorkflowError, load_post
from .tables import PostTag

if TYPE_CHECKING:
    from ..app import App

__all__ = ["MAX_TAGS", "add_tags", "tag_rows", "all_tags", "normalize_tag", "parse_tags", "remove_tags",
           "tag_condition",
           "tags_for"]

MAX_TAGS = 20  # per post
_TAG = re.compile(r"^[\w][\w.:-]{0,47}$", re.UNICODE)


def normalize_tag(text: str) -> str:
    """``" Refund Approved "`` → ``refund-approved``; a ``WorkflowError`` for what cannot be a tag."""
    tag = re.sub(r"\s+", "-", (text or "").strip().lower()).lstrip("#")
    if not _TAG.match(tag):
        raise WorkflowError(f"{text.strip()[:60]!r} is not a tag: 1–48 letters, digits, '-', '_', '.' or ':'")
    return tag


def parse_tags(values: str | Iterable[str]) -> list[str]:
    """Tags from a comma-separated text or a list, normalised, each once, in order."""
    items = values.split(",") if isinstance(values, str) else [v for x in values for v in str(x).split(",")]
    tags = [normalize_tag(v) for v in items if v.strip()]
    if not tags:
        raise WorkflowError("give at least one tag")
    return list(dict.fromkeys(tags))


def tags_for(session: Session, post_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    ids = [i for i in post_ids if i is not None]
    if not ids:
        return out
    rows = session.exec(
        select(PostTag.post_id, PostTag.tag).where(col(PostTag.post_id).in_(ids)).order_by(col(PostTag.tag))
    ).all()
    for post_id, tag in rows:
        out[post_id].append(tag)
    return out


def all_tags(session: Session, limit: int = 200) -> list[dict[str, Any]]:
    """Every tag in use with how many posts carry it, most used first."""
    n = func.count().label("n")
    rows = session.exec(
        select(PostTag.tag, n).group_by(col(PostTag.tag)).order_by(n.desc(), col(PostTag.tag)).limit(limit)
    ).all()
    return [{"tag": t, "count": int(c)} for t, c in rows]


def tag_condition(tag: str) -> Any:
    """SQL: the post carries ``tag`` (for the queue's and the export's filters)."""
    return exists().where(col(PostTag.post_id) == col(Post.id), col(PostTag.tag) == normalize_tag(tag))


def add_tags(
    app: App, post_id: int, tags: str | Iterable[str], *, actor: str, expected_version: int | None
) -> tuple[Post, list[str]]:
    """Tag a post; returns the post and the tags that were new (an existing tag is not an error)."""
    wanted = parse_tags(tags)
    now = app.now()
    with app.session() as s:
        post = load_post(s, post_id, expected_version)
        have = set(tags_for(s, [post_id]).get(post_id, []))
        fresh = [t for t in wanted if t not in have]
        if len(have) + len(fresh) > MAX_TAGS:
            raise WorkflowError(f"a post carries at most {MAX_TAGS} tags")
        for tag in fresh:
            s.add(PostTag(post_id=post_id, tag=tag, actor=actor, at=now))
        if fresh:
            cases.record(s, post, "tagged", actor=actor, now=now, note=", ".join(fresh))
        return post, fresh


def remove_tags(
    app: App, post_id: int, tags: str | Iterable[str], *, actor: str, expected_version: int | None
) -> tuple[Post, list[str]]:
    """Take tags off a post; returns the post and the tags it had."""
    wanted = parse_tags(tags)
    now = app.now()
    with app.session() as s:
        post = load_post(s, post_id, expected_version)
        rows = s.exec(select(PostTag).where(PostTag.post_id == post_id, col(PostTag.tag).in_(wanted))).all()
        removed = sorted(r.tag for r in rows)
        for row in rows:
            s.delete(row)
        if removed:
            cases.record(s, post, "untagged", actor=actor, now=now, note=", ".join(removed))
        return post, removed


def tag_rows(session: Session, posts: Sequence[Post], first_reply: dict[int, Any], limit: int = 20
             ) -> list[dict[str, Any]]:
    """The weekly report's tag table: per tag on ``posts``, how many, how many flagged, and the median first
    response (minutes) of those answered (``first_reply``: post id → first sent reply time), most posts first."""
    by_id = {p.id: p for p in posts if p.id is not None}
    tags = tags_for(session, list(by_id))
    rows: dict[str, dict[str, Any]] = {}
    for pid, names in tags.items():
        post = by_id[pid]
        for name in names:
            row = rows.setdefault(name, {"tag": name, "posts": 0, "flagged": 0, "_frt": []})
            row["posts"] += 1
            row["flagged"] += 1 if post.flagged else 0
            if pid in first_reply:
                row["_frt"].append((as_utc(first_reply[pid]) - as_utc(post.created_at)).total_seconds() / 60.0)
    out = []
    for row in sorted(rows.values(), key=lambda r: (-r["posts"], r["tag"]))[:limit]:
        frt = row.pop("_frt")
        row["first_response_median_minutes"] = round(statistics.median(frt), 1) if frt else None
        out.append(row)
    return out
