"""PostgreSQL restarting under load, scaled out: a worker (two processes) and a `social-care run` leader on
Redis and a PostgreSQL instance of the test's own (initdb into a temporary directory, on a free port: the
shared server is never restarted), customers writing on every channel while the database is stopped
(immediately, as in a crash) for six seconds and started again.

Afterwards the export and the simulator's record must agree (every post stored once, every flagged post
answered exactly once, no Slack message twice), no task is given up on, and `status` and Slack say once that
the database was away and for how long. While it is away, `status` fails with a clear error.

Skipped, with the reason, when Redis or initdb cannot be had.
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from social_care.simulator import Simulator, SimulatorServer
from tests.conftest import PAGE_ID, PAGE_TOKEN, X_BEARER, X_USER_ID
from tests.reliability.test_crash_anywhere import BusyFeed

from .harness import BIN, PgCluster, RedisServer, cli_json, free_port, lease, runner, scale_env, wait_for, worker
from .test_scale_out import _burst, _check

pytestmark = pytest.mark.skipif(not BIN.exists(), reason="the social-care console script is not installed")
DOWN_SECONDS = 6.0  # longer than the leader's election check (5 s): it sees the database away


def test_a_postgresql_restart_under_load_loses_nothing(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path, port=free_port()).start()
    pg = PgCluster()
    procs: list[Any] = []
    logs = [tmp_path / "run.log", tmp_path / "worker.log"]
    engine: sa.Engine | None = None
    try:
        pg.start()
        engine = sa.create_engine(pg.url, pool_pre_ping=True)
        sim = Simulator(x_user_id=X_USER_ID, x_username="acmeshop", page_id=PAGE_ID, page_name="Acme",
                        page_token=PAGE_TOKEN, x_bearer_token=X_BEARER, rate_limits="generous")
        with SimulatorServer(sim, host="127.0.0.1", port=0) as server:
            env = scale_env(server.url, tmp_path, pg.url, redis.url)
            assert cli_json(env, "db", "upgrade")["schema"] == "up to date"
            feed = BusyFeed(sim, random.Random(20261206))
            procs.append(runner(env, logs[0]))
            procs.append(worker(env, logs[1], concurrency=2))
            wait_for("a scheduler leader", lambda: lease(engine, "scheduler"), 60)
            _burst(feed, 8)
            _check("start", engine, env, sim, feed, logs)

            feed.start()  # customers keep writing through the restart
            time.sleep(2)
            pg.down()
            away = subprocess.run([str(BIN), "status"], env=env, capture_output=True, text=True, timeout=60)
            time.sleep(DOWN_SECONDS)
            pg.up()
            time.sleep(3)
            feed.stop()
            assert away.returncode != 0, away.stdout[:500]
            assert "database" in away.stderr.lower(), away.stderr
            state = _check("PostgreSQL restarted", engine, env, sim, feed, logs)
            assert state["dead"] == [], f"tasks given up on: {state['dead']}"

            status = wait_for("the outage in status",
                              lambda: (s := cli_json(env, "status"))["scale"]["outages"] and s, 30)
            outages = status["scale"]["outages"]
            assert [o["what"] for o in outages] == ["database"], outages
            assert "PostgreSQL did not answer" in outages[0]["reason"], outages
            told = wait_for("Slack told", lambda: [m for m in sim.slack.messages
                                                   if "PostgreSQL did not answer" in json.dumps(m)], 30)
            assert len(told) == 1, told
            print(f"{len(feed.posts)} posts through a {DOWN_SECONDS:.0f} s PostgreSQL outage; replies "
                  f"{dict(state['replies'])}; status: {outages[0]['reason']}")
    finally:
        for proc in procs:
            if proc.alive():
                proc.kill()
        if engine is not None:
            engine.dispose()
        redis.stop()
        pg.stop()
