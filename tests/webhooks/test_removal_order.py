"""A removal delivered before the post it removes (platforms.md: deliveries come late and out of order) is
remembered, so the post lands as removed by its author; in every order the post ends the same, kept, once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from social_care.models import as_utc
from social_care.store.tables import EarlyRemoval, Post, StatusEvent
from tests.spine.helpers import ANGRY

from .signing import meta_comment_change, meta_payload, post_meta

PAGE_ID = "104512345678901"
# each delivery is a list of what it carries, in order: "add" or "remove"
ORDERS = {
    "add, then remove": [["add"], ["remove"]],
    "remove, then add": [["remove"], ["add"]],
    "both in one delivery, remove first": [["remove", "add"]],
    "both in one delivery, add first": [["add", "remove"]],
    "remove twice, then add twice": [["remove"], ["remove"], ["add"], ["add"]],
    "remove, add, remove again": [["remove"], ["add"], ["remove"]],
}


def _removal(sim: Any, comment: str) -> dict[str, Any]:
    c = sim.facebook.comments[comment]
    return {"field": "feed", "value": {"item": "comment", "verb": "remove", "comment_id": c.id,
                                       "post_id": c.post_id, "from": {"id": c.from_id}}}


def _final(app: Any) -> tuple[Any, ...]:
    with app.session() as s:
        [post] = s.exec(select(Post)).all()
        log = s.exec(select(StatusEvent).where(StatusEvent.post_id == post.id).order_by(StatusEvent.id)).all()
        early = s.exec(select(EarlyRemoval)).all()
        return (post.text, post.status, post.flagged, as_utc(post.removed_at) if post.removed_at else None,
                [e.action for e in log], [(r.external_id, r.post_id == post.id) for r in early])


@pytest.mark.parametrize("order", list(ORDERS))
def test_a_removed_comment_lands_removed_in_every_order(order: str, client: Any, hook_app: Any, sim: Any,
                                                        clock: Any) -> None:
    page_post = sim.facebook.add_post(message="Winter sale!")
    comment = sim.facebook.add_comment(page_post, user_id="7041", name="Eve", text=ANGRY)
    change = {"add": meta_comment_change(sim, comment), "remove": _removal(sim, comment)}
    removed_at = None
    for delivery in ORDERS[order]:
        if "remove" in delivery and removed_at is None:
            removed_at = clock()  # when the platform first said so
        r = post_meta(client, meta_payload(PAGE_ID, changes=[change[kind] for kind in delivery]))
        assert r.status_code == 200
        clock.advance(seconds=30)
    text, status, flagged, at, actions, early = _final(hook_app)
    assert (text, status, flagged, at) == (ANGRY, "awaiting_approval", True, removed_at)  # kept, never deleted
    assert actions == ["flagged", "drafted", "customer_removed"]
    if order.startswith("remove"):  # remembered while the post was missing, then tied to it
        assert early == [(comment, True)]
    else:
        assert early == []


def test_a_remembered_removal_is_not_applied_to_another_post(client: Any, hook_app: Any, sim: Any) -> None:
    page_post = sim.facebook.add_post(message="Winter sale!")
    gone = sim.facebook.add_comment(page_post, user_id="7042", name="Fay", text="never mind")
    kept = sim.facebook.add_comment(page_post, user_id="7043", name="Gil", text=ANGRY)
    assert post_meta(client, meta_payload(PAGE_ID, changes=[_removal(sim, gone)])).status_code == 200
    r = post_meta(client, meta_payload(PAGE_ID, changes=[meta_comment_change(sim, kept)]))
    assert r.status_code == 200 and r.json()["removed"] == 0
    with hook_app.session() as s:
        [post] = s.exec(select(Post)).all()
        assert post.external_id == kept and post.removed_at is None
        [row] = s.exec(select(EarlyRemoval)).all()
        assert (row.external_id, row.post_id) == (gone, None)  # still waiting for its post


def test_a_large_batch_lands_its_early_removed_post_removed(client: Any, hook_app: Any, sim: Any) -> None:
    page_post = sim.facebook.add_post(message="Winter sale!")
    comments = [sim.facebook.add_comment(page_post, user_id=f"75{i:02d}", name="Hal", text=f"where is order {i}?")
                for i in range(30)]  # past the inline limit: stored in bulk (pipeline.ingest_many)
    assert post_meta(client, meta_payload(PAGE_ID, changes=[_removal(sim, comments[7])])).status_code == 200
    r = post_meta(client, meta_payload(PAGE_ID, changes=[meta_comment_change(sim, c) for c in comments]))
    assert r.status_code == 200 and (r.json()["stored"], r.json()["removed"]) == (30, 1)
    with hook_app.session() as s:
        removed = s.exec(select(Post.external_id).where(Post.removed_at != None)).all()  # noqa: E711
        assert removed == [comments[7]]
