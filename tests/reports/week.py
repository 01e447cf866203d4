"""The hand-computed week 2026-W47 (UTC) and its comparison week W46, one table row per post.

Expected figures are worked out in ``test_weekly_figures.py`` from these rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alerts.factory import add_post, add_reply, set_status

from social_care.store.tables import Post


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


NEG = {"flagged": True, "label": "negative"}
# key: (channel, created_at, author, handle-or-name, text, extra fields)
# fmt: off
POSTS: dict[str, tuple[str, datetime, str, str, str, dict[str, Any]]] = {
    # ---- week 2026-W47: Mon 16 .. Sun 22 November ----
    "p1": ("x.mention", at(16, 9, 10), "1", "@ann", "my parcel never arrived, tracking broken",
           {**NEG, "category": "delivery"}),
    "p2": ("x.mention", at(16, 9, 50), "1", "@ann", "parcel still missing", {**NEG, "category": "delivery"}),
    "p3": ("x.dm", at(17, 14, 5), "2", "@bob", "refund please, parcel damaged", {**NEG, "category": "refund"}),
    "p4": ("facebook.comment", at(18, 20, 0), "3", "Cara", "love the new shoes", {"label": "positive"}),
    "p5": ("facebook.messenger", at(19, 9, 30), "4", "Dan", "wo ist mein paket",
           {**NEG, "category": "delivery", "lang": "de"}),
    "p6": ("x.mention", at(20, 9, 15), "5", "@eve", "tracking page broken again", {**NEG, "category": "account"}),
    "p7": ("x.mention", at(21, 9, 45), "1", "@ann", "thanks parcel arrived", {"label": "positive"}),
    "p8": ("facebook.comment", at(22, 23, 30), "6", "Fe", "ok", {"label": "neutral", "lang": None}),
    "spam": ("x.mention", at(18, 10), "7", "@spammer", "buy followers parcel parcel", {"status": "spam"}),
    "next_week": ("x.mention", at(23, 0, 30), "1", "@ann", "next week parcel", {}),
    # ---- week 2026-W46 (the comparison) ----
    "q1": ("x.mention", at(9, 10), "8", "@gus", "parcel late", {**NEG, "category": "delivery"}),
    "q2": ("x.dm", at(10, 10), "9", "@hal", "great service", {"label": "positive"}),
    "q3": ("facebook.comment", at(11, 10), "10", "Ivo", "where is my refund", {**NEG, "category": "refund"}),
    "q4": ("x.mention", at(12, 10), "11", "@ivy", "hello shop", {"label": "neutral"}),
}
# fmt: on
# (post, sent_at, kind): the first *sent* non-follow-up reply counts; drafts and follow-ups do not
REPLIES = [
    ("p1", at(16, 9, 40), "manual"),  # 30 min
    ("p1", at(16, 10, 30), "manual"),
    ("p1", at(18, 10), "followup"),
    ("p2", at(16, 11, 20), "manual"),  # 90 min
    ("p3", at(17, 14, 15), "playbook"),  # 10 min
    ("p5", at(19, 12, 30), "playbook"),  # 180 min
    ("p6", None, "manual"),  # a draft
    ("p7", at(21, 10, 5), "manual"),  # 20 min
]
RESOLVED = [("p1", at(16, 11, 10)), ("p2", at(17, 9, 50)), ("p5", at(19, 13, 0))]  # 120, 1440, 210 min
# follow-ups sent during W47: satisfied, unsatisfied, no answer (for last week's post)
FOLLOWUPS = [("p1", at(18, 10), "satisfied"), ("p5", at(20, 13), "unsatisfied"), ("q1", at(16, 10), None)]


def build_week(app: Any, clock: Any) -> dict[str, Post]:
    clock.now = at(25, 12)  # "as of" Wednesday after the week
    posts: dict[str, Post] = {}
    for key, (channel, created, author, who, text, extra) in POSTS.items():
        names = {"handle": who[1:]} if who.startswith("@") else {"handle": None, "author_name": who}
        posts[key] = add_post(
            app, channel=channel, created_at=created, author=author, text=text, **names, **extra
        )
    for key, sent_at, kind in REPLIES:
        status = "sent" if sent_at else "draft"
        add_reply(app, posts[key], sent_at=sent_at, status=status, kind=kind)
        if sent_at and kind != "followup" and posts[key].status != "sent":
            set_status(app, posts[key], "sent", sent_at, actor="system")
            posts[key].status = "sent"
    for key, when in RESOLVED:
        set_status(app, posts[key], "resolved", when)
    with app.session() as s:
        for key, sent, answer in FOLLOWUPS:
            row = s.get(Post, posts[key].id)
            assert row is not None
            row.followup_sent_at, row.satisfaction = sent, answer
            s.add(row)
    return posts
