"""Contacts: list, add with a nickname, rename, remove, and the refusals."""
import uuid

from conftest import assert_problem, register


def test_contact_lifecycle(api, user):
    friend = register(api)
    fid = friend["user"]["id"]
    r = api.post("/api/contacts", json={"userId": fid, "nickname": "Bestie"})
    assert r.status_code == 201, r.text
    assert r.json()["user"]["id"] == fid and r.json()["nickname"] == "Bestie"

    listed = api.get("/api/contacts").json()["contacts"]
    assert [(c["user"]["id"], c["nickname"]) for c in listed] == [(fid, "Bestie")]

    r = api.patch(f"/api/contacts/{fid}", json={"nickname": "Old pal"})
    assert r.status_code == 200 and r.json()["nickname"] == "Old pal"
    r = api.patch(f"/api/contacts/{fid}", json={"nickname": None})
    assert r.status_code == 200 and r.json().get("nickname") is None

    assert api.delete(f"/api/contacts/{fid}").status_code == 204
    assert api.get("/api/contacts").json()["contacts"] == []
    assert_problem(api.delete(f"/api/contacts/{fid}"), 404, "contact_not_found")


def test_contact_refusals(api, user):
    me = user["user"]["id"]
    assert_problem(api.post("/api/contacts", json={"userId": me}), 400, "cannot_add_self")
    assert_problem(api.post("/api/contacts", json={"userId": str(uuid.uuid4())}), 404, "user_not_found")
    assert_problem(api.post("/api/contacts", json={"userId": "nope"}), 400)
    assert_problem(api.post("/api/contacts", json={}), 400, "missing_field")
    friend = register(api)
    assert api.post("/api/contacts", json={"userId": friend["user"]["id"]}).status_code == 201
    assert_problem(api.post("/api/contacts", json={"userId": friend["user"]["id"], "nickname": "again"}), 409, "contact_exists")
    problem = assert_problem(api.post("/api/contacts", json={"userId": register(api)["user"]["id"], "nickname": "x" * 65}), 422)
    assert problem["errors"][0]["field"] == "nickname"
    assert_problem(api.patch(f"/api/contacts/{uuid.uuid4()}", json={"nickname": "x"}), 404, "contact_not_found")
    assert_problem(api.patch(f"/api/contacts/{friend['user']['id']}", json={}), 400, "missing_field")
    assert len(api.get("/api/contacts").json()["contacts"]) == 1


def test_contacts_are_private_to_their_owner(api, user):
    friend = register(api)
    api.post("/api/contacts", json={"userId": friend["user"]["id"], "nickname": "secret"})
    other = register(api)
    assert api.get("/api/contacts", token=other["accessToken"]).json()["contacts"] == []
    assert_problem(api.delete(f"/api/contacts/{friend['user']['id']}", token=other["accessToken"]), 404)
    assert len(api.get("/api/contacts").json()["contacts"]) == 1
