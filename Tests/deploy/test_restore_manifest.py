"""The restore Component (k8s-manifests/platform/postgres/restore), checked
offline the way the restore procedure uses it: added to the postgres
kustomization, rendered with kubectl, and the Cluster it yields validated
against the pinned CloudNativePG CRD. Part of the deployment checks, and
`./microchat drill` runs them first."""
import copy
import pathlib
import shutil
import subprocess

import jsonschema
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
POSTGRES = "k8s-manifests/platform/postgres"


import conftest as deploy


def cnpg_pin():
    app = yaml.safe_load((ROOT / "argocd-apps/apps/cloudnative-pg.yaml").read_text())
    return app["spec"]["source"]["chart"], str(app["spec"]["source"]["targetRevision"])


def cluster_schema():
    for crd in deploy.chart_crds(*cnpg_pin()):
        if crd["spec"]["group"] == "postgresql.cnpg.io" and crd["spec"]["names"]["kind"] == "Cluster":
            version, = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
            return version["schema"]["openAPIV3Schema"]
    pytest.fail("the pinned CloudNativePG chart has no Cluster CRD")


def render_cluster(tmp_path, with_restore):
    """The Cluster the postgres kustomization renders, with or without the restore Component listed."""
    tree = tmp_path / ("restored" if with_restore else "base")
    shutil.copytree(ROOT / "k8s-manifests", tree / "k8s-manifests")
    kustomization = tree / POSTGRES / "kustomization.yaml"
    doc = yaml.safe_load(kustomization.read_text())
    listed = [c for c in doc.get("components") or [] if str(c).rstrip("/") != "restore"]
    doc["components"] = listed + (["restore"] if with_restore else [])
    kustomization.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = subprocess.run([deploy.tool("kubectl"), "kustomize", str(tree / POSTGRES)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    cluster, = [d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "Cluster"]
    return cluster


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return render_cluster(tmp_path_factory.mktemp("render"), with_restore=False)


@pytest.fixture(scope="module")
def restored(tmp_path_factory):
    return render_cluster(tmp_path_factory.mktemp("render"), with_restore=True)


def strict_validator():
    return jsonschema.Draft7Validator(deploy.strict_crd_schema(cluster_schema()))


PLACEHOLDER_TIME = "2000-01-01T00:00:00Z"


def test_the_restore_component_is_deployed_only_once_filled_in():
    """Committed as an example that no kustomization ArgoCD applies lists; the
    procedure lists it in the postgres kustomization only after setting the
    target time (the example's time precedes every backup, so it cannot recover)."""
    component = (ROOT / POSTGRES / "restore/kustomization.yaml").read_text()
    assert yaml.safe_load(component)["kind"] == "Component"
    for path in deploy.DEPLOYED:
        doc = yaml.safe_load((ROOT / path / "kustomization.yaml").read_text())
        listed = [str(x).rstrip("/") for key in ("resources", "components") for x in doc.get(key) or []]
        uses = [x for x in listed if x == "restore" or x.endswith("postgres/restore")]
        if uses:
            assert path == POSTGRES, f"{path} lists the restore Component"
            assert PLACEHOLDER_TIME not in component, "the restore Component is listed with its example target time"


def test_the_restored_cluster_validates_against_the_pinned_crd(restored):
    cluster = restored
    errors = [f"{e.message[:200]} at {'.'.join(map(str, e.path))}" for e in strict_validator().iter_errors(cluster)]
    assert not errors, "\n".join(errors)


def test_the_restored_cluster_recovers_from_the_old_name_and_archives_to_a_new_one(base, restored):
    cluster = restored
    assert cluster["metadata"]["name"] == base["metadata"]["name"] == "microchat-db", \
        "the services, Keycloak, the CA secret and the network policies need the name microchat-db"
    bootstrap = cluster["spec"]["bootstrap"]
    assert list(bootstrap) == ["recovery"], "one bootstrap method only"
    recovery = bootstrap["recovery"]
    source, = [c for c in cluster["spec"]["externalClusters"] if c["name"] == recovery["source"]]
    old_store, new_store = source["barmanObjectStore"], cluster["spec"]["backup"]["barmanObjectStore"]
    base_store = base["spec"]["backup"]["barmanObjectStore"]
    # Recover from where the lost cluster archived: its destinationPath, its server name (the Cluster's name by default).
    assert old_store["destinationPath"] == base_store["destinationPath"]
    assert "BACKUP_BUCKET" not in old_store["destinationPath"]
    assert old_store.get("serverName", base["metadata"]["name"]) == base_store.get("serverName", base["metadata"]["name"])
    assert old_store["googleCredentials"] == base_store["googleCredentials"]
    # Archive under a server name of its own: the old folder holds WAL, and a new cluster refuses a non-empty archive.
    assert new_store["destinationPath"] == base_store["destinationPath"]
    assert new_store.get("serverName") and new_store["serverName"] != old_store.get("serverName", cluster["metadata"]["name"])
    # The application database and owner are the ones initdb made.
    initdb = base["spec"]["bootstrap"]["initdb"]
    assert (recovery["database"], recovery["owner"]) == (initdb["database"], initdb["owner"])
    assert recovery.get("recoveryTarget", {}).get("targetTime", "Z").endswith("Z")


def test_the_check_sees_a_broken_restore(restored):
    """The validation itself: a misspelt recovery field is refused by the pinned schema."""
    bad = copy.deepcopy(restored)
    bad["spec"]["bootstrap"]["recovery"]["recoveryTarget"]["targetTme"] = bad["spec"]["bootstrap"]["recovery"]["recoveryTarget"].pop("targetTime")
    assert any("targetTme" in e.message for e in strict_validator().iter_errors(bad))
