"""The reliability suite is about platforms and processes failing, not databases: SQLite only, so the
matrix and the crash loop stay fast (the store itself runs on PostgreSQL in tests/spine)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def db_url(tmp_path: Any) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'social_care.db'}"
