"""ArgoCD's diff between Git and the cluster, for what the API server adds.

The API server fills in every `default:` of a CRD's schema that an object
leaves out. How ArgoCD then compares depends on the Application:

- with `ServerSideDiff=true` (the compare option, on the Application or in
  argocd-cmd-params-cm) ArgoCD asks the API server for a dry-run apply of Git's
  object, defaults included, so defaults never show;
- otherwise (our Applications sync with ServerSideApply=true, which makes
  ArgoCD use its structured-merge diff) Git's object is merged into the live
  one the way an apply would: a field Git leaves out of a map keeps its live
  (defaulted) value, but a list or map that the schema marks atomic (CRD lists
  are atomic unless they say `x-kubernetes-list-type: map|set`) is replaced
  whole by Git's copy, so a default inside it differs from the live object for
  ever: OutOfSync, and self-heal applies the same thing again in a loop.

This check applies each pinned CRD's defaults (recursively, into objects and
arrays of objects) to every custom object we deploy and fails on each
defaulted field inside an atomic list or map that Git does not spell out,
unless the Application diffs server-side or an ignoreDifferences entry (the
Application's, or ArgoCD's resource customizations) covers it. A few built-in
defaults inside atomic lists are checked the same way (BUILT_IN_SCHEMAS).
"""
import copy
import functools
import re

import yaml

from conftest import ROOT, chart_crds, chart_installs, find, render

SERVER_SIDE_DIFF = "ServerSideDiff=true"
COMPARE_OPTIONS = "argocd.argoproj.io/compare-options"


# ---------------------------------------------------------------- schemas

@functools.cache
def crd_schemas():
    """(group, kind, version) → openAPIV3Schema of every CRD version the pinned charts serve."""
    schemas = {}
    pins = {(i["chart"], i["version"]) for i in chart_installs()}
    for crd in [c for pin in sorted(pins) for c in chart_crds(*pin)] + find("CustomResourceDefinition"):
        for version in crd["spec"]["versions"]:
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            if schema:
                schemas[(crd["spec"]["group"], crd["spec"]["names"]["kind"], version["name"])] = schema
    return schemas


# Built-in defaults that sit inside atomic lists (k8s.io/api networking/v1: NetworkPolicy's ingress, egress
# and ports are `+listType=atomic`; NetworkPolicyPort.protocol defaults to TCP), in the shape of a CRD schema.
_POLICY_PORTS = {"type": "array", "items": {"type": "object", "properties": {"protocol": {"type": "string", "default": "TCP"}}}}
BUILT_IN_SCHEMAS = {
    ("networking.k8s.io", "NetworkPolicy", "v1"): {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        direction: {"type": "array", "items": {"type": "object", "properties": {"ports": _POLICY_PORTS}}}
        for direction in ("ingress", "egress")}}}},
}


def is_atomic(schema):
    if schema.get("type") == "array":
        return schema.get("x-kubernetes-list-type", "atomic") == "atomic"
    if schema.get("type") == "object":
        return schema.get("x-kubernetes-map-type") == "atomic"
    return False


def defaulted_fields(schema, node, path=(), atomic_at=None):
    """Every field the API server would add to `node`: (path, value, path of the atomic list or map holding it, or None)."""
    found = []
    if not isinstance(schema, dict):
        return found
    if is_atomic(schema) and atomic_at is None:
        atomic_at = path
    if isinstance(node, dict):
        for key, child in schema.get("properties", {}).items():
            if key not in node and "default" in child:
                value = copy.deepcopy(child["default"])
                found.append((path + (key,), value, atomic_at))
                # The defaulted value is defaulted in turn.
                found += defaulted_fields(child, value, path + (key,), atomic_at)
            elif key in node:
                found += defaulted_fields(child, node[key], path + (key,), atomic_at)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, value in node.items():
                if key not in schema.get("properties", {}):
                    found += defaulted_fields(extra, value, path + (key,), atomic_at)
    elif isinstance(node, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(node):
            found += defaulted_fields(schema["items"], item, path + (index,), atomic_at)
    return found


def dotted(path):
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


# ---------------------------------------------------------------- what ArgoCD is told to ignore

def argocd_settings():
    values = yaml.safe_load((ROOT / "k8s-manifests/argocd/values.yaml").read_text())
    return values.get("configs", {}).get("cm", {}) or {}, values.get("configs", {}).get("params", {}) or {}


def diffs_server_side(app):
    _, params = argocd_settings()
    if str(params.get("controller.diff.server.side", "false")).lower() == "true":
        return True
    return SERVER_SIDE_DIFF in app["metadata"].get("annotations", {}).get(COMPARE_OPTIONS, "")


def ignore_rules(app, obj):
    """The ignoreDifferences entries that apply to `obj`: the Application's, and ArgoCD's resource customizations."""
    group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
    rules = []
    for entry in app["spec"].get("ignoreDifferences", []):
        if entry.get("group", "") == group and entry["kind"] == obj["kind"] \
                and entry.get("name", obj["metadata"]["name"]) == obj["metadata"]["name"] \
                and entry.get("namespace", obj["metadata"].get("namespace")) == obj["metadata"].get("namespace"):
            rules.append(entry)
    cm, _ = argocd_settings()
    for key in ("resource.customizations.ignoreDifferences.all",
                f"resource.customizations.ignoreDifferences.{group}_{obj['kind']}" if group else
                f"resource.customizations.ignoreDifferences.{obj['kind']}"):
        if cm.get(key):
            rules.append(yaml.safe_load(cm[key]))
    return rules


def pointer_covers(pointer, path):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")] if pointer.strip("/") else []
    return len(parts) <= len(path) and all(part == str(step) for part, step in zip(parts, path))


_JQ_STEP = re.compile(r"\.([A-Za-z0-9_-]+)|\[\]|\[(\d+)\]|\.\[\"([^\"]+)\"\]")


def jq_covers(expression, path):
    """The plain jq paths ignoreDifferences uses (.spec.data[].remoteRef, .a[0].b); anything fancier covers nothing here."""
    steps, position = [], 0
    for match in _JQ_STEP.finditer(expression.strip()):
        if match.start() != position:
            return False
        position = match.end()
        steps.append(match.group(1) or match.group(3) or (int(match.group(2)) if match.group(2) else "*"))
    if position != len(expression.strip()) or len(steps) > len(path):
        return False
    return all(step == "*" and isinstance(actual, int) or step == actual for step, actual in zip(steps, path))


def ignored(rules, path):
    return any(any(pointer_covers(p, path) for p in rule.get("jsonPointers", []))
               or any(jq_covers(e, path) for e in rule.get("jqPathExpressions", [])) for rule in rules)


# ---------------------------------------------------------------- the check

def applications_and_objects():
    for app in find("Application", path="argocd-apps/apps"):
        spec = app["spec"]
        for source in spec.get("sources") or [spec["source"]]:
            if source.get("path") and not source.get("chart"):
                for obj in render(source["path"]):
                    yield app, obj


def lasting_diffs(app, obj, schemas):
    """The defaulted fields ArgoCD would show as a difference for ever."""
    group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
    key = (group, obj["kind"], obj["apiVersion"].split("/")[-1])
    schema = schemas.get(key) or BUILT_IN_SCHEMAS.get(key)
    if schema is None or diffs_server_side(app):
        return []
    rules = ignore_rules(app, obj)
    return [(path, value, atomic_at) for path, value, atomic_at in defaulted_fields(schema, obj)
            if atomic_at is not None and not ignored(rules, path)]


def test_no_object_stays_out_of_sync_because_of_defaults():
    schemas = crd_schemas()
    problems, checked = [], 0
    for app, obj in applications_and_objects():
        checked += 1
        for path, value, atomic_at in lasting_diffs(app, obj, schemas):
            problems.append(f"{app['metadata']['name']}: {obj['kind']}/{obj['metadata']['name']}: {dotted(path)} defaults to "
                            f"{value!r} inside the atomic {dotted(atomic_at)} — write it in Git (or diff server-side / ignore it)")
    assert checked > 50, "the rendered objects were not found"
    assert not problems, f"{len(problems)} fields ArgoCD would report OutOfSync for ever:\n" + "\n".join(problems)


# ---------------------------------------------------------------- the check itself

def _external_secret(**remote):
    return {"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret", "metadata": {"name": "s", "namespace": "n"},
            "spec": {"secretStoreRef": {"kind": "ClusterSecretStore", "name": "store"}, "target": {"name": "s"},
                     "data": [{"secretKey": "a", "remoteRef": {"key": "k", **remote}}]}}


def _app(annotations=None, ignore=None):
    return {"metadata": {"name": "a", "annotations": annotations or {}}, "spec": {"ignoreDifferences": ignore or []}}


def test_the_diff_check_sees_defaults_in_atomic_lists_only():
    schemas = crd_schemas()
    found = {dotted(p): v for p, v, _ in lasting_diffs(_app(), _external_secret(), schemas)}
    assert found == {"spec.data[0].remoteRef.conversionStrategy": "Default", "spec.data[0].remoteRef.decodingStrategy": "None",
                     "spec.data[0].remoteRef.metadataPolicy": "None"}
    # Outside the list, a default is kept live and shows no difference (spec.refreshInterval, spec.target.deletionPolicy).
    everything = {dotted(p) for p, _, _ in defaulted_fields(schemas[("external-secrets.io", "ExternalSecret", "v1beta1")], _external_secret())}
    assert {"spec.refreshInterval", "spec.target.deletionPolicy"} <= everything
    assert not lasting_diffs(_app(), _external_secret(conversionStrategy="Default", decodingStrategy="None", metadataPolicy="None"), schemas)


def test_the_diff_check_honours_server_side_diff_and_ignore_differences():
    schemas = crd_schemas()
    assert not lasting_diffs(_app({COMPARE_OPTIONS: "ServerSideDiff=true,IncludeMutationWebhook=true"}), _external_secret(), schemas)
    by_pointer = _app(ignore=[{"group": "external-secrets.io", "kind": "ExternalSecret", "jsonPointers": ["/spec/data"]}])
    assert not lasting_diffs(by_pointer, _external_secret(), schemas)
    by_jq = _app(ignore=[{"group": "external-secrets.io", "kind": "ExternalSecret",
                          "jqPathExpressions": [".spec.data[].remoteRef.conversionStrategy"]}])
    assert {dotted(p) for p, _, _ in lasting_diffs(by_jq, _external_secret(), schemas)} == {
        "spec.data[0].remoteRef.decodingStrategy", "spec.data[0].remoteRef.metadataPolicy"}
    other_kind = _app(ignore=[{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/data"]}])
    assert len(lasting_diffs(other_kind, _external_secret(), schemas)) == 3


def test_the_diff_check_knows_cloudnative_pg_roles_and_network_policy_ports():
    schemas = crd_schemas()
    cluster = {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": {"name": "db"},
               "spec": {"instances": 3, "storage": {"size": "1Gi"},
                        "managed": {"roles": [{"name": "r", "ensure": "present", "login": True, "connectionLimit": 5}]}}}
    assert [(dotted(p), v) for p, v, _ in lasting_diffs(_app(), cluster, schemas)] == [("spec.managed.roles[0].inherit", True)]
    policy = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p"},
              "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": 80}]}]}}
    assert [(dotted(p), v) for p, v, _ in lasting_diffs(_app(), policy, schemas)] == [("spec.ingress[0].ports[0].protocol", "TCP")]
