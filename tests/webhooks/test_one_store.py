"""One store whichever way a post arrives: by webhook, by a retried delivery and by the poll, in every
order, each of the six channels gives the export a poll alone gives (and the same row details)."""

from __future__ import annotations

import io
import json
from itertools import permutations
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from social_care.app import build_app
from social_care.exporting import export_jsonl
from social_care.models import Channel
from social_care.pipeline import poll_all
from social_care.store.tables import Post
from social_care.web import create_web_app
from social_care.webhooks.wake import stop_senders
from tests.spine.helpers import ANGRY, Feeder

from .signing import (
    ig_comment_change,
    ig_message_event,
    ig_payload,
    meta_comment_change,
    meta_message_event,
    meta_payload,
    post_meta,
    post_x,
    x_dms_payload,
    x_mentions_payload,
)

PAGE_ID = "104512345678901"
ROW = ("channel", "external_id", "author_id", "author_handle", "author_name", "author_followers", "text",
       "created_at", "thread_key", "parent_external_id", "reply_channel", "reply_thread_id", "reply_recipient_id",
       "flagged", "status", "customer_key")


# the channels X and Meta deliver by webhook
WEBHOOK_CHANNELS = [Channel.X_MENTION, Channel.X_DM, Channel.FACEBOOK_COMMENT, Channel.MESSENGER,
                    Channel.INSTAGRAM_COMMENT, Channel.INSTAGRAM_DM]


def _deliver(client: TestClient, sim: Any, channel: Channel, external_id: str) -> None:
    if channel == Channel.X_MENTION:
        r = post_x(client, x_mentions_payload(sim, [external_id]))
    elif channel == Channel.X_DM:
        r = post_x(client, x_dms_payload(sim, [external_id]))
    elif channel == Channel.FACEBOOK_COMMENT:
        r = post_meta(client, meta_payload(PAGE_ID, changes=[meta_comment_change(sim, external_id)]))
    elif channel == Channel.INSTAGRAM_COMMENT:
        r = post_meta(client, ig_payload(sim.facebook.ig_user_id, changes=[ig_comment_change(sim, external_id)]))
    elif channel == Channel.INSTAGRAM_DM:
        r = post_meta(client, ig_payload(sim.facebook.ig_user_id, messaging=[ig_message_event(sim, external_id)]))
    else:
        r = post_meta(client, meta_payload(PAGE_ID, messaging=[meta_message_event(sim, external_id,
                                                                                   page_id=PAGE_ID)]))
    assert r.status_code == 200, r.text


def _run(make_settings: Any, clock: Any, sim: Any, tmp_path: Any, name: str, steps: tuple[str, ...],
         channel: Channel, external_id: str) -> tuple[str, list[tuple[Any, ...]]]:
    app = build_app(make_settings(SOCIAL_CARE_DATABASE_URL=f"sqlite:///{tmp_path / name}.db"), clock=clock)
    client = TestClient(create_web_app(app), base_url="http://127.0.0.1")
    try:
        for step in steps:
            if step == "poll":
                poll_all(app)
            else:  # "webhook" and its retried "duplicate"
                _deliver(client, sim, channel, external_id)
        out = io.StringIO()
        export_jsonl(app, out)
        with app.session() as s:
            rows = [tuple(getattr(p, f) for f in ROW) for p in s.exec(select(Post).order_by(Post.id))]
        return out.getvalue(), rows
    finally:
        stop_senders(app)
        app.engine.dispose()


ORDERS = sorted(set(permutations(("webhook", "duplicate", "poll"))))


@pytest.mark.parametrize("channel", WEBHOOK_CHANNELS, ids=[c.value for c in WEBHOOK_CHANNELS])
def test_every_order_gives_the_export_of_a_poll_alone(make_settings: Any, clock: Any, sim: Any, tmp_path: Any,
                                                      channel: Channel, db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("compared on files of their own")
    external_id = Feeder(sim).add(channel, ANGRY, name="Jane Doe")
    polled_export, polled_rows = _run(make_settings, clock, sim, tmp_path, "poll", ("poll",), channel, external_id)
    assert len(polled_rows) == 1 and json.loads(polled_export)["external_id"] == external_id
    for i, order in enumerate(ORDERS):
        export, rows = _run(make_settings, clock, sim, tmp_path, f"order{i}", order, channel, external_id)
        assert export == polled_export, order
        assert rows == polled_rows, order


@pytest.mark.parametrize("channel", WEBHOOK_CHANNELS, ids=[c.value for c in WEBHOOK_CHANNELS])
def test_webhook_alone_gives_the_polls_text_author_time_and_reply_target(make_settings: Any, clock: Any, sim: Any,
                                                                         tmp_path: Any, channel: Channel,
                                                                         db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("compared on files of their own")
    external_id = Feeder(sim).add(channel, ANGRY, name="Jane Doe")
    polled_export, polled_rows = _run(make_settings, clock, sim, tmp_path, "poll", ("poll",), channel, external_id)
    export, rows = _run(make_settings, clock, sim, tmp_path, "hook", ("webhook",), channel, external_id)
    assert export == polled_export
    assert rows == polled_rows  # thread, author's name and reach included (Messenger, Instagram: Graph look-ups)


def test_a_large_batch_stores_and_drafts_as_single_deliveries_do(make_settings: Any, clock: Any, sim: Any,
                                                                tmp_path: Any, db_url: str) -> None:
    """Over 25 new posts in one delivery are written in bulk and drafted just after the 200: the export is the
    one single deliveries (each drafted before its 200) give."""
    from social_care.pipeline import draft_pending

    if not db_url.startswith("sqlite"):
        pytest.skip("compared on files of their own")
    feed = Feeder(sim)
    texts = [ANGRY, "Thank you, the parcel came early!", "where is my refund?? two weeks now, useless"]
    comments = [feed.add(Channel.FACEBOOK_COMMENT, f"{texts[i % 3]} ({i})") for i in range(40)]
    exports = []
    for name, batches in (("single", [[c] for c in comments]), ("batch", [comments])):
        app = build_app(make_settings(SOCIAL_CARE_DATABASE_URL=f"sqlite:///{tmp_path / name}.db"), clock=clock)
        client = TestClient(create_web_app(app), base_url="http://127.0.0.1")
        try:
            for batch in batches:
                payload = meta_payload(PAGE_ID, changes=[meta_comment_change(sim, c) for c in batch])
                assert post_meta(client, payload).status_code == 200
            stop_senders(app)
            draft_pending(app)
            out = io.StringIO()
            export_jsonl(app, out)
            exports.append(out.getvalue())
        finally:
            stop_senders(app)
            app.engine.dispose()
    single, batch = exports
    assert single.count("\n") == 40 and '"drafted"' in single
    assert batch == single
