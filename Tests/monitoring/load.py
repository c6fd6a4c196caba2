"""The load the monitoring check drives through the real stack before it asks
Prometheus anything: people sending into one group room through ui-service
and straight to both chat-service replicas, listeners reading on both replicas
and through ui-service, one client that stops reading (a slow client), 4xx
answers on purpose on every service, and 5xx on purpose (PostgreSQL stopped
for a few seconds while sends and profile reads keep coming)."""
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests
import websocket

from helpers import as_db_owner, unique, wait_until

PASSWORD = "correct-horse-9"


@dataclass
class Stack:
    user: str
    chats: list
    ui: str
    data: str
    pg_port: str
    pg_bindir: str


@dataclass
class Tally:
    """What the load saw, counted by the driver itself."""
    acknowledged: int = 0
    statuses: dict = field(default_factory=dict)
    delivered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, service, status):
        with self.lock:
            key = (service, status // 100)
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if service == "send" and status == 201:
                self.acknowledged += 1

    def count(self, service, klass):
        return self.statuses.get((service, klass), 0)


def _call(method, url, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, url, headers=headers, timeout=30, **kwargs)


def register(stack):
    name = unique("mon")
    r = _call("POST", stack.user + "/api/auth/register",
              json={"username": name, "email": f"{name}@example.com", "password": PASSWORD, "displayName": name.title()})
    assert r.status_code == 201, r.text
    body = r.json()
    return {"id": body["user"]["id"], "token": body["accessToken"]}


def group_room(stack, owner, members):
    """A group everyone joined: each member has the owner as a contact first."""
    for member in members:
        r = _call("POST", stack.user + "/api/contacts", member["token"], json={"userId": owner["id"]})
        assert r.status_code in (201, 409), r.text
    r = _call("POST", stack.chats[0] + "/api/rooms", owner["token"],
              json={"name": "Monitoring", "roomType": "group", "participantIds": [m["id"] for m in members]})
    assert r.status_code == 201, r.text
    return r.json()["id"]


class Listener(threading.Thread):
    """Reads one WebSocket continuously and counts the messages it receives."""

    def __init__(self, base, token, tally):
        super().__init__(daemon=True)
        self.ws = websocket.create_connection(base.replace("http", "ws", 1) + f"/api/ws?access_token={token}", timeout=30)
        assert json.loads(self.ws.recv())["type"] == "ready"
        self.tally = tally
        self.start()

    def run(self):
        try:
            while True:
                opcode, data = self.ws.recv_data(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    return
                if opcode == websocket.ABNF.OPCODE_TEXT and json.loads(data)["type"] == "message.created":
                    with self.tally.lock:
                        self.tally.delivered += 1
        except Exception:
            return

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


def slow_client(base, token):
    """A socket that reads `ready` and then nothing, with a tiny receive buffer."""
    ws = websocket.create_connection(base.replace("http", "ws", 1) + f"/api/ws?access_token={token}", timeout=30,
                                     sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
    assert json.loads(ws.recv())["type"] == "ready"
    return ws


def send(stack, base, room, token, tally, content):
    r = _call("POST", f"{base}/api/rooms/{room}/messages", token,
              json={"content": content, "messageType": "text", "clientMessageId": str(uuid.uuid4())})
    tally.answer("send", r.status_code)
    return r


def wrong_requests(stack, room, token, tally):
    """4xx on purpose, on every service: no token, a room that does not exist, a malformed send."""
    for service, url in (("user-service", stack.user + "/api/users/me"), ("chat-service", stack.chats[0] + "/api/rooms"),
                         ("ui-service", stack.ui + "/api/rooms")):
        tally.answer(service, _call("GET", url).status_code)
    tally.answer("chat-service", _call("GET", f"{stack.chats[1]}/api/rooms/{uuid.uuid4()}/messages", token).status_code)
    tally.answer("chat-service", _call("POST", f"{stack.chats[0]}/api/rooms/{room}/messages", token, json={"nope": 1}).status_code)


def sending(stack, room, senders, tally, seconds, stop=None):
    """Each sender posts in turn through ui-service and both replicas for `seconds` (or until `stop`)."""
    bases = [stack.ui, *stack.chats]
    content = "m" * 1500

    def run(index, person):
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline and not (stop and stop.is_set()):
            send(stack, bases[(index + n) % len(bases)], room, person["token"], tally, f"{index}-{n} {content}")
            if n % 10 == 0:
                wrong_requests(stack, room, person["token"], tally)
            n += 1

    threads = [threading.Thread(target=run, args=(i, p), daemon=True) for i, p in enumerate(senders)]
    for thread in threads:
        thread.start()
    return threads


def _pg_ctl(stack, *args):
    as_db_owner([f"{stack.pg_bindir}/pg_ctl", "-D", f"{stack.data}/postgres/data", *args])


def database_outage(stack, room, senders, tally, seconds=5):
    """PostgreSQL stopped for `seconds` while sends and profile reads keep coming (each gives up with a 503
    after DATABASE_RECONNECT_WAIT_SECONDS), then started again and waited for: every service ready.
    The failures are spread over several scrapes: a counter's first sample is where rate() starts, so
    failures that all land before one scrape would show as no rate at all."""
    _pg_ctl(stack, "stop", "-m", "fast", "-w")
    stop = threading.Event()

    def reading(service, base):
        while not stop.is_set():
            tally.answer(service, _call("GET", base + "/api/users/me", senders[0]["token"]).status_code)

    threads = sending(stack, room, senders, tally, seconds, stop)
    readers = [threading.Thread(target=reading, args=args, daemon=True)
               for args in (("user-service", stack.user), ("ui-service", stack.ui)) * 2]
    try:
        for thread in readers:
            thread.start()
        stop.wait(seconds)
    finally:
        stop.set()
        for thread in threads + readers:
            thread.join()
        _pg_ctl(stack, "start", "-w", "-t", "60", "-l", f"{stack.data}/logs/postgres.log",
                "-o", f"-p {stack.pg_port} -k {stack.data}/postgres/socket")
    for base in (stack.user, *stack.chats, stack.ui):
        wait_until(lambda: _call("GET", base + "/readyz").status_code == 200, timeout=60,
                   message=f"{base} did not become ready again after PostgreSQL came back")


def drive(stack, seconds=8):
    """Runs the whole load; returns (tally, things to close once Prometheus has been asked)."""
    tally = Tally()
    owner = register(stack)
    senders = [register(stack) for _ in range(4)]
    readers = [register(stack) for _ in range(3)]
    stalled = register(stack)
    room = group_room(stack, owner, [*senders, *readers, stalled])
    listeners = [Listener(base, person["token"], tally) for base, person in zip([*stack.chats, stack.ui], readers)]
    slow = slow_client(stack.chats[1], stalled["token"])
    for thread in sending(stack, room, senders, tally, seconds):
        thread.join()
    database_outage(stack, room, senders, tally)
    for thread in sending(stack, room, senders, tally, seconds):
        thread.join()
    return tally, [*listeners, slow]
