"""The authorization matrix: every chat endpoint × {participant, member of another
room, no token, expired token}. Outsiders get 404 so room ids reveal nothing."""
import pytest
import base64
import http.client
import json
import os
import time

import requests
import websocket

from joserfc import jwt
from joserfc.jwk import ECKey

from conftest import make_group, post_message, register
from test_tokens import signing_key_pem

# People in these tests know each other: rooms they make take the others in (see conftest).
pytestmark = pytest.mark.acquainted


def endpoints(room_id, message_id, user_id):
    return [
        ("GET", f"/api/rooms/{room_id}", None),
        ("PATCH", f"/api/rooms/{room_id}", {"name": "x"}),
        ("POST", f"/api/rooms/{room_id}/participants", {"userId": user_id}),
        ("PATCH", f"/api/rooms/{room_id}/participants/{user_id}", {"role": "admin"}),
        ("DELETE", f"/api/rooms/{room_id}/participants/{user_id}", None),
        ("POST", f"/api/rooms/{room_id}/leave", None),
        ("POST", f"/api/rooms/{room_id}/messages", {"content": "hi"}),
        ("GET", f"/api/rooms/{room_id}/messages", None),
        ("PATCH", f"/api/rooms/{room_id}/messages/{message_id}", {"content": "edit"}),
        ("DELETE", f"/api/rooms/{room_id}/messages/{message_id}", None),
        ("POST", f"/api/rooms/{room_id}/read", {"messageId": message_id}),
        ("POST", f"/api/rooms/{room_id}/messages/{message_id}/reactions", {"emoji": "👍"}),
        ("PUT", f"/api/rooms/{room_id}/messages/{message_id}/reactions/%F0%9F%91%8D", None),
        ("DELETE", f"/api/rooms/{room_id}/messages/{message_id}/reactions/%F0%9F%91%8D", None),
        ("GET", f"/api/rooms/{room_id}/pins", None),
        ("PUT", f"/api/rooms/{room_id}/pins/{message_id}", None),
        ("DELETE", f"/api/rooms/{room_id}/pins/{message_id}", None),
        ("PUT", f"/api/rooms/{room_id}/messages/{message_id}/saved", None),
        ("DELETE", f"/api/rooms/{room_id}/messages/{message_id}/saved", None),
        ("GET", f"/api/rooms/{room_id}/messages/{message_id}/preview", None),
        ("GET", f"/api/rooms/{room_id}/messages/{message_id}/preview/image", None),
        ("DELETE", f"/api/rooms/{room_id}/messages/{message_id}/preview", None),
        ("GET", f"/api/rooms/{room_id}/threads/{message_id}", None),
        ("PUT", f"/api/rooms/{room_id}/threads/{message_id}/follow", None),
        ("DELETE", f"/api/rooms/{room_id}/threads/{message_id}/follow", None),
        ("POST", f"/api/rooms/{room_id}/threads/{message_id}/read", None),
        ("PUT", f"/api/rooms/{room_id}/notifications", {"level": "mentions"}),
        ("POST", f"/api/rooms/{room_id}/join", None),
        ("POST", f"/api/rooms/{room_id}/invite-links", {}),
        ("GET", f"/api/rooms/{room_id}/invite-links", None),
        ("DELETE", f"/api/rooms/{room_id}/invite-links/{'A' * 22}", None),
        ("PUT", f"/api/rooms/{room_id}/mute", None),
        ("DELETE", f"/api/rooms/{room_id}/mute", None),
        ("DELETE", f"/api/rooms/{room_id}", None),
    ]


def expired_token(stack_data, issuer, user_id):
    """An access token signed with user-service's own key that expired an hour ago."""
    kid, pem = signing_key_pem(stack_data)
    now = int(time.time())
    return jwt.encode({"alg": "ES256", "kid": kid},
                      {"iss": issuer, "sub": user_id, "aud": "microchat", "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600},
                      ECKey.import_key(pem))


def test_authorization_matrix(api, chat, user_url, stack_data):
    owner, member, outsider = register(api), register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    other_room = make_group(chat, outsider["accessToken"], [])
    assert other_room["id"] != room["id"]
    message = post_message(chat, room["id"], member["accessToken"], "inside")

    expired = expired_token(stack_data, user_url, owner["user"]["id"])

    for method, path, body in endpoints(room["id"], message["id"], member["user"]["id"]):
        nobody = chat.call(method, path, json=body, token="")
        assert nobody.status_code == 401 and nobody.json()["code"] == "missing_token", (method, path, nobody.text)
        stale = chat.call(method, path, json=body, token=expired)
        assert stale.status_code == 401 and stale.json()["code"] == "token_expired", (method, path, stale.text)
        stranger = chat.call(method, path, json=body, token=outsider["accessToken"])
        assert stranger.status_code == 404 and stranger.json()["code"] == "room_not_found", (method, path, stranger.text)
        assert stranger.headers["Content-Type"].startswith("application/problem+json")

    # Participants are let in (the owner, so every endpoint is allowed; run the destructive ones last).
    t = owner["accessToken"]
    assert chat.get(f"/api/rooms/{room['id']}", token=t).status_code == 200
    assert chat.patch(f"/api/rooms/{room['id']}", json={"name": "y"}, token=t).status_code == 200
    assert chat.get(f"/api/rooms/{room['id']}/messages", token=t).status_code == 200
    assert chat.post(f"/api/rooms/{room['id']}/messages", json={"content": "hi"}, token=t).status_code == 201
    assert chat.post(f"/api/rooms/{room['id']}/read", json={"messageId": message["id"]}, token=t).status_code == 200
    assert chat.post(f"/api/rooms/{room['id']}/messages/{message['id']}/reactions", json={"emoji": "👍"}, token=t).status_code == 201
    assert chat.call("PUT", f"/api/rooms/{room['id']}/messages/{message['id']}/reactions/%F0%9F%91%8D", token=t).status_code == 200
    assert chat.delete(f"/api/rooms/{room['id']}/messages/{message['id']}/reactions/%F0%9F%91%8D", token=t).status_code == 200
    assert chat.call("PUT", f"/api/rooms/{room['id']}/pins/{message['id']}", token=t).status_code == 201
    assert chat.get(f"/api/rooms/{room['id']}/pins", token=t).status_code == 200
    assert chat.delete(f"/api/rooms/{room['id']}/pins/{message['id']}", token=t).status_code == 204
    assert chat.call("PUT", f"/api/rooms/{room['id']}/messages/{message['id']}/saved", token=t).status_code == 201
    assert chat.delete(f"/api/rooms/{room['id']}/messages/{message['id']}/saved", token=t).status_code == 204
    # The message has no link: a member is let in and told so; only its author may remove a card.
    preview = f"/api/rooms/{room['id']}/messages/{message['id']}/preview"
    assert chat.get(preview, token=t).json()["status"] == "none"
    assert chat.get(preview + "/image", token=t).json()["code"] == "no_link_preview_image"
    assert chat.delete(preview, token=t).json()["code"] == "not_message_author"
    assert chat.delete(preview, token=member["accessToken"]).status_code == 200
    assert chat.get(f"/api/rooms/{room['id']}/threads/{message['id']}", token=t).status_code == 200
    assert chat.call("PUT", f"/api/rooms/{room['id']}/threads/{message['id']}/follow", token=t).status_code == 200
    assert chat.delete(f"/api/rooms/{room['id']}/threads/{message['id']}/follow", token=t).status_code == 200
    assert chat.post(f"/api/rooms/{room['id']}/threads/{message['id']}/read", token=t).status_code == 204
    assert chat.call("PUT", f"/api/rooms/{room['id']}/notifications", json={"level": "mentions"}, token=t).status_code == 200
    made = chat.post(f"/api/rooms/{room['id']}/invite-links", json={}, token=t)
    assert made.status_code == 201
    assert chat.get(f"/api/rooms/{room['id']}/invite-links", token=t).status_code == 200
    assert chat.delete(f"/api/rooms/{room['id']}/invite-links/{made.json()['code']}", token=t).status_code == 204
    # A private group is joined by invitation or link only: its own members get 404 from /join as well.
    assert chat.post(f"/api/rooms/{room['id']}/join", token=t).status_code == 404
    assert chat.call("PUT", f"/api/rooms/{room['id']}/mute", token=t).status_code == 200
    assert chat.delete(f"/api/rooms/{room['id']}/mute", token=t).status_code == 200
    assert chat.patch(f"/api/rooms/{room['id']}/participants/{member['user']['id']}", json={"role": "admin"}, token=t).status_code == 200
    assert chat.delete(f"/api/rooms/{room['id']}/messages/{message['id']}", token=t).status_code == 200
    assert chat.delete(f"/api/rooms/{room['id']}/participants/{member['user']['id']}", token=t).status_code == 204
    assert chat.post(f"/api/rooms/{room['id']}/participants", json={"userId": member["user"]["id"]}, token=t).status_code == 201
    assert chat.delete(f"/api/rooms/{room['id']}", token=t).status_code == 204
    # Search and mentions take no room in the path: they answer for the caller's rooms only
    # (tested in test_search.py and test_replies_and_mentions.py); without a valid token, 401.
    for path in ["/api/search?q=inside", "/api/mentions", "/api/saved", "/api/threads", "/api/rooms/directory"]:
        assert chat.get(path, token="").json()["code"] == "missing_token"
        assert chat.get(path, token=expired).json()["code"] == "token_expired"
        assert chat.get(path, token=outsider["accessToken"]).status_code == 200
    assert chat.get("/api/search?q=inside", token=outsider["accessToken"]).json()["results"] == []
    # The outsider's own room was never touched.
    assert chat.get(f"/api/rooms/{other_room['id']}", token=outsider["accessToken"]).status_code == 200


def _handshake(base, path, headers=None):
    """A raw WebSocket handshake: (status, headers, body) of chat-service's answer."""
    host, port = base.replace("http://", "").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path, headers={"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                                             "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(), **(headers or {})})
    answer = connection.getresponse()
    body = answer.read() if answer.status != 101 else b""
    connection.close()
    return answer.status, answer.headers, body


def test_websocket_handshake_needs_a_valid_token(api, chat_urls, user_url, stack_data):
    user = register(api)
    expired = expired_token(stack_data, user_url, user["user"]["id"])
    for base in chat_urls:
        refusals = [
            ("/api/ws", {}, "missing_token"),
            ("/api/ws?access_token=garbage", {}, "invalid_token"),
            (f"/api/ws?access_token={expired}", {}, "token_expired"),
            ("/api/ws", {"Authorization": f"Bearer {expired}"}, "token_expired"),
            ("/api/ws", {"Authorization": "Basic dXNlcjpwYXNz"}, "invalid_token"),
        ]
        for path, headers, code in refusals:
            status, answer_headers, body = _handshake(base, path, {**headers, "X-Request-Id": "handshake-check"})
            # Refused before any frame flows, like every other call without a valid token.
            assert status == 401, (path, status, body)
            assert answer_headers["Content-Type"].startswith("application/problem+json")
            assert answer_headers["X-Request-Id"] == "handshake-check"
            problem = json.loads(body)
            assert problem["status"] == 401 and problem["code"] == code, problem
        # A valid token, in either place, is let through and the socket works.
        assert _handshake(base, f"/api/ws?access_token={user['accessToken']}")[0] == 101
        assert _handshake(base, "/api/ws", {"Authorization": f"Bearer {user['accessToken']}"})[0] == 101
        ws = websocket.create_connection(base.replace("http://", "ws://") + "/api/ws",
                                         header=[f"Authorization: Bearer {user['accessToken']}"], timeout=10)
        assert json.loads(ws.recv())["type"] == "ready"
        ws.close()
        # The same URL over plain HTTP gets the same problem document.
        plain = requests.get(base + "/api/ws?access_token=garbage", timeout=10)
        assert plain.status_code == 401 and plain.json()["code"] == "invalid_token"
