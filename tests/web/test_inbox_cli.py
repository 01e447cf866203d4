"""The inbox tools' commands, run through Typer on a database named by the environment."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from social_care.inbox.cli import register as register_inbox
from social_care.web.cli import register as register_web

from .factory import make_post, make_user


@pytest.fixture
def cli(app: Any, settings: Any, as_env: Any) -> Any:
    as_env(settings)
    root = typer.Typer()
    register_web(root)
    register_inbox(root)
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(root, list(args), input=input)


def test_tag_note_bulk_team_and_dont_engage_from_the_terminal(app: Any, cli: Any) -> None:
    make_user(app, "ana", "Ana Lima")
    make_user(app, "jane", "Jane Roe")
    a, b = make_post(app, author_id="5"), make_post(app, author_id="6")

    r = cli("tag", str(a.id), "vip", "order-99", "--as", "jane")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["tags"] == ["order-99", "vip"]
    assert [i["id"] for i in json.loads(cli("queue", "--json", "--tag", "vip").output)["items"]] == [a.id]
    assert cli("tag", str(a.id), "bad tag!", "--as", "jane").exit_code == 1

    r = cli("note", str(a.id), "@ana please call them", "--as", "jane")
    assert r.exit_code == 0 and json.loads(r.output)["mentioned"] == ["ana"]
    listed = json.loads(cli("queue", "--json", "--mentioned", "ana", "--status", "all").output)["items"]
    assert [i["id"] for i in listed] == [a.id]
    shown = json.loads(cli("show", str(a.id), "--json").output)
    assert shown["tags"] == ["order-99", "vip"] and shown["notes"][0]["text"] == "@ana please call them"

    r = cli("bulk", "assign", f"{a.id}:1", str(b.id), "--assignee", "ana", "--as", "jane")
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert r.exit_code == 1  # a's version 1 is stale (it was tagged since): reported on its own line
    assert [(x["post_id"], x["ok"], x["error"]) for x in lines] == [(a.id, False, "stale"), (b.id, True, None)]

    r = cli("team", "--json")
    rows = {row["username"]: row for row in json.loads(r.output)["rows"]}
    assert rows["ana"]["open"] == 1 and rows["(unassigned)"]["open"] == 1
    assert "ana" in cli("team").output

    assert cli("dont-engage", str(b.id), "--as", "jane").exit_code == 1  # a reason is needed
    r = cli("dont-engage", str(b.id), "--reason", "threatens fake reviews", "--as", "jane")
    assert r.exit_code == 0 and json.loads(r.output)["customer"] == "x:6"
    assert [i["id"] for i in json.loads(cli("queue", "--json").output)["items"]] == [a.id]
    assert [i["id"] for i in json.loads(cli("queue", "--json", "--dont-engage").output)["items"]] == [b.id]


def test_saved_replies_from_the_terminal_need_an_admin(app: Any, cli: Any) -> None:
    make_user(app, "jane", "Jane Roe")
    r = cli("macro", "add", "--name", "Sorry", "--text", "Sorry {name}!", "--as", "jane")
    assert r.exit_code == 1 and "admin" in r.output
    assert json.loads(cli("user", "admin", "jane").output)["changed"] is True
    r = cli("macro", "add", "--name", "Sorry", "--text", "Sorry {name}, we're on it.", "--lang", "en", "--as", "jane")
    assert r.exit_code == 0, r.output
    macro_id = json.loads(r.output)["id"]
    assert "Sorry" in cli("macro", "list").output
    r = cli("macro", "edit", str(macro_id), "--name", "Sorry", "--text", "Sorry {name}, fixing it now.", "--as", "jane")
    assert r.exit_code == 0 and json.loads(r.output)["text"] == "Sorry {name}, fixing it now."
    assert json.loads(cli("macro", "delete", str(macro_id), "--as", "jane").output) == {"deleted": macro_id}
    assert cli("macro", "list").output.strip() == "no saved replies"
