from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from social_care.web import create_web_app

from .factory import login, make_user


@pytest.fixture
def team(app: Any) -> Any:
    make_user(app, "jane", "Jane Roe")
    make_user(app, "bob", "Bob Stone")
    return app


@pytest.fixture
def web(team: Any) -> Iterator[TestClient]:
    with TestClient(create_web_app(team), base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture
def jane(web: TestClient) -> tuple[TestClient, str]:
    """A client signed in as jane, and its CSRF token."""
    return web, login(web, "jane")


@pytest.fixture
def app(settings: Any, clock: Any) -> Iterator[Any]:
    """The root ``app`` fixture, or, while the scorer package is not importable yet, the same wiring without it."""
    from social_care.app import App, build_app

    try:
        application = build_app(settings, clock=clock)
    except ImportError as exc:  # TEMPORARY: social_care.scoring.get_scorer not landed yet
        if "get_scorer" not in str(exc):
            raise
        from connectors import build_clients, build_connectors
        from responders import build_responders
        from social_care.playbook import Playbook
        from social_care.store import make_engine, upgrade

        engine = make_engine(settings.database_url)
        upgrade(engine)
        clients = build_clients(settings, clock=clock)
        application = App(settings=settings, engine=engine, scorer=None,  # type: ignore[arg-type]
                          playbook=Playbook.load(settings.templates_path, brand=settings.brand_name),
                          connectors=build_connectors(clients, settings), responders=build_responders(clients),
                          clock=clock)
    yield application
    application.engine.dispose()
