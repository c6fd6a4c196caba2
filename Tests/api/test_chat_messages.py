"""Messages: idempotent sends, paging both ways, edits, deletes, read state, bad input."""
import pytest
import concurrent.futures
import uuid

from conftest import assert_problem, make_group, post_message, register

# People in these tests know each other: rooms they make take the others in (see conftest).
pytestmark = pytest.mark.acquainted


def test_send_returns_the_stored_message(api, chat):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    m = post_message(chat, room["id"], a["accessToken"], "Hello <b>world</b>", client_id="c-1")
    assert m["roomId"] == room["id"] and m["senderId"] == a["user"]["id"]
    assert m["content"] == "Hello <b>world</b>" and m["messageType"] == "text" and m["seq"] == 1
    assert m["createdAt"].endswith("Z") and uuid.UUID(m["id"])


def test_retried_send_stores_one_message(api, chat):
    a = register(api)
    room = make_group(chat, a["accessToken"], [])
    first = post_message(chat, room["id"], a["accessToken"], "once", client_id="retry-me")
    second = post_message(chat, room["id"], a["accessToken"], "once", client_id="retry-me")
    assert first["id"] == second["id"] and first["seq"] == second["seq"]
    # Concurrent retries too.
    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        ids = set(pool.map(lambda _: post_message(chat, room["id"], a["accessToken"], "burst", client_id="burst-1")["id"], range(10)))
    assert len(ids) == 1
    page = chat.get(f"/api/rooms/{room['id']}/messages", token=a["accessToken"]).json()["messages"]
    assert [m["content"] for m in page] == ["once", "burst"]
    assert [m["seq"] for m in page] == sorted(m["seq"] for m in page)


def test_paging_both_ways(api, chat):
    a = register(api)
    room = make_group(chat, a["accessToken"], [])
    sent = [post_message(chat, room["id"], a["accessToken"], f"m{i}") for i in range(25)]
    newest = chat.get(f"/api/rooms/{room['id']}/messages?limit=10", token=a["accessToken"]).json()
    assert [m["content"] for m in newest["messages"]] == [f"m{i}" for i in range(15, 25)] and newest["hasMore"]
    older = chat.get(f"/api/rooms/{room['id']}/messages?limit=10&before={newest['messages'][0]['seq']}", token=a["accessToken"]).json()
    assert [m["content"] for m in older["messages"]] == [f"m{i}" for i in range(5, 15)] and older["hasMore"]
    oldest = chat.get(f"/api/rooms/{room['id']}/messages?limit=10&before={older['messages'][0]['seq']}", token=a["accessToken"]).json()
    assert [m["content"] for m in oldest["messages"]] == [f"m{i}" for i in range(5)] and not oldest["hasMore"]
    forward = chat.get(f"/api/rooms/{room['id']}/messages?limit=7&after={sent[9]['seq']}", token=a["accessToken"]).json()
    assert [m["content"] for m in forward["messages"]] == [f"m{i}" for i in range(10, 17)] and forward["hasMore"]
    by_id = chat.get(f"/api/rooms/{room['id']}/messages?limit=3&before={sent[5]['id']}", token=a["accessToken"]).json()
    assert [m["content"] for m in by_id["messages"]] == ["m2", "m3", "m4"]
    by_id = chat.get(f"/api/rooms/{room['id']}/messages?limit=2&after={sent[5]['id']}", token=a["accessToken"]).json()
    assert [m["content"] for m in by_id["messages"]] == ["m6", "m7"]
    assert_problem(chat.get(f"/api/rooms/{room['id']}/messages?before={uuid.uuid4()}", token=a["accessToken"]), 404, "message_not_found")
    t = a["accessToken"]
    for bad in ["limit=0", "limit=201", "limit=x", "before=-1", "after=abc", "before=3&after=1"]:
        assert_problem(chat.get(f"/api/rooms/{room['id']}/messages?{bad}", token=t), 400)


def test_edit_and_delete(api, chat):
    a, b, c = register(api), register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"], c["user"]["id"]])
    mb = post_message(chat, room["id"], b["accessToken"], "typo")
    mc = post_message(chat, room["id"], c["accessToken"], "rude")
    edited = chat.patch(f"/api/rooms/{room['id']}/messages/{mb['id']}", json={"content": "fixed"}, token=b["accessToken"])
    assert edited.status_code == 200 and edited.json()["content"] == "fixed" and edited.json()["updatedAt"]
    assert_problem(chat.patch(f"/api/rooms/{room['id']}/messages/{mb['id']}", json={"content": "hijack"}, token=c["accessToken"]), 403, "not_message_author")
    assert_problem(chat.delete(f"/api/rooms/{room['id']}/messages/{mb['id']}", token=c["accessToken"]), 403)
    # The owner may delete anyone's message; it keeps its place without content.
    deleted = chat.delete(f"/api/rooms/{room['id']}/messages/{mc['id']}", token=a["accessToken"])
    assert deleted.status_code == 200 and deleted.json()["content"] is None and deleted.json()["deletedAt"]
    page = chat.get(f"/api/rooms/{room['id']}/messages", token=b["accessToken"]).json()["messages"]
    assert [(m["seq"], m["content"]) for m in page] == [(mb["seq"], "fixed"), (mc["seq"], None)]
    assert_problem(chat.patch(f"/api/rooms/{room['id']}/messages/{mc['id']}", json={"content": "again"}, token=c["accessToken"]), 409, "message_deleted")
    assert_problem(chat.patch(f"/api/rooms/{room['id']}/messages/{uuid.uuid4()}", json={"content": "x"}, token=b["accessToken"]), 404, "message_not_found")
    assert_problem(chat.patch(f"/api/rooms/{room['id']}/messages/not-an-id", json={"content": "x"}, token=b["accessToken"]), 400, "invalid_id")


def test_in_a_direct_room_only_the_author_deletes(api, chat):
    a, b = register(api), register(api)
    room = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [b["user"]["id"]]}, token=a["accessToken"]).json()
    mine = post_message(chat, room["id"], a["accessToken"], "mine to keep")
    assert_problem(chat.delete(f"/api/rooms/{room['id']}/messages/{mine['id']}", token=b["accessToken"]), 403, "not_message_author")
    assert chat.delete(f"/api/rooms/{room['id']}/messages/{mine['id']}", token=a["accessToken"]).status_code == 200


def test_bad_message_input(api, chat):
    a = register(api)
    room = make_group(chat, a["accessToken"], [])
    t = a["accessToken"]
    url = f"/api/rooms/{room['id']}/messages"
    assert_problem(chat.post(url, json={"content": ""}, token=t), 422, "validation_failed")
    assert_problem(chat.post(url, json={"content": "   \n "}, token=t), 422)
    assert_problem(chat.post(url, json={"content": "x" * 4001}, token=t), 422)
    assert_problem(chat.post(url, json={"content": 42}, token=t), 400, "wrong_type")
    assert_problem(chat.post(url, json={"content": None}, token=t), 400, "wrong_type")
    assert_problem(chat.post(url, json={}, token=t), 400, "missing_field")
    assert_problem(chat.post(url, json={"content": "x", "messageType": "system"}, token=t), 422)
    assert_problem(chat.post(url, json={"content": "x", "clientMessageId": ""}, token=t), 422)
    assert_problem(chat.post(url, json={"content": "x", "extra": True}, token=t), 400, "unknown_field")
    assert_problem(chat.call("POST", url, data="{", headers={"Content-Type": "application/json"}, token=t), 400, "malformed_json")
    assert_problem(chat.post(f"/api/rooms/{uuid.uuid4()}/messages", json={"content": "x"}, token=t), 404, "room_not_found")
    assert_problem(chat.post("/api/rooms/not-a-uuid/messages", json={"content": "x"}, token=t), 400, "invalid_id")
    assert_problem(chat.post(f"/api/rooms/{room['id']}/read", json={"messageId": str(uuid.uuid4())}, token=t), 404, "message_not_found")
    # None of it was stored.
    assert chat.get(url, token=t).json()["messages"] == []
    # Exactly the limit is fine.
    assert post_message(chat, room["id"], t, "x" * 4000)["seq"] == 1


def test_read_marker_only_moves_forward(api, chat):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    ms = [post_message(chat, room["id"], a["accessToken"], f"n{i}") for i in range(4)]
    r = chat.post(f"/api/rooms/{room['id']}/read", json={"messageId": ms[2]["id"]}, token=b["accessToken"]).json()
    assert r["unreadCount"] == 1 and r["receipt"]["seq"] == ms[2]["seq"]
    r = chat.post(f"/api/rooms/{room['id']}/read", json={"messageId": ms[0]["id"]}, token=b["accessToken"]).json()
    assert r["unreadCount"] == 1 and r["receipt"]["seq"] == ms[2]["seq"]
    room_state = chat.get(f"/api/rooms/{room['id']}", token=a["accessToken"]).json()
    seen = {p["userId"]: p["lastReadSeq"] for p in room_state["participants"]}
    assert seen[b["user"]["id"]] == ms[2]["seq"]
