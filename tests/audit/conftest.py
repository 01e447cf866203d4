from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import typer
from typer.testing import CliRunner
from web.conftest import jane, team, web  # noqa: F401  (the queue's fixtures: a team, a signed-in client)


@pytest.fixture
def env_settings(settings: Any, as_env: Any) -> Any:
    """The test settings as environment variables, as a user's shell gives them to the command."""
    return as_env(settings)


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
