"""The manifests follow what the services actually do: every environment
variable a manifest sets is one the service reads (and the README's one
configuration table lists it), ports and probe paths match the code, the
Dockerfile exposes the same ports, and every metric the dashboard and alerts
use is one the running services export."""
import json
import os
import re

import pytest
import requests

from conftest import MANIFESTS, ROOT, find

SERVICES = {"user-service": "UserService", "chat-service": "ChatService", "ui-service": "UIService"}


def variables_read_by(target):
    """Environment variable names a service's Swift code reads through EnvironmentReader."""
    names = set()
    for file in (ROOT / "Sources" / target).rglob("*.swift"):
        text = file.read_text()
        for kind, name in re.findall(r'environment\.(string|int|secret|optionalString)\("([A-Z0-9_]+)"', text):
            names.add(name)
            if kind == "secret":
                names.add(name + "_FILE")
        if "environment.logLevel()" in text:
            names.add("LOG_LEVEL")
    assert names, f"found no environment reads in Sources/{target}"
    # Every service's main bootstraps traces (ServiceKit's TraceExport), which reads OpenTelemetry's settings.
    if "TraceExport.bootstrap" in (ROOT / "Sources" / target / "main.swift").read_text():
        trace_export = (ROOT / "Sources/ServiceKit/Tracing/TraceExport.swift").read_text()
        names |= set(re.findall(r'"(OTEL_[A-Z0-9_]+)"', trace_export[trace_export.index("static let variables"):]))
    return names


def default_port(target):
    text = (ROOT / "Sources" / target / "Configuration.swift").read_text()
    return int(re.search(r'environment\.int\("PORT", default: (\d+)', text).group(1))


def deployment(name):
    found = [d for d in find("Deployment", name=name) if d["metadata"].get("namespace") == "app"]
    assert len(found) == 1, f"expected one Deployment {name} in app"
    return found[0]


def configmap(name):
    return next(c for c in find("ConfigMap", name=name) if c["metadata"].get("namespace") == "app")


def manifest_variables(name):
    container = deployment(name)["spec"]["template"]["spec"]["containers"][0]
    names = {env["name"] for env in container.get("env", [])}
    for source in container.get("envFrom", []):
        names |= set(configmap(source["configMapRef"]["name"])["data"])
    return names


@pytest.mark.parametrize("name,target", SERVICES.items())
def test_every_variable_the_manifest_sets_is_read_by_the_service(name, target):
    unknown = manifest_variables(name) - variables_read_by(target)
    assert not unknown, f"{name}'s manifest sets {sorted(unknown)}, which the service never reads"


@pytest.mark.parametrize("name,target", SERVICES.items())
def test_the_readme_configuration_table_lists_every_variable(name, target):
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration"):readme.index("## API overview")]
    listed = set(re.findall(r"^\| `([A-Z0-9_]+)`", table, re.M)) | set(re.findall(r"\(or `([A-Z0-9_]+)`\)", table))
    missing = (variables_read_by(target) | manifest_variables(name)) - listed
    assert not missing, f"README's configuration table lacks {sorted(missing)}"


@pytest.mark.parametrize("name,target", SERVICES.items())
def test_ports_and_probes_match_the_code(name, target):
    port = default_port(target)
    data = configmap(name)["data"]
    assert int(data["PORT"]) == port and data["HOST"] == "0.0.0.0"
    pod = deployment(name)["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert [p["containerPort"] for p in container["ports"] if p["name"] == "http"] == [port]
    service = next(s for s in find("Service", name=name) if s["metadata"].get("namespace") == "app")
    assert service["spec"]["ports"][0]["port"] == port and service["spec"]["ports"][0]["targetPort"] == "http"
    operations = (ROOT / "Sources/ServiceKit/Server/OperationsController.swift").read_text()
    for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        assert container[probe]["httpGet"]["path"] == path and container[probe]["httpGet"]["port"] == "http"
        assert f'router.get("{path}")' in operations
    # Restricted Pod Security, resources, graceful stop.
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert pod["terminationGracePeriodSeconds"] >= 30 and container["lifecycle"]["preStop"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    stage = dockerfile[dockerfile.index(f"AS {name}"):]
    assert f"EXPOSE {port}" in stage.split("FROM")[0] and f"ENV PORT={port}" in stage.split("FROM")[0]


def test_every_service_has_an_autoscaler_and_a_disruption_budget():
    for name in SERVICES:
        hpa, = [h for h in find("HorizontalPodAutoscaler", name=name)]
        assert hpa["spec"]["scaleTargetRef"]["name"] == name and hpa["spec"]["minReplicas"] >= 2
        pdb, = [p for p in find("PodDisruptionBudget", name=name)]
        assert pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == name
        assert "replicas" not in deployment(name)["spec"], "the HPA owns the replica count"


def test_network_policies_default_deny_then_the_data_flow():
    policies = {p["metadata"]["name"]: p for p in find("NetworkPolicy") if p["metadata"].get("namespace") == "app"}
    deny = policies["default-deny-all"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"} and "ingress" not in deny
    chat = policies["chat-service"]["spec"]
    egress_ports = {port["port"] for rule in chat["egress"] for port in rule["ports"]}
    assert {5432, 6379, 8081, 8080, 443, 80} == egress_ports
    # Only the public internet on 80 (link previews): the rule that opens it keeps the private ranges out.
    public, = [rule for rule in chat["egress"] if any(port["port"] == 80 for port in rule["ports"])]
    blocked = set(public["to"][0]["ipBlock"]["except"])
    assert public["to"][0]["ipBlock"]["cidr"] == "0.0.0.0/0"
    assert {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"} <= blocked
    user_ingress = policies["user-service"]["spec"]["ingress"]
    callers = {peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") for rule in user_ingress for peer in rule["from"]}
    assert {"traefik", "ui-service", "chat-service", "prometheus"} <= callers


def test_cluster_settings_flow_into_the_issuer():
    settings = dict(line.split("=", 1) for line in (MANIFESTS / "settings/cluster.env").read_text().split())
    chat = configmap("chat-service")["data"]
    assert chat["AUTH_ISSUER"] == f"https://{settings['PUBLIC_HOST']}/realms/microchat"
    assert chat["AUTH_DISCOVERY_URL"].startswith("http://keycloak.platform.svc")
    # One issuer for everyone: the page signs in there, and both services accept its tokens.
    assert configmap("user-service")["data"]["AUTH_ISSUER"] == chat["AUTH_ISSUER"] == configmap("ui-service")["data"]["OIDC_ISSUER"]
    assert configmap("user-service")["data"]["AUTH_DISCOVERY_URL"] == chat["AUTH_DISCOVERY_URL"]
    keycloak = next(c for c in find("ConfigMap", name="keycloak"))
    assert keycloak["data"]["KC_HOSTNAME"] == f"https://{settings['PUBLIC_HOST']}"
    realm = json.loads((MANIFESTS / "platform/keycloak/realm-microchat.json").read_text())
    client = next(c for c in realm["clients"] if c["clientId"] == configmap("ui-service")["data"]["OIDC_CLIENT_ID"])
    assert "https://${MICROCHAT_PUBLIC_HOST}/*" in client["redirectUris"]  # the page's /auth/callback
    assert client["publicClient"] is True and client["attributes"]["pkce.code.challenge.method"] == "S256"
    assert client["directAccessGrantsEnabled"] is False and client["implicitFlowEnabled"] is False
    # The audience is the client's own mapper (test_keycloak_import models which scopes and claims the tokens get).
    audience = next(m for m in client["protocolMappers"] if m["protocolMapper"] == "oidc-audience-mapper")
    assert audience["config"]["included.custom.audience"] == chat["TOKEN_AUDIENCE"]


def _metric_names_used():
    text = (MANIFESTS / "infrastructure/monitoring/dashboards/microchat.json").read_text()
    text += (MANIFESTS / "infrastructure/monitoring/alerts.yaml").read_text()
    text += (MANIFESTS / "infrastructure/monitoring/slo.yaml").read_text()
    used = set(re.findall(r"\b((?:hb|http_server|ws|chat|db_pool|redis)_[a-z_]+)\{", text))
    assert used, "found no MicroChat metrics in the dashboard"
    return used


def test_dashboard_and_alerts_use_metrics_the_services_export():
    urls = [os.environ.get("MICROCHAT_TEST_USER_URL")] + os.environ.get("MICROCHAT_TEST_CHAT_URLS", "").split(",")
    urls = [u for u in urls if u]
    if not urls:
        pytest.fail("MICROCHAT_TEST_USER_URL/CHAT_URLS are not set: run this through ./microchat test")
    exported = set()
    for url in urls:
        for line in requests.get(url + "/metrics", timeout=5).text.splitlines():
            if line and not line.startswith("#"):
                exported.add(re.split(r"[{ ]", line, 1)[0])
    missing = {name for name in _metric_names_used()
               if name not in exported and not any(e.startswith(name.removesuffix("_bucket")) for e in exported)}
    assert not missing, f"the dashboard or alerts use {sorted(missing)}, which no service exports"
