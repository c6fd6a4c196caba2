"""Runs after the rest (marker `disruptive`): restarts the shared PostgreSQL under a running user-service."""
import pytest
import os
import time

from conftest import as_db_owner, register

pytestmark = pytest.mark.disruptive(order=2)


def pg_ctl(stack_data, *args):
    bindir = os.environ["MICROCHAT_TEST_PG_BINDIR"]
    as_db_owner([f"{bindir}/pg_ctl", "-D", f"{stack_data}/postgres/data", *args])


def test_user_service_survives_a_postgres_restart(api, stack_data):
    before = register(api)
    # Warm every pooled connection so the restart leaves them all stale.
    for _ in range(10):
        assert api.get("/api/users/me", token=before["accessToken"]).status_code == 200
    pg_ctl(stack_data, "restart", "-m", "fast", "-w", "-t", "60",
           "-l", f"{stack_data}/logs/postgres.log", "-o", f"-p {os.environ['MICROCHAT_TEST_PG_PORT']} -k {stack_data}/postgres/socket")
    # Every request after the server is back succeeds: stale connections are replaced, not handed out.
    for _ in range(20):
        r = api.get("/api/users/me", token=before["accessToken"])
        assert r.status_code == 200, r.text
    after = register(api)
    assert api.post("/api/auth/login", json={"login": after["user"]["username"], "password": after["password"]}).status_code == 200


def test_while_postgres_is_down_requests_fail_cleanly_then_recover(api, stack_data):
    user = register(api)
    pg_ctl(stack_data, "stop", "-m", "fast", "-w")
    try:
        r = api.get("/api/users/me", token=user["accessToken"])
        assert r.status_code == 503
        assert r.headers["Content-Type"].startswith("application/problem+json")
        assert r.json()["code"] == "database_unavailable"
        assert api.get("/readyz").status_code == 503
        assert api.get("/healthz").status_code == 200
    finally:
        pg_ctl(stack_data, "start", "-w", "-t", "60", "-l", f"{stack_data}/logs/postgres.log",
               "-o", f"-p {os.environ['MICROCHAT_TEST_PG_PORT']} -k {stack_data}/postgres/socket")
    deadline = time.time() + 20
    while api.get("/readyz").status_code != 200 and time.time() < deadline:
        time.sleep(0.2)
    assert api.get("/api/users/me", token=user["accessToken"]).status_code == 200
