"""The simulator's Instagram webhook deliveries (``object: "instagram"``), checked by a real receiver that
verifies the signature: comments and replies (``comments`` field), DMs and their echoes (``messages``)."""
import json

import pytest

from .helpers import PAGE_ID
from .webhook_receiver import Receiver

META = "/webhooks/meta"
FAST = {"retry_base": 0.02, "retry_max": 0.1}


@pytest.fixture
def meta(sim):
    with Receiver() as receiver:
        sim.webhooks.configure("facebook", receiver.url(META), **FAST)
        yield receiver
    sim.webhooks.reset()


def entries(received):
    return [(r.body["object"], e) for r in received for e in r.body["entry"]]


def test_comment_and_reply_shapes(sim, meta):
    ig = sim.facebook.ig_user_id
    media = sim.facebook.add_ig_media("New arrivals")
    top = sim.facebook.add_ig_comment(media, user_id="6012345678901234", username="jane.doe", text="Still waiting")
    reply = sim.facebook.add_ig_comment(media, user_id="6098765432109876", username="bob", text="me too",
                                        parent_id=top)
    got = meta.wait_for(2, META)
    assert all(r.signature_ok for r in got)
    (kind1, e1), (kind2, e2) = entries(got)
    assert kind1 == kind2 == "instagram" and e1["id"] == ig and isinstance(e1["time"], int)
    (c1,), (c2,) = e1["changes"], e2["changes"]
    assert c1["field"] == "comments"
    assert c1["value"] == {"from": {"id": "6012345678901234", "username": "jane.doe"},
                           "media": {"id": media, "media_product_type": "FEED"}, "id": top,
                           "text": "Still waiting"}
    assert c2["value"]["id"] == reply and c2["value"]["parent_id"] == top


def test_the_accounts_own_reply_is_delivered_from_its_own_id(sim, meta, graph):
    media = sim.facebook.add_ig_media("p")
    top = sim.facebook.add_ig_comment(media, text="Where is my order?")
    graph.request(f"v23.0/{top}/replies", post_args={"message": "Sorry! Please DM us."})
    got = meta.wait_for(2, META)
    own = got[1].body["entry"][0]["changes"][0]["value"]
    assert own["from"]["id"] == sim.facebook.ig_user_id and own["parent_id"] == top


def test_dm_and_echo_in_the_messages_field(sim, meta, graph):
    mid = sim.facebook.add_ig_message(igsid="6112345678901234", username="jane.doe", text="Hi, a refund please")
    graph.put_object(PAGE_ID, "messages", recipient=json.dumps({"id": "6112345678901234"}),
                     message=json.dumps({"text": "Happy to help"}), messaging_type="RESPONSE")
    got = meta.wait_for(2, META)
    (k1, e1), (k2, e2) = entries(got)
    assert k1 == k2 == "instagram" and e1["id"] == sim.facebook.ig_user_id
    (m1,), (m2,) = e1["messaging"], e2["messaging"]
    assert m1["sender"] == {"id": "6112345678901234"} and m1["message"] == {"mid": mid, "text": "Hi, a refund please"}
    assert m1["timestamp"] > 10**12
    assert m2["message"]["is_echo"] is True and m2["sender"] == {"id": sim.facebook.ig_user_id}


def test_instagram_and_page_entries_never_share_a_delivery(sim, meta):
    sim.webhooks.configure("facebook", batch=10, hold_seconds=0.3, duplicate=1)
    post = sim.facebook.add_post("p")
    media = sim.facebook.add_ig_media("m")
    sim.facebook.add_comment(post, text="fb")
    sim.facebook.add_ig_comment(media, text="ig")
    sim.facebook.add_ig_comment(media, text="ig2")
    assert sim.webhooks.wait_idle()
    got = meta.accepted(META)
    assert len(got) == 4  # two deliveries, each twice
    objects = sorted(r.body["object"] for r in got)
    assert objects == ["instagram", "instagram", "page", "page"]
    for r in got:
        fields = {c["field"] for e in r.body["entry"] for c in e.get("changes", [])}
        assert fields == ({"comments"} if r.body["object"] == "instagram" else {"feed"})


def test_comments_field_decides(sim):
    with Receiver() as rx:
        sim.webhooks.configure("facebook", rx.url(META), fields="feed,messages", **FAST)
        media = sim.facebook.add_ig_media("m")
        sim.facebook.add_ig_comment(media, text="not subscribed")
        sim.facebook.add_ig_message(text="subscribed")
        assert sim.webhooks.wait_idle()
        assert [r.body["object"] for r in rx.accepted()] == ["instagram"]
        assert "messaging" in rx.accepted()[0].body["entry"][0]
    sim.webhooks.reset()
