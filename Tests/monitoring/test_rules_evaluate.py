"""Every recording and alert rule, as the local Prometheus loaded them from the
rendered PrometheusRules, evaluated against the services' real series after
the load: each rule evaluates without an error, each recording rule records the
series it should with values in range, each alert's condition (its
comparisons made `bool`) watches the series it should, and every selector any
panel or rule reads selects something."""
import math

import pytest
import yaml

from conftest import DATABASE_PODS, ROOT, SERVICES, finite, panel_targets
from promql import as_bool, selectors, substitute

MONITORING = ROOT / "k8s-manifests/infrastructure/monitoring"


def source_rules():
    """Every rule of the PrometheusRules the monitoring kustomization lists (what the cluster loads)."""
    files = yaml.safe_load((MONITORING / "kustomization.yaml").read_text())["resources"]
    rules = []
    for name in files:
        for doc in yaml.safe_load_all((MONITORING / name).read_text()):
            if doc and doc.get("kind") == "PrometheusRule":
                rules += [rule for group in doc["spec"]["groups"] for rule in group["rules"]]
    assert rules, f"{MONITORING} lists no PrometheusRule"
    return rules


RULES = source_rules()
RECORDS = [rule for rule in RULES if "record" in rule]
ALERTS = [rule for rule in RULES if "alert" in rule]
TARGETS = panel_targets()


def expected_groups(expr):
    """The series a rule's result is split into: one per service, per (service, pod) with a pool, or one."""
    if "by (service, pod)" in expr:
        return "pod", DATABASE_PODS
    if "by (service)" in expr:
        return "service", SERVICES
    return None, None


def test_prometheus_loaded_every_rule_and_each_evaluates_cleanly(prometheus, loaded):
    loaded_rules = [rule for group in prometheus.api("/api/v1/rules")["groups"] for rule in group["rules"]]
    names = sorted(rule["name"] for rule in loaded_rules)
    assert names == sorted(rule.get("record") or rule["alert"] for rule in RULES), \
        "the local Prometheus did not load exactly the rules of the PrometheusRules"
    broken = [(rule["name"], rule.get("lastError")) for rule in loaded_rules if rule["health"] != "ok" or rule.get("lastError")]
    assert not broken, f"rules whose evaluation fails in Prometheus: {broken}"


@pytest.mark.parametrize("rule", RECORDS, ids=[rule["record"] for rule in RECORDS])
def test_recording_rule_records_plausible_series(prometheus, loaded, rule):
    name = rule["record"]
    result = prometheus.query(name, loaded)
    assert result, f"{name} records nothing after the load: {rule['expr']}"
    label, each = expected_groups(rule["expr"])
    if label:
        assert {labels.get(label) for labels, _ in result} == each, f"{name} records {result}, expected one series per {label}"
    else:
        assert len(result) == 1, f"{name} records {len(result)} series, expected one: {result}"
    # Error ratios lie in [0, 1]; a budget left is at most 1 (below 0 when overspent).
    low, high = (0, 1) if ":ratio_" in name else (-math.inf, 1)
    wrong = [(labels, value) for labels, value in result if not finite(value) or not low <= value <= high]
    assert not wrong, f"{name} records values outside [{low}, {high}]: {wrong}"


@pytest.mark.parametrize("rule", ALERTS, ids=[rule["alert"] for rule in ALERTS])
def test_alert_condition_watches_every_series_it_should(prometheus, loaded, rule):
    condition = as_bool(rule["expr"])
    result = prometheus.query(condition, loaded)
    assert result, f"{rule['alert']} watches nothing (its condition made bool gives no series): {condition}"
    label, each = expected_groups(rule["expr"])
    if label:
        assert {labels.get(label) for labels, _ in result} == each, \
            f"{rule['alert']} watches {result}, expected one series per {label}: {condition}"
    assert all(value in (0, 1) for _, value in result), f"{rule['alert']}: {condition} gives {result}"
    # The condition as written: what would be pending now (and firing once its `for:` held).
    # (A comparison that filters keeps the metric's name; `bool` drops it, as an alert's labels do.)
    met = [{k: v for k, v in labels.items() if k != "__name__"} for labels, _ in prometheus.query(rule["expr"], loaded)]
    assert all(labels in [watched for watched, _ in result] for labels in met), \
        f"{rule['alert']} is met for series its bool form does not watch: {met}"
    print(f"{rule['alert']}: condition met for {met or 'none'}")


SELECTORS = sorted({selector for _, _, expr in TARGETS for selector in selectors(substitute(expr))}
                   | {selector for rule in RULES for selector in selectors(rule["expr"])})


def test_every_expression_reads_some_selector():
    """The selector check below only sees what promql.selectors finds: every expression must give it something."""
    blind = [expr for expr in [e for _, _, e in TARGETS] + [r["expr"] for r in RULES] if not selectors(expr)]
    assert not blind, f"expressions in which no selector was found: {blind}"


@pytest.mark.parametrize("selector", SELECTORS)
def test_selector_selects_series(prometheus, loaded, selector):
    assert prometheus.query(selector, loaded), f"{selector} selects no series: a wrong metric name or label?"
