from __future__ import annotations

from typing import Any

import pytest
from alerts.factory import care_app, slack_settings  # noqa: F401  (shared fixtures)

from reports.week import build_week


@pytest.fixture
def week_app(care_app: Any, clock: Any) -> Any:  # noqa: F811
    """The app with the hand-computed week inserted, "as of" Wednesday 25 November 12:00 UTC."""
    build_week(care_app, clock)
    return care_app
