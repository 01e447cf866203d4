from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from social_care.app import build_app
from social_care.web import create_web_app
from social_care.webhooks.wake import stop_senders

from .signing import VERIFY_TOKEN


@pytest.fixture
def hook_settings(make_settings: Any) -> Any:
    return make_settings(FACEBOOK_WEBHOOK_VERIFY_TOKEN=VERIFY_TOKEN)


@pytest.fixture
def hook_app(hook_settings: Any, clock: Any) -> Iterator[Any]:
    application = build_app(hook_settings, clock=clock)
    yield application
    stop_senders(application)
    application.engine.dispose()


@pytest.fixture
def client(hook_app: Any) -> Iterator[TestClient]:
    with TestClient(create_web_app(hook_app), base_url="http://127.0.0.1") as c:
        yield c
