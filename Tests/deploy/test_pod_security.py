"""Every pod we ship passes the Pod Security level its namespace enforces,
checked rule by rule as the Kubernetes Pod Security Standards (v1.31) define
`baseline` and `restricted` — what the API server's admission would refuse.
Pods come from the rendered manifests and, for charts whose pods our values
shape (Traefik), from the pod the chart's template builds out of those values."""
import pytest

from conftest import chart_defaults, chart_installs, find, merge_values, rendered_objects

BASELINE_CAPABILITIES = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
                         "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes"}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
LEVELS = ("privileged", "baseline", "restricted")


def containers(pod):
    return [c for key in ("initContainers", "containers", "ephemeralContainers") for c in pod.get(key, []) or []]


def baseline_violations(pod, annotations):
    found = []
    context = pod.get("securityContext") or {}
    every = containers(pod)
    contexts = [("pod", context)] + [(c["name"], c.get("securityContext") or {}) for c in every]
    for who, ctx in contexts:
        if (ctx.get("windowsOptions") or {}).get("hostProcess"):
            found.append(f"{who}: windowsOptions.hostProcess")
        if ctx.get("privileged"):
            found.append(f"{who}: privileged")
        added = set((ctx.get("capabilities") or {}).get("add") or [])
        if added - BASELINE_CAPABILITIES:
            found.append(f"{who}: capabilities.add {sorted(added - BASELINE_CAPABILITIES)}")
        selinux = ctx.get("seLinuxOptions") or {}
        if selinux.get("type", "") not in SELINUX_TYPES or selinux.get("user") or selinux.get("role"):
            found.append(f"{who}: seLinuxOptions {selinux}")
        if ctx.get("procMount", "Default") != "Default":
            found.append(f"{who}: procMount {ctx['procMount']}")
        if (ctx.get("seccompProfile") or {}).get("type") == "Unconfined":
            found.append(f"{who}: seccompProfile Unconfined")
        if (ctx.get("appArmorProfile") or {}).get("type", "RuntimeDefault") not in ("RuntimeDefault", "Localhost"):
            found.append(f"{who}: appArmorProfile {ctx['appArmorProfile']}")
    for namespace_flag in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(namespace_flag):
            found.append(f"pod: {namespace_flag}")
    for volume in pod.get("volumes", []) or []:
        if "hostPath" in volume:
            found.append(f"volume {volume['name']}: hostPath")
    for container in every:
        for port in container.get("ports", []) or []:
            if port.get("hostPort"):
                found.append(f"{container['name']}: hostPort {port['hostPort']}")
    for key, value in (annotations or {}).items():
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and not (
                value == "runtime/default" or value.startswith("localhost/")):
            found.append(f"annotation {key}={value}")
    for sysctl in context.get("sysctls", []) or []:
        if sysctl["name"] not in SAFE_SYSCTLS:
            found.append(f"pod: sysctl {sysctl['name']}")
    return found


def restricted_violations(pod):
    found = []
    context = pod.get("securityContext") or {}
    for volume in pod.get("volumes", []) or []:
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUMES:
            found.append(f"volume {volume['name']}: {sorted(kinds - RESTRICTED_VOLUMES)}")
    if context.get("runAsUser") == 0:
        found.append("pod: runAsUser 0")
    for container in containers(pod):
        ctx = container.get("securityContext") or {}
        name = container["name"]
        if ctx.get("allowPrivilegeEscalation") is not False:
            found.append(f"{name}: allowPrivilegeEscalation is not false")
        non_root = ctx.get("runAsNonRoot", context.get("runAsNonRoot"))
        if non_root is not True:
            found.append(f"{name}: runAsNonRoot is not true")
        if ctx.get("runAsUser") == 0:
            found.append(f"{name}: runAsUser 0")
        seccomp = (ctx.get("seccompProfile") or context.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            found.append(f"{name}: seccompProfile is {seccomp or 'unset'}")
        capabilities = ctx.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            found.append(f"{name}: capabilities.drop lacks ALL")
        if set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}:
            found.append(f"{name}: capabilities.add {capabilities['add']}")
    return found


def violations(pod, annotations, level):
    if level == "privileged":
        return []
    found = baseline_violations(pod, annotations)
    if level == "restricted":
        found += restricted_violations(pod)
    return found


def enforced_levels():
    levels = {}
    for namespace in find("Namespace"):
        labels = namespace["metadata"].get("labels", {})
        level = labels.get("pod-security.kubernetes.io/enforce", "privileged")
        assert level in LEVELS, f"namespace {namespace['metadata']['name']}: unknown level {level}"
        levels[namespace["metadata"]["name"]] = level
    return levels


def pod_templates():
    """(where, namespace, pod spec, pod annotations) for every pod template we render."""
    for path, obj in rendered_objects():
        kind = obj["kind"]
        if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
            template = obj["spec"]["template"]
        elif kind == "CronJob":
            template = obj["spec"]["jobTemplate"]["spec"]["template"]
        elif kind == "Pod":
            template = obj
        else:
            continue
        yield (f"{path}: {kind}/{obj['metadata']['name']}", obj["metadata"].get("namespace"),
               template["spec"], template.get("metadata", {}).get("annotations"))


def traefik_pod(values):
    """The pod traefik's chart template (33.x, templates/_podtemplate.tpl) builds from its values:
    one container with a port per entry point (hostPort where set), the two security
    contexts as given, the host network flag, and its data, tmp and extra volumes."""
    ports = [{"name": name, "containerPort": port["port"], **({"hostPort": port["hostPort"]} if port.get("hostPort") else {})}
             for name, port in values["ports"].items() if isinstance(port, dict) and port.get("port")]
    persistence = values.get("persistence", {})
    data = {"persistentVolumeClaim": {"claimName": "traefik"}} if persistence.get("enabled") else {"emptyDir": {}}
    volumes = [{"name": "data", **data}, {"name": "tmp", "emptyDir": {}}]
    volumes += [{"name": v["name"], v.get("type", "secret"): {}} for v in values.get("volumes", []) or []]
    return {
        "hostNetwork": values.get("hostNetwork", False),
        "securityContext": values.get("podSecurityContext") or {},
        "containers": [{"name": "traefik", "ports": ports, "securityContext": values.get("securityContext") or {}}],
        "volumes": volumes,
    }


def chart_pods():
    for install in chart_installs():
        if install["chart"] == "traefik":
            defaults, _, _ = chart_defaults(install["chart"], install["version"])
            values = merge_values(defaults, install["values"])
            yield f"chart traefik {install['version']} (application {install['application']})", install["namespace"], traefik_pod(values), values.get("deployment", {}).get("podAnnotations")


def all_pods():
    return list(pod_templates()) + list(chart_pods())


@pytest.mark.parametrize("where,namespace,pod,annotations", all_pods(), ids=lambda v: v if isinstance(v, str) and ":" in v or v is None else None)
def test_every_pod_passes_its_namespaces_pod_security_level(where, namespace, pod, annotations):
    levels = enforced_levels()
    assert namespace in levels, f"{where}: namespace {namespace} is not one of ours, so its level is unknown"
    found = violations(pod, annotations, levels[namespace])
    assert not found, f"{where} would be refused in namespace {namespace} (enforce={levels[namespace]}): {found}"


def test_our_namespaces_enforce_a_level_and_app_is_restricted():
    levels = enforced_levels()
    assert levels["app"] == "restricted"
    for name in ("platform", "traefik", "argocd"):
        assert levels[name] in ("baseline", "restricted"), name
    privileged = {name for name, level in levels.items() if level == "privileged"}
    assert privileged <= {"monitoring", "local-path-storage"}, f"privileged namespaces: {privileged}"


def test_the_rules_refuse_what_the_standards_refuse():
    good = {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}]}
    assert violations(good, None, "restricted") == []

    def with_change(change, container_change=None):
        import copy
        pod = copy.deepcopy(good)
        pod.update(change)
        if container_change:
            pod["containers"][0].update(container_change)
        return pod

    assert violations(with_change({}, {"ports": [{"containerPort": 80, "hostPort": 80}]}), None, "baseline")
    assert violations(with_change({"hostNetwork": True}), None, "baseline")
    assert violations(with_change({"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}), None, "baseline")
    assert violations(with_change({}, {"securityContext": {"privileged": True}}), None, "baseline")
    assert violations(with_change({}, {"securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}), None, "baseline")
    assert violations(with_change({"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}}), None, "baseline")
    assert not violations(with_change({}, {"securityContext": {"capabilities": {"add": ["CHOWN"]}}}), None, "baseline")
    assert violations(with_change({"securityContext": {}}), None, "restricted")  # neither runAsNonRoot nor seccomp
    assert violations(with_change({"volumes": [{"name": "n", "nfs": {"server": "x", "path": "/"}}]}), None, "restricted")
    assert violations(with_change({}, {"securityContext": {"allowPrivilegeEscalation": False}}), None, "restricted")  # no drop ALL
    assert not violations(with_change({}, {"ports": [{"containerPort": 80, "hostPort": 80}]}), None, "privileged")
