"""RabbitMQ works as Redis does: with ``SOCIAL_CARE_BROKER_URL=amqp://…`` a `social-care run` leader and one
real Celery worker poll, score, draft and send a reply end to end against the simulator (an autosent reply
may go out before the Slack rule looks, which then has nothing to ping: Slack is not part of this check).

The RabbitMQ on 127.0.0.1:5672 (CI starts it, see .ci/run) is shared: when ``rabbitmqctl`` may be used the test
works in a virtual host of its own, removed afterwards, so no other run's worker takes its tasks. Skipped, with
the reason, when nothing answers on 5672 or PostgreSQL cannot be had.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from social_care.models import Channel
from social_care.simulator import Simulator, SimulatorServer
from tests.conftest import PAGE_ID, PAGE_TOKEN, X_BEARER, X_USER_ID
from tests.spine.helpers import ANGRY, HAPPY, Feeder

from .harness import BIN, _answers, cli_json, lease, pg_schema_url, runner, scale_env, wait_for, worker

pytestmark = pytest.mark.skipif(not BIN.exists(), reason="the social-care console script is not installed")
AMQP_PORT = int(os.environ.get("SOCIAL_CARE_TEST_AMQP_PORT", "5672"))
AMQP_USER = os.environ.get("SOCIAL_CARE_TEST_AMQP_USER", "guest")


def _rabbitmqctl(*args: str) -> bool:
    exe = shutil.which("rabbitmqctl")
    if exe is None:
        return False
    try:
        done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def test_one_worker_on_rabbitmq_answers_a_customer(tmp_path: Path) -> None:
    if not _answers(AMQP_PORT):
        pytest.skip(f"nothing answers on 127.0.0.1:{AMQP_PORT}: RabbitMQ is not running (CI starts it)")
    vhost = f"social-care-test-{uuid.uuid4().hex[:8]}"
    if _rabbitmqctl("add_vhost", vhost) and _rabbitmqctl("set_permissions", "-p", vhost, AMQP_USER, ".*", ".*", ".*"):
        broker = f"amqp://{AMQP_USER}:{AMQP_USER}@127.0.0.1:{AMQP_PORT}/{vhost}"
    else:
        vhost = ""
        print("rabbitmqctl cannot add a virtual host here: the test uses RabbitMQ's default one")
        broker = f"amqp://{AMQP_USER}:{AMQP_USER}@127.0.0.1:{AMQP_PORT}//"
    db_url, drop_schema = pg_schema_url()
    engine = sa.create_engine(db_url)
    sim = Simulator(x_user_id=X_USER_ID, x_username="acmeshop", page_id=PAGE_ID, page_name="Acme",
                    page_token=PAGE_TOKEN, x_bearer_token=X_BEARER, rate_limits="generous")
    procs: list[Any] = []
    logs = [tmp_path / "run.log", tmp_path / "worker.log"]
    try:
        with SimulatorServer(sim, host="127.0.0.1", port=0) as server:
            env = scale_env(server.url, tmp_path, db_url, broker)
            assert cli_json(env, "db", "upgrade")["schema"] == "up to date"
            procs.append(runner(env, logs[0]))
            procs.append(worker(env, logs[1], concurrency=1))
            wait_for("a scheduler leader", lambda: lease(engine, "scheduler"), 60)
            feeder = Feeder(sim)
            unhappy = feeder.add(Channel.X_MENTION, f"[amqp0001] {ANGRY}")
            happy = feeder.add(Channel.X_MENTION, f"[amqp0002] {HAPPY}")

            def tail() -> str:
                return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs)

            try:
                wait_for("the reply on the platform", lambda: len(sim.x.replies_to(unhappy)) == 1, 90)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n{tail()}") from None
            status = cli_json(env, "status")
            assert status["scale"]["mode"] == "celery"
            assert status["scale"]["broker"].startswith("amqp://")
            assert f"{AMQP_USER}:{AMQP_USER}@" not in status["scale"]["broker"], "the broker password is shown"
            with engine.connect() as c:
                stored = c.execute(sa.text("SELECT external_id, flagged FROM posts ORDER BY id")).all()
                dead = c.execute(sa.text("SELECT task, reason FROM dead_letters")).all()
            assert sorted(stored) == sorted([(unhappy, True), (happy, False)]), stored
            assert sim.x.replies_to(happy) == []
            assert dead == [], dead
            assert "transport:   amqp://" in logs[1].read_text(errors="replace")  # Celery's banner: on RabbitMQ
    finally:
        for proc in procs:
            if proc.alive():
                proc.kill()
        engine.dispose()
        drop_schema()
        if vhost:
            _rabbitmqctl("delete_vhost", vhost)
