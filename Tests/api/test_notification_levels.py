"""Notification levels per room (default, all, mentions and replies, none = muted)
and a do-not-disturb with an end time (issue 27, item 8): kept per person, told
to the person's other devices, never shown to anyone else, bad values refused."""
from datetime import datetime, timedelta, timezone

import pytest

from conftest import assert_problem, make_group, register

pytestmark = pytest.mark.acquainted


def level_of(chat, room_id, token):
    shown = chat.get(f"/api/rooms/{room_id}", token=token).json()
    listed = next(r for r in chat.get("/api/rooms", token=token).json()["rooms"] if r["id"] == room_id)
    assert shown["notificationLevel"] == listed["notificationLevel"] and shown["muted"] == listed["muted"]
    return shown["notificationLevel"], shown["muted"]


def test_each_person_sets_their_own_level_and_mute_is_the_level_none(api, chat, chat_b, sockets):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    assert level_of(chat, room["id"], a["accessToken"]) == ("default", False)
    other_device = sockets(chat_b.base, a["accessToken"])
    path = f"/api/rooms/{room['id']}/notifications"
    for level, muted in (("mentions", False), ("all", False), ("none", True), ("default", False)):
        r = chat.call("PUT", path, json={"level": level}, token=a["accessToken"])
        assert r.status_code == 200, r.text
        assert r.json() == {"roomId": room["id"], "level": level, "muted": muted}
        assert level_of(chat_b, room["id"], a["accessToken"]) == (level, muted)
        # The person's other devices hear it and read the room again.
        event = other_device.next(lambda e: e["type"] == "room.updated" and e["roomId"] == room["id"])
        assert event["data"]["userId"] == a["user"]["id"]
    # Mute and unmute are the level none and back to the default.
    assert chat.call("PUT", f"/api/rooms/{room['id']}/mute", token=a["accessToken"]).json()["muted"] is True
    assert level_of(chat, room["id"], a["accessToken"]) == ("none", True)
    assert chat.delete(f"/api/rooms/{room['id']}/mute", token=a["accessToken"]).status_code == 200
    assert level_of(chat, room["id"], a["accessToken"]) == ("default", False)
    chat.call("PUT", path, json={"level": "mentions"}, token=a["accessToken"])
    # Someone else's choice is theirs: b's level is untouched.
    assert level_of(chat, room["id"], b["accessToken"]) == ("default", False)


def test_bad_levels_are_refused_and_change_nothing(api, chat):
    a, outsider = register(api), register(api)
    room = make_group(chat, a["accessToken"], [])
    path = f"/api/rooms/{room['id']}/notifications"
    chat.call("PUT", path, json={"level": "mentions"}, token=a["accessToken"])
    for body in ({"level": "loud"}, {"level": ""}, {"level": "ALL"}):
        r = chat.call("PUT", path, json=body, token=a["accessToken"])
        assert_problem(r, 422, "validation_failed")
        assert r.json()["errors"][0]["field"] == "level"
    assert_problem(chat.call("PUT", path, json={}, token=a["accessToken"]), 400)
    assert_problem(chat.call("PUT", path, json={"level": "all", "muted": True}, token=a["accessToken"]), 400)
    assert_problem(chat.call("PUT", path, json={"level": "all"}, token=outsider["accessToken"]), 404, "room_not_found")
    assert_problem(chat.call("PUT", path, json={"level": "all"}, token=""), 401)
    assert level_of(chat, room["id"], a["accessToken"]) == ("mentions", False)


def test_do_not_disturb_has_an_end_and_is_ones_own(api, chat, sockets):
    me, other = register(api), register(api)
    device = sockets(chat.base, me["accessToken"])
    until = (datetime.now(timezone.utc) + timedelta(hours=2)).replace(microsecond=0)
    r = api.call("PUT", "/api/users/me/dnd", json={"until": until.isoformat().replace("+00:00", "Z")}, token=me["accessToken"])
    assert r.status_code == 200, r.text
    assert datetime.fromisoformat(r.json()["doNotDisturbUntil"].replace("Z", "+00:00")) == until
    assert api.get("/api/users/me", token=me["accessToken"]).json()["doNotDisturbUntil"] == r.json()["doNotDisturbUntil"]
    # My other pages hear that my profile changed (they read it again).
    assert device.next(lambda e: e["type"] == "user.updated")["data"]["id"] == me["user"]["id"]
    # Nobody else sees it.
    assert "doNotDisturbUntil" not in api.get(f"/api/users/{me['user']['id']}", token=other["accessToken"]).json()
    r = api.delete("/api/users/me/dnd", token=me["accessToken"])
    assert r.status_code == 200 and "doNotDisturbUntil" not in r.json()


def test_bad_do_not_disturb_times_are_refused(api):
    me = register(api)
    now = datetime.now(timezone.utc)
    for until in [(now - timedelta(minutes=1)).isoformat(), (now + timedelta(days=400)).isoformat(), "tomorrow", "", "2026-13-40T99:00:00Z"]:
        r = api.call("PUT", "/api/users/me/dnd", json={"until": until}, token=me["accessToken"])
        assert_problem(r, 422, "validation_failed")
        assert r.json()["errors"][0]["field"] == "until"
    assert_problem(api.call("PUT", "/api/users/me/dnd", json={}, token=me["accessToken"]), 400)
    assert_problem(api.call("PUT", "/api/users/me/dnd", json={"until": (now + timedelta(hours=1)).isoformat()}, token=""), 401)
    assert "doNotDisturbUntil" not in api.get("/api/users/me", token=me["accessToken"]).json()
