"""Joins, departures and renames are recorded in the room's timeline as
system messages: in history and live, replayed by resume, never unread, never
edited or deleted, and not found by search."""
import pytest
from conftest import assert_problem, make_group, post_message, register

# People in these tests know each other: rooms they make take the others in (see conftest).
pytestmark = pytest.mark.acquainted


def history(chat, room, token):
    return chat.get(f"/api/rooms/{room}/messages?limit=200", token=token).json()["messages"]


def test_room_changes_become_system_messages_in_order(api, chat, chat_b, sockets):
    owner, member, newcomer = register(api), register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]], name="Before")
    listener = sockets(chat_b.base, member["accessToken"])
    post_message(chat, room["id"], owner["accessToken"], "hello")
    assert chat.post(f"/api/rooms/{room['id']}/participants", json={"userId": newcomer["user"]["id"]},
                     token=owner["accessToken"]).status_code == 201
    assert chat.patch(f"/api/rooms/{room['id']}", json={"name": "After"}, token=owner["accessToken"]).status_code == 200
    # A description change alone is no line.
    assert chat.patch(f"/api/rooms/{room['id']}", json={"description": "d"}, token=owner["accessToken"]).status_code == 200
    assert chat.delete(f"/api/rooms/{room['id']}/participants/{newcomer['user']['id']}", token=owner["accessToken"]).status_code == 204
    assert chat.post(f"/api/rooms/{room['id']}/leave", token=member["accessToken"]).status_code == 204
    messages = history(chat, room["id"], owner["accessToken"])
    assert [m["seq"] for m in messages] == [1, 2, 3, 4, 5]
    system = [(m["senderId"], m["system"]) for m in messages if m["messageType"] == "system"]
    assert system == [
        (owner["user"]["id"], {"kind": "member_added", "userId": newcomer["user"]["id"]}),
        (owner["user"]["id"], {"kind": "renamed", "name": "After"}),
        (owner["user"]["id"], {"kind": "member_removed", "userId": newcomer["user"]["id"]}),
        (member["user"]["id"], {"kind": "member_left"}),
    ]
    assert all(m["content"] == "" and m["deletedAt"] is None for m in messages if m["messageType"] == "system")
    assert messages[0]["system"] is None
    # Live on the other replica, in seq order, as message.created.
    live = listener.messages(room["id"], 4)
    assert [m["seq"] for m in live] == [1, 2, 3, 4] and live[1]["system"]["kind"] == "member_added"


def test_system_messages_are_not_unread_not_editable_and_not_searched(api, chat, sockets):
    owner, member, other = register(api), register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]], name="Quiet")
    chat.post(f"/api/rooms/{room['id']}/participants", json={"userId": other["user"]["id"]}, token=owner["accessToken"])
    chat.patch(f"/api/rooms/{room['id']}", json={"name": "Quiet renamed"}, token=owner["accessToken"])
    listed = {r["id"]: r for r in chat.get("/api/rooms", token=member["accessToken"]).json()["rooms"]}[room["id"]]
    assert listed["unreadCount"] == 0 and listed["lastMessage"]["messageType"] == "system"
    record = history(chat, room["id"], owner["accessToken"])[-1]
    assert_problem(chat.patch(f"/api/rooms/{room['id']}/messages/{record['id']}", json={"content": "rewritten"},
                              token=owner["accessToken"]), 409, "system_message")
    assert_problem(chat.delete(f"/api/rooms/{room['id']}/messages/{record['id']}", token=owner["accessToken"]), 409, "system_message")
    assert chat.get("/api/search", params={"q": "renamed"}, token=owner["accessToken"]).json()["results"] == []
    # Read up to a system message: nothing is left unread.
    r = chat.post(f"/api/rooms/{room['id']}/read", json={"messageId": record["id"]}, token=member["accessToken"])
    assert r.status_code == 200 and r.json()["unreadCount"] == 0
    # Resume replays them like any message.
    back = sockets(chat.base, member["accessToken"])
    back.send(type="resume", rooms={room["id"]: 0})
    replayed = back.messages(room["id"], 2)
    assert [m["system"]["kind"] for m in replayed] == ["member_added", "renamed"]
