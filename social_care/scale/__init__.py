"""Scale-out: Celery workers on a broker (Redis or RabbitMQ) with PostgreSQL, one elected scheduler.

``SOCIAL_CARE_BROKER_URL`` switches it on; unset, the service is the embedded default (SQLite or
PostgreSQL, APScheduler in one process, no broker) and nothing here runs. See docs/scaling.md.

- ``leases``: named leases with an expiry in the database (the scheduler leader, a stream's poller, a
  reply's sender, the Slack deliverer), renewed by a heartbeat while held;
- ``tasks``: the Celery app and its tasks (queues ``ingest``, ``send``, ``alerts``), dead letters;
- ``leader``: the `run` process's election loop and its enqueue-only scheduler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import Settings

__all__ = ["QUEUES", "enabled", "require_postgres", "mask_broker_url"]

QUEUES = ("ingest", "send", "alerts")


def enabled(settings: Settings) -> bool:
    """Whether the service runs on a broker (scaled out) rather than embedded."""
    return bool(settings.broker_url)


def require_postgres(settings: Settings) -> None:
    """Several processes share one database only on PostgreSQL: a clear error otherwise."""
    backend = make_url(settings.database_url).get_backend_name()
    if backend != "postgresql":
        raise ConfigError(
            f"SOCIAL_CARE_BROKER_URL needs PostgreSQL, but SOCIAL_CARE_DATABASE_URL is {backend}: set "
            "SOCIAL_CARE_DATABASE_URL=postgresql+psycopg://… (workers and schedulers share it), or unset "
            "SOCIAL_CARE_BROKER_URL to run embedded on SQLite"
        )


def mask_broker_url(url: str | None) -> str | None:
    """The broker URL without its password, for status and logs."""
    if not url:
        return None
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL SQLAlchemy cannot parse (e.g. several hosts) is not echoed
        scheme = url.split(":", 1)[0]
        return f"{scheme}://****"
