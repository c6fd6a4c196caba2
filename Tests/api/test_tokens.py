"""Access tokens as other services see them: discovery, JWKS, and the 401s for
missing, expired, forged and wrong-issuer tokens."""
import json
import time
import uuid

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from conftest import assert_problem, psql, register


def signing_key_pem(stack_data):
    """The newest real signing key, read from user-service's schema as the database owner."""
    out = psql(stack_data, "SELECT kid || '|' || replace(private_key_pem, E'\\n', '~') FROM user_service.signing_keys ORDER BY created_at DESC LIMIT 1")
    kid, pem = out.split("|", 1)
    return kid, pem.replace("~", "\n")


def claims(user, issuer, **overrides):
    now = int(time.time())
    base = {"iss": issuer, "sub": user["user"]["id"], "aud": "microchat", "iat": now, "nbf": now, "exp": now + 300,
            "preferred_username": user["user"]["username"]}
    base.update(overrides)
    return base


def test_discovery_document_and_jwks(api, user_url):
    d = api.get("/.well-known/openid-configuration").json()
    assert d["issuer"] == user_url
    assert d["jwks_uri"].endswith("/.well-known/jwks.json")
    keys = api.get("/.well-known/jwks.json")
    assert keys.status_code == 200
    ks = keys.json()["keys"]
    assert ks and all(k["kty"] == "EC" and k["crv"] == "P-256" and k["alg"] == "ES256" and k["kid"] for k in ks)
    assert all("d" not in k for k in ks), "private key material must never be published"


def test_access_token_verifies_with_the_published_jwks(api, user, user_url):
    key_set = KeySet.import_key_set(api.get("/.well-known/jwks.json").json())
    token = jwt.decode(user["accessToken"], key_set)
    assert token.header["alg"] == "ES256"
    assert token.claims["iss"] == user_url
    assert token.claims["sub"] == user["user"]["id"]  # the same spelling as every id in the API
    assert token.claims["aud"] == "microchat"
    assert token.claims["exp"] - token.claims["iat"] <= 3600


def test_missing_and_malformed_authorization(api, user):
    assert_problem(api.get("/api/users/me", token=""), 401, "missing_token")
    assert_problem(api.get("/api/users/me", headers={"Authorization": "Basic abc"}, token=""), 401, "invalid_token")
    assert_problem(api.get("/api/users/me", token="garbage"), 401, "invalid_token")
    r = api.get("/api/users/me", token="garbage")
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_expired_token_with_a_genuine_signature_is_refused(api, user, user_url, stack_data):
    kid, pem = signing_key_pem(stack_data)
    key = ECKey.import_key(pem)
    expired = jwt.encode({"alg": "ES256", "kid": kid}, claims(user, user_url, exp=int(time.time()) - 3600, iat=int(time.time()) - 4000,
                                                               nbf=int(time.time()) - 4000), key)
    assert_problem(api.get("/api/users/me", token=expired), 401, "token_expired")
    # The same key with fresh claims works, which proves the refusal was about time.
    fresh = jwt.encode({"alg": "ES256", "kid": kid}, claims(user, user_url), key)
    assert api.get("/api/users/me", token=fresh).status_code == 200


def test_wrong_issuer_and_wrong_audience_are_refused(api, user, user_url, stack_data):
    kid, pem = signing_key_pem(stack_data)
    key = ECKey.import_key(pem)
    wrong_iss = jwt.encode({"alg": "ES256", "kid": kid}, claims(user, "http://evil.example"), key)
    assert_problem(api.get("/api/users/me", token=wrong_iss), 401, "invalid_token")
    wrong_aud = jwt.encode({"alg": "ES256", "kid": kid}, claims(user, user_url, aud="another-app"), key)
    assert_problem(api.get("/api/users/me", token=wrong_aud), 401, "invalid_token")


def test_forged_tokens_are_refused(api, user, user_url, stack_data):
    kid, _ = signing_key_pem(stack_data)
    forger = ECKey.generate_key("P-256")
    forged = jwt.encode({"alg": "ES256", "kid": kid}, claims(user, user_url), forger)
    assert_problem(api.get("/api/users/me", token=forged), 401, "invalid_token")
    # A real token with its subject swapped.
    header, payload, signature = user["accessToken"].split(".")
    import base64
    other = register(api)
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["sub"] = other["user"]["id"]
    swapped = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    assert_problem(api.get("/api/users/me", token=f"{header}.{swapped}.{signature}"), 401, "invalid_token")
    # alg=none.
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    assert_problem(api.get("/api/users/me", token=f"{none_header}.{payload}."), 401, "invalid_token")


def test_token_for_a_deleted_or_unknown_user(api, user, user_url, stack_data):
    kid, pem = signing_key_pem(stack_data)
    key = ECKey.import_key(pem)
    ghost = {"user": {"id": str(uuid.uuid4()), "username": "ghost"}}
    token = jwt.encode({"alg": "ES256", "kid": kid}, claims(ghost, user_url), key)
    assert_problem(api.get("/api/users/me", token=token), 401, "unknown_user")
