#!/usr/bin/env python3
"""Writes the configuration of the local Prometheus that `./microchat up
--monitoring` and `./microchat lint --monitoring` start: the rule file (the
groups of the PrometheusRules the monitoring kustomization renders, as the
cluster's Prometheus loads them) and a scrape configuration that labels each
local process the way the ServiceMonitors and kube-prometheus-stack label the
pods in the cluster.

    scripts/prometheus-config.py OUT_DIR --interval 1s SERVICE=PORT[,PORT...] ...

In the cluster the Prometheus Operator turns each ServiceMonitor endpoint into
a scrape job whose targets carry `job` (the Service's name), `namespace`,
`service`, `pod`, `container` (the container whose port is scraped),
`endpoint` (the port's name) and `instance` (the pod's address:port). Here
every process is one such pod: namespace `app`, the Service named after the
service, the pod named after the process and its replica number
(`chat-service-2`), the endpoint `http`, the instance 127.0.0.1:PORT.

The one change to the rules: group-level `interval`s are dropped, so that
every group evaluates at INTERVAL (the cluster evaluates the error-budget
group every 5 minutes; locally that would leave its panels empty for as long).
"""
import argparse
import pathlib
import shutil
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
MONITORING = ROOT / "k8s-manifests/infrastructure/monitoring"
NAMESPACE = "app"
ENDPOINT = "http"


def rendered_rule_groups(kubectl):
    """The groups of every PrometheusRule `kubectl kustomize` renders from the monitoring folder."""
    result = subprocess.run([kubectl, "kustomize", str(MONITORING)], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        sys.exit(f"kubectl kustomize {MONITORING} failed:\n{result.stderr}")
    groups = [group for doc in yaml.safe_load_all(result.stdout)
              if doc and doc.get("kind") == "PrometheusRule" for group in doc["spec"]["groups"]]
    if not groups:
        sys.exit(f"{MONITORING} renders no PrometheusRule groups")
    for group in groups:
        group.pop("interval", None)
    return groups


def scrape_jobs(targets, interval):
    """One job per service (the Operator's job label is the Service's name), one target per process."""
    jobs = []
    for service, ports in targets:
        static_configs = [{
            "targets": [f"127.0.0.1:{port}"],
            "labels": {"namespace": NAMESPACE, "service": service, "pod": f"{service}-{replica}",
                       "container": service, "endpoint": ENDPOINT},
        } for replica, port in enumerate(ports, start=1)]
        jobs.append({"job_name": service, "scrape_interval": interval, "scrape_timeout": interval,
                     "metrics_path": "/metrics", "static_configs": static_configs})
    return jobs


def parse_target(text):
    service, _, ports = text.partition("=")
    if not service or not ports or not all(port.isdigit() for port in ports.split(",")):
        raise argparse.ArgumentTypeError(f"a target is SERVICE=PORT[,PORT...], not {text!r}")
    return service, [int(port) for port in ports.split(",")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--interval", default="5s", help="scrape and rule evaluation interval")
    parser.add_argument("--kubectl", default=shutil.which("kubectl"))
    parser.add_argument("targets", nargs="+", type=parse_target)
    args = parser.parse_args()
    if not args.kubectl:
        sys.exit("kubectl is needed to render the PrometheusRules (ensure_kubectl installs it)")
    args.out.mkdir(parents=True, exist_ok=True)
    rules = args.out / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": rendered_rule_groups(args.kubectl)}, sort_keys=False, allow_unicode=True))
    config = {
        "global": {"scrape_interval": args.interval, "evaluation_interval": args.interval},
        "rule_files": [str(rules)],
        "scrape_configs": scrape_jobs(args.targets, args.interval),
    }
    (args.out / "prometheus.yml").write_text(yaml.safe_dump(config, sort_keys=False))


if __name__ == "__main__":
    main()
