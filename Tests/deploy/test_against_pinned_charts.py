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

from conftest import ROOT, chart_crds, chart_defaults, chart_dir, chart_installs, find, rendered_objects

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


def strict(schema):
    """A CRD's structural schema as JSON Schema that, like the API server's strict
    field validation, refuses fields the schema does not declare."""
    schema = copy.deepcopy(schema)

    def visit(node):
        if not isinstance(node, dict):
            return
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        if node.pop("x-kubernetes-int-or-string", False):
            node.pop("type", None)
            node.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
        preserve = node.pop("x-kubernetes-preserve-unknown-fields", False)
        if node.pop("x-kubernetes-embedded-resource", False):
            preserve = True
        if "properties" in node and "additionalProperties" not in node and not preserve:
            node["additionalProperties"] = False
        for key in ("properties", "patternProperties"):
            for child in node.get(key, {}).values():
                visit(child)
        for key in ("items", "additionalProperties", "not"):
            visit(node.get(key))
        for key in ("allOf", "anyOf", "oneOf"):
            for child in node.get(key, []):
                visit(child)

    visit(schema)
    return schema


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
        validator = jsonschema.Draft7Validator(strict(schema))
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
    validator = jsonschema.Draft7Validator(strict(cluster_schema))
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


def unknown_values(ours, defaults, schema, path, subchart_keys=None):
    """The keys of `ours` that neither the defaults nor the schema know, as dotted paths."""
    unknown = []
    for key, value in ours.items():
        here = f"{path}.{key}" if path else key
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
                sub_defaults = merge_defaults(yaml.safe_load((sub_folder / "values.yaml").read_text()) or {}, defaults.get(key) or {})
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
        merged = merge_defaults(defaults, install["values"])
        errors = [f"{'.'.join(map(str, e.path))}: {e.message[:160]}" for e in jsonschema.Draft7Validator(schema).iter_errors(merged)]
        assert not errors, f"{install['application']}: values refused by the chart's schema: {errors}"


def merge_defaults(defaults, ours):
    merged = dict(defaults)
    for key, value in ours.items():
        merged[key] = merge_defaults(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


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
