"""Register, login, refresh and logout: the contract chat-service and the
benchmarks rely on, and every bad input the foundation issue lists."""
import concurrent.futures
import uuid

import requests

from conftest import assert_problem, psql, unique


def test_register_returns_user_and_tokens(api):
    name = unique()
    r = api.post("/api/auth/register", json={"username": name, "email": f"{name}@Example.com",
                                             "password": "tr1cky-Passw0rd", "displayName": "Ada Lovelace"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert uuid.UUID(body["user"]["id"])
    assert body["user"]["username"] == name
    assert body["user"]["displayName"] == "Ada Lovelace"
    assert body["user"]["email"] == f"{name}@Example.com"
    assert body["accessToken"].count(".") == 2
    assert len(body["refreshToken"]) >= 40
    assert body["tokenType"] == "Bearer"
    assert 0 < body["expiresIn"] <= 3600
    assert "password" not in r.text.lower() or "passwordhash" not in r.text.lower()
    assert "scrypt" not in r.text


def test_login_by_username_or_email_case_insensitive(api, user):
    name = user["user"]["username"]
    for login in (name, name.upper(), user["user"]["email"], user["user"]["email"].upper()):
        r = api.post("/api/auth/login", json={"login": login, "password": user["password"]}, token="")
        assert r.status_code == 200, (login, r.text)
        body = r.json()
        assert body["user"]["id"] == user["user"]["id"]
        assert body["accessToken"] and body["refreshToken"] and body["expiresIn"] > 0


def test_wrong_password_and_unknown_user_get_the_same_answer(api, user):
    wrong = api.post("/api/auth/login", json={"login": user["user"]["username"], "password": "not-the-password-1"}, token="")
    unknown = api.post("/api/auth/login", json={"login": unique("ghost"), "password": "not-the-password-1"}, token="")
    a = assert_problem(wrong, 401, "invalid_credentials")
    b = assert_problem(unknown, 401, "invalid_credentials")
    assert a["detail"] == b["detail"]


def test_duplicate_username_and_email_conflict_case_insensitively(api, user):
    name = user["user"]["username"]
    r = api.post("/api/auth/register", json={"username": name.upper(), "email": f"other-{name}@example.com",
                                             "password": "another-pass-7", "displayName": "X"})
    assert_problem(r, 409, "username_taken")
    r = api.post("/api/auth/register", json={"username": unique(), "email": user["user"]["email"].upper(),
                                             "password": "another-pass-7", "displayName": "X"})
    assert_problem(r, 409, "email_taken")


def test_invalid_fields_are_reported_per_field(api):
    cases = [
        ({"username": ""}, "username"),
        ({"username": "ab"}, "username"),
        ({"username": "x" * 33}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"username": "_leading"}, "username"),
        ({"email": ""}, "email"),
        ({"email": "no-at-sign"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"email": "a b@example.com"}, "email"),
        ({"email": "a@" + "x" * 250 + ".com"}, "email"),
        ({"password": ""}, "password"),
        ({"password": "short1"}, "password"),
        ({"password": "onlyletters"}, "password"),
        ({"password": "1234567890"}, "password"),
        ({"password": "aaaaaaa1"}, "password"),
        ({"password": "x" * 129 + "1"}, "password"),
        ({"password": "password123"}, "password"),
        ({"displayName": ""}, "displayName"),
        ({"displayName": "   "}, "displayName"),
        ({"displayName": "x" * 65}, "displayName"),
    ]
    for change, field in cases:
        name = unique()
        body = {"username": name, "email": f"{name}@example.com", "password": "good-pass-42", "displayName": "Ok"}
        body.update(change)
        r = api.post("/api/auth/register", json=body)
        problem = assert_problem(r, 422, "validation_failed")
        assert field in [e["field"] for e in problem["errors"]], (change, problem)


def test_password_containing_username_is_weak(api):
    name = unique("carol")
    r = api.post("/api/auth/register", json={"username": name, "email": f"{name}@example.com",
                                             "password": f"{name}-1", "displayName": "Carol"})
    problem = assert_problem(r, 422, "validation_failed")
    assert problem["errors"][0]["code"] == "weak_password"


def test_malformed_bodies(api, user_url):
    assert_problem(api.call("POST", "/api/auth/register", data="not json", headers={"Content-Type": "application/json"}), 400, "malformed_json")
    assert_problem(api.call("POST", "/api/auth/register", data="", headers={"Content-Type": "application/json"}), 400, "malformed_json")
    assert_problem(api.call("POST", "/api/auth/register", data="[1,2,3]", headers={"Content-Type": "application/json"}), 400, "malformed_json")
    assert_problem(api.call("POST", "/api/auth/register", data="username=x", headers={"Content-Type": "application/x-www-form-urlencoded"}), 415, "unsupported_media_type")
    name = unique()
    good = {"username": name, "email": f"{name}@example.com", "password": "good-pass-42", "displayName": "Ok"}
    assert_problem(api.post("/api/auth/register", json={**good, "isAdmin": True}), 400, "unknown_field")
    assert_problem(api.post("/api/auth/register", json={**good, "username": 12345}), 400, "wrong_type")
    assert_problem(api.post("/api/auth/register", json={**good, "password": None}), 400, "wrong_type")
    missing = dict(good)
    del missing["email"]
    assert_problem(api.post("/api/auth/register", json=missing), 400, "missing_field")
    assert_problem(api.post("/api/auth/login", json={"login": ["a"], "password": "x"}), 400, "wrong_type")
    # Nothing was stored by any of these.
    r = api.post("/api/auth/login", json={"login": name, "password": "good-pass-42"})
    assert_problem(r, 401, "invalid_credentials")


def test_body_over_the_size_limit_is_refused(api):
    name = unique()
    body = {"username": name, "email": f"{name}@example.com", "password": "good-pass-42", "displayName": "x" * 200_000}
    assert_problem(api.post("/api/auth/register", json=body), 413, "payload_too_large")


def test_fifty_concurrent_registrations_of_one_username_exactly_one_wins(user_url):
    name = unique("race")

    def attempt(i):
        body = {"username": name, "email": f"{name}-{i}@example.com", "password": "race-pass-123", "displayName": "Racer"}
        return requests.post(user_url + "/api/auth/register", json=body, timeout=120).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(attempt, range(50)))
    assert codes.count(201) == 1, codes
    assert codes.count(409) == 49, codes


def test_refresh_rotates_and_reuse_revokes_the_family(api, user):
    first = user["refreshToken"]
    r = api.post("/api/auth/refresh", json={"refreshToken": first}, token="")
    assert r.status_code == 200, r.text
    second = r.json()["refreshToken"]
    assert second != first
    assert r.json()["user"]["id"] == user["user"]["id"]
    assert api.get("/api/users/me", token=r.json()["accessToken"]).status_code == 200

    # Using the spent token again is theft: it fails, and so does its successor.
    assert_problem(api.post("/api/auth/refresh", json={"refreshToken": first}, token=""), 401, "refresh_token_reused")
    assert_problem(api.post("/api/auth/refresh", json={"refreshToken": second}, token=""), 401, "invalid_refresh_token")

    # Another login is another family and still works.
    again = api.post("/api/auth/login", json={"login": user["user"]["username"], "password": user["password"]}, token="")
    assert again.status_code == 200
    assert api.post("/api/auth/refresh", json={"refreshToken": again.json()["refreshToken"]}, token="").status_code == 200


def test_unknown_refresh_token_is_refused(api):
    assert_problem(api.post("/api/auth/refresh", json={"refreshToken": "made-up-token"}), 401, "invalid_refresh_token")
    assert_problem(api.post("/api/auth/refresh", json={"refreshToken": ""}), 401, "invalid_refresh_token")
    assert_problem(api.post("/api/auth/refresh", json={"refreshToken": 7}), 400, "wrong_type")


def test_logout_revokes_the_refresh_token(api, user):
    r = api.post("/api/auth/logout", json={"refreshToken": user["refreshToken"]})
    assert r.status_code == 204
    assert_problem(api.post("/api/auth/refresh", json={"refreshToken": user["refreshToken"]}), 401, "invalid_refresh_token")
    # Logging out twice is harmless.
    assert api.post("/api/auth/logout", json={"refreshToken": user["refreshToken"]}).status_code == 204


def test_password_is_stored_hashed_with_scrypt(user, stack_data):
    stored = psql(stack_data, f"SELECT password_hash FROM user_service.users WHERE id = '{user['user']['id']}'")
    assert stored.startswith("scrypt$")
    assert user["password"] not in stored
