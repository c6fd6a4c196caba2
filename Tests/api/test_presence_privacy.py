"""Presence (`online`, `lastSeenAt`) is shown only to people the person has as
contacts and to people who share a live room with them; to anyone else the
fields are absent — in profiles, search results and contact lists."""
import pytest

from conftest import register, wait_until


def presence(api, token, user_id):
    profile = api.get(f"/api/users/{user_id}", token=token).json()
    return profile.get("online"), profile.get("lastSeenAt")


@pytest.fixture
def active(sockets, chat_urls):
    """Opens a socket for the account, as the page does: the person is online while it is open."""
    def go_online(api, account):
        sockets(chat_urls[0], account["accessToken"])
        wait_until(lambda: api.get(f"/api/users/{account['user']['id']}", token=account["accessToken"]).json().get("online") is True, 10,
                   "the socket did not make its owner online")
    return go_online


def test_strangers_do_not_see_presence(api, active):
    viewer, stranger = register(api), register(api)
    active(api, stranger)
    assert presence(api, viewer["accessToken"], stranger["user"]["id"]) == (None, None)
    found = api.get(f"/api/users?search={stranger['user']['username']}", token=viewer["accessToken"]).json()["users"]
    match = [u for u in found if u["id"] == stranger["user"]["id"]]
    assert match and "online" not in match[0] and "lastSeenAt" not in match[0]
    # Adding someone as a contact does not show you their presence: it is theirs to give.
    assert api.post("/api/contacts", json={"userId": stranger["user"]["id"]}, token=viewer["accessToken"]).status_code == 201
    listed = api.get("/api/contacts", token=viewer["accessToken"]).json()["contacts"]
    assert [c["user"].get("online") for c in listed if c["user"]["id"] == stranger["user"]["id"]] == [None]
    # One's own presence is always one's own to see.
    active(api, viewer)
    online, seen = presence(api, viewer["accessToken"], viewer["user"]["id"])
    assert online is True and seen


def test_contacts_see_the_presence_of_who_added_them(api, active):
    viewer, friend = register(api), register(api)
    active(api, friend)
    assert api.post("/api/contacts", json={"userId": viewer["user"]["id"]}, token=friend["accessToken"]).status_code == 201
    online, seen = presence(api, viewer["accessToken"], friend["user"]["id"])
    assert online is True and seen
    # Removed from the friend's contacts, the viewer no longer sees it.
    assert api.delete(f"/api/contacts/{viewer['user']['id']}", token=friend["accessToken"]).status_code == 204
    assert presence(api, viewer["accessToken"], friend["user"]["id"]) == (None, None)


def test_people_sharing_a_room_see_each_others_presence(api, chat, active):
    a, b = register(api), register(api)
    active(api, a)
    active(api, b)
    # b is a stranger to a: a's group invites b, and only b's accepting shares the room.
    room = chat.post("/api/rooms", json={"name": "Shared", "roomType": "group", "participantIds": [b["user"]["id"]]},
                     token=a["accessToken"]).json()
    assert presence(api, a["accessToken"], b["user"]["id"]) == (None, None)
    assert chat.post(f"/api/rooms/invitations/{room['id']}/accept", token=b["accessToken"]).status_code == 200
    assert presence(api, a["accessToken"], b["user"]["id"])[0] is True
    assert presence(api, b["accessToken"], a["user"]["id"])[0] is True
    found = api.get(f"/api/users?search={b['user']['username']}", token=a["accessToken"]).json()["users"]
    assert [u["online"] for u in found if u["id"] == b["user"]["id"]] == [True]
    # Once b leaves, they share no room: hidden again both ways.
    assert chat.post(f"/api/rooms/{room['id']}/leave", token=b["accessToken"]).status_code == 204
    assert presence(api, a["accessToken"], b["user"]["id"]) == (None, None)
    assert presence(api, b["accessToken"], a["user"]["id"]) == (None, None)
