"""Runs after the rest (marker `disruptive`): restarts the shared Redis mid-conversation under both chat-service replicas."""
import pytest
import os
import re
import subprocess
import time

from conftest import make_group, post_message, register

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


def test_redis_restart_loses_nothing_for_clients(api, chat, chat_b, sockets, stack_data):
    port = os.environ["MICROCHAT_TEST_REDIS_PORT"]
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    listener = sockets(chat_b.base, b["accessToken"])
    listener.send(type="resume", rooms={room["id"]: 0})
    listener.next(lambda e: e["type"] == "resumed")
    # More listeners of the same room on the same replica: the refill is read once for them all.
    others = [sockets(chat_b.base, b["accessToken"]) for _ in range(5)]  # each has had its `ready`
    before = [post_message(chat, room["id"], a["accessToken"], f"before {i}")["id"] for i in range(5)]
    assert [m["id"] for m in listener.messages(room["id"], 5)] == before
    for other in others:
        assert [m["id"] for m in other.messages(room["id"], 5)] == before
    reads_before = gap_fill_queries(chat_b)

    start = redis_restart(port, stack_data)
    # Sends still succeed while Redis is down: PostgreSQL holds the messages.
    during = [post_message(chat, room["id"], a["accessToken"], f"during {i}")["id"] for i in range(5)]
    start()
    # The replicas resubscribe and the listener is told to resync; the server fills the gap itself.
    listener.next(lambda e: e["type"] == "resync", timeout=30)
    after = [post_message(chat, room["id"], a["accessToken"], f"after {i}")["id"] for i in range(5)]
    got = [m["id"] for m in listener.messages(room["id"], 10, timeout=30)]
    assert got == during + after
    for other in others:
        other.next(lambda e: e["type"] == "resync", timeout=30)
        assert [m["id"] for m in other.messages(room["id"], 10, timeout=30)] == during + after
    # Six listeners of one room on replica B: one read of the missed messages, not six.
    assert gap_fill_queries(chat_b) - reads_before == 1
    # A client that reconnects and resumes sees everything once, in order.
    fresh = sockets(chat.base, b["accessToken"])
    fresh.send(type="resume", rooms={room["id"]: 0})
    replay = [m["id"] for m in fresh.messages(room["id"], 15, timeout=30)]
    assert replay == before + during + after
    assert chat.get("/readyz").status_code == 200
