from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import typer
from typer.testing import CliRunner
from web.conftest import jane, team, web  # noqa: F401  (the queue's fixtures: a team, a signed-in client)


@pytest.fixture
def env_settings(settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    """The test settings as environment variables, as a user's shell gives them to the command."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        monkeypatch.setenv(field.alias or name.upper(), str(value.value if hasattr(value, "value") else value))
    return settings


@pytest.fixture
def cli(app: Any, env_settings: Any) -> Callable[..., Any]:
    """``social-care`` in process: the queue's commands plus audit and export, on the test database."""
    from social_care import cli as main
    from social_care.web.cli import register

    root = typer.Typer()
    register(root)
    root.command("audit")(main.audit)
    root.command("export")(main.export)
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(root, list(args), input=input)
