"""The simulator's own Instagram deliveries (signed, duplicated, out of order) sent over HTTP to the service
served by uvicorn: every customer comment, reply and DM stored once, the brand's own reply and the DM echo
dropped, and the poll that follows adds nothing and changes nothing."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from sqlmodel import select

from social_care.models import Channel
from social_care.pipeline import poll_all
from social_care.store.tables import Post
from social_care.web import create_web_app
from tests.spine.helpers import ANGRY, Feeder, connector

FIELDS = ("channel", "external_id", "author_id", "author_handle", "text", "created_at", "thread_key",
          "parent_external_id", "reply_thread_id", "reply_recipient_id", "permalink")


@pytest.fixture
def served(hook_app: Any) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_web_app(hook_app), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def _rows(app: Any) -> list[tuple[Any, ...]]:
    with app.session() as s:
        return [tuple(getattr(p, f) for f in FIELDS) for p in s.exec(select(Post).order_by(Post.external_id))]


def test_simulated_instagram_deliveries_store_each_post_once(hook_app: Any, served: str, sim: Any) -> None:
    sim.webhooks.configure("facebook", served + "/webhooks/meta", duplicate=1, out_of_order=3, hold_seconds=0.3,
                           retry_base=0.05, retry_max=0.2)
    try:
        feed = Feeder(sim)
        comment = feed.add(Channel.INSTAGRAM_COMMENT, ANGRY)
        media = sim.facebook.ig_comments[comment].media_id
        reply = sim.facebook.add_ig_comment(media, user_id="6077", username="bob", text="same here, 3 weeks",
                                            parent_id=comment)
        dm = feed.add(Channel.INSTAGRAM_DM, "where is my refund? two weeks now")
        client = connector(hook_app, "instagram.comments").client  # the service's own Graph client
        client.reply_to_ig_comment(comment_id=comment, text="Sorry! Please DM us your order number.")
        assert sim.webhooks.wait_idle(20)
        attempts = sim.webhooks.deliveries("facebook")
        assert attempts and all(a.status == 200 for a in attempts), [(a.status, a.error) for a in attempts]
        hooked = _rows(hook_app)
        assert sorted(r[1] for r in hooked) == sorted([comment, reply, dm])  # the brand's own reply dropped
        poll_all(hook_app)
        assert _rows(hook_app) == hooked  # the poll finds each post stored, exactly as it would store it
    finally:
        sim.webhooks.reset()
