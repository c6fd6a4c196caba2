"""ui-service over plain HTTP: the web front's files (ETag, gzip, security
headers), the /api proxy (request ids, ownership of paths, errors when a
service is down or slow) and the WebSocket relay."""
import gzip
import json
import os
import socket
import time

import pytest
import requests
import websocket

from conftest import ApiUser, unique, wait_until
from stack_processes import ServiceProcess, free_port

STRICT_CSP_PARTS = ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"]


def test_index_has_security_headers_and_no_inline_script(ui_url):
    answer = requests.get(ui_url + "/", timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    csp = answer.headers["Content-Security-Policy"]
    for part in STRICT_CSP_PARTS:
        assert part in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in answer.text and 'type="module" src="/js/main.js"' in answer.text
    assert " on" not in answer.text.replace("\n", " ").split("<body>")[1].split("=")[0]


def test_api_answers_carry_the_security_headers_too(ui_url):
    answer = requests.get(ui_url + "/api/users/me", timeout=5)
    assert answer.status_code == 401
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Type"] == "application/problem+json"


def test_assets_revalidate_with_etag(ui_url):
    first = requests.get(ui_url + "/js/main.js", timeout=5)
    assert first.status_code == 200 and first.headers["Content-Type"].startswith("text/javascript")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and "no-cache" in first.headers["Cache-Control"]
    again = requests.get(ui_url + "/js/main.js", headers={"If-None-Match": etag}, timeout=5)
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    stale = requests.get(ui_url + "/js/main.js", headers={"If-None-Match": '"something-else"'}, timeout=5)
    assert stale.status_code == 200 and stale.content == first.content


def test_assets_are_gzipped_for_clients_that_accept_it(ui_url):
    plain = requests.get(ui_url + "/app.css", headers={"Accept-Encoding": "identity"}, timeout=5)
    assert "Content-Encoding" not in plain.headers
    raw = requests.get(ui_url + "/app.css", headers={"Accept-Encoding": "gzip"}, timeout=5, stream=True)
    assert raw.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in raw.headers["Vary"]
    body = raw.raw.read()
    assert len(body) < len(plain.content)
    assert gzip.decompress(body) == plain.content
    refused = requests.get(ui_url + "/app.css", headers={"Accept-Encoding": "gzip;q=0"}, timeout=5, stream=True)
    assert "Content-Encoding" not in refused.headers


def test_unknown_paths(ui_url):
    # The single page answers its own routes; a missing file is a 404 problem.
    assert requests.get(ui_url + "/rooms/somewhere", timeout=5).headers["Content-Type"].startswith("text/html")
    missing = requests.get(ui_url + "/js/nope.js", timeout=5)
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "application/problem+json"
    for path in ("/api/unknown", "/internal/users/lookup"):
        answer = requests.post(ui_url + path, json={"ids": []}, timeout=5)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", path
    head = requests.head(ui_url + "/", timeout=5)
    assert head.status_code == 200 and head.content == b""


def test_proxy_passes_the_request_id_and_problem_documents_through(ui_url):
    answer = requests.post(ui_url + "/api/auth/login", json={"login": "nobody-here", "password": "x" * 12},
                           headers={"X-Request-Id": "trace-me-123"}, timeout=10)
    assert answer.status_code == 401 and answer.json()["code"] == "invalid_credentials"
    assert answer.headers["X-Request-Id"] == "trace-me-123"
    assert answer.json()["requestId"] == "trace-me-123"
    logs = os.path.join(os.environ["MICROCHAT_TEST_DATA"], "logs", "user-service.log")
    wait_until(lambda: "trace-me-123" in open(logs).read(), 5, "user-service never saw the request id")


def test_proxy_reaches_both_services_and_spreads_chat_calls(ui_url):
    ada, bob = ApiUser(ui_url, unique("px")), ApiUser(ui_url, unique("py"))
    room_id = ada.direct_room(bob.id)
    for n in range(6):
        ada.post(room_id, f"m{n}")
    listed = bob.call("GET", f"/api/rooms/{room_id}/messages")
    assert [m["content"] for m in listed.json()["messages"]] == [f"m{n}" for n in range(6)]
    too_big = ada.call("POST", f"/api/rooms/{room_id}/messages", data="x" * (2 * 1024 * 1024),
                       headers={"Content-Type": "application/json"})
    assert too_big.status_code == 413


def test_websocket_through_the_proxy(ui_url):
    ada, bob = ApiUser(ui_url, unique("wsa")), ApiUser(ui_url, unique("wsb"))
    room_id = ada.direct_room(bob.id)
    ws_url = ui_url.replace("http", "ws", 1) + "/api/ws?access_token=" + bob.token
    sock = websocket.create_connection(ws_url, timeout=10)
    try:
        ready = json.loads(sock.recv())
        assert ready["type"] == "ready" and ready["data"]["replicaId"].startswith("chat-")
        ada.post(room_id, "through the relay")
        while True:
            event = json.loads(sock.recv())
            if event["type"] == "message.created":
                break
        assert event["data"]["content"] == "through the relay" and event["roomId"] == room_id
        sock.send(json.dumps({"type": "ping"}))
        while json.loads(sock.recv())["type"] != "pong":
            pass
    finally:
        sock.close()


def test_websocket_with_a_bad_token_is_closed_with_4401(ui_url):
    sock = websocket.create_connection(ui_url.replace("http", "ws", 1) + "/api/ws?access_token=not-a-token", timeout=10)
    try:
        opcode, frame = sock.recv_data(control_frame=True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE
        assert int.from_bytes(frame[:2], "big") == 4401
    finally:
        sock.close()


@pytest.fixture
def lonely_ui():
    """A second ui-service whose user-service is gone and whose chat-service never answers."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts connections (kernel backlog) and never answers
    service = ServiceProcess("ui-service", "ui-service-lonely", USER_SERVICE_URL=f"http://127.0.0.1:{free_port()}",
                             CHAT_SERVICE_URLS=f"http://127.0.0.1:{silent.getsockname()[1]}", UPSTREAM_TIMEOUT_SECONDS=1)
    try:
        yield service.base
    finally:
        service.stop()
        silent.close()


def test_service_down_is_a_503_problem_and_slow_is_a_504(lonely_ui):
    down = requests.post(lonely_ui + "/api/auth/login", json={"login": "a", "password": "b"}, timeout=10)
    assert down.status_code == 503
    assert down.headers["Content-Type"] == "application/problem+json"
    assert down.json()["code"] == "service_unavailable" and down.headers["Retry-After"]
    started = time.monotonic()
    slow = requests.get(lonely_ui + "/api/rooms", headers={"Authorization": "Bearer x"}, timeout=10)
    assert slow.status_code == 504 and slow.json()["code"] == "upstream_timeout"
    # Ended by the 1 s upstream timeout, not by the client's own 10 s one.
    assert time.monotonic() - started < 9
    # The page itself is still served.
    assert requests.get(lonely_ui + "/", timeout=5).status_code == 200


def test_the_page_tells_the_user_when_the_service_is_down(lonely_ui, browsers, screenshots):
    from conftest import Page, new_browser
    page = Page(new_browser(), lonely_ui)
    try:
        page.open()
        page.type_into("#login-name", "someone")
        page.type_into("#login-password", "whatever-password-1")
        page.find("#login-form button[type=submit]").click()
        page.wait(lambda d: "not reachable" in d.find_element("id", "auth-error").text)
        page.wait(lambda d: d.find_element("id", "banner").is_displayed())
        assert "cannot reach" in page.find("#banner").text
        page.screenshot(screenshots, "09-service-down")
    finally:
        page.driver.quit()
