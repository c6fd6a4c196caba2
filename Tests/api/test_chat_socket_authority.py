"""A WebSocket stays authorised only on what is true now: it ends when its
token expires unless the client sends a fresh one (`auth`), and a member whose
removal notification was lost is not given the room again by `resume`."""
import json
import os
import time
import uuid
from datetime import datetime

import pytest
import requests
import websocket

from conftest import Socket, make_group, post_message, psql, register
from stack_processes import ServiceProcess, database_url_file, free_port

# Long enough for the steps between a renewal and an expiry on a busy machine, short
# enough to wait for two expiries.
LIFETIME = 8


@pytest.fixture(scope="module")
def short_lived():
    """user-service issuing short-lived (LIFETIME seconds) access tokens, and a chat-service that trusts it."""
    port = free_port()
    users = ServiceProcess("user-service", "user-service-short-tokens", port=port, ISSUER_URL=f"http://127.0.0.1:{port}",
                           DATABASE_URL_FILE=database_url_file("user_service"), ACCESS_TOKEN_TTL_SECONDS=LIFETIME,
                           REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"], REGISTRATIONS_PER_ADDRESS=1000000)
    chat = ServiceProcess("chat-service", "chat-service-short-tokens", AUTH_ISSUER=users.base, USER_SERVICE_URL=users.base,
                          DATABASE_URL_FILE=database_url_file("chat_service"), REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"],
                          REPLICA_ID="chat-short")
    yield users.base, chat.base
    chat.stop()
    users.stop()


def sign_up(base):
    name = "t" + uuid.uuid4().hex[:10]
    r = requests.post(base + "/api/auth/register", timeout=30,
                      json={"username": name, "email": f"{name}@example.com", "password": "correct-horse-9", "displayName": name})
    assert r.status_code == 201, r.text
    return r.json()


def fresh_token(base, account):
    r = requests.post(base + "/api/auth/refresh", json={"refreshToken": account["refreshToken"]}, timeout=30)
    assert r.status_code == 200, r.text
    account["refreshToken"] = r.json()["refreshToken"]
    return r.json()["accessToken"]


def close_code(sock, timeout):
    """Reads raw frames until the server's close; returns its code."""
    sock.ws.settimeout(timeout)
    while True:
        frame = sock.ws.recv_frame()
        if frame.opcode == websocket.ABNF.OPCODE_CLOSE:
            return int.from_bytes(frame.data[:2], "big")
        if frame.opcode == websocket.ABNF.OPCODE_TEXT:
            sock.events.append(json.loads(frame.data))


def seconds_until(timestamp):
    """Seconds from now to an ISO 8601 time the server sent (negative once past)."""
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp() - time.time()


def test_a_socket_ends_when_its_token_expires(short_lived):
    users, chat = short_lived
    account = sign_up(users)
    s = Socket(chat, account["accessToken"])
    ready = s.events[-1]
    assert ready["type"] == "ready" and ready["data"]["expiresAt"]
    assert close_code(s, LIFETIME + 10) == 4401
    # Closed at the expiry the server stated, not before it (a second for rounding).
    assert seconds_until(ready["data"]["expiresAt"]) <= 1
    assert any(e["type"] == "error" and e["data"]["code"] == "token_expired" for e in s.events), s.events


def test_an_expired_token_stops_a_replay_in_its_middle(short_lived, stack_data):
    """Replays queued just before the token's expiry do not keep the socket reading history
    after it: the writer stops between batches and closes (4401), and later commands go unanswered."""
    users, chat = short_lived
    account = sign_up(users)
    r = requests.post(chat + "/api/rooms", timeout=30, headers={"Authorization": f"Bearer {account['accessToken']}"},
                      json={"name": "history", "roomType": "group", "participantIds": []})
    assert r.status_code == 201, r.text
    room, me = r.json()["id"], account["user"]["id"]
    # A long history, written straight into storage (3,000 messages: six replay batches).
    psql(stack_data, f"""
        INSERT INTO chat_service.messages (id, room_id, seq, sender_id, content, message_type)
        SELECT gen_random_uuid(), '{room}', n, '{me}', 'history ' || n, 'text' FROM generate_series(1, 3000) AS n;
        UPDATE chat_service.rooms SET last_seq = 3000 WHERE id = '{room}';""")
    s = Socket(chat, account["accessToken"])
    expires_at = s.events[-1]["data"]["expiresAt"]
    # Just before the expiry, ten replays of the whole history are asked for (30,000 frames).
    time.sleep(max(0.0, seconds_until(expires_at) - 0.5))
    for _ in range(10):
        s.send(type="resume", rooms={room: 0})
    assert close_code(s, LIFETIME + 30) == 4401
    replayed = sum(1 for e in s.events if e["type"] == "message.created")
    assert any(e["type"] == "error" and e["data"]["code"] == "token_expired" for e in s.events), s.events[-3:]
    # Before, every replay queued ahead of the expiry ran to its end first.
    assert replayed < 10 * 3000, f"all {replayed} replayed messages were sent after the token expired"


def test_a_fresh_token_keeps_the_socket_open(short_lived):
    users, chat = short_lived
    account, stranger = sign_up(users), sign_up(users)
    s = Socket(chat, account["accessToken"])
    first_expiry = s.events[-1]["data"]["expiresAt"]
    # Someone else's token changes nothing; a malformed one is refused. Checked while the
    # socket's own token has most of its life left: the stranger's token is fresh (a
    # refresh, no password hashing) and the socket's cannot lapse in between.
    s.send(type="auth", accessToken=fresh_token(users, stranger))
    assert s.next(lambda e: e["type"] == "error")["data"]["code"] == "wrong_user"
    s.send(type="auth", accessToken="not-a-token")
    assert s.next(lambda e: e["type"] == "error")["data"]["code"] == "invalid_token"
    # A fresh token of one's own, sent a few seconds later, moves the expiry on by as much.
    time.sleep(max(0.0, min(3.0, seconds_until(first_expiry) - 3)))
    s.send(type="auth", accessToken=fresh_token(users, account))
    renewed = s.next(lambda e: e["type"] in ("authenticated", "error"))
    assert renewed["type"] == "authenticated", renewed
    second_expiry = renewed["data"]["expiresAt"]
    assert second_expiry > first_expiry
    # Past the first token's expiry (waited for by the clock the server stated) the socket
    # still answers: the renewal gave it a second or more beyond that point.
    time.sleep(max(0.0, seconds_until(first_expiry) + 0.5))
    assert seconds_until(second_expiry) > 0, "the machine was too slow to check between the two expiries"
    s.send(type="ping")
    assert s.next(lambda e: e["type"] in ("pong", "error"))["type"] == "pong", s.events[-3:]
    # Without another refresh, it ends when the second token does.
    assert close_code(s, LIFETIME + 10) == 4401
    assert seconds_until(second_expiry) <= 1
    assert any(e["type"] == "error" and e["data"]["code"] == "token_expired" for e in s.events), s.events


def test_resume_reads_membership_from_postgres(api, chat, stack_data, sockets):
    owner, member = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    post_message(chat, room["id"], owner["accessToken"], "before")
    s = sockets(chat.base, member["accessToken"])
    # The removal happens where no notification is published: as if its event was lost.
    psql(stack_data, f"DELETE FROM chat_service.room_participants WHERE room_id = '{room['id']}' AND user_id = '{member['user']['id']}'")
    post_message(chat, room["id"], owner["accessToken"], "secret after removal")
    s.send(type="resume", rooms={room["id"]: 0})
    refused = s.next(lambda e: e["type"] in ("error", "resumed") and e.get("roomId") == room["id"])
    assert refused["type"] == "error" and refused["data"]["code"] == "room_not_found", refused
    # Nothing of the room arrives after the resume, live or replayed. The barrier: the owner,
    # on the same replica, has the message; a pong after that on the member's socket comes
    # after anything the replica would have written to it for the same message.
    watcher = sockets(chat.base, owner["accessToken"])
    seen_at = len(s.events)
    post_message(chat, room["id"], owner["accessToken"], "later secret")
    watcher.next(lambda e: e["type"] == "message.created" and e["data"]["content"] == "later secret")
    s.send(type="ping")
    s.next(lambda e: e["type"] == "pong")
    later = s.events[seen_at:]
    assert not [e for e in later if e["type"] == "message.created" and e.get("roomId") == room["id"]], later
    replayed = [e for e in s.events if e["type"] == "message.created" and e["data"]["content"] in ("before", "later secret")]
    assert not [e for e in replayed if e["data"]["content"] == "later secret"]


def test_a_removal_closes_the_room_on_every_replica(api, chat, chat_b, sockets):
    owner, member = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    on_a, on_b = sockets(chat.base, member["accessToken"]), sockets(chat_b.base, member["accessToken"])
    assert chat.delete(f"/api/rooms/{room['id']}/participants/{member['user']['id']}", token=owner["accessToken"]).status_code == 204
    for s in (on_a, on_b):
        s.next(lambda e: e["type"] == "participant.removed" and e.get("roomId") == room["id"])
    # The owner listens on both replicas: each one's copy is the barrier for that replica.
    watchers = [sockets(chat.base, owner["accessToken"]), sockets(chat_b.base, owner["accessToken"])]
    post_message(chat, room["id"], owner["accessToken"], "after the removal")
    for s, watcher in zip((on_a, on_b), watchers):
        watcher.next(lambda e: e["type"] == "message.created" and e["data"]["content"] == "after the removal")
        s.send(type="ping")
        s.next(lambda e: e["type"] == "pong")
        assert not [e for e in s.events if e["type"] == "message.created" and e.get("roomId") == room["id"]]


def test_a_lost_removal_stops_delivery_within_the_recheck_bound(api, user_url, stack_data, sockets):
    """Issue 23, item 9: a removal whose participant.removed never reached the replica (made
    here in PostgreSQL directly) stops live delivery to the removed member within
    MEMBERSHIP_RECHECK_SECONDS, without a resume or a Redis reconnect."""
    replica = ServiceProcess("chat-service", "chat-service-recheck", AUTH_ISSUER=user_url, USER_SERVICE_URL=user_url,
                             DATABASE_URL_FILE=database_url_file("chat_service"), REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"],
                             REPLICA_ID="chat-recheck", MEMBERSHIP_RECHECK_SECONDS=1)
    try:
        from conftest import Api
        chat = Api(replica.base)
        owner, member = register(api), register(api)
        room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
        listener = sockets(replica.base, member["accessToken"])
        watcher = sockets(replica.base, owner["accessToken"])
        post_message(chat, room["id"], owner["accessToken"], "while a member")
        listener.next(lambda e: e["type"] == "message.created" and e["data"]["content"] == "while a member")
        psql(stack_data, f"DELETE FROM chat_service.room_participants WHERE room_id = '{room['id']}' AND user_id = '{member['user']['id']}'")

        def reached_member(n):
            """Posts one message; after the owner's copy (the barrier) and a ping, says whether the member got it."""
            text = f"after the removal {n}"
            post_message(chat, room["id"], owner["accessToken"], text)
            watcher.next(lambda e: e["type"] == "message.created" and e["data"]["content"] == text)
            listener.send(type="ping")
            listener.next(lambda e: e["type"] == "pong")
            return any(e["type"] == "message.created" and e["data"]["content"] == text for e in listener.events)

        deadline, n = time.monotonic() + 20, 0
        while reached_member(n):
            n += 1
            assert time.monotonic() < deadline, f"still delivered {n} messages after the removal"
            time.sleep(0.3)
        # Once stopped, it stays stopped.
        assert not reached_member(n + 1) and not reached_member(n + 2)
    finally:
        replica.stop()
