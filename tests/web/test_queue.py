"""The queue's query: default view, urgency order across channels, filters, counts (store level)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from social_care import workflow
from social_care.queue import QueueFilter, list_queue

from .factory import PLATFORM, make_post


def ids(app: Any, **params: Any) -> list[int]:
    with app.session() as s:
        r = list_queue(s, app.settings, QueueFilter.from_params(**params), now=app.now())
    return [row.post.id for row in r.rows]


def test_default_view_is_flagged_posts_needing_a_reply_not_snoozed(app: Any, team: Any) -> None:
    new = make_post(app, flagged=False, draft=None)
    flagged = make_post(app, draft=None)
    awaiting = make_post(app)
    sent = make_post(app, status="sent", draft=None)
    resolved = make_post(app, draft=None)
    workflow.resolve(app, resolved.id, actor="jane", expected_version=None)
    spam = make_post(app)
    workflow.mark_spam(app, spam.id, actor="jane", expected_version=None)
    snoozed = make_post(app)
    workflow.snooze(app, snoozed.id, until=app.now() + timedelta(hours=1), actor="jane", expected_version=None)

    shown = set(ids(app))
    assert shown == {flagged.id, awaiting.id}  # an unflagged post needs no reply: not in the default view
    assert set(ids(app, status="open")) == {new.id, flagged.id, awaiting.id}  # every post needing action
    assert ids(app, status="new") == [new.id]
    assert set(ids(app, snoozed=True)) == {snoozed.id}
    everything = {new.id, flagged.id, awaiting.id, sent.id, resolved.id, spam.id, snoozed.id}
    assert set(ids(app, status="all")) == everything  # the any-status view includes snoozed posts
    assert ids(app, status="spam") == [spam.id]
    # the snooze ends by itself
    app.clock.advance(minutes=61)
    assert snoozed.id in ids(app)


def test_order_is_by_urgency_across_channels(app: Any) -> None:
    calm_fresh = make_post(app, channel="x.dm", polarity=-0.1, flagged=False, minutes_ago=1, followers=10, draft=None)
    angry_overdue = make_post(app, channel="facebook.messenger", polarity=-0.9, minutes_ago=90, followers=None)
    angry_fresh_famous = make_post(app, channel="x.mention", polarity=-0.9, minutes_ago=2, followers=20_000)
    angry_near = make_post(app, channel="facebook.comment", polarity=-0.9, minutes_ago=50, followers=None)
    assert ids(app, status="open") == [angry_overdue.id, angry_near.id, angry_fresh_famous.id, calm_fresh.id]
    assert ids(app) == [angry_overdue.id, angry_near.id, angry_fresh_famous.id]  # the default: flagged only


def test_the_database_ranks_by_the_urgency_formula(app: Any) -> None:
    """The score computed in SQL (stored anger + reach, waiting from created_at) is ``urgency`` itself."""
    import random

    from social_care.queue import urgency

    rnd = random.Random(7)
    targets = {ch: app.settings.response_target_minutes(ch) for ch in PLATFORM}
    made = {}
    for _ in range(120):
        p = make_post(app, channel=rnd.choice(list(PLATFORM)), polarity=rnd.uniform(-1, 1),
                      flagged=rnd.random() < 0.5, followers=rnd.choice([None, 0, 12, 48_000, 3_000_000]),
                      minutes_ago=rnd.uniform(-5, 600), draft=None)
        made[p.id] = p
    with app.session() as s:
        r = list_queue(s, app.settings, QueueFilter.from_params(status="open", limit=500), now=app.now())
    assert len(r.rows) == 120
    for row in r.rows:
        p = made[row.post.id]
        waited = (app.now() - p.created_at).total_seconds() / 60
        expected = urgency(polarity=p.polarity, flagged=p.flagged, followers=p.author_followers,
                           waited_minutes=waited, target_minutes=targets[p.channel])
        assert abs(row.urgency - expected) <= 0.011, (p.id, row.urgency, expected)
    scores = [row.urgency for row in r.rows]
    assert scores == sorted(scores, reverse=True)


def test_filters(app: Any, team: Any) -> None:
    a = make_post(app, channel="x.mention", lang="en", category="delivery", text="Where is my parcel?")
    b = make_post(app, channel="facebook.comment", lang="es", category="refund", text="Quiero un reembolso 100%",
                  name="Ana Ruiz")
    c = make_post(app, channel="facebook.messenger", lang="en", category="damaged", text="broken_zip on my coat")
    workflow.assign(app, b.id, assignee="bob", actor="jane", expected_version=None)

    assert ids(app, channel="facebook.comment") == [b.id]
    assert ids(app, lang="es") == [b.id]
    assert ids(app, category="damaged") == [c.id]
    assert ids(app, assignee="bob") == [b.id]
    assert set(ids(app, assignee="-")) == {a.id, c.id}
    assert ids(app, q="PARCEL") == [a.id]  # case-insensitive
    assert ids(app, q="ana ruiz") == [b.id]  # author name
    assert ids(app, q="100%") == [b.id]  # LIKE wildcards are literal
    assert ids(app, q="k_n") == [] and ids(app, q="broken_zip") == [c.id]
    assert ids(app, status="resolved") == []


def test_counts_and_wait_states(app: Any) -> None:
    make_post(app, channel="x.mention", minutes_ago=61)  # over (target 60)
    make_post(app, channel="x.dm", minutes_ago=50)  # near (≥ 75 %)
    make_post(app, channel="facebook.comment", minutes_ago=5)  # ok
    with app.session() as s:
        r = list_queue(s, app.settings, QueueFilter(), now=app.now())
    assert (r.open_count, r.overdue_count, r.total) == (3, 1, 3)
    assert [row.wait_state for row in r.rows] == ["over", "near", "ok"]


def test_closed_views_are_newest_first(app: Any) -> None:
    old = make_post(app, minutes_ago=300, draft=None)
    new = make_post(app, minutes_ago=3, draft=None)
    for p in (old, new):
        workflow.resolve(app, p.id, actor="jane", expected_version=None)
    assert ids(app, status="resolved") == [new.id, old.id]


def test_stamp_changes_when_the_list_changes(app: Any) -> None:
    p = make_post(app)

    def stamp() -> str:
        with app.session() as s:
            return list_queue(s, app.settings, QueueFilter(), now=app.now()).stamp

    first = stamp()
    assert stamp() == first
    make_post(app)
    second = stamp()
    assert second != first
    workflow.assign(app, p.id, assignee=None, actor="jane", expected_version=None)  # no change: same stamp
    assert stamp() == second
    workflow.correct(app, p.id, field="category", value="refund", actor="jane", expected_version=None)
    assert stamp() != second
