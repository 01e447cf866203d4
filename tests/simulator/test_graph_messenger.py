import json
from datetime import timedelta

import facebook
import pytest
import requests

from .helpers import PAGE_ID, graph_client

CONV_FIELDS = "id,updated_time,participants,messages.limit(2){id,message,from,to,created_time}"


def send(graph, psid, text, **extra):
    return graph.put_object(PAGE_ID, "messages", recipient=json.dumps({"id": psid}),
                            message=json.dumps({"text": text}), **extra)


def test_conversations_paging_and_nested_messages(graph, sim):
    now = sim.clock()
    for i in range(3):
        psid = f"70000000000000{i:02d}"
        for j in range(3):
            sim.facebook.add_message(psid=psid, name=f"User {i}", text=f"u{i} m{j}",
                                     created_at=now - timedelta(minutes=60 - i * 10 - j))
    convs = list(graph.get_all_connections(PAGE_ID, "conversations", platform="messenger", fields=CONV_FIELDS,
                                           limit=1))
    assert [c["participants"]["data"][0]["name"] for c in convs] == ["User 2", "User 1", "User 0"]
    first = convs[0]
    assert first["id"].startswith("t_") and first["updated_time"].endswith("+0000")
    assert first["participants"]["data"][1] == {"name": "Acme", "email": f"{PAGE_ID}@facebook.com", "id": PAGE_ID}
    msgs = first["messages"]
    assert [m["message"] for m in msgs["data"]] == ["u2 m2", "u2 m1"]  # newest first
    assert msgs["data"][0]["to"]["data"][0]["id"] == PAGE_ID
    assert "access_token=" in msgs["paging"]["next"]
    all_msgs = list(graph.get_all_connections(first["id"], "messages", fields="id,message,from", limit=2))
    assert [m["message"] for m in all_msgs] == ["u2 m2", "u2 m1", "u2 m0"]
    one = graph.get_object(all_msgs[0]["id"], fields="id,message,created_time")
    assert one["message"] == "u2 m2"
    only = graph.get_connections(PAGE_ID, "conversations", user_id="7000000000000001")
    assert len(only["data"]) == 1


def test_send_inside_window(graph, sim):
    sim.facebook.add_message(psid="7012345678901234", name="Jane Doe", text="Hi, I need a refund")
    result = send(graph, "7012345678901234", "Sure, what is your order number?", messaging_type="RESPONSE")
    assert result["recipient_id"] == "7012345678901234" and result["message_id"].startswith("m_")
    (mine,) = sim.facebook.messages_to("7012345678901234")
    assert mine.text == "Sure, what is your order number?" and mine.from_id == PAGE_ID
    conv = graph.get_connections(PAGE_ID, "conversations", fields="messages{message,from}")["data"][0]
    assert conv["messages"]["data"][0] == {"message": "Sure, what is your order number?",
                                           "from": {"name": "Acme", "email": f"{PAGE_ID}@facebook.com", "id": PAGE_ID}}
    (write,) = sim.writes
    assert (write.kind, write.target) == ("messenger_send", "7012345678901234")
    assert write.payload["message"] == {"text": "Sure, what is your order number?"}


def test_send_outside_window_and_human_agent(graph, sim):
    sim.facebook.add_message(psid="7012345678901234", text="hello?", created_at=sim.clock() - timedelta(hours=25))
    with pytest.raises(facebook.GraphAPIError) as err:
        send(graph, "7012345678901234", "late reply", messaging_type="RESPONSE")
    assert err.value.code == 10
    assert err.value.result["error"]["error_subcode"] == 2018278
    assert err.value.message.startswith("(#10) This message is sent outside of allowed window.")
    ok = send(graph, "7012345678901234", "late reply from Sam", messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
    assert ok["recipient_id"] == "7012345678901234"
    sim.facebook.add_message(psid="7099", text="old", created_at=sim.clock() - timedelta(days=8))
    with pytest.raises(facebook.GraphAPIError) as err:
        send(graph, "7099", "too late", messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
    assert err.value.code == 10
    assert [w.kind for w in sim.writes] == ["messenger_send"]


def test_send_validation(graph, sim, http):
    sim.facebook.add_message(psid="7012345678901234", text="hi")
    with pytest.raises(facebook.GraphAPIError) as err:
        send(graph, "7012345678901234", "x" * 2001, messaging_type="RESPONSE")
    assert err.value.code == 100
    with pytest.raises(facebook.GraphAPIError) as err:
        send(graph, "123", "who?", messaging_type="RESPONSE")
    assert err.value.code == 100 and err.value.result["error"]["error_subcode"] == 2018001
    with pytest.raises(facebook.GraphAPIError):
        send(graph, "7012345678901234", "promo", messaging_type="MESSAGE_TAG", tag="ACCOUNT_UPDATE")
    r = http.post("/v23.0/me/messages", params={"access_token": "EAAB-sim-token"},
                  json={"recipient": {"id": "7012345678901234"}, "message": {"text": "json body"},
                        "messaging_type": "RESPONSE"})
    assert r.status_code == 200 and r.json()["recipient_id"] == "7012345678901234"


def test_graph_error_injection_and_rate_limit(graph, sim, http):
    sim.graph_error_next(code=17)
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.get_object(PAGE_ID)
    assert err.value.code == 17
    sim.graph_error_next(code=613, path_contains="/messages")
    graph.get_object(PAGE_ID)  # not matching the filter
    sim.rate_limit("facebook", seconds=600)
    r = http.get(f"/v23.0/{PAGE_ID}", params={"access_token": "EAAB-sim-token"})
    assert r.json()["error"]["code"] == 32
    usage = json.loads(r.headers["x-business-use-case-usage"])[PAGE_ID][0]
    assert usage["call_count"] == 100 and usage["estimated_time_to_regain_access"] == 10
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.get_object(PAGE_ID)
    assert err.value.code == 32


def test_graph_html_malformed_and_timeout(server, graph, sim):
    sim.fail_next("facebook", status=502, body="<html><body>502 Bad Gateway</body></html>")
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.get_object(PAGE_ID)
    assert "Maintype" in str(err.value)
    sim.fail_next("facebook", status=500)
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.get_object(PAGE_ID)
    assert err.value.code == 1
    sim.malformed_next("facebook")
    with pytest.raises(ValueError):
        graph.get_object(PAGE_ID)
    sim.timeout_next("facebook", seconds=5)
    with pytest.raises(requests.exceptions.Timeout):
        graph_client(server.url, timeout=0.3).get_object(PAGE_ID)
    sim.release_stalls()
    assert graph.get_object(PAGE_ID)["id"] == PAGE_ID


def test_private_reply_to_comment(graph, sim):
    post = sim.facebook.add_post(message="hello")
    cid = sim.facebook.add_comment(post, user_id="7055", name="Vic", text="refund please")
    result = graph.put_object(PAGE_ID, "messages", recipient=json.dumps({"comment_id": cid}),
                              message=json.dumps({"text": "Sent you a DM"}), messaging_type="RESPONSE")
    assert result["recipient_id"] == "7055"
    assert [m.text for m in sim.facebook.messages_to("7055")] == ["Sent you a DM"]
    old = sim.facebook.add_comment(post, user_id="7056", text="old", created_at=sim.clock() - timedelta(days=8))
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.put_object(PAGE_ID, "messages", recipient=json.dumps({"comment_id": old}),
                         message=json.dumps({"text": "late"}), messaging_type="RESPONSE")
    assert err.value.code == 10
    assert sim.facebook.conversation_for("7056") is None
