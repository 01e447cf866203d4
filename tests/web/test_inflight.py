"""A reply a person approved is on its way to the platform when the outbox runs (woken by a webhook
delivery, or its own tick): the outbox leaves it to its sender and the customer gets one reply."""

from __future__ import annotations

import threading
import time
from typing import Any

from social_care import outbox, workflow
from social_care.store.tables import Reply

from .factory import make_post


def _reply_status(app: Any, post_id: int) -> str | None:
    with app.session() as s:
        reply = s.query(Reply).filter(Reply.post_id == post_id).order_by(Reply.id.desc()).first()
        return reply.status if reply is not None else None


def test_the_outbox_leaves_a_reply_in_flight_to_its_sender(app: Any, team: Any, sim: Any) -> None:
    tweet = sim.x.add_mention(author_id="42", username="janedoe", text="my parcel is lost, terrible service")
    post = make_post(app, external_id=tweet, author_id="42", handle="janedoe")
    # the platform takes its time with the approved reply (it posts it after 1.5 s)
    sim.timeout_next("x", seconds=1.5, path_contains="/2/tweets", method="POST", apply=True)
    result: dict[str, Any] = {}
    sender = threading.Thread(target=lambda: result.update(r=workflow.approve_and_send(
        app, post.id, text="Hi Jane, so sorry! DM us your order number?", actor="jane",
        expected_version=post.version)))
    sender.start()
    deadline = time.monotonic() + 5
    while _reply_status(app, post.id) != "sending" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _reply_status(app, post.id) == "sending"
    outbox.send_due(app)  # meanwhile the outbox runs: it must not check the platform and send again
    sender.join(timeout=30)
    assert result["r"].reply.status == "sent"
    assert [t.text for t in sim.x.replies_to(tweet)] == ["Hi Jane, so sorry! DM us your order number?"]
    assert len([w for w in sim.writes if w.platform == "x"]) == 1
