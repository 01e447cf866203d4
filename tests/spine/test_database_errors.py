"""A mistyped database path or a corrupt SQLite file: one clear sentence and exit 2, never a traceback;
read commands never create a database."""

from __future__ import annotations

import pytest

from .test_cli import _cli, _env

READ_COMMANDS = [("status",), ("queue",), ("export", "--format", "jsonl"), ("feedback", "export"),
                 ("report", "--format", "json", "--out", "r.json")]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: c[0])
def test_a_mistyped_database_path_is_an_error_and_creates_nothing(command, tmp_path):
    missing = tmp_path / "typo" / "social_care.db"
    missing.parent.mkdir()
    proc = _cli(*command, env=_env({"SOCIAL_CARE_DATABASE_URL": f"sqlite:///{missing}"}), cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "no database at" in proc.stderr and "db upgrade" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not missing.exists()


@pytest.mark.parametrize("command", [*READ_COMMANDS, ("run", "--once"), ("db", "upgrade")],
                         ids=lambda c: "-".join(c[:2]))
def test_a_corrupt_sqlite_file_is_one_sentence(command, tmp_path):
    corrupt = tmp_path / "social_care.db"
    corrupt.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    proc = _cli(*command, env=_env({"SOCIAL_CARE_DATABASE_URL": f"sqlite:///{corrupt}"}), cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot read the SQLite file" in lines[0], proc.stderr


def test_db_upgrade_and_run_create_a_new_database(tmp_path):
    fresh = tmp_path / "new.db"
    proc = _cli("db", "upgrade", env=_env({"SOCIAL_CARE_DATABASE_URL": f"sqlite:///{fresh}"}), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert fresh.exists()
    status = _cli("status", env=_env({"SOCIAL_CARE_DATABASE_URL": f"sqlite:///{fresh}"}), cwd=tmp_path)
    assert status.returncode == 0, status.stderr
