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

