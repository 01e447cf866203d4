"""Named leases with an expiry, in the database every process shares.

``acquire`` is one atomic statement (``INSERT … ON CONFLICT DO UPDATE … WHERE`` the lease is free, expired
or already ours), so two processes never both hold a lease. ``held`` keeps a lease renewed by a heartbeat
thread while its block runs and releases it at the end; a process killed with SIGKILL stops renewing, and
its lease is free again once ``expires_at`` passes. ``Held.fence`` checks, inside the caller's transaction
and with the lease row locked, that the lease is still ours: a stream's cursor is only ever written by
the process that holds the stream, so it never moves backwards.

Times are the hosts' clocks in UTC (keep them in NTP sync, as PostgreSQL replicas need anyway).
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ..errors import LeaseLost
from ..store import session_scope
from ..store.tables import table_of
from .tables import Lease

__all__ = ["LeaseLost", "Held", "acquire", "release", "holder_id", "held", "current", "active"]
log = logging.getLogger(__name__)

_local = threading.local()
_holder: tuple[int, str] | None = None
_thread_numbers = itertools.count(2)


def holder_id() -> str:
    """``host:pid:nonce`` of this process (a forked worker child gets its own); another thread of the
    process is another holder (``host:pid:nonce/2``), so threads exclude each other too."""
    global _holder
    if _holder is None or _holder[0] != os.getpid():
        _holder = (os.getpid(), f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")
    if threading.current_thread() is threading.main_thread():
        return _holder[1]
    mine = getattr(_local, "holder", None)
    if mine is None or not mine.startswith(_holder[1] + "/"):
        mine = _local.holder = f"{_holder[1]}/{next(_thread_numbers)}"
    return mine


def _now() -> datetime:
    return datetime.now(UTC)


def acquire(s: Session, name: str, *, ttl: float, holder: str | None = None,
            now: datetime | None = None) -> bool:
    """Take (or renew) lease ``name`` for ``ttl`` seconds; False when another holder has it unexpired."""
    holder = holder or holder_id()
    now = now or _now()
    values = {"name": name, "holder": holder, "acquired_at": now, "expires_at": now + timedelta(seconds=ttl)}
    dialect = s.get_bind().dialect.name
    table = table_of(Lease)
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(table).values(**values)
    free = (table.c.expires_at < now) | (table.c.holder == holder)
    upsert = stmt.on_conflict_do_update(
        index_elements=[table.c.name],
        set_={
            "holder": stmt.excluded.holder,
            "expires_at": stmt.excluded.expires_at,
            # a renewal keeps the time it was first taken
            "acquired_at": _case_keep(table, holder, stmt.excluded.acquired_at),
        },
        where=free,
    ).returning(table.c.holder)
    return s.execute(upsert).first() is not None


def _case_keep(table: Any, holder: str, new: Any) -> Any:
    return case((table.c.holder == holder, table.c.acquired_at), else_=new)


def release(s: Session, name: str, *, holder: str | None = None) -> None:
    table = table_of(Lease)
    s.execute(delete(table).where(table.c.name == name, table.c.holder == (holder or holder_id())))


def current(s: Session, name: str, *, now: datetime | None = None) -> Lease | None:
    """The unexpired lease ``name``, or None."""
    row = s.get(Lease, name)
    if row is None or _aware(row.expires_at) <= (now or _now()):
        return None
    return row


def active(s: Session, *, now: datetime | None = None) -> list[Lease]:
    now = now or _now()
    table = table_of(Lease)
    rows = s.execute(select(table).where(table.c.expires_at > now).order_by(table.c.name)).all()
    return [Lease(name=r.name, holder=r.holder, acquired_at=r.acquired_at, expires_at=r.expires_at)
            for r in rows]


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


@dataclass
class Held:
    """A lease this process holds (``ok``), renewed by a heartbeat until the block ends."""

    name: str
    holder: str
    ok: bool
    lost: threading.Event = field(default_factory=threading.Event)

    def __bool__(self) -> bool:
        return self.ok

    def fence(self, s: Session, *_: Any) -> None:
        """In the caller's transaction: lock the lease row and make sure it is still ours, or raise
        LeaseLost (the transaction then rolls back). A process that took the lease over waits for this
        transaction before it reads anything, so it sees what was committed here."""
        table = table_of(Lease)
        query = select(table.c.holder, table.c.expires_at).where(table.c.name == self.name)
        if s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        row = s.execute(query).first()
        if self.lost.is_set() or row is None or row.holder != self.holder or _aware(row.expires_at) <= _now():
            self.lost.set()
            raise LeaseLost(f"lease {self.name} was lost (it expired and another process took it over)")


def _held_names() -> set[str]:
    names = getattr(_local, "names", None)
    if names is None:
        names = _local.names = set()
    return names


@contextmanager
def held(engine: Engine, name: str, *, ttl: float = 20.0,
         precheck: Callable[[Session], bool] | None = None) -> Iterator[Held]:
    """Hold lease ``name`` while the block runs (renewed every ``ttl/3`` s), then release it.

    Yields a falsy ``Held`` when another process holds it, or when ``precheck`` (run first, in the same
    transaction as the acquisition) says no. Re-entrant within one thread."""
    holder = holder_id()
    names = _held_names()
    if name in names:  # already ours, higher up this thread's stack
        yield Held(name, holder, True)
        return
    with session_scope(engine) as s:
        ok = (precheck is None or precheck(s)) and acquire(s, name, ttl=ttl, holder=holder)
    lease = Held(name, holder, ok)
    if not ok:
        yield lease
        return
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(engine, lease, ttl, stop), daemon=True,
                            name=f"lease-{name}")
    beat.start()
    names.add(name)
    try:
        yield lease
    finally:
        names.discard(name)
        stop.set()
        beat.join(timeout=ttl)
        try:
            with session_scope(engine) as s:
                release(s, name, holder=holder)
        except Exception as exc:  # noqa: BLE001 - the lease then simply expires
            log.warning("lease %s not released (%s); it expires by itself", name, type(exc).__name__)


def _heartbeat(engine: Engine, lease: Held, ttl: float, stop: threading.Event) -> None:
    while not stop.wait(ttl / 3):
        try:
            with session_scope(engine) as s:
                if not acquire(s, lease.name, ttl=ttl, holder=lease.holder):
                    lease.lost.set()
                    log.warning("lease %s was taken over by another process", lease.name)
                    return
        except Exception as exc:  # noqa: BLE001 - the database is away: try again; the fence decides
            log.warning("lease %s not renewed yet: %s", lease.name, type(exc).__name__)
