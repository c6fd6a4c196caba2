"""Profile pictures on user-service, and files through ui-service (the page's path)."""
import os

import requests

from conftest import Api, assert_problem, make_group, register
from test_attachments import SVG, png


def test_a_profile_picture_is_uploaded_shown_and_removed(api):
    a, b = register(api), register(api)
    r = api.call("PUT", "/api/users/me/avatar", token=a["accessToken"], data=png(64, 64), headers={"Content-Type": "image/png"})
    assert r.status_code == 200, r.text
    url = r.json()["avatarUrl"]
    assert url.startswith(f"/api/users/{a['user']['id'].lower()}/avatar?v=")
    # Others see it in the profile, and fetch it without a token (an <img> has none).
    assert api.get(f"/api/users/{a['user']['id']}", token=b["accessToken"]).json()["avatarUrl"] == url
    got = requests.get(api.base + url, timeout=10)
    assert got.status_code == 200 and got.content == png(64, 64) and got.headers["Content-Type"] == "image/png"
    assert got.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in got.headers["Content-Security-Policy"]
    assert "immutable" in got.headers["Cache-Control"]
    assert requests.get(api.base + url, headers={"If-None-Match": got.headers["ETag"]}, timeout=10).status_code == 304
    # A new picture, a new URL.
    second = api.call("PUT", "/api/users/me/avatar", token=a["accessToken"], data=png(32, 32)).json()["avatarUrl"]
    assert second != url and requests.get(api.base + second, timeout=10).content == png(32, 32)
    assert api.delete("/api/users/me/avatar", token=a["accessToken"]).status_code == 204
    assert api.get("/api/users/me", token=a["accessToken"]).json().get("avatarUrl") is None
    assert_problem(requests.get(api.base + second, timeout=10), 404, "avatar_not_found")


def test_only_real_images_of_sane_size_become_profile_pictures(api):
    a = register(api)
    put = lambda data: api.call("PUT", "/api/users/me/avatar", token=a["accessToken"], data=data, headers={"Content-Type": "image/png"})
    assert_problem(put(SVG), 422, "not_an_image")
    assert_problem(put(b"<html><script>alert(1)</script></html>"), 422, "not_an_image")
    assert_problem(put(b""), 422, "not_an_image")
    assert_problem(put(png(5000, 10)), 422, "not_an_image")
    assert_problem(put(b"\x89PNG" + b"0" * (6 * 1024 * 1024)), 413, "upload_too_large")
    assert_problem(requests.put(api.base + "/api/users/me/avatar", data=png(), timeout=10), 401)
    assert api.get("/api/users/me", token=a["accessToken"]).json().get("avatarUrl") is None


def test_files_stream_through_ui_service(api, chat):
    """ui-service reads whole only small bodies (1 MiB); files pass through as streams both ways,
    and keep their service's sandbox policy instead of the page's."""
    ui = Api(os.environ["MICROCHAT_TEST_UI_URL"])
    a = register(api)
    room = make_group(chat, a["accessToken"], [])
    data = os.urandom(3 * 1024 * 1024 + 17)
    up = ui.call("POST", f"/api/rooms/{room['id']}/attachments", token=a["accessToken"], data=data, params={"filename": "big.bin"})
    assert up.status_code == 201, up.text
    attachment = up.json()
    assert attachment["size"] == len(data)
    got = ui.get(f"/api/rooms/{room['id']}/attachments/{attachment['id']}", token=a["accessToken"])
    assert got.status_code == 200 and got.content == data
    assert "sandbox" in got.headers["Content-Security-Policy"]
    part = ui.get(f"/api/rooms/{room['id']}/attachments/{attachment['id']}", token=a["accessToken"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == data[:100]
    avatar = ui.call("PUT", "/api/users/me/avatar", token=a["accessToken"], data=png(16, 16)).json()["avatarUrl"]
    assert requests.get(ui.base + avatar, timeout=10).content == png(16, 16)
