"""Sign-in through Keycloak, checked against a model of what Keycloak does with
our realm file at the version the manifests run.

Keycloak imports `realm-microchat.json` once, when the realm does not exist
yet, and silently drops whatever the file refers to that the import did not
create. Whether the page can sign in and whether chat-service accepts the
token is therefore decided by Keycloak's import and token rules, not by the
file's shape. Those rules are written below as data and small functions; each
names the Keycloak class and method it comes from. They were read in Keycloak
26.0 (the 26.0.0 release jars, decompiled; RealmManager.importRealm also in
the later main branch, which has the same scope rule): the pin in
deployment.yaml must stay on that line, or the rules must be read again.

What the model answers, for the rendered manifests:
  * which client scopes exist after the import, and which the page's client
    holds as default or optional scopes;
  * whether the authorization request the page sends is accepted (scopes,
    redirect URI), and whether the page's origin and logout return are allowed;
  * which claims the access token and the ID token carry, so that the
    services' verifier (issuer, audience, subject) and their profile claims
    (preferred_username, name, email) are satisfied.
"""
import json
import re
import urllib.parse

import pytest

from conftest import MANIFESTS, ROOT, render

KEYCLOAK_PATH = "k8s-manifests/platform/keycloak"
APP_PATH = "k8s-manifests/app"
MODELLED_LINE = "26.0"  # the Keycloak release line the rules below were read from
OIDC = "openid-connect"
SAML = "saml"
IMPORT_DIR = "/opt/keycloak/data/import"

# Features that decide whether a built-in scope is created. Both are of type
# DEFAULT in org.keycloak.common.Profile$Feature at 26.0 (on unless KC_FEATURES_DISABLED says otherwise).
DEFAULT_FEATURES = {"step-up-authentication", "organization"}


# ------------------------------------------------------------ Keycloak's built-in scopes
def _claim_mapper(kind, claim=None, access=True, id_token=True, **config):
    """A protocol mapper in the realm file's own shape (what an export would show)."""
    settings = {"access.token.claim": str(access).lower(), "id.token.claim": str(id_token).lower()}
    if claim:
        settings["claim.name"] = claim
    settings.update(config)
    return {"protocol": OIDC, "protocolMapper": kind, "config": settings}


def _attribute(claim, attribute=None):
    return _claim_mapper("oidc-usermodel-attribute-mapper", claim, **{"user.attribute": attribute or claim})


# The client scopes Keycloak creates in a new realm, with their mappers and
# whether the realm hands them to new clients as default (True) or optional
# (False) scopes. Source: OIDCLoginProtocolFactory.createDefaultClientScopesImpl
# and its addRolesClientScope, addWebOriginsClientScope,
# addMicroprofileJWTClientScope, addAcrClientScope and addBasicClientScope (the
# mappers are the ones initBuiltIns builds); SamlProtocolFactory.createDefaultClientScopesImpl.
BUILT_IN_SCOPES = [
    {"name": "profile", "protocol": OIDC, "realm_default": True, "mappers": [
        _claim_mapper("oidc-full-name-mapper", None),  # `name`: first and last name, when the user has either
        _attribute("family_name", "lastName"), _attribute("given_name", "firstName"), _attribute("middle_name", "middleName"),
        _attribute("nickname"), _attribute("preferred_username", "username"), _attribute("profile"), _attribute("picture"),
        _attribute("website"), _attribute("gender"), _attribute("birthdate"), _attribute("zoneinfo"), _attribute("locale"),
        _attribute("updated_at", "updatedAt")]},
    {"name": "email", "protocol": OIDC, "realm_default": True, "mappers": [
        _attribute("email"), _claim_mapper("oidc-usermodel-property-mapper", "email_verified", **{"user.attribute": "emailVerified"})]},
    {"name": "address", "protocol": OIDC, "realm_default": False, "mappers": [_claim_mapper("oidc-address-mapper")]},
    {"name": "phone", "protocol": OIDC, "realm_default": False, "mappers": [
        _attribute("phone_number", "phoneNumber"), _attribute("phone_number_verified", "phoneNumberVerified")]},
    {"name": "roles", "protocol": OIDC, "realm_default": True, "mappers": [
        _claim_mapper("oidc-usermodel-realm-role-mapper", "realm_access.roles", id_token=False),
        _claim_mapper("oidc-usermodel-client-role-mapper", "resource_access.${client_id}.roles", id_token=False),
        _claim_mapper("oidc-audience-resolve-mapper", None, id_token=False)]},
    {"name": "web-origins", "protocol": OIDC, "realm_default": True, "mappers": [
        _claim_mapper("oidc-allowed-origins-mapper", None, id_token=False)]},
    {"name": "microprofile-jwt", "protocol": OIDC, "realm_default": False, "mappers": [
        _attribute("upn", "username"), _claim_mapper("oidc-usermodel-realm-role-mapper", "groups")]},
    {"name": "acr", "protocol": OIDC, "realm_default": True, "feature": "step-up-authentication", "mappers": [
        _claim_mapper("oidc-acr-mapper")]},
    # Since Keycloak 25 the access token's `sub` comes only from this scope's mapper (see token_claims).
    {"name": "basic", "protocol": OIDC, "realm_default": True, "mappers": [
        _claim_mapper("oidc-usersessionmodel-note-mapper", "auth_time", **{"user.session.note": "AUTH_TIME"}),
        _claim_mapper("oidc-sub-mapper", None, id_token=False)]},
    {"name": "organization", "protocol": OIDC, "realm_default": False, "feature": "organization", "mappers": [
        _claim_mapper("oidc-organization-membership-mapper", "organization")]},
    {"name": "role_list", "protocol": SAML, "realm_default": True, "mappers": []},
    {"name": "saml_organization", "protocol": SAML, "realm_default": True, "feature": "organization", "mappers": []},
]

# The `offline_access` scope is made apart from the others, and even when the
# file has its own `clientScopes`: RealmManager.importRealm calls
# setupOfflineTokens unless the file has both the realm role and the scope,
# which creates the scope (DefaultClientScopes.createOfflineAccessClientScope:
# optional for new clients, scoped to the `offline_access` role, which every
# new user holds through the realm's default roles) unless the file has it.
OFFLINE_ACCESS = {"name": "offline_access", "protocol": OIDC, "realm_default": False, "mappers": [], "role": "offline_access"}


# ------------------------------------------------------------ the import
def replace_placeholders(text, environment):
    """`${NAME}` and `${NAME:default}` in a startup import file become the pod's
    environment variables; an unknown name without a default stays as written.
    Source: ExportImportManager.runImportAtStartup (turns replacement on),
    AbstractFileBasedImportProvider.parseFile (the environment as resolver),
    StringPropertyReplacer.replaceProperties."""
    def value(match):
        key = match.group(1)
        if key in environment:
            return environment[key]
        name, colon, default = key.partition(":")
        if colon and name:
            return environment.get(name, default)
        return match.group(0)
    return re.sub(r"\$\{([^{}]+)\}", value, text)


def picked_up_at_start(file_name):
    """`start --import-realm` reads IMPORT_DIR: files ending in -realm.json through the
    `dir` importer, every other *.json without -realm.json or -users- in its name
    through the `singleFile` importer. Source: ExportImportManager.getStartupImportProviders,
    DirImportProvider.importModel."""
    return file_name.endswith("-realm.json") or (file_name.endswith(".json") and "-realm.json" not in file_name and "-users-" not in file_name)


def import_realm(rep, features=DEFAULT_FEATURES):
    """The realm Keycloak makes from a realm file: its client scopes and clients,
    and the warnings it logs for references it drops.
    Source: RealmManager.importRealm, then DefaultExportImportManager.importRealm."""
    scopes, realm_defaults, warnings = {}, {}, []

    def create(scope):
        scopes[scope["name"]] = scope
        if "realm_default" in scope:
            realm_defaults[scope["name"]] = scope["realm_default"]

    file_scopes = rep.get("clientScopes")
    file_scope_names = {s["name"] for s in file_scopes or []}
    realm_roles = {r["name"] for r in (rep.get("roles") or {}).get("realm") or []}
    # RealmManager.importRealm -> setupOfflineTokens (see OFFLINE_ACCESS).
    if "offline_access" not in file_scope_names:
        create(dict(OFFLINE_ACCESS))
    # RealmManager.importRealm: the built-in scopes only when the file has no
    # `clientScopes` at all; an empty or partial list means none of them.
    if file_scopes is None:
        for scope in BUILT_IN_SCOPES:
            if scope.get("feature") in (None, *features):
                create(dict(scope))
    # DefaultExportImportManager.importRealm -> createClientScopes -> RepresentationToModel.createClientScope
    for scope in file_scopes or []:
        create({"name": scope["name"], "protocol": scope.get("protocol"), "mappers": scope.get("protocolMappers") or [],
                "attributes": scope.get("attributes") or {}, "from_file": True})
    # DefaultExportImportManager.importRealm: realm-level default scopes are looked
    # up among the file's own clientScopes only.
    for key, default in (("defaultDefaultClientScopes", True), ("defaultOptionalClientScopes", False)):
        for name in rep.get(key) or []:
            if name in file_scope_names:
                realm_defaults[name] = default
            else:
                warnings.append(f"realm {key}: referenced client scope '{name}' doesn't exist")
    clients = {}
    for client in rep.get("clients") or []:
        clients[client["clientId"]] = import_client(client, scopes, realm_defaults, warnings)
    return {"name": rep["realm"], "scopes": scopes, "clients": clients, "warnings": warnings, "rep": rep, "realm_roles": realm_roles}


def import_client(client, scopes, realm_defaults, warnings):
    """A client's scopes after the import.
    Source: RepresentationToModel.createClient. Setting the protocol fires
    ClientProtocolUpdatedEvent, on which AbstractLoginProtocolFactory.addDefaultClientScopes
    gives the client the realm's default and optional scopes of its protocol;
    then RepresentationToModel.updateClientScopes, when the file lists
    defaultClientScopes or optionalClientScopes, removes those and adds the
    listed ones (addClientScopeToClient: an unknown name is logged and skipped).
    JpaRealmProvider.addClientScopes skips a scope of another protocol and one
    the client already holds (as default or optional)."""
    protocol = client.get("protocol")
    assert protocol, f"client {client['clientId']}: set `protocol`; the model does not cover a client without one"
    held = {}  # name -> True (default) / False (optional), in the order added

    def add(name, default, listed):
        scope = scopes.get(name)
        if scope is None:
            if listed:
                warnings.append(f"client {client['clientId']}: referenced client scope '{name}' doesn't exist. Ignoring")
            return
        if scope.get("protocol") != protocol:
            if listed:
                warnings.append(f"client {client['clientId']}: scope '{name}' is of protocol {scope.get('protocol')}, not {protocol}: not attached")
            return
        held.setdefault(name, default)

    for default in (True, False):
        for name, is_default in realm_defaults.items():
            if is_default == default:
                add(name, default, listed=False)
    if client.get("defaultClientScopes") is not None or client.get("optionalClientScopes") is not None:
        held.clear()
        for name in client.get("defaultClientScopes") or []:
            add(name, True, listed=True)
        for name in client.get("optionalClientScopes") or []:
            add(name, False, listed=True)
    return {"rep": client, "protocol": protocol, "default": [n for n, d in held.items() if d],
            "optional": [n for n, d in held.items() if not d], "mappers": client.get("protocolMappers") or []}


# ------------------------------------------------------------ the authorization request
def scope_error(client, scope_param):
    """None when Keycloak accepts the `scope` parameter, else why it answers invalid_scope.
    Source: AuthorizationEndpointChecker.checkValidScope -> TokenManager.isValidScope:
    `openid` is not a client scope; every other requested name must be one of
    the client's default scopes or one of its optional scopes."""
    requested = set(scope_param.split(" ")) - {"", "openid"}
    if not requested:
        return None
    available = set(client["default"]) | (requested & set(client["optional"]))
    missing = sorted(requested - available)
    if not available or missing:
        return f"invalid_scope: {missing or sorted(requested)} not among the client's default {client['default']} or optional {client['optional']} scopes"
    return None


def redirect_allowed(uri, allowed, root_url):
    """Source: RedirectUtils.verifyRedirectUri / resolveValidRedirects / matchesRedirects:
    a relative entry is resolved against rootUrl; an entry ending in `*` (and
    without `?`) matches by prefix, ignoring the query and fragment; any other
    entry must be equal."""
    bare = re.split(r"[?#]", uri, maxsplit=1)[0]
    for entry in allowed:
        if entry.startswith("/"):
            entry = (root_url or "").rstrip("/") + entry
        if entry == "*":
            return True
        if entry.endswith("*") and "?" not in entry:
            prefix = entry[:-1]
            if bare.startswith(prefix) or bare == prefix.rstrip("/"):
                return True
        elif entry == uri:
            return True
    return False


def web_origin_allowed(origin, client_rep):
    """Source: WebOriginsUtils.resolveValidWebOrigins: `+` stands for the origins of
    the redirect URIs, `*` for any origin, anything else is compared as written."""
    origins = set()
    for entry in client_rep.get("webOrigins") or []:
        if entry == "*":
            return True
        if entry == "+":
            for uri in client_rep.get("redirectUris") or []:
                parts = urllib.parse.urlsplit(uri.rstrip("*"))
                if parts.scheme and parts.netloc:
                    origins.add(f"{parts.scheme}://{parts.netloc}")
        else:
            origins.add(entry)
    return origin in origins


def post_logout_redirects(client_rep):
    """`post.logout.redirect.uris` (`##`-separated; `+` means the redirect URIs);
    DefaultExportImportManager.createClients writes `+` when the file has none."""
    value = (client_rep.get("attributes") or {}).get("post.logout.redirect.uris") or "+"
    uris = []
    for entry in value.split("##"):
        uris += (client_rep.get("redirectUris") or []) if entry == "+" else [entry]
    return uris


# ------------------------------------------------------------ the tokens
def issuer(keycloak_environment, realm_name):
    """The `iss` of every token: the frontend base URL + /realms/<realm>.
    Source: AuthorizationEndpoint (client note `iss` = Urls.realmIssuer(base URI,
    realm name)), TokenManager.initToken. With KC_HOSTNAME a full URL (hostname
    v2), that URL is the frontend base; a bare host name would leave scheme,
    port and path to each request, which nothing offline can check."""
    hostname = keycloak_environment.get("KC_HOSTNAME", "")
    assert re.match(r"^https?://", hostname), \
        f"KC_HOSTNAME={hostname!r}: give the full public URL, so that the issuer does not depend on how a request arrives"
    return hostname.rstrip("/") + "/realms/" + realm_name


def _mapper_claims(mapper, client_id):
    """The claim names (and, for `aud`, values) one mapper writes. Source: each mapper's setClaim."""
    kind, config = mapper.get("protocolMapper"), mapper.get("config") or {}
    if kind == "oidc-sub-mapper":
        return {"sub": None}
    if kind == "oidc-full-name-mapper":
        return {"name": None}
    if kind == "oidc-audience-mapper":  # AudienceProtocolMapper: one client id or one custom string
        return {"aud": [v for v in (config.get("included.client.audience"), config.get("included.custom.audience")) if v]}
    if kind == "oidc-audience-resolve-mapper":  # the clients whose roles the user has: not known offline
        return {"aud": []}
    if kind == "oidc-allowed-origins-mapper":
        return {"allowed-origins": None}
    if kind == "oidc-acr-mapper":
        return {"acr": None}
    if kind == "oidc-address-mapper":
        return {"address": None}
    if config.get("claim.name"):
        return {config["claim.name"].replace("${client_id}", client_id).split(".")[0]: None}
    return {}


def _in_access_token(mapper, lightweight):
    """Source: AbstractOIDCProtocolMapper.transformAccessToken and OIDCAttributeMapperHelper:
    `access.token.claim` must be "true" (`lightweight.claim` for a client using
    lightweight access tokens)."""
    config = mapper.get("config") or {}
    return config.get("lightweight.claim" if lightweight else "access.token.claim") == "true"


def token_claims(realm, client_id, scope_param, user_roles=("offline_access",)):
    """The access token's claims (name -> audience values for `aud`, None otherwise)
    for a user signing in through client_id with scope_param, plus the ID token's.
    Source: DefaultClientSessionContext (the client's default scopes, the
    requested optional ones and the client itself; a scope with role scope
    mappings only for users holding one of those roles; mappers of the client's
    protocol), TokenManager.initToken (jti, typ, iat, exp, azp, iss, scope and
    sid always, sub only for transient sessions since Keycloak 25, so never for
    a browser sign-in), TokenManager.generateIDToken (the ID token always has
    sub, aud = client id, iss, nonce, sid)."""
    client = realm["clients"][client_id]
    requested = set(scope_param.split(" "))
    names = list(client["default"]) + [n for n in client["optional"] if n in requested]
    permitted = [realm["scopes"][n] for n in names if realm["scopes"][n].get("role") in (None, *user_roles)]
    mappers = [m for scope in permitted for m in scope["mappers"]] + list(client["mappers"])
    mappers = [m for m in mappers if m.get("protocol") == client["protocol"]]
    lightweight = (client["rep"].get("attributes") or {}).get("client.use.lightweight.access.token.enabled") == "true"
    access = {claim: None for claim in ("jti", "typ", "iat", "exp", "azp", "iss", "scope", "sid")}
    access["aud"] = []
    for mapper in mappers:
        if _in_access_token(mapper, lightweight):
            for claim, values in _mapper_claims(mapper, client_id).items():
                if claim == "aud":
                    access["aud"] += values
                else:
                    access[claim] = None
    if not access["aud"]:
        del access["aud"]  # Keycloak leaves out an empty audience
    id_token = {"sub": None, "aud": [client_id], "iss": None, "nonce": None, "sid": None}
    return access, id_token


# ------------------------------------------------------------ what the tree says
def _only(objects, what):
    assert len(objects) == 1, f"expected one {what}, found {len(objects)}"
    return objects[0]


def _configmap(path, name):
    return _only([o for o in render(path) if o["kind"] == "ConfigMap" and o["metadata"]["name"] == name], f"ConfigMap {name} in {path}")["data"]


def public_host():
    for line in (MANIFESTS / "settings/cluster.env").read_text().splitlines():
        key, _, value = line.strip().partition("=")
        if key == "PUBLIC_HOST":
            return value
    pytest.fail("cluster.env has no PUBLIC_HOST")


def keycloak_container():
    deployment = _only([o for o in render(KEYCLOAK_PATH) if o["kind"] == "Deployment" and o["metadata"]["name"] == "keycloak"], "Deployment keycloak")
    pod = deployment["spec"]["template"]["spec"]
    return pod, _only([c for c in pod["containers"] if c["name"] == "keycloak"], "container keycloak")


def keycloak_environment():
    """The keycloak container's plain environment: envFrom ConfigMaps, then `env` values (Secrets are not needed here)."""
    _, container = keycloak_container()
    environment = {}
    for source in container.get("envFrom") or []:
        if "configMapRef" in source:
            environment.update(_configmap(KEYCLOAK_PATH, source["configMapRef"]["name"]))
    for variable in container.get("env") or []:
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
    return environment


def realm_files():
    """The files the keycloak container finds in IMPORT_DIR: (name, text) from the mounted ConfigMap."""
    pod, container = keycloak_container()
    mount = _only([m for m in container.get("volumeMounts") or [] if m["mountPath"].rstrip("/") == IMPORT_DIR], f"volume mounted at {IMPORT_DIR}")
    volume = _only([v for v in pod["volumes"] if v["name"] == mount["name"]], f"volume {mount['name']}")
    assert "configMap" in volume, f"{IMPORT_DIR} must come from a ConfigMap rendered from the repository"
    data = _configmap(KEYCLOAK_PATH, volume["configMap"]["name"])
    items = volume["configMap"].get("items")
    return [(item["path"], data[item["key"]]) for item in items] if items else sorted(data.items())


def page():
    """What the page sends: its client id, the `scope` it asks for, where Keycloak sends it back, its origin."""
    script = (ROOT / "Sources/UIService/Public/js/oidc.js").read_text()
    scope = re.search(r"\bscope:\s*'([^']*)'", script)
    callback = re.search(r"get redirectUri\(\)\s*\{\s*return `\$\{location\.origin\}([^`]*)`", script)
    logout = re.search(r"post_logout_redirect_uri:\s*`\$\{location\.origin\}([^`]*)`", script)
    assert scope and callback and logout, "oidc.js no longer says its scope, redirect URI and logout return the way this check reads them"
    origin = f"https://{public_host()}"
    ui = _configmap(APP_PATH, "ui-service")
    return {"client_id": ui["OIDC_CLIENT_ID"], "issuer": ui["OIDC_ISSUER"], "scope": scope.group(1), "origin": origin,
            "redirect_uri": origin + callback.group(1), "post_logout_redirect_uri": origin + logout.group(1)}


def claims_the_services_decode():
    """(required, optional) claim names of the services' AccessTokenClaims: a
    non-optional property must be in every token, an optional one is read when present."""
    text = (ROOT / "Sources/ServiceAuth/AccessTokenClaims.swift").read_text()
    body = re.search(r"struct AccessTokenClaims\b.*?\n\}", text, re.S).group(0)
    renamed = dict(re.findall(r"case (\w+) = \"([^\"]+)\"", body))
    required, optional = set(), set()
    for name, question in re.findall(r"public var (\w+): [\w.]+(\?)?", body):
        (optional if question else required).add(renamed.get(name, name))
    assert {"sub", "iss", "aud"} <= required, f"the services' token claims changed ({sorted(required)}): read them again"
    return required, optional


@pytest.fixture(scope="module")
def realm():
    files = [(name, text) for name, text in realm_files() if picked_up_at_start(name)]
    assert files, f"no file in {IMPORT_DIR} is one `--import-realm` reads"
    environment = keycloak_environment()
    realms = [json.loads(replace_placeholders(text, environment)) for _, text in files]
    return import_realm(_only([r for r in realms if r.get("realm") == "microchat"], "realm microchat"))


# ------------------------------------------------------------ the checks
def test_the_model_matches_the_keycloak_the_manifests_run():
    pod, container = keycloak_container()
    image = container["image"]
    assert image.startswith("quay.io/keycloak/keycloak:"), image
    version = image.rsplit(":", 1)[1]
    assert version.startswith(MODELLED_LINE + "."), \
        f"Keycloak {version} is pinned but this model was read from {MODELLED_LINE}: read RealmManager.importRealm, " \
        f"OIDCLoginProtocolFactory and TokenManager at the new version and update the rules"
    # Features that would remove or add built-in scopes.
    environment = keycloak_environment()
    for setting in ("KC_FEATURES", "KC_FEATURES_DISABLED"):
        assert not environment.get(setting), f"{setting} changes which built-in scopes exist; teach the model first"
    assert "--import-realm" in (container.get("args") or []) + (container.get("command") or []), "nothing imports the realm at start"


def test_the_model_follows_keycloaks_rules():
    """The model itself on small realms, so a wrong rule shows here first."""
    client = {"clientId": "c", "protocol": OIDC, "defaultClientScopes": ["basic", "profile", "own"]}
    own = {"name": "own", "protocol": OIDC, "protocolMappers": []}
    without = import_realm({"realm": "r", "clients": [dict(client)]})
    assert {"profile", "email", "basic", "roles", "web-origins", "acr", "offline_access"} <= set(without["scopes"])
    assert without["clients"]["c"]["default"] == ["basic", "profile"] and without["warnings"]  # `own` is dropped
    with_list = import_realm({"realm": "r", "clientScopes": [own], "clients": [dict(client)]})
    assert set(with_list["scopes"]) == {"own", "offline_access"}
    assert with_list["clients"]["c"]["default"] == ["own"] and len(with_list["warnings"]) == 2
    assert "sub" not in token_claims(with_list, "c", "openid")[0]
    assert "sub" in token_claims(without, "c", "openid")[0]
    # A client that lists nothing gets the realm's defaults and optionals of its protocol.
    bare = import_realm({"realm": "r", "clients": [{"clientId": "c", "protocol": OIDC}]})
    assert {"basic", "profile", "email", "roles", "web-origins", "acr"} == set(bare["clients"]["c"]["default"])
    assert "offline_access" in bare["clients"]["c"]["optional"] and "role_list" not in bare["clients"]["c"]["default"]
    assert scope_error(bare["clients"]["c"], "openid profile email") is None
    assert scope_error(bare["clients"]["c"], "openid offline_access") is None
    assert scope_error(with_list["clients"]["c"], "openid profile") is not None
    assert redirect_allowed("https://h/auth/callback?code=1", ["https://h/*"], None)
    assert not redirect_allowed("https://h.evil/x", ["https://h/*"], None) and redirect_allowed("https://h", ["https://h/*"], None)
    assert replace_placeholders("${A} ${B:d} ${C}", {"A": "a"}) == "a d ${C}"
    assert picked_up_at_start("realm-microchat.json") and picked_up_at_start("microchat-realm.json")
    assert not picked_up_at_start("microchat-users-0.json") and not picked_up_at_start("notes.txt")


def test_no_scope_the_realm_file_names_is_dropped(realm):
    assert not realm["warnings"], "Keycloak would log these and carry on without them:\n  " + "\n  ".join(realm["warnings"])


def test_every_scope_the_page_requests_exists_and_is_assigned_to_its_client(realm):
    wanted = page()
    assert wanted["client_id"] in realm["clients"], f"the realm has no client {wanted['client_id']} (ui-service's OIDC_CLIENT_ID)"
    client = realm["clients"][wanted["client_id"]]
    rep = client["rep"]
    assert rep.get("enabled", True) and rep.get("standardFlowEnabled", True) and realm["rep"].get("enabled", True), \
        "the page signs in with the authorization code flow: realm and client must be enabled, standardFlowEnabled on"
    for name in set(wanted["scope"].split()) - {"openid"}:
        assert name in realm["scopes"], f"the page asks for `{name}`, which does not exist after the import (scopes: {sorted(realm['scopes'])})"
        assert name in client["default"] + client["optional"], f"the page asks for `{name}`, which {wanted['client_id']} does not hold"
    error = scope_error(client, wanted["scope"])
    assert error is None, f"the page's `scope={wanted['scope']}` would be refused: {error}"


def test_the_access_token_carries_what_the_services_verify(realm):
    wanted = page()
    access, _ = token_claims(realm, wanted["client_id"], wanted["scope"])
    assert "sub" in access, "the access token would have no `sub` (since Keycloak 25 only the `basic` scope's oidc-sub-mapper, " \
                            "or another oidc-sub-mapper the client holds, writes it): chat-service answers 401"
    for service in ("chat-service", "user-service"):
        settings = _configmap(APP_PATH, service)
        assert settings["TOKEN_AUDIENCE"] in access.get("aud", []), \
            f"{service} wants `{settings['TOKEN_AUDIENCE']}` in `aud`; the token's audience would be {access.get('aud', [])}"
        expected = issuer(keycloak_environment(), realm["name"])
        assert settings["AUTH_ISSUER"] == expected, f"{service} expects iss={settings['AUTH_ISSUER']}, Keycloak would write {expected}"
        assert settings["AUTH_DISCOVERY_URL"].endswith(f"/realms/{realm['name']}/.well-known/openid-configuration")
    required, optional = claims_the_services_decode()
    missing = sorted(required - set(access))
    assert not missing, f"the services' verifier requires {missing}, which the access token would lack"
    # The profile a person gets on first sight (user-service) and the names chat shows come from these.
    names = {"preferred_username", "name", "email"}
    assert names <= optional, "the services no longer read preferred_username, name and email: update this check"
    missing = sorted((optional - {"nbf"}) - set(access))  # Keycloak never writes nbf
    assert not missing, f"the services read {missing} from the access token, which it would not carry"


def test_the_id_token_is_one_the_page_accepts(realm):
    wanted = page()
    _, id_token = token_claims(realm, wanted["client_id"], wanted["scope"])
    assert wanted["client_id"] in id_token["aud"]
    expected = issuer(keycloak_environment(), realm["name"])
    assert wanted["issuer"] == expected, f"the page checks the ID token's iss against {wanted['issuer']}; Keycloak would write {expected}"


def test_redirect_uris_and_web_origins_match_the_public_host(realm):
    wanted = page()
    rep = realm["clients"][wanted["client_id"]]["rep"]
    text = json.dumps(rep)
    assert "${" not in text, f"placeholders left after the pod's environment is applied: {re.findall(r'[$][{][^}]*[}]', text)}"
    assert redirect_allowed(wanted["redirect_uri"], rep.get("redirectUris") or [], rep.get("rootUrl")), \
        f"{wanted['redirect_uri']} is not among the client's redirect URIs {rep.get('redirectUris')}"
    assert redirect_allowed(wanted["post_logout_redirect_uri"], post_logout_redirects(rep), rep.get("rootUrl")), \
        f"sign-out returns to {wanted['post_logout_redirect_uri']}, not among {post_logout_redirects(rep)}"
    assert web_origin_allowed(wanted["origin"], rep), f"the page's origin {wanted['origin']} is not among the web origins {rep.get('webOrigins')}"
    # Nothing lets a code or a logout go to another host.
    for uri in (rep.get("redirectUris") or []) + post_logout_redirects(rep):
        assert uri.startswith(wanted["origin"] + "/"), f"{uri} reaches beyond {wanted['origin']}"
    for origin in rep.get("webOrigins") or []:
        assert origin in (wanted["origin"], "+"), f"web origin {origin} is not the page's"
    assert rep.get("rootUrl", wanted["origin"]).rstrip("/") == wanted["origin"]


def test_the_access_token_is_signed_with_an_algorithm_the_services_accept(realm):
    # TokenVerifier accepts ES256 and RS256 only; Keycloak signs with the client's
    # access.token.signed.response.alg, else the realm's defaultSignatureAlgorithm (RS256 when unset).
    client = realm["clients"][page()["client_id"]]["rep"]
    algorithm = (client.get("attributes") or {}).get("access.token.signed.response.alg") or realm["rep"].get("defaultSignatureAlgorithm") or "RS256"
    verifier = (ROOT / "Sources/ServiceAuth/TokenVerifier.swift").read_text()
    assert f'"{algorithm}"' in verifier, f"access tokens would be signed with {algorithm}, which TokenVerifier does not accept"
