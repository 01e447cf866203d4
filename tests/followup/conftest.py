from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alerts.factory import care_app, make_app, slack_settings  # noqa: F401  (shared fixtures)


@pytest.fixture
def sending_app(slack_settings: Any, clock: Any, sim: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:  # noqa: F811
    """Like ``care_app``, with the real responders: follow-ups go out over HTTP to the simulator."""
    monkeypatch.setattr(sim, "clock", clock)
    application = make_app(slack_settings(), clock, responders=True)
    yield application
    application.engine.dispose()
