"""Scale-out under fire: two Celery workers and two `social-care run` processes on Redis and PostgreSQL
against the simulator, with autosend and Slack on.

One service lives through, in turn: a poison task, SIGKILL of a worker in the middle of sending a reply
(the platform applies the reply after the worker died), SIGKILL of a worker in the middle of a poll, SIGKILL
of the scheduler leader (a standby must lead within 30 s) and a Redis restart (its queues are lost: nothing
is persisted). Customers write on all four channels before each fault. After each, once the service has
settled, the export and the simulator's record must agree: every post stored once, every flagged post
answered exactly once and no other post answered, no Slack message twice unless marked "may be a
duplicate", and no task dead-lettered but the poison ones.

Skipped, with the reason, only when Redis (redis-server) or PostgreSQL cannot be had.
"""

from __future__ import annotations

import json
import random
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from social_care.models import Channel
from social_care.simulator import Simulator, SimulatorServer
from tests.conftest import PAGE_ID, PAGE_TOKEN, X_BEARER, X_USER_ID
from tests.reliability.test_crash_anywhere import NOTE, BusyFeed, _replies_on_platform

from .harness import (
    BIN,
    RedisServer,
    cli_json,
    db_state,
    export,
    holder_pid,
    lease,
    pg_schema_url,
    runner,
    scale_env,
    wait_for,
    worker,
)

SETTLE_SECONDS = 150  # a reply or alert cut off mid-send waits for its lease (20 s / 63 s) to run out
TAKEOVER_LIMIT = 30.0

pytestmark = pytest.mark.skipif(not BIN.exists(), reason="the social-care console script is not installed")


def _settled(state: dict[str, Any], feed: BusyFeed) -> bool:
    stored = {(ch, ext) for ch, ext, _ in state["posts"]}
    flagged = sum(1 for *_, f in state["posts"] if f)
    return (
        all((p.channel.value, p.external_id) in stored for p in feed.posts)
        and state["replies"]["sent"] == flagged and sum(state["replies"].values()) == flagged
        and state["alerts"]["pending"] + state["alerts"]["sending"] == 0
    )


def _check(phase: str, engine: sa.Engine, env: dict[str, str], sim: Simulator, feed: BusyFeed,
           logs: list[Path]) -> dict[str, Any]:
    deadline = time.monotonic() + SETTLE_SECONDS
    state = db_state(engine)
    while not _settled(state, feed) and time.monotonic() < deadline:
        time.sleep(0.5)
        state = db_state(engine)
    tail = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2500:]}" for p in logs if p.exists())
    counts = f"replies {dict(state['replies'])}, alerts {dict(state['alerts'])}"
    assert _settled(state, feed), f"{phase}: not settled in {SETTLE_SECONDS} s: {counts}\n{tail}"

    # the export: every customer post once, nothing else
    records = export(env)
    stored = Counter((r["channel"], r["external_id"]) for r in records)
    assert [k for k, n in stored.items() if n > 1] == [], f"{phase}: stored twice"
    assert set(stored) == {(p.channel.value, p.external_id) for p in feed.posts}, phase
    # the platform's record: each flagged post answered exactly once, no other post answered
    flagged = {(r["channel"], r["external_id"]) for r in records if r["flagged"]}
    answers = {(p.channel.value, p.external_id): _replies_on_platform(sim, p) for p in feed.posts}
    wrong = {k: n for k, n in answers.items() if n != (1 if k in flagged else 0)}
    assert wrong == {}, f"{phase}: replies on the platform per post (1 for flagged, else 0): {wrong}\n{tail}"
    assert all(r["replies"][0]["status"] == "sent" for r in records if r["flagged"]), phase
    # Slack: no message twice, a second copy only when it says it may be one
    plain = [m for m in sim.slack.messages if NOTE not in json.dumps(m)]
    repeated = [m for m, n in Counter(json.dumps(m, sort_keys=True) for m in plain).items() if n > 1]
    assert repeated == [], f"{phase}: Slack got the same message twice without the note: {repeated[:1]}"
    for post in feed.posts:
        copies = [m for m in plain if post.token in json.dumps(m)]
        assert len(copies) <= 1, f"{phase}: {post.token} alerted {len(copies)} times without the note"
    assert state["alerts"]["failed"] == 0, phase
    return state


def _burst(feed: BusyFeed, n: int) -> None:
    for _ in range(n):
        feed.add()


def _flagged_x_mention(feed: BusyFeed) -> None:
    from tests.spine.helpers import ANGRY

    n = len(feed.posts) + 1
    token = f"[case{n:04d}]"
    author = str(5000 + n)
    ext = feed.feeder.add(Channel.X_MENTION, f"{token} {ANGRY}", author=author)
    from tests.reliability.test_crash_anywhere import Fed

    feed.posts.append(Fed(Channel.X_MENTION, ext, author, token))


def _owner(procs: list[Any], pid: int) -> Any:
    return next((p for p in procs if p.alive() and p.owns(pid)), None)


def test_two_workers_two_schedulers_survive_kills_and_a_redis_restart(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path).start()
    db_url, drop_schema = pg_schema_url()
    sim = Simulator(x_user_id=X_USER_ID, x_username="acmeshop", page_id=PAGE_ID, page_name="Acme",
                    page_token=PAGE_TOKEN, x_bearer_token=X_BEARER, rate_limits="generous")
    engine = sa.create_engine(db_url)
    procs: list[Any] = []
    logs: list[Path] = []

    def start_worker() -> Any:
        log = tmp_path / f"worker{len(logs)}.log"
        logs.append(log)
        proc = worker(env, log)
        procs.append(proc)
        return proc

    def start_runner() -> Any:
        log = tmp_path / f"run{len(logs)}.log"
        logs.append(log)
        proc = runner(env, log)
        procs.append(proc)
        return proc

    try:
        with SimulatorServer(sim, host="127.0.0.1", port=0) as server:
            env = scale_env(server.url, tmp_path, db_url, redis.url)
            feed = BusyFeed(sim, random.Random(20261205))
            subprocess_ok = cli_json(env, "db", "upgrade")
            assert subprocess_ok["schema"] == "up to date"
            start_runner()
            start_runner()
            start_worker()
            start_worker()
            leader = wait_for("a scheduler leader", lambda: lease(engine, "scheduler"), 60)
            status = cli_json(env, "status")
            assert status["scale"]["mode"] == "celery"
            assert status["scale"]["scheduler_leader"]["holder"] == leader[0]
            assert status["settings"]["broker_url"] == redis.url  # no password in it to hide here

            # a poison task goes to the dead letters with its reason, once, and is not retried
            from social_care.config import load_settings
            from social_care.scale import tasks

            tasks.configure(load_settings(_env_file=None, SOCIAL_CARE_BROKER_URL=redis.url,
                                          SOCIAL_CARE_DATABASE_URL=db_url))
            tasks.send_reply.apply_async(args=["not-a-reply-id"])
            tasks.poll_stream.apply_async(args=["no.such.stream"])
            dead = wait_for("two dead letters",
                            lambda: len(db_state(engine)["dead"]) >= 2 and db_state(engine)["dead"], 60)
            reasons = {task: reason for task, _args, reason in dead}
            assert "is not a number" in reasons["social_care.send_reply"]
            assert "no stream 'no.such.stream'" in reasons["social_care.poll_stream"]
            status = cli_json(env, "status")
            assert status["scale"]["dead_letters_total"] == 2
            assert {d["task"] for d in status["scale"]["dead_letters"]} == set(reasons)

            _burst(feed, 16)
            _check("start", engine, env, sim, feed, logs)

            # SIGKILL the worker that is sending an X reply; the platform applies the reply afterwards
            sim.timeout_next("x", seconds=6, path_contains="/2/tweets", method="POST", apply=True)
            _flagged_x_mention(feed)
            _burst(feed, 6)
            wait_for("the reply to stall", lambda: not sim.faults.pending, 60)
            holder = wait_for("the sender's lease", lambda: _reply_lease_on(engine, "x.mention"), 20)
            victim = _owner(procs, holder_pid(holder))
            assert victim is not None and victim.kind == "worker", holder
            victim.kill()
            start_worker()
            _check("worker killed mid-send", engine, env, sim, feed, logs)

            # SIGKILL the worker that is polling X mentions, in the middle of a listing
            sim.timeout_next("x", seconds=6, path_contains="/mentions", method="GET")
            _burst(feed, 8)
            wait_for("the poll to stall", lambda: not sim.faults.pending, 60)
            holder = wait_for("the poller's lease", lambda: lease(engine, "poll:x.mentions"), 20)[0]
            victim = _owner(procs, holder_pid(holder))
            assert victim is not None and victim.kind == "worker", holder
            victim.kill()
            start_worker()
            _burst(feed, 6)
            _check("worker killed mid-poll", engine, env, sim, feed, logs)

            # SIGKILL the scheduler leader: a standby leads within 30 s and the work goes on
            holder = lease(engine, "scheduler")[0]
            victim = _owner(procs, holder_pid(holder))
            assert victim is not None and victim.kind == "run", holder
            victim.kill()
            killed = time.monotonic()
            new = wait_for("a new leader",
                           lambda: (now := lease(engine, "scheduler")) and now[0] != holder and now, 45)
            took = time.monotonic() - killed
            print(f"scheduler leader killed: {new[0]} took over in {took:.1f} s")
            assert took <= TAKEOVER_LIMIT
            start_runner()
            _burst(feed, 10)
            _check("leader killed", engine, env, sim, feed, logs)

            # Redis restarts (without persistence: whatever was queued is gone)
            _burst(feed, 6)
            redis.restart(down_seconds=4)
            _burst(feed, 6)
            state = _check("Redis restarted", engine, env, sim, feed, logs)
            assert len(state["dead"]) == 2, f"tasks given up on: {state['dead']}"
            status = cli_json(env, "status")
            assert "broker" not in status["paused"]  # it answered again
            told = [m for m in sim.slack.messages if "task broker" in json.dumps(m)]
            assert len(told) == 1, "Slack is told once that the broker was away"
            print(f"{len(feed.posts)} posts, replies {dict(state['replies'])}, "
                  f"alerts {dict(state['alerts'])}, "
                  f"{len(sim.slack.messages)} Slack messages")
    finally:
        for proc in procs:
            if proc.alive():
                proc.kill(signal.SIGTERM if proc.kind == "run" else signal.SIGKILL)
        engine.dispose()
        redis.stop()
        drop_schema()


def _reply_lease_on(engine: sa.Engine, channel: str) -> str | None:
    with engine.connect() as c:
        row = c.execute(sa.text(
            "SELECT l.holder FROM leases l JOIN replies r ON l.name = 'reply:' || r.id "
            "WHERE r.channel = :ch AND l.expires_at > now() ORDER BY l.acquired_at LIMIT 1"),
            {"ch": channel}).first()
    return row[0] if row else None
