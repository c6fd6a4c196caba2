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


def test_only_a_real_change_is_announced(api, chat, sockets):
    """Reading one's profile, or saving it unchanged, announces nothing: a client looping on
    GET /api/users/me must not cost every room-mate a frame (and a query per replica)."""
    a, b = register(api), register(api)
    make_group(chat, a["accessToken"], [b["user"]["id"]])
    mate = sockets(chat.base, b["accessToken"])
    for _ in range(20):
        assert api.get("/api/users/me", token=a["accessToken"]).status_code == 200
    same = {"displayName": a["user"]["displayName"]}
    for _ in range(5):
        assert api.patch("/api/users/me", json=same, token=a["accessToken"]).status_code == 200
    # Removing a picture one does not have changes nothing either.
    assert api.delete("/api/users/me/avatar", token=a["accessToken"]).status_code == 204
    # The barrier: a real change, announced on the same path after everything above.
    assert api.patch("/api/users/me", json={"status": "on a break"}, token=a["accessToken"]).status_code == 200
    first = mate.next(lambda e: e["type"] == "user.updated")
    assert first["data"]["status"] == "on a break", "a call that changed nothing was announced first"
    assert [e for e in mate.events if e["type"] == "user.updated"] == [first]
