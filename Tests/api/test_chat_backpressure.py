"""A slow client cannot slow anyone else down, and a dead connection is
noticed: each test runs its own chat-service replica (beside the suite's
two, on the same PostgreSQL and Redis) with a small per-connection queue or
a one-second heartbeat."""
import concurrent.futures
import json
import os
import re
import signal
import socket
import threading
import time

import pytest
import requests
import websocket

from conftest import Api, make_group, post_message, register
from stack_processes import ServiceProcess, database_url_file, free_port


def _metric(base, name):
    text = requests.get(base + "/metrics", timeout=5).text
    match = re.search(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M)
    return float(match.group(1)) if match else None


@pytest.fixture
def replica(user_url):
    """Starts a chat-service replica (a ServiceProcess) with the given settings; stops it after the test."""
    started = []

    def start(**settings):
        port = free_port()
        service = ServiceProcess("chat-service", f"chat-extra-{port}", port=port, REPLICA_ID=f"chat-extra-{port}",
                                 DATABASE_URL_FILE=database_url_file("chat_service"),
                                 REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"],
                                 AUTH_ISSUER=user_url, USER_SERVICE_URL=user_url, **settings)
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()


class Reader(threading.Thread):
    """Reads a WebSocket continuously (answering pings) and keeps every event."""

    def __init__(self, base, token):
        super().__init__(daemon=True)
        self.ws = websocket.create_connection(base.replace("http", "ws", 1) + f"/api/ws?access_token={token}", timeout=30)
        self.events = []
        self.closed = None
        self.start()

    def run(self):
        try:
            while True:
                opcode, data = self.ws.recv_data(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    self.closed = int.from_bytes(data[:2], "big") if len(data) >= 2 else 1005
                    return
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    self.events.append(json.loads(data))
        except Exception:
            if self.closed is None:
                self.closed = -1

    def wait_for(self, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events if predicate(e)]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no matching event; saw {[e['type'] for e in self.events[-10:]]}")


def test_a_client_that_stops_reading_is_cut_off_with_4000_and_others_keep_up(api, replica):
    # A queue of 100 events (~400 KB here): far less than the 4.7 MB sent, far more than a
    # reading client falls behind even on a loaded machine.
    base = replica(WS_QUEUE_LIMIT=100, WS_PING_SECONDS=3600).base
    chat = Api(base)
    sender, slow, fast = register(api), register(api), register(api)
    room = make_group(chat, sender["accessToken"], [slow["user"]["id"], fast["user"]["id"]])

    # The slow client reads `ready` and then nothing; its receive buffer is tiny.
    stalled = websocket.create_connection(base.replace("http", "ws", 1) + f"/api/ws?access_token={slow['accessToken']}",
                                          timeout=30, sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
    assert json.loads(stalled.recv())["type"] == "ready"
    reader = Reader(base, fast["accessToken"])
    reader.wait_for(lambda e: e["type"] == "ready")

    total = 1200
    content = "x" * 3900
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: post_message(chat, room["id"], sender["accessToken"], f"{n:04d}{content}"), range(total)))
    posting = time.monotonic() - started

    # The reading client got everything, in order, while the other one stalled.
    delivered = reader.wait_for(lambda e: e["type"] == "message.created" and e["seq"] == total, timeout=60)
    seqs = [e["seq"] for e in reader.events if e["type"] == "message.created"]
    assert seqs == list(range(1, total + 1)), "the reading client lost or reordered messages"
    assert delivered

    # The stalled one is told to reconnect and resume (close code 4000) after what its buffers held.
    stalled.settimeout(60)
    code = None
    while code is None:
        opcode, data = stalled.recv_data(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            code = int.from_bytes(data[:2], "big")
    assert code == 4000, f"closed with {code}"
    stalled.close()
    print(f"\nposted {total} messages in {posting:.1f}s; the stalled client was cut off with 4000")

    # Resuming from nothing brings back every message once.
    resumed = Reader(base, slow["accessToken"])
    resumed.wait_for(lambda e: e["type"] == "ready")
    resumed.ws.send(json.dumps({"type": "resume", "rooms": {room["id"]: 0}}))
    resumed.wait_for(lambda e: e["type"] == "resumed" and e.get("roomId") == room["id"], timeout=60)
    again = [e["seq"] for e in resumed.events if e["type"] == "message.created"]
    assert again == list(range(1, total + 1))
    for client in (reader, resumed):
        client.ws.close()


def test_a_dead_connection_is_noticed_by_the_heartbeat_and_cleaned_up(api, replica):
    # Pings every 3 s: the watcher (a Python thread) must answer each within a period, which a
    # busy machine can delay by a second or more; the ghost is still dropped within a few periods.
    base = replica(WS_PING_SECONDS=3).base
    chat = Api(base)
    watcher, ghost = register(api), register(api)
    room = make_group(chat, watcher["accessToken"], [ghost["user"]["id"]])
    reader = Reader(base, watcher["accessToken"])
    reader.wait_for(lambda e: e["type"] == "ready")
    before = _metric(base, "ws_connections")

    # Connects, then goes silent: it never reads again, so it never answers a ping.
    silent = websocket.create_connection(base.replace("http", "ws", 1) + f"/api/ws?access_token={ghost['accessToken']}", timeout=10)
    assert json.loads(silent.recv())["type"] == "ready"
    deadline = time.monotonic() + 10
    while _metric(base, "ws_connections") != before + 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _metric(base, "ws_connections") == before + 1

    # Within a few ping periods the server drops it, and the room hears the ghost went offline.
    offline = reader.wait_for(lambda e: e["type"] == "presence" and e["data"]["userId"] == ghost["user"]["id"]
                              and e["data"]["online"] is False, timeout=30)
    assert offline
    deadline = time.monotonic() + 10
    while _metric(base, "ws_connections") != before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _metric(base, "ws_connections") == before
    # The watcher, which answers pings, is still connected and still gets messages.
    post_message(chat, room["id"], ghost["accessToken"], "still here?")
    reader.wait_for(lambda e: e["type"] == "message.created" and e["data"]["content"] == "still here?")
    assert reader.closed is None
    silent.close()
    reader.ws.close()


def test_a_stopping_replica_closes_websockets_cleanly_and_nothing_is_lost(api, replica, chat_urls, sockets):
    """SIGTERM (what Kubernetes sends) drains: each client gets a proper close frame (not a dropped
    connection), the process exits cleanly, and the client resumes on another replica losing nothing."""
    stopping = replica()
    chat = Api(stopping.base)
    alice, bob = register(api), register(api)
    room = make_group(chat, alice["accessToken"], [bob["user"]["id"]])
    reader = Reader(stopping.base, bob["accessToken"])
    reader.wait_for(lambda e: e["type"] == "ready")
    post_message(chat, room["id"], alice["accessToken"], "before the stop")
    last = reader.wait_for(lambda e: e["type"] == "message.created")[-1]["data"]["seq"]

    stopping.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    while reader.closed is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert reader.closed in (1000, 1001), f"closed with {reader.closed}"
    assert stopping.process.wait(timeout=20) == 0

    # Messages sent while bob is away, through a replica that stays up.
    other = Api(chat_urls[0])
    for n in range(5):
        post_message(other, room["id"], alice["accessToken"], f"while away {n}")
    back = sockets(chat_urls[0], bob["accessToken"])
    back.send(type="resume", rooms={room["id"]: last})
    assert [m["content"] for m in back.messages(room["id"], 5)] == [f"while away {n}" for n in range(5)]
