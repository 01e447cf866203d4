"""Crash anywhere: `social-care run` as a real process on a busy simulator, SIGKILLed at random moments.

A seeded loop starts the service (autosend playbook, Slack webhook to the simulator, alerts every
second), kills it with SIGKILL at a random moment, and starts it again, ``SOCIAL_CARE_CRASH_TRIALS``
times (50 by default; ``SOCIAL_CARE_CRASH_SEED`` picks the moments) while customers keep writing on all
four channels. Then it runs once more until everything has settled and checks against the simulator's
record: every customer post stored once; each flagged post answered exactly once and no other post
answered; no Slack message twice, except a second copy marked "may be a duplicate" (alert delivery is
at-least-once: a kill between Slack's ``ok`` and the commit re-sends it with that note).

tests/spine/test_crash.py kills between chosen steps in-process; this one kills the real process anywhere.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from social_care.models import Channel
from social_care.simulator import Simulator, SimulatorServer
from tests.conftest import IG_USER_ID, PAGE_ID, PAGE_TOKEN, SLACK_PATH, X_BEARER, X_USER_ID
from tests.spine.helpers import ANGRY, HAPPY, Feeder

TRIALS = int(os.environ.get("SOCIAL_CARE_CRASH_TRIALS", "50"))
SEED = int(os.environ.get("SOCIAL_CARE_CRASH_SEED", "20261205"))
MAX_KILL_DELAY = 1.0  # seconds after the scheduler starts; its jobs start at once and run every second
SETTLE_SECONDS = 90  # the last, unkilled run must have settled everything by then
NOTE = "may be a duplicate"
BIN = Path(sys.executable).parent / "social-care"


@dataclass
class Fed:
    channel: Channel
    external_id: str
    author: str
    token: str  # unique text at the start of the post, to find it in Slack messages


@dataclass
class BusyFeed:
    """Customers writing on every channel autosend answers (x.search waits for a person), in a thread, about
    two posts a second, 40 % unhappy."""

    sim: Simulator
    rng: random.Random
    posts: list[Fed] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.feeder = Feeder(self.sim)

    def add(self) -> None:
        n = len(self.posts) + 1
        channel = self.rng.choice([c for c in Channel if not c.person_approves])
        token = f"[case{n:04d}]"
        text = f"{token} {ANGRY if self.rng.random() < 0.4 else HAPPY}"
        author = str(5000 + n)
        external_id = self.feeder.add(channel, text, author=author)
        prefix = {Channel.FACEBOOK_COMMENT: "70", Channel.MESSENGER: "80", Channel.INSTAGRAM_COMMENT: "60",
                  Channel.INSTAGRAM_DM: "61"}.get(channel, "")  # Feeder's ids
        psid = prefix + author
        self.posts.append(Fed(channel, external_id, psid, token))

    def _run(self) -> None:
        while not self._stop.wait(self.rng.uniform(0.2, 0.8)):
            self.add()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="busy-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _env(url: str, db: Path) -> dict[str, str]:
    ours = ("SOCIAL_CARE_", "X_", "FACEBOOK_", "SLACK_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update({
        "PYTHONUNBUFFERED": "1",
        "SOCIAL_CARE_DATABASE_URL": f"sqlite:///{db}",
        "X_USER_ID": X_USER_ID, "X_BEARER_TOKEN": X_BEARER, "X_CONSUMER_KEY": "sim-consumer-key",
        "X_CONSUMER_SECRET": "sim-consumer-secret", "X_ACCESS_TOKEN": f"{X_USER_ID}-sim-access-token",
        "X_ACCESS_TOKEN_SECRET": "sim-access-secret", "X_API_BASE_URL": url,
        "FACEBOOK_PAGE_ID": PAGE_ID, "FACEBOOK_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
        "FACEBOOK_APP_SECRET": "sim-app-secret",
        "FACEBOOK_GRAPH_URL": url, "FACEBOOK_GRAPH_VERSION": "v23.0",
        "SLACK_WEBHOOK_URL": url + SLACK_PATH,
        "SOCIAL_CARE_AUTOSEND": "playbook", "SOCIAL_CARE_SECRET_KEY": "test-secret-key-0123456789",
        "SOCIAL_CARE_HTTP_TIMEOUT": "3", "SOCIAL_CARE_OUTBOX_INTERVAL_SECONDS": "1",
        "SOCIAL_CARE_POLL_X_MENTIONS_SECONDS": "1", "SOCIAL_CARE_POLL_X_DMS_SECONDS": "1",
        "SOCIAL_CARE_POLL_FACEBOOK_COMMENTS_SECONDS": "1", "SOCIAL_CARE_POLL_FACEBOOK_MESSENGER_SECONDS": "1",
        "INSTAGRAM_BUSINESS_ACCOUNT_ID": IG_USER_ID, "SOCIAL_CARE_X_SEARCH_TERMS": "acme, acme shop, akme",
        "SOCIAL_CARE_POLL_INSTAGRAM_COMMENTS_SECONDS": "1", "SOCIAL_CARE_POLL_INSTAGRAM_DMS_SECONDS": "1",
        "SOCIAL_CARE_POLL_X_SEARCH_SECONDS": "1",
        "SOCIAL_CARE_REPORTS_DIR": str(db.parent / "reports"),
    })
    return env


class Service:
    """One `social-care run` process; its log goes to a file the test shows when it fails."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [str(BIN), "run", "--no-serve", "--tick-seconds", "1"], env=env, stdout=subprocess.PIPE,
            stderr=self.log, stdin=subprocess.DEVNULL,
        )

    def wait_started(self) -> None:
        """Until the scheduler is about to start (or the process died, which the test reports)."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(b"polling:"):
                return
        raise AssertionError(f"social-care run exited with {self.proc.wait()} before polling")

    def stop(self, sig: int) -> None:
        self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()


def _db_state(engine: sa.Engine) -> dict[str, Any]:
    with engine.connect() as c:
        posts = c.execute(sa.text("SELECT channel, external_id, flagged FROM posts")).all()
        replies = Counter(dict(c.execute(sa.text("SELECT status, count(*) FROM replies GROUP BY 1")).all()))
        alerts = Counter(dict(c.execute(sa.text("SELECT status, count(*) FROM alerts GROUP BY 1")).all()))
    return {"posts": posts, "replies": replies, "alerts": alerts}


def _settled(state: dict[str, Any], feed: BusyFeed) -> bool:
    stored = {(ch, ext) for ch, ext, _ in state["posts"]}
    flagged = sum(1 for *_, f in state["posts"] if f)
    return (
        all((p.channel.value, p.external_id) in stored for p in feed.posts)
        and state["replies"]["sent"] == flagged and sum(state["replies"].values()) == flagged
        and state["alerts"]["pending"] + state["alerts"]["sending"] == 0
    )


def _replies_on_platform(sim: Simulator, post: Fed) -> int:
    if post.channel == Channel.X_MENTION:
        return len(sim.x.replies_to(post.external_id))
    if post.channel == Channel.X_DM:
        return len(sim.x.dms_to(post.author))
    if post.channel == Channel.FACEBOOK_COMMENT:
        return len(sim.facebook.replies_to(post.external_id))
    if post.channel == Channel.INSTAGRAM_COMMENT:
        return len(sim.facebook.ig_replies_to(post.external_id))
    return len(sim.facebook.messages_to(post.author))


@pytest.mark.skipif(not BIN.exists(), reason="the social-care console script is not installed")
def test_sigkill_anywhere_then_restart_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    sim = Simulator(x_user_id=X_USER_ID, x_username="acmeshop", page_id=PAGE_ID, page_name="Acme",
                    page_token=PAGE_TOKEN, x_bearer_token=X_BEARER, rate_limits="generous")
    db = tmp_path / "social_care.db"
    log = tmp_path / "service.log"
    started = time.monotonic()
    with SimulatorServer(sim, host="127.0.0.1", port=0) as server:
        env = _env(server.url, db)
        feed = BusyFeed(sim, random.Random(SEED + 1))
        for _ in range(10):
            feed.add()
        feed.start()
        service: Service | None = None
        try:
            for _ in range(TRIALS):
                service = Service(env, log)
                service.wait_started()
                time.sleep(rng.uniform(0, MAX_KILL_DELAY))
                service.stop(signal.SIGKILL)
                service = None
        finally:
            feed.stop()
            if service is not None:  # the loop itself failed: leave no process behind
                service.stop(signal.SIGKILL)
        killed_at = time.monotonic()

        service = Service(env, log)
        service.wait_started()
        engine = sa.create_engine(f"sqlite:///{db}")
        try:
            deadline = time.monotonic() + SETTLE_SECONDS
            state = _db_state(engine)
            while not _settled(state, feed) and time.monotonic() < deadline:
                time.sleep(0.5)
                state = _db_state(engine)
        finally:
            service.stop(signal.SIGTERM)
        state = _db_state(engine)
        engine.dispose()
    print(f"crash loop: {TRIALS} kills in {killed_at - started:.1f} s, settled in "
          f"{time.monotonic() - killed_at:.1f} s; {len(feed.posts)} posts, replies {dict(state['replies'])}, "
          f"alerts {dict(state['alerts'])}, {len(sim.slack.messages)} Slack messages")
    text = log.read_text(errors="replace")
    print(f"alerts re-sent after a kill cut them off: {text.count('was cut off')}")
    tail = text[-3000:]

    # every customer post stored once, and nothing else stored
    stored = Counter((ch, ext) for ch, ext, _ in state["posts"])
    assert [k for k, n in stored.items() if n > 1] == [], "stored twice"
    assert set(stored) == {(p.channel.value, p.external_id) for p in feed.posts}, tail
    # each flagged post answered exactly once (autosend), no other post answered
    flagged = {(ch, ext) for ch, ext, f in state["posts"] if f}
    assert flagged, "the feed had no unhappy customer"
    answers = {(p.channel.value, p.external_id): _replies_on_platform(sim, p) for p in feed.posts}
    wrong = {k: n for k, n in answers.items() if n != (1 if k in flagged else 0)}
    assert wrong == {}, f"replies on the platform per post (1 for flagged, else 0): {wrong}\n{tail}"
    counts = f"{dict(state['replies'])} {dict(state['alerts'])}"
    assert _settled(state, feed), f"not settled in {SETTLE_SECONDS} s: {counts}\n{tail}"
    assert state["alerts"]["failed"] == 0
    # no Slack message twice; a second copy only when it says it may be one
    plain = [m for m in sim.slack.messages if NOTE not in json.dumps(m)]
    repeated = [m for m, n in Counter(json.dumps(m, sort_keys=True) for m in plain).items() if n > 1]
    assert repeated == [], f"Slack got the same message twice without the note: {repeated[:1]}"
    for post in feed.posts:
        copies = [m for m in plain if post.token in json.dumps(m)]
        assert len(copies) <= 1, f"{post.token} alerted {len(copies)} times without the note"
    alerted = {p.token for p in feed.posts if any(p.token in json.dumps(m) for m in sim.slack.messages)}
    assert alerted, "no Slack alert went out"
