"""Rate-limit codes, timeouts, and the long-running commands as a person runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from social_care.models import Channel
from social_care.pipeline import poll_stream
from social_care.store import repo

from .helpers import ANGRY, FAULT_PLATFORM, STREAM_OF, Feeder, connector
from .test_cli import _env, _values


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_graph_rate_limit_codes_pause_the_stream(app, sim, clock, code):
    Feeder(sim).add(Channel.MESSENGER, ANGRY)
    sim.graph_error_next(code=code)
    conn = connector(app, "facebook.messenger")
    assert poll_stream(app, conn).outcome == "rate_limited"
    with app.session() as s:
        assert repo.active_pause(s, stream=conn.stream, now=clock()) is not None
    clock.advance(hours=2)  # after the pause the stream is polled again and nothing was lost
    assert poll_stream(app, conn).stored == 1


@pytest.mark.parametrize(("code", "outcome"), [(190, "fatal"), (10, "fatal"), (2, "retriable"), (100, "retriable")])
def test_graph_errors_are_classified_by_code(app, sim, code, outcome):
    Feeder(sim).add(Channel.FACEBOOK_COMMENT, ANGRY)
    sim.graph_error_next(code=code)
    assert poll_stream(app, connector(app, "facebook.comments")).outcome == outcome


@pytest.mark.parametrize("channel", list(Channel), ids=[c.value for c in Channel])
def test_a_stalled_platform_times_out_and_the_next_poll_gets_everything(app, sim, channel):
    Feeder(sim).many(channel, 2)
    sim.timeout_next(FAULT_PLATFORM[channel], seconds=30)  # longer than the 3 s client timeout of the tests
    started = time.monotonic()
    result = poll_stream(app, connector(app, STREAM_OF[channel]))
    assert result.outcome == "retriable" and "reach" in result.error
    assert time.monotonic() - started < 25  # it gave up instead of hanging with the platform
    sim.release_stalls()
    again = poll_stream(app, connector(app, STREAM_OF[channel]))
    assert again.stored == 2


def test_run_polls_until_ctrl_c_and_stops_cleanly(make_settings, sim, tmp_path):
    settings = make_settings(SOCIAL_CARE_POLL_X_MENTIONS_SECONDS=1, SOCIAL_CARE_POLL_X_DMS_SECONDS=1,
                             SOCIAL_CARE_POLL_FACEBOOK_COMMENTS_SECONDS=1,
                             SOCIAL_CARE_POLL_FACEBOOK_MESSENGER_SECONDS=1)
    Feeder(sim).add(Channel.X_MENTION, ANGRY)
    proc = subprocess.Popen([sys.executable, "-m", "social_care", "run", "--no-serve"], env=_env(_values(settings)),
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not [r for r in sim.requests if "/mentions" in r.path]:
            time.sleep(0.2)
        assert [r for r in sim.requests if "/mentions" in r.path], "the scheduler never polled"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


@pytest.mark.parametrize("autosend", [None, "playbook"], ids=["approval-by-default", "autosend-playbook"])
def test_demo_runs_to_idle_and_prints_a_summary(tmp_path, autosend):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "FACEBOOK_", "SOCIAL_CARE_", "SLACK_"))}
    # the hashed model alone: the cascade would embed a few hundred demo posts (benchmarks/bench_scorer.py
    # measures it on them)
    env["SOCIAL_CARE_SCORER"] = "fast"
    # the default demo takes the simulator's signed webhooks; the autosend run shows the polling path
    extra = ["--autosend", autosend, "--no-webhooks"] if autosend else []
    proc = subprocess.run(
        [sys.executable, "-m", "social_care", "demo", "--exit-when-idle", "--speed", "6000", "--port", "0",
         "--database", f"sqlite:///{tmp_path}/demo.db", *extra],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "sign in as demo" in proc.stdout
    assert ("webhooks off" if autosend else "webhooks live") in proc.stdout
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["fed"] == 380 and sum(summary["stored"].values()) == 380
    assert summary["stored"] == {"x.mention": 126, "x.dm": 67, "facebook.comment": 86, "facebook.messenger": 71,
                                 "instagram.comment": 12, "instagram.dm": 8, "x.search": 10}
    assert summary["flagged"] > 50
    if autosend:
        assert summary["replies"].get("sent", 0) > 0
    else:  # a newcomer finds the flagged posts waiting, and is told which to try
        assert summary["replies"].get("sent", 0) == 0 and summary["replies"].get("draft", 0) > 50
        assert "wait for your approval" in proc.stdout
        assert len([line for line in proc.stdout.splitlines() if "/posts/" in line]) == 7  # one per channel
