"""A profile change reaches, live, the people who share a room with the person
(on any replica), and nobody else."""
import pytest

from conftest import make_group, register


def test_a_new_display_name_reaches_room_mates_live_and_only_them(api, chat, chat_b, sockets):
    a, b, stranger = register(api), register(api), register(api)
    make_group(chat, a["accessToken"], [b["user"]["id"]])
    mate = sockets(chat_b.base, b["accessToken"])
    own = sockets(chat.base, a["accessToken"])
    outsider = sockets(chat.base, stranger["accessToken"])
    r = api.patch("/api/users/me", json={"displayName": "Renamed Person"}, token=a["accessToken"])
    assert r.status_code == 200, r.text
    for listener in (mate, own):
        event = listener.next(lambda e: e["type"] == "user.updated")
        assert event["data"]["id"] == a["user"]["id"] and event["data"]["displayName"] == "Renamed Person"
        assert "email" not in event["data"] and "online" not in event["data"]
    with pytest.raises(AssertionError):
        outsider.next(lambda e: e["type"] == "user.updated", timeout=1.5)
