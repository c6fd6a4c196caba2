"""MicroChat benchmark against the real stack that `./microchat bench` starts.

Prints: acknowledged send throughput, send-to-receive latency percentiles for
a room with many listeners (listeners spread over every chat-service replica),
and the resident memory each idle WebSocket costs a chat-service replica.

Every listener and every sender is its own process, so the figures measure the
services rather than the Python interpreter's lock (the load still shares the
machine's cores with the services, as on any single host)."""
import argparse
import json
import os
import multiprocessing
import time
import uuid

import requests
import websocket


def register(user_url, tag):
    name = f"bench{tag}{uuid.uuid4().hex[:8]}"
    r = requests.post(f"{user_url}/api/auth/register", json={
        "username": name, "email": f"{name}@example.com", "password": "bench-pass-123", "displayName": name}, timeout=60)
    r.raise_for_status()
    return r.json()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[index]


def listen(url, token, room_id, total, ready, results):
    """One listener: counts the room's messages and keeps each one's send-to-receive latency."""
    ws = websocket.create_connection(f"{url.replace('http://', 'ws://')}/api/ws?access_token={token}", timeout=120)
    ws.recv()  # ready
    ready.wait()
    latencies = []
    try:
        while len(latencies) < total:
            event = json.loads(ws.recv())
            if event.get("type") == "message.created" and event.get("roomId") == room_id:
                latencies.append(time.time() - float(event["data"]["content"].split("|")[0]))
    except (websocket.WebSocketException, OSError):
        pass  # reported as missing deliveries
    ws.close()
    results.put(latencies)


def send(url, token, room_id, index, messages, start, results):
    """One sender: posts its messages one after another, each waiting for its acknowledgement."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    start.wait()
    began = time.time()
    for k in range(messages):
        r = session.post(f"{url}/api/rooms/{room_id}/messages", headers=headers, timeout=60,
                         json={"content": f"{time.time()}|{index}-{k}", "clientMessageId": f"{index}-{k}"})
        r.raise_for_status()
    results.put((began, time.time()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listeners", type=int, default=20)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--messages", type=int, default=100, help="messages per sender")
    parser.add_argument("--idle", type=int, default=1000, help="idle WebSockets for the memory figure")
    args = parser.parse_args()
    user_url = os.environ["MICROCHAT_USER_URL"]
    chat_urls = os.environ["MICROCHAT_CHAT_URLS"].split(",")
    chat_pids = [int(p) for p in os.environ["MICROCHAT_CHAT_PIDS"].split(",")]

    owner = register(user_url, "o")
    listeners = [register(user_url, "l") for _ in range(args.listeners)]
    senders = [register(user_url, "s") for _ in range(args.senders)]
    room = requests.post(f"{chat_urls[0]}/api/rooms", json={
        "name": "bench", "roomType": "group", "participantIds": [u["user"]["id"] for u in listeners + senders]},
        headers={"Authorization": f"Bearer {owner['accessToken']}"}, timeout=60).json()
    room_id = room["id"]
    total = args.senders * args.messages

    processes = multiprocessing.get_context("fork")
    received, acked = processes.Queue(), processes.Queue()
    ready = processes.Barrier(len(listeners) + 1)
    start = processes.Barrier(len(senders) + 1)
    listening = [processes.Process(target=listen, args=(chat_urls[i % len(chat_urls)], u["accessToken"], room_id,
                                                         total, ready, received)) for i, u in enumerate(listeners)]
    sending = [processes.Process(target=send, args=(chat_urls[i % len(chat_urls)], u["accessToken"], room_id, i,
                                                     args.messages, start, acked)) for i, u in enumerate(senders)]
    for process in listening + sending:
        process.start()
    ready.wait(timeout=120)
    time.sleep(0.5)  # subscriptions settle
    start.wait(timeout=120)
    spans = [acked.get(timeout=600) for _ in sending]
    send_elapsed = max(end for _, end in spans) - min(began for began, _ in spans)
    latencies = []
    for _ in listening:
        latencies += received.get(timeout=180)
    for process in listening + sending:
        process.join(timeout=30)
    delivered = len(latencies)

    # Memory per idle connection: a first round of connections is opened and closed so the
    # allocator has grown its pools, then the measured round is opened and held.
    idle_user = register(user_url, "i")

    def open_idle(count):
        opened = []
        for i in range(count):
            base = chat_urls[i % len(chat_urls)].replace("http://", "ws://")
            ws = websocket.create_connection(f"{base}/api/ws?access_token={idle_user['accessToken']}", timeout=60)
            ws.recv()
            opened.append(ws)
        return opened

    for ws in open_idle(max(1, args.idle // 5)):
        ws.close()
    time.sleep(2)
    before = sum(rss_kib(pid) for pid in chat_pids)
    sockets = open_idle(args.idle)
    time.sleep(2)
    after = sum(rss_kib(pid) for pid in chat_pids)
    for ws in sockets:
        ws.close()

    print()
    print(f"MicroChat benchmark — {args.listeners} listeners, {args.senders} senders, one room, {len(chat_urls)} chat-service replica(s)")
    print(f"  acknowledged sends      {total} in {send_elapsed:.2f} s = {total / send_elapsed:.1f} messages/s")
    print(f"  deliveries              {delivered} of {total * args.listeners} expected")
    if latencies:
        ms = [l * 1000 for l in latencies]
        print(f"  send→receive latency    p50 {percentile(ms, 50):.1f} ms   p99 {percentile(ms, 99):.1f} ms   max {max(ms):.1f} ms")
    print(f"  idle WebSockets         {args.idle}: chat-service RSS {before} KiB → {after} KiB "
          f"= {(after - before) / max(1, args.idle):.1f} KiB per connection")
    if delivered != total * args.listeners:
        raise SystemExit("some deliveries were lost")


if __name__ == "__main__":
    main()
