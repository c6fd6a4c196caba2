"""Groups to find and join (issue 27, item 6): public groups listed in a
directory (search by name or description, member counts) that anyone may join;
private ones only by invitation or by an invite link an owner or admin made
(expiry, use count, revocation). Everything a private group is stays hidden
from whoever holds no link; every bad case refused, nothing stored."""
import pytest

from conftest import assert_problem, make_group, register, unique

pytestmark = pytest.mark.acquainted


def directory(chat, token, query=""):
    r = chat.get(f"/api/rooms/directory{query}", token=token)
    assert r.status_code == 200, r.text
    return r.json()


def test_public_groups_are_listed_searchable_and_open_to_anyone(api, chat, chat_b, sockets):
    owner, member, stranger = register(api), register(api), register(api)
    tag = unique("club")
    public = chat.post("/api/rooms", json={"roomType": "group", "name": f"{tag} hiking", "description": "Weekend walks",
                                           "participantIds": [member["user"]["id"]], "visibility": "public"}, token=owner["accessToken"])
    assert public.status_code == 201 and public.json()["visibility"] == "public"
    private = make_group(chat, owner["accessToken"], [], name=f"{tag} secret")
    assert private["visibility"] == "private"
    found = directory(chat, stranger["accessToken"], f"?q={tag}")["rooms"]
    assert [(r["name"], r["memberCount"], r["joined"]) for r in found] == [(f"{tag} hiking", 2, False)]
    assert [r["id"] for r in directory(chat, stranger["accessToken"], "?q=weekend%20walks")["rooms"]].count(public.json()["id"]) == 1
    # Joining: the room hears of it, the joiner's sockets start listening, a system message records it.
    listener = sockets(chat_b.base, member["accessToken"])
    joined = chat.post(f"/api/rooms/{public.json()['id']}/join", token=stranger["accessToken"])
    assert joined.status_code == 201, joined.text
    assert stranger["user"]["id"] in [p["userId"] for p in joined.json()["participants"]]
    event = listener.next(lambda e: e["type"] == "participant.added" and e["roomId"] == public.json()["id"])
    assert event["data"]["userId"] == stranger["user"]["id"]
    system = listener.next(lambda e: e["type"] == "message.created" and e["roomId"] == public.json()["id"])
    assert system["data"]["system"] == {"kind": "member_joined"} and system["data"]["senderId"] == stranger["user"]["id"]
    assert chat.post(f"/api/rooms/{public.json()['id']}/join", token=stranger["accessToken"]).status_code == 200
    assert directory(chat, stranger["accessToken"], f"?q={tag}")["rooms"][0]["joined"] is True
    # A private group cannot be joined from outside, and answers as if it did not exist.
    assert_problem(chat.post(f"/api/rooms/{private['id']}/join", token=stranger["accessToken"]), 404, "room_not_found")
    # Made private again: gone from the directory, and nobody new can join.
    assert chat.patch(f"/api/rooms/{public.json()['id']}", json={"visibility": "private"}, token=owner["accessToken"]).status_code == 200
    assert directory(chat, stranger["accessToken"], f"?q={tag}")["rooms"] == []
    late = register(api)
    assert_problem(chat.post(f"/api/rooms/{public.json()['id']}/join", token=late["accessToken"]), 404, "room_not_found")


def test_directory_pages_and_refuses_bad_queries(api, chat):
    owner = register(api)
    tag = unique("pg")
    for i in range(3):
        chat.post("/api/rooms", json={"roomType": "group", "name": f"{tag} {i}", "participantIds": [], "visibility": "public"},
                  token=owner["accessToken"])
    first = directory(chat, owner["accessToken"], f"?q={tag}&limit=2")
    assert [r["name"] for r in first["rooms"]] == [f"{tag} 0", f"{tag} 1"] and first["nextCursor"]
    rest = directory(chat, owner["accessToken"], f"?q={tag}&limit=2&cursor={first['nextCursor']}")
    assert [r["name"] for r in rest["rooms"]] == [f"{tag} 2"] and not rest.get("nextCursor")
    assert_problem(chat.get("/api/rooms/directory?limit=0", token=owner["accessToken"]), 400, "invalid_limit")
    assert_problem(chat.get("/api/rooms/directory?cursor=x", token=owner["accessToken"]), 400, "invalid_cursor")
    assert_problem(chat.get("/api/rooms/directory?q=" + "a" * 101, token=owner["accessToken"]), 400, "invalid_query")
    assert_problem(chat.get("/api/rooms/directory", token=""), 401)
    # A search is text, never a pattern: % and _ match themselves.
    assert directory(chat, owner["accessToken"], "?q=%25")["rooms"] == [] or all("%" in (r["name"] or "") + (r["description"] or "")
                                                                               for r in directory(chat, owner["accessToken"], "?q=%25")["rooms"])
    # Only groups can be public; the value is checked.
    assert_problem(chat.post("/api/rooms", json={"roomType": "group", "name": "x", "participantIds": [], "visibility": "open"},
                             token=owner["accessToken"]), 422, "validation_failed")


def test_invite_links_let_anyone_holding_one_join_a_private_group(api, chat, chat_b):
    owner, admin, member, guest, other = register(api), register(api), register(api), register(api), register(api)
    group = make_group(chat, owner["accessToken"], [admin["user"]["id"], member["user"]["id"]], name=unique("Private"))
    chat.patch(f"/api/rooms/{group['id']}/participants/{admin['user']['id']}", json={"role": "admin"}, token=owner["accessToken"])
    links = f"/api/rooms/{group['id']}/invite-links"
    made = chat.post(links, json={"expiresInSeconds": 3600, "maxUses": 1}, token=admin["accessToken"])
    assert made.status_code == 201, made.text
    link = made.json()
    assert len(link["code"]) == 22 and link["maxUses"] == 1 and link["uses"] == 0 and link["expiresAt"] and not link["revoked"]
    # A member cannot make or see links.
    assert_problem(chat.post(links, json={}, token=member["accessToken"]), 403, "not_room_admin")
    assert_problem(chat.get(links, token=member["accessToken"]), 403, "not_room_admin")
    # Anyone holding the link sees the group, and joins it once.
    preview = chat_b.get(f"/api/rooms/invite-links/{link['code']}", token=guest["accessToken"])
    assert preview.status_code == 200 and preview.json()["room"]["id"] == group["id"] and preview.json()["room"]["memberCount"] == 3
    joined = chat.post(f"/api/rooms/invite-links/{link['code']}/join", token=guest["accessToken"])
    assert joined.status_code == 201, joined.text
    assert chat.post(f"/api/rooms/invite-links/{link['code']}/join", token=guest["accessToken"]).status_code == 200  # already in: no use
    # Used up for the next person.
    assert_problem(chat.get(f"/api/rooms/invite-links/{link['code']}", token=other["accessToken"]), 410, "invite_link_used_up")
    assert_problem(chat.post(f"/api/rooms/invite-links/{link['code']}/join", token=other["accessToken"]), 410, "invite_link_used_up")
    # A link without limits, revoked: refused from then on.
    open_link = chat.post(links, json={}, token=owner["accessToken"]).json()
    assert open_link["maxUses"] is None and open_link["expiresAt"] is None
    listed = chat.get(links, token=owner["accessToken"]).json()["links"]
    assert [l["code"] for l in listed] == [open_link["code"], link["code"]] and listed[1]["uses"] == 1
    assert chat.delete(f"{links}/{open_link['code']}", token=admin["accessToken"]).status_code == 204
    assert_problem(chat.delete(f"{links}/{open_link['code']}", token=admin["accessToken"]), 404, "invite_link_not_found")
    assert_problem(chat.post(f"/api/rooms/invite-links/{open_link['code']}/join", token=other["accessToken"]), 410, "invite_link_revoked")
    assert other["user"]["id"] not in [p["userId"] for p in chat.get(f"/api/rooms/{group['id']}", token=owner["accessToken"]).json()["participants"]]


def test_bad_invite_links_are_refused_and_store_nothing(api, chat):
    owner, outsider = register(api), register(api)
    group = make_group(chat, owner["accessToken"], [])
    links = f"/api/rooms/{group['id']}/invite-links"
    for body, field in (({"expiresInSeconds": 10}, "expiresInSeconds"), ({"expiresInSeconds": 40 * 86400}, "expiresInSeconds"),
                        ({"maxUses": 0}, "maxUses"), ({"maxUses": 1001}, "maxUses")):
        r = chat.post(links, json=body, token=owner["accessToken"])
        assert_problem(r, 422, "validation_failed")
        assert r.json()["errors"][0]["field"] == field
    assert_problem(chat.post(links, json={"uses": 3}, token=owner["accessToken"]), 400)
    assert chat.get(links, token=owner["accessToken"]).json()["links"] == []
    assert_problem(chat.post(links, json={}, token=outsider["accessToken"]), 404, "room_not_found")
    direct = chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [outsider["user"]["id"]]}, token=owner["accessToken"]).json()
    assert_problem(chat.post(f"/api/rooms/{direct['id']}/invite-links", json={}, token=owner["accessToken"]), 403, "not_room_admin")
    for code in ("short", "A" * 22, "../../etc/passwd-aaaaaa", "%00" * 8):
        r = chat.get(f"/api/rooms/invite-links/{code}", token=outsider["accessToken"])
        assert r.status_code in (404, 400), (code, r.text)
    assert_problem(chat.post(f"/api/rooms/invite-links/{'B' * 22}/join", token=outsider["accessToken"]), 404, "invite_link_not_found")
    assert_problem(chat.get(f"/api/rooms/invite-links/{'B' * 22}", token=""), 401)


def test_a_group_its_last_member_left_is_over(api, chat):
    owner, later = register(api), register(api)
    tag = unique("empty")
    room = chat.post("/api/rooms", json={"roomType": "group", "name": f"{tag} room", "participantIds": [], "visibility": "public"},
                     token=owner["accessToken"]).json()
    link = chat.post(f"/api/rooms/{room['id']}/invite-links", json={}, token=owner["accessToken"]).json()
    assert chat.post(f"/api/rooms/{room['id']}/leave", token=owner["accessToken"]).status_code == 204
    assert directory(chat, later["accessToken"], f"?q={tag}")["rooms"] == []
    assert_problem(chat.post(f"/api/rooms/{room['id']}/join", token=later["accessToken"]), 404, "room_not_found")
    assert_problem(chat.post(f"/api/rooms/invite-links/{link['code']}/join", token=later["accessToken"]), 404, "invite_link_not_found")


def test_joining_by_oneself_is_limited_per_hour(api, chat, chat_b):
    owner, looper = register(api), register(api)
    room = chat.post("/api/rooms", json={"roomType": "group", "name": unique("revolving"), "participantIds": [], "visibility": "public"},
                     token=owner["accessToken"]).json()
    for i in range(60):
        client = chat if i % 2 else chat_b  # counted across replicas
        assert client.post(f"/api/rooms/{room['id']}/join", token=looper["accessToken"]).status_code in (200, 201), i
        assert client.post(f"/api/rooms/{room['id']}/leave", token=looper["accessToken"]).status_code == 204
    refused = chat.post(f"/api/rooms/{room['id']}/join", token=looper["accessToken"])
    assert_problem(refused, 429, "too_many_joins")
    assert int(refused.headers["Retry-After"]) > 0
    # Someone else is not held back by it.
    assert chat.post(f"/api/rooms/{room['id']}/join", token=register(api)["accessToken"]).status_code == 201
