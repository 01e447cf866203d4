"""An author's edit is scored again through the path new posts take: "thanks" edited into a complaint is
flagged, drafted and pinged; a post already answered or closed keeps its status, with the edit (and its new
score) in its history; an edit never clears a flag; a retried edit changes nothing more."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from social_care import workflow
from social_care.store.tables import Alert, Post, Reply, StatusEvent

from .signing import meta_comment_change, meta_payload, post_meta

PAGE_ID = "104512345678901"
COMPLAINT = "this is the third time my parcel is lost"


def _comment(client: Any, sim: Any, text: str) -> tuple[str, int]:
    page_post = sim.facebook.add_post(message="Winter sale!")
    comment = sim.facebook.add_comment(page_post, user_id="7031", name="Dee", text=text)
    r = post_meta(client, meta_payload(PAGE_ID, changes=[meta_comment_change(sim, comment)]))
    assert r.status_code == 200 and r.json()["stored"] == 1
    return comment, r.json()["flagged"]


def _edit(client: Any, sim: Any, comment: str, text: str) -> dict[str, Any]:
    r = post_meta(client, meta_payload(PAGE_ID, changes=[meta_comment_change(sim, comment, verb="edited", text=text)]))
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def _post(app: Any) -> Post:
    with app.session() as s:
        [post] = s.exec(select(Post)).all()
        return post


def _log(app: Any, post_id: int) -> list[tuple[str, str | None, str | None]]:
    with app.session() as s:
        rows = s.exec(select(StatusEvent).where(StatusEvent.post_id == post_id).order_by(StatusEvent.id)).all()
        return [(e.action, e.to_status, e.detail) for e in rows]


def _alerts(app: Any) -> list[str]:
    with app.session() as s:
        return list(s.exec(select(Alert.dedupe_key)).all())


def test_thanks_edited_into_a_complaint_is_flagged_drafted_and_pinged(client: Any, hook_app: Any, sim: Any) -> None:
    comment, flagged = _comment(client, sim, "thanks")
    post = _post(hook_app)
    assert flagged == 0 and (post.status, post.flagged) == ("new", False) and _alerts(hook_app) == []

    body = _edit(client, sim, comment, COMPLAINT)
    assert (body["edited"], body["flagged"]) == (1, 1)
    post = _post(hook_app)
    assert post.text == COMPLAINT and post.flagged and post.label == "negative"
    assert post.status == "awaiting_approval" and "parcel" in (post.reasons or [])
    with hook_app.session() as s:
        [draft] = s.exec(select(Reply).where(Reply.post_id == post.id)).all()
        assert draft.kind == "playbook" and draft.status == "draft"
    assert _alerts(hook_app) == [f"flagged:{post.id}"]  # the Slack ping, as for a new flagged post
    log = _log(hook_app, post.id)
    assert [a for a, _, _ in log] == ["received", "customer_edited", "flagged", "drafted"]
    assert "it read before: thanks" in (log[1][2] or "")
    assert log[2][1] == "flagged" and "after the customer's edit" in (log[2][2] or "")

    again = _edit(client, sim, comment, COMPLAINT)  # a retried delivery of the same edit
    assert (again["edited"], again["flagged"]) == (0, 0)
    assert len(_log(hook_app, post.id)) == len(log) and _alerts(hook_app) == [f"flagged:{post.id}"]


def test_a_closed_post_keeps_its_status_and_the_edit_is_in_its_history(client: Any, hook_app: Any,
                                                                        sim: Any) -> None:
    comment, _ = _comment(client, sim, "thanks")
    post = _post(hook_app)
    workflow.resolve(hook_app, post.id, actor="ana", expected_version=None)
    body = _edit(client, sim, comment, COMPLAINT)
    post = _post(hook_app)
    assert body["edited"] == 1 and body["flagged"] == 0  # nothing to ping: the case is closed
    assert post.status == "resolved" and post.text == COMPLAINT and post.flagged
    actions = [(a, to) for a, to, _ in _log(hook_app, post.id)]
    assert actions[-2:] == [("customer_edited", None), ("flagged", None)]
    assert "stays resolved" in (_log(hook_app, post.id)[-1][2] or "")
    assert _alerts(hook_app) == [] and _replies(hook_app) == 0


def test_an_answered_post_keeps_its_status(client: Any, hook_app: Any, sim: Any) -> None:
    comment, _ = _comment(client, sim, "thanks")
    post = _post(hook_app)
    result = workflow.approve_and_send(hook_app, post.id, text="Glad to hear it, Dee!", actor="ana",
                                       expected_version=None)
    assert _post(hook_app).status == "sent", result
    _edit(client, sim, comment, COMPLAINT)
    post = _post(hook_app)
    assert post.status == "sent" and post.flagged and post.text == COMPLAINT
    assert [a for a, _, _ in _log(hook_app, post.id)][-2:] == ["customer_edited", "flagged"]
    assert _alerts(hook_app) == [] and _replies(hook_app) == 1  # no second reply drafted


def test_an_edit_never_clears_a_flag(client: Any, hook_app: Any, sim: Any) -> None:
    comment, flagged = _comment(client, sim, COMPLAINT)
    before = _post(hook_app)
    assert flagged == 1 and before.status == "awaiting_approval"
    _edit(client, sim, comment, "Sorted now, thanks")
    post = _post(hook_app)
    assert post.text == "Sorted now, thanks" and post.status == "awaiting_approval"
    assert post.flagged and post.reasons == before.reasons  # a person takes the flag off
    assert post.label == "positive"  # the score itself follows the new text
    assert [a for a, _, _ in _log(hook_app, post.id)][-1] == "customer_edited"


def _replies(app: Any) -> int:
    with app.session() as s:
        return len(s.exec(select(Reply.id)).all())


def test_a_large_batch_of_edits_is_scored_by_the_fast_stage(make_settings: Any, clock: Any, db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("scoring does not depend on the store")
    from datetime import UTC, datetime

    from social_care.app import build_app
    from social_care.models import Channel, Mention, ReplyTarget
    from social_care.pipeline import ingest, rescore
    from social_care.scoring.model import CascadeScorer

    app = build_app(make_settings(SOCIAL_CARE_SCORER="default"), clock=clock)
    try:
        assert isinstance(app.scorer, CascadeScorer)
        mentions = [Mention(channel=Channel.X_MENTION, external_id=f"8{n}", author_id=f"6{n}", text="thanks",
                            created_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
                            reply_to=ReplyTarget(Channel.X_MENTION, thread_id=f"8{n}")) for n in range(2)]
        with app.session() as s:
            posts = ingest(app, s, mentions)
            for post in posts:
                post.text = COMPLAINT
            assert [p.id for p in rescore(app, s, posts[:1], now=clock(), bulk=True)] == [posts[0].id]
            assert [p.id for p in rescore(app, s, posts[1:], now=clock())] == [posts[1].id]
            assert [(p.scorer, p.flagged, p.status) for p in posts] == [
                ("fast", True, "awaiting_approval"), ("default", True, "awaiting_approval")]
    finally:
        app.engine.dispose()
