"""Helpers for the offline checks of the cluster side: render kustomizations
with the real kubectl, load YAML, find the tools ./microchat test installed."""
import pathlib
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
    "k8s-manifests/infrastructure/external-secrets",
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
