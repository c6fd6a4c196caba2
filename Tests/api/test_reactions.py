"""Emoji reactions: one per person per emoji, counts and people in history,
live events on both replicas, kept across resume, and the bad cases."""
import pytest
from urllib.parse import quote

from conftest import assert_problem, make_group, post_message, register

# People in these tests know each other: rooms they make take the others in (see conftest).
pytestmark = pytest.mark.acquainted


def path(room, message, emoji=None):
    base = f"/api/rooms/{room}/messages/{message}/reactions"
    return base if emoji is None else base + "/" + quote(emoji, safe="")


def test_reactions_are_counted_once_per_person_and_come_with_history(api, chat, chat_b):
    a, b, c = register(api), register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"], c["user"]["id"]])
    message = post_message(chat, room["id"], a["accessToken"], "react to me")
    assert message["reactions"] == []
    first = chat.post(path(room["id"], message["id"]), json={"emoji": "👍"}, token=b["accessToken"])
    assert first.status_code == 201, first.text
    assert first.json()["reactions"] == [{"emoji": "👍", "count": 1, "userIds": [b["user"]["id"]]}]
    again = chat.post(path(room["id"], message["id"]), json={"emoji": "👍"}, token=b["accessToken"])
    assert again.status_code == 200 and again.json()["reactions"][0]["count"] == 1
    # The path form, on the other replica, with a ZWJ family, a flag and a skin tone.
    for emoji in ["👍", "👨‍👩‍👧", "🇫🇷", "👋🏽", "❤️"]:
        r = chat_b.call("PUT", path(room["id"], message["id"], emoji), token=c["accessToken"])
        assert r.status_code == 201, (emoji, r.text)
    page = chat.get(f"/api/rooms/{room['id']}/messages", token=a["accessToken"]).json()["messages"]
    reactions = page[-1]["reactions"]
    assert [r["emoji"] for r in reactions] == ["👍", "👨‍👩‍👧", "🇫🇷", "👋🏽", "❤️"]
    assert reactions[0] == {"emoji": "👍", "count": 2, "userIds": [b["user"]["id"], c["user"]["id"]]}
    removed = chat.delete(path(room["id"], message["id"], "👍"), token=b["accessToken"])
    assert removed.status_code == 200 and removed.json()["reactions"][0] == {"emoji": "👍", "count": 1, "userIds": [c["user"]["id"]]}
    assert_problem(chat.delete(path(room["id"], message["id"], "👍"), token=b["accessToken"]), 404, "reaction_not_found")


def test_reaction_events_reach_both_replicas_and_survive_resume(api, chat, chat_b, sockets):
    a, b = register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    message = post_message(chat, room["id"], a["accessToken"], "live")
    listener_a, listener_b = sockets(chat.base, a["accessToken"]), sockets(chat_b.base, b["accessToken"])
    chat.post(path(room["id"], message["id"]), json={"emoji": "🎉"}, token=b["accessToken"])
    for listener in (listener_a, listener_b):
        event = listener.next(lambda e: e["type"] == "reaction.added")
        assert event["roomId"] == room["id"] and event["seq"] == message["seq"]
        assert event["data"]["messageId"] == message["id"] and event["data"]["emoji"] == "🎉"
        assert event["data"]["userId"] == b["user"]["id"] and event["data"]["reactions"][0]["count"] == 1
    chat.delete(path(room["id"], message["id"], "🎉"), token=b["accessToken"])
    removed = listener_a.next(lambda e: e["type"] == "reaction.removed")
    assert removed["data"]["reactions"] == []
    # While b is away, a reacts to a new message: b's resume replays it with its reactions.
    listener_b.close()
    later = post_message(chat, room["id"], a["accessToken"], "while you were away")
    chat.post(path(room["id"], later["id"]), json={"emoji": "🔥"}, token=a["accessToken"])
    back = sockets(chat.base, b["accessToken"])
    back.send(type="resume", rooms={room["id"]: message["seq"]})
    replayed = back.messages(room["id"], 1)[0]
    assert replayed["id"] == later["id"] and replayed["reactions"] == [{"emoji": "🔥", "count": 1, "userIds": [a["user"]["id"]]}]


def test_bad_reactions_are_refused_and_store_nothing(api, chat):
    a, b, outsider = register(api), register(api), register(api)
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    other_room = make_group(chat, outsider["accessToken"], [])
    message = post_message(chat, room["id"], a["accessToken"], "target")
    for bad in ["a", "1", "👍👍", "", " ", "hello", "<b>", "#", "©", "\u200d"]:
        assert_problem(chat.post(path(room["id"], message["id"]), json={"emoji": bad}, token=b["accessToken"]), 422)
    assert_problem(chat.call("PUT", path(room["id"], message["id"], "x"), token=b["accessToken"]), 422)
    assert_problem(chat.post(path(room["id"], message["id"]), json={}, token=b["accessToken"]), 400)
    assert_problem(chat.post(path(room["id"], message["id"]), json={"emoji": "👍", "extra": 1}, token=b["accessToken"]), 400)
    # Unknown message, a message of another room, a room one is not in, no token.
    assert_problem(chat.post(path(room["id"], "00000000-0000-4000-8000-000000000000"), json={"emoji": "👍"}, token=b["accessToken"]), 404, "message_not_found")
    foreign = post_message(chat, other_room["id"], outsider["accessToken"], "elsewhere")
    assert_problem(chat.post(path(room["id"], foreign["id"]), json={"emoji": "👍"}, token=b["accessToken"]), 404, "message_not_found")
    assert_problem(chat.post(path(room["id"], message["id"]), json={"emoji": "👍"}, token=outsider["accessToken"]), 404, "room_not_found")
    assert_problem(chat.post(path(room["id"], message["id"]), json={"emoji": "👍"}, token=""), 401)
    # A deleted message takes no reactions, and loses the ones it had.
    chat.post(path(room["id"], message["id"]), json={"emoji": "👀"}, token=b["accessToken"])
    chat.delete(f"/api/rooms/{room['id']}/messages/{message['id']}", token=a["accessToken"])
    assert_problem(chat.post(path(room["id"], message["id"]), json={"emoji": "👍"}, token=b["accessToken"]), 409, "message_deleted")
    page = chat.get(f"/api/rooms/{room['id']}/messages", token=a["accessToken"]).json()["messages"]
    assert page[-1]["reactions"] == []


def test_a_message_carries_at_most_twenty_different_emoji(api, chat):
    a = register(api)
    room = make_group(chat, a["accessToken"], [])
    message = post_message(chat, room["id"], a["accessToken"], "many")
    emoji = [chr(0x1F600 + i) for i in range(21)]
    for e in emoji[:20]:
        assert chat.post(path(room["id"], message["id"]), json={"emoji": e}, token=a["accessToken"]).status_code == 201
    assert_problem(chat.post(path(room["id"], message["id"]), json={"emoji": emoji[20]}, token=a["accessToken"]), 409, "too_many_reactions")
    b = register(api)
    chat.post(f"/api/rooms/{room['id']}/participants", json={"userId": b["user"]["id"]}, token=a["accessToken"])
    # Joining one already there is still fine.
    assert chat.post(path(room["id"], message["id"]), json={"emoji": emoji[0]}, token=b["accessToken"]).status_code == 201
