"""Threads (issue 27, item 1): any message can start one; replies carry
`threadRootId`, take the room's seqs (so resume and gap fills need nothing new),
show on the root as a summary, arrive live on both replicas, stay out of the
room's unread count and last message, and count per thread for whoever follows
it (its author and repliers, until they unfollow). Bad cases refused."""
import pytest

from conftest import assert_problem, make_group, post_message, register

pytestmark = pytest.mark.acquainted


def reply(chat, room, root, token, content, **extra):
    r = chat.post(f"/api/rooms/{room}/messages", json={"content": content, "threadRootId": root, **extra}, token=token)
    assert r.status_code == 201, r.text
    return r.json()


def test_replies_go_in_the_thread_and_the_root_sums_them_up(api, chat, chat_b, sockets):
    a, b, c = register(api), register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"], c["user"]["id"]])
    root = post_message(chat, room["id"], a["accessToken"], "shall we go hiking?")
    listener = sockets(chat_b.base, c["accessToken"])
    first = reply(chat, room["id"], root["id"], b["accessToken"], "yes, Saturday")
    assert first["threadRootId"] == root["id"] and first["seq"] == root["seq"] + 1
    event = listener.next(lambda e: e["type"] == "message.created" and e["data"]["id"] == first["id"])
    assert event["data"]["threadRootId"] == root["id"]
    second = reply(chat_b, room["id"], root["id"], c["accessToken"], "I'll bring tea")
    # The root's summary in history; replies keep their seq place (no gap), marked as thread replies.
    history = chat.get(f"/api/rooms/{room['id']}/messages", token=a["accessToken"]).json()["messages"]
    shown = next(m for m in history if m["id"] == root["id"])
    assert shown["thread"]["replyCount"] == 2 and shown["thread"]["participantIds"] == [c["user"]["id"], b["user"]["id"]]
    assert shown["threadRootId"] is None
    assert [m["seq"] for m in history] == list(range(history[0]["seq"], history[-1]["seq"] + 1))
    # The thread itself.
    thread = chat_b.get(f"/api/rooms/{room['id']}/threads/{root['id']}", token=b["accessToken"]).json()
    assert thread["root"]["id"] == root["id"] and [m["content"] for m in thread["replies"]] == ["yes, Saturday", "I'll bring tea"]
    assert thread["following"] is True and thread["hasMore"] is False
    later = chat.get(f"/api/rooms/{room['id']}/threads/{root['id']}?after={first['seq']}", token=b["accessToken"]).json()
    assert [m["id"] for m in later["replies"]] == [second["id"]]
    # The room: its last message and unread count leave thread replies out.
    listed = next(r for r in chat.get("/api/rooms", token=a["accessToken"]).json()["rooms"] if r["id"] == room["id"])
    assert listed["lastMessage"]["id"] == root["id"] and listed["unreadCount"] == 0


def test_followers_count_unread_replies_per_thread_and_can_stop(api, chat):
    a, b, c = register(api), register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"], c["user"]["id"]])
    root = post_message(chat, room["id"], a["accessToken"], "plans")
    reply(chat, room["id"], root["id"], b["accessToken"], f"@{a['user']['username']} see this")
    reply(chat, room["id"], root["id"], b["accessToken"], "and this")

    def followed(token):
        return {t["root"]["id"]: (t["unreadCount"], t["mentionCount"]) for t in chat.get("/api/threads", token=token).json()["threads"]}

    # The root's author and the replier follow; c, who did neither, does not.
    assert followed(a["accessToken"])[root["id"]] == (2, 1)
    assert followed(b["accessToken"])[root["id"]] == (0, 0)
    assert root["id"] not in followed(c["accessToken"])
    assert chat.post(f"/api/rooms/{room['id']}/threads/{root['id']}/read", token=a["accessToken"]).status_code == 204
    assert followed(a["accessToken"])[root["id"]] == (0, 0)
    # c follows by choice; a stops following, and a reply by someone else does not bring a back.
    r = chat.call("PUT", f"/api/rooms/{room['id']}/threads/{root['id']}/follow", token=c["accessToken"])
    assert r.status_code == 200 and r.json() == {"rootId": root["id"], "following": True}
    assert chat.delete(f"/api/rooms/{room['id']}/threads/{root['id']}/follow", token=a["accessToken"]).json()["following"] is False
    reply(chat, room["id"], root["id"], b["accessToken"], "one more")
    assert root["id"] not in followed(a["accessToken"])
    assert followed(c["accessToken"])[root["id"]] == (3, 0)
    # Replying follows again.
    reply(chat, room["id"], root["id"], a["accessToken"], "back in")
    assert root["id"] in followed(a["accessToken"])


def test_bad_thread_replies_are_refused_and_store_nothing(api, chat):
    a, outsider = register(api), register(api)
    room = make_group(chat, a["accessToken"], [])
    other = make_group(chat, outsider["accessToken"], [])
    root = post_message(chat, room["id"], a["accessToken"], "root")
    child = reply(chat, room["id"], root["id"], a["accessToken"], "child")
    foreign = post_message(chat, other["id"], outsider["accessToken"], "elsewhere")
    send = lambda body, token=a["accessToken"]: chat.post(f"/api/rooms/{room['id']}/messages", json={"content": "x", **body}, token=token)
    r = send({"threadRootId": child["id"]})
    assert_problem(r, 422, "validation_failed")
    assert r.json()["errors"][0]["field"] == "threadRootId"
    assert_problem(send({"threadRootId": foreign["id"]}), 404, "thread_not_found")
    assert_problem(send({"threadRootId": "00000000-0000-4000-8000-000000000000"}), 404, "thread_not_found")
    assert_problem(send({"threadRootId": "nope"}), 400)
    assert_problem(send({"threadRootId": root["id"]}, token=outsider["accessToken"]), 404, "room_not_found")
    gone = post_message(chat, room["id"], a["accessToken"], "to be deleted")
    chat.delete(f"/api/rooms/{room['id']}/messages/{gone['id']}", token=a["accessToken"])
    assert_problem(send({"threadRootId": gone["id"]}), 409, "message_deleted")
    assert_problem(chat.get(f"/api/rooms/{room['id']}/threads/{child['id']}", token=a["accessToken"]), 404, "thread_not_found")
    assert_problem(chat.get(f"/api/rooms/{room['id']}/threads/{root['id']}", token=outsider["accessToken"]), 404, "room_not_found")
    assert_problem(chat.get(f"/api/rooms/{room['id']}/threads/{root['id']}?after=-1", token=a["accessToken"]), 400, "invalid_cursor")
    assert_problem(chat.get("/api/threads", token=""), 401)
    thread = chat.get(f"/api/rooms/{room['id']}/threads/{root['id']}", token=a["accessToken"]).json()
    assert [m["content"] for m in thread["replies"]] == ["child"]
