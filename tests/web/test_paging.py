"""Paging the queue (issue 17): every matching post is reachable by following "next" links, on the page
(plain links, no JavaScript) and in the JSON API, once each, even while posts change and time passes."""

from __future__ import annotations

import html
import random
import re
from typing import Any

from fastapi.testclient import TestClient

from social_care import workflow
from social_care.queue import QueueFilter, list_queue

from .factory import PLATFORM, make_post

NEXT = re.compile(r'<a href="([^"]+)" id="next-page" rel="next">')


def flagged_posts(app: Any, n: int, seed: int = 3) -> list[Any]:
    """``n`` flagged posts over the four channels, waiting between a minute and three hours."""
    rnd = random.Random(seed)
    return [
        make_post(app, channel=rnd.choice(list(PLATFORM)), polarity=rnd.uniform(-1, -0.2),
                  followers=rnd.choice([None, 10, 2_400, 90_000]), minutes_ago=rnd.uniform(1, 180),
                  text=f"complaint {i}: my order never arrived")
        for i in range(n)
    ]


def row_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr class="row[^"]*" data-id="(\d+)"', page)]


def next_link(page: str) -> str | None:
    m = NEXT.search(page)
    return html.unescape(m.group(1)) if m else None


def test_57_flagged_posts_are_all_reachable_by_the_pages_next_links(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    made = {p.id for p in flagged_posts(app, 57)}
    first = client.get("/")
    assert first.status_code == 200
    assert re.search(r'<strong id="total">57</strong> match this view', first.text)  # the count is shown
    assert "showing 1–50" in first.text and "1–50 of 57" in first.text
    seen = row_ids(first.text)
    assert len(seen) == 50
    link = next_link(first.text)
    assert link is not None and link.startswith("/?after=")
    second = client.get(link)  # a plain GET: works without JavaScript
    assert second.status_code == 200
    assert "51–57 of 57" in second.text and 'id="first-page"' in second.text
    seen += row_ids(second.text)
    assert next_link(second.text) is None  # the last page
    assert len(seen) == 57 and set(seen) == made  # every post once: no duplicates, no gaps
    with app.session() as s:  # the pages together are the one ranking of all 57
        everything = list_queue(s, app.settings, QueueFilter(limit=500), now=app.now())
    assert seen == [r.post.id for r in everything.rows]


def test_the_api_pages_the_same_way(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    made = {p.id for p in flagged_posts(app, 57)}
    url: str | None = "/api/queue?limit=20"
    seen: list[int] = []
    pages = 0
    while url:
        body = client.get(url).json()
        assert body["total"] == 57 and body["start"] == len(seen)
        seen += [i["id"] for i in body["items"]]
        url = body["next"]
        pages += 1
    assert pages == 3 and len(seen) == 57 and set(seen) == made
    urgencies = [i["urgency"] for i in client.get("/api/queue?limit=500").json()["items"]]
    assert urgencies == sorted(urgencies, reverse=True)


def test_no_duplicates_or_gaps_while_posts_change_and_time_passes(app: Any, jane: tuple[TestClient, str]) -> None:
    client, csrf = jane
    posts = flagged_posts(app, 57, seed=11)
    body = client.get("/api/queue?limit=20").json()
    seen = [i["id"] for i in body["items"]]
    # meanwhile: an hour passes (every wait grows, at a different pace per channel's target), a post already
    # seen is resolved, one not seen yet is claimed, another corrected, and a new post arrives
    app.clock.advance(minutes=60)
    unseen = [p for p in posts if p.id not in seen]
    workflow.resolve(app, seen[0], actor="bob", expected_version=None)
    workflow.assign(app, unseen[0].id, assignee="bob", actor="bob", expected_version=None)
    workflow.correct(app, unseen[1].id, field="category", value="refund", actor="bob", expected_version=None)
    newcomer = make_post(app, channel="x.mention", polarity=-1.0, followers=1_000_000, minutes_ago=0)
    url = body["next"]
    while url:
        body = client.get(url).json()
        seen += [i["id"] for i in body["items"]]
        url = body["next"]
    assert len(seen) == len(set(seen))  # no post twice
    assert {p.id for p in posts} <= set(seen)  # none of the 57 skipped
    assert set(seen) - {p.id for p in posts} <= {newcomer.id}
    # a fresh first page ranks at the new time and includes the newcomer
    fresh = client.get("/api/queue?limit=100").json()
    assert fresh["total"] == 57 and newcomer.id in [i["id"] for i in fresh["items"]]


def test_without_the_as_of_time_the_order_would_shift(app: Any) -> None:
    """The reason the link carries its ranking time: the same posts rank differently an hour later."""
    flagged_posts(app, 57, seed=11)
    with app.session() as s:
        before = [r.post.id for r in list_queue(s, app.settings, QueueFilter(limit=500), now=app.now()).rows]
        later = [r.post.id for r in list_queue(s, app.settings, QueueFilter(limit=500),
                                               now=app.clock.advance(minutes=60)).rows]
    assert before != later


def test_history_views_page_newest_first_by_keyset(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    posts = [make_post(app, minutes_ago=300 - (i // 3), draft=None) for i in range(45)]  # ties on created_at
    for p in posts:
        workflow.resolve(app, p.id, actor="jane", expected_version=None)
    page = client.get("/?status=resolved&limit=20")
    assert re.search(r'<strong id="total">45</strong>', page.text)
    seen = row_ids(page.text)
    link = next_link(page.text)
    while link:
        page = client.get(link)
        seen += row_ids(page.text)
        link = next_link(page.text)
    expected = [p.id for p in sorted(posts, key=lambda p: (p.created_at, p.id), reverse=True)]
    assert seen == expected


def test_a_damaged_or_foreign_page_link_is_a_clear_error(app: Any, jane: tuple[TestClient, str]) -> None:
    client, _ = jane
    flagged_posts(app, 3)
    page = client.get("/?after=u_garbage")
    assert page.status_code == 200 and 'id="page-notice"' in page.text and "first page" in page.text
    assert len(row_ids(page.text)) == 3
    r = client.get("/api/queue?after=nonsense")
    assert r.status_code == 400 and "page link" in r.json()["detail"]
    ranked = client.get("/api/queue?limit=1").json()["next_after"]
    r = client.get(f"/api/queue?status=resolved&after={ranked}")
    assert r.status_code == 400 and "another view" in r.json()["detail"]


def test_urgency_base_follows_every_change_of_flag_polarity_or_followers(app: Any) -> None:
    """The stored anger + reach is recomputed on every update, so a correction re-ranks the post at once."""
    from social_care.store.tables import Post, anger_reach_points

    calm = make_post(app, polarity=-0.1, followers=10, minutes_ago=5, flagged=False, draft=None)
    angry = make_post(app, polarity=-0.9, followers=10, minutes_ago=5)
    with app.session() as s:
        r = list_queue(s, app.settings, QueueFilter.from_params(status="open"), now=app.now())
    assert [row.post.id for row in r.rows] == [angry.id, calm.id]
    workflow.correct(app, calm.id, field="flagged", value=True, actor="jane", expected_version=None)
    with app.session() as s:
        post = s.get(Post, calm.id)
        post.author_followers, post.polarity = 5_000_000, -1.0  # e.g. a rescoring
        s.add(post)
    with app.session() as s:
        post = s.get(Post, calm.id)
        assert post.urgency_base == anger_reach_points(-1.0, True, 5_000_000) == 60.0
        r = list_queue(s, app.settings, QueueFilter.from_params(status="open"), now=app.now())
    assert [row.post.id for row in r.rows] == [calm.id, angry.id]


def test_migration_fills_urgency_base_of_existing_posts(db_url: str) -> None:
    import sqlalchemy as sa

    from social_care.store import make_engine, upgrade
    from social_care.store.tables import anger_reach_points

    engine = make_engine(db_url)
    upgrade(engine, "0002")
    now = "2026-12-01 10:00:00"
    with engine.begin() as conn:
        for i, (pol, flag, fol) in enumerate([(-0.8, True, 48_000), (None, False, None), (0.5, False, 3)]):
            conn.execute(sa.text(
                "INSERT INTO posts (channel, external_id, author_id, customer_key, text, created_at, ingested_at,"
                " reply_channel, reply_thread_id, polarity, flagged, reasons, status, version, updated_at,"
                " followup_enabled, raw, author_followers) VALUES ('x.mention', :e, 'a', 'x:a', 't', :n, :n,"
                " 'x.mention', :e, :pol, :flag, '[]', 'flagged', 1, :n, true, '{}', :fol)"
            ), {"e": f"m{i}", "n": now, "pol": pol, "flag": flag, "fol": fol})
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT polarity, flagged, author_followers, urgency_base FROM posts ORDER BY id")).all()
    engine.dispose()
    assert [r[3] for r in rows] == [anger_reach_points(r[0], r[1], r[2]) for r in rows]
    assert rows[0][3] > 0 and rows[1][3] == 0
