"""Profiles, search, presence and the internal batch lookup."""
import uuid

from conftest import assert_problem, register, unique


def test_me_returns_the_own_profile(api, user):
    r = api.get("/api/users/me")
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["id"] == user["user"]["id"]
    assert me["email"] == user["user"]["email"]
    assert "passwordHash" not in me


def test_patch_me_updates_clears_and_keeps_fields(api, user):
    r = api.patch("/api/users/me", json={"displayName": "  New Name ", "bio": "Hi there", "avatarUrl": "https://example.com/a.png",
                                          "status": "busy", "phoneNumber": "+44 20 7946 0958"})
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["displayName"] == "New Name"
    assert me["bio"] == "Hi there" and me["status"] == "busy"
    assert me["avatarUrl"] == "https://example.com/a.png" and me["phoneNumber"] == "+44 20 7946 0958"
    # Absent fields stay; null clears.
    r = api.patch("/api/users/me", json={"bio": None})
    assert r.status_code == 200
    me = r.json()
    assert me.get("bio") is None
    assert me["status"] == "busy" and me["displayName"] == "New Name"
    assert api.get("/api/users/me").json()["status"] == "busy"


def test_patch_me_rejects_bad_values_and_changes_nothing(api, user):
    before = api.get("/api/users/me").json()
    bad = [
        ({"displayName": ""}, "displayName"),
        ({"displayName": None}, "displayName"),
        ({"displayName": "x" * 65}, "displayName"),
        ({"bio": "x" * 501}, "bio"),
        ({"avatarUrl": "javascript:alert(1)"}, "avatarUrl"),
        ({"avatarUrl": "not a url"}, "avatarUrl"),
        ({"phoneNumber": "call me maybe"}, "phoneNumber"),
        ({"phoneNumber": "12"}, "phoneNumber"),
        ({"status": "x" * 101}, "status"),
    ]
    for body, field in bad:
        problem = assert_problem(api.patch("/api/users/me", json=body), 422, "validation_failed")
        assert field in [e["field"] for e in problem["errors"]], body
    assert_problem(api.patch("/api/users/me", json={"email": "x@example.com"}), 400, "unknown_field")
    assert_problem(api.patch("/api/users/me", json={"bio": 5}), 400, "wrong_type")
    after = api.get("/api/users/me").json()
    before.pop("lastSeenAt", None)
    after.pop("lastSeenAt", None)
    assert before == after


def test_public_profile_hides_private_fields(api, user):
    other = register(api)
    r = api.get(f"/api/users/{other['user']['id']}")
    assert r.status_code == 200, r.text
    profile = r.json()
    assert profile["username"] == other["user"]["username"]
    assert "email" not in profile and "phoneNumber" not in profile
    # A stranger's presence is not shown (see test_presence_privacy.py).
    assert profile.get("online") is None and profile.get("lastSeenAt") is None


def test_unknown_or_malformed_user_id(api, user):
    assert_problem(api.get(f"/api/users/{uuid.uuid4()}"), 404, "user_not_found")
    assert_problem(api.get("/api/users/not-a-uuid"), 400, "invalid_id")


def test_search_by_username_or_display_name_prefix(api, user):
    stem = unique("srch")
    a = register(api, username=stem + "alpha", display_name="Zed Person")
    b = register(api, username=unique("other"), display_name=stem + " Display")
    found = {u["id"] for u in api.get(f"/api/users?search={stem}").json()["users"]}
    assert a["user"]["id"] in found and b["user"]["id"] in found
    # Case-insensitive, and LIKE wildcards are literal.
    assert a["user"]["id"] in {u["id"] for u in api.get(f"/api/users?q={stem}").json()["users"]}
    found_upper = {u["id"] for u in api.get(f"/api/users?search={stem.upper()}").json()["users"]}
    assert a["user"]["id"] in found_upper
    assert api.get("/api/users?search=%25").json()["users"] == [] or all(
        u["username"].startswith("%") or u["displayName"].startswith("%") for u in api.get("/api/users?search=%25").json()["users"])
    assert_problem(api.get("/api/users?search="), 400, "invalid_search")
    assert_problem(api.get(f"/api/users?search={stem}&limit=0"), 400, "invalid_limit")
    assert_problem(api.get(f"/api/users?search={stem}&limit=abc"), 400, "invalid_limit")


def test_presence_last_seen_is_updated_by_activity(api, user, sockets, chat_urls):
    other = register(api)
    # The other person has the caller as a contact, so the caller may see their presence.
    assert api.post("/api/contacts", json={"userId": user["user"]["id"]}, token=other["accessToken"]).status_code == 201
    # Registration is not activity; a call with the token is — it moves lastSeenAt, but being
    # online means having the page (a socket) open.
    api.get("/api/users/me", token=other["accessToken"])
    profile = api.get(f"/api/users/{other['user']['id']}").json()
    assert profile["lastSeenAt"] is not None
    assert profile["online"] is False
    sockets(chat_urls[0], other["accessToken"])
    profile = api.get(f"/api/users/{other['user']['id']}").json()
    assert profile["online"] is True


def test_internal_batch_lookup(api, user):
    a = register(api)
    b = register(api)
    ghost = str(uuid.uuid4())
    r = api.post("/internal/users/lookup", json={"ids": [a["user"]["id"], b["user"]["id"], ghost]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {u["id"] for u in body["users"]} == {a["user"]["id"], b["user"]["id"]}
    assert [m.lower() for m in body["missing"]] == [ghost]
    assert all("email" not in u for u in body["users"])
    assert_problem(api.post("/internal/users/lookup", json={"ids": ["nope"]}), 400)
    assert_problem(api.post("/internal/users/lookup", json={"ids": [ghost]}, token="bad"), 401)
    assert_problem(api.post("/internal/users/lookup", json={"ids": [str(uuid.uuid4()) for _ in range(501)]}), 400, "too_many_ids")
