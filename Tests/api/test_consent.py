"""Contact only with consent (issue 23, item 3). Each test performs what a stranger
could do before: put anyone in a direct room or a group (and back in after they
left), see their presence through it, reach them with @mentions, flood them with
rooms. Now a stranger's room is an invitation the person accepts or declines, a
block shuts a person out both ways, and room-making is rate limited."""
import os
import uuid

import pytest
import requests

from conftest import Api, assert_problem, consent, make_group, post_message, register
from stack_processes import ServiceProcess, database_url_file


def direct(chat, who, other):
    return chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [other["user"]["id"]]}, token=who["accessToken"])


def member_ids(room):
    return {p["userId"] for p in room["participants"]}


def invitations(chat, who):
    r = chat.get("/api/rooms/invitations", token=who["accessToken"])
    assert r.status_code == 200, r.text
    return r.json()["invitations"]


def presence_of(api, viewer, person):
    r = api.get(f"/api/users/{person['user']['id']}", token=viewer["accessToken"])
    assert r.status_code == 200, r.text
    return {k: v for k, v in r.json().items() if k in ("online", "lastSeenAt")}


def test_a_stranger_is_invited_to_a_direct_room_and_joins_only_by_accepting(api, chat, sockets):
    alice, bob = register(api), register(api)
    bob_socket = sockets(chat.base, bob["accessToken"])
    r = direct(chat, alice, bob)
    assert r.status_code == 201, r.text
    room = r.json()
    assert member_ids(room) == {alice["user"]["id"]} and room["invitedUserIds"] == [bob["user"]["id"]]
    # Until bob accepts he is not in it: no room, no messages, no presence either way.
    assert all(listed["id"] != room["id"] for listed in chat.get("/api/rooms", token=bob["accessToken"]).json()["rooms"])
    assert_problem(chat.get(f"/api/rooms/{room['id']}", token=bob["accessToken"]), 404, "room_not_found")
    assert_problem(chat.post(f"/api/rooms/{room['id']}/messages", json={"content": "hi", "messageType": "text"},
                             token=bob["accessToken"]), 404, "room_not_found")
    post_message(chat, room["id"], alice["accessToken"], "hello stranger")
    assert presence_of(api, alice, bob) == {} and presence_of(api, bob, alice) == {}
    # He hears of the invitation live, and finds it in his list.
    created = bob_socket.next(lambda e: e["type"] == "invitation.created")
    assert created["roomId"] == room["id"] and created["data"]["invitation"]["invitedBy"]["id"] == alice["user"]["id"]
    assert not any(e["type"] == "message.created" for e in bob_socket.events)
    listed, = invitations(chat, bob)
    assert listed["room"]["id"] == room["id"] and listed["invitedBy"]["username"] == alice["user"]["username"]
    assert "lastMessage" not in listed["room"] or listed["room"]["lastMessage"] is None
    # Accepting makes him a member: he reads what was said and hears what follows.
    r = chat.post(f"/api/rooms/invitations/{room['id']}/accept", token=bob["accessToken"])
    assert r.status_code == 200, r.text
    assert member_ids(r.json()) == {alice["user"]["id"], bob["user"]["id"]} and r.json()["invitedUserIds"] == []
    assert invitations(chat, bob) == []
    # His sockets start listening (participant.added), then drop the invitation from view.
    bob_socket.next(lambda e: e["type"] == "invitation.removed" and e["roomId"] == room["id"])
    assert any(e["type"] == "participant.added" and e["roomId"] == room["id"] for e in bob_socket.events)
    post_message(chat, room["id"], alice["accessToken"], "welcome")
    bob_socket.next(lambda e: e["type"] == "message.created" and e["data"]["content"] == "welcome")
    texts = [m["content"] for m in chat.get(f"/api/rooms/{room['id']}/messages", token=bob["accessToken"]).json()["messages"]]
    assert "hello stranger" in texts
    assert "online" in presence_of(api, alice, bob)
    assert_problem(chat.post(f"/api/rooms/invitations/{room['id']}/accept", token=bob["accessToken"]), 404, "invitation_not_found")


def test_declining_leaves_nothing_and_asking_again_does_not_re_invite(api, chat):
    alice, bob = register(api), register(api)
    room = direct(chat, alice, bob).json()
    assert chat.post(f"/api/rooms/invitations/{room['id']}/decline", token=bob["accessToken"]).status_code == 204
    assert invitations(chat, bob) == []
    assert_problem(chat.post(f"/api/rooms/invitations/{room['id']}/decline", token=bob["accessToken"]), 404, "invitation_not_found")
    again = direct(chat, alice, bob)
    assert again.status_code == 200 and again.json()["id"] == room["id"] and again.json()["invitedUserIds"] == []
    assert invitations(chat, bob) == []


def test_the_invitee_asking_for_the_same_direct_room_accepts(api, chat):
    alice, bob = register(api), register(api)
    room = direct(chat, alice, bob).json()
    mine = direct(chat, bob, alice)
    assert mine.status_code == 200 and mine.json()["id"] == room["id"], mine.text
    assert member_ids(mine.json()) == {alice["user"]["id"], bob["user"]["id"]}
    assert invitations(chat, bob) == []


def test_a_contact_joins_directly_and_a_stranger_is_invited_to_a_group(api, chat):
    alice, friend, stranger, late = register(api), register(api), register(api), register(api)
    consent(alice["accessToken"], [friend["user"]["id"]])
    r = chat.post("/api/rooms", json={"name": "Mixed", "roomType": "group",
                                      "participantIds": [friend["user"]["id"], stranger["user"]["id"]]}, token=alice["accessToken"])
    assert r.status_code == 201, r.text
    room = r.json()
    assert member_ids(room) == {alice["user"]["id"], friend["user"]["id"]}
    assert room["invitedUserIds"] == [stranger["user"]["id"]]
    # Adding one stranger: 202 and an invitation, with the role it will carry.
    r = chat.post(f"/api/rooms/{room['id']}/participants", json={"userId": late["user"]["id"], "role": "admin"}, token=alice["accessToken"])
    assert r.status_code == 202, r.text
    assert r.json()["invitation"]["userId"] == late["user"]["id"] and r.json()["invitation"]["invitedBy"] == alice["user"]["id"]
    assert_problem(chat.post(f"/api/rooms/{room['id']}/participants", json={"userId": late["user"]["id"]}, token=alice["accessToken"]),
                   409, "already_participant")
    shown = chat.get(f"/api/rooms/{room['id']}", token=friend["accessToken"]).json()
    assert sorted(shown["invitedUserIds"]) == sorted([stranger["user"]["id"], late["user"]["id"]])
    accepted = chat.post(f"/api/rooms/invitations/{room['id']}/accept", token=late["accessToken"]).json()
    assert {p["userId"]: p["role"] for p in accepted["participants"]}[late["user"]["id"]] == "admin"
    # The list form answers both kinds.
    newcomer, known = register(api), register(api)
    consent(alice["accessToken"], [known["user"]["id"]])
    r = chat.post(f"/api/rooms/{room['id']}/participants", json={"userIds": [newcomer["user"]["id"], known["user"]["id"]]},
                  token=alice["accessToken"])
    assert r.status_code == 201, r.text
    assert [p["userId"] for p in r.json()["participants"]] == [known["user"]["id"]]
    assert [i["userId"] for i in r.json()["invitations"]] == [newcomer["user"]["id"]]


def test_someone_who_left_cannot_be_put_back_without_consent(api, chat):
    alice, bob = register(api), register(api)
    room = direct(chat, alice, bob).json()
    group = chat.post("/api/rooms", json={"name": "G", "roomType": "group", "participantIds": [bob["user"]["id"]]},
                      token=alice["accessToken"]).json()
    assert chat.post(f"/api/rooms/invitations/{group['id']}/accept", token=bob["accessToken"]).status_code == 200
    assert chat.post(f"/api/rooms/{group['id']}/leave", token=bob["accessToken"]).status_code == 204
    r = chat.post(f"/api/rooms/{group['id']}/participants", json={"userId": bob["user"]["id"]}, token=alice["accessToken"])
    assert r.status_code == 202, r.text
    assert_problem(chat.get(f"/api/rooms/{group['id']}", token=bob["accessToken"]), 404)
    assert {i["room"]["id"] for i in invitations(chat, bob)} == {room["id"], group["id"]}


def test_invitation_routes_refuse_bad_input(api, chat):
    bob = register(api)
    assert_problem(chat.post("/api/rooms/invitations/not-a-uuid/accept", token=bob["accessToken"]), 400)
    assert_problem(chat.post(f"/api/rooms/invitations/{uuid.uuid4()}/decline", token=bob["accessToken"]), 404, "invitation_not_found")
    assert_problem(chat.get("/api/rooms/invitations"), 401)


def test_a_block_shuts_a_person_out_both_ways(api, chat, user_url):
    alice, bob = register(api), register(api)
    consent(alice["accessToken"], [bob["user"]["id"]])
    consent(bob["accessToken"], [alice["user"]["id"]])
    shared = make_group(chat, alice["accessToken"], [bob["user"]["id"]], name="Before the block")
    users = Api(user_url)
    assert "online" in presence_of(api, alice, bob)
    # Before the block alice's mention reaches bob (and the name is now remembered by chat-service).
    before = post_message(chat, shared["id"], alice["accessToken"], f"hi @{bob['user']['username']}")
    assert before["mentions"] == [bob["user"]["id"]]
    r = users.call("PUT", f"/api/users/me/blocks/{alice['user']['id']}", token=bob["accessToken"])
    assert r.status_code == 201 and r.json()["user"]["id"] == alice["user"]["id"] and "online" not in r.json()["user"], r.text
    assert users.call("PUT", f"/api/users/me/blocks/{alice['user']['id']}", token=bob["accessToken"]).status_code == 200
    listed = users.get("/api/users/me/blocks", token=bob["accessToken"]).json()["blocks"]
    assert [b["user"]["id"] for b in listed] == [alice["user"]["id"]]
    assert users.get("/api/users/me/blocks", token=alice["accessToken"]).json()["blocks"] == []
    # No new room either way, no adding to groups, even though they are contacts.
    assert_problem(direct(chat, alice, bob), 403, "blocked")
    assert_problem(direct(chat, bob, alice), 403, "blocked")
    other = make_group(chat, alice["accessToken"], [], name="Elsewhere")
    assert_problem(chat.post(f"/api/rooms/{other['id']}/participants", json={"userId": bob["user"]["id"]}, token=alice["accessToken"]),
                   403, "blocked")
    # No presence either way; the room they already share stays readable.
    assert presence_of(api, alice, bob) == {} and presence_of(api, bob, alice) == {}
    post_message(chat, shared["id"], alice["accessToken"], "still here")
    assert chat.get(f"/api/rooms/{shared['id']}/messages", token=bob["accessToken"]).status_code == 200
    # alice's @mention of bob does not reach him.
    sent = post_message(chat, shared["id"], alice["accessToken"], f"hey @{bob['user']['username']}")
    assert sent["mentions"] == []
    mentions = chat.get("/api/mentions", token=bob["accessToken"]).json()
    assert all(m["id"] != sent["id"] for m in mentions.get("messages", mentions.get("results", [])))
    # Undone: things are as before.
    assert users.delete(f"/api/users/me/blocks/{alice['user']['id']}", token=bob["accessToken"]).status_code == 204
    assert_problem(users.delete(f"/api/users/me/blocks/{alice['user']['id']}", token=bob["accessToken"]), 404, "block_not_found")
    assert users.get("/api/users/me/blocks", token=bob["accessToken"]).json()["blocks"] == []
    assert direct(chat, alice, bob).status_code == 201
    assert "online" in presence_of(api, alice, bob)


def test_blocking_refuses_bad_input(api, user_url):
    bob = register(api)
    users = Api(user_url)
    assert_problem(users.call("PUT", f"/api/users/me/blocks/{bob['user']['id']}", token=bob["accessToken"]), 400, "cannot_block_self")
    assert_problem(users.call("PUT", f"/api/users/me/blocks/{uuid.uuid4()}", token=bob["accessToken"]), 404, "user_not_found")
    assert_problem(users.call("PUT", "/api/users/me/blocks/nope", token=bob["accessToken"]), 400)
    assert_problem(users.get("/api/users/me/blocks"), 401)


def test_a_blocked_persons_invitations_are_not_listed(api, chat, user_url):
    alice, bob = register(api), register(api)
    direct(chat, alice, bob)
    assert len(invitations(chat, bob)) == 1
    assert Api(user_url).call("PUT", f"/api/users/me/blocks/{alice['user']['id']}", token=bob["accessToken"]).status_code == 201
    assert invitations(chat, bob) == []


def test_live_presence_skips_blocked_people(api, chat, user_url, sockets):
    """A block stops presence events on the socket too, from the moment it is made."""
    alice, bob, carol = register(api), register(api), register(api)
    for person in (alice, bob, carol):
        consent(person["accessToken"], [p["user"]["id"] for p in (alice, bob, carol) if p is not person])
    room = make_group(chat, alice["accessToken"], [bob["user"]["id"], carol["user"]["id"]])
    watcher = sockets(chat.base, alice["accessToken"])
    assert Api(user_url).call("PUT", f"/api/users/me/blocks/{alice['user']['id']}", token=bob["accessToken"]).status_code == 201
    watcher.next(lambda e: e["type"] == "relations.changed")
    # bob comes online, then carol: alice hears carol, never bob (both go through the room's channel, in order).
    sockets(chat.base, bob["accessToken"])
    sockets(chat.base, carol["accessToken"])
    watcher.next(lambda e: e["type"] == "presence" and e["data"]["userId"] == carol["user"]["id"] and e["roomId"] == room["id"])
    assert not [e for e in watcher.events if e["type"] == "presence" and e["data"]["userId"] == bob["user"]["id"]]


@pytest.fixture(scope="module")
def limited_chat(user_url):
    service = ServiceProcess("chat-service", "chat-service-room-limit", AUTH_ISSUER=user_url, USER_SERVICE_URL=user_url,
                             DATABASE_URL_FILE=database_url_file("chat_service"), REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"],
                             REPLICA_ID="chat-room-limit", ROOM_CREATIONS_PER_HOUR=3)
    yield Api(service.base)
    service.stop()


def test_making_rooms_is_limited_per_hour(api, limited_chat):
    flooder, victim = register(api), register(api)
    made = [limited_chat.post("/api/rooms", json={"name": f"spam {n}", "roomType": "group", "participantIds": [victim["user"]["id"]]},
                              token=flooder["accessToken"]) for n in range(3)]
    assert [r.status_code for r in made] == [201] * 3
    # A fourth room within the hour is refused, and makes nothing.
    refused = limited_chat.post("/api/rooms", json={"name": "spam 4", "roomType": "group", "participantIds": [victim["user"]["id"]]},
                                token=flooder["accessToken"])
    assert_problem(refused, 429, "too_many_rooms")
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert len(invitations(limited_chat, victim)) == 3
    # Someone else is not affected.
    assert limited_chat.post("/api/rooms", json={"name": "mine", "roomType": "group", "participantIds": []},
                             token=victim["accessToken"]).status_code == 201


def test_asking_for_an_existing_direct_room_is_not_counted(api, limited_chat):
    alice, bob = register(api), register(api)
    first = limited_chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [bob["user"]["id"]]}, token=alice["accessToken"])
    assert first.status_code == 201
    for _ in range(4):
        again = limited_chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [bob["user"]["id"]]}, token=alice["accessToken"])
        assert again.status_code == 200, again.text
    for n in range(2):
        assert limited_chat.post("/api/rooms", json={"name": f"g{n}", "roomType": "group", "participantIds": []},
                                 token=alice["accessToken"]).status_code == 201


def test_a_block_voids_a_pending_invitation(api, chat, user_url):
    alice, bob = register(api), register(api)
    room = direct(chat, alice, bob).json()
    assert Api(user_url).call("PUT", f"/api/users/me/blocks/{bob['user']['id']}", token=alice["accessToken"]).status_code == 201
    # bob knows the room id from the invitation event, and tries to accept anyway.
    assert_problem(chat.post(f"/api/rooms/invitations/{room['id']}/accept", token=bob["accessToken"]), 403, "blocked")
    assert_problem(chat.get(f"/api/rooms/{room['id']}", token=bob["accessToken"]), 404)
    assert_problem(chat.post(f"/api/rooms/invitations/{room['id']}/accept", token=bob["accessToken"]), 404, "invitation_not_found")


def test_an_invitation_stands_only_while_its_sender_may_add_people(api, chat):
    owner, admin, stranger = register(api), register(api), register(api)
    consent(owner["accessToken"], [admin["user"]["id"]])
    group = make_group(chat, owner["accessToken"], [admin["user"]["id"]])
    assert chat.patch(f"/api/rooms/{group['id']}/participants/{admin['user']['id']}", json={"role": "admin"},
                      token=owner["accessToken"]).status_code == 200
    r = chat.post(f"/api/rooms/{group['id']}/participants", json={"userId": stranger["user"]["id"], "role": "admin"},
                  token=admin["accessToken"])
    assert r.status_code == 202, r.text
    # The admin is removed before the stranger answers: the invitation (and the role it carried) is void.
    assert chat.delete(f"/api/rooms/{group['id']}/participants/{admin['user']['id']}", token=owner["accessToken"]).status_code == 204
    assert_problem(chat.post(f"/api/rooms/invitations/{group['id']}/accept", token=stranger["accessToken"]), 404, "invitation_not_found")
    assert_problem(chat.get(f"/api/rooms/{group['id']}", token=stranger["accessToken"]), 404)


def test_an_invitee_sees_no_content_or_read_positions(api, chat, sockets):
    owner, friend, stranger = register(api), register(api), register(api)
    group = make_group(chat, owner["accessToken"], [friend["user"]["id"]])
    post_message(chat, group["id"], friend["accessToken"], "private plans")
    assert chat.post(f"/api/rooms/{group['id']}/read", json={"messageId": post_message(chat, group["id"], owner["accessToken"], "ok")["id"]},
                     token=owner["accessToken"]).status_code == 200
    watcher = sockets(chat.base, stranger["accessToken"])
    assert chat.post(f"/api/rooms/{group['id']}/participants", json={"userId": stranger["user"]["id"]},
                     token=owner["accessToken"]).status_code == 202
    pushed = watcher.next(lambda e: e["type"] == "invitation.created")["data"]["invitation"]["room"]
    listed = invitations(chat, stranger)[0]["room"]
    for room in (pushed, listed):
        assert room.get("lastMessage") is None, room
        assert all(p.get("lastReadAt") is None and p["lastReadSeq"] == 0 for p in room["participants"]), room["participants"]
        assert "private plans" not in str(room)
