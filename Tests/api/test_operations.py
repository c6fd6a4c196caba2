"""What every service serves for operators: health, readiness, metrics,
request ids and problem+json for unknown routes."""
import re

from conftest import assert_problem


def test_health_and_readiness(api):
    assert api.get("/healthz").json()["status"] == "ok"
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
