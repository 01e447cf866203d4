"""Scaled out, a webhook delivery is answered at once: the `run` process that takes the signed delivery
commits it before its 200 and hands the send and the Slack ping to a real Celery worker (Redis, PostgreSQL,
the simulator), without waiting for a sweep. The sweeps are set an hour apart (and every poll too, after the
first), so only the wake can send within the test's limits.

Three deliveries, in turn: one unhappy X mention (its reply within a few seconds); a batch of 30 in one
delivery (stored in bulk, drafted by the ``draft_batch`` task, each answered once); one more while Slack hangs
(the worker's other process sends the reply while one waits on Slack: a Slack outage does not delay replies).

Skipped, with the reason, only when Redis (redis-server) or PostgreSQL cannot be had.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from social_care.models import Channel
from social_care.simulator import Simulator, SimulatorServer
from tests.conftest import PAGE_ID, PAGE_TOKEN, X_BEARER, X_USER_ID
from tests.spine.helpers import ANGRY, Feeder
from tests.webhooks.signing import body_bytes, x_header, x_mentions_payload

from .harness import (
    BIN,
    RedisServer,
    cli_json,
    free_port,
    lease,
    pg_schema_url,
    scale_env,
    wait_for,
    web_runner,
    worker,
)

pytestmark = pytest.mark.skipif(not BIN.exists(), reason="the social-care console script is not installed")
HOUR = "3600"
REPLY_LIMIT = 5.0  # seconds from the 200 to the reply on the platform (the sweep is an hour away)
LONG = {f"SOCIAL_CARE_POLL_{s}_SECONDS": HOUR for s in (
    "X_MENTIONS", "X_DMS", "FACEBOOK_COMMENTS", "FACEBOOK_MESSENGER", "INSTAGRAM_COMMENTS", "INSTAGRAM_DMS",
    "X_SEARCH")}


def _deliver(url: str, sim: Simulator, tweet_ids: list[str]) -> dict[str, Any]:
    body = body_bytes(x_mentions_payload(sim, tweet_ids, for_user_id=X_USER_ID))
    answer = httpx.post(f"{url}/webhooks/x", content=body, headers=x_header(body), timeout=30)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _stored(engine: sa.Engine, tweet_ids: list[str]) -> int:
    with engine.connect() as c:
        return int(c.execute(sa.text("SELECT count(*) FROM posts WHERE channel = 'x.mention' "
                                     "AND external_id = ANY(:ids)"), {"ids": tweet_ids}).scalar_one())


def _answered(sim: Simulator, tweet_ids: list[str]) -> list[int]:
    return [len(sim.x.replies_to(t)) for t in tweet_ids]


def _pinged(sim: Simulator, token: str) -> int:
    return sum(1 for m in sim.slack.messages if token in json.dumps(m))


def _polls_done(log: Path, streams: int) -> bool:
    text = log.read_text(errors="replace") if log.exists() else ""
    return sum(1 for line in text.splitlines()
               if "social_care.poll_stream[" in line and "succeeded" in line) >= streams


def test_a_webhook_delivery_is_answered_by_a_worker_at_once(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path, port=free_port()).start()
    db_url, drop_schema = pg_schema_url()
    sim = Simulator(x_user_id=X_USER_ID, x_username="acmeshop", page_id=PAGE_ID, page_name="Acme",
                    page_token=PAGE_TOKEN, x_bearer_token=X_BEARER, rate_limits="generous")
    engine = sa.create_engine(db_url)
    procs: list[Any] = []
    logs = [tmp_path / "run.log", tmp_path / "worker.log"]
    try:
        with SimulatorServer(sim, host="127.0.0.1", port=0) as server:
            env = scale_env(server.url, tmp_path, db_url, redis.url, SOCIAL_CARE_OUTBOX_INTERVAL_SECONDS=HOUR,
                            SOCIAL_CARE_ALERT_RETRY_BASE_SECONDS="2", **LONG)
            assert cli_json(env, "db", "upgrade")["schema"] == "up to date"
            port = free_port()
            procs.append(web_runner(env, logs[0], port))
            procs.append(worker(env, logs[1], concurrency=2))
            wait_for("a scheduler leader", lambda: lease(engine, "scheduler"), 60)
            streams = len(cli_json(env, "status")["streams"])
            wait_for("the leader's first polls", lambda: _polls_done(logs[1], streams), 90)
            url = f"http://127.0.0.1:{port}"
            feeder = Feeder(sim)

            def tail() -> str:
                return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs)

            # one unhappy customer: stored before the 200, answered by the worker within seconds
            one = feeder.add(Channel.X_MENTION, f"[wake0001] {ANGRY}")
            result = _deliver(url, sim, [one])
            answered_at = time.monotonic()
            assert (result["stored"], result["flagged"]) == (1, 1), result
            assert _stored(engine, [one]) == 1  # committed before the 200
            try:
                wait_for("the reply", lambda: _answered(sim, [one]) == [1], REPLY_LIMIT, every=0.05)
            except AssertionError:
                raise AssertionError(f"no reply within {REPLY_LIMIT} s of the 200\n{tail()}") from None
            took = time.monotonic() - answered_at
            wait_for("the Slack ping", lambda: _pinged(sim, "[wake0001]") == 1, 10, every=0.05)
            pinged = time.monotonic() - answered_at
            print(f"one delivery: replied {took:.2f} s and pinged {pinged:.2f} s after the 200")

            # a batch of 30 in one delivery: stored and flagged in bulk, drafted by a task, each answered once
            batch = [feeder.add(Channel.X_MENTION, f"[wake{n:04d}] {ANGRY}") for n in range(2, 32)]
            result = _deliver(url, sim, batch)
            started = time.monotonic()
            assert (result["stored"], result["flagged"]) == (30, 30), result
            assert _stored(engine, batch) == 30
            wait_for("30 replies", lambda: _answered(sim, batch) == [1] * 30, 30, every=0.1)
            print(f"a batch of 30: all answered {time.monotonic() - started:.2f} s after the 200")

            # Slack hangs (past the 3 s HTTP timeout) while one worker process delivers a ping: the other
            # process sends the next customer's reply meanwhile
            sim.timeout_next("slack", seconds=20)
            hang = sim.faults.pending[-1]
            first = feeder.add(Channel.X_MENTION, f"[wake0098] {ANGRY}")
            _deliver(url, sim, [first])
            wait_for("Slack to hang", lambda: hang.remaining == 0, 15, every=0.05)
            hung = time.monotonic()
            late = feeder.add(Channel.X_MENTION, f"[wake0099] {ANGRY}")
            _deliver(url, sim, [late])
            wait_for("the reply while Slack hangs", lambda: _answered(sim, [late]) == [1], REPLY_LIMIT, every=0.05)
            took = time.monotonic() - hung
            print(f"while Slack hangs: replied {took:.2f} s after the hang began")
            assert took < 3.0, "the reply waited for the Slack timeout"
            before = len(sim.slack.messages)
            sim.faults.release_stalls()  # Slack answers again: the waiting pings follow (alone or folded)

            def unsent() -> list[Any]:
                with engine.connect() as c:
                    return list(c.execute(sa.text("SELECT id, status, attempts, error FROM alerts "
                                                  "WHERE status IN ('pending', 'sending')")).all())

            try:
                wait_for("the waiting Slack pings", lambda: not unsent(), 60, every=0.2)
            except AssertionError as exc:
                raise AssertionError(f"{exc}: unsent {unsent()}\n{tail()}") from None
            assert len(sim.slack.messages) > before

            # nothing answered twice, nothing given up on
            assert _answered(sim, [one, *batch, first, late]) == [1] * 33
            with engine.connect() as c:
                dead = c.execute(sa.text("SELECT task, reason FROM dead_letters")).all()
                statuses = dict(c.execute(sa.text("SELECT status, count(*) FROM replies GROUP BY 1")).all())
            assert dead == [], dead
            assert statuses == {"sent": 33}, statuses
    finally:
        for proc in procs:
            if proc.alive():
                proc.kill()
        engine.dispose()
        redis.stop()
        drop_schema()
