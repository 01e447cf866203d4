"""Real processes for the scale-out tests: a Redis server of the test's own, a PostgreSQL schema of its own,
`social-care worker` and `social-care run` processes, each in a process group of its own (SIGKILL takes a
worker's children with it)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.reliability.test_crash_anywhere import _env as sqlite_env

BIN = Path(sys.executable).parent / "social-care"
REDIS_PORT = int(os.environ.get("SOCIAL_CARE_TEST_REDIS_PORT", "6390"))
PG_BASE = (os.environ.get("SOCIAL_CARE_TEST_POSTGRES_URL")
           or "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DATABASE = "scale_test"


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class RedisServer:
    """A redis-server of this test's own on REDIS_PORT (never the machine's shared one), no persistence."""

    def __init__(self, workdir: Path, port: int = REDIS_PORT) -> None:
        self.workdir, self.port = workdir, port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        exe = shutil.which("redis-server")
        if exe is None:
            pytest.skip("redis-server is not installed (CI installs it): the scale-out tests need Redis")
        if _answers(self.port):
            pytest.skip(f"port {self.port} is taken: set SOCIAL_CARE_TEST_REDIS_PORT to a free port")
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not _answers(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=15)
        self.proc = None

    def restart(self, down_seconds: float) -> None:
        self.stop(signal.SIGKILL)
        time.sleep(down_seconds)
        self.start()


def pg_schema_url() -> tuple[str, Any]:
    """A fresh schema in the scale_test database (created when missing); skips when PostgreSQL is away."""
    base = sa.engine.make_url(PG_BASE)
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            exists = c.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": PG_DATABASE})
            if exists.first() is None:
                c.execute(sa.text(f'CREATE DATABASE "{PG_DATABASE}"'))
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL cannot be had at {base.render_as_string(hide_password=True)}: "
                    f"{str(exc.orig).splitlines()[0]}")
    finally:
        admin.dispose()
    db = base.set(database=PG_DATABASE)
    schema = f"s_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(db)
    with engine.begin() as c:
        c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = db.render_as_string(hide_password=False) + f"?options=-csearch_path%3D{schema}"

    def drop() -> None:
        with engine.begin() as c:
            c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    return url, drop


def scale_env(sim_url: str, tmp: Path, db_url: str, broker_url: str, **extra: str) -> dict[str, str]:
    env = sqlite_env(sim_url, tmp / "unused.db")
    env.update({"SOCIAL_CARE_DATABASE_URL": db_url, "SOCIAL_CARE_BROKER_URL": broker_url,
                "SOCIAL_CARE_BROKER_VISIBILITY_TIMEOUT": "30"})
    env.update(extra)
    return env


class Proc:
    """`social-care worker` or `social-care run` in a process group of its own, its output in a log file."""

    def __init__(self, kind: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.kind = kind
        self.log_path = log
        self.log = log.open("ab")
        self.proc = subprocess.Popen([str(BIN), *args], env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def owns(self, pid: int) -> bool:
        """Whether ``pid`` is this process or one of its children (same process group)."""
        try:
            return os.getpgid(pid) == self.proc.pid
        except ProcessLookupError:
            return False

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.log.close()


def worker(env: dict[str, str], log: Path, concurrency: int = 1, queues: str = "ingest,send,alerts") -> Proc:
    return Proc("worker", ["worker", "--concurrency", str(concurrency), "--queues", queues], env, log)


def runner(env: dict[str, str], log: Path) -> Proc:
    return Proc("run", ["run", "--no-serve", "--tick-seconds", "1"], env, log)


def web_runner(env: dict[str, str], log: Path, port: int) -> Proc:
    """`social-care run` serving the web app (webhooks included) on ``port``, standing for leader."""
    return Proc("run", ["run", "--host", "127.0.0.1", "--port", str(port)], env, log)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def holder_pid(holder: str) -> int:
    return int(holder.split(":")[1])


def lease(engine: sa.Engine, name: str) -> tuple[str, Any] | None:
    with engine.connect() as c:
        row = c.execute(sa.text("SELECT holder, expires_at FROM leases "
                                "WHERE name = :n AND expires_at > now()"), {"n": name}).first()
    return (row[0], row[1]) if row else None


def wait_for(what: str, check: Any, timeout: float, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def db_state(engine: sa.Engine) -> dict[str, Any]:
    with engine.connect() as c:
        posts = c.execute(sa.text("SELECT channel, external_id, flagged FROM posts")).all()
        replies = Counter(dict(c.execute(sa.text("SELECT status, count(*) FROM replies GROUP BY 1")).all()))
        alerts = Counter(dict(c.execute(sa.text("SELECT status, count(*) FROM alerts GROUP BY 1")).all()))
        dead = c.execute(sa.text("SELECT task, args, reason FROM dead_letters ORDER BY id")).all()
    return {"posts": posts, "replies": replies, "alerts": alerts, "dead": dead}


def cli_json(env: dict[str, str], *args: str) -> Any:
    out = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def export(env: dict[str, str]) -> list[dict[str, Any]]:
    out = subprocess.run([str(BIN), "export", "--format", "jsonl"], env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


class PgCluster:
    """A PostgreSQL instance of this test's own (``initdb`` + ``pg_ctl`` into a temporary directory, on a free
    port), so a test may restart it; the shared server on 5432 is never touched. As root it runs as the
    ``postgres`` user (PostgreSQL refuses root). Skips with the reason when it cannot be had."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir: Path | None = None
        self.bin: Path | None = None
        self.as_user: list[str] = []

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/scale"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        assert self.bin is not None
        return subprocess.run([*self.as_user, str(self.bin / args[0]), *args[1:]], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def start(self) -> PgCluster:
        import glob
        import tempfile

        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
        initdb = found[-1] if found else shutil.which("initdb")
        if initdb is None:
            pytest.skip("initdb is not installed: a PostgreSQL of the test's own (to restart it) cannot be had")
        self.bin = Path(initdb).parent
        self.dir = Path(tempfile.mkdtemp(prefix="social-care-pg-"))
        if os.geteuid() == 0:
            import pwd

            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no postgres user to run a PostgreSQL of the test's own")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        made = self._run("initdb", "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                         "--no-sync")
        if made.returncode != 0:
            pytest.skip(f"initdb failed: {(made.stderr or made.stdout).strip().splitlines()[-1:]}")
        self.up()
        admin = sa.create_engine(self.url.replace("/scale", "/postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text("CREATE DATABASE scale"))
        admin.dispose()
        return self

    def up(self) -> None:
        assert self.dir is not None
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off "
                   "-c full_page_writes=off -c max_connections=60")
        started = self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-o", options,
                            "-w", "-t", "30", "start")
        if started.returncode != 0:
            pytest.skip(f"pg_ctl start failed: {(started.stderr or started.stdout).strip()[-300:]}")

    def down(self) -> None:
        """An immediate stop: every connection is cut as in a crash; the next start recovers."""
        assert self.dir is not None
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")

    def restart(self, down_seconds: float) -> None:
        self.down()
        time.sleep(down_seconds)
        self.up()

    def stop(self) -> None:
        if self.dir is None:
            return
        if (self.dir / "data" / "postmaster.pid").exists():
            self.down()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
