"""The connection budget: every pod the HPAs (and a rolling update's surge) may
run at once must be able to open its whole pool, under its role's
connectionLimit, and all roles together plus CloudNativePG's own connections
must fit in the primary's max_connections.

No pooler sits in front (PgBouncer in transaction mode would break the
services: Sources/Postgres/Migrations.swift holds a session-level advisory lock
across statements and PostgresConnection sets TimeZone/DateStyle once per
session), so the pools are sized instead. Numbers that come from outside this
repository (Keycloak's default pool, PostgreSQL's defaults, CloudNativePG's
connections) are in data/connection_budget.yaml with their sources; the rest is
read from the rendered manifests."""
import math
import pathlib
import re
from urllib.parse import urlsplit

import yaml

from conftest import ROOT, find, rendered_objects

DATA = pathlib.Path(__file__).resolve().parent / "data"
BUDGET = yaml.safe_load((DATA / "connection_budget.yaml").read_text())
DEFAULTS = {name: entry["value"] for name, entry in BUDGET["defaults"].items()}
CNPG = BUDGET["cloudnative_pg"]


# ---------------------------------------------------------------- reading the manifests

def workloads():
    return [(path, obj) for path, obj in rendered_objects() if obj["kind"] in ("Deployment", "StatefulSet")]


def environment(obj, container):
    """A container's environment as the kubelet builds it: envFrom ConfigMaps, then env (literal values and
    secretKeyRef/configMapKeyRef references kept as such)."""
    namespace = obj["metadata"].get("namespace")
    values = {}
    for source in container.get("envFrom") or []:
        if "configMapRef" in source:
            config = _one("ConfigMap", source["configMapRef"]["name"], namespace)
            values.update(config.get("data") or {})
    for variable in container.get("env") or []:
        if "value" in variable:
            values[variable["name"]] = variable["value"]
        elif "valueFrom" in variable:
            values[variable["name"]] = variable["valueFrom"]
    return values


def _one(kind, name, namespace):
    found = [o for o in find(kind, name) if o["metadata"].get("namespace") == namespace]
    assert len(found) == 1, f"{kind} {namespace}/{name}: found {len(found)}"
    return found[0]


def _external_secret_value(namespace, secret, key):
    """What an ExternalSecret's template writes under `key` of the Secret `secret`."""
    for external in find("ExternalSecret"):
        if external["metadata"].get("namespace") == namespace and external["spec"]["target"]["name"] == secret:
            return external["spec"]["target"]["template"]["data"][key]
    raise AssertionError(f"no ExternalSecret in {namespace} makes Secret {secret}")


def _mounted_secret(obj, container, path):
    """The Secret and key a file path inside the container comes from."""
    volumes = {v["name"]: v for v in obj["spec"]["template"]["spec"].get("volumes") or []}
    for mount in container.get("volumeMounts") or []:
        prefix = mount["mountPath"].rstrip("/") + "/"
        if path.startswith(prefix) and "secret" in volumes[mount["name"]]:
            return volumes[mount["name"]]["secret"]["secretName"], path.removeprefix(prefix)
    raise AssertionError(f"{obj['metadata']['name']}: {path} is not in a mounted Secret")


def database_clients():
    """One entry per workload that logs in to PostgreSQL: its role, how many pods may run, its pool."""
    clients = []
    for path, obj in workloads():
        namespace = obj["metadata"].get("namespace")
        for container in obj["spec"]["template"]["spec"]["containers"]:
            env = environment(obj, container)
            name = f"{namespace}/{obj['metadata']['name']}"
            if "DATABASE_URL_FILE" in env or "DATABASE_URL" in env:
                if "DATABASE_URL" in env:
                    url = env["DATABASE_URL"]
                    assert isinstance(url, str), f"{name}: DATABASE_URL from a Secret is not modelled; use DATABASE_URL_FILE"
                else:
                    secret, key = _mounted_secret(obj, container, env["DATABASE_URL_FILE"])
                    url = _external_secret_value(namespace, secret, key)
                role = urlsplit(url).username
                assert "DATABASE_POOL_SIZE" in env, (f"{name}: DATABASE_POOL_SIZE is unset, so the pool follows the node's "
                                                     f"cores (2 x cores + 2) and no budget can hold it; set it in its ConfigMap")
                pool, pool_from = int(env["DATABASE_POOL_SIZE"]), "DATABASE_POOL_SIZE"
            elif env.get("KC_DB") == "postgres":
                username = env["KC_DB_USERNAME"]
                if isinstance(username, dict):
                    reference = username["secretKeyRef"]
                    username = _external_secret_value(namespace, reference["name"], reference["key"])
                role = username
                if "KC_DB_POOL_MAX_SIZE" in env:
                    pool, pool_from = int(env["KC_DB_POOL_MAX_SIZE"]), "KC_DB_POOL_MAX_SIZE"
                else:
                    pool, pool_from = DEFAULTS["keycloak_db_pool_max_size"], "Keycloak's default db-pool-max-size"
            else:
                continue
            assert re.fullmatch(r"[a-z_][a-z0-9_]*", role or ""), f"{name}: cannot tell its database role ({role!r})"
            replicas, replicas_from = most_replicas(obj)
            surge = max_surge(obj, replicas)
            clients.append({"name": name, "role": role, "pool": pool, "pool_from": pool_from, "replicas": replicas,
                            "replicas_from": replicas_from, "surge": surge, "pods": replicas + surge,
                            "connections": (replicas + surge) * pool})
    return clients


def most_replicas(obj):
    """The most pods the workload is scaled to: its HPA's maxReplicas, or its own replicas."""
    namespace = obj["metadata"].get("namespace")
    for hpa in find("HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        if hpa["metadata"].get("namespace") == namespace and target["kind"] == obj["kind"] and target["name"] == obj["metadata"]["name"]:
            return hpa["spec"]["maxReplicas"], "HPA maxReplicas"
    return obj["spec"].get("replicas", 1), "replicas"


def max_surge(obj, replicas):
    """Extra pods a rolling update adds on top (a StatefulSet or Recreate adds none)."""
    if obj["kind"] != "Deployment":
        return 0
    strategy = obj["spec"].get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return 0
    surge = (strategy.get("rollingUpdate") or {}).get("maxSurge", DEFAULTS["max_surge"])
    if isinstance(surge, str) and surge.endswith("%"):
        return math.ceil(replicas * int(surge[:-1]) / 100)
    return int(surge)


def cluster_budget():
    cluster, = find("Cluster")
    spec = cluster["spec"]
    parameters = spec.get("postgresql", {}).get("parameters", {})
    setting = lambda name: int(parameters.get(name, DEFAULTS[name]))  # noqa: E731
    roles = {r["name"]: r for r in spec.get("managed", {}).get("roles", []) if r.get("ensure", "present") == "present"}
    databases = set(CNPG["instance_manager_fixed_databases"]) | {spec["bootstrap"]["initdb"]["database"]}
    databases |= {d["spec"]["name"] for d in find("Database") if d["spec"]["cluster"]["name"] == cluster["metadata"]["name"]}
    standbys = spec["instances"] - 1
    return {
        "cluster": cluster,
        "max_connections": setting("max_connections"),
        "superuser_reserved": setting("superuser_reserved_connections"),
        "reserved": setting("reserved_connections"),
        "roles": roles,
        "operator_non_superuser": standbys * CNPG["standby_connections_to_primary"]["value"] + CNPG["rewind"]["value"],
        "operator_superuser": (len(databases) * CNPG["instance_manager_per_database"]["value"] + CNPG["backup"]["value"]
                               + CNPG["operator_psql"]["value"]),
        "databases": sorted(databases),
    }


def budget_problems():
    clients = database_clients()
    budget = cluster_budget()
    problems = []
    demand = {}
    for client in clients:
        demand.setdefault(client["role"], []).append(client)
    for role, users in sorted(demand.items()):
        wanted = sum(c["connections"] for c in users)
        how = " + ".join(f"{c['name']}: ({c['replicas']} {c['replicas_from']} + {c['surge']} surge) x {c['pool']} {c['pool_from']}"
                         for c in users)
        spec = budget["roles"].get(role)
        if spec is None:
            problems.append(f"role {role} ({how}) is not a managed role of the Cluster, so nothing limits it")
            continue
        limit = spec.get("connectionLimit", -1)
        if limit < 0:
            problems.append(f"role {role} has no connectionLimit: it could take every connection ({how} = {wanted})")
        elif wanted > limit:
            problems.append(f"role {role}: {how} = {wanted} connections > its connectionLimit {limit}")
    limits = {name: r.get("connectionLimit", -1) for name, r in budget["roles"].items() if r.get("login")}
    if all(limit >= 0 for limit in limits.values()):
        non_superuser = sum(limits.values()) + budget["operator_non_superuser"]
        ceiling = budget["max_connections"] - budget["superuser_reserved"] - budget["reserved"]
        if non_superuser > ceiling:
            problems.append(f"the login roles' connectionLimits {limits} + CloudNativePG's streaming_replica connections "
                            f"{budget['operator_non_superuser']} = {non_superuser} > max_connections {budget['max_connections']} "
                            f"- superuser_reserved_connections {budget['superuser_reserved']} - reserved_connections "
                            f"{budget['reserved']} = {ceiling}")
        total = non_superuser + budget["operator_superuser"]
        if total > budget["max_connections"]:
            problems.append(f"{non_superuser} non-superuser connections + {budget['operator_superuser']} for CloudNativePG's "
                            f"instance manager (3 per database {budget['databases']}), barman-cloud-backup and an operator's psql "
                            f"= {total} > max_connections {budget['max_connections']}")
    else:
        problems.append(f"every login role needs a connectionLimit for the budget to hold: {limits}")
    return clients, budget, problems


# ---------------------------------------------------------------- the checks

def test_every_pod_the_autoscalers_may_start_can_connect():
    clients, budget, problems = budget_problems()
    assert {c["role"] for c in clients} >= {"chat_service", "user_service", "keycloak"}, clients
    summary = "\n".join(f"  {c['name']} as {c['role']}: {c['pods']} pods x {c['pool']} = {c['connections']}" for c in clients)
    assert not problems, "\n".join(problems) + "\nwhat may connect:\n" + summary


def test_nothing_logs_in_with_the_operators_own_accounts():
    """CloudNativePG's app owner and superuser secrets have no connection limit in the budget: no workload may use them."""
    cluster, = find("Cluster")
    name = cluster["metadata"]["name"]
    for path, obj in workloads():
        text = yaml.safe_dump(obj["spec"]["template"])
        for secret in (f"{name}-app", f"{name}-superuser"):
            assert re.search(rf"\b{re.escape(secret)}\b", text) is None, f"{path}: {obj['metadata']['name']} uses {secret}"


def test_the_services_postgres_use_rules_out_a_transaction_pooler():
    """Why the budget sizes pools instead of putting PgBouncer (transaction mode) in front: session state the services rely
    on. If these go, a Pooler becomes possible."""
    migrations = (ROOT / "Sources/Postgres/Migrations.swift").read_text()
    connection = (ROOT / "Sources/Postgres/PostgresConnection.swift").read_text()
    assert "pg_advisory_lock(" in migrations and "pg_advisory_unlock(" in migrations
    assert "SET TimeZone" in connection
    assert not find("Pooler"), "a Pooler is rendered: this check and the budget assume the services connect to the primary"


def test_the_budget_catches_an_oversized_pool(monkeypatch):
    """The check itself: the pre-budget sizes (chat-service pools of 16 under a limit of 120, Keycloak's default pool) fail."""
    import test_connection_budget as module
    real = module.database_clients

    def oversized():
        clients = real()
        for client in clients:
            if client["role"] == "chat_service":
                client.update(pool=16, connections=client["pods"] * 16)
            if client["role"] == "keycloak":
                client.update(pool=100, connections=client["pods"] * 100)
        return clients

    monkeypatch.setattr(module, "database_clients", oversized)
    _, _, problems = module.budget_problems()
    assert any(p.startswith("role chat_service") for p in problems) and any(p.startswith("role keycloak") for p in problems), problems
