"""Shared fixtures: one simulator server per session (reset per test), a fresh database per test.

The database is SQLite always; when SOCIAL_CARE_TEST_POSTGRES_URL is set, tests that use ``db_url``
(and so ``settings``/``app``) run on PostgreSQL too, each in a schema of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from social_care.config import Settings, load_settings
from social_care.simulator import Simulator, SimulatorServer

X_USER_ID = "99"
PAGE_ID = "104512345678901"
PAGE_TOKEN = "EAAB-sim-page-token"
IG_USER_ID = "17841400000000001"  # the simulator's Instagram business account
X_BEARER = "sim-bearer-token"
SLACK_PATH = "/services/T0SIM/B0SIM/simwebhooksecret"


class Clock:
    """A clock tests can move: ``clock()`` returns aware UTC, ``clock.advance(minutes=5)``."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


@pytest.fixture(scope="session")
def sim_server() -> Iterator[SimulatorServer]:
    sim = Simulator(
        x_user_id=X_USER_ID,
        x_username="acmeshop",
        page_id=PAGE_ID,
        page_name="Acme",
        page_token=PAGE_TOKEN,
        x_bearer_token=X_BEARER,
    )
    server = SimulatorServer(sim, host="127.0.0.1", port=0).start()
    yield server
    server.stop()


@pytest.fixture
def sim(sim_server: SimulatorServer) -> Simulator:
    sim_server.sim.reset()
    return sim_server.sim


def _pg_url() -> str | None:
    return os.environ.get("SOCIAL_CARE_TEST_POSTGRES_URL") or None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'social_care.db'}"
        return
    base = _pg_url()
    if not base:
        pytest.skip("SOCIAL_CARE_TEST_POSTGRES_URL not set")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_settings(db_url: str, sim_server: SimulatorServer) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "SOCIAL_CARE_DATABASE_URL": db_url,
            "X_USER_ID": X_USER_ID,
            "X_BEARER_TOKEN": X_BEARER,
            "X_CONSUMER_KEY": "sim-consumer-key",
            "X_CONSUMER_SECRET": "sim-consumer-secret",
            "X_ACCESS_TOKEN": f"{X_USER_ID}-sim-access-token",
            "X_ACCESS_TOKEN_SECRET": "sim-access-secret",
            "X_API_BASE_URL": sim_server.url,
            "FACEBOOK_PAGE_ID": PAGE_ID,
            "FACEBOOK_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
            "FACEBOOK_APP_SECRET": "sim-app-secret",
            "FACEBOOK_GRAPH_URL": sim_server.url,
            "FACEBOOK_GRAPH_VERSION": "v23.0",
            "SLACK_WEBHOOK_URL": sim_server.url + SLACK_PATH,
            "SOCIAL_CARE_HTTP_TIMEOUT": 3,
            # the hashed model alone: the default cascade would embed many posts per test on a CPU shared by
            # the whole suite; tests/scoring/test_cascade.py covers the cascade on a handful of posts
            "SOCIAL_CARE_SCORER": "fast",
            "SOCIAL_CARE_SECRET_KEY": "test-secret-key-0123456789",
            "SOCIAL_CARE_ONCE_ALERT_WAIT_SECONDS": 0,  # tests' clocks stand still; a test that waits sets it
            # all seven channels: the Instagram business account linked to the simulator's Page, and the
            # terms that find posts naming the brand without tagging it
            "INSTAGRAM_BUSINESS_ACCOUNT_ID": IG_USER_ID,
            "SOCIAL_CARE_X_SEARCH_TERMS": "acme, acme shop, akme",
        }
        values.update(overrides)
        return load_settings(_env_file=None, **{k: v for k, v in values.items() if v is not None})

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def app(settings: Settings, clock: Clock) -> Iterator[Any]:
    from social_care.app import build_app

    application = build_app(settings, clock=clock)
    yield application
    application.engine.dispose()


@pytest.fixture
def as_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Callable[[Settings], Settings]:
    """Put settings in the environment, as a user's shell gives them to a command (run from an empty folder,
    so no stray .env is read)."""

    def put(settings: Settings) -> Settings:
        monkeypatch.chdir(tmp_path)
        for name, field in type(settings).model_fields.items():
            value = getattr(settings, name)
            if value is None:
                continue
            if hasattr(value, "get_secret_value"):
                value = value.get_secret_value()
            monkeypatch.setenv(field.alias or name.upper(), str(value.value if hasattr(value, "value") else value))
        return settings

    return put
