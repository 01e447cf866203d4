"""Scale-out throughput and latency, end to end with real processes, against the simulator.

    .venv/bin/python benchmarks/bench_scale.py [--backlog 2000] [--rate 10] [--seconds 30] [--modes ...]
        [--source webhooks|polling]

Three set-ups in one run, each on a fresh database and simulator:

- ``embedded``: the default, `social-care run` alone on SQLite (APScheduler, no broker);
- ``celery-1``: `social-care run` (the elected scheduler) + one worker process, Redis and PostgreSQL;
- ``celery-2``: the same with two worker processes.

For each: (1) **throughput**: ``--backlog`` customer posts wait on the four channels before the service
starts; events/s ingested and scored = posts / (last stored − first stored), from ``posts.ingested_at``.
(2) **latency at 10× the normal rate**: the normal rate is taken as 1 post/s (3,600 an hour on one brand,
a busy shop); ``--rate`` posts/s arrive for ``--seconds``, 40 % unhappy; p50/p95 from arrival (the moment
the simulator got the post) to flagged (stored with its flag and draft) and to the Slack ping (the first
Slack message naming it; bursts fold into digests, Slack takes one message a second). (3) the resident
memory of each worker process (and the embedded process) at the end.

``--source webhooks`` (the default): the latency phase's posts arrive as the platforms send them, signed
webhook deliveries from the simulator to `run`'s endpoints (each committed before its 200; scaled out, the
Slack ping and the drafts are handed to the workers at once); polls every 60 s are the backstop, the first
one drains the backlog. ``--source polling``: every stream is polled each second (the latency floor is the
poll interval, not the workers). Redis
is a redis-server of this script's own on port 6391; PostgreSQL is SOCIAL_CARE_TEST_POSTGRES_URL (or the
local ``test`` server), in a schema of its own in database ``scale_test``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from social_care.models import Channel  # noqa: E402
from social_care.simulator import Simulator, SimulatorServer  # noqa: E402
from tests.conftest import PAGE_ID, PAGE_TOKEN, X_BEARER, X_USER_ID  # noqa: E402
from tests.reliability.test_crash_anywhere import _env as sqlite_env  # noqa: E402
from tests.scale.harness import Proc, RedisServer, free_port, pg_schema_url, runner, worker  # noqa: E402
from tests.spine.helpers import ANGRY, HAPPY, Feeder  # noqa: E402

MODES = ("embedded", "celery-1", "celery-2")


def _progress(total: int, desc: str) -> Any:
    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, leave=False)
    return None


class Feed:
    def __init__(self, sim: Simulator, seed: int) -> None:
        self.feeder, self.rng = Feeder(sim), random.Random(seed)
        self.arrived: dict[str, float] = {}  # token -> arrival (epoch seconds)
        self.angry: set[str] = set()

    def add(self, n: int) -> None:
        token = f"[p{n:06d}]"
        channel = list(Channel)[n % 4]
        angry = self.rng.random() < 0.4
        self.feeder.add(channel, f"{token} {ANGRY if angry else HAPPY}", author=str(700000 + n))
        self.arrived[token] = time.time()
        if angry:
            self.angry.add(token)


class SlackClock:
    """Timestamps each Slack message as the simulator accepts it (a watcher thread, every 20 ms)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.first: dict[str, float] = {}
        self._stop = threading.Event()
        self._seen = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import re

        while not self._stop.wait(0.02):
            msgs = self.sim.slack.messages
            while self._seen < len(msgs):
                now = time.time()
                for token in re.findall(r"\[p\d{6}\]", json.dumps(msgs[self._seen])):
                    self.first.setdefault(token, now)
                self._seen += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _rss_mb(pgid: int) -> list[float]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        except (OSError, ValueError, IndexError):
            continue
    return out


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _wait(what: str, check: Any, timeout: float, total: int | None = None) -> bool:
    bar = _progress(total, what) if total else None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            done = check()
            if bar is not None and isinstance(done, int) and not isinstance(done, bool):
                bar.n = done
                bar.refresh()
            if done is True or (total and isinstance(done, int) and done >= total):
                return True
            time.sleep(0.25)
        return False
    finally:
        if bar is not None:
            bar.close()


def run_mode(mode: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    sim = Simulator(x_user_id=X_USER_ID, x_username="acmeshop", page_id=PAGE_ID, page_name="Acme",
                    page_token=PAGE_TOKEN, x_bearer_token=X_BEARER, rate_limits="generous")
    feed = Feed(sim, 7)
    for n in range(args.backlog):
        feed.add(n)
    procs: list[Any] = []
    redis = drop = None
    with SimulatorServer(sim, host="127.0.0.1", port=0) as server:
        env = sqlite_env(server.url, tmp / f"{mode}.db")
        env.update({"SOCIAL_CARE_AUTOSEND": "none", "SOCIAL_CARE_ALERT_DIGEST_MAX_ITEMS": "100",
                    "SOCIAL_CARE_REPORTS_DIR": str(tmp / "reports")})
        if args.source == "webhooks":  # posts arrive by webhook; polling is the backstop, once a minute
            env.update({k: "60" for k in env if k.startswith("SOCIAL_CARE_POLL_") and k.endswith("_SECONDS")})
        if mode == "embedded":
            db_url = f"sqlite:///{tmp / f'{mode}.db'}"
        else:
            redis = RedisServer(tmp, port=args.redis_port).start()
            db_url, drop = pg_schema_url()
            env.update({"SOCIAL_CARE_DATABASE_URL": db_url, "SOCIAL_CARE_BROKER_URL": redis.url})
        engine = sa.create_engine(db_url)
        slack = SlackClock(sim)
        try:
            import subprocess

            subprocess.run([sys.executable, "-m", "social_care", "db", "upgrade"], env=env, check=True,
                           capture_output=True, timeout=120)
            port = free_port()
            if args.source == "webhooks":  # `run` serves the webhook endpoints (and stands for leader)
                procs.append(Proc("run", ["run", "--host", "127.0.0.1", "--port", str(port), "--tick-seconds", "1"],
                                  env, tmp / f"{mode}-run.log"))
            else:
                procs.append(runner(env, tmp / f"{mode}-run.log"))
            workers = {"embedded": 0, "celery-1": 1, "celery-2": 2}[mode]
            for i in range(workers):
                procs.append(worker(env, tmp / f"{mode}-worker{i}.log", concurrency=1))

            def stored() -> int:
                with engine.connect() as c:
                    return int(c.execute(sa.text("SELECT count(*) FROM posts")).scalar_one())

            if not _wait(f"{mode}: backlog", stored, 900, total=args.backlog):
                raise RuntimeError(f"{mode}: the backlog was not stored in 15 minutes ({stored()})")
            with engine.connect() as c:
                first, last = c.execute(sa.text("SELECT min(ingested_at), max(ingested_at) FROM posts")).one()
            span = (_aware(last) - _aware(first)).total_seconds()
            throughput = args.backlog / span if span > 0 else float("inf")
            # let the backlog's alerts drain before the latency phase
            _wait(f"{mode}: backlog alerts", lambda: _pending_alerts(engine) == 0, 300)

            if args.source == "webhooks":  # from here on the simulator delivers each new post, signed
                sim.webhooks.configure("x", f"http://127.0.0.1:{port}/webhooks/x")
                sim.webhooks.configure("facebook", f"http://127.0.0.1:{port}/webhooks/meta")
            # 10x the normal rate
            start = len(feed.arrived)
            total = int(args.rate * args.seconds)
            t0 = time.monotonic()
            bar = _progress(total, f"{mode}: feeding at {args.rate:g}/s")
            for i in range(total):
                delay = t0 + i / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                feed.add(start + i)
                if bar is not None:
                    bar.update(1)
            if bar is not None:
                bar.close()
            tokens = [f"[p{n:06d}]" for n in range(start, start + total)]
            angry = [t for t in tokens if t in feed.angry]
            _wait(f"{mode}: stored", stored, 300, total=args.backlog + total)
            _wait(f"{mode}: Slack pings", lambda: sum(1 for t in angry if t in slack.first), 300,
                  total=len(angry))
            with engine.connect() as c:
                rows = c.execute(sa.text(
                    "SELECT substr(text, 1, 9), ingested_at, flagged FROM posts WHERE text LIKE '[p%'")).all()
            ingested = {tok: _aware(at).timestamp() for tok, at, _f in rows}
            to_flag = [ingested[t] - feed.arrived[t] for t in angry if t in ingested]
            to_ping = [slack.first[t] - feed.arrived[t] for t in angry if t in slack.first]
            memory = {}
            for i, p in enumerate(procs):
                name = "run" if i == 0 else f"worker{i}"
                rss = _rss_mb(p.pid)
                memory[name] = {"processes": len(rss), "rss_mb": round(sum(rss), 1)}
        finally:
            slack.stop()
            for p in procs:
                p.kill()
            engine.dispose()
            if redis is not None:
                redis.stop()
            if drop is not None:
                drop()
    return {
        "mode": mode,
        "source": args.source,
        "backlog_posts": args.backlog,
        "ingested_scored_per_s": round(throughput, 1),
        "latency_posts": total,
        "rate_per_s": args.rate,
        "flagged": len(angry),
        "p50_to_flagged_s": _r(_pct(to_flag, 0.5)),
        "p95_to_flagged_s": _r(_pct(to_flag, 0.95)),
        "p50_to_slack_s": _r(_pct(to_ping, 0.5)),
        "p95_to_slack_s": _r(_pct(to_ping, 0.95)),
        "pinged": len(to_ping),
        "memory": memory,
    }


def _pending_alerts(engine: sa.Engine) -> int:
    with engine.connect() as c:
        query = sa.text("SELECT count(*) FROM alerts WHERE status IN ('pending', 'sending')")
        return int(c.execute(query).scalar_one())


def _aware(dt: Any) -> datetime:
    if isinstance(dt, str):
        dt = datetime.fromisoformat(dt)
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backlog", type=int, default=2000, help="posts waiting before the service starts")
    ap.add_argument("--rate", type=float, default=10.0,
                    help="posts per second in the latency phase (10x 1/s)")
    ap.add_argument("--seconds", type=float, default=30.0, help="length of the latency phase")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES))
    ap.add_argument("--source", choices=("webhooks", "polling"), default="webhooks",
                    help="how the latency phase's posts arrive: signed webhook deliveries from the simulator to "
                    "`run`'s endpoints (polls once a minute as the backstop), or polling every second")
    ap.add_argument("--redis-port", type=int, default=6391)
    ap.add_argument("--logs", type=Path, help="keep the processes' logs in this folder")
    args = ap.parse_args()
    results = []
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.logs) as tmp:
        for mode in args.modes.split(","):
            result = run_mode(mode.strip(), args, Path(tmp))
            results.append(result)
            print(json.dumps(result), flush=True)
    print()
    print(f"{'mode':<10} {'ingest+score/s':>14} {'p95→flagged':>12} {'p95→Slack':>10} {'memory (MB)':>30}")
    for r in results:
        mem = ", ".join(f"{k} {v['rss_mb']:.0f}" for k, v in r["memory"].items())
        print(f"{r['mode']:<10} {r['ingested_scored_per_s']:>14} {str(r['p95_to_flagged_s']) + ' s':>12} "
              f"{str(r['p95_to_slack_s']) + ' s':>10} {mem:>30}")


if __name__ == "__main__":
    main()
