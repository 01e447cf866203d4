"""Engine creation and schema migration (Alembic), for SQLite and PostgreSQL alike."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session, create_engine

from ..errors import ConfigError

__all__ = ["make_engine", "upgrade", "session_scope", "MIGRATIONS_DIR", "require_existing", "open_error"]

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
log = logging.getLogger(__name__)


def make_engine(url: str, **kw: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout (many jobs, one file)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("SOCIAL_CARE_DATABASE_URL is not a valid database URL") from None
    if parsed.get_backend_name() == "sqlite":
        kw.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kw)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if parsed.database not in (None, "", ":memory:"):
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    kw.setdefault("pool_pre_ping", True)
    return create_engine(url, **kw)


def require_existing(url: str) -> None:
    """Read commands never create a database: a SQLite file that is not there is a mistyped path."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.exists():
            raise ConfigError(
                f"no database at {path} (SOCIAL_CARE_DATABASE_URL): check the path, or create it with "
                "`social-care db upgrade`"
            )


def open_error(url: str, exc: Exception) -> ConfigError:
    """One sentence for a database that cannot be opened or read (corrupt file, not a database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        where = f"the SQLite file {parsed.database}"
    else:
        where = f"the {parsed.get_backend_name()} database {parsed.database or ''}".rstrip()
    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
    if parsed.get_backend_name() != "sqlite" and isinstance(exc, OperationalError):
        return ConfigError(
            f"cannot reach {where} ({reason}): the server is down, restarting or not at this address; running "
            "services reconnect by themselves once it answers (check SOCIAL_CARE_DATABASE_URL otherwise)"
        )
    return ConfigError(
        f"cannot read {where} ({reason}): restore it from a backup or point SOCIAL_CARE_DATABASE_URL at the "
        "right database"
    )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision`` on ``engine``."""
    from alembic import command  # lazy: alembic only when migrating
    from alembic.config import Config  # lazy: alembic only when migrating

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = None
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # several processes starting at once migrate one at a time
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7202601)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
