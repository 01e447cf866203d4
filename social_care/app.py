"""The composition root: settings in, a wired ``App`` out. No import-time side effects anywhere else."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session

from connectors import build_clients, build_connectors
from responders import build_responders

from .config import Settings
from .errors import ConfigError
from .logging_setup import install_secret_filter
from .models import utcnow
from .playbook import Playbook
from .scoring import get_scorer
from .store import make_engine, session_scope, upgrade
from .store.engine import open_error, require_existing

if TYPE_CHECKING:
    from connectors.base import Connector
    from responders import Responders

    from .playbook import Playbook
    from .scoring import Scorer

__all__ = ["App", "build_app"]
log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    engine: Engine
    scorer: Scorer
    playbook: Playbook
    connectors: list[Connector]
    responders: Responders
    clock: Callable[[], datetime] = utcnow
    # set by the scheduler: runs the outbox and the Slack sender now (a webhook delivery was stored)
    wake: Callable[[], None] | None = None
    # scaled out: called in each poll batch's transaction to prove this process still holds the stream
    fence: Callable[[Session, str], None] | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction (commit on success, rollback on error)."""
        with session_scope(self.engine) as s:
            yield s

    def now(self) -> datetime:
        return self.clock()


def build_app(settings: Settings, *, clock: Callable[[], datetime] | None = None, migrate: bool = True,
              create: bool = True) -> App:
    """Wire the store, scorer, playbook, connectors and responders from ``settings``.

    A platform whose credentials are absent is simply not polled (and has no responders). With
    ``create=False`` (read commands) a SQLite file that does not exist is a ConfigError, not a new
    empty database; a database that cannot be read is a ConfigError with one sentence either way.
    """

    install_secret_filter(settings.secrets())
    try:
        scorer = get_scorer(settings.scorer, recall=settings.flag_recall, model_path=settings.model_path,
                            recall_by_lang=settings.flag_recall_by_lang)
    except ValueError as e:  # an unknown scorer, a recall the model file cannot offer, a missing model file
        raise ConfigError(f"invalid scoring settings: {e}") from None
    if not create:
        require_existing(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        if migrate:
            upgrade(engine)
        else:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        raise open_error(settings.database_url, exc) from None
    clock = clock or utcnow
    clients = build_clients(settings, clock=clock)
    return App(
        settings=settings,
        engine=engine,
        scorer=scorer,
        playbook=Playbook.load(settings.templates_path, brand=settings.brand_name),
        connectors=build_connectors(clients, settings),
        responders=build_responders(clients),
        clock=clock,
    )
