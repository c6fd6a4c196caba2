"""What every service serves for operators: health, readiness, metrics,
request ids and problem+json for unknown routes."""
import json
import os
import re
import time

import websocket

from conftest import assert_problem, register
from helpers import wait_until


def test_health_and_readiness(api):
    assert api.get("/healthz").json()["status"] == "ok"
    # Each readiness check has a deadline of its own: a busy machine may miss one, so wait for ready.
    wait_until(lambda: api.get("/readyz").status_code == 200, timeout=20, message="user-service never became ready")
    r = api.get("/readyz")
    assert r.status_code == 200
    assert r.json()["checks"]["postgres"] == "ok"


def test_metrics_are_prometheus_text(api, user):
    api.get("/api/users/me")
    r = api.get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    assert re.search(r"^# TYPE \w+ (counter|histogram|gauge)", r.text, re.M)
    assert "hb_requests" in r.text or "http_requests" in r.text, r.text[:500]


def test_request_id_is_echoed_or_made(api):
    r = api.get("/healthz", headers={"X-Request-Id": "trace-abc-123"})
    assert r.headers["X-Request-Id"] == "trace-abc-123"
    made = api.get("/healthz").headers["X-Request-Id"]
    assert len(made) >= 16
    # Hostile ids are replaced, not echoed.
    assert api.get("/healthz", headers={"X-Request-Id": "x" * 500}).headers["X-Request-Id"] != "x" * 500


def test_errors_carry_the_request_id(api):
    r = api.get("/api/users/me", headers={"X-Request-Id": "req-for-error"}, token="")
    body = assert_problem(r, 401)
    assert body["requestId"] == "req-for-error"


def test_unknown_route_is_problem_json(api):
    assert_problem(api.get("/api/nope"), 404, "not_found")


def test_request_logs_mask_tokens_in_the_query(api, chat_urls, stack_data):
    """The WebSocket takes its token in the query; the request log must not keep it."""
    user = register(api)
    token = user["accessToken"]
    # Straight to a chat-service replica, and through ui-service (which relays it to one).
    for base, service in ((chat_urls[0], "chat-service"), (os.environ["MICROCHAT_TEST_UI_URL"], "ui-service")):
        ws = websocket.create_connection(base.replace("http://", "ws://") + f"/api/ws?access_token={token}&x=1",
                                         header=[f"X-Request-Id: masked-token-{service}"], timeout=10)
        assert json.loads(ws.recv())["type"] == "ready"
        ws.close()
    logs = os.path.join(stack_data, "logs")
    for service in ("chat-service", "ui-service"):
        deadline = time.time() + 10
        while True:
            lines = [json.loads(line) for name in os.listdir(logs) if name.startswith(service)
                     for line in open(os.path.join(logs, name), errors="replace") if f"masked-token-{service}" in line]
            logged = [line for line in lines if line.get("msg") == "request"]
            if logged or time.time() > deadline:
                break
            time.sleep(0.2)
        assert logged, f"{service} did not log the WebSocket request"
        assert logged[0]["path"] == "/api/ws?access_token=****&x=1" and logged[0]["method"] == "GET", logged[0]
    for name in os.listdir(logs):
        with open(os.path.join(logs, name), errors="replace") as log:
            assert token not in log.read(), f"{name} holds an access token"
