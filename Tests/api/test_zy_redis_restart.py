"""Runs late: restarts the shared Redis mid-conversation under both chat-service replicas."""
import os
import subprocess
import time

from conftest import make_group, post_message, register


def redis_restart(port, data):
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True, timeout=30)
    deadline = time.time() + 20
    while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode == 0 and time.time() < deadline:
        time.sleep(0.1)
    return lambda: subprocess.run(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", f"{data}/redis", "--save", "",
                                   "--appendonly", "no", "--daemonize", "yes", "--pidfile", f"{data}/run/redis.pid",
                                   "--logfile", f"{data}/logs/redis.log"], check=True, timeout=30)


def test_redis_restart_loses_nothing_for_clients(api, chat, chat_b, sockets, stack_data):
    port = os.environ["MICROCHAT_TEST_REDIS_PORT"]
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    listener = sockets(chat_b.base, b["accessToken"])
    listener.send(type="resume", rooms={room["id"]: 0})
    listener.next(lambda e: e["type"] == "resumed")
    before = [post_message(chat, room["id"], a["accessToken"], f"before {i}")["id"] for i in range(5)]
    assert [m["id"] for m in listener.messages(room["id"], 5)] == before

    start = redis_restart(port, stack_data)
    # Sends still succeed while Redis is down: PostgreSQL holds the messages.
    during = [post_message(chat, room["id"], a["accessToken"], f"during {i}")["id"] for i in range(5)]
    start()
    # The replicas resubscribe and the listener is told to resync; the server fills the gap itself.
    listener.next(lambda e: e["type"] == "resync", timeout=30)
    after = [post_message(chat, room["id"], a["accessToken"], f"after {i}")["id"] for i in range(5)]
    got = [m["id"] for m in listener.messages(room["id"], 10, timeout=30)]
    assert got == during + after
    # A client that reconnects and resumes sees everything once, in order.
    fresh = sockets(chat.base, b["accessToken"])
    fresh.send(type="resume", rooms={room["id"]: 0})
    replay = [m["id"] for m in fresh.messages(room["id"], 15, timeout=30)]
    assert replay == before + during + after
    assert chat.get("/readyz").status_code == 200
