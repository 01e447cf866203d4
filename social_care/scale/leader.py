"""The `run` process scaled out: one elected leader runs the enqueue-only scheduler, the others stand by.

Each `social-care run` tries every ``CHECK_SECONDS`` to take or renew the lease ``scheduler`` (it expires
``LEADER_TTL_SECONDS`` after its last renewal). The holder starts an APScheduler whose jobs only enqueue
Celery tasks; a standby that takes over after the leader died (at most TTL + CHECK seconds later, 20 s)
starts its own. A leader that cannot renew (the database is away, or it was paused so long that another
took over) stops its scheduler at once, so two schedulers never run for longer than one check.

The leader also watches the broker: when it cannot enqueue, ``status`` lists ``broker`` under
``paused`` with the error, and when the broker answers again Slack gets one message saying how long it
was away (triggers missed meanwhile need no replay: the database says what is due). Likewise the database:
while PostgreSQL does not answer every process steps down and retries; when it answers again the leader tells
Slack once how long it was away. ``status`` lists both under ``scale.outages``.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import col, select

from scheduler import build_enqueue_scheduler

from ..alerts import enqueue as enqueue_alert
from ..logging_setup import redact
from ..store import repo, session_scope
from ..store.tables import Alert
from . import mask_broker_url
from .leases import acquire, current, holder_id, release

if TYPE_CHECKING:
    from ..app import App

__all__ = ["LEADER_LEASE", "LEADER_TTL_SECONDS", "CHECK_SECONDS", "Leadership"]
log = logging.getLogger(__name__)

LEADER_LEASE = "scheduler"
LEADER_TTL_SECONDS = 15.0
CHECK_SECONDS = 5.0
BROKER_STREAM = "broker"
DATABASE_STREAM = "database"
OUTAGE_STREAMS = ("task broker", DATABASE_STREAM)  # what the leader tells Slack (and status) it lived through


class Leadership:
    def __init__(self, app: App, *, tick_seconds: int | None = None, ttl: float = LEADER_TTL_SECONDS,
                 every: float = CHECK_SECONDS) -> None:
        self.app, self.tick_seconds, self.ttl, self.every = app, tick_seconds, ttl, every
        self.sched: BackgroundScheduler | None = None
        self.holder = holder_id()
        self.stop = threading.Event()
        self._broker_down_since: datetime | None = None
        self._broker_lock = threading.Lock()
        self._db_down: tuple[datetime, str] | None = None  # since when, and why, the database did not answer

    # ---- election ---------------------------------------------------------------------------------------
    def run(self) -> None:
        """Until ``stop`` is set: lead when the lease is ours, stand by otherwise."""
        try:
            while not self.stop.is_set():
                self.check()
                self.stop.wait(self.every)
        finally:
            self._step_down()
            try:
                with session_scope(self.app.engine) as s:
                    release(s, LEADER_LEASE, holder=self.holder)
            except Exception:  # noqa: BLE001 - it expires by itself
                pass

    def check(self) -> bool:
        try:
            with session_scope(self.app.engine) as s:
                leading = acquire(s, LEADER_LEASE, ttl=self.ttl, holder=self.holder)
        except Exception as exc:  # noqa: BLE001 - cannot tell: a leader that cannot renew must step down
            log.warning("scheduler election: database not reachable (%s)", type(exc).__name__)
            if self._db_down is None:
                self._db_down = (self.app.now(), redact(f"{type(exc).__name__}: {exc}").splitlines()[0][:300])
            leading = False
        else:
            if self._db_down is not None:
                self._database_back(leading)
        if leading and self.sched is None:
            self._lead()
        elif not leading and self.sched is not None:
            log.warning("scheduler: leadership lost, standing by")
            self._step_down()
        return leading

    def _lead(self) -> None:
        sched = BackgroundScheduler(
            timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
        )
        build_enqueue_scheduler(self.app, sched, tick_seconds=self.tick_seconds, enqueue=self.enqueue)
        sched.start()
        self.sched = sched
        log.info("scheduler: this process (%s) leads; enqueueing work for the workers", self.holder)
        print(f"scheduler: leading as {self.holder}", flush=True)

    def _step_down(self) -> None:
        sched, self.sched = self.sched, None
        if sched is not None:
            sched.shutdown(wait=False)
            print("scheduler: standing by", flush=True)

    def _database_back(self, leading: bool) -> None:
        """The database answers again: the leader tells Slack (and so ``status``) once how long it was away."""
        from ..alerts import enqueue as enqueue_alert

        assert self._db_down is not None
        since, reason = self._db_down
        self._db_down = None
        now = self.app.now()
        seconds = int((now - since).total_seconds())
        log.warning("scheduler: the database answers again after %s s", seconds)
        if not leading:
            return  # the leader records it
        try:
            with self.app.session() as s:
                enqueue_alert(s, kind="connector", dedupe_key=f"database:{since.isoformat()}", now=now, payload={
                    "stream": DATABASE_STREAM,
                    "reason": f"PostgreSQL did not answer ({reason}) for {seconds} s, until "
                              f"{now.astimezone(UTC):%H:%M:%S} UTC",
                    "advice": ("It answers again; the workers and the scheduler reconnected by themselves and "
                               "work cut off meanwhile was retried (nothing committed is lost). If it recurs, "
                               "check the database host."),
                    "since": since.isoformat(),
                    "kind": "errors",
                })
        except Exception as exc:  # noqa: BLE001 - logged; the outage is in this process's log either way
            log.warning("scheduler: could not record the database's recovery: %s", type(exc).__name__)

    # ---- enqueueing -------------------------------------------------------------------------------------
    def enqueue(self, task: Any, *args: Any, expires: float | None = None,
                unless_held: str | None = None) -> None:
        if unless_held is not None and self._held(unless_held):
            return
        try:
            task.apply_async(args=args, expires=expires, retry=False)
        except Exception as exc:  # noqa: BLE001 - kombu/redis/amqp connection errors vary by transport
            self._broker_down(exc)
            return
        if self._broker_down_since is not None:
            self._broker_back()

    def _held(self, name: str) -> bool:
        try:
            with self.app.session() as s:
                return current(s, name) is not None
        except Exception:  # noqa: BLE001 - cannot tell: enqueue anyway, the worker's lease decides
            return False

    def _broker_down(self, exc: Exception) -> None:
        now = self.app.now()
        reason = redact(f"cannot reach the broker {mask_broker_url(self.app.settings.broker_url)}: "
                        f"{type(exc).__name__}: {exc}")[:500]
        with self._broker_lock:
            first = self._broker_down_since is None
            if first:
                self._broker_down_since = now
        if first:
            log.error("scheduler: %s; work is enqueued again once it answers", reason)
        try:
            with self.app.session() as s:
                repo.pause_stream(s, stream=BROKER_STREAM, until=None, kind="errors", reason=reason,
                                  now=self._broker_down_since or now)
        except Exception:  # noqa: BLE001 - the database may be down too; the log says it
            pass

    def _broker_back(self) -> None:
        with self._broker_lock:
            since, self._broker_down_since = self._broker_down_since, None
        if since is None:
            return
        now = self.app.now()
        seconds = int((now - since).total_seconds())
        log.warning("scheduler: the broker answers again after %s s", seconds)
        try:
            with self.app.session() as s:
                pause = repo.active_pause(s, stream=BROKER_STREAM, now=now)
                reason = pause.reason if pause is not None else "the broker did not answer"
                repo.clear_pause(s, stream=BROKER_STREAM)
                key = f"broker:{since.isoformat()}"
                enqueue_alert(s, kind="connector", dedupe_key=key, now=now, payload={
                    "stream": "task broker",
                    "reason": f"{reason} (for {seconds} s, until {now.astimezone(UTC):%H:%M:%S} UTC)",
                    "advice": ("It answers again and the workers reconnected by themselves; nothing was lost "
                               "(work due meanwhile was handed out again). If it recurs, check the broker "
                               "host."),
                    "since": since.isoformat(),
                    "kind": "errors",
                })
        except Exception as exc:  # noqa: BLE001 - logged; the next enqueue failure records it again
            log.warning("scheduler: could not record the broker's recovery: %s", type(exc).__name__)


def outages(app: App, limit: int = 5) -> list[dict[str, Any]]:
    """The newest broker and database outages the leader lived through (from their Slack alerts)."""
    with app.session() as s:
        rows = s.exec(select(Alert).where(Alert.kind == "connector").order_by(col(Alert.id).desc()).limit(200))
        found = [{"what": a.payload.get("stream"), "since": a.payload.get("since"), "reason": a.payload.get("reason"),
                  "recorded_at": a.created_at, "slack": a.status}
                 for a in rows if (a.payload or {}).get("stream") in OUTAGE_STREAMS]
    return found[:limit]


def leader_status(app: App) -> dict[str, Any] | None:
    """Who leads the scheduler now (None when no `run` process holds the lease)."""
    with app.session() as s:
        row = current(s, LEADER_LEASE)
        if row is None:
            return None
        return {"holder": row.holder, "since": row.acquired_at, "lease_expires_at": row.expires_at}
