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
