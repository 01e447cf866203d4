"""An @-mention in a note reaches Slack as Slack's own mention, ``<@U…>``, when the member's Slack id is on
record (set with ``social-care user slack``), and as escaped text otherwise: checked on what the simulator's
Slack webhook accepted."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from social_care.alerts import deliver
from social_care.alerts.blocks import mention_message
from social_care.inbox.cli import register as register_inbox
from social_care.inbox.notes import set_slack_id
from social_care.store.tables import User
from social_care.web.cli import register as register_web
from social_care.workflow import WorkflowError

from .factory import make_post, make_user

SLACK_PATH = "/services/T0SIM/B0SIM/simwebhooksecret"  # the webhook tests/conftest.py configures
BOB = "U024BE7LH"


def _section(message: dict[str, Any]) -> str:
    [text] = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    return str(text)


def _note(client: TestClient, csrf: str, post_id: int, text: str) -> None:
    r = client.post(f"/api/posts/{post_id}/notes", json={"text": text}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text


def test_a_member_with_a_slack_id_is_mentioned_the_slack_way(app: Any, jane: tuple[TestClient, str],
                                                              sim: Any) -> None:
    client, csrf = jane
    assert set_slack_id(app, "bob", " u024be7lh ") is True  # cleaned up as Slack writes it
    post = make_post(app, text="my parcel is lost <again> & again")
    _note(client, csrf, post.id, "@bob can you check the refund? cc @jane, @bobby & <!here> @bob.")
    assert deliver(app) == 1
    [message] = sim.slack.messages_to(SLACK_PATH)
    section = _section(message)
    assert section.startswith(f"*jane* mentioned <@{BOB}> in a note on post #{post.id}:")
    # bob, each time he is named; the others named stay text (the author, a name that is not bob's)
    assert f">{'<@' + BOB + '>'} can you check the refund? cc @jane, @bobby &amp; &lt;!here&gt; <@{BOB}>." in section
    assert "@bob " not in section and section.count("<@") == 3 and "<!here>" not in section
    assert f"<@{BOB}>" in message["text"]  # the notification Slack shows names him too
    assert message["blocks"][0]["text"]["text"] == "@bob, you were mentioned"  # plain_text: no mrkdwn there
    context = [e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert "&lt;again&gt; &amp; again" in context[0]


def test_without_a_slack_id_the_mention_is_escaped_text(app: Any, jane: tuple[TestClient, str], sim: Any) -> None:
    client, csrf = jane
    post = make_post(app)
    _note(client, csrf, post.id, "@bob <@U999> please")
    assert deliver(app) == 1
    [message] = sim.slack.messages_to(SLACK_PATH)
    section = _section(message)
    assert "*@bob*" in section and "@bob &lt;@U999&gt; please" in section and "<@" not in section
    assert "<@" not in message["text"]


def test_a_stored_id_that_is_not_a_slack_id_is_never_written_raw() -> None:
    post = SimpleNamespace(id=7, channel="x.mention", text="hi", author_handle="jd", author_name="J D",
                           permalink=None, external_id="1")
    message = mention_message(post, by="jane", username="bob", note="@bob look", public_url="https://care.example",
                              slack_id="U1> <!channel")
    assert "<@" not in json.dumps(message) and "<!channel" not in json.dumps(message)


def test_slack_ids_are_checked_and_forgotten(app: Any, team: Any) -> None:
    with pytest.raises(WorkflowError, match="not a Slack member id"):
        set_slack_id(app, "bob", "<!channel>")
    with pytest.raises(WorkflowError, match="no active team member"):
        set_slack_id(app, "nobody", BOB)
    assert set_slack_id(app, "bob", BOB) is True and set_slack_id(app, "bob", BOB) is False
    assert set_slack_id(app, "bob", None) is True
    with app.session() as s:
        assert s.exec(select(User.slack_user_id).where(User.username == "bob")).one() is None


def test_user_slack_from_the_terminal(app: Any, settings: Any, as_env: Any) -> None:
    as_env(settings)
    make_user(app, "ana", "Ana Lima")
    root = typer.Typer()
    register_web(root)
    register_inbox(root)
    runner = CliRunner()

    r = runner.invoke(root, ["user", "slack", "ana", "W0123ABCD"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"user": "ana", "slack_user_id": "W0123ABCD", "changed": True}
    bad = runner.invoke(root, ["user", "slack", "ana", "ana@example.com"])
    assert bad.exit_code == 1 and "not a Slack member id" in bad.output
    assert runner.invoke(root, ["user", "slack", "ana"]).exit_code == 1  # an id, or --off
    r = runner.invoke(root, ["user", "slack", "ana", "--off"])
    assert r.exit_code == 0 and json.loads(r.output)["changed"] is True
    with app.session() as s:
        assert s.exec(select(User.slack_user_id).where(User.username == "ana")).one() is None
