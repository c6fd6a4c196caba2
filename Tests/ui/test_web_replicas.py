"""The web front over two chat-service replicas: two people on different
replicas chat live, and when one person's replica dies while the other keeps
sending, the page reconnects (through ui-service, to the surviving replica),
resumes, and shows every message once, in order."""
import os
import signal

import pytest

from conftest import unique, wait_until
from stack_processes import ServiceProcess, database_url_file

pytestmark = pytest.mark.disruptive(order=2)


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][0] not in "ZX"
    except FileNotFoundError:
        return False


class Replicas:
    """The chat-service replicas ./microchat test started: replica chat-N listens on the N-th URL."""

    def __init__(self):
        self.data = os.environ["MICROCHAT_TEST_DATA"]
        self.urls = os.environ["MICROCHAT_TEST_CHAT_URLS"].split(",")
        self.user_url = os.environ["MICROCHAT_TEST_USER_URL"]
        self.redis_port = os.environ["MICROCHAT_TEST_REDIS_PORT"]

    def pidfile(self, replica_id):
        return os.path.join(self.data, "run", f"chat-service-{replica_id.split('-')[-1]}.pid")

    def kill(self, replica_id):
        with open(self.pidfile(replica_id)) as handle:
            pid = int(handle.read())
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not _alive(pid), 10, f"{replica_id} did not die")

    def start(self, replica_id):
        """Brings a killed replica back on its port, with its pid file, so the suite's cleanup stops it."""
        number = replica_id.split("-")[-1]
        port = int(self.urls[int(number) - 1].rsplit(":", 1)[1])
        service = ServiceProcess("chat-service", f"chat-service-{number}", port=port, REPLICA_ID=replica_id,
                                 DATABASE_URL_FILE=database_url_file("chat_service"), REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"],
                                 AUTH_ISSUER=self.user_url, USER_SERVICE_URL=self.user_url)
        with open(self.pidfile(replica_id), "w") as handle:
            handle.write(str(service.pid))


@pytest.fixture
def replicas():
    replicas = Replicas()
    if len(replicas.urls) < 2:
        pytest.fail("these tests need two chat-service replicas (./microchat test starts two)")
    killed = []
    replicas.killed = killed
    yield replicas
    for replica_id in killed:
        replicas.start(replica_id)


def connect_on_different_replicas(ada, bob):
    for _ in range(8):
        if ada.replica and bob.replica and ada.replica != bob.replica:
            return
        bob.driver.refresh()
        bob.wait_connected()
    raise AssertionError(f"ui-service kept both pages on {ada.replica}")


def test_users_on_different_replicas_chat_live(browsers, screenshots):
    ada, bob = browsers(), browsers()
    a, b = unique("rpa"), unique("rpb")
    ada.register(a)
    bob.register(b)
    connect_on_different_replicas(ada, bob)
    room_id = ada.start_direct_chat(b)
    ada.send("from one replica")
    bob.open_room(room_id)
    bob.wait_for_text("from one replica")
    bob.send("to the other")
    ada.wait_for_text("to the other")
    assert ada.replica != bob.replica
    # Bob's own message turns from pending to stored on his page when his send is answered,
    # which may come after Ada's live copy: both pages are waited for, not read once.
    wait_until(lambda: ada.stored_messages() == bob.stored_messages(),
               message="the two pages show different messages")


def test_forced_disconnect_while_the_other_sends_leaves_no_gap(browsers, replicas, screenshots):
    ada, bob = browsers(), browsers()
    a, b = unique("fda"), unique("fdb")
    ada.register(a)
    bob.register(b)
    connect_on_different_replicas(ada, bob)
    room_id = bob.start_direct_chat(a)
    bob.send("before the cut")
    ada.open_room(room_id)
    ada.wait_for_text("before the cut")

    lost = ada.replica
    replicas.killed.append(lost)
    replicas.kill(lost)
    sent = [f"while away {n}" for n in range(1, 11)]
    for text in sent:
        bob.send(text)
    ada.wait(lambda d: d.find_element("id", "connection-status").get_attribute("data-state") != "online"
             or ada.replica != lost, message="the page did not notice the dropped connection")
    ada.screenshot(screenshots, "08-reconnecting")
    for text in sent:
        bob.wait_for_text(text, timeout=20)

    ada.wait_connected(timeout=30)
    assert ada.replica != lost
    expected = ["before the cut"] + sent
    ada.wait(lambda d: [t for _, t in ada.stored_messages()] == expected, timeout=20,
             message=f"after reconnect: {ada.stored_messages()}")
    seqs = [seq for seq, _ in ada.stored_messages()]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # Still live afterwards, and the same order on both sides.
    bob.send("after the reconnect")
    ada.wait_for_text("after the reconnect")
    wait_until(lambda: ada.stored_messages() == bob.stored_messages(),
               message="the two pages show different messages")
