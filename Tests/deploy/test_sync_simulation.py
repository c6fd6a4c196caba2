"""ArgoCD's first sync of the whole tree, simulated wave by wave.

The root Application applies the Applications of argocd-apps/apps one sync
wave at a time and starts the next wave only when every Application of this
one is Healthy (the Lua health check in k8s-manifests/argocd/values.yaml).
Each Application in turn applies its own objects by their own sync waves and
waits for them to be Healthy between waves. Whether an object can ever be
Healthy depends on what the controllers and the kubelet find in the cluster:

- the API server refuses an object whose namespace or CRD does not exist yet;
  ArgoCD's sync then fails (retries are not a plan), so these must be there
  when the Application's wave starts, or come from the same Application;
- a pod starts only when every Secret, ConfigMap, ServiceAccount, PVC and
  pull secret its template names exists in its namespace;
- a chart's pods need what its values name (an `existingSecret`, a storage
  class), and its templated monitors need the monitoring CRDs;
- an ExternalSecret makes its Secret only once its store is Ready, a store is
  Ready only once its own credentials exist, a RoleBinding grants nothing
  unless the Role it names is in its own namespace, CloudNativePG's Cluster
  starts only with the Secrets and storage class it names, and it then makes
  its own Secrets and Services.

Controllers and the kubelet retry for ever, so inside one root wave the
model runs to a fixed point; a wave in which something can never become
Healthy is where the real sync would stop, and the test names what is
missing and where it is made instead. Everything is derived from the rendered
manifests, the pinned charts' CRDs and values, and the small tables below.
"""
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

import yaml

from conftest import ROOT, chart_installs, find, merge_values, render
import conftest

# The pinned charts' files are large; each is parsed once here.
chart_crds = functools.cache(conftest.chart_crds)
chart_defaults = functools.cache(conftest.chart_defaults)

SYNC_WAVE = "argocd.argoproj.io/sync-wave"


# ---------------------------------------------------------------- the model

@dataclass(frozen=True)
class Ref:
    """Something that exists in the cluster (or must): a kind, a namespace (None when cluster-wide) and a name.
    Besides API kinds: `Controller` (the operator serving an API group runs), `Grant` (a binding in effect:
    "ServiceAccount ns/name may use Role x" in a namespace, or everywhere for a ClusterRoleBinding) and
    `Permission` (a need: any Grant to that ServiceAccount in that namespace)."""
    kind: str
    namespace: object
    name: str

    def __str__(self):
        if self.kind in ("Grant", "Permission"):
            return f"{self.kind} in {self.namespace or 'every namespace'}: {self.name}"
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Need:
    ref: Ref
    why: str


@dataclass
class Step:
    """One thing an Application applies (an object, or a chart as a whole), what it needs and what it gives."""
    application: str
    app_wave: int
    wave: int                                          # its own sync wave inside the Application
    label: str
    to_apply: list = field(default_factory=list)       # Needs the API server checks (namespace, CRD)
    to_be_healthy: list = field(default_factory=list)  # Needs the controllers and the kubelet wait for
    on_apply: set = field(default_factory=set)         # Refs there as soon as it is applied (a chart's CRDs)
    on_healthy: set = field(default_factory=set)       # Refs there once it is Healthy (itself, what its controller makes)

    def where(self):
        return f"{self.label} ({self.application}, wave {self.app_wave})"


# ---------------------------------------------------------------- what is there before ArgoCD

# API groups the API server serves itself (no operator to wait for).
BUILT_IN_GROUPS = {
    "", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io",
    "apiregistration.k8s.io", "admissionregistration.k8s.io", "scheduling.k8s.io", "coordination.k8s.io",
    "discovery.k8s.io", "node.k8s.io", "certificates.k8s.io", "apiextensions.k8s.io", "flowcontrol.apiserver.k8s.io",
}
CLUSTER_SCOPED_BUILT_INS = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "APIService", "StorageClass",
    "PersistentVolume", "PriorityClass", "IngressClass", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "CSIDriver", "RuntimeClass", "Node",
}
# What the API server and kubeadm make on a new cluster (the bootstrap RBAC policy and kube-system's objects).
CLUSTER_BOOTSTRAP = {
    Ref("Namespace", None, "default"), Ref("Namespace", None, "kube-system"),
    Ref("Namespace", None, "kube-public"), Ref("Namespace", None, "kube-node-lease"),
    Ref("Role", "kube-system", "extension-apiserver-authentication-reader"),
    Ref("ConfigMap", "kube-system", "extension-apiserver-authentication"),
    *(Ref("ClusterRole", None, name) for name in (
        "cluster-admin", "admin", "edit", "view", "system:auth-delegator", "system:aggregate-to-view",
        "system:aggregate-to-edit", "system:aggregate-to-admin")),
}
# What every namespace holds as soon as it exists (the service account and root CA publisher controllers).
PER_NAMESPACE = {("ServiceAccount", "default"), ("ConfigMap", "kube-root-ca.crt")}


def before_argocd():
    """The cluster when the root Application is applied: what kubeadm made, and what Ansible's gitops role
    creates first (read from its tasks: ArgoCD's Helm install, namespaces, Secrets)."""
    tasks = yaml.safe_load((ROOT / "ansible/roles/gitops/tasks/main.yml").read_text())
    commands = " ;\n".join(t["ansible.builtin.command"] for t in tasks if isinstance(t.get("ansible.builtin.command"), str))
    have = set(CLUSTER_BOOTSTRAP)
    have |= {Ref("Namespace", None, ns) for ns in re.findall(r"create namespace (\S+)", commands)}
    have |= {Ref("Secret", ns, name) for name, ns in re.findall(r"create secret generic (\S+)\s+--namespace (\S+)", commands)}
    for chart, namespace in re.findall(r"helm [^;]*?install \S+ (\S+)\s[^;]*?--namespace (\S+) --create-namespace", commands):
        have.add(Ref("Namespace", None, namespace))
        version = next(i["version"] for i in chart_installs() if i["chart"] == chart)
        have |= {crd_ref(crd) for crd in chart_crds(chart, version)}
        have |= {Ref("Controller", None, crd["spec"]["group"]) for crd in chart_crds(chart, version)}
    assert Ref("Namespace", None, "argocd") in have, "the gitops role's Helm install of ArgoCD was not found"
    return have


def present(ref, have):
    if ref in have:
        return True
    if ref.namespace and (ref.kind, ref.name) in PER_NAMESPACE:
        return Ref("Namespace", None, ref.namespace) in have
    if ref.kind == "Grant":
        return Ref("Grant", None, ref.name) in have  # a ClusterRoleBinding grants it everywhere
    if ref.kind == "Permission":
        return any(r.kind == "Grant" and r.namespace in (ref.namespace, None) and r.name.startswith(ref.name + " may use ")
                   for r in have)
    if ref.kind == "Controller":
        return ref.name in BUILT_IN_GROUPS
    return False


# ---------------------------------------------------------------- kinds and their CRDs

def crd_ref(crd):
    return Ref("CustomResourceDefinition", None, crd["metadata"]["name"])


class Catalog:
    """Every CRD the pinned charts (and this repository) bring: the CRD's name and scope per kind."""

    def __init__(self, extra_crds=()):
        self.crds = {}
        pins = {(i["chart"], i["version"]) for i in chart_installs()}
        for crd in [c for pin in sorted(pins) for c in chart_crds(*pin)] + list(extra_crds):
            self.crds[(crd["spec"]["group"], crd["spec"]["names"]["kind"])] = crd

    def crd_for(self, obj):
        group = group_of(obj)
        if group in BUILT_IN_GROUPS:
            return None
        crd = self.crds.get((group, obj["kind"]))
        return crd_ref(crd) if crd else Ref("CustomResourceDefinition", None, f"(none serves {obj['kind']} in {group})")

    def namespaced(self, obj):
        if group_of(obj) in BUILT_IN_GROUPS:
            return obj["kind"] not in CLUSTER_SCOPED_BUILT_INS
        crd = self.crds.get((group_of(obj), obj["kind"]))
        return not crd or crd["spec"].get("scope", "Namespaced") == "Namespaced"


def group_of(obj):
    return obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""


def dig(node, *path):
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


# ---------------------------------------------------------------- what each kind needs and makes

# Workload kinds and where their pod template's spec is.
POD_SPECS = {
    "Deployment": ("spec", "template", "spec"), "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"), "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"), "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"), "Pod": ("spec",),
}

# What a program needs from the cluster beyond what its pod spec names, by image (from each program's documentation).
IMAGE_NEEDS = {
    # An aggregated API server reads the client CA from kube-system's extension-apiserver-authentication
    # ConfigMap at start and exits when it may not.
    "registry.k8s.io/metrics-server/metrics-server": lambda namespace, account: [Need(
        Ref("Grant", "kube-system", f"ServiceAccount {namespace}/{account} may use Role extension-apiserver-authentication-reader"),
        "to read kube-system/extension-apiserver-authentication, the client CA it checks callers against")],
}


def pod_needs(pod, namespace, accounts):
    """What the kubelet (and the ServiceAccount admission) need before the pod's containers start."""
    needs = []

    def wants(kind, name, why, optional=False):
        if name and not optional:
            needs.append(Need(Ref(kind, namespace, name), why))

    for volume in pod.get("volumes", []):
        if "secret" in volume:
            wants("Secret", volume["secret"].get("secretName"), f"volume {volume['name']}", volume["secret"].get("optional"))
        if "configMap" in volume:
            wants("ConfigMap", volume["configMap"].get("name"), f"volume {volume['name']}", volume["configMap"].get("optional"))
        if "persistentVolumeClaim" in volume:
            wants("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"], f"volume {volume['name']}")
        for source in dig(volume, "projected", "sources") or []:
            for kind, key in (("Secret", "secret"), ("ConfigMap", "configMap")):
                if key in source:
                    wants(kind, source[key].get("name"), f"projected volume {volume['name']}", source[key].get("optional"))
    for container in pod.get("initContainers", []) + pod.get("containers", []):
        for source in container.get("envFrom", []):
            for kind, key in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
                if key in source:
                    wants(kind, source[key].get("name"), f"envFrom of {container['name']}", source[key].get("optional"))
        for env in container.get("env", []):
            for kind, key in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                ref = dig(env, "valueFrom", key)
                if ref:
                    wants(kind, ref.get("name"), f"env {env['name']} of {container['name']}", ref.get("optional"))
        for image, extra in IMAGE_NEEDS.items():
            if container.get("image", "").startswith(image + ":"):
                needs.extend(extra(namespace, pod.get("serviceAccountName") or "default"))
    account = pod.get("serviceAccountName") or "default"
    wants("ServiceAccount", account, "serviceAccountName")
    pull = [s["name"] for s in pod.get("imagePullSecrets", [])]
    pull += [s["name"] for s in accounts.get((namespace, account), {}).get("imagePullSecrets", [])]
    for name in pull:
        wants("Secret", name, "imagePullSecrets (the image is private)")
    return needs


def storage_class_need(name, why):
    # No class named: the cluster's default StorageClass must exist (or the claim stays Pending).
    return Need(Ref("StorageClass", None, name or "(the default class)"), why)


def store_needs(store, namespace):
    """What an External Secrets store needs to be Ready, by provider."""
    needs = [Need(Ref("Controller", None, "external-secrets.io"), "the External Secrets operator")]
    cluster_wide = store["kind"] == "ClusterSecretStore"
    for provider, config in store["spec"]["provider"].items():
        for path, ref in secret_selectors(config):
            ref_namespace = ref.get("namespace") if cluster_wide else namespace
            needs.append(Need(Ref("Secret", ref_namespace, ref["name"]), f"provider {provider} {path}"))
        if provider == "kubernetes":
            account = dig(config, "auth", "serviceAccount")
            ca = dig(config, "server", "caProvider")
            if ca:
                ca_namespace = ca.get("namespace") if cluster_wide else namespace
                needs.append(Need(Ref(ca["type"], ca_namespace, ca["name"]), "server.caProvider"))
            if account:
                account_namespace = account.get("namespace") if cluster_wide else namespace
                needs.append(Need(Ref("ServiceAccount", account_namespace, account["name"]), "auth.serviceAccount"))
                needs.append(Need(Ref("Permission", config.get("remoteNamespace", "default"),
                                      f"ServiceAccount {account_namespace}/{account['name']}"),
                                  "a RoleBinding that lets the store's ServiceAccount read the remote namespace"))
    return needs


def secret_selectors(node, path=""):
    """Every `...SecretRef: {name, key}` below a provider's configuration."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else key
            if key.lower().endswith("secretref") and isinstance(value, dict) and "name" in value:
                yield here, value
            else:
                yield from secret_selectors(value, here)


def remote_namespace(store):
    """For a store that reads Kubernetes Secrets: the namespace they are read from."""
    config = dig(store, "spec", "provider", "kubernetes")
    return config.get("remoteNamespace", "default") if config is not None else None


# CloudNativePG Cluster fields that name a Secret the operator reads (api/v1 of the pinned operator).
CNPG_SECRET_FIELDS = [
    ("managed", "roles", "*", "passwordSecret"),
    ("backup", "barmanObjectStore", "googleCredentials", "applicationCredentials"),
    ("backup", "barmanObjectStore", "s3Credentials", "accessKeyId"),
    ("backup", "barmanObjectStore", "s3Credentials", "secretAccessKey"),
    ("backup", "barmanObjectStore", "azureCredentials", "connectionString"),
    ("externalClusters", "*", "barmanObjectStore", "googleCredentials", "applicationCredentials"),
    ("externalClusters", "*", "barmanObjectStore", "s3Credentials", "accessKeyId"),
    ("externalClusters", "*", "barmanObjectStore", "s3Credentials", "secretAccessKey"),
    ("externalClusters", "*", "password"), ("externalClusters", "*", "sslCert"),
    ("externalClusters", "*", "sslKey"), ("externalClusters", "*", "sslRootCert"),
    ("bootstrap", "initdb", "secret"), ("bootstrap", "recovery", "secret"), ("bootstrap", "pg_basebackup", "secret"),
    ("superuserSecret",), ("imagePullSecrets", "*"),
]
CNPG_CERTIFICATE_FIELDS = ("serverCASecret", "serverTLSSecret", "clientCASecret", "replicationTLSSecret")


def walk_fields(node, path):
    if not path:
        yield node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for item in node if isinstance(node, list) else []:
            yield from walk_fields(item, rest)
    elif isinstance(node, dict) and head in node:
        yield from walk_fields(node[head], rest)


def cnpg_cluster(obj, namespace):
    """What a CloudNativePG Cluster needs before its instances start, and what the operator then makes
    (api/v1 cluster_types.go and cluster_funcs.go of operator 1.25: secret suffixes and when each is made)."""
    spec, name = obj["spec"], obj["metadata"]["name"]
    needs = []
    for path in CNPG_SECRET_FIELDS:
        for ref in walk_fields(spec, path):
            if isinstance(ref, dict) and ref.get("name"):
                needs.append(Need(Ref("Secret", namespace, ref["name"]), ".".join(path)))
    certificates = spec.get("certificates") or {}
    needs += [Need(Ref("Secret", namespace, certificates[f]), f"certificates.{f}") for f in CNPG_CERTIFICATE_FIELDS if certificates.get(f)]
    for volume in ("storage", "walStorage"):
        if volume in spec:
            needs.append(storage_class_need(spec[volume].get("storageClass"), f"{volume} (its PVCs)"))
    bootstrap = spec.get("bootstrap") or {"initdb": {}}
    makes = {Ref("Secret", namespace, certificates.get("serverCASecret") or f"{name}-ca"),
             Ref("Secret", namespace, certificates.get("clientCASecret") or f"{name}-ca"),
             Ref("Secret", namespace, certificates.get("serverTLSSecret") or f"{name}-server"),
             Ref("Secret", namespace, certificates.get("replicationTLSSecret") or f"{name}-replication")}
    method = next(iter(bootstrap))
    if not dig(bootstrap, method, "secret", "name"):
        makes.add(Ref("Secret", namespace, f"{name}-app"))  # made for the application owner unless a secret is given
    if spec.get("enableSuperuserAccess") and not dig(spec, "superuserSecret", "name"):
        makes.add(Ref("Secret", namespace, f"{name}-superuser"))
    makes |= {Ref("Service", namespace, f"{name}-{suffix}") for suffix in ("rw", "ro", "r")}
    return needs, makes


def describe(obj, namespace, index):
    """(needs before Healthy, what it gives once Healthy) for one rendered object."""
    kind, name = obj["kind"], obj["metadata"]["name"]
    needs, makes = [], {Ref(kind, namespace, name)}
    if kind in POD_SPECS:
        pod = dig(obj, *POD_SPECS[kind]) or {}
        needs += pod_needs(pod, namespace, index["accounts"])
        for template in dig(obj, "spec", "volumeClaimTemplates") or []:
            needs.append(storage_class_need(dig(template, "spec", "storageClassName"), "volumeClaimTemplates"))
    elif kind == "PersistentVolumeClaim":
        needs.append(storage_class_need(dig(obj, "spec", "storageClassName"), "storageClassName"))
    elif kind == "StorageClass":
        if obj["metadata"].get("annotations", {}).get("storageclass.kubernetes.io/is-default-class") == "true":
            makes.add(Ref("StorageClass", None, "(the default class)"))
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        role = obj["roleRef"]
        scope = namespace if kind == "RoleBinding" else None
        # A RoleBinding may only name a Role of its own namespace; a ClusterRole is found anywhere.
        needs.append(Need(Ref(role["kind"], scope if role["kind"] == "Role" else None, role["name"]), "roleRef"))
        for subject in obj.get("subjects", []):
            if subject["kind"] == "ServiceAccount":
                account = f"ServiceAccount {subject.get('namespace', namespace)}/{subject['name']}"
                makes.add(Ref("Grant", scope, f"{account} may use {role['kind']} {role['name']}"))
    elif kind == "APIService" and dig(obj, "spec", "service"):
        service = obj["spec"]["service"]
        needs.append(Need(Ref("Service", service["namespace"], service["name"]), "spec.service"))
    elif kind in ("SecretStore", "ClusterSecretStore"):
        needs += store_needs(obj, namespace)
    elif kind == "ExternalSecret":
        store = obj["spec"]["secretStoreRef"]
        store_kind = store.get("kind", "SecretStore")
        store_namespace = namespace if store_kind == "SecretStore" else None
        needs.append(Need(Ref(store_kind, store_namespace, store["name"]), "secretStoreRef (Ready)"))
        remote = remote_namespace(index["stores"].get((store_kind, store_namespace, store["name"]), {}))
        if remote:
            needs += [Need(Ref("Secret", remote, d["remoteRef"]["key"]), "remoteRef.key") for d in obj["spec"].get("data", [])]
        makes.add(Ref("Secret", namespace, dig(obj, "spec", "target", "name") or name))
    elif group_of(obj) == "postgresql.cnpg.io" and kind == "Cluster":
        extra_needs, extra_makes = cnpg_cluster(obj, namespace)
        needs += extra_needs
        makes |= extra_makes
    elif group_of(obj) == "postgresql.cnpg.io" and dig(obj, "spec", "cluster", "name"):
        # Database, ScheduledBackup, Backup, Pooler...: the operator acts on them only for a running Cluster.
        needs.append(Need(Ref("Cluster", namespace, obj["spec"]["cluster"]["name"]), "spec.cluster"))
        if kind == "Pooler":
            makes.add(Ref("Service", namespace, name))
    if group_of(obj) not in BUILT_IN_GROUPS:
        needs.append(Need(Ref("Controller", None, group_of(obj)), f"the operator serving {group_of(obj)}"))
    return needs, makes


# ---------------------------------------------------------------- charts

# Value keys (at any depth) that name something a chart's pods use but the chart does not make.
VALUE_REFERENCES = [
    (re.compile(r"(^|\.)existingSecret(Name)?$"), "Secret"),
    (re.compile(r"(^|\.)existingClaim$"), "PersistentVolumeClaim"),
    (re.compile(r"(^|\.)storageClass(Name)?$"), "StorageClass"),
]
# Value switches that make a chart template objects of another chart's CRDs.
VALUE_SWITCHES = [
    (re.compile(r"(^|\.)serviceMonitor\.enabled$"), ("monitoring.coreos.com", "ServiceMonitor")),
    (re.compile(r"(^|\.)podMonitor\.enabled$|(^|\.)podMonitorEnabled$"), ("monitoring.coreos.com", "PodMonitor")),
    (re.compile(r"(^|\.)prometheusRule\.enabled$"), ("monitoring.coreos.com", "PrometheusRule")),
]


def leaves(values, path=""):
    """(dotted path, value) of every leaf, skipping blocks that say `enabled: false`."""
    if isinstance(values, dict):
        if values.get("enabled") is False and path:
            return
        for key, value in values.items():
            yield from leaves(value, f"{path}.{key}" if path else key)
    else:
        yield path, values


def chart_step(install, app_wave, catalog):
    defaults, _, _ = chart_defaults(install["chart"], install["version"])
    values = merge_values(defaults, install["values"])
    namespace = install["namespace"]
    own = chart_crds(install["chart"], install["version"])
    own_kinds = {(c["spec"]["group"], c["spec"]["names"]["kind"]) for c in own}
    step = Step(install["application"], app_wave, 0, f"chart {install['chart']} {install['version']}")
    step.to_apply.append(Need(Ref("Namespace", None, namespace), "the release namespace"))
    for path, value in leaves(values):
        for pattern, kind in VALUE_REFERENCES:
            if pattern.search(path) and isinstance(value, str) and value not in ("", "-"):
                scope = None if kind == "StorageClass" else namespace
                step.to_be_healthy.append(Need(Ref(kind, scope, value), f"value {path}"))
        for pattern, (group, kind) in VALUE_SWITCHES:
            if pattern.search(path) and value is True and (group, kind) not in own_kinds:
                crd = catalog.crds.get((group, kind))
                name = crd["metadata"]["name"] if crd else f"(none serves {kind} in {group})"
                step.to_apply.append(Need(Ref("CustomResourceDefinition", None, name), f"value {path} templates a {kind}"))
    step.on_apply = {crd_ref(c) for c in own}
    step.on_healthy = {Ref("Controller", None, c["spec"]["group"]) for c in own}
    return step


# ---------------------------------------------------------------- the Applications as steps

def app_wave(app):
    return int(app["metadata"].get("annotations", {}).get(SYNC_WAVE, "0"))


def object_wave(obj):
    return int(obj["metadata"].get("annotations", {}).get(SYNC_WAVE, "0"))


def plan(applications, objects_of, installs, catalog):
    """Every Step of every Application. `objects_of(path)` renders a kustomization; `installs` are the chart installs."""
    rendered = [(app, obj) for app in applications for obj in _sources_objects(app, objects_of)]
    index = {"accounts": {}, "stores": {}}
    for app, obj in rendered:
        namespace = _namespace(obj, app, catalog)
        if obj["kind"] == "ServiceAccount":
            index["accounts"][(namespace, obj["metadata"]["name"])] = obj
        if obj["kind"] in ("SecretStore", "ClusterSecretStore"):
            index["stores"][(obj["kind"], namespace, obj["metadata"]["name"])] = obj
    steps, created_namespaces = [], {}
    for app in applications:
        name, wave = app["metadata"]["name"], app_wave(app)
        options = app["spec"].get("syncPolicy", {}).get("syncOptions", [])
        if "CreateNamespace=true" in options:
            created_namespaces[name] = Ref("Namespace", None, app["spec"]["destination"]["namespace"])
        steps += [chart_step(i, wave, catalog) for i in installs if i["application"] == name]
    for app, obj in rendered:
        namespace = _namespace(obj, app, catalog)
        step = Step(app["metadata"]["name"], app_wave(app), object_wave(obj),
                    f"{obj['kind']} {namespace + '/' if namespace else ''}{obj['metadata']['name']}")
        if namespace:
            step.to_apply.append(Need(Ref("Namespace", None, namespace), "its namespace"))
        crd = catalog.crd_for(obj)
        if crd:
            step.to_apply.append(Need(crd, f"the CRD of {obj['kind']}"))
        step.to_be_healthy, step.on_healthy = describe(obj, namespace, index)
        if obj["kind"] == "CustomResourceDefinition":
            step.on_apply.add(Ref("CustomResourceDefinition", None, obj["metadata"]["name"]))
        if obj["kind"] == "Namespace":
            step.on_apply.add(Ref("Namespace", None, obj["metadata"]["name"]))
        steps.append(step)
    return steps, created_namespaces


def _sources_objects(app, objects_of):
    spec = app["spec"]
    for source in spec.get("sources") or [spec["source"]]:
        if source.get("path") and not source.get("chart"):
            yield from objects_of(source["path"])


def _namespace(obj, app, catalog):
    if not catalog.namespaced(obj):
        return None
    return obj["metadata"].get("namespace") or app["spec"]["destination"]["namespace"]


# ---------------------------------------------------------------- the simulation

def simulate(steps, have, created_namespaces=None):
    """Runs the sync root wave by root wave. Returns (problems, the cluster at the end)."""
    have, problems = set(have), []
    providers = defaultdict(list)
    for step in steps:
        for ref in step.on_apply | step.on_healthy:
            providers[ref].append(step)
    for root_wave in sorted({s.app_wave for s in steps}):
        in_wave = [s for s in steps if s.app_wave == root_wave]
        stuck, unfinished = _run_wave(in_wave, have, created_namespaces or {})
        if stuck:
            problems.append(f"wave {root_wave} never becomes Healthy, so the root Application stops there:")
            for step, missing, applied in stuck:
                verb = "waits for" if applied else "cannot be applied without"
                for need in missing:
                    problems.append(f"  {step.where()} {verb} {need.ref} ({need.why}) — {_made_where(need.ref, providers, step)}")
            # Go on as if it had been fixed, to show what a later wave would still lack.
            for step in unfinished:
                have |= step.on_apply | step.on_healthy
    return problems, have


def _run_wave(in_wave, have, created_namespaces):
    """All Applications of one root wave, each through its own waves, to a fixed point."""
    start = set(have)
    by_app = defaultdict(list)
    for step in in_wave:
        by_app[step.application].append(step)
    own = {app: {created_namespaces[app]} if app in created_namespaces else set() for app in by_app}
    for namespaces in own.values():
        have |= namespaces
    applied, healthy = set(), set()
    cursor = {app: min(s.wave for s in app_steps) for app, app_steps in by_app.items()}
    done = set()
    changed = True
    while changed:
        changed = False
        for app, app_steps in by_app.items():
            if app in done:
                continue
            current = [s for s in app_steps if s.wave == cursor[app]]
            for step in current:
                if id(step) not in applied and all(present(n.ref, start | own[app]) for n in step.to_apply):
                    applied.add(id(step))
                    own[app] |= step.on_apply
                    have |= step.on_apply
                    changed = True
            for step in current:
                if id(step) in applied and id(step) not in healthy and all(present(n.ref, have) for n in step.to_be_healthy):
                    healthy.add(id(step))
                    have |= step.on_healthy
                    own[app] |= step.on_healthy
                    changed = True
            if all(id(s) in healthy for s in current):
                later = [s.wave for s in app_steps if s.wave > cursor[app]]
                if later:
                    cursor[app] = min(later)
                else:
                    done.add(app)
                changed = True
    stuck, unfinished = [], []
    for app, app_steps in by_app.items():
        if app in done:
            continue
        unfinished += [s for s in app_steps if id(s) not in healthy]
        for step in app_steps:
            if id(step) not in applied and step.wave == cursor[app]:
                stuck.append((step, [n for n in step.to_apply if not present(n.ref, start | own[app])], False))
            elif id(step) in applied and id(step) not in healthy:
                stuck.append((step, [n for n in step.to_be_healthy if not present(n.ref, have)], True))
    return stuck, unfinished


def _made_where(ref, providers, needer):
    makers = [s for s in providers.get(ref, []) if s is not needer]
    if not makers:
        return "nothing makes it"
    return "made by " + "; ".join(s.where() + (f" in its own wave {s.wave}" if s.wave else "") for s in makers)


# ---------------------------------------------------------------- the tree

def tree_steps():
    catalog = Catalog(find("CustomResourceDefinition"))
    applications = find("Application", path="argocd-apps/apps")
    return plan(applications, render, chart_installs(), catalog)


def test_the_first_sync_reaches_every_wave_healthy():
    steps, created = tree_steps()
    problems, have = simulate(steps, before_argocd(), created)
    assert not problems, "\n".join(problems)
    # The simulation saw the things that matter.
    for ref in (Ref("Secret", "monitoring", "grafana-admin"), Ref("Secret", "platform", "microchat-db-ca"),
                Ref("Controller", None, "postgresql.cnpg.io"), Ref("Secret", "app", "database-ca"),
                Ref("Grant", "kube-system",
                    "ServiceAccount metrics-server/metrics-server may use Role extension-apiserver-authentication-reader")):
        assert ref in have, f"{ref} never appeared in the simulation"


# ---------------------------------------------------------------- the check itself

def _app(name, wave, namespace, *, create_namespace=False):
    options = ["CreateNamespace=true"] if create_namespace else []
    return {"metadata": {"name": name, "annotations": {SYNC_WAVE: str(wave)}},
            "spec": {"destination": {"namespace": namespace}, "source": {"path": name}, "syncPolicy": {"syncOptions": options}}}


def _run(apps_and_objects, have=()):
    catalog = Catalog()
    apps = [a for a, _ in apps_and_objects]
    objects = {a["metadata"]["name"]: objs for a, objs in apps_and_objects}
    steps, created = plan(apps, lambda path: objects[path], [], catalog)
    base = set(CLUSTER_BOOTSTRAP) | set(have) | {Ref("Controller", None, "external-secrets.io"),
                                                 Ref("CustomResourceDefinition", None, "externalsecrets.external-secrets.io"),
                                                 Ref("CustomResourceDefinition", None, "clustersecretstores.external-secrets.io")}
    return simulate(steps, base, created)[0]


def _deployment(name, secret):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"template": {"spec": {"containers": [{"name": name, "image": "x:1", "env": [
                {"name": "A", "valueFrom": {"secretKeyRef": {"name": secret, "key": "a"}}}]}]}}}}


def _external_secret(name, store="store"):
    return {"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret", "metadata": {"name": name},
            "spec": {"secretStoreRef": {"kind": "ClusterSecretStore", "name": store}, "target": {"name": name},
                     "data": [{"secretKey": "a", "remoteRef": {"key": "k"}}]}}


STORE = {"apiVersion": "external-secrets.io/v1beta1", "kind": "ClusterSecretStore", "metadata": {"name": "store"},
         "spec": {"provider": {"gcpsm": {"auth": {"secretRef": {"secretAccessKeySecretRef": {"name": "key", "namespace": "es"}}}}}}}
NAMESPACES = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in ("a", "es")]
KEY = Ref("Secret", "es", "key")


def test_the_simulator_stops_where_a_pod_waits_for_a_later_secret():
    problems = _run([(_app("ns", -3, "default"), NAMESPACES), (_app("store", -2, "es"), [STORE]),
                     (_app("early", -1, "a"), [_deployment("web", "later")]), (_app("late", 1, "a"), [_external_secret("later")])], {KEY})
    assert problems[0].startswith("wave -1 never becomes Healthy")
    assert "Deployment a/web (early, wave -1) waits for Secret a/later" in problems[1]
    assert "made by ExternalSecret a/later (late, wave 1)" in problems[1]
    # In order, it passes; inside one Application, an earlier own wave is fine and a later one is too late.
    secret, web = _external_secret("later"), _deployment("web", "later")
    assert not _run([(_app("ns", -3, "default"), NAMESPACES), (_app("store", -2, "es"), [STORE]),
                     (_app("early", -1, "a"), [secret, web])], {KEY})
    secret["metadata"]["annotations"] = {SYNC_WAVE: "1"}
    problems = _run([(_app("ns", -3, "default"), NAMESPACES), (_app("store", -2, "es"), [STORE]),
                     (_app("early", -1, "a"), [secret, web])], {KEY})
    assert "waits for Secret a/later" in problems[1] and "in its own wave 1" in problems[1], problems


def test_the_simulator_wants_the_store_ready_and_its_credentials():
    problems = _run([(_app("ns", -3, "default"), NAMESPACES), (_app("store", -2, "es"), [STORE]),
                     (_app("app", -1, "a"), [_external_secret("s")])])
    assert any("ClusterSecretStore store (store, wave -2) waits for Secret es/key" in p for p in problems), problems
    problems = _run([(_app("ns", -3, "default"), NAMESPACES), (_app("app", -1, "a"), [_external_secret("s", "missing")])], {KEY})
    assert any("waits for ClusterSecretStore missing" in p and "nothing makes it" in p for p in problems), problems


def test_the_simulator_refuses_objects_before_their_namespace_and_a_role_bound_elsewhere():
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "b", "namespace": "a"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "extension-apiserver-authentication-reader"},
               "subjects": [{"kind": "ServiceAccount", "name": "x", "namespace": "a"}]}
    problems = _run([(_app("early", -2, "a"), [binding]), (_app("ns", -1, "default"), NAMESPACES)])
    assert "RoleBinding a/b (early, wave -2) cannot be applied without Namespace a" in problems[1]
    problems = _run([(_app("ns", -3, "default"), NAMESPACES), (_app("rbac", -2, "a"), [binding])])
    assert "waits for Role a/extension-apiserver-authentication-reader (roleRef)" in problems[1]
    binding["metadata"]["namespace"] = "kube-system"
    assert not _run([(_app("ns", -3, "default"), NAMESPACES), (_app("rbac", -2, "a"), [binding])])
    # CreateNamespace makes the destination namespace at the Application's start.
    assert not _run([(_app("x", -2, "b", create_namespace=True), [_deployment("d", "s"), {
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}])])


def test_the_simulator_knows_what_the_charts_we_pin_need():
    installs = {i["application"]: i for i in chart_installs()}
    catalog = Catalog()
    grafana = chart_step(installs["monitoring"], -2, catalog)
    assert Ref("Secret", "monitoring", "grafana-admin") in [n.ref for n in grafana.to_be_healthy]
    assert Ref("StorageClass", None, "local-path") in [n.ref for n in grafana.to_be_healthy]
    assert Ref("CustomResourceDefinition", None, "servicemonitors.monitoring.coreos.com") in grafana.on_apply
    traefik = chart_step(installs["traefik"], -1, catalog)
    assert Ref("CustomResourceDefinition", None, "servicemonitors.monitoring.coreos.com") in [n.ref for n in traefik.to_apply]
    # ArgoCD's disabled redis-ha names a secret, but nothing of it is installed.
    argocd = chart_step(installs["argocd"], -3, catalog)
    assert not [n for n in argocd.to_be_healthy if n.ref.kind == "Secret"]


def test_the_cloudnative_pg_model_follows_the_operator():
    cluster = {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": {"name": "db"},
               "spec": {"instances": 1, "storage": {"size": "1Gi"}, "managed": {"roles": [{"name": "r", "passwordSecret": {"name": "r-pw"}}]},
                        "bootstrap": {"initdb": {"database": "app", "owner": "app"}}}}
    needs, makes = cnpg_cluster(cluster, "p")
    assert {n.ref for n in needs} == {Ref("Secret", "p", "r-pw"), Ref("StorageClass", None, "(the default class)")}
    assert {Ref("Secret", "p", n) for n in ("db-ca", "db-server", "db-replication", "db-app")} <= makes
    assert Ref("Secret", "p", "db-superuser") not in makes  # only with enableSuperuserAccess
