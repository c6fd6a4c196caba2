"""Signing in through an OpenID Connect provider, as in a cluster with
Keycloak, in real Chromium: ui-service with OIDC_ISSUER, user-service and a
chat-service that trust that issuer, and a provider this test runs (discovery,
JWKS, an authorization endpoint that signs in the person the test names, and a
token endpoint that checks the PKCE verifier against the S256 challenge)."""
import base64
import hashlib
import http.server
import json
import os
import secrets
import threading
import time
import urllib.parse
import uuid

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey
from selenium.webdriver.common.by import By

from conftest import unique
from stack_processes import ServiceProcess, database_url_file, free_port

pytestmark = pytest.mark.disruptive(order=1)


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Provider:
    CLIENT_ID = "microchat-web"

    def __init__(self):
        self.key = ECKey.generate_key("P-256", parameters={"kid": "oidc-test", "use": "sig", "alg": "ES256"})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/realms/microchat"
        self.next_person = None
        self.nonce_override = None
        self.codes = {}
        self.refresh_tokens = {}
        self.requests = []
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _send(self, status, body=None, headers=None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Access-Control-Allow-Origin", "*")
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_OPTIONS(self):
                self._send(204, headers={"Access-Control-Allow-Headers": "Content-Type, Accept", "Access-Control-Allow-Methods": "POST, GET"})

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                base = "/realms/microchat"
                if url.path == base + "/.well-known/openid-configuration":
                    self._send(200, {"issuer": provider.url, "authorization_endpoint": provider.url + "/auth",
                                     "token_endpoint": provider.url + "/token", "jwks_uri": provider.url + "/certs",
                                     "end_session_endpoint": provider.url + "/logout"})
                elif url.path == base + "/certs":
                    self._send(200, {"keys": [provider.key.as_dict(private=False)]})
                elif url.path == base + "/auth":
                    provider.requests.append(query)
                    ok = (query.get("client_id") == Provider.CLIENT_ID and query.get("response_type") == "code"
                          and query.get("code_challenge_method") == "S256" and query.get("code_challenge") and query.get("state"))
                    if not ok or provider.next_person is None:
                        self._send(400, {"error": "invalid_request"})
                        return
                    code = secrets.token_urlsafe(16)
                    nonce = provider.nonce_override or query.get("nonce")
                    provider.codes[code] = (query["code_challenge"], query["redirect_uri"], provider.next_person, nonce)
                    target = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
                    self._send(302, headers={"Location": target})
                elif url.path == base + "/logout":
                    self._send(302, headers={"Location": query.get("post_logout_redirect_uri", "/")})
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self.path != "/realms/microchat/token" or form.get("client_id") != Provider.CLIENT_ID:
                    self._send(400, {"error": "invalid_client"})
                    return
                nonce = None
                if form.get("grant_type") == "authorization_code":
                    challenge, redirect_uri, person, nonce = provider.codes.pop(form.get("code"), (None, None, None, None))
                    verifier = form.get("code_verifier", "")
                    if person is None or redirect_uri != form.get("redirect_uri") or _b64url(hashlib.sha256(verifier.encode()).digest()) != challenge:
                        self._send(400, {"error": "invalid_grant", "error_description": "bad code or PKCE verifier"})
                        return
                elif form.get("grant_type") == "refresh_token":
                    person = provider.refresh_tokens.pop(form.get("refresh_token"), None)
                    if person is None:
                        self._send(400, {"error": "invalid_grant"})
                        return
                else:
                    self._send(400, {"error": "unsupported_grant_type"})
                    return
                self._send(200, provider.tokens(person, nonce))

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tokens(self, person, nonce=None):
        now = int(time.time())
        claims = {"iss": self.url, "sub": person["sub"], "aud": ["microchat", "account"], "exp": now + 300, "iat": now,
                  "preferred_username": person["username"], "name": person["name"], "email": person["username"] + "@example.org",
                  "azp": Provider.CLIENT_ID}
        header = {"alg": "ES256", "kid": "oidc-test", "typ": "JWT"}
        refresh = secrets.token_urlsafe(24)
        self.refresh_tokens[refresh] = person
        return {"access_token": jwt.encode(header, claims, self.key), "refresh_token": refresh, "token_type": "Bearer",
                "expires_in": 300, "id_token": jwt.encode(header, dict(claims, aud=Provider.CLIENT_ID, **({"nonce": nonce} if nonce else {})), self.key)}


@pytest.fixture(scope="module")
def oidc_stack():
    provider = Provider()
    services = []
    try:
        user_port = free_port()
        services.append(ServiceProcess("user-service", "user-service-oidc", port=user_port, AUTH_ISSUER=provider.url,
                                       ISSUER_URL=f"http://127.0.0.1:{user_port}", DATABASE_URL_FILE=database_url_file("user_service")))
        user_url = services[-1].base
        services.append(ServiceProcess("chat-service", "chat-service-oidc", AUTH_ISSUER=provider.url, USER_SERVICE_URL=user_url,
                                       REPLICA_ID="chat-oidc", REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"],
                                       DATABASE_URL_FILE=database_url_file("chat_service")))
        chat_url = services[-1].base
        services.append(ServiceProcess("ui-service", "ui-service-oidc", USER_SERVICE_URL=user_url, CHAT_SERVICE_URLS=chat_url,
                                       OIDC_ISSUER=provider.url, OIDC_CLIENT_ID=Provider.CLIENT_ID))
        yield provider, services[-1].base
    finally:
        for service in reversed(services):
            service.stop()
        provider.server.shutdown()


def test_page_config_and_csp_name_the_provider(oidc_stack):
    provider, ui_url = oidc_stack
    config = requests.get(ui_url + "/config.json", timeout=5).json()
    assert config == {"auth": {"mode": "oidc", "issuer": provider.url, "clientId": Provider.CLIENT_ID}, "maxUploadBytes": 25 * 1024 * 1024, "maxMessageLength": 4000}
    csp = requests.get(ui_url + "/", timeout=5).headers["Content-Security-Policy"]
    assert f"connect-src 'self' http://127.0.0.1:{provider.port}" in csp
    # Accounts live at the provider: user-service's password endpoints say so.
    answer = requests.post(ui_url + "/api/auth/login", json={"login": "x", "password": "y"}, timeout=5)
    assert answer.status_code == 404 and answer.json()["code"] == "external_identity_provider"


def sign_in(page, provider, person):
    provider.next_person = person
    page.open()
    page.visible("#oidc-login").click()
    page.wait_connected(timeout=30)
    page.wait(lambda d: d.find_element(By.ID, "me-name").text == person["name"])
    provider.next_person = None


def test_two_people_sign_in_at_the_provider_and_chat(oidc_stack, browsers, screenshots):
    provider, ui_url = oidc_stack
    grace = {"sub": str(uuid.uuid4()), "username": unique("grace"), "name": "Grace Hopper"}
    alan = {"sub": str(uuid.uuid4()), "username": unique("alan"), "name": "Alan Turing"}
    first, second = browsers(), browsers()
    first.base = second.base = ui_url
    first.open()
    first.visible("#oidc-login")
    first.screenshot(screenshots, "10-sign-in-with-provider")
    sign_in(first, provider, grace)
    sign_in(second, provider, alan)
    sent = provider.requests[0]
    assert sent["redirect_uri"] == ui_url + "/auth/callback" and len(sent["code_challenge"]) == 43
    assert "openid" in sent["scope"].split()
    # The page came back to / (no code left in the address bar).
    assert "code=" not in first.driver.current_url and first.driver.current_url.rstrip("/") == ui_url

    room_id = first.start_direct_chat(alan["username"])
    first.send("Hello from Keycloak-land")
    # Alan does not have Grace as a contact: her chat reaches him as an invitation, which he accepts.
    second.click(f'#invitation-list li.invitation[data-room-id="{room_id}"] button.accept-invitation')
    second.open_room(room_id)
    second.wait_for_text("Hello from Keycloak-land")
    second.send("Tokens verified both ways")
    first.wait_for_text("Tokens verified both ways")

    # A reload keeps the session (the refresh token goes to the provider's token endpoint when needed).
    first.driver.refresh()
    first.wait_connected()
    assert first.find("#me-name").text == "Grace Hopper"

    # Logging out ends the provider's session too and lands on the sign-in screen.
    first.find("#logout-button").click()
    first.visible("#oidc-login")
    assert first.driver.execute_script("return localStorage.getItem('microchat.session')") is None


def test_a_forged_callback_is_refused(oidc_stack, browsers):
    provider, ui_url = oidc_stack
    page = browsers()
    page.base = ui_url
    page.open("/auth/callback?code=stolen&state=guess")
    page.visible("#auth-error")
    page.wait(lambda d: "sign in again" in d.find_element(By.ID, "auth-error").text)
    assert page.driver.execute_script("return localStorage.getItem('microchat.session')") is None


def test_an_id_token_with_someone_elses_nonce_is_refused(oidc_stack, browsers):
    """The provider answers with an ID token minted for another sign-in (its nonce is not the page's): no session."""
    provider, ui_url = oidc_stack
    page = browsers()
    page.base = ui_url
    provider.next_person = {"sub": str(uuid.uuid4()), "username": unique("mallory"), "name": "Mallory"}
    provider.nonce_override = "a-nonce-from-another-sign-in"
    try:
        page.open()
        page.visible("#oidc-login").click()
        page.visible("#auth-error")
        page.wait(lambda d: "sign in again" in d.find_element(By.ID, "auth-error").text)
        assert page.driver.execute_script("return localStorage.getItem('microchat.session')") is None
        assert provider.requests[-1].get("nonce"), "the page sends a nonce"
    finally:
        provider.nonce_override = None
        provider.next_person = None
