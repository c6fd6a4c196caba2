"""One's own account (issue 27, item 9): change the password (the current one
required, every other login signed out at once), download one's data, and
delete the account — personal data erased, groups left and handed on, what one
wrote kept as a deleted person's — with every bad case refused and nothing lost."""
import pytest

from conftest import Api, _acquainted, assert_problem, make_group, post_message, register
from test_signed_out_sessions import assert_refused_everywhere, sign_in

pytestmark = pytest.mark.acquainted

NEW_PASSWORD = "battery-staple-42"


def login(user_url, username, password):
    return Api(user_url).post("/api/auth/login", json={"login": username, "password": password})


def wait_closed(socket, timeout=10):
    """Reads until the server closes the socket (or `timeout` passes); True when it closed."""
    socket.ws.settimeout(timeout)
    try:
        while socket.ws.connected:
            socket.ws.recv()
    except Exception:
        pass
    return not socket.ws.connected


def test_changing_the_password_signs_out_every_other_login(api, user_url, chat_urls, sockets):
    me = register(api)
    other_login = sign_in(user_url, me["user"]["username"])
    other_socket = sockets(chat_urls[1], other_login["accessToken"])
    path = "/api/users/me/password"
    assert_problem(api.post(path, json={"currentPassword": "not-it-123", "newPassword": NEW_PASSWORD}, token=me["accessToken"]),
                   403, "wrong_password")
    weak = api.post(path, json={"currentPassword": me["password"], "newPassword": "short"}, token=me["accessToken"])
    assert_problem(weak, 422, "validation_failed")
    assert [e["field"] for e in weak.json()["errors"]] == ["newPassword"]
    assert_problem(api.post(path, json={"currentPassword": me["password"]}, token=me["accessToken"]), 400)
    assert_problem(api.post(path, json={"currentPassword": me["password"], "newPassword": NEW_PASSWORD, "x": 1}, token=me["accessToken"]), 400)
    assert_problem(api.post(path, json={"currentPassword": me["password"], "newPassword": NEW_PASSWORD}, token=""), 401)
    # None of the refusals changed anything.
    assert login(user_url, me["user"]["username"], me["password"]).status_code == 200

    r = api.post(path, json={"currentPassword": me["password"], "newPassword": NEW_PASSWORD}, token=me["accessToken"])
    assert r.status_code == 204, r.text
    assert_problem(login(user_url, me["user"]["username"], me["password"]), 401, "invalid_credentials")
    assert login(user_url, me["user"]["username"], NEW_PASSWORD).status_code == 200
    # The other login is over everywhere: its tokens, its refresh token, its socket.
    assert_refused_everywhere(user_url, chat_urls, other_login["accessToken"])
    assert Api(user_url).post("/api/auth/refresh", json={"refreshToken": other_login["refreshToken"]}).status_code == 401
    assert wait_closed(other_socket), "the other login's socket is still open"
    # This login goes on: its access token and its refresh token.
    assert api.get("/api/users/me", token=me["accessToken"]).status_code == 200
    assert Api(user_url).post("/api/auth/refresh", json={"refreshToken": me["refreshToken"]}).status_code == 200


def test_the_export_holds_ones_profile_contacts_blocks_and_every_message_one_sent(api, chat, user_url):
    me, friend, pest = register(api), register(api), register(api)
    api.patch("/api/users/me", json={"status": "exporting", "bio": "all of it"}, token=me["accessToken"])
    api.patch(f"/api/contacts/{friend['user']['id']}", json={"nickname": "Buddy"}, token=me["accessToken"])
    assert api.call("PUT", f"/api/users/me/blocks/{pest['user']['id']}", token=me["accessToken"]).status_code == 201
    room = make_group(chat, me["accessToken"], [friend["user"]["id"]], name="Export room")
    mine = [post_message(chat, room["id"], me["accessToken"], f"mine {i}") for i in range(3)]
    post_message(chat, room["id"], friend["accessToken"], "not mine")
    r = api.get("/api/users/me/export", token=me["accessToken"])
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["Content-Disposition"].startswith(f'attachment; filename="microchat-{me["user"]["username"]}-')
    assert r.headers["Cache-Control"] == "no-store"
    data = r.json()
    assert data["format"] == "microchat-export/1"
    assert data["profile"]["id"] == me["user"]["id"] and data["profile"]["email"] == me["user"]["email"]
    assert data["profile"]["status"] == "exporting" and data["profile"]["bio"] == "all of it"
    buddy = next(c for c in data["contacts"] if c["userId"] == friend["user"]["id"])
    assert buddy["nickname"] == "Buddy" and buddy["username"] == friend["user"]["username"]
    assert [b["userId"] for b in data["blocked"]] == [pest["user"]["id"]]
    assert room["id"] in [x["id"] for x in data["rooms"]]
    assert [m["content"] for m in data["messages"]] == ["mine 0", "mine 1", "mine 2"]
    assert [m["id"] for m in data["messages"]] == [m["id"] for m in mine]
    assert all(m["roomId"] == room["id"] for m in data["messages"])
    # Only one's own: the friend's export has their message, not mine; no password ever appears.
    theirs = api.get("/api/users/me/export", token=friend["accessToken"]).json()
    assert [m["content"] for m in theirs["messages"]] == ["not mine"]
    assert "password" not in r.text.lower() and "correct-horse" not in r.text
    assert_problem(api.get("/api/users/me/export", token=""), 401)


def test_deleting_the_account_erases_what_is_personal_and_keeps_the_conversations(api, chat, chat_b, user_url, chat_urls, sockets):
    me, admin, member, friend = register(api), register(api), register(api), register(api)
    api.patch("/api/users/me", json={"status": "leaving"}, token=me["accessToken"])
    group = make_group(chat, me["accessToken"], [admin["user"]["id"], member["user"]["id"]], name="Handed on")
    assert chat.patch(f"/api/rooms/{group['id']}/participants/{admin['user']['id']}", json={"role": "admin"},
                      token=me["accessToken"]).status_code == 200
    direct = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [friend["user"]["id"]]}, token=me["accessToken"]).json()
    said = post_message(chat, group["id"], me["accessToken"], "remember me")
    post_message(chat, direct["id"], me["accessToken"], "just between us")
    saved = chat.call("PUT", f"/api/rooms/{group['id']}/messages/{said['id']}/saved", token=me["accessToken"])
    assert saved.status_code == 201
    watcher = sockets(chat_b.base, member["accessToken"])
    my_socket = sockets(chat_urls[0], me["accessToken"])

    # The wrong password, none, or a body that is not one: refused, nothing erased.
    assert_problem(api.call("DELETE", "/api/users/me", json={"password": "not-it-123"}, token=me["accessToken"]), 403, "wrong_password")
    assert_problem(api.call("DELETE", "/api/users/me", json={}, token=me["accessToken"]), 422, "validation_failed")
    assert_problem(api.call("DELETE", "/api/users/me", json={"password": me["password"], "x": 1}, token=me["accessToken"]), 400)
    assert_problem(api.call("DELETE", "/api/users/me", json={"password": me["password"]}, token=""), 401)
    assert api.get("/api/users/me", token=me["accessToken"]).status_code == 200
    assert me["user"]["id"] in [p["userId"] for p in chat.get(f"/api/rooms/{group['id']}", token=admin["accessToken"]).json()["participants"]]

    r = api.call("DELETE", "/api/users/me", json={"password": me["password"]}, token=me["accessToken"])
    assert r.status_code == 204, r.text

    # Signed out everywhere, and the login is gone.
    assert_refused_everywhere(user_url, chat_urls, me["accessToken"])
    assert_problem(login(user_url, me["user"]["username"], me["password"]), 401, "invalid_credentials")
    assert Api(user_url).post("/api/auth/refresh", json={"refreshToken": me["refreshToken"]}).status_code == 401
    # The profile is gone: lookups list the id as missing, the profile route answers 404, contacts drop it.
    lookup = api.post("/internal/users/lookup", json={"ids": [me["user"]["id"]]}, token=friend["accessToken"]).json()
    assert lookup["users"] == [] and lookup["missing"] == [me["user"]["id"]]
    assert_problem(api.get(f"/api/users/{me['user']['id']}", token=friend["accessToken"]), 404, "user_not_found")
    assert me["user"]["id"] not in [c["user"]["id"] for c in api.get("/api/contacts", token=friend["accessToken"]).json()["contacts"]]
    # The group: they left it (the others heard), the admin owns it now, and what they wrote is still there.
    removed = watcher.next(lambda e: e["type"] == "participant.removed" and e["roomId"] == group["id"])
    assert removed["data"]["userId"] == me["user"]["id"]
    room = chat_b.get(f"/api/rooms/{group['id']}", token=admin["accessToken"]).json()
    roles = {p["userId"]: p["role"] for p in room["participants"]}
    assert me["user"]["id"] not in roles and roles[admin["user"]["id"]] == "owner"
    history = chat.get(f"/api/rooms/{group['id']}/messages", token=member["accessToken"]).json()["messages"]
    kept = next(m for m in history if m["id"] == said["id"])
    assert kept["content"] == "remember me" and kept["senderId"] == me["user"]["id"]
    assert history[-1]["messageType"] == "system" and history[-1]["system"]["kind"] == "member_left"
    # The direct room stays with its history, so the friend still knows whom it was with.
    direct_history = chat.get(f"/api/rooms/{direct['id']}/messages", token=friend["accessToken"]).json()["messages"]
    assert [m["content"] for m in direct_history] == ["just between us"]
    # Their socket was closed.
    assert wait_closed(my_socket), "the deleted account's socket is still open"
    # The username is free again, for someone new (who inherits nothing; the others of this test
    # become their contacts, not the deleted account).
    _acquainted["people"] = [p for p in _acquainted["people"] if p["user"]["id"] != me["user"]["id"]]
    again = register(api, username=me["user"]["username"])
    assert again["user"]["id"] != me["user"]["id"]
    assert chat.get("/api/rooms", token=again["accessToken"]).json()["rooms"] == []
    assert chat.get("/api/saved", token=again["accessToken"]).json()["saved"] == []
