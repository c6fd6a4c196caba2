"""A login's life: signing out (or a stolen refresh token coming back) ends
the WebSockets opened with that login's tokens on every replica, and a login
ends at its absolute lifetime however often its refresh token is rotated."""
import json
import os
import time
import uuid

import requests
import websocket

from conftest import assert_problem, register
from stack_processes import ServiceProcess, database_url_file, free_port


def close_code(sock, timeout=10):
    sock.ws.settimeout(timeout)
    while True:
        frame = sock.ws.recv_frame()
        if frame.opcode == websocket.ABNF.OPCODE_CLOSE:
            return int.from_bytes(frame.data[:2], "big")
        if frame.opcode == websocket.ABNF.OPCODE_TEXT:
            sock.events.append(json.loads(frame.data))


def login(api, account):
    r = requests.post(api.base + "/api/auth/login", json={"login": account["user"]["username"], "password": "correct-horse-9"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_logout_closes_that_logins_sockets_on_every_replica(api, chat, chat_b, sockets):
    account = register(api)
    other_login = login(api, account)
    here = sockets(chat.base, account["accessToken"])
    there = sockets(chat_b.base, account["accessToken"])
    unaffected = sockets(chat.base, other_login["accessToken"])
    assert requests.post(api.base + "/api/auth/logout", json={"refreshToken": account["refreshToken"]}, timeout=30).status_code == 204
    for s in (here, there):
        assert close_code(s) == 4401
        assert any(e["type"] == "error" and e["data"]["code"] == "session_revoked" for e in s.events), s.events
    # The same person's other login keeps its socket.
    unaffected.send(type="ping")
    assert unaffected.next(lambda e: e["type"] == "pong")


def test_a_reused_refresh_token_closes_the_sockets_of_its_login(api, chat, sockets):
    account = register(api)
    s = sockets(chat.base, account["accessToken"])
    first = requests.post(api.base + "/api/auth/refresh", json={"refreshToken": account["refreshToken"]}, timeout=30)
    assert first.status_code == 200
    again = requests.post(api.base + "/api/auth/refresh", json={"refreshToken": account["refreshToken"]}, timeout=30)
    assert_problem(again, 401, "refresh_token_reused")
    assert close_code(s) == 4401


# A login's absolute lifetime in the test below: long enough for a registration and two
# rotations on a busy machine.
FAMILY_SECONDS = 10


def test_a_login_ends_at_its_absolute_lifetime():
    port = free_port()
    service = ServiceProcess("user-service", "user-service-short-family", port=port, ISSUER_URL=f"http://127.0.0.1:{port}",
                             DATABASE_URL_FILE=database_url_file("user_service"), REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"],
                             REFRESH_FAMILY_MAX_SECONDS=FAMILY_SECONDS, REGISTRATIONS_PER_ADDRESS=1000000)
    try:
        name = "f" + uuid.uuid4().hex[:10]
        r = requests.post(service.base + "/api/auth/register", timeout=30,
                          json={"username": name, "email": f"{name}@example.com", "password": "correct-horse-9", "displayName": name})
        family_started_by = time.monotonic()  # the server started the family before it answered
        token = r.json()["refreshToken"]
        # Rotating within the lifetime works, and does not extend it.
        for _ in range(2):
            time.sleep(1)
            r = requests.post(service.base + "/api/auth/refresh", json={"refreshToken": token}, timeout=30)
            assert r.status_code == 200, r.text
            token = r.json()["refreshToken"]
        # Past the first lifetime (by the clock, not a guessed sleep), though not past a lifetime
        # counted from the last rotation: the family ends all the same.
        time.sleep(max(0.0, family_started_by + FAMILY_SECONDS + 0.5 - time.monotonic()))
        assert_problem(requests.post(service.base + "/api/auth/refresh", json={"refreshToken": token}, timeout=30), 401,
                       "refresh_token_expired")
        # A new login starts a new lifetime.
        r = requests.post(service.base + "/api/auth/login", json={"login": name, "password": "correct-horse-9"}, timeout=30)
        assert r.status_code == 200
        assert requests.post(service.base + "/api/auth/refresh", json={"refreshToken": r.json()["refreshToken"]}, timeout=30).status_code == 200
    finally:
        service.stop()
