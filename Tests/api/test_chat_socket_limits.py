"""What one WebSocket, or one person's many, may cost the others: typing
floods are coalesced, commands are rate-limited, connections per person are
capped per replica, and an oversize frame closes only its own socket (1009)."""
import json
import math
import time

import requests
import websocket

from conftest import Socket, make_group, register


def drain(sock, seconds, arrivals=None):
    """Everything a socket receives for `seconds` (with each one's time.monotonic() in
    `arrivals`, if given)."""
    got = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        sock.ws.settimeout(max(0.05, deadline - time.time()))
        try:
            got.append(json.loads(sock.ws.recv()))
            if arrivals is not None:
                arrivals.append(time.monotonic())
        except websocket.WebSocketTimeoutException:
            break
    return got


# The default command budget chat-service runs with (WS_COMMANDS_PER_SECOND).
COMMANDS_PER_SECOND = 10


def flood(sock, count, **command):
    """Sends `count` copies of a command as fast as it can; returns when it started."""
    started = time.monotonic()
    for _ in range(count):
        sock.send(**command)
    return started


def refusals_allowed(started, errors, arrivals):
    """How many rate_limited errors a flood may get: one per run of refusals, and a run
    ends only when the budget refills enough for one command, which happens
    COMMANDS_PER_SECOND times a second at most. The refusals all happened between the
    flood's start and the last error's arrival: on a fast machine that is milliseconds
    and the answer is 1; a stalled sender or server earns a few more, never one a frame."""
    last = max((at for event, at in zip(errors, arrivals) if event.get("type") == "error"), default=started)
    return 1 + math.ceil((last - started) * COMMANDS_PER_SECOND)


def test_a_typing_flood_reaches_others_once_per_second(api, chat, chat_b, sockets):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    listener = sockets(chat.base, a["accessToken"])
    typist = sockets(chat_b.base, b["accessToken"])  # another replica: the coalescing holds across replicas
    started = time.time()
    flood_started = flood(typist, 200, type="typing", roomId=room["id"])
    arrivals = []
    answers = drain(typist, 0.5, arrivals)
    # The first typing event crosses replicas (waited for), then whatever else comes in 1.5 s.
    first = listener.next(lambda e: e["type"] == "typing", timeout=10)
    seen = [first] + [e for e in drain(listener, 1.5) if e["type"] == "typing"]
    elapsed = time.time() - started
    assert 1 <= len(seen) <= int(elapsed) + 1, f"{len(seen)} typing events in {elapsed:.1f}s from 200 frames"
    # The flood was answered with one rate_limited error, not one per frame.
    errors = [e for e in answers + typist.events if e["type"] == "error"]
    limited = [e for e in errors if e["data"].get("code") == "rate_limited"]
    assert 1 <= len(limited) <= refusals_allowed(flood_started, answers, arrivals), errors
    assert limited[0]["data"]["retryAfter"] >= 1, errors
    # After the window, typing is heard again.
    time.sleep(3.5)
    typist.send(type="typing", roomId=room["id"])
    assert listener.next(lambda e: e["type"] == "typing", timeout=5)["data"]["userId"] == b["user"]["id"]


def test_commands_over_the_budget_are_dropped_with_one_error(api, chat, sockets):
    a = register(api)
    s = sockets(chat.base, a["accessToken"])
    flood_started = flood(s, 100, type="ping")
    arrivals = []
    got = drain(s, 2, arrivals)
    pongs = [e for e in got if e["type"] == "pong"]
    limited = [e for e in got if e["type"] == "error" and e["data"].get("code") == "rate_limited"]
    assert 30 <= len(pongs) < 100, len(pongs)
    assert 1 <= len(limited) <= refusals_allowed(flood_started, got, arrivals), len(limited)
    # Never two errors for one run of refusals: an answered command lies between any two.
    kinds = ["limited" if e in limited else "pong" for e in got if e in limited or e in pongs]
    assert all(not (x == y == "limited") for x, y in zip(kinds, kinds[1:])), kinds
    # The budget refills: a command a few seconds later is answered.
    time.sleep(2)
    s.send(type="ping")
    assert s.next(lambda e: e["type"] == "pong", timeout=5)


def handshake(base, token):
    """A raw WebSocket handshake, to read a refusal's status, headers and body."""
    return requests.get(base + f"/api/ws?access_token={token}", timeout=10, headers={
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}, stream=True)


def test_connections_per_person_are_capped_per_replica(api, chat, chat_b, sockets):
    a = register(api)
    opened = [sockets(chat.base, a["accessToken"]) for _ in range(32)]
    refused = handshake(chat.base, a["accessToken"])
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["code"] == "too_many_connections"
    # Another person, and the same person on another replica, are not affected.
    assert sockets(chat.base, register(api)["accessToken"]).replica
    assert sockets(chat_b.base, a["accessToken"]).replica
    # Closing one makes room for one more.
    opened[0].close()
    deadline = time.time() + 10
    while True:
        try:
            assert sockets(chat.base, a["accessToken"]).replica
            break
        except websocket.WebSocketBadStatusException as error:
            assert error.status_code == 429 and time.time() < deadline
            time.sleep(0.2)


def test_an_oversize_frame_closes_that_socket_with_1009(api, chat, sockets):
    a = register(api)
    big = sockets(chat.base, a["accessToken"])
    other = sockets(chat.base, a["accessToken"])
    big.ws.send("x" * (65 * 1024))
    big.ws.settimeout(10)
    code = None
    for _ in range(100):  # read raw frames: the library would answer the close itself
        frame = big.ws.recv_frame()
        if frame.opcode == websocket.ABNF.OPCODE_CLOSE:
            code = int.from_bytes(frame.data[:2], "big")
            break
    assert code == 1009, code
    # Nothing else broke: the person's other socket and a new one still work.
    other.send(type="ping")
    assert other.next(lambda e: e["type"] == "pong")
    fresh = Socket(chat.base, a["accessToken"])
    fresh.send(type="ping")
    assert fresh.next(lambda e: e["type"] == "pong")
    fresh.close()


def test_a_message_over_the_limit_in_fragments_closes_with_1009(api, chat, sockets):
    """Each frame under the limit, the message over it: the reader's error decides the close code."""
    a = register(api)
    big = sockets(chat.base, a["accessToken"])
    part = "y" * (40 * 1024)
    big.ws.send_frame(websocket.ABNF.create_frame(part, websocket.ABNF.OPCODE_TEXT, fin=0))
    big.ws.send_frame(websocket.ABNF.create_frame(part, websocket.ABNF.OPCODE_CONT, fin=1))
    big.ws.settimeout(10)
    code = None
    for _ in range(100):
        frame = big.ws.recv_frame()
        if frame.opcode == websocket.ABNF.OPCODE_CLOSE:
            code = int.from_bytes(frame.data[:2], "big")
            break
    assert code == 1009, code
