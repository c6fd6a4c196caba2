"""Cloud permissions: every tool that calls a Google Cloud API from the cluster
or the pipeline (barman-cloud, External Secrets, the services' HMAC key,
Terraform's own account) must hold, through the roles granted to its service
account on the resource it calls, every permission its calls need.

The needs are data with their sources (data/cloud_permissions.yaml); so is
what each predefined role contains (data/gcp_roles.yaml). The grants are read
from the code that makes them: terraform/*.tf (google_*_iam_member/binding,
custom roles) and scripts/cloud's setup_project (Terraform's own account)."""
import pathlib
import re

import hcl2
import pytest
import yaml

from conftest import ROOT, find

DATA = pathlib.Path(__file__).resolve().parent / "data"
TERRAFORM = ROOT / "terraform"
CLOUD_SCRIPT = ROOT / "scripts/cloud"

NEEDS = yaml.safe_load((DATA / "cloud_permissions.yaml").read_text())
ROLES = yaml.safe_load((DATA / "gcp_roles.yaml").read_text())["roles"]

PROJECT = "project"
REFERENCE = re.compile(r"^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.[a-z_]+\}$")


# ---------------------------------------------------------------- reading terraform/*.tf

def _value(raw):
    """python-hcl2 wraps each attribute's value in a one-element list."""
    return raw[0] if isinstance(raw, list) and len(raw) == 1 else raw


def terraform_resources(folder=TERRAFORM):
    """(type, name, attributes, file) for every resource block."""
    found = []
    for file in sorted(folder.glob("*.tf")):
        with file.open() as handle:
            document = hcl2.load(handle)
        for block in document.get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    attributes = {key: _value(value) for key, value in body.items() if not key.startswith("__")}
                    found.append((kind, name, attributes, file.name))
    return found


def _address(expression, what):
    """`${google_storage_bucket.files.name}` -> `google_storage_bucket.files`."""
    match = REFERENCE.match(str(expression))
    if not match:
        raise AssertionError(f"cannot tell which resource {what} {expression!r} names (only a plain reference is modelled)")
    return match.group(1)


def _member(expression, where):
    """`serviceAccount:${google_service_account.x.email}` -> `google_service_account.x`; other members stay as written."""
    text = str(expression)
    if text.startswith("serviceAccount:${"):
        return _address(text.removeprefix("serviceAccount:"), f"the member of {where}")
    if "${" in text:
        raise AssertionError(f"{where}: member {text!r} is an expression this check does not resolve")
    return text


def custom_roles(resources):
    """Custom roles made in terraform: how a grant refers to them -> their permissions."""
    roles = {}
    for kind, name, attributes, _ in resources:
        if kind in ("google_project_iam_custom_role", "google_organization_iam_custom_role"):
            permissions = list(attributes.get("permissions") or [])
            for suffix in ("id", "name"):
                roles[f"${{{kind}.{name}.{suffix}}}"] = permissions
    return roles


GRANT_SCOPES = {
    "google_project_iam_member": None,
    "google_project_iam_binding": None,
    "google_storage_bucket_iam_member": "bucket",
    "google_storage_bucket_iam_binding": "bucket",
    "google_secret_manager_secret_iam_member": "secret_id",
    "google_secret_manager_secret_iam_binding": "secret_id",
    "google_service_account_iam_member": "service_account_id",
    "google_service_account_iam_binding": "service_account_id",
}


def terraform_grants(resources):
    """Every role terraform grants: dicts of member, role, scope (`project` or a resource address), where."""
    grants = []
    for kind, name, attributes, file in resources:
        where = f"terraform/{file}: {kind}.{name}"
        if "_iam_" not in kind or kind.endswith("_custom_role"):
            continue
        assert kind in GRANT_SCOPES, f"{where}: an IAM resource type this check does not model; add it to GRANT_SCOPES"
        assert "for_each" not in attributes and "count" not in attributes, f"{where}: for_each/count grants are not modelled"
        scope_attribute = GRANT_SCOPES[kind]
        scope = PROJECT if scope_attribute is None else _address(attributes[scope_attribute], f"the {scope_attribute} of {where}")
        members = attributes.get("members") if kind.endswith("_binding") else [attributes["member"]]
        for member in members:
            grants.append({"member": _member(member, where), "role": attributes["role"], "scope": scope, "where": where})
    return grants


def setup_project_roles(script_text):
    """The project roles `just setup_project` gives Terraform's account (scripts/cloud's `for role in …` loop)."""
    body = script_text.split("cmd_setup_project()", 1)[1].split("\n}\n", 1)[0]
    loop = re.search(r"for role in (.*?); do", body, re.S)
    assert loop, "scripts/cloud's setup_project no longer grants roles in a `for role in …; do` loop; update this check"
    roles = loop.group(1).replace("\\\n", " ").split()
    assert "add-iam-policy-binding" in body and all(r.startswith("roles/") for r in roles), roles
    account = re.search(r'^SA_NAME="([^"]+)"', script_text, re.M).group(1)
    return account, roles


def all_grants(folder=TERRAFORM, script=CLOUD_SCRIPT):
    resources = terraform_resources(folder)
    grants = terraform_grants(resources)
    account, roles = setup_project_roles(script.read_text())
    grants += [{"member": account, "role": role, "scope": PROJECT, "where": "scripts/cloud: setup_project"} for role in roles]
    return resources, grants


# ---------------------------------------------------------------- what a grant gives

def role_permissions(role, customs):
    if role in customs:
        return set(customs[role])
    assert role in ROLES, (f"{role} is granted but Tests/deploy/data/gcp_roles.yaml does not say what it contains: add its "
                           f"includedPermissions (gcloud iam roles describe {role}) with the source")
    return set(ROLES[role]["permissions"])


def held(member, target, grants, customs):
    """Permissions `member` holds on `target` (`project` or a bucket's address): project grants reach every resource in
    the project, a grant on one resource only that resource."""
    permissions = {}
    for grant in grants:
        if grant["member"] != member or grant["scope"] not in (PROJECT, target):
            continue
        for permission in role_permissions(grant["role"], customs):
            permissions.setdefault(permission, []).append(grant["role"])
    return permissions


def needs_of(caller, resources):
    """The permissions one caller needs here: its own list, for External Secrets filtered by what the ExternalSecrets use,
    for Terraform the backend's and every resource type's."""
    entry = NEEDS["callers"][caller]
    needs = list(entry["needs"])
    if caller == "external-secrets":
        uses = external_secrets_uses(entry["store"])
        needs = [need for need in needs if need["when"] in uses]
    if caller == "terraform":
        needs += NEEDS["terraform_backend"]["gcs"]
        for kind in sorted({kind for kind, _, _, _ in resources}):
            assert kind in NEEDS["terraform_resources"], f"{kind}: its permissions are not recorded (data/cloud_permissions.yaml)"
            needs += [dict(need, call=f"{kind}: {need['call']}") for need in NEEDS["terraform_resources"][kind]]
    return needs


def external_secrets_uses(store):
    """Which kinds of Secret Manager call the rendered ExternalSecrets make through the store."""
    uses = set()
    for secret in find("ExternalSecret"):
        reference = secret["spec"]["secretStoreRef"]
        if reference.get("name") != store:
            continue
        for item in secret["spec"].get("data") or []:
            uses.add("metadata-fetch" if item["remoteRef"].get("metadataPolicy") == "Fetch" else "remote-ref")
        for item in secret["spec"].get("dataFrom") or []:
            if "find" in item:
                uses.add("find")
            if "extract" in item:
                uses.add("metadata-fetch" if item["extract"].get("metadataPolicy") == "Fetch" else "remote-ref")
    return uses


def missing(caller, folder=TERRAFORM, script=CLOUD_SCRIPT):
    """Lines naming each permission `caller` needs and does not hold where it calls."""
    resources, grants = all_grants(folder, script)
    customs = custom_roles(resources)
    entry = NEEDS["callers"][caller]
    permissions = held(entry["credentials"], entry["target"], grants, customs)
    lacking = [f"  {need['permission']}, for {need['call']} [{_sources(need)}]"
               for need in needs_of(caller, resources) if need["permission"] not in permissions]
    if not lacking:
        return []
    roles = sorted({f"{g['role']} on {g['scope']}" for g in grants if g["member"] == entry["credentials"]})
    return [f"{caller} ({entry['credentials']}, calling {entry['target']}; granted {roles or 'nothing'}) lacks:"] + lacking


def _sources(need):
    return ", ".join(need["source"]) if isinstance(need["source"], list) else need["source"]


# ---------------------------------------------------------------- the checks

def test_the_data_names_a_source_for_every_need_and_role():
    entries = [need for caller in NEEDS["callers"].values() for need in caller["needs"]]
    entries += NEEDS["terraform_backend"]["gcs"]
    entries += [need for needs in NEEDS["terraform_resources"].values() for need in needs]
    assert len(entries) > 60
    for need in entries:
        assert re.fullmatch(r"[a-z]+\.[A-Za-z]+\.[A-Za-z]+", need["permission"]), need
        assert need["call"] and need["source"], need
    for name, role in ROLES.items():
        assert role["source"] and role["docs"].startswith("https://cloud.google.com/iam/docs/roles-permissions/"), name
        assert role["permissions"] == sorted(set(role["permissions"])), f"{name}: keep the list sorted and unique"


def test_every_granted_role_is_described_and_granted_where_it_may_be():
    resources, grants = all_grants()
    customs = custom_roles(resources)
    for grant in grants:
        role_permissions(grant["role"], customs)
        allowed = ROLES.get(grant["role"], {}).get("grantable_on")
        scope = "project" if grant["scope"] == PROJECT else grant["scope"].split(".")[0].removeprefix("google_storage_")
        if allowed:
            assert scope in allowed, f"{grant['where']}: {grant['role']} can only be granted on {allowed}, not on {scope}"


def test_every_terraform_resource_type_has_its_permissions_recorded():
    kinds = {kind for kind, _, _, _ in terraform_resources()}
    unknown = sorted(kinds - set(NEEDS["terraform_resources"]))
    assert not unknown, (f"terraform/*.tf uses {unknown}: add what the provider calls for each (create, read, update, delete) "
                         f"to Tests/deploy/data/cloud_permissions.yaml terraform_resources")


def test_the_callers_credentials_are_the_accounts_terraform_makes_and_keys_it_hands_out():
    resources = terraform_resources()
    addresses = {f"{kind}.{name}" for kind, name, _, _ in resources}
    for caller, entry in NEEDS["callers"].items():
        if caller == "terraform":
            continue
        assert entry["credentials"] in addresses, f"{caller}: no {entry['credentials']} in terraform/*.tf"
        assert entry["target"] == PROJECT or entry["target"] in addresses, f"{caller}: no {entry['target']} in terraform/*.tf"
    key_holders = {_address(attributes.get("service_account_id") or attributes.get("service_account_email"), kind)
                   for kind, _, attributes, _ in resources if kind in ("google_service_account_key", "google_storage_hmac_key")}
    for caller in ("barman-cloud", "external-secrets", "files"):
        assert NEEDS["callers"][caller]["credentials"] in key_holders, f"{caller}: its account has no key Terraform makes"
    assert setup_project_roles(CLOUD_SCRIPT.read_text())[0] == NEEDS["callers"]["terraform"]["credentials"]


def test_the_cluster_uses_the_store_and_bucket_the_data_describes():
    store, = find("ClusterSecretStore", name=NEEDS["callers"]["external-secrets"]["store"])
    assert "gcpsm" in store["spec"]["provider"]
    assert external_secrets_uses(store["metadata"]["name"]), "no ExternalSecret reads the store"
    cluster, = find("Cluster")
    store = cluster["spec"]["backup"]["barmanObjectStore"]
    assert store["destinationPath"].startswith("gs://") and store["googleCredentials"]["applicationCredentials"]["name"]
    for name in ("chat-service", "user-service"):
        config, = find("ConfigMap", name=name, path="k8s-manifests/app")
        assert config["data"]["STORAGE_BACKEND"] == "s3" and config["data"]["S3_ENDPOINT"] == "https://storage.googleapis.com"


@pytest.mark.parametrize("caller", ["barman-cloud", "external-secrets", "files"])
def test_tools_in_the_cluster_hold_what_their_calls_need(caller):
    problems = missing(caller)
    assert not problems, "\n".join(problems)


def test_terraforms_own_account_holds_what_applying_needs():
    problems = missing("terraform")
    assert not problems, "\n".join(problems) + (
        "\n(the roles come from scripts/cloud's setup_project; storage.hmacKeys.* are in roles/storage.hmacKeyAdmin, "
        "not in roles/storage.admin)" if any("hmacKeys" in p for p in problems) else "")


def test_the_check_catches_a_missing_permission(tmp_path):
    """The check itself: barman-cloud with Object Admin alone (no storage.buckets.get) is refused."""
    folder = tmp_path / "terraform"
    folder.mkdir()
    (folder / "backups.tf").write_text('''
resource "google_service_account" "postgres_backups" {
  account_id = "b"
}
resource "google_storage_bucket" "postgres_backups" {
  name     = "b"
  location = "EU"
}
resource "google_storage_bucket_iam_member" "postgres_backups" {
  bucket = google_storage_bucket.postgres_backups.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.postgres_backups.email}"
}
resource "google_project_iam_member" "elsewhere" {
  project = "p"
  role    = "roles/storage.legacyBucketWriter"
  member  = "serviceAccount:${google_service_account.other.email}"
}
''')
    problems = missing("barman-cloud", folder=folder)
    assert len(problems) == 2 and "storage.buckets.get" in problems[1], problems
