"""Fixtures for the black-box API tests. `./microchat test` starts the real
stack (PostgreSQL with TLS, Redis, the services) and exports where it runs."""
import os
import uuid

import pytest
import requests


def _require(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through ./microchat test, which starts the stack")
    return value


@pytest.fixture(scope="session")
def user_url():
    return _require("MICROCHAT_TEST_USER_URL")


@pytest.fixture(scope="session")
def stack_data():
    return _require("MICROCHAT_TEST_DATA")


class Api:
    """A small client that remembers a base URL and, once signed in, a token."""

    def __init__(self, base):
        self.base = base
        self.session = requests.Session()
        self.token = None

    def call(self, method, path, json=None, token=None, headers=None, data=None, **kwargs):
        h = dict(headers or {})
        bearer = token if token is not None else self.token
        if bearer:
            h["Authorization"] = f"Bearer {bearer}"
        return self.session.request(method, self.base + path, json=json, data=data, headers=h, timeout=30, **kwargs)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.call("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


def unique(prefix="u"):
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def register(api, username=None, password="correct-horse-9", display_name=None, email=None):
    username = username or unique()
    body = {
        "username": username,
        "email": email or f"{username}@example.com",
        "password": password,
        "displayName": display_name or username.title(),
    }
    response = api.post("/api/auth/register", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    data["password"] = password
    return data


@pytest.fixture
def api(user_url):
    return Api(user_url)


@pytest.fixture
def user(api):
    """A freshly registered user; `api` carries its token."""
    data = register(api)
    api.token = data["accessToken"]
    return data


def assert_problem(response, status, code=None):
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    assert response.headers["Content-Type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body
