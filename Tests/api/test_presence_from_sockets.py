"""Presence describes people, not calls (issue 24, item 1): someone with the page
open (a socket, on any replica) is online to everyone allowed to see it, within
seconds; they go offline when their last socket closes — or, if the replica
holding it dies, within PRESENCE_SOCKET_SECONDS — and the rooms they are in hear
each change live, with `lastSeenAt` when they leave."""
import os
import signal

import pytest

from conftest import Api, make_group, register, wait_until
from stack_processes import ServiceProcess, database_url_file

pytestmark = pytest.mark.acquainted


def seen_by(api, viewer, person):
    profile = api.get(f"/api/users/{person['user']['id']}", token=viewer["accessToken"]).json()
    return profile.get("online"), profile.get("lastSeenAt")


def test_a_socket_on_any_replica_makes_one_online_to_everyone(api, chat, chat_urls, sockets):
    ann, bob, cid = register(api), register(api), register(api)
    room = make_group(chat, ann["accessToken"], [bob["user"]["id"], cid["user"]["id"]])
    watcher = sockets(chat_urls[0], ann["accessToken"])
    # Calls alone do not make bob online; his page (a socket on the other replica) does, for ann and cid alike.
    assert Api(chat.base).get("/api/rooms", token=bob["accessToken"]).status_code == 200
    assert seen_by(api, ann, bob)[0] is False
    first = sockets(chat_urls[-1], bob["accessToken"])
    assert seen_by(api, ann, bob)[0] is True and seen_by(api, cid, bob)[0] is True
    event = watcher.next(lambda e: e["type"] == "presence" and e["data"]["userId"] == bob["user"]["id"])
    assert event["data"]["online"] is True and event["roomId"] == room["id"]
    # A second page on the other replica: closing the first leaves him online, and no "offline" is announced.
    second = sockets(chat_urls[0], bob["accessToken"])
    first.close()
    wait_until(lambda: seen_by(api, ann, bob)[0] is True, 5, "bob went offline with a page still open")
    # Closing the last one: offline everywhere, with when he was last seen, announced once.
    second.close()
    event = watcher.next(lambda e: e["type"] == "presence" and e["data"]["userId"] == bob["user"]["id"] and not e["data"]["online"])
    assert event["data"]["lastSeenAt"]
    wait_until(lambda: seen_by(api, ann, bob)[0] is False and seen_by(api, cid, bob)[0] is False, 10, "bob still shows online")
    assert seen_by(api, ann, bob)[1] is not None
    offline_events = [e for e in watcher.events if e["type"] == "presence" and e["data"]["userId"] == bob["user"]["id"] and not e["data"]["online"]]
    assert len(offline_events) == 1, offline_events


def test_a_dead_replica_takes_its_people_offline_within_the_bound(api, chat, chat_urls, user_url, sockets):
    ann, bob = register(api), register(api)
    make_group(chat, ann["accessToken"], [bob["user"]["id"]])
    doomed = ServiceProcess("chat-service", "chat-service-presence", AUTH_ISSUER=user_url, USER_SERVICE_URL=user_url,
                            DATABASE_URL_FILE=database_url_file("chat_service"), REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"],
                            REPLICA_ID="chat-presence", PRESENCE_SOCKET_SECONDS=3)
    try:
        watcher = sockets(chat_urls[0], ann["accessToken"])
        sockets(doomed.base, bob["accessToken"])
        wait_until(lambda: seen_by(api, ann, bob)[0] is True, 10, "bob did not come online")
        os.kill(doomed.pid, signal.SIGKILL)
        # No close, no goodbye: within PRESENCE_SOCKET_SECONDS (3) the registry stops counting his socket...
        wait_until(lambda: seen_by(api, ann, bob)[0] is False, 15, "bob stayed online after his replica died")
        # ...and a live replica announces it (its keeper looks every third of its own 60 s lifetime).
        event = watcher.next(lambda e: e["type"] == "presence" and e["data"]["userId"] == bob["user"]["id"] and not e["data"]["online"],
                             timeout=45)
        assert event["data"]["lastSeenAt"]
    finally:
        doomed.stop()
