"""Fixtures for the black-box API tests. `./microchat test` starts the real
stack (PostgreSQL with TLS, Redis, the services) and exports where it runs."""
import uuid

import pytest
import requests

# The shared helpers (Tests/support/helpers.py), also importable from here as before.
from helpers import as_db_owner, psql, require_env as _require, unique, wait_until  # noqa: F401


@pytest.fixture(scope="session")
def user_url():
    return _require("MICROCHAT_TEST_USER_URL")


@pytest.fixture(scope="session")
def stack_data():
    return _require("MICROCHAT_TEST_DATA")


class Api:
    """A small client that remembers a base URL and, once signed in, a token."""

    def __init__(self, base):
        self.base = base
        self.session = requests.Session()
        self.token = None

    def call(self, method, path, json=None, token=None, headers=None, data=None, **kwargs):
        h = dict(headers or {})
        bearer = token if token is not None else self.token
        if bearer:
            h["Authorization"] = f"Bearer {bearer}"
        return self.session.request(method, self.base + path, json=json, data=data, headers=h, timeout=30, **kwargs)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.call("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


def register(api, username=None, password="correct-horse-9", display_name=None, email=None):
    username = username or unique()
    body = {
        "username": username,
        "email": email or f"{username}@example.com",
        "password": password,
        "displayName": display_name or username.title(),
    }
    response = api.post("/api/auth/register", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    data["password"] = password
    _token_of[data["user"]["id"]] = data["accessToken"]
    _id_of[data["accessToken"]] = data["user"]["id"]
    if _acquainted["on"]:
        # In an `acquainted` module, everyone registered in a test knows everyone else there.
        for other in _acquainted["people"]:
            consent(other["user"]["id"], [data["user"]["id"]])
            consent(data["user"]["id"], [other["user"]["id"]])
        _acquainted["people"].append(data)
    return data


# Who registered with which token, so a helper can act for a person by id.
_token_of = {}
_id_of = {}
_acquainted = {"on": False, "people": []}


@pytest.fixture(autouse=True)
def _acquaintances(request):
    """Tests in a module marked `acquainted` register people who all have each other as
    contacts: rooms they make put the others in directly. Elsewhere people are strangers
    and putting one in a room invites them (tests of consent rely on that)."""
    _acquainted["on"] = request.node.get_closest_marker("acquainted") is not None
    _acquainted["people"] = []
    yield
    _acquainted["on"] = False
    _acquainted["people"] = []


def consent(adder, member_ids):
    """Each of `member_ids` adds `adder` (a user id or one of their tokens) as a contact, so
    rooms `adder` puts them in take them in directly instead of inviting them."""
    adder_id = _id_of.get(adder, adder)
    for member in member_ids:
        if member == adder_id or member not in _token_of:
            continue
        r = requests.post(_require("MICROCHAT_TEST_USER_URL") + "/api/contacts", json={"userId": adder_id},
                          headers={"Authorization": "Bearer " + _token_of[member]}, timeout=30)
        assert r.status_code in (201, 409), r.text


@pytest.fixture
def api(user_url):
    return Api(user_url)


@pytest.fixture
def user(api):
    """A freshly registered user; `api` carries its token."""
    data = register(api)
    api.token = data["accessToken"]
    return data


def assert_problem(response, status, code=None):
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    assert response.headers["Content-Type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


# ---------------------------------------------------------------- chat-service

import json as _json
import time as _time

import websocket as _websocket


@pytest.fixture(scope="session")
def chat_urls():
    return _require("MICROCHAT_TEST_CHAT_URLS").split(",")


@pytest.fixture
def chat(chat_urls):
    return Api(chat_urls[0])


@pytest.fixture
def chat_b(chat_urls):
    assert len(chat_urls) >= 2, "the realtime tests need two chat-service replicas"
    return Api(chat_urls[1])


class Socket:
    """A WebSocket client that keeps what it has read, to wait for events by predicate."""

    def __init__(self, base, token, opening=None):
        url = base.replace("http://", "ws://") + f"/api/ws?access_token={token}"
        self.ws = _websocket.create_connection(url, timeout=10)
        self.events = []
        if opening:  # a command sent as the socket opens, before `ready` (as a reconnecting client resumes)
            self.send(**opening)
        ready = self.next(lambda e: e["type"] == "ready")
        self.replica = ready["data"].get("replicaId")

    def send(self, **command):
        self.ws.send(_json.dumps(command))

    def next(self, predicate=lambda e: True, timeout=10):
        deadline = _time.time() + timeout
        while _time.time() < deadline:
            self.ws.settimeout(max(0.05, deadline - _time.time()))
            try:
                raw = self.ws.recv()
            except _websocket.WebSocketTimeoutException:
                break
            event = _json.loads(raw)
            self.events.append(event)
            if predicate(event):
                return event
        raise AssertionError(f"no matching event within {timeout}s; saw {[e['type'] for e in self.events[-10:]]}")

    def messages(self, room_id, count, timeout=20):
        """The next `count` message.created events of a room, in arrival order."""
        got = []
        deadline = _time.time() + timeout
        while len(got) < count:
            remaining = deadline - _time.time()
            if remaining <= 0:
                raise AssertionError(f"got {len(got)} of {count} messages")
            event = self.next(lambda e: e["type"] == "message.created" and e.get("roomId") == room_id, timeout=remaining)
            got.append(event["data"])
        return got

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


@pytest.fixture
def sockets():
    opened = []

    def open_socket(base, token, opening=None):
        s = Socket(base, token, opening)
        opened.append(s)
        return s

    yield open_socket
    for s in opened:
        s.close()


def make_group(chat, owner_token, member_ids, name="Team"):
    """A group whose members all joined: each has the owner as a contact first."""
    consent(owner_token, member_ids)
    r = chat.post("/api/rooms", json={"name": name, "roomType": "group", "participantIds": member_ids}, token=owner_token)
    assert r.status_code == 201, r.text
    return r.json()


def post_message(chat, room_id, token, content, client_id=None):
    body = {"content": content, "messageType": "text"}
    if client_id:
        body["clientMessageId"] = client_id
    r = chat.post(f"/api/rooms/{room_id}/messages", json=body, token=token)
    assert r.status_code == 201, r.text
    return r.json()
