"""Real-time delivery: across replicas, one order for everyone, exact resume,
idempotent retries, typing and read receipts over the WebSocket."""
import concurrent.futures
import threading

from conftest import make_group, post_message, register


def test_message_posted_on_replica_a_reaches_listener_on_replica_b(api, chat, chat_b, sockets):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    listener = sockets(chat_b.base, b["accessToken"])
    sender = sockets(chat.base, a["accessToken"])
    assert listener.replica != sender.replica
    sent = post_message(chat, room["id"], a["accessToken"], "across replicas")
    got = listener.messages(room["id"], 1)[0]
    assert got["id"] == sent["id"] and got["content"] == "across replicas"
    assert sender.messages(room["id"], 1)[0]["id"] == sent["id"]


def test_twenty_concurrent_senders_one_order_for_every_listener(api, chat, chat_b, sockets):
    owner = register(api)
    senders = [register(api) for _ in range(20)]
    listeners_users = [register(api) for _ in range(3)]
    room = make_group(chat, owner["accessToken"], [u["user"]["id"] for u in senders + listeners_users])
    bases = [chat.base, chat_b.base]
    listeners = [sockets(bases[i % 2], u["accessToken"]) for i, u in enumerate(listeners_users)]
    per_sender = 5

    def send_all(i):
        base = bases[i % 2]
        client = type(chat)(base)
        return [post_message(client, room["id"], senders[i]["accessToken"], f"s{i}-{k}", client_id=f"s{i}-{k}")["seq"] for k in range(per_sender)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        acked = [seq for seqs in pool.map(send_all, range(20)) for seq in seqs]
    total = 20 * per_sender
    assert sorted(acked) == list(range(1, total + 1))  # every ack has its own place
    orders = [[m["id"] for m in listener.messages(room["id"], total, timeout=60)] for listener in listeners]
    assert all(order == orders[0] for order in orders)
    stored = []
    after = 0
    while True:
        page = chat.get(f"/api/rooms/{room['id']}/messages?after={after}&limit=200", token=owner["accessToken"]).json()
        stored += page["messages"]
        if not page["hasMore"]:
            break
        after = page["messages"][-1]["seq"]
    assert [m["id"] for m in stored] == orders[0]  # the live order is the stored order
    # Each sender's own messages keep their sending order.
    contents = [m["content"] for m in stored]
    for i in range(20):
        mine = [c for c in contents if c.startswith(f"s{i}-")]
        assert mine == [f"s{i}-{k}" for k in range(per_sender)]


def test_resume_after_disconnect_gets_exactly_the_missed_messages(api, chat, chat_b, sockets):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    listener = sockets(chat_b.base, b["accessToken"])
    first = post_message(chat, room["id"], a["accessToken"], "before")
    assert listener.messages(room["id"], 1)[0]["id"] == first["id"]
    listener.close()
    missed = [post_message(chat, room["id"], a["accessToken"], f"missed {i}")["id"] for i in range(100)]
    back = sockets(chat.base, b["accessToken"])
    back.send(type="resume", rooms={room["id"]: first["seq"]})
    replay = back.messages(room["id"], 100, timeout=30)
    assert [m["id"] for m in replay] == missed
    done = back.next(lambda e: e["type"] == "resumed")
    assert done["seq"] == first["seq"] + 100
    # Nothing more (no duplicates) arrives, and live messages continue after the replay.
    live = post_message(chat, room["id"], a["accessToken"], "live again")
    nxt = back.next(lambda e: e["type"] == "message.created")
    assert nxt["data"]["id"] == live["id"]


def test_resume_while_messages_keep_arriving_has_no_gap_or_duplicate(api, chat, chat_b, sockets):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    for i in range(30):
        post_message(chat, room["id"], a["accessToken"], f"old {i}")
    back = sockets(chat_b.base, b["accessToken"])
    stop = threading.Event()
    sent = []

    def keep_sending():
        i = 0
        while not stop.is_set() and i < 40:
            sent.append(post_message(chat, room["id"], a["accessToken"], f"new {i}")["seq"])
            i += 1

    worker = threading.Thread(target=keep_sending)
    worker.start()
    back.send(type="resume", rooms={room["id"]: 10})
    worker.join()
    total = 30 + len(sent) - 10
    got = back.messages(room["id"], total, timeout=30)
    assert [m["seq"] for m in got] == list(range(11, 31 + len(sent)))


def test_a_resume_sent_as_the_socket_opens_comes_before_any_live_message(api, chat, chat_b, sockets):
    """A reconnecting client says `resume` at once; messages that keep arriving meanwhile must not
    overtake its replay: everything before `resumed` runs on in seq order from the resume point."""
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    for i in range(10):
        post_message(chat, room["id"], a["accessToken"], f"old {i}")
    stop = threading.Event()
    sender = type(chat)(chat.base)

    def keep_sending():
        i = 0
        while not stop.is_set() and i < 3000:
            post_message(sender, room["id"], a["accessToken"], f"new {i}")
            i += 1

    worker = threading.Thread(target=keep_sending)
    worker.start()
    try:
        for attempt in range(6):
            base = (chat, chat_b)[attempt % 2].base
            s = sockets(base, b["accessToken"], opening={"type": "resume", "rooms": {room["id"]: 5}})
            done = s.next(lambda e: e["type"] == "resumed", timeout=30)
            seqs = [e["data"]["seq"] for e in s.events if e["type"] == "message.created" and e.get("roomId") == room["id"]]
            assert seqs == list(range(6, done["seq"] + 1)), f"attempt {attempt}: {seqs[:12]}…"
            # And live delivery goes on after it, in order.
            after = s.messages(room["id"], 3, timeout=30)
            assert [m["seq"] for m in after] == [done["seq"] + 1, done["seq"] + 2, done["seq"] + 3]
            s.close()
    finally:
        stop.set()
        worker.join()


def test_typing_and_read_receipts_reach_the_room(api, chat, chat_b, sockets):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    sa = sockets(chat.base, a["accessToken"])
    sb = sockets(chat_b.base, b["accessToken"])
    sb.send(type="typing", roomId=room["id"])
    typing = sa.next(lambda e: e["type"] == "typing")
    assert typing["roomId"] == room["id"] and typing["data"]["userId"] == b["user"]["id"]
    m = post_message(chat, room["id"], a["accessToken"], "read me")
    sb.messages(room["id"], 1)
    sb.send(type="read", roomId=room["id"], messageId=m["id"])
    receipt = sa.next(lambda e: e["type"] == "read.updated")
    assert receipt["data"]["userId"] == b["user"]["id"] and receipt["data"]["messageId"] == m["id"]
    sa.send(type="ping")
    assert sa.next(lambda e: e["type"] == "pong")
    sa.send(type="typing", roomId="00000000-0000-0000-0000-000000000000")
    assert sa.next(lambda e: e["type"] == "error")["data"]["code"] == "room_not_found"
    sa.ws.send("not json")
    assert sa.next(lambda e: e["type"] == "error")["data"]["code"] == "malformed_command"


def test_edits_deletes_and_new_rooms_arrive_live(api, chat, chat_b, sockets):
    a, b = register(api), register(api)
    sb = sockets(chat_b.base, b["accessToken"])
    # A room created after connecting is heard at once.
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    sb.next(lambda e: e["type"] == "participant.added" and e["roomId"] == room["id"])
    m = post_message(chat, room["id"], a["accessToken"], "draft")
    sb.messages(room["id"], 1)
    chat.patch(f"/api/rooms/{room['id']}/messages/{m['id']}", json={"content": "final"}, token=a["accessToken"])
    assert sb.next(lambda e: e["type"] == "message.updated")["data"]["content"] == "final"
    chat.delete(f"/api/rooms/{room['id']}/messages/{m['id']}", token=a["accessToken"])
    gone = sb.next(lambda e: e["type"] == "message.deleted")
    assert gone["data"]["id"] == m["id"] and gone["data"]["content"] is None
    # Removed from the room: no more of its messages.
    chat.delete(f"/api/rooms/{room['id']}/participants/{b['user']['id']}", token=a["accessToken"])
    sb.next(lambda e: e["type"] == "participant.removed")
    # The barrier: the sender, listening on the same replica as b, has the message.
    watcher = sockets(chat_b.base, a["accessToken"])
    post_message(chat, room["id"], a["accessToken"], "secret")
    watcher.next(lambda e: e["type"] == "message.created" and e["data"]["content"] == "secret")
    sb.send(type="ping")
    sb.next(lambda e: e["type"] == "pong")
    assert not any(e["type"] == "message.created" and e["data"]["content"] == "secret" for e in sb.events)


def test_resume_accepts_a_last_message_id_and_the_list_and_single_room_shapes(api, chat, chat_b, sockets):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    sent = [post_message(chat, room["id"], a["accessToken"], f"m{i}") for i in range(6)]
    shapes = [
        {"rooms": {room["id"]: sent[1]["id"]}},                          # last message id instead of seq
        {"rooms": [{"roomId": room["id"], "lastSeq": sent[1]["seq"]}]},  # a list of positions
        {"roomId": room["id"], "after": sent[1]["seq"]},                 # one room
        {"roomId": room["id"], "lastMessageId": sent[1]["id"]},
    ]
    for shape in shapes:
        back = sockets(chat_b.base, b["accessToken"])
        back.send(type="resume", **shape)
        assert [m["id"] for m in back.messages(room["id"], 4)] == [m["id"] for m in sent[2:]], shape
        assert back.next(lambda e: e["type"] == "resumed")["seq"] == sent[-1]["seq"]
        back.close()

    # Bad positions are refused with a clear error, and nothing is replayed.
    check = sockets(chat.base, b["accessToken"])
    for bad in ({"rooms": {room["id"]: -1}}, {"rooms": {"not-a-room": 3}}, {"rooms": [{"seq": 3}]},
                {"rooms": {room["id"]: "yesterday"}}, {}):
        check.send(type="resume", **bad)
        error = check.next(lambda e: e["type"] in ("error", "message.created"))
        assert error["type"] == "error" and error["data"]["code"] == "malformed_command", bad
    # A message id from elsewhere is not a position in this room.
    check.send(type="resume", rooms={room["id"]: "00000000-0000-0000-0000-000000000000"})
    assert check.next(lambda e: e["type"] == "error")["data"]["code"] == "message_not_found"


def test_a_room_joined_after_connecting_is_heard_from_where_it_stood(api, chat, chat_b, sockets):
    """participant.added tells the joiner's socket the room's seq at the join: what came before is
    history (read over HTTP), everything after reaches the socket once and in order — and a retry
    of an older message, published again for listeners that may have missed it, is not news here."""
    owner, joiner = register(api), register(api)
    made = chat.post("/api/rooms", json={"roomType": "group", "name": "Open house", "participantIds": [],
                                         "visibility": "public"}, token=owner["accessToken"])
    assert made.status_code == 201, made.text
    room_id = made.json()["id"]
    before = [post_message(chat, room_id, owner["accessToken"], f"before {n}", client_id=f"before-{n}") for n in range(3)]
    listener = sockets(chat_b.base, joiner["accessToken"])
    assert chat.post(f"/api/rooms/{room_id}/join", token=joiner["accessToken"]).status_code == 201
    added = listener.next(lambda e: e["type"] == "participant.added" and e["roomId"] == room_id)
    assert added["data"]["userId"] == joiner["user"]["id"] and added["seq"] == before[-1]["seq"]
    again = post_message(chat, room_id, owner["accessToken"], "before 1", client_id="before-1")
    assert again["id"] == before[1]["id"]
    after = post_message(chat, room_id, owner["accessToken"], "after", client_id="after-0")
    got = []
    while not got or got[-1]["id"] != after["id"]:
        got += listener.messages(room_id, 1)
    # The member_joined record, then the new message: nothing from before the join, nothing twice.
    assert [m["seq"] for m in got] == [before[-1]["seq"] + 1, after["seq"]]
    assert got[0]["system"] == {"kind": "member_joined"}
