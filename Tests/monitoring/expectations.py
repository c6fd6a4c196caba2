"""What each dashboard panel must show after the load (load.py): which series
(one per service, per pod, or a single one) and the range their values must
lie in. Keyed by the panel's title and the target's legend, so a new panel or
target without an entry here fails the check until someone says what it
should show."""
import math
from dataclasses import dataclass

from conftest import CHAT_PODS, DATABASE_PODS, SERVICES

# The highest quantile this load can plausibly show: the bench measures sends and deliveries
# in tens of milliseconds, and the requests that wait for the stopped database give up after
# DATABASE_RECONNECT_WAIT_SECONDS (1 s in lint --monitoring). It lies below the services'
# largest finite bucket (10 s, swift-prometheus's default), where a quantile past every
# bucket would land.
SLOWEST_PLAUSIBLE = 5.0


@dataclass(frozen=True)
class Expect:
    """Series labelled `label` with exactly the values `each` (or one series without it), each value within
    [low, high], or above `low` when `above` (a rate of something the load did, a quantile of real
    latencies)."""
    low: float
    high: float = math.inf
    label: str = None
    each: frozenset = frozenset()
    above: bool = False

    def describe(self):
        bound = f"> {self.low}" if self.above else f">= {self.low}"
        return f"{bound} and <= {self.high}"

    def holds(self, value):
        return (value > self.low if self.above else value >= self.low) and value <= self.high


def per(label, values, low, high=math.inf, above=False):
    return Expect(low=low, high=high, label=label, each=frozenset(values), above=above)


def rate(label=None, values=()):
    return Expect(low=0, label=label, each=frozenset(values), above=True)


def quantile(label=None, values=()):
    return Expect(low=0, high=SLOWEST_PLAUSIBLE, label=label, each=frozenset(values), above=True)


PANELS = {
    ("Requests per second", "{{service}}"): rate("service", SERVICES),
    # The load stops PostgreSQL for a few seconds: sends and profile reads answer 503 on every service.
    ("Errors per second (5xx and 4xx)", "{{service}} 5xx"): rate("service", SERVICES),
    ("Errors per second (5xx and 4xx)", "{{service}} 4xx"): rate("service", SERVICES),
    ("Request latency", "{{service}} p50"): quantile("service", SERVICES),
    ("Request latency", "{{service}} p99"): quantile("service", SERVICES),
    # The listeners and the slow client are still connected when Prometheus is asked.
    ("Open WebSocket connections", "{{pod}}"): per("pod", CHAT_PODS, 1),
    ("Messages per second", "stored"): rate(),
    ("Messages per second", "events delivered to sockets"): rate(),
    ("Fan-out lag (commit to socket)", "p50"): quantile(),
    ("Fan-out lag (commit to socket)", "p99"): quantile(),
    ("Database pool in use", "{{pod}} in use"): per("pod", DATABASE_PODS, 0),
    ("Database pool in use", "{{pod}} size"): per("pod", DATABASE_PODS, 1),
    ("Database pool wait (p99)", "{{service}}"): per("service", SERVICES - {"ui-service"}, 0, SLOWEST_PLAUSIBLE),
    # Budgets: 1 is all of it left; sends failed on purpose, so below 1 (overspent is below 0).
    ("Error budget left: sends (14 d)", "sends"): Expect(low=-math.inf, high=1),
    ("Error budget left: availability (14 d)", "{{service}}"): per("service", SERVICES, -math.inf, 1),
    ("Error budget left: delivery within 1 s (14 d)", "delivery"): Expect(low=-math.inf, high=1),
    ("Burn rate (1 h; 14.4 pages with the 5 m window, 6 over 6 h tickets)", "sends"): rate(),
    ("Burn rate (1 h; 14.4 pages with the 5 m window, 6 over 6 h tickets)", "{{service}}"): rate("service", SERVICES),
    ("Burn rate (1 h; 14.4 pages with the 5 m window, 6 over 6 h tickets)", "delivery"): Expect(low=0),
}
