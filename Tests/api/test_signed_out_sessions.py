"""A signed-out session stays ended: after logout, or after a reused refresh token
revoked its family, that login's access tokens are refused everywhere at once — by
user-service and by every chat-service replica, on REST calls, on a new socket
handshake, when asking for a socket ticket and on the socket's `auth` command — not
only when they expire (issue 23, item 2)."""
import json
import uuid

import websocket

from conftest import Api, assert_problem, register
from test_chat_authorization import _handshake


def sign_in(user_url, username):
    r = Api(user_url).post("/api/auth/login", json={"login": username, "password": "correct-horse-9"})
    assert r.status_code == 200, r.text
    return r.json()


def assert_refused_everywhere(user_url, chat_urls, token):
    assert_problem(Api(user_url).get("/api/users/me", token=token), 401, "session_revoked")
    for base in chat_urls:
        assert_problem(Api(base).get("/api/rooms", token=token), 401, "session_revoked")
        assert_problem(Api(base).post("/api/ws/tickets", token=token), 401, "session_revoked")
        status, headers, body = _handshake(base, f"/api/ws?access_token={token}")
        assert status == 401 and json.loads(body)["code"] == "session_revoked", (status, body)
        status, headers, body = _handshake(base, "/api/ws", {"Authorization": "Bearer " + token})
        assert status == 401 and json.loads(body)["code"] == "session_revoked", (status, body)


def test_a_token_used_before_logout_is_refused_after_it(api, user_url, chat_urls):
    user = register(api)
    token = user["accessToken"]
    # Used (and so remembered as verified) on every service first.
    assert Api(user_url).get("/api/users/me", token=token).status_code == 200
    for base in chat_urls:
        assert Api(base).get("/api/rooms", token=token).status_code == 200
    assert Api(user_url).post("/api/auth/logout", json={"refreshToken": user["refreshToken"]}).status_code == 204
    assert_refused_everywhere(user_url, chat_urls, token)


def test_other_logins_of_the_same_person_keep_working(api, user_url, chat_urls):
    user = register(api)
    other = sign_in(user_url, user["user"]["username"])
    assert Api(user_url).post("/api/auth/logout", json={"refreshToken": user["refreshToken"]}).status_code == 204
    assert Api(user_url).get("/api/users/me", token=other["accessToken"]).status_code == 200
    for base in chat_urls:
        assert Api(base).get("/api/rooms", token=other["accessToken"]).status_code == 200


def test_a_reused_refresh_token_ends_the_access_tokens_of_its_family(api, user_url, chat_urls):
    user = register(api)
    first_access, first_refresh = user["accessToken"], user["refreshToken"]
    rotated = Api(user_url).post("/api/auth/refresh", json={"refreshToken": first_refresh})
    assert rotated.status_code == 200, rotated.text
    assert Api(chat_urls[0]).get("/api/rooms", token=rotated.json()["accessToken"]).status_code == 200
    # The stolen, already-used refresh token is presented again: the whole family ends.
    assert_problem(Api(user_url).post("/api/auth/refresh", json={"refreshToken": first_refresh}), 401, "refresh_token_reused")
    for token in (first_access, rotated.json()["accessToken"]):
        assert_refused_everywhere(user_url, chat_urls, token)


def test_the_socket_auth_command_refuses_a_signed_out_token(api, user_url, chat_urls):
    user = register(api)
    stolen = sign_in(user_url, user["user"]["username"])
    ws = websocket.create_connection(chat_urls[0].replace("http://", "ws://") + "/api/ws",
                                     header=["Authorization: Bearer " + user["accessToken"]], timeout=10)
    try:
        assert json.loads(ws.recv())["type"] == "ready"
        assert Api(user_url).post("/api/auth/logout", json={"refreshToken": stolen["refreshToken"]}).status_code == 204
        ws.send(json.dumps({"type": "auth", "accessToken": stolen["accessToken"]}))
        while True:
            event = json.loads(ws.recv())
            if event["type"] in ("error", "authenticated"):
                break
        assert event["type"] == "error" and event["data"]["code"] == "session_revoked", event
        # The socket's own (live) login still renews it.
        ws.send(json.dumps({"type": "auth", "accessToken": user["accessToken"]}))
        while event["type"] != "authenticated":
            event = json.loads(ws.recv())
            assert event["type"] != "error", event
    finally:
        ws.close()


def test_a_refresh_racing_a_logout_leaves_no_live_token(api, user_url):
    """Logout and a refresh of the same login at the same moment: whatever order they
    land in, nothing the refresh handed out outlives the logout."""
    from concurrent.futures import ThreadPoolExecutor
    user = register(api)
    for _ in range(8):
        login = sign_in(user_url, user["user"]["username"])
        with ThreadPoolExecutor(2) as pool:
            refreshed = pool.submit(Api(user_url).post, "/api/auth/refresh", json={"refreshToken": login["refreshToken"]})
            logged_out = pool.submit(Api(user_url).post, "/api/auth/logout", json={"refreshToken": login["refreshToken"]})
            refreshed, logged_out = refreshed.result(), logged_out.result()
        assert logged_out.status_code == 204
        if refreshed.status_code == 200:
            body = refreshed.json()
            assert_problem(Api(user_url).post("/api/auth/refresh", json={"refreshToken": body["refreshToken"]}), 401)
            assert_problem(Api(user_url).get("/api/users/me", token=body["accessToken"]), 401, "session_revoked")
        else:
            assert_problem(refreshed, 401)
