"""Full-text search: ranked, paged, highlighted, limited to one's own rooms."""
import uuid

from conftest import assert_problem, make_group, post_message, register, psql


def search(chat, token, **params):
    r = chat.get("/api/search", params=params, token=token)
    assert r.status_code == 200, r.text
    return r.json()


def test_search_finds_stemmed_words_ranked_with_highlights(api, chat, chat_b):
    a, b = register(api), register(api)
    word = "zq" + uuid.uuid4().hex[:8]  # a word nobody else's test uses
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    weak = post_message(chat, room["id"], a["accessToken"], f"a long message that says {word} once among many other words about lunch")
    strong = post_message(chat, room["id"], b["accessToken"], f"{word} {word} deploying")
    post_message(chat, room["id"], a["accessToken"], "nothing to see")
    found = search(chat_b, a["accessToken"], q=word)
    assert [h["message"]["id"] for h in found["results"]] == [strong["id"], weak["id"]] and found["nextCursor"] is None
    hit = found["results"][1]
    assert hit["rank"] > 0
    for start, end in hit["highlights"]:
        assert hit["snippet"][start:end] == word
    assert found["results"][0]["rank"] >= hit["rank"]
    # English stemming: "deployed" finds "deploying"; a phrase and an exclusion.
    assert [h["message"]["id"] for h in search(chat, a["accessToken"], q=f"{word} deployed")["results"]] == [strong["id"]]
    assert [h["message"]["id"] for h in search(chat, a["accessToken"], q=f"{word} -deploy")["results"]] == [weak["id"]]
    assert [h["message"]["id"] for h in search(chat, a["accessToken"], q=f'"once among" {word}')["results"]] == [weak["id"]]
    # An edit is searchable at once; a deleted message is gone.
    chat.patch(f"/api/rooms/{room['id']}/messages/{weak['id']}", json={"content": "edited away"}, token=a["accessToken"])
    assert [h["message"]["id"] for h in search(chat, a["accessToken"], q=word)["results"]] == [strong["id"]]
    chat.delete(f"/api/rooms/{room['id']}/messages/{strong['id']}", token=b["accessToken"])
    assert search(chat, a["accessToken"], q=word)["results"] == []


def test_search_never_shows_rooms_one_is_not_in(api, chat):
    a, b, outsider = register(api), register(api), register(api)
    word = "zq" + uuid.uuid4().hex[:8]
    room = make_group(chat, a["accessToken"], [b["user"]["id"]])
    post_message(chat, room["id"], a["accessToken"], f"secret {word}")
    assert search(chat, outsider["accessToken"], q=word)["results"] == []
    assert search(chat, outsider["accessToken"], q=word, roomId=room["id"])["results"] == []
    assert len(search(chat, b["accessToken"], q=word)["results"]) == 1
    # Removed from the room, b finds nothing either.
    chat.delete(f"/api/rooms/{room['id']}/participants/{b['user']['id']}", token=a["accessToken"])
    assert search(chat, b["accessToken"], q=word)["results"] == []
    # A deleted room's messages are gone for everyone.
    chat.delete(f"/api/rooms/{room['id']}", token=a["accessToken"])
    assert search(chat, a["accessToken"], q=word)["results"] == []


def test_search_pages_filters_by_room_and_time(api, chat):
    a = register(api)
    word = "zq" + uuid.uuid4().hex[:8]
    one, two = make_group(chat, a["accessToken"], []), make_group(chat, a["accessToken"], [])
    sent = [post_message(chat, (one if i % 2 else two)["id"], a["accessToken"], f"{word} number {i}") for i in range(7)]
    seen, cursor = [], None
    while True:
        params = {"q": word, "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = search(chat, a["accessToken"], **params)
        seen += [h["message"]["id"] for h in page["results"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(m["id"] for m in sent) and len(seen) == 7
    in_one = search(chat, a["accessToken"], q=word, roomId=one["id"])["results"]
    assert {h["message"]["roomId"] for h in in_one} == {one["id"]} and len(in_one) == 3
    # Equal ranks: newest first; before= a message id keeps only older ones.
    older = search(chat, a["accessToken"], q=word, before=sent[3]["id"])["results"]
    assert [h["message"]["id"] for h in older] == [sent[2]["id"], sent[1]["id"], sent[0]["id"]]
    older = search(chat, a["accessToken"], q=word, before=sent[1]["createdAt"])["results"]
    assert [h["message"]["id"] for h in older] == [sent[0]["id"]]


def test_bad_searches_get_problems_and_search_uses_the_gin_index(api, chat, stack_data):
    a = register(api)
    for params in [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 201}, {"q": "a", "limit": 0}, {"q": "a", "limit": 51},
                   {"q": "a", "roomId": "nope"}, {"q": "a", "before": "yesterday"}, {"q": "a", "cursor": "-1"}]:
        assert_problem(chat.get("/api/search", params=params, token=a["accessToken"]), 400)
    assert_problem(chat.get("/api/search", params={"q": "a"}), 401)
    # Only stop words, or only punctuation: no results, not an error.
    assert search(chat, a["accessToken"], q="the")["results"] == []
    assert search(chat, a["accessToken"], q="!!! ''' (((")["results"] == []
    plan = psql(stack_data, "SET enable_seqscan = off; EXPLAIN SELECT id FROM chat_service.messages WHERE search @@ websearch_to_tsquery('english', 'deploy')")
    assert "messages_search" in plan, plan
