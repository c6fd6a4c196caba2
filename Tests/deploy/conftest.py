"""Helpers for the offline checks of the cluster side: render kustomizations
with the real kubectl, load YAML, find the tools ./microchat test installed."""
import copy
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "k8s-manifests"
APPS = ROOT / "argocd-apps"

# The kustomizations ArgoCD applies (one per Application with a path), plus the bootstrap.
DEPLOYED = [
    "k8s-manifests/namespaces",
    "k8s-manifests/app",
    "k8s-manifests/platform/postgres",
    "k8s-manifests/platform/redis",
    "k8s-manifests/platform/keycloak",
    "k8s-manifests/infrastructure/traefik",
    "k8s-manifests/infrastructure/monitoring",
    "k8s-manifests/infrastructure/monitoring/chart-secrets",
    "k8s-manifests/infrastructure/external-secrets",
    "k8s-manifests/infrastructure/metrics-server",
    "k8s-manifests/infrastructure/local-path-storage",
    "argocd-apps/apps",
    "argocd-apps/bootstrap",
]


def tool(name):
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is not installed; ./microchat test installs it (see ensure_deploy_tools)")
    return path


def all_kustomizations():
    """Every kustomization in the tree (components are rendered through the kustomizations that use them)."""
    found = []
    for base in (MANIFESTS, APPS):
        for file in sorted(base.rglob("kustomization.yaml")):
            if yaml.safe_load(file.read_text()).get("kind") == "Component":
                continue
            found.append(str(file.parent.relative_to(ROOT)))
    return found


_rendered = {}


def rendered_text(path):
    """`kubectl kustomize` output for a kustomization, rendered once per test run."""
    if path not in _rendered:
        result = subprocess.run([tool("kubectl"), "kustomize", str(ROOT / path)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"kubectl kustomize {path} failed:\n{result.stderr}"
        _rendered[path] = result.stdout
    return _rendered[path]


_objects = {}


def render(path):
    """The objects a kustomization renders (parsed once)."""
    if path not in _objects:
        _objects[path] = [doc for doc in yaml.safe_load_all(rendered_text(path)) if doc]
    return _objects[path]


def rendered_objects():
    """(kustomization, object) for everything ArgoCD would apply."""
    for path in DEPLOYED:
        for obj in render(path):
            yield path, obj


def find(kind, name=None, path=None):
    return [obj for p, obj in rendered_objects()
            if obj["kind"] == kind and (name is None or obj["metadata"]["name"] == name) and (path is None or p == path)]


def yaml_files(*folders):
    for folder in folders:
        for file in sorted((ROOT / folder).rglob("*")):
            if file.suffix in (".yaml", ".yml") and ".terraform" not in file.parts:
                yield file


# ---------------------------------------------------------------- the pinned charts

# Filled by scripts/fetch-charts (./microchat runs it): the pinned charts'
# Chart.yaml, default values, values schema and CRDs, one folder per pin.
CHARTS = pathlib.Path(os.environ.get("MICROCHAT_CHARTS") or pathlib.Path(
    os.environ.get("MICROCHAT_TOOLS") or pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "microchat-tools") / "charts")


def chart_installs():
    """Every Helm chart an Application installs: its pin, release, namespace and the values we give it."""
    installs = []
    for app in find("Application", path="argocd-apps/apps"):
        spec = app["spec"]
        for source in spec.get("sources") or [spec["source"]]:
            if not source.get("chart"):
                continue
            helm = source.get("helm", {})
            values = {}
            for value_file in helm.get("valueFiles", []):
                values = merge_values(values, yaml.safe_load((ROOT / value_file.removeprefix("$values/")).read_text()) or {})
            values = merge_values(values, helm.get("valuesObject") or {})
            installs.append({
                "application": app["metadata"]["name"], "chart": source["chart"], "version": str(source["targetRevision"]),
                "repo": source["repoURL"], "release": helm.get("releaseName") or app["metadata"]["name"],
                "namespace": spec["destination"]["namespace"], "values": values,
                "sync_options": spec.get("syncPolicy", {}).get("syncOptions", []),
            })
    return installs


def merge_values(base, override):
    """Helm's merge of values: maps merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        merged[key] = merge_values(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def chart_dir(chart, version):
    folder = CHARTS / f"{chart}-{version}"
    if not (folder / "values.yaml").is_file():
        pytest.fail(f"no files for the pinned chart {chart} {version} in {CHARTS}: scripts/fetch-charts fills it from the chart's "
                    f"Helm repository or from ../shared/charts, and found it in neither place")
    return folder


_TEMPLATE_LINE = re.compile(r"^\s*\{\{.*\}\}\s*$")
_TEMPLATE_EXPRESSION = re.compile(r"\{\{.*?\}\}")


class _ChartLoader(yaml.SafeLoader):
    """PyYAML reads a bare `=` as YAML 1.1's "value" tag; CRDs mean the string."""


_ChartLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def load_chart_yaml(path):
    """A chart file that may carry Helm template directives: whole-line directives
    go, inline expressions become a plain string, then it is parsed as YAML."""
    lines = [_TEMPLATE_EXPRESSION.sub("templated", line) for line in path.read_text().splitlines() if not _TEMPLATE_LINE.match(line)]
    return [doc for doc in yaml.load_all("\n".join(lines), Loader=_ChartLoader) if doc]


def chart_crds(chart, version):
    crds = []
    for file in sorted((chart_dir(chart, version) / "crds").glob("*.y*ml")):
        crds += [doc for doc in load_chart_yaml(file) if doc.get("kind") == "CustomResourceDefinition"]
    return crds


def chart_defaults(chart, version):
    folder = chart_dir(chart, version)
    defaults = yaml.safe_load((folder / "values.yaml").read_text()) or {}
    schema_file = folder / "values.schema.json"
    schema = json.loads(schema_file.read_text()) if schema_file.is_file() else None
    metadata = yaml.safe_load((folder / "Chart.yaml").read_text())
    return defaults, schema, metadata


def strict_crd_schema(schema):
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
