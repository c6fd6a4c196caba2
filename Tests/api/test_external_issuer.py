"""user-service with accounts at an external OpenID Connect issuer (how it
runs in a cluster, with Keycloak): a second user-service process on the real
database trusts an issuer this test runs (discovery document + JWKS over
HTTP, ES256 tokens shaped like Keycloak's), makes a profile on first sight,
refuses its own password endpoints and tokens from anyone else."""
import http.server
import json
import threading
import time
import uuid

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey

from conftest import assert_problem, register
from stack_processes import ServiceProcess, database_url_file, free_port


class Issuer:
    """An OpenID Connect issuer's public face: discovery and keys, and tokens it signs."""

    def __init__(self):
        self.key = ECKey.generate_key("P-256", parameters={"kid": "test-issuer-1", "use": "sig", "alg": "ES256"})
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/realms/test"
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/realms/test/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/protocol/openid-connect/certs"}
                elif self.path == "/realms/test/protocol/openid-connect/certs":
                    body = {"keys": [issuer.key.as_dict(private=False)]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, sub, username, name=None, email=None, audience=("microchat", "account"), lifetime=300):
        now = int(time.time())
        claims = {"iss": self.url, "sub": sub, "aud": list(audience), "exp": now + lifetime, "iat": now,
                  "preferred_username": username, "typ": "Bearer", "azp": "microchat-web"}
        if name:
            claims["name"] = name
        if email:
            claims["email"] = email
        return jwt.encode({"alg": "ES256", "kid": "test-issuer-1", "typ": "JWT"}, claims, self.key)


@pytest.fixture(scope="module")
def issuer():
    issuer = Issuer()
    yield issuer
    issuer.server.shutdown()


@pytest.fixture(scope="module")
def external_user_service(issuer):
    port = free_port()
    service = ServiceProcess("user-service", "user-service-external", port=port, AUTH_ISSUER=issuer.url,
                             DATABASE_URL_FILE=database_url_file("user_service"), ISSUER_URL=f"http://127.0.0.1:{port}")
    yield service.base
    service.stop()


def me(base, token):
    return requests.get(base + "/api/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_a_new_person_gets_a_profile_from_the_token(issuer, external_user_service):
    sub = str(uuid.uuid4())
    username = "kc" + uuid.uuid4().hex[:10]
    token = issuer.token(sub, username, name="Katherine Johnson", email=f"{username}@example.org")
    first = me(external_user_service, token)
    assert first.status_code == 200, first.text
    profile = first.json()
    assert profile["id"].lower() == sub and profile["username"] == username
    assert profile["displayName"] == "Katherine Johnson" and profile["email"] == f"{username}@example.org"
    # Seen again: the same account, not a second one; edits stick.
    edited = requests.patch(external_user_service + "/api/users/me", json={"bio": "orbital mechanics"},
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert edited.status_code == 200
    again = me(external_user_service, issuer.token(sub, username, name="Someone Else"))
    assert again.json()["bio"] == "orbital mechanics" and again.json()["displayName"] == "Katherine Johnson"
    found = requests.get(external_user_service + f"/api/users?search={username}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert [u["id"].lower() for u in found.json()["users"]] == [sub]


def test_missing_claims_and_clashing_usernames_still_get_an_account(issuer, external_user_service, api):
    taken = register(api)["user"]["username"]  # an account user-service made itself
    sub = str(uuid.uuid4())
    answer = me(external_user_service, issuer.token(sub, taken))
    assert answer.status_code == 200, answer.text
    profile = answer.json()
    assert profile["username"].startswith(taken + "-") and profile["username"] != taken
    assert profile["email"].endswith("@users.invalid") and profile["displayName"] == taken


def test_password_endpoints_point_at_the_identity_provider(external_user_service):
    for path in ("register", "login", "refresh", "logout"):
        assert_problem(requests.post(external_user_service + f"/api/auth/{path}", json={}, timeout=10), 404, "external_identity_provider")


def test_tokens_from_anyone_else_are_refused(issuer, external_user_service, api):
    own = register(api)["accessToken"]  # signed by the single-host user-service
    assert_problem(me(external_user_service, own), 401)
    stranger = ECKey.generate_key("P-256", parameters={"kid": "test-issuer-1"})
    now = int(time.time())
    forged = jwt.encode({"alg": "ES256", "kid": "test-issuer-1"},
                        {"iss": issuer.url, "sub": str(uuid.uuid4()), "aud": "microchat", "exp": now + 60, "iat": now}, stranger)
    assert_problem(me(external_user_service, forged), 401)
    wrong_audience = issuer.token(str(uuid.uuid4()), "aud" + uuid.uuid4().hex[:6], audience=("account",))
    assert_problem(me(external_user_service, wrong_audience), 401)
    expired = issuer.token(str(uuid.uuid4()), "exp" + uuid.uuid4().hex[:6], lifetime=-120)
    assert_problem(me(external_user_service, expired), 401, "token_expired")
