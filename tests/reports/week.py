"""The hand-computed week 2026-W47 (UTC) and its comparison week, inserted row by row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alerts.factory import add_post, add_reply, set_status


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def build_week(app: Any, clock: Any) -> Any:
    clock.now = at(25, 12)  # "as of" Wednesday after the week
    p = {}
    # ---- week 2026-W47: Mon 16 .. Sun 22 November ----
    p[1] = add_post(
        app,
        channel="x.mention",
        created_at=at(16, 9, 10),
        author="1",
        handle="ann",
        flagged=True,
        label="negative",
        category="delivery",
        text="my parcel never arrived, tracking broken",
    )
    p[2] = add_post(
        app,
        channel="x.mention",
        created_at=at(16, 9, 50),
        author="1",
        handle="ann",
        flagged=True,
        label="negative",
        category="delivery",
        text="parcel still missing",
    )
    p[3] = add_post(
        app,
        channel="x.dm",
        created_at=at(17, 14, 5),
        author="2",
        handle="bob",
        flagged=True,
        label="negative",
        category="refund",
        text="refund please, parcel damaged",
    )
    p[4] = add_post(
        app,
        channel="facebook.comment",
        created_at=at(18, 20, 0),
        author="3",
        handle=None,
        author_name="Cara",
        label="positive",
        text="love the new shoes",
    )
    p[5] = add_post(
        app,
        channel="facebook.messenger",
        created_at=at(19, 9, 30),
        author="4",
        handle=None,
        author_name="Dan",
        flagged=True,
        label="negative",
        category="delivery",
        lang="de",
        text="wo ist mein paket",
    )
    p[6] = add_post(
        app,
        channel="x.mention",
        created_at=at(20, 9, 15),
        author="5",
        handle="eve",
        flagged=True,
        label="negative",
        category="account",
        text="tracking page broken again",
    )
    p[7] = add_post(
        app,
        channel="x.mention",
        created_at=at(21, 9, 45),
        author="1",
        handle="ann",
        label="positive",
        text="thanks parcel arrived",
    )
    p[8] = add_post(
        app,
        channel="facebook.comment",
        created_at=at(22, 23, 30),
        author="6",
        handle=None,
        author_name="Fe",
        label="neutral",
        lang=None,
        text="ok",
    )
    add_post(
        app,
        channel="x.mention",
        created_at=at(18, 10),
        author="7",
        handle="spammer",
        status="spam",
        text="buy followers parcel parcel",
    )
    add_post(
        app, channel="x.mention", created_at=at(23, 0, 30), author="1", handle="ann", text="next week parcel"
    )
    # replies: first sent reply counts; drafts and follow-ups do not
    add_reply(app, p[1], sent_at=at(16, 9, 40))
    add_reply(app, p[1], sent_at=at(16, 10, 30))
    add_reply(app, p[1], sent_at=at(18, 10), kind="followup", author="system")
    add_reply(app, p[2], sent_at=at(16, 11, 20))
    add_reply(app, p[3], sent_at=at(17, 14, 15), kind="playbook", author="system")
    add_reply(app, p[5], sent_at=at(19, 12, 30), kind="playbook", author="anna")
    add_reply(app, p[6], sent_at=None, status="draft")
    add_reply(app, p[7], sent_at=at(21, 10, 5))
    for i, when in (
        (1, at(16, 9, 40)),
        (2, at(16, 11, 20)),
        (3, at(17, 14, 15)),
        (5, at(19, 12, 30)),
        (7, at(21, 10, 5)),
    ):
        set_status(app, p[i], "sent", when, actor="system")
    set_status(app, p[1], "resolved", at(16, 11, 10))
    set_status(app, p[2], "resolved", at(17, 9, 50))
    set_status(app, p[5], "resolved", at(19, 13, 0))
    # ---- week 2026-W46 (the comparison) ----
    q1 = add_post(
        app,
        channel="x.mention",
        created_at=at(9, 10),
        author="8",
        handle="gus",
        flagged=True,
        label="negative",
        category="delivery",
        text="parcel late",
    )
    add_post(
        app,
        channel="x.dm",
        created_at=at(10, 10),
        author="9",
        handle="hal",
        label="positive",
        text="great service",
    )
    add_post(
        app,
        channel="facebook.comment",
        created_at=at(11, 10),
        author="10",
        handle=None,
        flagged=True,
        label="negative",
        category="refund",
        text="where is my refund",
    )
    add_post(
        app,
        channel="x.mention",
        created_at=at(12, 10),
        author="11",
        handle="ivy",
        label="neutral",
        text="hello shop",
    )
    # follow-ups sent during W47: satisfied, unsatisfied, no answer (for last week's post)
    from social_care.store.tables import Post

    with app.session() as s:
        for post_id, sent, answer in (
            (p[1].id, at(18, 10), "satisfied"),
            (p[5].id, at(20, 13), "unsatisfied"),
            (q1.id, at(16, 10), None),
        ):
            row = s.get(Post, post_id)
            row.followup_sent_at, row.satisfaction = sent, answer
            s.add(row)
    return app
