"""The authorization matrix: every chat endpoint × {participant, member of another
room, no token, expired token}. Outsiders get 404 so room ids reveal nothing."""
import time

import requests

from joserfc import jwt
from joserfc.jwk import ECKey

from conftest import make_group, post_message, register
from test_tokens import signing_key_pem


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
        ("DELETE", f"/api/rooms/{room_id}", None),
    ]


def test_authorization_matrix(api, chat, user_url, stack_data):
    owner, member, outsider = register(api), register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    other_room = make_group(chat, outsider["accessToken"], [])
    assert other_room["id"] != room["id"]
    message = post_message(chat, room["id"], member["accessToken"], "inside")

    kid, pem = signing_key_pem(stack_data)
    now = int(time.time())
    expired = jwt.encode({"alg": "ES256", "kid": kid},
                         {"iss": user_url, "sub": owner["user"]["id"], "aud": "microchat", "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600},
                         ECKey.import_key(pem))

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
    assert chat.patch(f"/api/rooms/{room['id']}/participants/{member['user']['id']}", json={"role": "admin"}, token=t).status_code == 200
    assert chat.delete(f"/api/rooms/{room['id']}/messages/{message['id']}", token=t).status_code == 200
    assert chat.delete(f"/api/rooms/{room['id']}/participants/{member['user']['id']}", token=t).status_code == 204
    assert chat.post(f"/api/rooms/{room['id']}/participants", json={"userId": member["user"]["id"]}, token=t).status_code == 201
    assert chat.delete(f"/api/rooms/{room['id']}", token=t).status_code == 204
    # The outsider's own room was never touched.
    assert chat.get(f"/api/rooms/{other_room['id']}", token=outsider["accessToken"]).status_code == 200


def test_websocket_needs_a_valid_token(chat_urls):
    import websocket
    base = chat_urls[0].replace("http://", "ws://")
    for url in (f"{base}/api/ws", f"{base}/api/ws?access_token=garbage"):
        try:
            websocket.create_connection(url, timeout=5)
            raise AssertionError("upgrade accepted without a valid token")
        except websocket.WebSocketBadStatusException as error:
            # The handshake is refused before any frame flows. hummingbird-websocket answers a
            # refused upgrade with its own 400; plain HTTP calls get the 401 problem document.
            assert error.status_code in (400, 401)
    plain = requests.get(chat_urls[0] + "/api/ws?access_token=garbage", timeout=10)
    assert plain.status_code == 401 and plain.json()["code"] == "invalid_token"
