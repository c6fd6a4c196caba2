"""The alert and recording rules, tested with Prometheus's own promtool: the
groups the rendered PrometheusRules carry (what ArgoCD applies) pass
`promtool check rules`, and the unit tests in data/alert-tests pass
`promtool test rules` against them. Every alert needs a case that fires it and
one where it stays silent; every recording rule needs an expression test.

promtool comes with Debian's prometheus package; ./microchat test and lint
install it (ensure_deploy_tools)."""
import json
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT, find

MONITORING = "k8s-manifests/infrastructure/monitoring"
UNIT_TESTS = ROOT / "Tests/deploy/data/alert-tests"


def promtool():
    path = shutil.which("promtool")
    if not path:
        pytest.fail("promtool is not installed: it comes with Debian's prometheus package "
                    "(sudo apt-get install prometheus); ./microchat test and lint install it (ensure_deploy_tools)")
    return path


def rule_groups():
    groups = [group for rule in find("PrometheusRule", path=MONITORING) for group in rule["spec"]["groups"]]
    assert groups, f"{MONITORING} renders no PrometheusRule groups"
    return groups


def unit_tests():
    files = sorted(UNIT_TESTS.glob("*.yaml"))
    assert files, f"no promtool unit tests in {UNIT_TESTS}"
    return {file: yaml.safe_load(file.read_text()) for file in files}


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "rendered-rules.yaml"
    path.write_text(yaml.safe_dump({"groups": rule_groups()}, sort_keys=False, allow_unicode=True))
    return path


def _run(*args):
    result = subprocess.run([promtool(), *args], capture_output=True, text=True, timeout=300)
    return result.returncode, (result.stdout + result.stderr).strip()


def test_rendered_rules_pass_promtool_check(rules_file):
    status, output = _run("check", "rules", str(rules_file))
    assert status == 0, f"promtool check rules failed on the rendered PrometheusRules:\n{output}"


def test_rule_unit_tests_pass(rules_file, tmp_path):
    files = []
    for file, doc in unit_tests().items():
        # The rules under test are always the rendered ones, whatever the file names.
        doc["rule_files"] = [str(rules_file)]
        copy = tmp_path / file.name
        copy.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        files.append(str(copy))
    status, output = _run("test", "rules", *files)
    assert status == 0, f"promtool test rules failed (Tests/deploy/data/alert-tests):\n{output}"


def test_every_alert_fires_and_stays_silent_in_a_test():
    alerts = {rule["alert"] for group in rule_groups() for rule in group["rules"] if "alert" in rule}
    fired, silent = set(), set()
    for doc in unit_tests().values():
        for case in doc.get("tests", []):
            for check in case.get("alert_rule_test", []):
                (fired if check.get("exp_alerts") else silent).add(check["alertname"])
    assert not alerts - fired, f"alerts with no unit test that fires them: {sorted(alerts - fired)}"
    assert not alerts - silent, f"alerts with no unit test where they stay silent: {sorted(alerts - silent)}"
    unknown = (fired | silent) - alerts
    assert not unknown, f"unit tests name alerts the rules do not have: {sorted(unknown)}"


def test_every_recording_rule_has_an_expression_test():
    records = {rule["record"] for group in rule_groups() for rule in group["rules"] if "record" in rule}
    tested = {check["expr"] for doc in unit_tests().values() for case in doc.get("tests", [])
              for check in case.get("promql_expr_test", [])}
    untested = {name for name in records if not any(name in expr for expr in tested)}
    assert not untested, f"recording rules no promql_expr_test evaluates: {sorted(untested)}"


def test_dashboard_shows_the_error_budgets_the_rules_record():
    """The dashboard's SLO panels read recorded series: each must be one the rules record,
    and every error budget the rules record has a panel."""
    records = {rule["record"] for group in rule_groups() for rule in group["rules"] if "record" in rule}
    dashboard = json.loads((ROOT / MONITORING / "dashboards/microchat.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    used = {name for expr in queries for name in re.findall(r"\bmicrochat:[a-z0-9_:]+", expr)}
    assert not used - records, f"the dashboard queries recorded series no rule records: {sorted(used - records)}"
    budgets = {name for name in records if "error_budget" in name}
    assert budgets and not budgets - used, f"error budgets with no dashboard panel: {sorted(budgets - used)}"


def test_every_alert_links_its_runbook_in_the_readme():
    """Each alert's `runbook_url` is the README's section for it, on the repository ArgoCD
    syncs from (cluster.env's REPO_URL), and that section exists (GitLab's heading anchors:
    lower case, punctuation dropped, spaces as hyphens)."""
    root = ROOT
    settings = (root / "k8s-manifests/settings/cluster.env").read_text()
    repo = re.search(r"^REPO_URL=(\S+)$", settings, re.M).group(1).removesuffix(".git")
    readme = (root / "README.md").read_text()
    anchors = {re.sub(r"[^a-z0-9 _-]", "", heading.strip().lower()).replace(" ", "-")
               for heading in re.findall(r"^#{1,6} (.+)$", readme, re.M)}
    section = readme[readme.index("### Runbooks"):]
    alerts = {}
    for path in ("alerts.yaml", "slo.yaml"):
        for document in yaml.safe_load_all((root / "k8s-manifests/infrastructure/monitoring" / path).read_text()):
            for group in document["spec"]["groups"]:
                for rule in group["rules"]:
                    if "alert" in rule:
                        alerts[rule["alert"]] = rule.get("annotations", {}).get("runbook_url")
    assert len(alerts) >= 12
    for name, url in alerts.items():
        assert url == f"{repo}/-/blob/main/README.md#{name.lower()}", f"{name}: runbook_url is {url!r}"
        assert name.lower() in anchors, f"{name}: the README has no section for it"
        assert f"#### {name}\n" in section, f"{name}: its section is not under Runbooks"
