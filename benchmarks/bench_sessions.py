"""Cost of a signed-in request now that sessions live in the database (issue 18 item 7).

    .venv/bin/python benchmarks/bench_sessions.py [--sessions 20000] [--runs 400]

Stores ``--sessions`` sessions of other users (the lookup is by the unique hash of the id), then times
``GET /api/me`` (session lookup + user + tiny JSON) with the real app and FastAPI's TestClient on SQLite,
and one failed sign-in (throttle check + argon2 verify + failure row). Prints p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from social_care.app import App
from social_care.config import load_settings
from social_care.store import make_engine, upgrade
from social_care.web import create_web_app
from social_care.web.auth import SESSION_COOKIE, add_user
from social_care.web.tables import WebSession


def _pcts(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"p50 {statistics.median(ms):.2f} ms, p95 {ms[int(len(ms) * 0.95) - 1]:.2f} ms"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=400)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench_sessions_"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    settings = load_settings(_env_file=None, SOCIAL_CARE_DATABASE_URL=url)
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    app = App(settings=settings, engine=engine, scorer=None, playbook=None, connectors=[], responders=None,  # type: ignore[arg-type]
              clock=lambda: now)
    add_user(app, "bench", "bench-password-1")
    rows = [
        {"token_hash": hashlib.sha256(secrets.token_bytes(16)).hexdigest(), "username": f"u{i % 50}",
         "csrf": "x", "created_at": now, "last_seen_at": now, "expires_at": now + timedelta(hours=12)}
        for i in range(args.sessions)
    ]
    with engine.begin() as conn:
        conn.execute(insert(WebSession), rows)

    web = create_web_app(app)
    client = TestClient(web, base_url="http://127.0.0.1")
    cookie, _csrf = web.state.sessions.start("bench")
    client.cookies.set(SESSION_COOKIE, cookie)
    for _ in range(20):
        assert client.get("/api/me").status_code == 200
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        r = client.get("/api/me")
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    print(f"GET /api/me with a session among {args.sessions:,}: {_pcts(times)} ({args.runs} runs)")

    anon = TestClient(web, base_url="http://127.0.0.1")
    fails = []
    for i in range(4):  # fewer than the lock: each one is checked (argon2 on purpose slow)
        token = anon.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        t = time.perf_counter()
        r = anon.post("/login", data={"username": "bench", "password": f"wrong-{i}", "csrf_token": token})
        fails.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 401 and "Wrong user name or password" in r.text, r.text
    print(f"failed sign-in (throttle check + argon2 + failure row): {_pcts(fails)} ({len(fails)} runs)")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
