"""Legal variations of the Graph API (unsorted listings, filters ignored): nothing may be missed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from social_care.models import Channel
from social_care.pipeline import poll_stream
from social_care.store.tables import Post

from .helpers import connector

QUIRKS = [set(), {"ignore_order"}, {"ignore_stream_filter"}, {"ignore_order", "ignore_stream_filter"}]


def _texts(app, channel):
    with app.session() as s:
        return sorted(s.exec(select(Post.text).where(Post.channel == channel.value)).all())


@pytest.mark.parametrize("quirks", QUIRKS, ids=lambda q: "+".join(sorted(q)) or "documented")
def test_new_comments_and_replies_are_found_however_the_listing_is_ordered(app, sim, clock, quirks):
    sim.facebook.quirks.update(quirks)
    post = sim.facebook.add_post(message="Autumn sale!", created_at=clock() - timedelta(days=2))
    for i in range(55):  # more than a page (50) of older comments
        sim.facebook.add_comment(post, user_id=f"69{i}", name="Old", text=f"older comment {i}",
                                 created_at=clock() - timedelta(days=1, minutes=60 - i))
    old = sim.facebook.add_comment(post, user_id="701", name="Ann", text="old question",
                                   created_at=clock() - timedelta(days=1))
    conn = connector(app, "facebook.comments")
    assert poll_stream(app, conn).stored == 56
    # later: a reply under the old comment, and a new top-level comment
    sim.facebook.add_comment(post, user_id="702", name="Ben", text="reply in the old thread", parent_id=old)
    sim.facebook.add_comment(post, user_id="703", name="Cat", text="brand new comment")
    assert poll_stream(app, conn).stored == 2
    texts = _texts(app, Channel.FACEBOOK_COMMENT)
    assert len(texts) == 58 and {"brand new comment", "old question", "reply in the old thread"} <= set(texts)


def test_a_new_message_in_an_old_conversation_pages_down_to_it(app, sim, clock):
    # conversations are documented as most recently updated first: the one with news comes first
    for i in range(30):  # more than one page of conversations; the first one is the oldest
        sim.facebook.add_message(psid=f"80{i}", name=f"C{i}", text=f"hello {i}",
                                 created_at=clock() - timedelta(hours=5, minutes=i))
    conn = connector(app, "facebook.messenger")
    assert poll_stream(app, conn).stored == 30
    sim.facebook.add_message(psid="8029", name="C29", text="any news on my order?")
    assert poll_stream(app, conn).stored == 1
    assert "any news on my order?" in _texts(app, Channel.MESSENGER)


def test_one_stuck_comment_listing_degrades_only_itself(app, sim, clock):
    """Graph answers one post's comments with an empty page whose next cursor repeats (documented as legal
    for short pages, broken when it never ends): the other posts' comments are still read, the stream is
    not paused, status says what was cut, the cursor stays, and the next poll reads what was missed."""
    from social_care.runner import status_report
    from social_care.store.tables import Cursor, StreamPause

    posts = [sim.facebook.add_post(message=f"Sale day {i}") for i in range(3)]
    for i, post in enumerate(posts):
        for j in range(2):
            sim.facebook.add_comment(post, user_id=f"70{i}{j}", name="Jane Doe", text=f"where is order {i}-{j}?")
    stuck = posts[1]
    sim.stuck_page_next("facebook", count=3, path_contains=f"{stuck}/comments")

    result = poll_stream(app, connector(app, "facebook.comments"))
    assert result.outcome == "degraded" and result.listings_cut == 1
    assert "repeated pagination token" in (result.error or "")
    assert _texts(app, Channel.FACEBOOK_COMMENT) == sorted(f"where is order {i}-{j}?" for i in (0, 2) for j in (0, 1))
    with app.session() as s:
        assert s.exec(select(Cursor).where(Cursor.stream == "facebook.comments")).first() is None
        assert s.exec(select(StreamPause)).first() is None
    status = status_report(app)
    assert status["last_polls"]["facebook.comments"]["outcome"] == "degraded"
    assert "1 listing(s) cut short" in status["last_polls"]["facebook.comments"]["error"]
    assert status["paused"] == {}

    clock.advance(minutes=2)
    again = poll_stream(app, connector(app, "facebook.comments"))
    assert again.outcome == "ok" and again.stored == 2
    assert len(_texts(app, Channel.FACEBOOK_COMMENT)) == 6
    with app.session() as s:
        assert s.exec(select(Cursor).where(Cursor.stream == "facebook.comments")).first() is not None



def test_one_refused_comment_listing_degrades_only_itself(app, sim):
    """Graph refuses one post's comments (code 100, the object is gone): the others are still read."""
    posts = [sim.facebook.add_post(message=f"Sale day {i}") for i in range(3)]
    for i, post in enumerate(posts):
        sim.facebook.add_comment(post, user_id=f"71{i}", name="Jane Doe", text=f"is order {i} shipped?")
    sim.graph_error_next(code=100, message="Unsupported get request.", count=5, path_contains=f"{posts[0]}/comments")
    result = poll_stream(app, connector(app, "facebook.comments"))
    assert result.outcome == "degraded" and result.listings_cut == 1
    assert _texts(app, Channel.FACEBOOK_COMMENT) == ["is order 1 shipped?", "is order 2 shipped?"]
