import json
from datetime import UTC

import httpx

HOOK = "/services/T0001/B0001/abcDEF123"


def test_slack_ok_and_validation(http, sim):
    sim.slack.per_second, sim.slack.burst = 1000.0, 1000
    r = http.post(HOOK, json={"text": "New X mention", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*@janedoe*"}}]})
    assert (r.status_code, r.text, r.headers["content-type"]) == (200, "ok", "text/html")
    assert http.post(HOOK, json={"blocks": []}).text == "no_text"
    r = http.post(HOOK, json={"text": "x", "blocks": [{"type": "nope"}]})
    assert (r.status_code, r.text) == (400, "invalid_blocks")
    r = http.post(HOOK, content=b"{not json", headers={"content-type": "application/json"})
    assert (r.status_code, r.text) == (400, "invalid_payload")
    assert http.post("/services/bad", json={"text": "x"}).status_code == 404
    assert sim.slack.messages == [{"text": "New X mention", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*@janedoe*"}}]}]
    assert [w.kind for w in sim.writes] == ["slack"]


def test_slack_rate_limit(http, sim):
    sim.slack.per_second = 0.001  # make the second message certainly too early
    assert http.post(HOOK, json={"text": "one"}).status_code == 200
    r = http.post(HOOK, json={"text": "two"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert [m["text"] for m in sim.slack.messages] == ["one"]
    sim.slack.per_second = 1000.0
    sim.rate_limit("slack", seconds=30)
    r = http.post(HOOK, json={"text": "three"})
    assert r.status_code == 429 and r.headers["retry-after"] == "30"
    sim.reset()
    sim.fail_next("slack", status=500)
    assert (http.post(HOOK, json={"text": "x"}).text) == "rollup_error"


def test_control_api(http, sim):
    assert http.get("/_sim/health").json() == {"ok": True}
    tid = http.post("/_sim/x/mentions", json={"author_id": "42", "username": "janedoe",
                                             "text": "@acmeshop help"}).json()["id"]
    assert sim.x.tweets[tid].text == "@acmeshop help"
    dm = http.post("/_sim/x/dms", json={"sender_id": "42", "username": "janedoe", "text": "hi"}).json()["id"]
    assert sim.x.dm_events[dm].dm_conversation_id == "42-99"
    post = http.post("/_sim/facebook/posts", json={"message": "hello"}).json()["id"]
    cid = http.post("/_sim/facebook/comments", json={"post_id": post, "user_id": "7012", "name": "Jane",
                                                    "text": "q?", "created_at": "2026-11-20T10:00:00Z"}).json()["id"]
    assert sim.facebook.comments[cid].created_at.isoformat() == "2026-11-20T10:00:00+00:00"
    mid = http.post("/_sim/facebook/messages", json={"psid": "7012", "name": "Jane", "text": "hey"}).json()["id"]
    assert mid.startswith("m_")
    assert http.post("/_sim/facebook/comments", json={"post_id": "nope"}).status_code == 400
    assert http.post("/_sim/faults", json={"type": "fail_next", "platform": "slack", "status": 500}).status_code == 201
    assert http.post(HOOK, json={"text": "x"}).status_code == 500
    http.post(HOOK, json={"text": "ok now"})
    writes = http.get("/_sim/writes").json()["writes"]
    assert [w["kind"] for w in writes] == ["slack"] and writes[0]["payload"] == {"text": "ok now"}
    reqs = http.get("/_sim/requests").json()["requests"]
    assert [r["status"] for r in reqs] == [500, 200]
    assert http.get("/_sim/slack/messages").json() == {"messages": [{"text": "ok now"}]}
    assert http.post("/_sim/reset").status_code == 200
    assert sim.x.tweets == {} and sim.writes == [] and sim.requests == []
    assert http.get("/_sim/nope").status_code == 404


def test_server_context_manager_and_clock():
    from datetime import datetime

    from social_care.simulator import Simulator, SimulatorServer
    fixed = datetime(2026, 11, 20, 10, 1, 44, tzinfo=UTC)
    sim = Simulator(clock=lambda: fixed)
    with SimulatorServer(sim) as server:
        tid = sim.x.add_mention(text="hi")
        r = httpx.get(f"{server.url}/2/tweets/{tid}", params={"tweet.fields": "created_at"},
                      headers={"Authorization": "Bearer sim-bearer"})
        assert r.json()["data"]["created_at"] == "2026-11-20T10:01:44.000Z"
        assert r.headers["x-rate-limit-reset"] == str(int(fixed.timestamp()) + 900)
        assert json.loads(json.dumps(sim.requests[0].to_dict()))["status"] == 200
