"""The local Prometheus's targets carry the labels the cluster's would: for
each ServiceMonitor that `kubectl kustomize k8s-manifests/app` renders, the
Prometheus Operator (kube-prometheus-stack, no relabelling of ours) scrapes
each pod behind the Service it selects with `job` and `service` the Service's
name (no `jobLabel` is set), `namespace` the Service's, `endpoint` the port the
ServiceMonitor names, `container` the container that serves that port, and
`pod`/`instance` per pod — on the ServiceMonitor's path. A renamed Service,
port or container, or a ServiceMonitor added or dropped, shows up here."""
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT
from helpers import wait_until


def rendered_app():
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.fail("kubectl is not installed; ./microchat lint --monitoring installs it (ensure_kubectl)")
    result = subprocess.run([kubectl, "kustomize", str(ROOT / "k8s-manifests/app")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"kubectl kustomize k8s-manifests/app failed:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def cluster_targets():
    """{job: (the labels every target of that job carries, the path scraped)} as the Operator would make them."""
    objects = rendered_app()
    by_kind = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], []).append(obj)
    expected = {}
    for monitor in by_kind.get("ServiceMonitor", []):
        spec = monitor["spec"]
        assert "jobLabel" not in spec, f"ServiceMonitor {monitor['metadata']['name']} sets jobLabel; the local job names assume none"
        namespaces = spec.get("namespaceSelector", {}).get("matchNames") or [monitor["metadata"]["namespace"]]
        selected = [service for service in by_kind.get("Service", [])
                    if service["metadata"]["namespace"] in namespaces
                    and spec["selector"]["matchLabels"].items() <= service["metadata"].get("labels", {}).items()]
        assert len(selected) == 1, f"ServiceMonitor {monitor['metadata']['name']} selects {len(selected)} Services"
        service = selected[0]
        for endpoint in spec["endpoints"]:
            port = next(p for p in service["spec"]["ports"] if p["name"] == endpoint["port"])
            pods = [deployment for deployment in by_kind.get("Deployment", [])
                    if deployment["spec"]["template"]["metadata"]["labels"].items() >= service["spec"]["selector"].items()]
            assert len(pods) == 1, f"Service {service['metadata']['name']} selects the pods of {len(pods)} Deployments"
            containers = [container["name"] for container in pods[0]["spec"]["template"]["spec"]["containers"]
                          if any(p.get("name") == port["targetPort"] or p["containerPort"] == port["targetPort"]
                                 for p in container.get("ports", []))]
            assert len(containers) == 1, f"Service port {port} reaches {containers}"
            name = service["metadata"]["name"]
            expected[name] = ({"job": name, "service": name, "namespace": service["metadata"]["namespace"],
                               "endpoint": endpoint["port"], "container": containers[0]}, endpoint.get("path", "/metrics"))
    assert expected, "k8s-manifests/app renders no ServiceMonitor"
    return expected


def test_local_targets_carry_the_labels_the_servicemonitors_give(prometheus):
    expected = cluster_targets()

    def active_targets():
        return prometheus.api("/api/v1/targets", state="active")["activeTargets"]
    # Prometheus lists its targets a few seconds after it starts.
    wait_until(lambda: active_targets(), timeout=60, message="the local Prometheus has no targets")
    active = active_targets()
    jobs = {target["labels"]["job"] for target in active}
    assert jobs == expected.keys(), f"the local Prometheus scrapes jobs {sorted(jobs)}; the ServiceMonitors make {sorted(expected)}"
    for target in active:
        labels, path = expected[target["labels"]["job"]]
        shared = {key: target["labels"].get(key) for key in labels}
        assert shared == labels, f"target {target['scrapeUrl']} is labelled {target['labels']}, the cluster's would carry {labels}"
        assert target["labels"].get("pod", "").startswith(labels["service"] + "-"), f"target {target['labels']} has no pod label"
        assert target["labels"].get("instance"), f"target {target['labels']} has no instance"
        assert target["scrapeUrl"].endswith(path), f"{target['scrapeUrl']} is not the ServiceMonitor's path {path}"
