"""Each service's OpenAPI 3.1 document: served at /openapi.json, describing
every route (the services refuse to start otherwise), real responses valid
against it, and schemathesis — with a valid token, bounded in time — finding
no 5xx and no response that breaks the document."""
import os
import subprocess
import sys
import uuid

import jsonschema
import pytest
import requests

from conftest import make_group, post_message, register
from stack_processes import ServiceProcess, database_url_file, free_port

FUZZ_SECONDS = int(os.environ.get("MICROCHAT_FUZZ_SECONDS", "75"))


def document(base):
    r = requests.get(base + "/openapi.json", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["openapi"] == "3.1.0"
    return doc


def response_schema(doc, method, template, status):
    operation = doc["paths"][template][method.lower()]
    answer = operation["responses"].get(str(status)) or operation["responses"]["default"]
    if "$ref" in answer:  # a shared response object under components.responses
        answer = doc["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    (media, content), = answer["content"].items()
    return media, content["schema"]


def check(doc, response, method, template):
    """Validates a real response against the document's schema for its operation and status."""
    media, schema = response_schema(doc, method, template, response.status_code)
    assert response.headers["Content-Type"].split(";")[0] == media, (method, template, response.headers["Content-Type"])
    # The schema sits at the root beside the document's components, so its $refs resolve.
    root = dict(doc, **schema)
    jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker()).validate(response.json())


@pytest.fixture(scope="module")
def docs(user_url, chat_urls):
    return document(user_url), document(chat_urls[0])


def test_documents_describe_the_websocket_too(docs):
    _, chat_doc = docs
    schemas = chat_doc["components"]["schemas"]
    commands = {branch["properties"]["type"]["const"] for branch in schemas["ClientCommand"]["oneOf"]}
    assert commands == {"ping", "typing", "read", "resume", "auth"}
    assert "authenticated" in schemas["ServerEvent"]["properties"]["type"]["enum"]
    assert "get" in chat_doc["paths"]["/api/ws"]


def test_real_responses_follow_the_documents(api, chat, docs):
    user_doc, chat_doc = docs
    a, b = register(api), register(api)
    token = a["accessToken"]
    name = "doc" + uuid.uuid4().hex[:8]
    r = requests.post(api.base + "/api/auth/register", json={"username": name, "email": f"{name}@example.com",
                                                            "password": "correct-horse-9", "displayName": "Doc"}, timeout=30)
    check(user_doc, r, "POST", "/api/auth/register")
    check(user_doc, requests.post(api.base + "/api/auth/login", json={"login": name, "password": "correct-horse-9"}, timeout=30),
          "POST", "/api/auth/login")
    check(user_doc, requests.post(api.base + "/api/auth/login", json={"login": name, "password": "wrong-one-1"}, timeout=30),
          "POST", "/api/auth/login")
    check(user_doc, api.get("/api/users/me", token=token), "GET", "/api/users/me")
    check(user_doc, api.patch("/api/users/me", json={"bio": "hi", "status": None}, token=token), "PATCH", "/api/users/me")
    check(user_doc, api.get(f"/api/users/{b['user']['id']}", token=token), "GET", "/api/users/{id}")
    check(user_doc, api.get(f"/api/users?search={b['user']['username']}", token=token), "GET", "/api/users")
    check(user_doc, api.post("/api/contacts", json={"userId": b["user"]["id"]}, token=token), "POST", "/api/contacts")
    check(user_doc, api.get("/api/contacts", token=token), "GET", "/api/contacts")
    check(user_doc, api.get("/api/users/not-an-id", token=token), "GET", "/api/users/{id}")
    check(user_doc, api.get("/.well-known/openid-configuration"), "GET", "/.well-known/openid-configuration")

    room = make_group(chat, token, [b["user"]["id"]])
    message = post_message(chat, room["id"], token, "hello")
    rid = room["id"]
    check(chat_doc, chat.get("/api/rooms", token=token), "GET", "/api/rooms")
    check(chat_doc, chat.get(f"/api/rooms/{rid}", token=token), "GET", "/api/rooms/{roomId}")
    check(chat_doc, chat.get(f"/api/rooms/{rid}/messages?limit=5", token=token), "GET", "/api/rooms/{roomId}/messages")
    check(chat_doc, chat.patch(f"/api/rooms/{rid}/messages/{message['id']}", json={"content": "edited"}, token=token),
          "PATCH", "/api/rooms/{roomId}/messages/{messageId}")
    check(chat_doc, chat.post(f"/api/rooms/{rid}/read", json={"messageId": message["id"]}, token=b["accessToken"]),
          "POST", "/api/rooms/{roomId}/read")
    check(chat_doc, chat.delete(f"/api/rooms/{rid}/messages/{message['id']}", token=token),
          "DELETE", "/api/rooms/{roomId}/messages/{messageId}")
    check(chat_doc, chat.post("/api/rooms", json={"roomType": "direct", "participantIds": [b["user"]["id"]]}, token=token),
          "POST", "/api/rooms")
    check(chat_doc, chat.post("/api/rooms", json={"roomType": "group", "participantIds": []}, token=token), "POST", "/api/rooms")
    check(chat_doc, chat.get(f"/api/rooms/{uuid.uuid4()}", token=token), "GET", "/api/rooms/{roomId}")


def fuzz(base, token, name, artifacts, extra=()):
    out = os.path.join(artifacts, f"schemathesis-{name}.log")
    command = [sys.executable, "-m", "schemathesis.cli", "run", base + "/openapi.json",
               "--header", f"Authorization: Bearer {token}",
               "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
               "--max-examples", "15", "--max-time", str(FUZZ_SECONDS), "--seed", "20261127", *extra]
    with open(out, "w") as log:
        result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, timeout=FUZZ_SECONDS + 120, cwd=artifacts)
    tail = open(out).read()[-3000:]
    assert result.returncode == 0, f"schemathesis found problems in {name} (full log: {out}):\n{tail}"


@pytest.fixture
def artifacts(tmp_path):
    folder = os.environ.get("MICROCHAT_TEST_ARTIFACTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    return folder


def test_schemathesis_finds_nothing_in_user_service(api, artifacts):
    fuzz(api.base, register(api)["accessToken"], "user-service", artifacts)


def test_schemathesis_finds_nothing_in_chat_service(api, chat, artifacts):
    fuzz(chat.base, register(api)["accessToken"], "chat-service", artifacts, extra=("--exclude-path", "/api/ws"))


def test_upstream_failures_reach_clients_as_codes_without_internal_names(api, user, chat_urls):
    """chat-service whose user-service is gone: the client learns `upstream_unavailable`, not the address it tried."""
    dead_port = free_port()
    service = ServiceProcess("chat-service", "chat-service-dead-upstream", USER_SERVICE_URL=f"http://127.0.0.1:{dead_port}",
                             AUTH_ISSUER=api.base, DATABASE_URL_FILE=database_url_file("chat_service"),
                             REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"], REPLICA_ID="chat-dead-upstream")
    try:
        r = requests.post(service.base + "/api/rooms", timeout=30, headers={"Authorization": "Bearer " + user["accessToken"]},
                          json={"name": "Team", "roomType": "group", "participantIds": [str(uuid.uuid4())]})
        assert r.status_code == 502 and r.headers["Content-Type"].startswith("application/problem+json")
        problem = r.json()
        assert problem["code"] == "upstream_unavailable"
        assert str(dead_port) not in r.text and "127.0.0.1" not in r.text and "Connection" not in problem["detail"]
    finally:
        service.stop()
