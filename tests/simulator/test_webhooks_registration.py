"""The subscribe endpoints as the platforms document them: X POST/GET/PUT/DELETE /2/webhooks (URL rules, CRC,
duplicate and limit), Account Activity subscriptions (user context), Meta /{page-id}/subscribed_apps."""
import facebook
import pytest
import tweepy

from .helpers import BRAND_ID, PAGE_ID
from .webhook_receiver import Receiver

BEARER = {"Authorization": "Bearer sim-bearer"}
PUBLIC = "https://care.example.com"


@pytest.fixture
def rx(sim):
    with Receiver() as receiver:
        sim.webhooks.resolve = {PUBLIC: receiver.origin}
        yield receiver
    sim.webhooks.reset()


def reason(resp):
    body = resp.json()
    assert body["type"] == "https://api.x.com/2/problems/invalid-request" and body["title"] == "Invalid Request"
    return body["errors"][0]["message"]


@pytest.mark.parametrize("url", ["http://care.example.com/webhooks/x", "https://care.example.com:8443/webhooks/x",
                                 "https:///webhooks/x", "ftp://care.example.com/x"])
def test_url_validation_failed(http, url):
    resp = http.post("/2/webhooks", json={"url": url}, headers=BEARER)
    assert resp.status_code == 400 and reason(resp) == "UrlValidationFailed"
    assert resp.headers["content-type"].startswith("application/problem+json")


def test_url_missing_or_too_long(http):
    assert http.post("/2/webhooks", json={}, headers=BEARER).status_code == 400
    assert http.post("/2/webhooks", json={"url": PUBLIC + "/" + "a" * 200}, headers=BEARER).status_code == 400


def test_register_runs_the_crc_then_lists(sim, rx, http):
    resp = http.post("/2/webhooks", json={"url": PUBLIC + "/webhooks/x"}, headers=BEARER)
    assert resp.status_code == 200, resp.text
    hook = resp.json()["data"]
    assert set(hook) == {"created_at", "id", "url", "valid"} and hook["valid"] is True and hook["id"].isdigit()
    assert hook["created_at"].endswith(".000Z")
    (crc,) = [g for g in rx.gets if "crc_token" in g]
    assert crc["path"] == "/webhooks/x" and sim.webhooks.crc_checks[0]["ok"]
    listed = http.get("/2/webhooks", headers=BEARER).json()
    assert listed == {"data": [hook], "meta": {"result_count": 1}}
    assert "x-rate-limit-limit" in http.get("/2/webhooks", headers=BEARER).headers


def test_crc_wrong_answer(sim, rx, http):
    rx.crc_mode = "wrong"
    resp = http.post("/2/webhooks", json={"url": PUBLIC + "/webhooks/x"}, headers=BEARER)
    assert resp.status_code == 400 and reason(resp) == "CrcValidationFailed"
    assert http.get("/2/webhooks", headers=BEARER).json() == {"meta": {"result_count": 0}}


def test_duplicate_and_limit(sim, rx, http):
    assert http.post("/2/webhooks", json={"url": PUBLIC + "/webhooks/x"}, headers=BEARER).status_code == 200
    dup = http.post("/2/webhooks", json={"url": PUBLIC + "/webhooks/x"}, headers=BEARER)
    assert dup.status_code == 400 and reason(dup) == "DuplicateUrlFailed"
    other = http.post("/2/webhooks", json={"url": PUBLIC + "/other"}, headers=BEARER)
    assert other.status_code == 403 and reason(other) == "WebhookLimitExceeded"


def test_revalidate_and_delete(sim, rx, http):
    hook = http.post("/2/webhooks", json={"url": PUBLIC + "/webhooks/x"}, headers=BEARER).json()["data"]
    rx.crc_mode = "wrong"
    bad = http.put(f"/2/webhooks/{hook['id']}", headers=BEARER)
    assert bad.status_code == 400 and reason(bad) == "CrcValidationFailed"
    assert http.get("/2/webhooks", headers=BEARER).json()["data"][0]["valid"] is False
    rx.crc_mode = "right"
    assert http.put(f"/2/webhooks/{hook['id']}", headers=BEARER).json() == {"data": {"valid": True}}
    assert reason(http.delete("/2/webhooks/123", headers=BEARER)) == "WebhookIdInvalid"
    assert http.delete(f"/2/webhooks/{hook['id']}", headers=BEARER).json() == {"data": {"deleted": True}}
    assert sim.webhooks.x_webhooks == {}


def test_webhooks_need_app_only_auth(x):
    with pytest.raises(tweepy.Forbidden, match="OAuth 1.0a User Context is forbidden"):
        x.request("GET", "/2/webhooks", user_auth=True)


def test_subscriptions_need_user_context(sim, rx, x, http):
    hook = http.post("/2/webhooks", json={"url": PUBLIC + "/webhooks/x"}, headers=BEARER).json()["data"]
    route = f"/2/account_activity/webhooks/{hook['id']}/subscriptions/all"
    with pytest.raises(tweepy.Forbidden):
        x.request("POST", route, user_auth=False)
    assert x.request("GET", route, user_auth=True).json() == {"data": {"subscribed": False}}
    assert x.request("POST", route, user_auth=True).json() == {"data": {"subscribed": True}}
    assert x.request("GET", route, user_auth=True).json() == {"data": {"subscribed": True}}
    assert sim.webhooks.x_subscriptions[hook["id"]] == [BRAND_ID]
    with pytest.raises(tweepy.BadRequest) as err:
        x.request("POST", "/2/account_activity/webhooks/42/subscriptions/all", user_auth=True)
    assert "WebhookIdInvalid" in err.value.response.text
    sim.x.add_mention(text="now it flows")
    assert rx.wait_for(1, "/webhooks/x")[0].signature_ok


def test_meta_subscribed_apps(sim, graph):
    assert graph.request(f"v23.0/{PAGE_ID}/subscribed_apps") == {"data": []}
    with pytest.raises(facebook.GraphAPIError, match="subscribed_fields is required"):
        graph.request(f"v23.0/{PAGE_ID}/subscribed_apps", method="POST")
    with pytest.raises(facebook.GraphAPIError, match='must be one of .* - got "comments"'):
        graph.request(f"v23.0/{PAGE_ID}/subscribed_apps", {"subscribed_fields": "feed,comments"}, method="POST")
    ok = graph.request(f"v23.0/{PAGE_ID}/subscribed_apps", {"subscribed_fields": "feed,messages"}, method="POST")
    assert ok == {"success": True}
    (app,) = graph.request(f"v23.0/{PAGE_ID}/subscribed_apps")["data"]
    assert app["subscribed_fields"] == ["feed", "messages"] and app["id"].isdigit()
    assert graph.request(f"v23.0/{PAGE_ID}/subscribed_apps", method="DELETE") == {"success": True}
    assert graph.request(f"v23.0/{PAGE_ID}/subscribed_apps") == {"data": []}
    with pytest.raises(facebook.GraphAPIError, match="Unsupported"):
        post = sim.facebook.add_post("p")
        graph.request(f"v23.0/{post}/subscribed_apps", {"subscribed_fields": "feed"}, method="POST")


def test_meta_dashboard_verification(sim, rx):
    rx.verify_token = "right-token"
    with pytest.raises(ValueError, match="verification"):
        sim.webhooks.configure("facebook", PUBLIC + "/webhooks/meta", verify_token="wrong", verify=True)
    assert sim.webhooks.meta_url is None
    sim.webhooks.configure("facebook", PUBLIC + "/webhooks/meta", verify_token="right-token", verify=True)
    assert sim.webhooks.meta_url == PUBLIC + "/webhooks/meta"
    wrong, right = [g for g in rx.gets if g.get("hub.mode")]
    assert wrong["hub.verify_token"] == "wrong" and right["hub.verify_token"] == "right-token"
    assert right["hub.mode"] == "subscribe" and right["hub.challenge"].isdigit()
