"""Pinned messages (the room's: managers of a group, either person of a direct
room) and saved messages (each person's own): the rules, the live events on
both replicas and on one's other devices, what deleting and leaving do, and
the bad cases, which store nothing."""
import pytest

from conftest import assert_problem, make_group, post_message, register

pytestmark = pytest.mark.acquainted

MISSING = "00000000-0000-4000-8000-000000000000"


def pin_path(room, message=None):
    return f"/api/rooms/{room}/pins" + (f"/{message}" if message else "")


def saved_path(room, message):
    return f"/api/rooms/{room}/messages/{message}/saved"


def pins(chat, room, token):
    r = chat.get(pin_path(room), token=token)
    assert r.status_code == 200, r.text
    return r.json()["pins"]


def test_managers_pin_and_every_member_sees_the_pins_newest_first(api, chat, chat_b):
    owner, admin, member = register(api), register(api), register(api)
    room = make_group(chat, owner["accessToken"], [admin["user"]["id"], member["user"]["id"]])
    r = chat.call("PATCH", f"/api/rooms/{room['id']}/participants/{admin['user']['id']}", json={"role": "admin"}, token=owner["accessToken"])
    assert r.status_code == 200, r.text
    first = post_message(chat, room["id"], member["accessToken"], "the plan")
    second = post_message(chat, room["id"], member["accessToken"], "the date")

    pinned = chat.call("PUT", pin_path(room["id"], first["id"]), token=owner["accessToken"])
    assert pinned.status_code == 201, pinned.text
    assert pinned.json()["message"]["id"] == first["id"] and pinned.json()["pinnedBy"] == owner["user"]["id"]
    again = chat_b.call("PUT", pin_path(room["id"], first["id"]), token=admin["accessToken"])
    assert again.status_code == 200 and again.json()["pinnedBy"] == owner["user"]["id"]  # the pin stays as it was
    assert chat_b.call("PUT", pin_path(room["id"], second["id"]), token=admin["accessToken"]).status_code == 201
    # A member cannot pin or unpin in a group, but sees the pins.
    assert_problem(chat.call("PUT", pin_path(room["id"], first["id"]), token=member["accessToken"]), 403, "not_room_admin")
    assert_problem(chat.delete(pin_path(room["id"], first["id"]), token=member["accessToken"]), 403, "not_room_admin")
    listed = pins(chat_b, room["id"], member["accessToken"])
    assert [p["message"]["id"] for p in listed] == [second["id"], first["id"]]
    assert listed[1]["message"]["content"] == "the plan"

    assert chat.delete(pin_path(room["id"], first["id"]), token=admin["accessToken"]).status_code == 204
    assert_problem(chat.delete(pin_path(room["id"], first["id"]), token=admin["accessToken"]), 404, "pin_not_found")
    assert [p["message"]["id"] for p in pins(chat, room["id"], owner["accessToken"])] == [second["id"]]


def test_either_person_pins_in_a_direct_room(api, chat):
    a, b = register(api), register(api)
    room = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [b["user"]["id"]]}, token=a["accessToken"]).json()
    message = post_message(chat, room["id"], a["accessToken"], "remember this")
    assert chat.call("PUT", pin_path(room["id"], message["id"]), token=b["accessToken"]).status_code == 201
    assert chat.delete(pin_path(room["id"], message["id"]), token=a["accessToken"]).status_code == 204


def test_pin_events_reach_both_replicas(api, chat, chat_b, sockets):
    owner, member = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    message = post_message(chat, room["id"], member["accessToken"], "pin me")
    here, there = sockets(chat.base, owner["accessToken"]), sockets(chat_b.base, member["accessToken"])
    chat.call("PUT", pin_path(room["id"], message["id"]), token=owner["accessToken"])
    for listener in (here, there):
        event = listener.next(lambda e: e["type"] == "message.pinned")
        assert event["roomId"] == room["id"] and event["data"]["message"]["id"] == message["id"]
        assert event["data"]["pinnedBy"] == owner["user"]["id"] and event["data"]["pinnedAt"]
    chat.delete(pin_path(room["id"], message["id"]), token=owner["accessToken"])
    for listener in (here, there):
        event = listener.next(lambda e: e["type"] == "message.unpinned")
        assert event["data"] == {"messageId": message["id"], "userId": owner["user"]["id"]}


def test_a_deleted_message_loses_its_pin_and_its_saves(api, chat):
    owner, member = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    message = post_message(chat, room["id"], owner["accessToken"], "soon gone")
    chat.call("PUT", pin_path(room["id"], message["id"]), token=owner["accessToken"])
    chat.call("PUT", saved_path(room["id"], message["id"]), token=member["accessToken"])
    assert chat.delete(f"/api/rooms/{room['id']}/messages/{message['id']}", token=owner["accessToken"]).status_code in (200, 204)
    assert pins(chat, room["id"], member["accessToken"]) == []
    assert chat.get("/api/saved", token=member["accessToken"]).json()["saved"] == []
    assert_problem(chat.call("PUT", pin_path(room["id"], message["id"]), token=owner["accessToken"]), 409, "message_deleted")
    assert_problem(chat.call("PUT", saved_path(room["id"], message["id"]), token=member["accessToken"]), 409, "message_deleted")


def test_bad_pins_are_refused_and_store_nothing(api, chat):
    owner, outsider = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [])
    elsewhere = make_group(chat, outsider["accessToken"], [])
    foreign = post_message(chat, elsewhere["id"], outsider["accessToken"], "not yours")
    message = post_message(chat, room["id"], owner["accessToken"], "mine")
    assert_problem(chat.call("PUT", pin_path(room["id"], MISSING), token=owner["accessToken"]), 404, "message_not_found")
    assert_problem(chat.call("PUT", pin_path(room["id"], foreign["id"]), token=owner["accessToken"]), 404, "message_not_found")
    assert_problem(chat.call("PUT", pin_path(room["id"], "not-a-uuid"), token=owner["accessToken"]), 400)
    assert_problem(chat.call("PUT", pin_path(room["id"], message["id"]), token=outsider["accessToken"]), 404, "room_not_found")
    assert_problem(chat.get(pin_path(room["id"]), token=outsider["accessToken"]), 404, "room_not_found")
    assert_problem(chat.call("PUT", pin_path(room["id"], message["id"]), token=""), 401)
    assert pins(chat, room["id"], owner["accessToken"]) == []


def test_a_room_holds_at_most_fifty_pins(api, chat):
    owner = register(api)
    room = make_group(chat, owner["accessToken"], [])
    ids = [post_message(chat, room["id"], owner["accessToken"], f"m{i}")["id"] for i in range(51)]
    for message_id in ids[:50]:
        assert chat.call("PUT", pin_path(room["id"], message_id), token=owner["accessToken"]).status_code == 201
    assert_problem(chat.call("PUT", pin_path(room["id"], ids[50]), token=owner["accessToken"]), 409, "too_many_pins")
    # Pinning one already pinned is no new pin: it still answers 200.
    assert chat.call("PUT", pin_path(room["id"], ids[0]), token=owner["accessToken"]).status_code == 200
    assert len(pins(chat, room["id"], owner["accessToken"])) == 50


def test_saved_messages_are_ones_own_listed_across_rooms_and_paged(api, chat, chat_b):
    a, b = register(api), register(api)
    one = make_group(chat, a["accessToken"], [b["user"]["id"]], name="One")
    two = make_group(chat, b["accessToken"], [a["user"]["id"]], name="Two")
    m1 = post_message(chat, one["id"], b["accessToken"], "first keeper")
    m2 = post_message(chat, two["id"], b["accessToken"], "second keeper")
    m3 = post_message(chat, one["id"], a["accessToken"], "third keeper")
    for room, message in ((one, m1), (two, m2), (one, m3)):
        r = chat_b.call("PUT", saved_path(room["id"], message["id"]), token=a["accessToken"])
        assert r.status_code == 201, r.text
        assert r.json()["message"]["id"] == message["id"] and r.json()["savedAt"]
    assert chat.call("PUT", saved_path(one["id"], m1["id"]), token=a["accessToken"]).status_code == 200
    first = chat.get("/api/saved?limit=2", token=a["accessToken"]).json()
    assert [s["message"]["id"] for s in first["saved"]] == [m3["id"], m2["id"]] and first["hasMore"]
    rest = chat.get(f"/api/saved?limit=2&before={first['nextBefore']}", token=a["accessToken"]).json()
    assert [s["message"]["id"] for s in rest["saved"]] == [m1["id"]] and not rest["hasMore"]
    # b saved nothing: saves are one's own.
    assert chat.get("/api/saved", token=b["accessToken"]).json()["saved"] == []
    assert chat.delete(saved_path(one["id"], m1["id"]), token=a["accessToken"]).status_code == 204
    assert_problem(chat.delete(saved_path(one["id"], m1["id"]), token=a["accessToken"]), 404, "saved_not_found")
    # Leaving a room takes its messages off the list (they come back on rejoining).
    assert chat.post(f"/api/rooms/{two['id']}/leave", token=a["accessToken"]).status_code in (200, 204)
    assert [s["message"]["id"] for s in chat.get("/api/saved", token=a["accessToken"]).json()["saved"]] == [m3["id"]]


def test_saving_reaches_ones_other_devices_only(api, chat, chat_b, sockets):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    message = post_message(chat, room["id"], b["accessToken"], "keep")
    phone, laptop, other = sockets(chat.base, a["accessToken"]), sockets(chat_b.base, a["accessToken"]), sockets(chat.base, b["accessToken"])
    chat.call("PUT", saved_path(room["id"], message["id"]), token=a["accessToken"])
    for device in (phone, laptop):
        event = device.next(lambda e: e["type"] == "message.saved")
        assert event["roomId"] == room["id"] and event["data"]["message"]["id"] == message["id"]
    chat.delete(saved_path(room["id"], message["id"]), token=a["accessToken"])
    for device in (phone, laptop):
        assert device.next(lambda e: e["type"] == "message.unsaved")["data"] == {"messageId": message["id"], "userId": a["user"]["id"]}
    # b's socket heard the room's traffic but none of a's saves.
    post_message(chat, room["id"], a["accessToken"], "marker")
    seen = []
    other.next(lambda e: seen.append(e["type"]) or (e["type"] == "message.created" and e["data"]["content"] == "marker"))
    assert "message.saved" not in seen and "message.unsaved" not in seen


def test_bad_saves_are_refused(api, chat):
    a, outsider = register(api), register(api)
    room = make_group(chat, a["accessToken"], [])
    message = post_message(chat, room["id"], a["accessToken"], "x")
    assert_problem(chat.call("PUT", saved_path(room["id"], MISSING), token=a["accessToken"]), 404, "message_not_found")
    assert_problem(chat.call("PUT", saved_path(room["id"], message["id"]), token=outsider["accessToken"]), 404, "room_not_found")
    assert_problem(chat.get("/api/saved?before=nope", token=a["accessToken"]), 400, "invalid_cursor")
    assert_problem(chat.get("/api/saved?limit=0", token=a["accessToken"]), 400)
    assert_problem(chat.get("/api/saved", token=""), 401)
    assert chat.get("/api/saved", token=outsider["accessToken"]).json()["saved"] == []
