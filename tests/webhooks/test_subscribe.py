"""`social-care webhooks subscribe` and the subscription listing, against the simulator's subscribe endpoints
(X registration with its CRC, Account Activity subscriptions, Meta subscribed_apps) and a real receiver."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from social_care.webhook_subscribe import register, subscribe, subscription_lines, subscriptions
from tests.conftest import X_USER_ID
from tests.simulator.webhook_receiver import Receiver

PUBLIC = "https://care.example.com"
VERIFY = "meatyhamhock"


@pytest.fixture
def db_url(tmp_path: Any) -> str:
    return f"sqlite:///{tmp_path / 'social_care.db'}"  # subscribing touches no database: one run is enough


@pytest.fixture
def rx(sim: Any) -> Any:
    with Receiver(verify_token=VERIFY) as receiver:
        sim.webhooks.resolve = {PUBLIC: receiver.origin}  # DNS + TLS in front of the service, as in production
        yield receiver
    sim.webhooks.reset()


@pytest.fixture
def live(make_settings: Any) -> Any:
    return make_settings(SOCIAL_CARE_PUBLIC_URL=PUBLIC, FACEBOOK_WEBHOOK_VERIFY_TOKEN=VERIFY)


def x_problem(reason: str) -> dict[str, Any]:
    return {"title": "Invalid Request", "detail": f"{reason}: refused", "status": 400,
            "type": "https://api.x.com/2/problems/invalid-request", "errors": [{"message": reason}]}


def test_subscribe_registers_x_and_meta_and_deliveries_follow(sim: Any, rx: Any, live: Any) -> None:
    code, lines = subscribe(live)
    assert code == 0, lines
    text = "\n".join(lines)
    assert f"registered {PUBLIC}/webhooks/x" in text and "CRC check passed" in text
    assert f"account {X_USER_ID} is subscribed" in text
    assert f"callback URL must be {PUBLIC}/webhooks/meta" in text and "FACEBOOK_WEBHOOK_VERIFY_TOKEN" in text
    assert [g["path"] for g in rx.gets if "crc_token" in g] == ["/webhooks/x"]
    (hook,) = sim.webhooks.x_webhooks.values()
    assert hook["url"] == f"{PUBLIC}/webhooks/x" and hook["valid"]
    assert sim.webhooks.x_subscriptions[hook["id"]] == [X_USER_ID]
    assert sim.webhooks.meta_fields == {"feed", "messages"}
    assert "(Webhooks → Instagram)" in text and "comments and messages fields" in text  # Instagram is configured
    subscribed = [r for r in sim.requests if "subscriptions/all" in r.path]
    assert subscribed[0].headers["authorization"].startswith("OAuth")  # user context, as documented
    created = next(r for r in sim.requests if r.path == "/2/webhooks" and r.method == "POST")
    assert created.headers["authorization"].startswith("Bearer") and created.body == {"url": f"{PUBLIC}/webhooks/x"}

    # the Meta dashboard step: callback URL + verify token, checked with Meta's verification GET
    sim.webhooks.configure("facebook", f"{PUBLIC}/webhooks/meta", verify_token=VERIFY, verify=True)
    sim.x.add_mention(text="live now?")
    post = sim.facebook.add_post("p")
    sim.facebook.add_comment(post, text="and here?")
    sim.facebook.add_message(text="and in Messenger?")
    assert len(rx.wait_for(1, "/webhooks/x")) == 1 and len(rx.wait_for(3, "/webhooks/meta")) == 3
    assert all(r.signature_ok for r in rx.posts)


def test_subscribe_twice_keeps_one_webhook(sim: Any, rx: Any, live: Any) -> None:
    assert subscribe(live)[0] == 0
    code, lines = subscribe(live)
    assert code == 0 and any("already registered" in line for line in lines)
    assert len(sim.webhooks.x_webhooks) == 1


def test_an_invalid_webhook_is_revalidated(sim: Any, rx: Any, live: Any) -> None:
    assert subscribe(live, platforms=("x",))[0] == 0
    (hook,) = sim.webhooks.x_webhooks.values()
    hook["valid"] = False
    code, lines = subscribe(live, platforms=("x",))
    assert code == 0 and "marked invalid" in lines[0] and hook["valid"]
    assert any(r.method == "PUT" for r in sim.requests)


@pytest.mark.parametrize("mode", ["wrong", "status500", "not_json"])
def test_crc_validation_failed(sim: Any, rx: Any, live: Any, mode: str) -> None:
    rx.crc_mode = mode
    code, lines = subscribe(live, platforms=("x",))
    assert code == 1
    (sentence,) = lines
    assert "X could not validate" in sentence and "X_CONSUMER_SECRET" in sentence
    assert "SOCIAL_CARE_PUBLIC_URL" in sentence
    assert sim.webhooks.x_webhooks == {}


def test_crc_fails_when_nothing_answers(sim: Any, live: Any) -> None:
    code, lines = subscribe(live, platforms=("x",))  # no receiver mapped: the CRC reaches nobody
    assert code == 1 and "X could not validate" in lines[0]


def test_url_validation_failed_from_x(sim: Any, rx: Any, make_settings: Any) -> None:
    local = make_settings(SOCIAL_CARE_PUBLIC_URL=rx.origin)  # http://127.0.0.1:<port>
    code, lines = subscribe(local, platforms=("x",), allow_loopback=True)  # allowed here, not by X
    assert code == 1
    assert "X refused" in lines[0] and "https://" in lines[0] and "no port" in lines[0]


def test_loopback_policy_lets_a_local_dry_run_through(sim: Any, rx: Any, make_settings: Any) -> None:
    sim.webhooks.url_policy = "loopback"
    local = make_settings(SOCIAL_CARE_PUBLIC_URL=rx.origin, FACEBOOK_WEBHOOK_VERIFY_TOKEN=VERIFY)
    assert subscribe(local, allow_loopback=True)[0] == 0
    sim.x.add_dm(text="hi")
    assert rx.wait_for(1, "/webhooks/x")[0].signature_ok


def test_duplicate_url_failed(sim: Any, rx: Any, live: Any) -> None:
    sim.fail_next("x", status=400, body=x_problem("DuplicateUrlFailed"), path_contains="/2/webhooks", method="POST")
    code, lines = subscribe(live, platforms=("x",))
    assert code == 1
    assert "already has a webhook registered for https://care.example.com/webhooks/x" in lines[0]
    assert "developer portal" in lines[0]


def test_webhook_limit_exceeded(sim: Any, rx: Any, live: Any) -> None:
    sim.webhooks.x_register("https://old.example.com/twitter")
    code, lines = subscribe(live, platforms=("x",))
    assert code == 1
    assert "as many webhooks as its plan allows" in lines[0] and "https://old.example.com/twitter" in lines[0]
    assert "Delete the old one" in lines[0]


@pytest.mark.parametrize("url, words", [
    ("http://care.example.com", "https://"),
    ("https://care.example.com:8443", "port"),
    ("https://127.0.0.1", "this machine"),
    ("https://", "no host"),
])
def test_local_url_checks_come_first(sim: Any, make_settings: Any, url: str, words: str) -> None:
    code, lines = subscribe(make_settings(SOCIAL_CARE_PUBLIC_URL=url))
    assert code == 2 and words in lines[0] and "SOCIAL_CARE_PUBLIC_URL" in lines[0]
    assert sim.requests == []  # nothing was sent


def test_meta_permission_missing(sim: Any, rx: Any, live: Any) -> None:
    sim.graph_error_next(code=200, message="(#200) The user must be an administrator, editor, or moderator of the "
                         "page in order to impersonate it. Requires pages_manage_metadata permission",
                         path_contains="subscribed_apps")
    code, lines = subscribe(live, platforms=("facebook",))
    assert code == 1 and "pages_manage_metadata" in lines[0] and "FACEBOOK_PAGE_ACCESS_TOKEN" in lines[0]
    assert sim.webhooks.meta_fields == set()


def test_meta_needs_the_verify_token_and_app_secret(sim: Any, make_settings: Any) -> None:
    code, lines = subscribe(make_settings(SOCIAL_CARE_PUBLIC_URL=PUBLIC), platforms=("facebook",))
    assert code == 2 and "set FACEBOOK_WEBHOOK_VERIFY_TOKEN" in lines[-1]


def test_x_needs_user_context_and_valid_credentials(sim: Any, rx: Any, make_settings: Any) -> None:
    code, lines = subscribe(make_settings(SOCIAL_CARE_PUBLIC_URL=PUBLIC, X_ACCESS_TOKEN=None), platforms=("x",))
    assert code == 2 and "X_ACCESS_TOKEN" in lines[0]
    code, lines = subscribe(make_settings(SOCIAL_CARE_PUBLIC_URL=PUBLIC, X_BEARER_TOKEN="wrong"), platforms=("x",))
    assert code == 1 and "X_BEARER_TOKEN" in lines[0]


def test_subscriptions_listing(sim: Any, rx: Any, live: Any) -> None:
    before = subscriptions(live)
    assert before["x"]["webhooks"] == [] and before["x"]["subscribed"] is False
    assert before["facebook"]["subscribed_fields"] == []
    assert "not registered" in "\n".join(subscription_lines(before))
    assert subscribe(live)[0] == 0
    after = subscriptions(live)
    (hook,) = after["x"]["webhooks"]
    assert hook["url"] == f"{PUBLIC}/webhooks/x" and hook["valid"] is True and after["x"]["subscribed"] is True
    assert after["facebook"]["subscribed_fields"] == ["feed", "messages"]
    lines = "\n".join(subscription_lines(after))
    assert f"{PUBLIC}/webhooks/x: subscribed" in lines and "Page fields subscribed: feed, messages" in lines
    sim.fail_next("facebook", status=500, body={"error": {"message": "boom", "code": 2}}, path_contains="subscribed")
    broken = subscriptions(live)
    assert broken["facebook"]["error"] and broken["x"]["error"] is None


@pytest.fixture
def cli(live: Any, as_env: Any) -> Any:
    as_env(live)
    root = typer.Typer()
    root.command("noop")(lambda: None)
    register(root)
    runner = CliRunner()
    return lambda *args: runner.invoke(root, list(args))


def test_cli_exit_codes(sim: Any, rx: Any, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    r = cli("webhooks", "status", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["x"]["subscribed"] is False
    r = cli("webhooks", "subscribe")
    assert r.exit_code == 0, r.output
    assert "account 99 is subscribed" in r.output
    r = cli("webhooks", "subscriptions")
    assert r.exit_code == 0 and "Page fields subscribed: feed, messages" in r.output
    assert cli("webhooks", "subscribe", "--platform", "myspace").exit_code == 2
    monkeypatch.setenv("SOCIAL_CARE_PUBLIC_URL", "http://care.example.com")
    r = cli("webhooks", "subscribe")
    assert r.exit_code == 2 and "https://" in r.output
    monkeypatch.setenv("SOCIAL_CARE_PUBLIC_URL", "https://other.example.com")
    r = cli("webhooks", "subscribe", "--platform", "x")
    assert r.exit_code == 1 and "as many webhooks as its plan allows" in r.output


def test_subscriptions_without_user_tokens_say_unknown(sim: Any, rx: Any, live: Any, make_settings: Any) -> None:
    assert subscribe(live, platforms=("x",))[0] == 0
    app_only = make_settings(SOCIAL_CARE_PUBLIC_URL=PUBLIC, X_ACCESS_TOKEN=None)
    report = subscriptions(app_only)
    assert report["x"]["subscribed"] is None and report["x"]["webhooks"][0]["valid"] is True
    assert "subscription unknown" in "\n".join(subscription_lines(report))


def test_without_instagram_no_instagram_step(sim: Any, rx: Any, live: Any) -> None:
    settings = live.model_copy(update={"instagram_business_account_id": None})
    code, lines = subscribe(settings, platforms=("facebook",))
    assert code == 0, lines
    assert sim.webhooks.meta_fields == {"feed", "messages"}
    assert "Instagram" not in "\n".join(lines)
