"""Per-agent views: the team table (each member's open cases, their oldest waiting, and their first-response
median over a period), shown on the Team page, by ``GET /api/team``, ``social-care team`` and in the weekly
report.

Definitions: **open cases** are posts assigned to the member whose status still needs action (new,
flagged, awaiting approval); **oldest waiting** is the longest of those posts' waits at ``as_of``;
**first-response median** is the median time from a post's arrival to its first sent reply (follow-ups
do not count), over the posts whose first reply the member approved and that went out in the period;
``replies`` counts every reply (not follow-ups) they approved that went out in the period. The row
``(unassigned)`` gives the open posts nobody has claimed.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from ..models import OPEN_STATUSES, ReplyKind, ReplyStatus, as_utc
from ..store.tables import Post, Reply, User

__all__ = ["UNASSIGNED", "team_table"]

UNASSIGNED = "(unassigned)"
_OPEN = [s.value for s in OPEN_STATUSES]


def _minutes(later: datetime, earlier: datetime) -> float:
    return (as_utc(later) - as_utc(earlier)).total_seconds() / 60.0


def team_table(session: Session, *, start: datetime, end: datetime, as_of: datetime) -> list[dict[str, Any]]:
    """One row per active team member (and one for the unassigned posts), most open cases first."""
    members = {u.username: (u.display_name or u.username)
               for u in session.exec(select(User).where(User.is_active == True))}  # noqa: E712 - SQL
    open_rows = session.exec(
        select(Post.assignee, func.count(), func.min(Post.created_at))
        .where(col(Post.status).in_(_OPEN))
        .group_by(col(Post.assignee))
    ).all()
    open_by: dict[str | None, tuple[int, datetime | None]] = {a: (int(n), oldest) for a, n, oldest in open_rows}
    period_end = min(as_utc(end), as_utc(as_of))
    sent = session.exec(
        select(Reply.post_id, Reply.author, Reply.sent_at)
        .where(Reply.status == ReplyStatus.SENT.value, Reply.kind != ReplyKind.FOLLOWUP.value,
               col(Reply.sent_at).is_not(None), col(Reply.sent_at) >= start, col(Reply.sent_at) <= period_end)
    ).all()
    post_ids = sorted({pid for pid, _, _ in sent})
    first: dict[int, datetime] = {}
    created: dict[int, datetime] = {}
    for i in range(0, len(post_ids), 500):
        chunk = post_ids[i : i + 500]
        for pid, at in session.exec(select(Reply.post_id, Reply.sent_at).where(
                col(Reply.post_id).in_(chunk), Reply.status == ReplyStatus.SENT.value,
                Reply.kind != ReplyKind.FOLLOWUP.value, col(Reply.sent_at).is_not(None))):
            if at is not None and (pid not in first or as_utc(at) < first[pid]):
                first[pid] = as_utc(at)
        for post_id, made in session.exec(select(Post.id, Post.created_at).where(col(Post.id).in_(chunk))):
            if post_id is not None:
                created[post_id] = as_utc(made)
    replies: dict[str, int] = defaultdict(int)
    frt: dict[str, list[float]] = defaultdict(list)
    for pid, author, at in sent:
        who = author or "?"
        replies[who] += 1
        if at is not None and first.get(pid) == as_utc(at) and pid in created:
            frt[who].append(max(_minutes(at, created[pid]), 0.0))
    rows: list[dict[str, Any]] = []
    for username, display in members.items():
        count, oldest = open_by.get(username, (0, None))
        rows.append({
            "username": username,
            "display_name": display,
            "open": count,
            "oldest_waiting_minutes": round(_minutes(as_of, oldest), 1) if oldest is not None else None,
            "first_response_median_minutes": round(statistics.median(frt[username]), 1) if frt[username] else None,
            "first_responses": len(frt[username]),
            "replies": replies.get(username, 0),
        })
    rows.sort(key=lambda r: (-r["open"], r["username"]))
    count, oldest = open_by.get(None, (0, None))
    rows.append({
        "username": UNASSIGNED,
        "display_name": "Unassigned",
        "open": count,
        "oldest_waiting_minutes": round(_minutes(as_of, oldest), 1) if oldest is not None else None,
        "first_response_median_minutes": None,
        "first_responses": 0,
        "replies": 0,
    })
    return rows
