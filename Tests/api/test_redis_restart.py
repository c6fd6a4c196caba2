"""Runs after the rest (marker `disruptive`): restarts the shared Redis mid-conversation under both chat-service replicas."""
import pytest
import os
import re
import subprocess
import time

from conftest import make_group, post_message, register, wait_until

pytestmark = pytest.mark.disruptive(order=1)


def redis_restart(port, data):
    """Stops the suite's Redis; returns how to start it again with its own configuration (password included)."""
    auth = dict(os.environ, REDISCLI_AUTH=os.environ["MICROCHAT_TEST_REDIS_PASSWORD"])
    cli = ["redis-cli", "--tls", "--cacert", os.environ["MICROCHAT_TEST_CA"], "-p", str(port)]
    subprocess.run(cli + ["shutdown", "nosave"], capture_output=True, timeout=30, env=auth)
    deadline = time.time() + 20
    while subprocess.run(cli + ["ping"], capture_output=True, env=auth).returncode == 0 and time.time() < deadline:
        time.sleep(0.1)
    return lambda: subprocess.run(["redis-server", f"{data}/redis/redis.conf"], check=True, timeout=30)


def gap_fill_queries(service):
    """chat_gap_fill_queries_total on one replica (absent until the first)."""
    found = re.search(r"^chat_gap_fill_queries_total(?:\{[^}]*\})? ([0-9.e+]+)$", service.get("/metrics").text, re.M)
    return float(found.group(1)) if found else 0.0


def readiness(service):
    """The replica's /readyz: HTTP status and body."""
    r = service.get("/readyz")
    return r.status_code, r.json()


def degraded_gauge(service):
    found = re.search(r"^chat_delivery_degraded(?:\{[^}]*\})? ([0-9.e+]+)$", service.get("/metrics").text, re.M)
    return float(found.group(1)) if found else None


def room_messages(socket, room_id):
    return [e["data"]["id"] for e in socket.events if e["type"] == "message.created" and e.get("roomId") == room_id]


def test_redis_outage_keeps_delivery_live_through_postgres(api, chat, chat_b, sockets, stack_data):
    """Redis stopped for several seconds while messages flow: sends succeed, listeners on both
    replicas keep receiving each message live (through PostgreSQL), the replicas stay ready and
    say they are degraded; when Redis is back, delivery returns to it with nothing lost or repeated."""
    port = os.environ["MICROCHAT_TEST_REDIS_PORT"]
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    on_a, on_b = sockets(chat.base, b["accessToken"]), sockets(chat_b.base, b["accessToken"])
    # More listeners of the same room on replica B: the refill after Redis returns is read once for them all.
    others = [sockets(chat_b.base, b["accessToken"]) for _ in range(4)]
    before = [post_message(chat, room["id"], a["accessToken"], f"before {i}")["id"] for i in range(3)]
    for listener in [on_a, on_b] + others:
        assert [m["id"] for m in listener.messages(room["id"], 3)] == before
    assert degraded_gauge(chat) == 0 and degraded_gauge(chat_b) == 0
    reads_before = gap_fill_queries(chat_b)

    start = redis_restart(port, stack_data)
    try:
        for replica in (chat, chat_b):
            wait_until(lambda: readiness(replica)[1]["checks"]["delivery"].startswith("degraded:"), timeout=10,
                       message="the replica did not switch delivery to PostgreSQL")
            status, body = readiness(replica)
            assert status == 200 and body["status"] == "degraded" and body["checks"]["postgres"] == "ok", body
            assert degraded_gauge(replica) == 1
        # Messages sent through either replica reach listeners on both, live, while Redis is away.
        during, slowest = [], 0.0
        for i in range(8):
            through = chat if i % 2 == 0 else chat_b
            sent_at = time.monotonic()
            message = post_message(through, room["id"], a["accessToken"], f"during {i}", client_id=f"during-{i}")
            during.append(message["id"])
            for listener in [on_a, on_b] + others:
                listener.next(lambda e: e["type"] == "message.created" and e["data"]["id"] == message["id"], timeout=15)
            slowest = max(slowest, time.monotonic() - sent_at)
        # Live means while the socket stays open, with no resume: how fast is the bench's
        # figure (`./microchat bench --fault redis`), not a test's on a shared machine.
        print(f"slowest delivery without Redis: {slowest:.2f}s")
    finally:
        start()
    for replica in (chat, chat_b):
        wait_until(lambda: readiness(replica)[1]["status"] == "ready", timeout=30, message="the replica did not return to Redis")
        assert degraded_gauge(replica) == 0
    after = [post_message(chat, room["id"], a["accessToken"], f"after {i}")["id"] for i in range(3)]
    for listener in [on_a, on_b] + others:
        got = room_messages(listener, room["id"])
        while len(got) < 14:
            listener.next(lambda e: e["type"] == "message.created" and e.get("roomId") == room["id"], timeout=15)
            got = room_messages(listener, room["id"])
        # Every message once, in order: switching to PostgreSQL and back lost and repeated nothing.
        assert got == before + during + after
    # Nothing more arrives later (a duplicate would come now if it came at all).
    on_b.send(type="ping")
    on_b.next(lambda e: e["type"] == "pong")
    assert room_messages(on_b, room["id"]) == before + during + after
    # Five listeners of one room on replica B: at most one history read for them all (the refill when
    # Redis returned; the polling itself is one query per replica for every room), not one per listener.
    assert gap_fill_queries(chat_b) - reads_before <= 1
    # A client that reconnects and resumes sees everything once, in order.
    fresh = sockets(chat.base, b["accessToken"])
    fresh.send(type="resume", rooms={room["id"]: 0})
    replay = [m["id"] for m in fresh.messages(room["id"], 14, timeout=30)]
    assert replay == before + during + after
