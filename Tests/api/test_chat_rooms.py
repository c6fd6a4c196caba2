"""Rooms and participants in chat-service."""
import pytest
import uuid

from conftest import assert_problem, make_group, post_message, register

# People in these tests know each other: rooms they make take the others in (see conftest).
pytestmark = pytest.mark.acquainted


def test_group_room_lifecycle(api, chat):
    owner, alice, bob = register(api), register(api), register(api)
    r = chat.post("/api/rooms", json={"name": " Team ", "description": "work", "roomType": "group",
                                      "participantIds": [alice["user"]["id"], bob["user"]["id"]]}, token=owner["accessToken"])
    assert r.status_code == 201, r.text
    room = r.json()
    assert room["name"] == "Team" and room["roomType"] == "group" and room["lastSeq"] == 0
    roles = {p["userId"]: p["role"] for p in room["participants"]}
    assert roles == {owner["user"]["id"]: "owner", alice["user"]["id"]: "member", bob["user"]["id"]: "member"}

    # Members cannot rename; owners can, and can promote an admin who then can.
    assert_problem(chat.patch(f"/api/rooms/{room['id']}", json={"name": "Mine"}, token=alice["accessToken"]), 403, "not_room_admin")
    assert chat.patch(f"/api/rooms/{room['id']}", json={"name": "Renamed"}, token=owner["accessToken"]).json()["name"] == "Renamed"
    assert chat.patch(f"/api/rooms/{room['id']}/participants/{alice['user']['id']}", json={"role": "admin"},
                      token=owner["accessToken"]).json()["role"] == "admin"
    assert chat.patch(f"/api/rooms/{room['id']}", json={"description": None}, token=alice["accessToken"]).status_code == 200

    # The last owner cannot leave without handing over.
    assert_problem(chat.post(f"/api/rooms/{room['id']}/leave", token=owner["accessToken"]), 409, "last_owner")
    assert_problem(chat.patch(f"/api/rooms/{room['id']}/participants/{owner['user']['id']}", json={"role": "member"},
                              token=owner["accessToken"]), 409, "last_owner")
    chat.patch(f"/api/rooms/{room['id']}/participants/{bob['user']['id']}", json={"role": "owner"}, token=owner["accessToken"])
    assert chat.post(f"/api/rooms/{room['id']}/leave", token=owner["accessToken"]).status_code == 204
    assert_problem(chat.get(f"/api/rooms/{room['id']}", token=owner["accessToken"]), 404, "room_not_found")

    # Admins add and remove members; members cannot.
    carol = register(api)
    assert_problem(chat.post(f"/api/rooms/{room['id']}/participants", json={"userId": carol["user"]["id"]}, token=owner["accessToken"]), 404)
    r = chat.post(f"/api/rooms/{room['id']}/participants", json={"userId": carol["user"]["id"]}, token=alice["accessToken"])
    assert r.status_code == 201 and r.json()["role"] == "member"
    assert_problem(chat.post(f"/api/rooms/{room['id']}/participants", json={"userId": carol["user"]["id"]}, token=alice["accessToken"]), 409, "already_participant")
    assert_problem(chat.delete(f"/api/rooms/{room['id']}/participants/{alice['user']['id']}", token=carol["accessToken"]), 403, "not_room_admin")
    assert chat.delete(f"/api/rooms/{room['id']}/participants/{carol['user']['id']}", token=alice["accessToken"]).status_code == 204
    assert_problem(chat.get(f"/api/rooms/{room['id']}", token=carol["accessToken"]), 404)

    # Only an owner deletes the room.
    assert_problem(chat.delete(f"/api/rooms/{room['id']}", token=alice["accessToken"]), 403, "not_room_owner")
    assert chat.delete(f"/api/rooms/{room['id']}", token=bob["accessToken"]).status_code == 204
    assert_problem(chat.get(f"/api/rooms/{room['id']}", token=bob["accessToken"]), 404)


def test_direct_room_is_unique_per_pair(api, chat):
    a, b = register(api), register(api)
    first = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [b["user"]["id"]]}, token=a["accessToken"])
    assert first.status_code == 201, first.text
    again = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [b["user"]["id"]]}, token=a["accessToken"])
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    # From the other side too, and with both ids listed.
    other = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [a["user"]["id"], b["user"]["id"]]}, token=b["accessToken"])
    assert other.json()["id"] == first.json()["id"]
    assert len(first.json()["participants"]) == 2
    # A direct room takes no extra members.
    assert_problem(chat.post(f"/api/rooms/{first.json()['id']}/participants", json={"userId": register(api)["user"]["id"]},
                             token=a["accessToken"]), 409, "direct_room")


def test_room_creation_bad_input(api, chat):
    a = register(api)
    t = a["accessToken"]
    assert_problem(chat.post("/api/rooms", json={"roomType": "direct", "participantIds": []}, token=t), 422, "validation_failed")
    assert_problem(chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [a["user"]["id"]]}, token=t), 422)
    assert_problem(chat.post("/api/rooms", json={"roomType": "group", "participantIds": []}, token=t), 422)
    assert_problem(chat.post("/api/rooms", json={"name": "x" * 101, "roomType": "group", "participantIds": []}, token=t), 422)
    assert_problem(chat.post("/api/rooms", json={"name": "x", "roomType": "channel", "participantIds": []}, token=t), 422)
    assert_problem(chat.post("/api/rooms", json={"name": "x", "roomType": "group", "participantIds": ["nope"]}, token=t), 400)
    assert_problem(chat.post("/api/rooms", json={"name": "x", "roomType": "group", "participantIds": "abc"}, token=t), 400, "wrong_type")
    assert_problem(chat.post("/api/rooms", json={"name": 5, "roomType": "group", "participantIds": []}, token=t), 400, "wrong_type")
    assert_problem(chat.post("/api/rooms", json={"name": "x", "roomType": "group", "participantIds": [], "secret": 1}, token=t), 400, "unknown_field")
    ghost = str(uuid.uuid4())
    problem = assert_problem(chat.post("/api/rooms", json={"name": "x", "roomType": "group", "participantIds": [ghost]}, token=t), 422, "unknown_participants")
    assert ghost.lower() in problem["detail"].lower()
    assert chat.get("/api/rooms", token=t).json()["rooms"] == []


def test_room_list_has_last_message_and_unread_counts(api, chat):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    for i in range(3):
        post_message(chat, room["id"], a["accessToken"], f"hello {i}")
    rooms_b = chat.get("/api/rooms", token=b["accessToken"]).json()["rooms"]
    mine = next(r for r in rooms_b if r["id"] == room["id"])
    assert mine["unreadCount"] == 3
    assert mine["lastMessage"]["content"] == "hello 2"
    assert len(mine["participants"]) == 2
    rooms_a = chat.get("/api/rooms", token=a["accessToken"]).json()["rooms"]
    assert next(r for r in rooms_a if r["id"] == room["id"])["unreadCount"] == 0  # own messages are not unread
    last = mine["lastMessage"]["id"]
    r = chat.post(f"/api/rooms/{room['id']}/read", json={"messageId": last}, token=b["accessToken"])
    assert r.status_code == 200 and r.json()["unreadCount"] == 0
    assert next(r for r in chat.get("/api/rooms", token=b["accessToken"]).json()["rooms"] if r["id"] == room["id"])["unreadCount"] == 0


def test_adding_several_people_at_once(api, chat):
    owner, carol, dave, erin = register(api), register(api), register(api), register(api)
    t = owner["accessToken"]
    room = make_group(chat, t, [carol["user"]["id"]])
    path = f"/api/rooms/{room['id']}/participants"
    r = chat.post(path, json={"userIds": [carol["user"]["id"], dave["user"]["id"], erin["user"]["id"], dave["user"]["id"]]}, token=t)
    assert r.status_code == 201, r.text
    # carol was already in: only the newcomers are added, once each.
    assert sorted(p["userId"] for p in r.json()["participants"]) == sorted([dave["user"]["id"], erin["user"]["id"]])
    members = {p["userId"] for p in chat.get(f"/api/rooms/{room['id']}", token=t).json()["participants"]}
    assert members == {owner["user"]["id"], carol["user"]["id"], dave["user"]["id"], erin["user"]["id"]}
    assert_problem(chat.post(path, json={"participantIds": [dave["user"]["id"]]}, token=t), 409, "already_participant")

    # All or nothing when someone does not exist; clear errors for bad shapes.
    frank = register(api)
    problem = assert_problem(chat.post(path, json={"userIds": [frank["user"]["id"], str(uuid.uuid4())]}, token=t), 404, "user_not_found")
    assert frank["user"]["id"] not in {p["userId"] for p in chat.get(f"/api/rooms/{room['id']}", token=t).json()["participants"]}
    assert problem["detail"]
    assert_problem(chat.post(path, json={"userIds": []}, token=t), 422, "validation_failed")
    assert_problem(chat.post(path, json={"userId": frank["user"]["id"], "userIds": [frank["user"]["id"]]}, token=t), 422)
    assert_problem(chat.post(path, json={}, token=t), 400, "missing_field")
    assert_problem(chat.post(path, json={"userIds": ["not-a-uuid"]}, token=t), 400)
    assert_problem(chat.post(path, json={"userIds": [str(uuid.uuid4()) for _ in range(101)]}, token=t), 422)


def test_direct_room_people_are_plain_members(api, chat):
    a, b = register(api), register(api)
    room = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [b["user"]["id"]]}, token=a["accessToken"]).json()
    assert {p["role"] for p in room["participants"]} == {"member"}
    rid = room["id"]
    # Neither renames it, removes the other or hands out roles.
    assert_problem(chat.patch(f"/api/rooms/{rid}", json={"name": "Mine"}, token=a["accessToken"]), 403, "direct_room")
    assert_problem(chat.delete(f"/api/rooms/{rid}/participants/{b['user']['id']}", token=a["accessToken"]), 403, "direct_room")
    assert_problem(chat.patch(f"/api/rooms/{rid}/participants/{b['user']['id']}", json={"role": "owner"},
                              token=a["accessToken"]), 403, "direct_room")
    assert chat.get(f"/api/rooms/{rid}", token=b["accessToken"]).status_code == 200


def test_direct_room_can_be_made_again_after_delete(api, chat):
    a, b = register(api), register(api)
    first = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [b["user"]["id"]]}, token=a["accessToken"]).json()
    post_message(chat, first["id"], a["accessToken"], "before the delete")
    assert chat.delete(f"/api/rooms/{first['id']}", token=b["accessToken"]).status_code == 204
    again = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [b["user"]["id"]]}, token=a["accessToken"])
    assert again.status_code == 201, again.text
    fresh = again.json()
    assert fresh["id"] != first["id"] and fresh["lastSeq"] == 0 and fresh.get("lastMessage") is None
    # The other side finds the same new room.
    assert chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [a["user"]["id"]]},
                     token=b["accessToken"]).json()["id"] == fresh["id"]


def test_direct_room_is_not_given_back_to_one_who_left(api, chat):
    a, b = register(api), register(api)
    room = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [b["user"]["id"]]}, token=a["accessToken"]).json()
    post_message(chat, room["id"], b["accessToken"], "a secret of the room")
    assert chat.post(f"/api/rooms/{room['id']}/leave", token=a["accessToken"]).status_code == 204
    r = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [b["user"]["id"]]}, token=a["accessToken"])
    assert_problem(r, 404, "room_not_found")
    assert "a secret of the room" not in r.text and room["id"] not in r.text
    assert_problem(chat.get(f"/api/rooms/{room['id']}", token=a["accessToken"]), 404)
    # The one who stayed still has it; once both have left, asking again makes a new room.
    assert chat.get(f"/api/rooms/{room['id']}", token=b["accessToken"]).status_code == 200
    assert chat.post(f"/api/rooms/{room['id']}/leave", token=b["accessToken"]).status_code == 204
    again = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [b["user"]["id"]]}, token=a["accessToken"])
    assert again.status_code == 201 and again.json()["id"] != room["id"]
