"""The queue's commands, run through Typer on a database named by the environment."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from social_care.web.auth import authenticate
from social_care.web.cli import register

from .factory import make_post


@pytest.fixture
def cli(app: Any, settings: Any, as_env: Any) -> Any:
    as_env(settings)
    root = typer.Typer()
    register(root)
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(root, list(args), input=input)


def test_user_add_queue_show_assign_approve_resolve(app: Any, cli: Any, sim: Any) -> None:
    r = cli("user", "add", "jane", "--password-stdin", "--display-name", "Jane Roe", input="s3cret-passphrase\n")
    assert r.exit_code == 0, r.output
    assert authenticate(app, "jane", "s3cret-passphrase") is not None
    assert authenticate(app, "jane", "wrong") is None
    assert cli("user", "add", "bob", "--password-stdin", input="short\n").exit_code == 2

    tweet = sim.x.add_mention(author_id="42", username="janedoe", text="where is my order, terrible")
    post = make_post(app, external_id=tweet, author_id="42", handle="janedoe", minutes_ago=70,
                     text="where is my order, terrible")
    other = make_post(app, channel="facebook.comment", minutes_ago=1, polarity=-0.1, flagged=False, draft=None)

    r = cli("queue", "--json")
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert [i["id"] for i in body["items"]] == [post.id] and body["overdue"] == 1  # the default: flagged ones
    body = json.loads(cli("queue", "--json", "--status", "open").output)
    assert [i["id"] for i in body["items"]] == [post.id, other.id] and body["next_after"] is None
    page1 = json.loads(cli("queue", "--json", "--status", "open", "--limit", "1").output)
    assert [i["id"] for i in page1["items"]] == [post.id] and page1["total"] == 2
    page2 = json.loads(
        cli("queue", "--json", "--status", "open", "--limit", "1", "--after", page1["next_after"]).output)
    assert [i["id"] for i in page2["items"]] == [other.id] and page2["next_after"] is None
    assert cli("queue", "--after", "garbage").exit_code == 2
    r = cli("queue", "--channel", "facebook.comment", "--status", "open")
    assert r.exit_code == 0 and f"{other.id} " in r.output and "facebook.comment" in r.output
    assert cli("queue", "--channel", "myspace").exit_code == 2

    r = cli("show", str(post.id))
    assert r.exit_code == 0 and "where is my order" in r.output and "draft:" in r.output

    assert cli("assign", str(post.id), "nobody-here", "--as", "jane").exit_code == 1
    r = cli("assign", str(post.id), "jane", "--as", "jane")
    assert r.exit_code == 0 and json.loads(r.output)["assignee"] == "jane"
    assert cli("approve", str(post.id), "--text", "Sorry!", "--as", "jane", "--version", "1").exit_code == 3  # stale

    r = cli("approve", str(post.id), "--text", "So sorry Jane, DM us your order number?", "--as", "jane")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["reply_status"] == "sent"
    assert [t.text for t in sim.x.replies_to(tweet)] == ["So sorry Jane, DM us your order number?"]

    r = cli("resolve", str(post.id), "--as", "jane")
    assert r.exit_code == 0 and json.loads(r.output)["status"] == "resolved"
