"""The workflow operations shared by the page, the API and the CLI; replies go to the simulator over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from social_care import workflow
from social_care.errors import StaleViewError
from social_care.store.tables import Feedback, Post, Reply, StatusEvent

from .factory import make_post


def events(app: Any, post_id: int) -> list[tuple[str | None, str, str]]:
    """The post's status changes (the event log's entries that moved the post)."""
    with app.session() as s:
        rows = s.exec(select(StatusEvent).where(StatusEvent.post_id == post_id, col(StatusEvent.to_status).is_not(None))
                      .order_by(col(StatusEvent.id))).all()
        return [(e.from_status, e.to_status, e.actor) for e in rows]


def get(app: Any, model: Any, key: Any) -> Any:
    with app.session() as s:
        return s.get(model, key)


def test_approve_sends_the_edited_draft_on_the_customers_channel(app: Any, team: Any, sim: Any) -> None:
    tweet = sim.x.add_mention(author_id="42", username="janedoe", text="my parcel is lost, terrible service")
    post = make_post(app, external_id=tweet, author_id="42", handle="janedoe")
    result = workflow.approve_and_send(app, post.id, text="Hi Jane, so sorry! DM us your order number?",
                                       actor="jane", expected_version=post.version)
    assert result.send_error is None
    assert result.reply.status == "sent" and result.reply.kind == "playbook" and result.reply.author == "jane"
    assert [t.text for t in sim.x.replies_to(tweet)] == ["Hi Jane, so sorry! DM us your order number?"]
    assert [w.platform for w in sim.writes] == ["x"]
    post = get(app, Post, post.id)
    assert post.status == "sent" and post.first_response_at is not None
    assert events(app, post.id)[-1] == ("awaiting_approval", "sent", "jane")


def test_approve_without_a_draft_sends_a_manual_reply(app: Any, team: Any, sim: Any) -> None:
    psid = "7012345678901234"
    sim.facebook.add_message(psid=psid, name="Aiko Tanaka", text="charged twice!")
    post = make_post(app, channel="facebook.messenger", author_id=psid, external_id="m_1", reply_thread_id=psid,
                     draft=None)
    result = workflow.approve_and_send(app, post.id, text="Sorry Aiko, refund is on its way.", actor="bob",
                                       expected_version=post.version)
    assert result.reply.kind == "manual" and result.reply.status == "sent"
    assert [m.text for m in sim.facebook.messages_to(psid)] == ["Sorry Aiko, refund is on its way."]
    assert ("flagged", "awaiting_approval", "bob") in events(app, post.id)
    assert events(app, post.id)[-1] == ("awaiting_approval", "sent", "bob")


def test_reply_longer_than_the_channel_allows_is_refused(app: Any, team: Any, sim: Any) -> None:
    post = make_post(app, channel="x.mention")
    with pytest.raises(workflow.WorkflowError, match="280"):
        workflow.approve_and_send(app, post.id, text="x" * 281, actor="jane", expected_version=post.version)
    long_dm = make_post(app, channel="facebook.messenger")
    with pytest.raises(workflow.WorkflowError, match="2000"):
        workflow.approve_and_send(app, long_dm.id, text="y" * 2001, actor="jane", expected_version=long_dm.version)
    assert sim.writes == []
    with app.session() as s:  # nothing was approved
        assert [r.status for r in s.exec(select(Reply).where(Reply.post_id == post.id))] == ["draft"]


def test_stale_view_is_refused_with_who_and_when(app: Any, team: Any, sim: Any) -> None:
    post = make_post(app)
    seen = get(app, Post, post.id).version
    workflow.assign(app, post.id, assignee="bob", actor="bob", expected_version=seen)
    with pytest.raises(StaleViewError) as err:
        workflow.approve_and_send(app, post.id, text="Hello", actor="jane", expected_version=seen)
    at = app.now().strftime("%H:%M")
    assert str(err.value) == f"Bob Stone changed this post at {at} UTC — reload before sending"
    assert sim.writes == []
    for op in (workflow.resolve, workflow.mark_spam, workflow.reopen):
        with pytest.raises(StaleViewError):
            op(app, post.id, actor="jane", expected_version=seen)


def test_spam_gets_no_reply_and_no_followup(app: Any, team: Any, sim: Any) -> None:
    post = make_post(app, text="give me free stuff or I'll post everywhere")
    workflow.mark_spam(app, post.id, actor="jane", expected_version=post.version)
    with pytest.raises(workflow.WorkflowError, match="spam"):
        workflow.approve_and_send(app, post.id, text=None, actor="jane", expected_version=None)
    stored = get(app, Post, post.id)
    assert stored.status == "spam" and stored.followup_enabled is False
    assert events(app, post.id)[-1] == ("awaiting_approval", "spam", "jane")
    with app.session() as s:
        assert [r.status for r in s.exec(select(Reply).where(Reply.post_id == post.id))] == ["draft"]
    assert sim.writes == []


def test_resolve_and_reopen_are_recorded_with_actor(app: Any, team: Any) -> None:
    post = make_post(app)
    p = workflow.resolve(app, post.id, actor="jane", expected_version=None)
    assert p.status == "resolved" and p.resolved_at is not None
    app.clock.advance(minutes=5)
    p = workflow.reopen(app, post.id, actor="bob", expected_version=p.version)
    assert p.status == "flagged" and p.resolved_at is None
    assert events(app, post.id)[-2:] == [("awaiting_approval", "resolved", "jane"), ("resolved", "flagged", "bob")]
    with pytest.raises(workflow.WorkflowError, match="already open"):
        workflow.reopen(app, post.id, actor="bob", expected_version=None)


def test_corrections_are_feedback_and_applied(app: Any, team: Any) -> None:
    post = make_post(app, flagged=False, label="neutral", category=None, draft=None)
    workflow.correct(app, post.id, field="label", value="negative", actor="jane", expected_version=None)
    workflow.correct(app, post.id, field="flagged", value="true", actor="jane", expected_version=None)
    workflow.correct(app, post.id, field="category", value="refund", actor="bob", expected_version=None)
    with app.session() as s:
        rows = s.exec(select(Feedback).where(Feedback.post_id == post.id).order_by(col(Feedback.id))).all()
        assert [(f.field, f.old_value, f.new_value, f.actor) for f in rows] == [
            ("label", "neutral", "negative", "jane"),
            ("flagged", "false", "true", "jane"),
            ("category", None, "refund", "bob"),
        ]
    stored = get(app, Post, post.id)
    # flagged by a person: it gets the playbook draft and waits for approval, like a scored flag
    assert (stored.label, stored.flagged, stored.category, stored.status) == (
        "negative", True, "refund", "awaiting_approval")
    assert events(app, post.id)[-2:] == [("new", "flagged", "jane"), ("flagged", "awaiting_approval", "jane")]
    with app.session() as s:
        draft = workflow.draft_for(s, post.id)
    # the untouched draft followed the corrected category
    assert draft is not None and draft.template_id.endswith(".refund") and "refund" in draft.text.lower()
    with pytest.raises(workflow.WorkflowError, match="category must be"):
        workflow.correct(app, post.id, field="category", value="weather", actor="bob", expected_version=None)
    with pytest.raises(workflow.WorkflowError, match="cannot correct"):
        workflow.correct(app, post.id, field="text", value="x", actor="bob", expected_version=None)


def test_exported_corrections_are_training_rows(app: Any, team: Any, tmp_path: Any) -> None:
    import io

    from social_care.exporting import export_feedback_csv
    from social_care.scoring.data import FEEDBACK_SET, load_feedback

    missed = make_post(app, flagged=False, label="neutral", category=None, draft=None)
    workflow.correct(app, missed.id, field="flagged", value="true", actor="jane", expected_version=None)
    buf = io.StringIO()
    assert export_feedback_csv(app, buf) == 1
    path = tmp_path / "feedback.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    rows, problems = load_feedback(path)
    assert problems == []
    assert [(r.text, r.flag, r.set) for r in rows] == [(get(app, Post, missed.id).text, True, FEEDBACK_SET)]


def test_assign_snooze_and_viewers(app: Any, team: Any) -> None:
    post = make_post(app)
    with pytest.raises(workflow.WorkflowError, match="no active team member"):
        workflow.assign(app, post.id, assignee="mallory", actor="jane", expected_version=None)
    p = workflow.assign(app, post.id, assignee="jane", actor="jane", expected_version=None)
    assert p.assignee == "jane"
    with pytest.raises(workflow.WorkflowError, match="future"):
        workflow.snooze(app, post.id, until=app.now() - timedelta(minutes=1), actor="jane", expected_version=None)
    p = workflow.snooze(app, post.id, until=app.now() + timedelta(hours=2), actor="jane", expected_version=None)
    assert p.snoozed_until is not None

    workflow.open_view(app, post.id, username="jane")
    workflow.open_view(app, post.id, username="bob")
    assert [v.username for v in workflow.viewers(app, post.id, exclude="jane")] == ["bob"]
    app.clock.advance(minutes=3)  # past the two-minute window
    workflow.open_view(app, post.id, username="jane")
    assert workflow.viewers(app, post.id, exclude="jane") == []


def test_save_draft_keeps_the_edit_without_sending(app: Any, team: Any, sim: Any) -> None:
    post = make_post(app)
    workflow.save_draft(app, post.id, text="Edited, not sent", actor="jane", expected_version=None)
    with app.session() as s:
        draft = workflow.draft_for(s, post.id)
        assert draft is not None and draft.text == "Edited, not sent" and draft.status == "draft"
    assert sim.writes == []


def test_category_correction_never_replaces_a_persons_edit(app: Any, team: Any) -> None:
    post = make_post(app, category="delivery", draft=None, flagged=False, label="neutral")
    workflow.correct(app, post.id, field="flagged", value="true", actor="jane", expected_version=None)
    p = get(app, Post, post.id)
    workflow.save_draft(app, post.id, text="Hi Jane, so sorry! DM us please.", actor="jane", expected_version=p.version)
    workflow.correct(app, post.id, field="category", value="damaged", actor="bob", expected_version=None)
    with app.session() as s:
        draft = workflow.draft_for(s, post.id)
    assert draft.text == "Hi Jane, so sorry! DM us please."
