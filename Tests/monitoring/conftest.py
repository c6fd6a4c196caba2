"""Fixtures for the monitoring check. `./microchat lint --monitoring` starts a
throwaway stack and a Prometheus that scrapes it (scripts/lib/prometheus.sh)
and exports where they run; the session's load runs once, then every test
asks Prometheus about the moment it ended."""
import json
import math
import pathlib
import time
from datetime import datetime, timezone

import pytest
import requests

from helpers import require_env, wait_until
from load import Stack, drive

ROOT = pathlib.Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "k8s-manifests/infrastructure/monitoring/dashboards/microchat.json"
# Every service and every pod the local Prometheus scrapes, labelled as in the cluster.
SERVICES = {"user-service", "chat-service", "ui-service"}
DATABASE_PODS = {"user-service-1", "chat-service-1", "chat-service-2"}
CHAT_PODS = {"chat-service-1", "chat-service-2"}


def panel_targets():
    """(panel title, legend, expression) for every target of the dashboard, rows included."""
    def walk(panels):
        for panel in panels:
            yield from walk(panel.get("panels", []))
            for target in panel.get("targets", []):
                yield panel["title"], target.get("legendFormat", ""), target["expr"]
    return list(walk(json.loads(DASHBOARD.read_text())["panels"]))


class Prometheus:
    def __init__(self, base):
        self.base = base

    def api(self, path, **params):
        r = requests.get(self.base + path, params=params, timeout=30)
        body = r.json()
        assert body.get("status") == "success", f"Prometheus answered {path} {params} with {body}"
        return body["data"]

    def query(self, expr, at):
        """An instant query at `at` (Unix seconds): the vector, as [(labels, value)]."""
        data = self.api("/api/v1/query", query=expr, time=f"{at:.3f}")
        if data["resultType"] == "scalar":
            return [({}, float(data["result"][1]))]
        assert data["resultType"] == "vector", f"{expr} gives a {data['resultType']}, not an instant vector"
        return [(series["metric"], float(series["value"][1])) for series in data["result"]]

    def value(self, expr, at):
        """The single value an expression gives, or None when it gives no series."""
        result = self.query(expr, at)
        assert len(result) <= 1, f"{expr} gives {len(result)} series, expected one"
        return result[0][1] if result else None


@pytest.fixture(scope="session")
def prometheus():
    return Prometheus(require_env("MICROCHAT_TEST_PROMETHEUS_URL"))


@pytest.fixture(scope="session")
def loaded(prometheus):
    """Drives the load (load.py), waits until Prometheus has scraped its end and evaluated every rule
    group after that, and gives the time to ask about. The sockets stay open until the session ends."""
    stack = Stack(user=require_env("MICROCHAT_TEST_USER_URL"), chats=require_env("MICROCHAT_TEST_CHAT_URLS").split(","),
                  ui=require_env("MICROCHAT_TEST_UI_URL"), data=require_env("MICROCHAT_TEST_DATA"),
                  pg_port=require_env("MICROCHAT_TEST_PG_PORT"), pg_bindir=require_env("MICROCHAT_TEST_PG_BINDIR"))
    # Prometheus discovers its targets a few seconds after it starts: the load waits for a first scrape of each.
    targets = 1 + len(stack.chats) + 1
    wait_until(lambda: prometheus.value('count(up{namespace="app"} == 1)', time.time()) == targets, timeout=60,
               message=f"Prometheus does not scrape all {targets} services")
    started = time.time()
    tally, sockets = drive(stack)
    ended = time.time()
    print(f"\nload: {ended - started:.1f}s, {tally.acknowledged} sends acknowledged, {tally.delivered} deliveries read, "
          f"answers {dict(sorted(tally.statuses.items()))}")
    assert tally.acknowledged > 0 and tally.delivered > 0, "the load sent or delivered nothing"
    assert tally.count("send", 5) > 0, "no send failed while PostgreSQL was stopped: the 5xx panels would have nothing to show"

    def scraped():
        stored = prometheus.value('sum(chat_messages_sent_total{namespace="app"})', time.time())
        return stored is not None and stored >= tally.acknowledged
    wait_until(scraped, timeout=30, message="Prometheus never scraped the count of stored messages the load reached")
    scraped_at = time.time()

    def evaluated():
        groups = prometheus.api("/api/v1/rules")["groups"]
        return groups and all(_timestamp(group["lastEvaluation"]) > scraped_at for group in groups)
    wait_until(evaluated, timeout=30, message="Prometheus did not evaluate every rule group after the load's last scrape")
    yield time.time()
    for closing in sockets:
        closing.close()


def _timestamp(rfc3339):
    """Prometheus's RFC 3339 times (UTC, up to nanoseconds) as Unix seconds."""
    head, _, fraction = rfc3339.removesuffix("Z").partition(".")
    seconds = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return seconds + (float("0." + fraction) if fraction else 0.0)


def finite(value):
    return value is not None and not math.isnan(value) and not math.isinf(value)
