"""Leases and claims in one process, on SQLite and PostgreSQL: one holder at a time, takeover after expiry,
a poller that lost its stream commits nothing, a claimed reply is not sent by a second caller; and the
clear start-up errors of the scaled-out commands."""

from __future__ import annotations

import subprocess
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from social_care.errors import ConfigError
from social_care.pipeline import poll_stream
from social_care.scale import require_postgres
from social_care.scale.claims import due_reply_ids, reply_claim
from social_care.scale.leases import Held, LeaseLost, acquire, current, held, release
from social_care.store.tables import Cursor, Post, Reply
from tests.spine.helpers import ANGRY, Feeder, connector

from .harness import BIN


def test_one_holder_at_a_time_and_takeover_after_expiry(app):
    now = app.now()
    with app.session() as s:
        assert acquire(s, "poll:x.mentions", ttl=30, holder="a", now=now)
    with app.session() as s:
        assert not acquire(s, "poll:x.mentions", ttl=30, holder="b", now=now + timedelta(seconds=29))
        assert acquire(s, "poll:x.mentions", ttl=30, holder="a", now=now + timedelta(seconds=1))  # renewal
        assert current(s, "poll:x.mentions", now=now).holder == "a"
    later = now + timedelta(seconds=32)
    with app.session() as s:
        assert acquire(s, "poll:x.mentions", ttl=30, holder="b", now=later)
    with app.session() as s:
        release(s, "poll:x.mentions", holder="a")  # not a's any more: nothing happens
    with app.session() as s:
        assert not acquire(s, "poll:x.mentions", ttl=30, holder="a", now=later)
        assert current(s, "poll:x.mentions", now=later).holder == "b"


def test_held_is_exclusive_across_threads_and_released_at_the_end(app):
    inside = threading.Event()
    leave = threading.Event()
    seen: list[bool] = []

    def other() -> None:
        with held(app.engine, "alerts:slack", ttl=5) as lease:
            seen.append(bool(lease))
            inside.set()
            leave.wait(10)

    t = threading.Thread(target=other)
    t.start()
    inside.wait(10)
    with held(app.engine, "alerts:slack", ttl=5) as lease:  # the other thread holds it
        assert not lease
    leave.set()
    t.join()
    assert seen == [True]
    with app.session() as s:
        assert current(s, "alerts:slack") is None  # released


def test_a_poller_that_lost_its_lease_commits_no_posts_and_no_cursor(app, sim):
    from social_care.models import Channel

    Feeder(sim).many(Channel.X_MENTION, 5)
    conn = connector(app, "x.mentions")
    lost = Held("poll:x.mentions", "gone", True)
    with app.session() as s:
        acquire(s, "poll:x.mentions", ttl=60, holder="someone-else")
    result = poll_stream(replace(app, fence=lost.fence), conn)
    assert result.outcome == "retriable" and "was lost" in result.error
    with app.session() as s:
        assert s.exec(select(Post)).first() is None
        assert s.get(Cursor, "x.mentions") is None
    with pytest.raises(LeaseLost), app.session() as s:
        lost.fence(s)


def test_the_holder_polls_and_moves_the_cursor(app, sim):
    from social_care.models import Channel

    Feeder(sim).many(Channel.X_MENTION, 5)
    conn = connector(app, "x.mentions")
    with held(app.engine, "poll:x.mentions", ttl=20) as lease:
        assert lease
        result = poll_stream(replace(app, fence=lease.fence), conn)
    assert result.outcome == "ok" and result.stored == 5
    with app.session() as s:
        assert s.get(Cursor, "x.mentions") is not None


def _approved_reply(app, sim):
    from social_care.models import Channel

    Feeder(sim).add(Channel.X_MENTION, ANGRY)
    poll_stream(app, connector(app, "x.mentions"))
    with app.session() as s:
        reply = s.exec(select(Reply)).one()
        reply.status, reply.author, reply.approved_at = "approved", "ana", app.now()
        s.add(reply)
    return reply.id


def test_a_claimed_reply_is_left_alone_by_a_second_sender(make_settings, clock, sim):
    from social_care.app import build_app
    from social_care.outbox import send_reply

    app = build_app(make_settings(SOCIAL_CARE_BROKER_URL="redis://127.0.0.1:1/0"), clock=clock)
    try:
        reply_id = _approved_reply(app, sim)
        assert due_reply_ids(app) == [reply_id]
        with app.session() as s:  # another process claims it
            acquire(s, f"reply:{reply_id}", ttl=60, holder="other-host:1:abc")
        assert due_reply_ids(app) == []
        assert send_reply(app, reply_id).status == "approved"
        assert [w for w in sim.writes if w.kind != "slack"] == []
        with app.session() as s:
            release(s, f"reply:{reply_id}", holder="other-host:1:abc")
        assert send_reply(app, reply_id).status == "sent"
        assert len([w for w in sim.writes if w.kind != "slack"]) == 1
        with reply_claim(app, reply_id) as claimed:  # a sent reply may be claimed; the outbox leaves it
            assert claimed
    finally:
        app.engine.dispose()


def test_a_broker_needs_postgresql(tmp_path):
    from social_care.config import load_settings

    settings = load_settings(_env_file=None, SOCIAL_CARE_BROKER_URL="redis://127.0.0.1:6379/0",
                             SOCIAL_CARE_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ConfigError, match="SOCIAL_CARE_BROKER_URL needs PostgreSQL"):
        require_postgres(settings)


@pytest.mark.skipif(not BIN.exists(), reason="the social-care console script is not installed")
@pytest.mark.parametrize("command", [["run", "--no-serve"], ["worker"]])
def test_run_and_worker_refuse_sqlite_with_a_broker(tmp_path, command):
    env = {"PATH": "/usr/bin:/bin", "SOCIAL_CARE_BROKER_URL": "redis://:s3cret@127.0.0.1:6379/0",
           "SOCIAL_CARE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    out = subprocess.run([str(BIN), *command], env=env, capture_output=True, text=True, timeout=60,
                         cwd=tmp_path)
    assert out.returncode == 2
    assert "SOCIAL_CARE_BROKER_URL needs PostgreSQL" in out.stderr
    assert "s3cret" not in out.stderr + out.stdout
    assert not (tmp_path / "x.db").exists()


@pytest.mark.skipif(not BIN.exists(), reason="the social-care console script is not installed")
def test_worker_without_a_broker_says_so(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SOCIAL_CARE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    out = subprocess.run([str(BIN), "worker"], env=env, capture_output=True, text=True, timeout=60,
                         cwd=tmp_path)
    assert out.returncode == 2 and "SOCIAL_CARE_BROKER_URL is not set" in out.stderr


def test_status_shows_dead_letters_and_mode(app):
    from social_care.runner import status_report
    from social_care.scale.tables import DeadLetter

    with app.session() as s:
        s.add(DeadLetter(task="social_care.send_reply", task_id="t1", args=["x"],
                         reason="cannot succeed: bad id", deliveries=1, created_at=app.now()))
    scale = status_report(app)["scale"]
    assert scale["mode"] == "embedded" and scale["broker"] is None and scale["scheduler_leader"] is None
    assert scale["dead_letters_total"] == 1 and scale["dead_letters"][0]["reason"] == "cannot succeed: bad id"


@pytest.fixture
def task_app(app, monkeypatch):
    """The Celery tasks run in this process on the test's app, as a worker process would run them."""
    import os

    from social_care.scale import tasks

    monkeypatch.setattr(tasks, "_app", app)
    monkeypatch.setattr(tasks, "_app_pid", os.getpid())
    return tasks


def _call(task, task_id, *args):
    task.push_request(id=task_id, retries=0, is_eager=False)
    try:
        return task(*args)
    finally:
        task.pop_request()


def test_a_message_whose_worker_died_three_times_is_dead_lettered_not_run(app, sim, task_app):
    from social_care.scale.tables import DeadLetter, TaskDelivery

    reply_id = _approved_reply(app, sim)
    with app.session() as s:  # started three times already; each time the worker died before finishing
        s.add(TaskDelivery(task_id="t-dies", task="social_care.send_reply", count=3, first_at=app.now()))
    assert _call(task_app.send_reply, "t-dies", reply_id) is None
    assert [w for w in sim.writes if w.kind != "slack"] == []  # not run a fourth time
    with app.session() as s:
        dead = s.exec(select(DeadLetter)).one()
        assert s.get(TaskDelivery, "t-dies") is None
    assert dead.task == "social_care.send_reply" and dead.args == [reply_id] and dead.deliveries == 4
    assert "the worker died each time" in dead.reason


def test_poison_inputs_are_dead_lettered_once_and_good_ones_leave_no_trace(app, sim, task_app):
    from social_care.scale.tables import DeadLetter, TaskDelivery

    reply_id = _approved_reply(app, sim)
    assert _call(task_app.send_reply, "t-bad", "abc") is None
    assert _call(task_app.send_reply, "t-gone", 999999) is None
    assert _call(task_app.send_reply, "t-ok", reply_id) == "sent"
    with app.session() as s:
        reasons = {d.task_id: d.reason for d in s.exec(select(DeadLetter))}
        assert s.exec(select(TaskDelivery)).all() == []
    assert set(reasons) == {"t-bad", "t-gone"}
    assert "'abc' is not a number" in reasons["t-bad"] and "no reply 999999" in reasons["t-gone"]


def test_the_followup_task_hands_each_followup_to_send_reply(app, sim, clock, task_app, monkeypatch):
    """"Send one follow-up" is a task: the follow-up pass makes the reply and puts one send_reply on the send
    queue for it (recorded here as the broker would take it), which a worker then runs like any reply."""
    from social_care import cases
    from social_care.models import Channel
    from social_care.scale.tasks import ROUTES

    if not app.settings.followup.enabled:
        pytest.skip("follow-ups are off in these settings")
    published = []
    monkeypatch.setattr(task_app, "enqueue", lambda task, *args, **kw: published.append((task.name, args)))
    Feeder(sim).add(Channel.X_DM, ANGRY)  # a DM: its follow-up goes on the same private thread
    poll_stream(app, connector(app, "x.dms"))
    with app.session() as s:
        reply = s.exec(select(Reply)).one()
        reply.status, reply.author, reply.approved_at = "approved", "ana", app.now()
        s.add(reply)
    assert _call(task_app.send_reply, "t-answer", reply.id) == "sent"
    with app.session() as s:
        post = s.exec(select(Post)).one()
        cases.transition(s, post, "resolved", actor="ana", now=app.now(), action="status")
    _call(task_app.followup, "t-f1")  # schedules it
    clock.advance(days=2)
    assert _call(task_app.followup, "t-f2")["created"] == 1  # due: made and handed over
    with app.session() as s:
        made = s.exec(select(Reply).where(Reply.kind == "followup")).one()
    assert published == [("social_care.send_reply", (made.id,))] and ROUTES["social_care.send_reply"] == "send"
    assert made.status == "approved"
    assert _call(task_app.send_reply, "t-send", made.id) == "sent"
