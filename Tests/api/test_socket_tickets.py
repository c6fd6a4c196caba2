"""The page opens its socket without putting its access token in a URL: it asks
`POST /api/ws/tickets` (token in the Authorization header) for a one-time ticket
that lives 30 seconds and opens `GET /api/ws?ticket=…` (issue 23, item 4)."""
import json
import os
import time

import websocket

from conftest import Api, assert_problem, register
from test_chat_authorization import _handshake


def ticket_for(base, token):
    r = Api(base).post("/api/ws/tickets", token=token)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"ticket", "expiresIn"} and body["expiresIn"] == 30, body
    assert token not in body["ticket"] and len(body["ticket"]) >= 32
    return body["ticket"]


def open_with(base, ticket, request_id=None):
    headers = [f"X-Request-Id: {request_id}"] if request_id else []
    ws = websocket.create_connection(base.replace("http://", "ws://") + f"/api/ws?ticket={ticket}", header=headers, timeout=10)
    ready = json.loads(ws.recv())
    assert ready["type"] == "ready", ready
    return ws, ready


def test_a_ticket_opens_the_socket_as_its_owner_once(api, chat_urls):
    user = register(api)
    ticket = ticket_for(chat_urls[0], user["accessToken"])
    # Redeemed on another replica than the one that issued it.
    ws, ready = open_with(chat_urls[-1], ticket)
    try:
        assert ready["data"]["userId"] == user["user"]["id"]
    finally:
        ws.close()
    # Used up: a second handshake with it is refused, on any replica.
    for base in chat_urls:
        status, _, body = _handshake(base, f"/api/ws?ticket={ticket}")
        assert status == 401 and json.loads(body)["code"] == "invalid_ticket", (status, body)


def test_two_handshakes_racing_with_one_ticket_let_one_in(api, chat_urls):
    from concurrent.futures import ThreadPoolExecutor
    user = register(api)
    ticket = ticket_for(chat_urls[0], user["accessToken"])
    with ThreadPoolExecutor(len(chat_urls) * 3) as pool:
        answers = list(pool.map(lambda base: _handshake(base, f"/api/ws?ticket={ticket}")[0], chat_urls * 3))
    assert sorted(answers) == [101] + [401] * (len(answers) - 1), answers


def test_made_up_and_missing_tickets_are_refused(chat_urls):
    for path, code in (("/api/ws?ticket=made-up", "invalid_ticket"), ("/api/ws?ticket=" + "x" * 400, "invalid_ticket"),
                       ("/api/ws", "missing_token")):
        status, _, body = _handshake(chat_urls[0], path)
        assert status == 401 and json.loads(body)["code"] == code, (path, status, body)
    assert_problem(Api(chat_urls[0]).post("/api/ws/tickets"), 401, "missing_token")
    assert_problem(Api(chat_urls[0]).post("/api/ws/tickets", token="garbage"), 401, "invalid_token")


def test_a_ticket_expires_with_its_lifetime_in_redis(api, chat_urls):
    """The ticket is stored with a 30-second expiry, so an unused one cannot be kept for later."""
    import subprocess
    import shutil
    user = register(api)
    ticket = ticket_for(chat_urls[0], user["accessToken"])
    cli = shutil.which("redis-cli") or os.path.join(os.path.dirname(os.environ.get("MICROCHAT_TEST_REDIS_SERVER", "")), "redis-cli")
    auth = dict(os.environ, REDISCLI_AUTH=os.environ.get("MICROCHAT_TEST_REDIS_PASSWORD", ""))
    ttl = subprocess.run([cli, "--tls", "--cacert", os.environ["MICROCHAT_TEST_CA"], "-p", os.environ["MICROCHAT_TEST_REDIS_PORT"],
                          "TTL", f"microchat:ws-ticket:{ticket}"], check=True, capture_output=True, text=True, env=auth).stdout.strip()
    assert 0 < int(ttl) <= 30, ttl


def test_a_ticket_from_a_signed_out_session_is_refused(api, user_url, chat_urls):
    user = register(api)
    ticket = ticket_for(chat_urls[0], user["accessToken"])
    assert Api(user_url).post("/api/auth/logout", json={"refreshToken": user["refreshToken"]}).status_code == 204
    status, _, body = _handshake(chat_urls[0], f"/api/ws?ticket={ticket}")
    assert status == 401 and json.loads(body)["code"] == "session_revoked", (status, body)


def test_through_ui_service_no_log_keeps_the_ticket_or_the_token(api, chat_urls, stack_data):
    user = register(api)
    front = os.environ["MICROCHAT_TEST_UI_URL"]
    ticket = ticket_for(front, user["accessToken"])
    ws, _ = open_with(front, ticket, request_id="ticket-through-front")
    ws.close()
    logs = os.path.join(stack_data, "logs")
    deadline = time.time() + 10
    while True:
        logged = [json.loads(line) for name in os.listdir(logs) if name.startswith("ui-service")
                  for line in open(os.path.join(logs, name), errors="replace") if "ticket-through-front" in line]
        logged = [line for line in logged if line.get("msg") == "request"]
        if logged or time.time() > deadline:
            break
        time.sleep(0.2)
    assert logged and logged[0]["path"] == "/api/ws?ticket=****", logged
    for name in os.listdir(logs):
        with open(os.path.join(logs, name), errors="replace") as log:
            text = log.read()
            assert ticket not in text and user["accessToken"] not in text, f"{name} holds a credential"
