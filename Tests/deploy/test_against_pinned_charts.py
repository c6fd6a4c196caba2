"""The cluster side checked against the charts it pins, the way the cluster
and ArgoCD will see it: every custom resource against the CRD of the chart
version that provides it, every Helm value against that chart's defaults and
schema, ArgoCD's ordering (health of child Applications, dry runs of kinds
whose CRDs a chart brings), and the names of what the charts create."""
import copy
import re

import jsonschema
import pytest
import yaml

from conftest import ROOT, chart_crds, chart_defaults, chart_dir, chart_installs, find, merge_values, render, rendered_objects, strict_crd_schema

# API groups the API server serves itself; everything else must come from a CRD.
BUILT_IN_GROUPS = {
    "", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io",
    "apiregistration.k8s.io", "admissionregistration.k8s.io", "scheduling.k8s.io", "coordination.k8s.io",
    "discovery.k8s.io", "node.k8s.io", "certificates.k8s.io", "apiextensions.k8s.io", "flowcontrol.apiserver.k8s.io",
}


def group_of(api_version):
    return api_version.split("/")[0] if "/" in api_version else ""


def providers():
    """(group, kind, version) → (who provides it, its schema), from the pinned charts and this repository."""
    found = {}
    sources = [(f"chart {i['chart']} {i['version']}", crd) for i in _unique_pins() for crd in chart_crds(i["chart"], i["version"])]
    sources += [("this repository", obj) for _, obj in rendered_objects() if obj["kind"] == "CustomResourceDefinition"]
    for source, crd in sources:
        spec = crd["spec"]
        for version in spec["versions"]:
            if not version.get("served", True):
                continue
            schema = (version.get("schema") or spec.get("validation") or {}).get("openAPIV3Schema")
            found[(spec["group"], spec["names"]["kind"], version["name"])] = (source, schema)
    return found


def _unique_pins():
    seen = {}
    for install in chart_installs():
        seen.setdefault((install["chart"], install["version"]), install)
    return list(seen.values())


def test_every_custom_resource_validates_against_the_crd_that_provides_it():
    known = providers()
    problems = []
    checked = 0
    for path, obj in rendered_objects():
        group = group_of(obj["apiVersion"])
        if group in BUILT_IN_GROUPS:
            continue
        version = obj["apiVersion"].split("/")[-1]
        key = (group, obj["kind"], version)
        name = f"{path}: {obj['kind']}/{obj['metadata']['name']} ({obj['apiVersion']})"
        if key not in known:
            offered = sorted(f"{k[1]} {k[0]}/{k[2]}" for k in known if k[1] == obj["kind"])
            problems.append(f"{name}: no pinned chart and no CRD here provides this kind and version (offered: {offered or 'none'})")
            continue
        source, schema = known[key]
        if schema is None:
            continue
        validator = jsonschema.Draft7Validator(strict_crd_schema(schema))
        for error in sorted(validator.iter_errors(obj), key=lambda e: list(e.path)):
            problems.append(f"{name} against {source}: {error.message[:200]} at {'.'.join(map(str, error.path))}")
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 10, "the custom resources were not found"


def test_the_crd_check_sees_what_a_cluster_refuses():
    """The check itself: an unknown kind, a misspelt field and a wrong type are all caught."""
    known = providers()
    _, cluster_schema = known[("postgresql.cnpg.io", "Cluster", "v1")]
    cluster, = find("Cluster")
    validator = jsonschema.Draft7Validator(strict_crd_schema(cluster_schema))
    assert not list(validator.iter_errors(cluster))
    bad = copy.deepcopy(cluster)
    bad["spec"]["instancez"] = 3
    assert any("instancez" in e.message for e in validator.iter_errors(bad))
    bad = copy.deepcopy(cluster)
    bad["spec"]["instances"] = "three"
    assert list(validator.iter_errors(bad))
    assert ("postgresql.cnpg.io", "Database", "v1") in known, "the pinned CloudNativePG must provide the Database kind the manifests use"


# ---------------------------------------------------------------- Helm values

def dependency_names(metadata):
    return {d.get("alias") or d["name"] for d in metadata.get("dependencies", []) or []}


def schema_child(schema, key):
    if not isinstance(schema, dict):
        return None
    if key in schema.get("properties", {}):
        return schema["properties"][key]
    for pattern, child in schema.get("patternProperties", {}).items():
        if re.search(pattern, key):
            return child
    return None


# Sub-chart keys confirmed against the sub-chart's own default values, for when
# the cache holds only the parent chart's files (../shared/charts has no
# sub-charts). With the packaged chart in the cache the sub-chart's real
# values.yaml is used instead, and these lists are checked against it.
SUBCHART_KEYS = {
    # grafana 8.6.x values.yaml (github.com/grafana/helm-charts, charts/grafana): admin.existingSecret/userKey/passwordKey, resources
    ("kube-prometheus-stack", "grafana"): {"admin", "admin.existingSecret", "admin.userKey", "admin.passwordKey", "resources"},
}


# Charts hand these blocks to the pod spec whole (toYaml), so their keys are
# Kubernetes' own fields, whatever subset the chart's defaults happen to show.
POD_SECURITY_CONTEXT = {"appArmorProfile", "fsGroup", "fsGroupChangePolicy", "runAsGroup", "runAsNonRoot", "runAsUser",
                        "seLinuxChangePolicy", "seLinuxOptions", "seccompProfile", "supplementalGroups",
                        "supplementalGroupsPolicy", "sysctls", "windowsOptions"}
CONTAINER_SECURITY_CONTEXT = {"allowPrivilegeEscalation", "appArmorProfile", "capabilities", "privileged", "procMount",
                              "readOnlyRootFilesystem", "runAsGroup", "runAsNonRoot", "runAsUser", "seLinuxOptions",
                              "seccompProfile", "windowsOptions"}


# Maps whose entries become a ConfigMap's data, so any key is meaningful to
# the program reading it (argo-cd's values.yaml: "configs.cm: ... argocd-cm data").
DATA_MAPS = {"configs.cm", "configs.params", "configs.rbac"}


def unknown_values(ours, defaults, schema, path, subchart_keys=None):
    """The keys of `ours` that neither the defaults nor the schema know, as dotted paths."""
    unknown = []
    for key, value in ours.items():
        here = f"{path}.{key}" if path else key
        if here in DATA_MAPS:
            continue
        if key.lower().endswith("securitycontext") and isinstance(value, dict):
            fields = POD_SECURITY_CONTEXT if key.lower().startswith("pod") else CONTAINER_SECURITY_CONTEXT
            unknown += [f"{here}.{k}" for k in value if k not in fields]
            continue
        default = defaults.get(key, _MISSING) if isinstance(defaults, dict) else _MISSING
        child_schema = schema_child(schema, key)
        if default is _MISSING and child_schema is None:
            relative = here.split(".", 1)[1] if subchart_keys is not None and "." in here else None
            if subchart_keys is not None and relative in subchart_keys:
                continue
            unknown.append(here)
            continue
        if not isinstance(value, dict):
            continue
        free_form = (isinstance(default, dict) and not default) or default is None
        if child_schema is not None and "properties" not in child_schema and "patternProperties" not in child_schema:
            free_form = free_form or default is _MISSING
        if free_form and not (isinstance(child_schema, dict) and child_schema.get("additionalProperties") is False):
            continue
        unknown += unknown_values(value, default if isinstance(default, dict) else {}, child_schema, here, subchart_keys)
    return unknown


_MISSING = object()


@pytest.mark.parametrize("install", chart_installs(), ids=lambda i: i["application"])
def test_every_helm_value_we_set_exists_in_the_pinned_chart(install):
    defaults, schema, metadata = chart_defaults(install["chart"], install["version"])
    subcharts = dependency_names(metadata)
    problems = []
    for key, value in install["values"].items():
        if key in subcharts and isinstance(value, dict):
            sub_folder = chart_dir(install["chart"], install["version"]) / "charts" / key
            if (sub_folder / "values.yaml").is_file():
                sub_defaults = merge_values(yaml.safe_load((sub_folder / "values.yaml").read_text()) or {}, defaults.get(key) or {})
                problems += unknown_values(value, sub_defaults, None, key)
                listed = SUBCHART_KEYS.get((install["chart"], key), set())
                problems += [f"{key}.{k} (listed in SUBCHART_KEYS)" for k in listed if not _has_path(sub_defaults, k)]
            else:
                problems += unknown_values(value, defaults.get(key) or {}, schema_child(schema, key), key,
                                           SUBCHART_KEYS.get((install["chart"], key), set()))
            continue
        problems += unknown_values({key: value}, defaults, schema, "")
    assert not problems, (f"{install['application']}: values that chart {install['chart']} {install['version']} "
                          f"does not have (Helm ignores them silently): {problems}")
    if schema:
        merged = merge_values(defaults, install["values"])
        errors = [f"{'.'.join(map(str, e.path))}: {e.message[:160]}" for e in jsonschema.Draft7Validator(schema).iter_errors(merged)]
        assert not errors, f"{install['application']}: values refused by the chart's schema: {errors}"


def _has_path(values, dotted):
    for part in dotted.split("."):
        if not isinstance(values, dict) or part not in values:
            return False
        values = values[part]
    return True


def test_the_values_check_catches_a_key_the_chart_ignores():
    traefik = next(i for i in chart_installs() if i["chart"] == "traefik")
    defaults, schema, _ = chart_defaults(traefik["chart"], traefik["version"])
    assert unknown_values({"ports": {"web": {"redirections": {"entryPoint": {"to": "websecure"}}}}}, defaults, schema, "") == [
        "ports.web.redirections"]
    assert unknown_values({"ports": {"web": {"redirectTo": {"port": "websecure"}}}}, defaults, schema, "") == []
    assert unknown_values({"deploymentt": {"kind": "Deployment"}}, defaults, schema, "") == ["deploymentt"]


# ---------------------------------------------------------------- ArgoCD's order of things

def wave(app):
    return int(app["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-wave", "0"))


def provider_chart(known, obj):
    key = (group_of(obj["apiVersion"]), obj["kind"], obj["apiVersion"].split("/")[-1])
    source = known.get(key, ("",))[0]
    return source.split()[1] if source.startswith("chart ") else None


def test_custom_resources_wait_for_the_chart_that_brings_their_crd():
    known = providers()
    apps = find("Application", path="argocd-apps/apps")
    chart_app = {i["chart"]: next(a for a in apps if a["metadata"]["name"] == i["application"]) for i in chart_installs()}
    gitops = yaml.safe_load((ROOT / "ansible/roles/gitops/defaults/main.yml").read_text())
    problems = []
    for app in apps:
        paths = [s["path"] for s in app["spec"].get("sources") or [app["spec"].get("source", {})]
                 if s.get("path") and not s.get("chart") and (ROOT / s["path"]).is_dir()]
        options = app["spec"].get("syncPolicy", {}).get("syncOptions", [])
        for obj in [o for path in paths for o in render(path)]:
            if group_of(obj["apiVersion"]) in BUILT_IN_GROUPS:
                continue
            chart = provider_chart(known, obj)
            if chart is None:
                continue
            if chart == "argo-cd":
                # Ansible installs ArgoCD (and so its CRDs) before the root Application exists.
                assert str(gitops["gitops_argocd_chart_version"]) == str(next(
                    i["version"] for i in chart_installs() if i["chart"] == "argo-cd")), "Ansible and argocd-apps pin different argo-cd charts"
                continue
            name = f"{app['metadata']['name']}: {obj['kind']}/{obj['metadata']['name']}"
            skip = "SkipDryRunOnMissingResource=true" in options or "SkipDryRunOnMissingResource=true" in \
                obj["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-options", "")
            if not skip:
                problems.append(f"{name}: its CRD comes from chart {chart}, but nothing says SkipDryRunOnMissingResource=true")
            if wave(chart_app[chart]) >= wave(app):
                problems.append(f"{name}: chart {chart} (wave {wave(chart_app[chart])}) is not in an earlier wave than {wave(app)}")
    assert not problems, "\n".join(problems)


def application_health_script():
    values = yaml.safe_load((ROOT / "k8s-manifests/argocd/values.yaml").read_text())
    script = values["configs"]["cm"].get("resource.customizations.health.argoproj.io_Application")
    assert script, "ArgoCD has no health check for Applications: sync waves of the root app would not wait for anything"
    return script


@pytest.mark.parametrize("status,expected", [
    (None, "Progressing"),
    ({"sync": {"status": "Synced"}}, "Progressing"),
    ({"health": {"status": "Progressing"}}, "Progressing"),
    ({"health": {"status": "Degraded", "message": "crash loop"}}, "Degraded"),
    ({"health": {"status": "Healthy"}}, "Healthy"),
])
def test_argocd_judges_child_applications_by_their_health(status, expected):
    """Runs the Lua health check ArgoCD is given on Applications in the states ArgoCD reports."""
    import lupa
    lua = lupa.LuaRuntime(unpack_returned_tuples=True)

    def table(value):
        return lua.table_from({k: table(v) for k, v in value.items()}) if isinstance(value, dict) else value

    obj = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "x"}}
    if status is not None:
        obj["status"] = status
    check = lua.eval("function(obj) " + application_health_script() + " end")
    result = check(table(obj))
    assert result["status"] == expected


# ---------------------------------------------------------------- names of what the charts create

def helm_fullname(release, chart_name, values, limit=63):
    """The common `<chart>.fullname` helper of Helm charts (the charts here all use it)."""
    if values.get("fullnameOverride"):
        return values["fullnameOverride"][:limit].rstrip("-")
    name = values.get("nameOverride") or chart_name
    return (release if name in release else f"{release}-{name}")[:limit].rstrip("-")


def chart_made():
    """(namespace, kind, name) of the Services and Secrets the pinned charts (and
    the operators they run) create for our releases and clusters, and the pod
    labels their pods carry, as each chart's templates name them."""
    made, pod_labels, prometheus_selects_all = set(), {}, True
    for install in chart_installs():
        defaults, _, _ = chart_defaults(install["chart"], install["version"])
        values = merge_values(defaults, install["values"])
        release, namespace = install["release"], install["namespace"]
        if install["chart"] == "argo-cd":
            full = helm_fullname(release, "argo-cd", values)
            made |= {(namespace, "Service", f"{full}-server"), (namespace, "Service", f"{full}-repo-server"),
                     (namespace, "Secret", "argocd-secret"), (namespace, "Secret", "argocd-initial-admin-secret")}
        elif install["chart"] == "kube-prometheus-stack":
            full = helm_fullname(release, "kube-prometheus-stack", values, limit=26)
            grafana = helm_fullname(release, "grafana", values.get("grafana", {}))
            made |= {(namespace, "Service", f"{full}-prometheus"), (namespace, "Service", f"{full}-alertmanager"),
                     (namespace, "Service", grafana)}
            pod_labels[(namespace, "prometheus")] = {"app.kubernetes.io/name": "prometheus"}  # set by the operator
            spec = values["prometheus"]["prometheusSpec"]
            prometheus_selects_all = not (spec.get("serviceMonitorSelectorNilUsesHelmValues", True)
                                          or spec.get("ruleSelectorNilUsesHelmValues", True))
            monitoring_release = release
        elif install["chart"] == "traefik":
            made.add((namespace, "Service", helm_fullname(release, "traefik", values)))
            pod_labels[(namespace, "traefik")] = {"app.kubernetes.io/name": values.get("nameOverride") or "traefik"}
    for cluster in find("Cluster"):  # CloudNativePG's operator
        namespace, name = cluster["metadata"].get("namespace"), cluster["metadata"]["name"]
        made |= {(namespace, "Service", f"{name}-{suffix}") for suffix in ("rw", "ro", "r")}
        made |= {(namespace, "Secret", f"{name}-{suffix}") for suffix in ("ca", "app", "superuser", "server", "replication")}
    return made, pod_labels, prometheus_selects_all, monitoring_release


def test_names_we_use_for_chart_made_things_are_what_the_charts_name_them():
    made, pod_labels, selects_all, monitoring_release = chart_made()
    ours = {(s["metadata"].get("namespace"), "Service", s["metadata"]["name"]) for s in find("Service")}
    ours |= {(e["metadata"].get("namespace"), "Secret", e["spec"]["target"]["name"]) for e in find("ExternalSecret")}
    known = made | ours
    problems = []
    # The operator's verbs: port-forwards and secrets read by scripts/cloud.
    for line in (ROOT / "scripts/cloud").read_text().splitlines():
        namespace = re.search(r"-n (\S+)", line)
        for kind, name in [("Service", n) for n in re.findall(r"port-forward svc/(\S+)", line)] + \
                          [("Secret", n) for n in re.findall(r"get secret (\S+)", line)]:
            if (namespace.group(1) if namespace else None, kind, name) not in known:
                problems.append(f"scripts/cloud: {kind} {name} in {namespace.group(1) if namespace else '?'} is made by nothing: {line.strip()}")
    # In-cluster addresses in the manifests.
    for path, obj in rendered_objects():
        for name, namespace in re.findall(r"([a-z0-9][a-z0-9-]*)\.([a-z0-9-]+)\.svc\.cluster\.local", repr(obj)):
            if (namespace, "Service", name) not in known:
                problems.append(f"{path}: {obj['kind']}/{obj['metadata']['name']} names {name}.{namespace}.svc, which nothing makes")
        # Pods of charts picked out by label in NetworkPolicies.
        if obj["kind"] == "NetworkPolicy":
            for rule in obj["spec"].get("ingress", []) + obj["spec"].get("egress", []):
                for peer in rule.get("from", []) + rule.get("to", []):
                    namespace = peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                    labels = peer.get("podSelector", {}).get("matchLabels", {})
                    name = labels.get("app.kubernetes.io/name")
                    if namespace and name and (namespace, name) in pod_labels and not labels.items() <= pod_labels[(namespace, name)].items():
                        problems.append(f"{path}: NetworkPolicy/{obj['metadata']['name']} selects {labels} in {namespace}")
        # Prometheus picks up ServiceMonitors and rules by the release label unless told to take all.
        if obj["kind"] in ("ServiceMonitor", "PodMonitor", "PrometheusRule") and not selects_all:
            if obj["metadata"].get("labels", {}).get("release") != monitoring_release:
                problems.append(f"{path}: {obj['kind']}/{obj['metadata']['name']} lacks release={monitoring_release}")
        if obj["kind"] in ("ServiceMonitor", "PodMonitor", "PrometheusRule") and "release" in obj["metadata"].get("labels", {}):
            if obj["metadata"]["labels"]["release"] != monitoring_release:
                problems.append(f"{path}: {obj['kind']}/{obj['metadata']['name']} says release={obj['metadata']['labels']['release']}, "
                                f"the monitoring release is {monitoring_release}")
    assert not problems, "\n".join(problems)


def test_helm_fullname_follows_the_charts_rule():
    assert helm_fullname("monitoring", "grafana", {}) == "monitoring-grafana"
    assert helm_fullname("traefik", "traefik", {}) == "traefik"
    assert helm_fullname("argocd", "argo-cd", {"nameOverride": "argocd"}) == "argocd"
    assert helm_fullname("monitoring", "kube-prometheus-stack", {}, limit=26) == "monitoring-kube-prometheus"


# ---------------------------------------------------------------- what Prometheus scrapes on the nodes

def kubeadm_documents():
    template = (ROOT / "ansible/roles/control-plane/templates/kubeadm-config.yaml.j2").read_text()
    return {doc["kind"]: doc for doc in yaml.safe_load_all(re.sub(r"\{\{.*?\}\}", "x", template)) if doc}


def _arg(args, name):
    return next((a["value"] for a in args or [] if a["name"] == name), None)


def test_control_plane_metrics_prometheus_scrapes_are_reachable():
    """kubeadm binds these metrics to 127.0.0.1 unless told otherwise; a scrape from
    Prometheus's pod would then fail for ever ("down" alerts)."""
    install = next(i for i in chart_installs() if i["chart"] == "kube-prometheus-stack")
    defaults, _, _ = chart_defaults(install["chart"], install["version"])
    values = merge_values(defaults, install["values"])
    docs = kubeadm_documents()
    cluster = docs["ClusterConfiguration"]
    listening = {
        "kubeControllerManager": _arg(cluster.get("controllerManager", {}).get("extraArgs"), "bind-address") or "127.0.0.1",
        "kubeScheduler": _arg(cluster.get("scheduler", {}).get("extraArgs"), "bind-address") or "127.0.0.1",
        "kubeEtcd": _arg(cluster.get("etcd", {}).get("local", {}).get("extraArgs"), "listen-metrics-urls") or "http://127.0.0.1:2381",
        "kubeProxy": docs.get("KubeProxyConfiguration", {}).get("metricsBindAddress") or "127.0.0.1:10249",
    }
    problems = []
    for component, address in listening.items():
        if values[component]["enabled"] and values[component]["serviceMonitor"].get("enabled", True):
            if "127.0.0.1" in address or "localhost" in address:
                problems.append(f"{component} is scraped but kubeadm has it listen on {address}")
    etcd_port = values["kubeEtcd"]["service"]["targetPort"]
    assert f":{etcd_port}" in listening["kubeEtcd"], f"etcd's metrics listen on {listening['kubeEtcd']}, the chart scrapes port {etcd_port}"
    assert not problems, problems
