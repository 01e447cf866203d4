"""Follow-up after resolution: timing, the private channel, Messenger's window, answers, reopening."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from alerts.factory import add_post, set_status
from sqlmodel import select

from social_care import alerts, followup
from social_care.store.tables import Alert, Post, Reply, StatusEvent


def reload(app: Any, post: Post) -> Post:
    with app.session() as s:
        row = s.get(Post, post.id)
        assert row is not None
        return row


def followups(app: Any) -> list[Reply]:
    with app.session() as s:
        return list(s.exec(select(Reply).where(Reply.kind == "followup").order_by(Reply.id)).all())


def resolved_x_case(app: Any, clock: Any, author: str = "42") -> tuple[Post, Post]:
    """A public X mention, continued in a DM, resolved now."""
    mention = add_post(
        app,
        channel="x.mention",
        created_at=clock() - timedelta(hours=3),
        author=author,
        flagged=True,
        text="my order never arrived",
    )
    dm = add_post(
        app,
        channel="x.dm",
        created_at=clock() - timedelta(hours=2),
        author=author,
        text="order 1234, sent you the details",
    )
    set_status(app, mention, "resolved", clock())
    return mention, dm


def test_followup_after_the_delay_on_the_dm_thread(sending_app: Any, sim: Any, clock: Any) -> None:
    app = sending_app
    mention, dm = resolved_x_case(app, clock)
    assert followup.run(app)["scheduled"] == 1
    clock.advance(hours=23, minutes=59)
    assert followup.run(app)["created"] == 0  # the delay (1 day) is not over
    clock.advance(minutes=1)
    result = followup.run(app)
    assert (result["created"], result["sent"]) == (1, 1)
    (reply,) = followups(app)
    assert (reply.status, reply.channel, reply.idempotency_key) == ("sent", "x.dm", f"followup:{mention.id}")
    assert (reply.target_thread_id, reply.target_recipient_id) == (dm.reply_thread_id, "42")
    from social_care.drafting import followup_options

    phrasings = [o.text for o in followup_options(app.playbook, mention)]  # one of the follow-up's phrasings
    assert reply.text in phrasings and any("is everything sorted now?" in t for t in phrasings)
    dms = [w for w in sim.writes if w.kind == "dm"]
    assert len(dms) == 1 and dms[0].target == "42"
    row = reload(app, mention)
    assert row.followup_sent_at is not None and row.status == "resolved"
    clock.advance(hours=1)
    assert followup.run(app)["created"] == 0 and len(followups(app)) == 1  # never twice


def test_happy_answer_is_recorded(sending_app: Any, clock: Any) -> None:
    app = sending_app
    mention, _ = resolved_x_case(app, clock)
    followup.run(app)
    clock.advance(days=1)
    followup.run(app)
    clock.advance(hours=2)
    answer = add_post(app, channel="x.dm", created_at=clock(), author="42", text="all good now, thanks a lot")
    assert followup.run(app)["answered"] == 1
    row = reload(app, mention)
    assert (row.satisfaction, row.status) == ("satisfied", "resolved")
    assert reload(app, answer).followup_of_post_id == mention.id
    assert followup.run(app)["answered"] == 0


def test_unhappy_answer_reopens_and_pings_again(sending_app: Any, sim: Any, clock: Any) -> None:
    app = sending_app
    mention, _ = resolved_x_case(app, clock)
    followup.run(app)
    clock.advance(days=1)
    followup.run(app)
    clock.advance(hours=1)
    add_post(app, channel="x.dm", created_at=clock(), author="42", text="no, it is still not here")
    assert followup.run(app)["reopened"] == 1
    row = reload(app, mention)
    assert (row.satisfaction, row.status, row.flagged) == ("unsatisfied", "flagged", True)
    with app.session() as s:
        last = s.exec(
            select(StatusEvent).where(StatusEvent.post_id == mention.id).order_by(StatusEvent.id.desc())
        ).first()
        kinds = [a.kind for a in s.exec(select(Alert)).all()]
    assert (last.from_status, last.to_status, last.actor) == ("resolved", "flagged", "system")
    assert "reopened" in kinds
    sent = 0
    for _ in range(4):
        sent += alerts.deliver(app)
        clock.advance(seconds=1)
    assert any(
        "still unhappy after follow-up" in m["text"] and "still not here" in str(m["blocks"])
        for m in sim.slack.messages
    )


def test_messenger_outside_24h_window_is_listed_for_a_person(care_app: Any, clock: Any) -> None:
    msg = add_post(
        care_app,
        channel="facebook.messenger",
        created_at=clock() - timedelta(hours=1),
        author="77",
        handle=None,
        author_name="Dana Smith",
        flagged=True,
        text="package broken",
    )
    set_status(care_app, msg, "resolved", clock())
    followup.run(care_app)
    clock.advance(days=1)  # the customer's last message is now 25 h old
    assert followup.run(care_app)["needs_human"] == 1
    (reply,) = followups(care_app)
    assert reply.status == "needs_human" and "24-hour window" in (reply.error or "")
    assert reply.channel == "facebook.messenger"


def test_messenger_inside_window_is_sent(sending_app: Any, sim: Any, clock: Any) -> None:
    app = sending_app
    msg = add_post(
        app,
        channel="facebook.messenger",
        created_at=clock() - timedelta(hours=1),
        author="78",
        handle=None,
        author_name="Eli Ross",
        flagged=True,
        text="package broken",
        lang="de",
    )
    set_status(app, msg, "resolved", clock())
    followup.run(app)
    clock.advance(hours=20)
    add_post(app, channel="facebook.messenger", created_at=clock(), author="78", handle=None, text="danke")
    sim.facebook.add_message(psid="78", name="Eli Ross", text="danke", created_at=clock())
    clock.advance(hours=4)
    result = followup.run(app)
    (reply,) = followups(app)
    assert (result["created"], result["sent"], reply.status) == (1, 1, "sent"), reply.error
    assert reply.text.startswith("Hallo Eli")
    assert [w.target for w in sim.writes if w.kind == "messenger_send"] == ["78"]


def test_no_private_conversation_is_listed_for_a_person(care_app: Any, clock: Any) -> None:
    comment = add_post(
        care_app,
        channel="facebook.comment",
        created_at=clock(),
        author="90",
        handle=None,
        flagged=True,
        text="broken zipper",
    )
    set_status(care_app, comment, "resolved", clock())
    followup.run(care_app)
    clock.advance(days=1)
    assert followup.run(care_app)["needs_human"] == 1
    assert "no private conversation" in (followups(care_app)[0].error or "")


def test_a_person_can_turn_followups_off_and_on(care_app: Any, clock: Any) -> None:
    mention, _ = resolved_x_case(care_app, clock)
    followup.set_followup(care_app, mention.id, False, "anna")
    followup.run(care_app)
    clock.advance(days=2)
    assert followup.run(care_app)["created"] == 0 and followups(care_app) == []
    post = followup.set_followup(care_app, mention.id, True, "anna")
    assert post.followup_enabled is True
    assert followup.run(care_app)["created"] == 1
    (reply,) = followups(care_app)
    assert reply.status == "approved"  # no responders here: the outbox job sends it
    followup.set_followup(care_app, mention.id, False, "ben")
    assert followups(care_app) == []  # an unsent follow-up is withdrawn


def test_one_message_per_customer_covers_all_resolved_posts(sending_app: Any, clock: Any) -> None:
    app = sending_app
    first, _ = resolved_x_case(app, clock)
    second = add_post(
        app, channel="x.mention", created_at=clock(), author="42", flagged=True, text="still broken"
    )
    set_status(app, second, "resolved", clock())
    followup.run(app)
    clock.advance(days=1)
    assert followup.run(app)["created"] == 1
    assert len(followups(app)) == 1
    assert (
        reload(app, first).followup_sent_at is not None and reload(app, second).followup_sent_at is not None
    )
    clock.advance(hours=1)
    add_post(app, channel="x.dm", created_at=clock(), author="42", text="yes all fine")
    followup.run(app)
    assert (reload(app, first).satisfaction, reload(app, second).satisfaction) == ("satisfied", "satisfied")


def test_late_answer_does_not_count(sending_app: Any, clock: Any) -> None:
    app = sending_app
    mention, _ = resolved_x_case(app, clock)
    followup.run(app)
    clock.advance(days=1)
    followup.run(app)
    clock.advance(days=8)  # the answer window is 7 days
    add_post(app, channel="x.dm", created_at=clock(), author="42", text="hi again, new question")
    assert followup.run(app)["answered"] == 0
    assert reload(app, mention).satisfaction is None


def test_same_named_customers_get_different_followup_phrasings(sending_app: Any, sim: Any, clock: Any) -> None:
    """Three resolved cases of customers with the same name: three follow-ups, no two with the same text."""
    app = sending_app
    for author in ("42", "43", "44"):
        resolved_x_case(app, clock, author=author)
    followup.run(app)
    clock.advance(days=1, minutes=1)
    assert followup.run(app)["sent"] == 3
    texts = [r.text for r in followups(app)]
    assert len(texts) == 3 and len(set(texts)) == 3 and all("jane" in t for t in texts)


def test_a_followup_can_be_handed_to_another_sender(sending_app: Any, sim: Any, clock: Any) -> None:
    """Scaled out, the follow-up task hands each follow-up to the send queue instead of sending it itself:
    the reply is made and approved, sent by whoever takes it (here the outbox), and only once."""
    from social_care.outbox import send_reply

    app = sending_app
    mention, _dm = resolved_x_case(app, clock)
    followup.run(app)
    clock.advance(days=1)
    handed: list[int] = []
    result = followup.run(app, send=handed.append)
    (reply,) = followups(app)
    assert (result["created"], result["sent"], handed) == (1, 0, [reply.id])
    assert reply.status == "approved" and [w for w in sim.writes if w.kind == "dm"] == []
    assert send_reply(app, reply.id).status == "sent"
    assert len([w for w in sim.writes if w.kind == "dm"]) == 1
    assert followup.run(app, send=handed.append)["sent"] == 1 and handed == [reply.id]  # counted, not handed again
