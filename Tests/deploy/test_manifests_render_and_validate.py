"""Every kustomization renders with kubectl; every rendered object validates
against the Kubernetes schemas (kubernetes-validate, offline); the custom
resources the schemas do not cover carry the fields ArgoCD and the operators
need; yamllint, checkov and hadolint pass."""
import re
import subprocess

import yaml

import kubernetes_validate
import pytest

from conftest import DEPLOYED, ROOT, all_kustomizations, find, render, rendered_objects, rendered_text, tool

KUBERNETES_VERSION = "1.31.0"  # what ansible/roles/common pins (kubeadm/kubelet/kubectl 1.31)
CUSTOM_KINDS = {
    "Application", "ServiceMonitor", "PrometheusRule", "IngressRoute", "Middleware", "Cluster", "Database",
    "ScheduledBackup", "ExternalSecret", "SecretStore", "ClusterSecretStore",
}


@pytest.mark.parametrize("path", all_kustomizations())
def test_every_kustomization_renders(path):
    objects = render(path)
    assert objects, f"{path} renders nothing"
    for obj in objects:
        assert obj.get("apiVersion") and obj.get("kind") and obj.get("metadata", {}).get("name"), obj


def test_nothing_site_specific_is_left_unreplaced():
    for path, obj in rendered_objects():
        text = repr(obj)
        for placeholder in ("PUBLIC_HOST`", "//PUBLIC_HOST", "BACKUP_BUCKET/", "FILES_BUCKET", "REPO_URL", "REPO_REVISION", "GCP_PROJECT", "INGRESS_IP"):
            assert placeholder not in text, f"{path}: {obj['kind']}/{obj['metadata']['name']} still says {placeholder}"


@pytest.mark.parametrize("path", DEPLOYED)
def test_rendered_objects_validate_against_the_kubernetes_schemas(path):
    checked = 0
    for obj in render(path):
        if obj["kind"] in CUSTOM_KINDS:
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{path}: {obj['kind']}/{obj['metadata']['name']}: {error.message} at {list(error.path)}")
        checked += 1
    kinds = {obj["kind"] for obj in render(path)}
    assert checked or kinds <= CUSTOM_KINDS


def test_only_known_custom_kinds_are_used():
    # Anything else would go unchecked: the schema validator skips it and the checks below do not know it.
    for path, obj in rendered_objects():
        group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
        if "." in group and not group.endswith("k8s.io"):
            assert obj["kind"] in CUSTOM_KINDS, f"{path}: unchecked custom kind {obj['kind']}"


def _labels(obj):
    return obj.get("metadata", {}).get("labels", {})


def test_namespaces_mirror_the_tree():
    names = {ns["metadata"]["name"] for ns in find("Namespace")}
    assert {"app", "platform", "monitoring", "traefik", "argocd"} <= names
    app = next(ns for ns in find("Namespace") if ns["metadata"]["name"] == "app")
    assert _labels(app)["pod-security.kubernetes.io/enforce"] == "restricted"


def test_applications_are_complete_and_ordered():
    apps = find("Application", path="argocd-apps/apps")
    root = find("Application", path="argocd-apps/bootstrap")
    assert len(root) == 1 and root[0]["spec"]["source"]["path"] == "argocd-apps/apps"
    kustomize_paths = set()
    waves = {}
    for app in apps + root:
        spec = app["spec"]
        assert app["metadata"]["namespace"] == "argocd" and spec["project"]
        assert spec["destination"]["server"] == "https://kubernetes.default.svc" and spec["destination"]["namespace"]
        automated = spec["syncPolicy"]["automated"]
        assert automated["prune"] is True and automated["selfHeal"] is True, app["metadata"]["name"]
        sources = spec.get("sources") or [spec["source"]]
        for source in sources:
            assert source["repoURL"].startswith("https://") and source["targetRevision"]
            assert source.get("path") or source.get("chart") or source.get("ref"), source
            if source.get("chart"):
                assert re.fullmatch(r"\d+\.\d+\.\d+", source["targetRevision"]), f"chart {source['chart']} is not pinned"
            for value_file in source.get("helm", {}).get("valueFiles", []):
                relative = value_file.removeprefix("$values/")
                assert (ROOT / relative).is_file(), f"{app['metadata']['name']}: values file {relative} does not exist"
            if source.get("path") and "repoURL" in source and not source.get("chart") and (ROOT / source["path"]).exists():
                kustomize_paths.add(source["path"])
        if app in apps:
            waves[app["metadata"]["name"]] = int(app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])
    # Every kustomization ArgoCD should apply has its Application, and none points nowhere.
    assert kustomize_paths == set(DEPLOYED) - {"argocd-apps/bootstrap"}
    # The platform comes up before the app, the app before its routes and dashboards.
    assert waves["namespaces"] < waves["cloudnative-pg"] < waves["platform-postgres"] < waves["platform-keycloak"] < waves["microchat"]
    assert waves["external-secrets"] < waves["external-secrets-store"] < waves["platform-postgres"]
    assert waves["monitoring"] < waves["microchat"] and waves["traefik"] < waves["traefik-routes"]
    assert waves["microchat"] <= waves["traefik-routes"]
    assert waves["metrics-server"] < waves["microchat"]


def test_autoscalers_have_the_resource_metrics_api():
    """kubeadm installs no metrics-server: without one serving metrics.k8s.io, every HPA stays at minReplicas."""
    autoscalers = [h for h in find("HorizontalPodAutoscaler") if any(m["type"] == "Resource" for m in h["spec"]["metrics"])]
    assert autoscalers
    api, = [a for a in find("APIService") if a["spec"]["group"] == "metrics.k8s.io"]
    target = api["spec"]["service"]
    service, = [s for s in find("Service") if (s["metadata"].get("namespace"), s["metadata"]["name"]) == (target["namespace"], target["name"])]
    port, = [p for p in service["spec"]["ports"] if p["port"] == target["port"]]
    backends = [d for d in find("Deployment") if d["metadata"].get("namespace") == target["namespace"]
                and service["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()]
    assert backends, "the metrics API's Service selects no Deployment"
    container = backends[0]["spec"]["template"]["spec"]["containers"][0]
    assert port["targetPort"] in [p.get("name") for p in container["ports"]] + [p["containerPort"] for p in container["ports"]]
    assert "metrics-server" in container["image"]
    rbac_subjects = {(s["namespace"], s["name"]) for b in find("ClusterRoleBinding") for s in b.get("subjects", [])}
    assert (target["namespace"], backends[0]["spec"]["template"]["spec"]["serviceAccountName"]) in rbac_subjects


def test_service_monitors_point_at_real_services():
    services = {(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in find("Service")}
    monitors = find("ServiceMonitor")
    assert {m["metadata"]["name"] for m in monitors} >= {"user-service", "chat-service", "ui-service"}
    for monitor in monitors:
        selector = monitor["spec"]["selector"]["matchLabels"]
        namespaces = monitor["spec"]["namespaceSelector"]["matchNames"]
        matching = [s for (ns, _), s in services.items() if ns in namespaces and selector.items() <= _labels(s).items()]
        assert matching, f"ServiceMonitor {monitor['metadata']['name']} selects no Service"
        ports = {p["name"] for s in matching for p in s["spec"]["ports"]}
        for endpoint in monitor["spec"]["endpoints"]:
            assert endpoint["port"] in ports and endpoint["path"] == "/metrics"
        assert _labels(monitor)["release"] == "monitoring"  # the kube-prometheus-stack release (argocd-apps/apps/monitoring.yaml)


def test_prometheus_rules_are_well_formed():
    rules = find("PrometheusRule")
    assert rules
    for rule_set in rules:
        for group in rule_set["spec"]["groups"]:
            assert group["name"] and group["rules"]
            for rule in group["rules"]:
                assert rule["expr"].strip() and rule["expr"].count("(") == rule["expr"].count(")"), rule.get("alert") or rule.get("record")
                if "record" in rule:  # recording rules (the SLOs' ratios): level:metric:operations
                    assert "alert" not in rule and rule["record"].count(":") >= 2, rule["record"]
                    continue
                assert rule["alert"] and rule["labels"]["severity"] in ("critical", "warning", "info")
                assert rule["annotations"]["summary"]


def test_ingress_routes_cover_the_public_url_space_and_reach_real_services():
    services = {(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in find("Service")}
    routes = find("IngressRoute")
    assert len(routes) == 1
    route = routes[0]
    assert route["spec"]["entryPoints"] == ["websecure"] and route["spec"]["tls"]["certResolver"] in ("letsencrypt", "letsencrypt-staging")
    middlewares = {m["metadata"]["name"] for m in find("Middleware")}
    by_prefix = {}
    for rule in route["spec"]["routes"]:
        assert rule["kind"] == "Rule" and rule["match"].startswith("Host(`")
        for middleware in rule.get("middlewares", []):
            assert middleware["name"] in middlewares
        for service in rule["services"]:
            target = services.get((service["namespace"], service["name"]))
            assert target, f"route to missing Service {service}"
            assert service["port"] in [p["port"] for p in target["spec"]["ports"]]
        for prefix in re.findall(r"Path(?:Prefix)?\(`([^`]+)`\)", rule["match"]):
            by_prefix[prefix] = rule["services"][0]["name"]
    assert by_prefix["/api/auth"] == by_prefix["/api/users"] == by_prefix["/api/contacts"] == by_prefix["/.well-known"] == "user-service"
    assert by_prefix["/api/rooms"] == by_prefix["/api/ws"] == by_prefix["/api/search"] == by_prefix["/api/mentions"] == by_prefix["/api/saved"] == by_prefix["/api/threads"] == "chat-service"
    assert by_prefix["/realms/microchat/"] == "keycloak"
    catch_all = [r for r in route["spec"]["routes"] if "Path" not in r["match"]]
    assert catch_all and catch_all[0]["services"][0]["name"] == "ui-service"
    # No sticky sessions: any replica serves anyone.
    assert "sticky" not in repr(route)


def test_postgres_cluster_is_ha_with_tls_roles_and_backups():
    cluster, = find("Cluster")
    spec = cluster["spec"]
    assert spec["instances"] >= 3 and spec["storage"]["size"]
    roles = {role["name"]: role for role in spec["managed"]["roles"]}
    assert set(roles) == {"user_service", "chat_service", "keycloak"}
    external_secrets = {e["spec"]["target"]["name"] for e in find("ExternalSecret", path="k8s-manifests/platform/postgres")}
    for role in roles.values():
        assert role["login"] is True and role["passwordSecret"]["name"] in external_secrets
    hba = spec["postgresql"]["pg_hba"]
    assert any(line.startswith("hostnossl") and line.endswith("reject") for line in hba)
    assert all(not line.startswith("host ") for line in hba), "plain host lines would allow non-TLS"
    init = spec["bootstrap"]["initdb"]
    assert any("SCHEMA IF NOT EXISTS user_service AUTHORIZATION user_service" in s for s in init["postInitApplicationSQL"])
    assert any("SCHEMA IF NOT EXISTS chat_service AUTHORIZATION chat_service" in s for s in init["postInitApplicationSQL"])
    store = spec["backup"]["barmanObjectStore"]
    assert store["destinationPath"].startswith("gs://") and spec["backup"]["retentionPolicy"]
    database, = find("Database")
    assert database["spec"]["name"] == "keycloak" and database["spec"]["owner"] == "keycloak"
    assert database["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    backup, = find("ScheduledBackup")
    assert backup["spec"]["cluster"]["name"] == cluster["metadata"]["name"] and len(backup["spec"]["schedule"].split()) == 6


def test_external_secrets_use_existing_stores_and_feed_what_pods_mount():
    stores = {("ClusterSecretStore", s["metadata"]["name"]) for s in find("ClusterSecretStore")}
    stores |= {("SecretStore", s["metadata"]["name"]) for s in find("SecretStore")}
    made = set()
    for secret in find("ExternalSecret"):
        ref = secret["spec"]["secretStoreRef"]
        assert (ref["kind"], ref["name"]) in stores, f"{secret['metadata']['name']} reads from a store that does not exist"
        assert secret["spec"]["data"] and all(d["remoteRef"]["key"] for d in secret["spec"]["data"])
        made.add((secret["metadata"].get("namespace"), secret["spec"]["target"]["name"]))
    operator_made = {("platform", "microchat-db-ca")}
    for path, obj in rendered_objects():
        if obj["kind"] != "Deployment":
            continue
        namespace = obj["metadata"].get("namespace")
        pod = obj["spec"]["template"]["spec"]
        names = {v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v}
        for container in pod["containers"]:
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    names.add(ref["name"])
        for name in names:
            assert (namespace, name) in made | operator_made, f"{obj['metadata']['name']} uses secret {name} that nothing makes"
    assert not find("Secret"), "Secrets are made by External Secrets, never committed"


def test_yamllint_passes():
    result = subprocess.run([tool("yamllint"), "-s", "-c", str(ROOT / ".yamllint"), "k8s-manifests", "argocd-apps", ".yamllint"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_finds_nothing_unjustified(tmp_path):
    for path in DEPLOYED:
        (tmp_path / (path.replace("/", "_") + ".yaml")).write_text(rendered_text(path))
    result = subprocess.run([tool("checkov"), "-d", str(tmp_path), "--framework", "kubernetes", "--compact", "--quiet", "--skip-download"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    result = subprocess.run([tool("checkov"), "-f", str(ROOT / "Dockerfile"), "--framework", "dockerfile", "--compact", "--quiet", "--skip-download"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:]


def test_hadolint_passes():
    result = subprocess.run([tool("hadolint"), "--config", str(ROOT / ".hadolint.yaml"), str(ROOT / "Dockerfile")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def traefik_route_for(host, path):
    """Which IngressRoute rule Traefik picks for a request: every rule whose matcher
    holds, highest priority first (Traefik's default priority is the rule's length)."""
    route, = find("IngressRoute")

    def evaluate(match):
        expression = match.replace("&&", " and ").replace("||", " or ")
        expression = re.sub(r"(Host|PathPrefix|Path)\(`([^`]*)`\)", lambda m: f"{m.group(1)}({m.group(2)!r})", expression)
        return eval(expression, {"__builtins__": {}}, {  # the matchers Traefik v3 offers for these rules
            "Host": lambda h: h.lower() == host.lower(),
            "Path": lambda p: p == path,
            "PathPrefix": lambda p: path.startswith(p),
        })

    candidates = [r for r in route["spec"]["routes"] if evaluate(r["match"])]
    if not candidates:
        return None
    return max(candidates, key=lambda r: r.get("priority", len(r["match"])))


def test_traefik_routes_the_public_url_space_as_declared():
    """Sources/ChatProtocol/PublicRoutes.swift is the one table of who serves which
    paths (ui-service routes by it on one host): the cluster's Traefik must send each
    prefix, and everything under it, to the same service."""
    table = re.findall(r'Prefix\(path: "([^"]+)", service: \.(\w+)\)', (ROOT / "Sources/ChatProtocol/PublicRoutes.swift").read_text())
    names = {"users": "user-service", "chats": "chat-service"}
    assert len(table) >= 8 and {service for _, service in table} == set(names)
    host = next(re.search(r"Host\(`([^`]+)`\)", r["match"]).group(1) for r in find("IngressRoute")[0]["spec"]["routes"])
    for prefix, service in table:
        for path in (prefix, prefix + "/x"):
            rule = traefik_route_for(host, path)
            assert rule and rule["services"][0]["name"] == names[service], f"{path} goes to {rule and rule['services'][0]['name']}, not {names[service]}"


def test_traefik_sends_each_path_where_it_belongs():
    host = next(re.search(r"Host\(`([^`]+)`\)", r["match"]).group(1) for r in find("IngressRoute")[0]["spec"]["routes"])
    denied = ["/metrics", "/metrics/", "/healthz", "/healthz/", "/readyz", "/readyz/", "/readyz/x", "/livez",
              "/internal/users/lookup", "/internal"]
    for path in denied:
        rule = traefik_route_for(host, path)
        assert rule and [m["name"] for m in rule.get("middlewares", [])] == ["deny-all"], f"{path} reaches {rule and rule['services']}"
    expected = {
        "/realms/microchat/protocol/openid-connect/auth": "keycloak", "/realms/microchat/.well-known/openid-configuration": "keycloak",
        "/resources/abc/login/keycloak.v2/css/styles.css": "keycloak",
        "/realms/master/protocol/openid-connect/auth": "ui-service", "/admin/master/console/": "ui-service",
        "/realms/microchatx/": "ui-service",
        "/api/rooms/1/messages": "chat-service", "/api/ws": "chat-service", "/api/ws/tickets": "chat-service", "/api/search": "chat-service", "/api/mentions": "chat-service", "/api/saved": "chat-service", "/api/threads": "chat-service", "/api/auth/login": "user-service",
        "/.well-known/jwks.json": "user-service", "/": "ui-service", "/js/app.js": "ui-service",
    }
    for path, service in expected.items():
        rule = traefik_route_for(host, path)
        assert rule and rule["services"][0]["name"] == service and not rule.get("middlewares", []) == [{"name": "deny-all"}], \
            f"{path} goes to {rule and rule['services'][0]['name']}, not {service}"
    # The ui-service catch-all never hands out Keycloak's master realm either: it is not Keycloak.
    assert traefik_route_for("elsewhere.example", "/") is None


def test_keycloak_instances_reach_each_other_for_jgroups():
    policy, = find("NetworkPolicy", name="keycloak")
    peer_ports = set()
    for rule in policy["spec"]["ingress"]:
        if any(p.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") == "keycloak" and "namespaceSelector" not in p
               for p in rule.get("from", [])):
            peer_ports |= {p["port"] for p in rule["ports"]}
    assert {7800, 57800} <= peer_ports, f"Keycloak peers may only use {peer_ports}: JGroups needs 7800 and failure detection 57800"


def test_our_images_are_pulled_with_the_registry_credential():
    """GitLab's registry is private by default: every pod of ours names a pull
    secret, and that secret is made (External Secrets) as a Docker config."""
    pull_secrets = {e["spec"]["target"]["name"]: e for e in find("ExternalSecret", path="k8s-manifests/app")
                    if e["spec"]["target"].get("template", {}).get("type") == "kubernetes.io/dockerconfigjson"}
    assert pull_secrets, "nothing makes a dockerconfigjson Secret for the app namespace"
    for secret in pull_secrets.values():
        assert ".dockerconfigjson" in secret["spec"]["target"]["template"]["data"]
    accounts = {a["metadata"]["name"]: a for a in find("ServiceAccount", path="k8s-manifests/app")}
    images = {i["name"]: i for i in yaml.safe_load((ROOT / "k8s-manifests/app/kustomization.yaml").read_text())["images"]}
    for deployment in find("Deployment", path="k8s-manifests/app"):
        pod = deployment["spec"]["template"]["spec"]
        names = {s["name"] for s in pod.get("imagePullSecrets", [])}
        names |= {s["name"] for s in accounts[pod["serviceAccountName"]].get("imagePullSecrets", [])}
        assert names & set(pull_secrets), f"{deployment['metadata']['name']} pulls its image without a credential"
    for image in images.values():
        assert image["newName"].endswith("/" + image["name"].split("/")[-1]) and image["newTag"], image
