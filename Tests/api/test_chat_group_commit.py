"""Group commit per room: sends that pile up behind a room's commit in flight
go together in its next commit, one bad send in such a batch fails alone, and
rooms commit independently. A test holds a room's row lock from its own
PostgreSQL session, so the pile-up is certain rather than a matter of timing."""
import concurrent.futures
import os
import subprocess
import time
import uuid

from conftest import assert_problem, make_group, post_message, psql, register, wait_until


class RoomLock:
    """Holds `FOR UPDATE` on a room's row in a separate psql session until released."""

    def __init__(self, stack_data, room_id):
        command = ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", f"{stack_data}/postgres/socket",
                   "-p", os.environ["MICROCHAT_TEST_PG_PORT"], "-U", "postgres", "-d", "microchat"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--"] + command
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.process.stdin.write(f"BEGIN;\nSELECT 'locked' FROM chat_service.rooms WHERE id = '{room_id}' FOR UPDATE;\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "locked"

    def release(self):
        self.process.stdin.write("COMMIT;\n")
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0, self.process.stderr.read()


def wait_for_lock_waiters(stack_data, count=1):
    """Until `count` sessions of the service wait on a row lock (the held room lock)."""
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = 'microchat' AND wait_event_type = 'Lock'"
    wait_until(lambda: int(psql(stack_data, query)) >= count, timeout=15, message="no send reached the room's row lock")


def send(chat, room_id, token, content, client_id=None):
    body = {"content": content, "messageType": "text", **({"clientMessageId": client_id} if client_id else {})}
    return chat.post(f"/api/rooms/{room_id}/messages", json=body, token=token)


def test_a_batch_with_a_refused_send_stores_the_others_in_order(api, chat, stack_data):
    owner, member, stranger = register(api), register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    first = post_message(chat, room["id"], owner["accessToken"], "before")
    lock = RoomLock(stack_data, room["id"])
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        # The first send's commit waits for the lock; everything after it queues behind it.
        blocked = pool.submit(send, chat, room["id"], owner["accessToken"], "first in line")
        wait_for_lock_waiters(stack_data)
        jobs = [pool.submit(send, chat, room["id"], owner["accessToken"], f"owner {i}", f"o-{i}") for i in range(5)]
        jobs += [pool.submit(send, chat, room["id"], stranger["accessToken"], "not a member", "s-1")]
        jobs += [pool.submit(send, chat, room["id"], member["accessToken"], f"member {i}", f"m-{i}") for i in range(5)]
        jobs += [pool.submit(send, chat, room["id"], member["accessToken"], "member 0 again", "m-0")]
        time.sleep(1.0)
        assert not blocked.done(), "the send did not wait for the room's row lock"
        lock.release()
        first_in_line = blocked.result(timeout=30)
        answers = [job.result(timeout=30) for job in jobs]
    assert first_in_line.status_code == 201
    assert_problem(answers[5], 404, "room_not_found")
    stored = [r for i, r in enumerate(answers) if i != 5]
    assert all(r.status_code == 201 for r in stored), [r.text for r in stored]
    # The two sends with client id m-0 are one message (whichever arrived first wrote it); nothing else repeats.
    assert stored[-1].json()["id"] == stored[5].json()["id"]
    assert stored[-1].json()["content"] in ("member 0", "member 0 again")
    seqs = [r.json()["seq"] for r in stored[:-1]]
    assert len(set(seqs)) == len(seqs) == 10
    # No seq is skipped: the refused send took none, and so did the repeat.
    assert sorted(seqs + [first_in_line.json()["seq"]]) == list(range(first["seq"] + 1, first["seq"] + 12))
    history = chat.get(f"/api/rooms/{room['id']}/messages?limit=50", token=owner["accessToken"]).json()["messages"]
    contents = [m["content"] for m in history]
    assert contents.count("member 0") + contents.count("member 0 again") == 1 and "not a member" not in contents


def test_rooms_commit_independently(api, chat, stack_data):
    a = register(api)
    busy = make_group(chat, a["accessToken"], [], name="Busy")
    free = make_group(chat, a["accessToken"], [], name="Free")
    lock = RoomLock(stack_data, busy["id"])
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        waiting = pool.submit(send, chat, busy["id"], a["accessToken"], "waits for the lock")
        wait_for_lock_waiters(stack_data)
        # Another room's send is not stuck behind the locked room's commit.
        elsewhere = pool.submit(send, chat, free["id"], a["accessToken"], "goes at once")
        answered = elsewhere.result(timeout=20)
        assert answered.status_code == 201 and answered.json()["seq"] == 1
        assert not waiting.done()
        lock.release()
        assert waiting.result(timeout=30).status_code == 201


def test_nul_characters_are_refused_not_truncated(api, chat):
    a = register(api)
    room = make_group(chat, a["accessToken"], [])
    r = send(chat, room["id"], a["accessToken"], "before\u0000after", str(uuid.uuid4()))
    assert_problem(r, 422, "validation_failed")
    assert chat.get(f"/api/rooms/{room['id']}/messages", token=a["accessToken"]).json()["messages"] == []
