"""Acknowledged messages survive a failover: the CloudNativePG Cluster
replicates synchronously, in the form the pinned operator's CRD offers
(spec.postgresql.synchronous: method, number, dataDurability; CloudNativePG
1.24+), with a quorum that one lost standby does not block."""
from conftest import chart_crds, chart_installs, find


def pinned_cluster_schema():
    install, = [i for i in chart_installs() if i["chart"] == "cloudnative-pg"]
    crd, = [c for c in chart_crds("cloudnative-pg", install["version"]) if c["spec"]["names"]["kind"] == "Cluster"]
    version, = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    return install["version"], version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]


def durability_problems(cluster, schema):
    spec = cluster["spec"]
    postgresql = spec.get("postgresql", {})
    synchronous = postgresql.get("synchronous")
    offered = schema["postgresql"]["properties"].get("synchronous", {}).get("properties", {})
    problems = []
    if not synchronous:
        return ["spec.postgresql.synchronous is not set: replication is asynchronous, and a primary lost before a standby "
                "has its WAL loses transactions it already acknowledged"]
    for field in ("method", "number", "dataDurability"):
        if field not in offered:
            problems.append(f"the pinned CloudNativePG's Cluster has no postgresql.synchronous.{field}")
    if spec.get("minSyncReplicas") or spec.get("maxSyncReplicas"):
        problems.append("minSyncReplicas/maxSyncReplicas (the older form) set alongside postgresql.synchronous")
    if synchronous.get("method") not in ("any", "first"):
        problems.append(f"synchronous.method {synchronous.get('method')!r} is neither any nor first")
    number = synchronous.get("number", 0)
    standbys = spec["instances"] - 1
    if number < 1:
        problems.append("synchronous.number must be at least 1: a commit waits for that many standbys")
    if standbys - number < 1:
        problems.append(f"{standbys} standbys with synchronous.number {number}: losing one standby (a drained node) stops "
                        f"every write; keep at least one standby beyond the quorum")
    if synchronous.get("dataDurability") != "required":
        problems.append(f"synchronous.dataDurability is {synchronous.get('dataDurability')!r}: write it explicitly as required "
                        f"(preferred drops to asynchronous when standbys are missing, the loss window this closes; "
                        f"the CRD's default would also show as a diff in ArgoCD)")
    commit = postgresql.get("parameters", {}).get("synchronous_commit", "on")
    if commit not in ("on", "remote_apply"):
        problems.append(f"synchronous_commit {commit!r} does not wait for the standby to flush the WAL")
    return problems


def test_the_cluster_replicates_synchronously_with_a_quorum_one_failure_does_not_block():
    version, schema = pinned_cluster_schema()
    cluster, = find("Cluster")
    problems = durability_problems(cluster, schema)
    assert not problems, f"against cloudnative-pg chart {version}:\n" + "\n".join(problems)


def test_the_check_refuses_asynchronous_and_blocking_setups():
    _, schema = pinned_cluster_schema()
    cluster, = find("Cluster")
    asynchronous = {"spec": dict(cluster["spec"], postgresql={"parameters": {}})}
    assert any("asynchronous" in p for p in durability_problems(asynchronous, schema))
    blocking = {"spec": dict(cluster["spec"], instances=2,
                             postgresql={"synchronous": {"method": "any", "number": 1, "dataDurability": "required"}})}
    assert any("stops every write" in p for p in durability_problems(blocking, schema))
    relaxed = {"spec": dict(cluster["spec"], postgresql={"synchronous": {"method": "any", "number": 1, "dataDurability": "preferred"}})}
    assert any("preferred" in p for p in durability_problems(relaxed, schema))
