"""Replies quote what they answer; @mentions resolve to room members at send
time, count in the room list, and are listed by GET /api/mentions."""
import pytest

from conftest import assert_problem, make_group, post_message, psql, register

# People in these tests know each other: rooms they make take the others in (see conftest).
pytestmark = pytest.mark.acquainted


def send(chat, room, token, content, **extra):
    r = chat.post(f"/api/rooms/{room}/messages", json={"content": content, "messageType": "text", **extra}, token=token)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_reply_quotes_its_original_in_the_answer_history_and_events(api, chat, chat_b, sockets):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    original = post_message(chat, room["id"], a["accessToken"], "  first line of it\nsecond line")
    listener = sockets(chat_b.base, a["accessToken"])
    reply = send(chat_b, room["id"], b["accessToken"], "answering", replyToId=original["id"])
    quote = {"id": original["id"], "senderId": a["user"]["id"], "messageType": "text", "excerpt": "first line of it", "deleted": False}
    assert reply["replyToId"] == original["id"] and reply["replyTo"] == quote
    assert listener.messages(room["id"], 1)[0]["replyTo"] == quote
    page = chat.get(f"/api/rooms/{room['id']}/messages", token=a["accessToken"]).json()["messages"]
    assert page[-1]["replyTo"] == quote and page[0]["replyTo"] is None
    # A long first line is cut to 140 characters.
    long = post_message(chat, room["id"], a["accessToken"], "x" * 300)
    assert len(send(chat, room["id"], b["accessToken"], "re", replyToId=long["id"])["replyTo"]["excerpt"]) == 140
    # Once the original is deleted, the quote says so and shows nothing of it.
    chat.delete(f"/api/rooms/{room['id']}/messages/{original['id']}", token=a["accessToken"])
    page = chat.get(f"/api/rooms/{room['id']}/messages?limit=5", token=b["accessToken"]).json()["messages"]
    quoted = next(m for m in page if m["id"] == reply["id"])["replyTo"]
    assert quoted["deleted"] is True and quoted["excerpt"] is None


def test_bad_replies_are_refused(api, chat):
    a, outsider = register(api), register(api)
    room = make_group(chat, a["accessToken"], [])
    elsewhere = make_group(chat, outsider["accessToken"], [])
    foreign = post_message(chat, elsewhere["id"], outsider["accessToken"], "not yours")
    body = assert_problem(chat.post(f"/api/rooms/{room['id']}/messages", json={"content": "x", "replyToId": foreign["id"]},
                                    token=a["accessToken"]), 422, "reply_target_not_found")
    assert body["errors"][0]["field"] == "replyToId"
    assert_problem(chat.post(f"/api/rooms/{room['id']}/messages", json={"content": "x", "replyToId": "00000000-0000-4000-8000-000000000000"},
                             token=a["accessToken"]), 422, "reply_target_not_found")
    assert_problem(chat.post(f"/api/rooms/{room['id']}/messages", json={"content": "x", "replyToId": "nope"}, token=a["accessToken"]), 400)
    gone = post_message(chat, room["id"], a["accessToken"], "soon deleted")
    chat.delete(f"/api/rooms/{room['id']}/messages/{gone['id']}", token=a["accessToken"])
    assert_problem(chat.post(f"/api/rooms/{room['id']}/messages", json={"content": "x", "replyToId": gone["id"]}, token=a["accessToken"]),
                   409, "message_deleted")
    # Nothing was stored by the refused sends.
    page = chat.get(f"/api/rooms/{room['id']}/messages", token=a["accessToken"]).json()["messages"]
    assert [m["id"] for m in page] == [gone["id"]]


def test_mentions_resolve_to_members_only_and_count_until_read(api, chat, chat_b):
    a, b, c, stranger = register(api), register(api), register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"], c["user"]["id"]])
    text = (f"hi @{b['user']['username'].upper()}, and @{stranger['user']['username']} (not here), "
            f"mail {c['user']['username']}@example.com, `@{c['user']['username']}` in code, @nobody_at_all.")
    message = send(chat_b, room["id"], a["accessToken"], text)
    assert message["mentions"] == [b["user"]["id"]]
    send(chat, room["id"], a["accessToken"], f"@{c['user']['username']}: and you, @{b['user']['username']}!")
    rooms = {r["id"]: r for r in chat.get("/api/rooms", token=b["accessToken"]).json()["rooms"]}
    assert rooms[room["id"]]["unreadCount"] == 2 and rooms[room["id"]]["mentionCount"] == 2
    rooms = {r["id"]: r for r in chat.get("/api/rooms", token=c["accessToken"]).json()["rooms"]}
    assert rooms[room["id"]]["mentionCount"] == 1 and rooms[room["id"]]["muted"] is False
    # Reading up to the first mention leaves one.
    chat.post(f"/api/rooms/{room['id']}/read", json={"messageId": message["id"]}, token=b["accessToken"])
    rooms = {r["id"]: r for r in chat.get("/api/rooms", token=b["accessToken"]).json()["rooms"]}
    assert rooms[room["id"]]["mentionCount"] == 1
    # An edit re-reads the mentions.
    edited = chat.patch(f"/api/rooms/{room['id']}/messages/{message['id']}", json={"content": f"now @{c['user']['username']}"},
                        token=a["accessToken"]).json()
    assert edited["mentions"] == [c["user"]["id"]]
    # The stranger mentioned by name sees nothing.
    assert chat.get("/api/mentions", token=stranger["accessToken"]).json() == {"messages": [], "hasMore": False, "nextBefore": None}


def test_get_mentions_lists_yours_newest_first_paged_and_only_from_your_rooms(api, chat, stack_data):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    sent = [send(chat, room["id"], a["accessToken"], f"@{b['user']['username']} number {i}") for i in range(3)]
    send(chat, room["id"], b["accessToken"], f"talking to myself @{b['user']['username']}")
    first = chat.get("/api/mentions?limit=2", token=b["accessToken"]).json()
    assert [m["id"] for m in first["messages"]] == [sent[2]["id"], sent[1]["id"]] and first["hasMore"]
    rest = chat.get(f"/api/mentions?limit=2&before={first['nextBefore']}", token=b["accessToken"]).json()
    assert [m["id"] for m in rest["messages"]] == [sent[0]["id"]] and not rest["hasMore"] and rest["nextBefore"] is None
    # Deleted messages and rooms one left are not listed.
    chat.delete(f"/api/rooms/{room['id']}/messages/{sent[2]['id']}", token=a["accessToken"])
    assert len(chat.get("/api/mentions", token=b["accessToken"]).json()["messages"]) == 2
    chat.post(f"/api/rooms/{room['id']}/leave", token=b["accessToken"])
    assert chat.get("/api/mentions", token=b["accessToken"]).json()["messages"] == []
    for bad in ["limit=0", "limit=51", "limit=x", "before=nope"]:
        assert_problem(chat.get(f"/api/mentions?{bad}", token=b["accessToken"]), 400)
    assert_problem(chat.get("/api/mentions"), 401)
    # The listing is served by the partial GIN index (only messages that mention someone are in it).
    plan = psql(stack_data, "SET enable_seqscan = off; EXPLAIN SELECT id FROM chat_service.messages m "
                            f"WHERE m.mentions <> '{{}}' AND m.mentions @> ARRAY['{b['user']['id']}'::uuid]")
    assert "messages_mentions" in plan, plan
    assert psql(stack_data, "SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_mentions'").endswith("WHERE (mentions <> '{}'::uuid[])")


def test_muting_is_per_person_idempotent_and_listed(api, chat, chat_b, sockets):
    a, b, outsider = register(api), register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    other_device = sockets(chat_b.base, b["accessToken"])
    room_mate = sockets(chat_b.base, a["accessToken"])
    for _ in range(2):
        r = chat.call("PUT", f"/api/rooms/{room['id']}/mute", token=b["accessToken"])
        assert r.status_code == 200 and r.json() == {"roomId": room["id"], "muted": True}
    listed = lambda who: {r["id"]: r for r in chat.get("/api/rooms", token=who["accessToken"]).json()["rooms"]}[room["id"]]
    assert listed(b)["muted"] is True and listed(a)["muted"] is False
    # b's other devices hear of it (and read the room again: it says muted); the others do not.
    event = other_device.next(lambda e: e["type"] == "room.updated")
    assert event["roomId"] == room["id"] and event["data"]["userId"] == b["user"]["id"]
    assert chat.get(f"/api/rooms/{room['id']}", token=b["accessToken"]).json()["muted"] is True
    assert chat.get(f"/api/rooms/{room['id']}", token=a["accessToken"]).json()["muted"] is False
    with pytest.raises(AssertionError):
        room_mate.next(lambda e: e["type"] == "room.updated", timeout=1)
    assert chat.delete(f"/api/rooms/{room['id']}/mute", token=b["accessToken"]).json() == {"roomId": room["id"], "muted": False}
    assert listed(b)["muted"] is False
    assert_problem(chat.call("PUT", f"/api/rooms/{room['id']}/mute", token=outsider["accessToken"]), 404, "room_not_found")
    assert_problem(chat.call("PUT", "/api/rooms/nope/mute", token=b["accessToken"]), 400)
    assert_problem(chat.call("PUT", f"/api/rooms/{room['id']}/mute"), 401)
