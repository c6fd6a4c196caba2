"""Someone outside a room learns nothing of its messages through the side doors:
a file send repeated with an old client id after removal or deletion, a reply's
target, and a search or mentions cursor naming another room's message each
answer as if the message were not there (issue 23, items 7 and 8)."""
import uuid

from conftest import assert_problem, make_group, post_message, register


def upload(chat, room_id, token, data=b"the minutes"):
    r = chat.call("POST", f"/api/rooms/{room_id}/attachments", token=token, data=data,
                  headers={"Content-Type": "text/plain"}, params={"filename": "minutes.txt"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def send_file(chat, room_id, token, attachment_id, client_id):
    return chat.post(f"/api/rooms/{room_id}/messages", token=token,
                     json={"messageType": "file", "attachmentIds": [attachment_id], "clientMessageId": client_id, "content": "see attached"})


def test_a_removed_member_repeating_a_file_send_learns_nothing(api, chat):
    owner, member = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    attachment = upload(chat, room["id"], member["accessToken"])
    first = send_file(chat, room["id"], member["accessToken"], attachment, "file-1")
    assert first.status_code == 201, first.text
    # While a member, the repeat answers the stored message (a retry after a lost answer).
    again = send_file(chat, room["id"], member["accessToken"], attachment, "file-1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    # The owner reacts; after the removal the repeat must not show that (or anything).
    assert chat.post(f"/api/rooms/{room['id']}/messages/{first.json()['id']}/reactions", json={"emoji": "👍"},
                     token=owner["accessToken"]).status_code in (200, 201)
    assert chat.delete(f"/api/rooms/{room['id']}/participants/{member['user']['id']}", token=owner["accessToken"]).status_code == 204
    assert_problem(send_file(chat, room["id"], member["accessToken"], attachment, "file-1"), 404, "room_not_found")


def test_after_the_room_is_deleted_a_repeated_file_send_is_a_404(api, chat):
    owner = register(api)
    room = make_group(chat, owner["accessToken"], [])
    attachment = upload(chat, room["id"], owner["accessToken"])
    assert send_file(chat, room["id"], owner["accessToken"], attachment, "file-2").status_code == 201
    assert chat.delete(f"/api/rooms/{room['id']}", token=owner["accessToken"]).status_code in (200, 204)
    assert_problem(send_file(chat, room["id"], owner["accessToken"], attachment, "file-2"), 404, "room_not_found")


def test_a_stranger_cannot_tell_reply_targets_apart(api, chat):
    owner, stranger = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [])
    present = post_message(chat, room["id"], owner["accessToken"], "still here")
    deleted = post_message(chat, room["id"], owner["accessToken"], "gone soon")
    assert chat.delete(f"/api/rooms/{room['id']}/messages/{deleted['id']}", token=owner["accessToken"]).status_code == 200
    answers = []
    for target in (present["id"], deleted["id"], str(uuid.uuid4())):
        r = chat.post(f"/api/rooms/{room['id']}/messages", token=stranger["accessToken"],
                      json={"messageType": "text", "content": "probe", "replyToId": target})
        assert_problem(r, 404, "room_not_found")
        answers.append((r.status_code, r.json()["code"], r.json()["detail"]))
    assert len(set(answers)) == 1, answers
    # A member still gets the precise answers.
    member_probe = chat.post(f"/api/rooms/{room['id']}/messages", token=owner["accessToken"],
                             json={"messageType": "text", "content": "re", "replyToId": deleted["id"]})
    assert_problem(member_probe, 409, "message_deleted")
    missing = chat.post(f"/api/rooms/{room['id']}/messages", token=owner["accessToken"],
                        json={"messageType": "text", "content": "re", "replyToId": str(uuid.uuid4())})
    assert_problem(missing, 422, "reply_target_not_found")


def test_cursors_naming_another_rooms_message_tell_nothing(api, chat):
    owner, stranger, friend = register(api), register(api), register(api)
    own_room = make_group(chat, stranger["accessToken"], [friend["user"]["id"]])
    # The stranger is mentioned before the secret is written, so a cursor at the secret's
    # time would show that mention: a foreign cursor must not place a window in time.
    post_message(chat, own_room["id"], friend["accessToken"], f"@{stranger['user']['username']} see the plans")
    secret_room = make_group(chat, owner["accessToken"], [])
    secret = post_message(chat, secret_room["id"], owner["accessToken"], "quarterly numbers")
    own = post_message(chat, own_room["id"], stranger["accessToken"], "quarterly plans")
    assert [m["content"] for m in chat.get("/api/mentions", token=stranger["accessToken"]).json()["messages"]] \
        == [f"@{stranger['user']['username']} see the plans"]
    # Another room's message is no cursor: refused exactly like an id that exists nowhere.
    foreign = chat.get(f"/api/search?q=quarterly&before={secret['id']}", token=stranger["accessToken"])
    unknown = chat.get(f"/api/search?q=quarterly&before={uuid.uuid4()}", token=stranger["accessToken"])
    assert_problem(foreign, 400, "invalid_cursor")
    assert_problem(unknown, 400, "invalid_cursor")
    assert foreign.json()["detail"] == unknown.json()["detail"]
    # One's own message still is.
    assert chat.get(f"/api/search?q=quarterly&before={own['id']}", token=stranger["accessToken"]).status_code == 200
    # The mentions list answers a foreign cursor as it answers an unknown one.
    by_foreign = chat.get(f"/api/mentions?before={secret['id']}", token=stranger["accessToken"])
    by_unknown = chat.get(f"/api/mentions?before={uuid.uuid4()}", token=stranger["accessToken"])
    assert by_foreign.status_code == by_unknown.status_code == 200
    assert by_foreign.json()["messages"] == by_unknown.json()["messages"] == []
