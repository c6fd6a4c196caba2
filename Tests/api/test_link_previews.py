"""Link previews: chat-service fetches the first link of a text message under its
outbound policy and serves the card (and the page's picture) to the room's members.
The sites are local (Tests/support/preview_site.py) and the only non-public
targets the fetcher was allowed; everything else on this machine — the services,
Redis, PostgreSQL, other loopback addresses — must be refused, including behind a
redirect, and refused without a request reaching it."""
import uuid

import pytest

from conftest import Socket, assert_problem, make_group, post_message, register

pytestmark = pytest.mark.acquainted


def preview_path(room, message):
    return f"/api/rooms/{room}/messages/{message}/preview"


def assert_no_link(response):
    """The message has nothing to preview: 200, status none, no url, no card."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "none" and body["url"] is None and body["title"] is None and body["image"] is None, body
    assert body["detail"]


def group_of_two(api, chat):
    owner, member = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    return owner, member, room


def test_the_card_is_fetched_once_shared_by_both_replicas_and_its_picture_re_served(api, chat, chat_b, preview_site):
    owner, member, room = group_of_two(api, chat)
    name = uuid.uuid4().hex[:8]
    link = preview_site.url(f"/article/{name}")
    message = post_message(chat, room["id"], owner["accessToken"], f"read this: {link}, it is good")
    assert message["linkPreview"] is True

    r = chat.get(preview_path(room["id"], message["id"]), token=member["accessToken"])
    assert r.status_code == 200, r.text
    card = r.json()
    assert card["status"] == "ok" and card["detail"] is None
    assert card["url"] == link and card["finalUrl"] == link
    assert card["title"] == f"Article {name} & more"
    assert card["description"] == f"What the article {name} says."
    assert card["siteName"] == "Preview Site"
    image = card["image"]
    assert image["contentType"] == "image/png" and (image["width"], image["height"]) == (120, 63)
    assert image["url"] == preview_path(room["id"], message["id"]) + "/image"
    assert preview_site.count(f"/article/{name}") == 1

    picture = chat_b.get(image["url"], token=owner["accessToken"])
    assert picture.status_code == 200, picture.text
    assert picture.content == __import__("preview_site").CARD_PNG
    assert picture.headers["Content-Type"] == "image/png"
    assert picture.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in picture.headers["Content-Security-Policy"]

    # Asked again, on the other replica, by the other person: the cache answers, the site is not asked again.
    again = chat_b.get(preview_path(room["id"], message["id"]), token=owner["accessToken"])
    assert again.status_code == 200 and again.json() == card
    # A second message with the same link shares the card.
    other = post_message(chat_b, room["id"], member["accessToken"], link)
    assert chat.get(preview_path(room["id"], other["id"]), token=owner["accessToken"]).json()["title"] == card["title"]
    assert preview_site.count(f"/article/{name}") == 1


def test_https_links_are_verified_against_the_host_name(api, chat, preview_site):
    owner, member, room = group_of_two(api, chat)
    name = uuid.uuid4().hex[:8]
    message = post_message(chat, room["id"], owner["accessToken"], preview_site.url(f"/article/{name}", tls=True))
    r = chat.get(preview_path(room["id"], message["id"]), token=member["accessToken"])
    assert r.status_code == 200, r.text
    assert r.json()["title"] == f"Article {name} & more" and r.json()["image"]["width"] == 120
    # The certificate names localhost and 127.0.0.1, not 127.0.0.2 (which is refused anyway) — and a
    # redirect from the TLS site to plain HTTP on an allowed port is followed like any hop.
    hop = post_message(chat, room["id"], owner["accessToken"],
                       preview_site.url(f"/redirect?to={preview_site.url('/plain')}", tls=True))
    hopped = chat.get(preview_path(room["id"], hop["id"]), token=member["accessToken"])
    assert hopped.status_code == 200, hopped.text
    assert hopped.json()["title"] == "Just a title" and hopped.json()["finalUrl"] == preview_site.url("/plain")


def test_addresses_inside_are_refused_by_name_number_and_redirect(api, chat, chat_urls, user_url, preview_site):
    owner, member, room = group_of_two(api, chat)
    chat_port = chat_urls[0].rsplit(":", 1)[1]
    user_port = user_url.rsplit(":", 1)[1]
    inside = [
        f"http://127.0.0.1:{chat_port}/metrics",
        f"http://localhost:{user_port}/.well-known/openid-configuration",
        f"http://[::1]:{preview_site.port}/article/v6",
        f"http://127.0.0.2:{preview_site.port}/article/other-loopback",
        f"http://2130706433:{chat_port}/metrics",  # 127.0.0.1 written as one number
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://0.0.0.0/",
        preview_site.url(f"/redirect?to=http://127.0.0.1:{user_port}/.well-known/openid-configuration"),
        preview_site.url(f"/redirect?to=http://localhost:{chat_port}/metrics"),
    ]
    for link in inside:
        message = post_message(chat, room["id"], owner["accessToken"], f"look {link}")
        r = chat.get(preview_path(room["id"], message["id"]), token=member["accessToken"])
        # A state of the link, not a failed request: 200, no card, and why.
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "refused" and "public internet" in r.json()["detail"], link
        assert r.json()["title"] is None and r.json()["image"] is None and r.json()["finalUrl"] is None
        # Nothing of what is inside came back: no issuer document, no metrics.
        assert '"issuer"' not in r.text and "# HELP" not in r.text
    for path in ["/article/v6", "/article/other-loopback"]:
        assert preview_site.count(path) == 0, path
    # A page on an allowed site whose picture is inside: the card comes without the picture, nothing was asked inside.
    tricky = post_message(chat, room["id"], owner["accessToken"],
                          preview_site.url(f"/article/pic-inside?image=http://127.0.0.2:{preview_site.port}/card.png"))
    r = chat.get(preview_path(room["id"], tricky["id"]), token=member["accessToken"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ok" and r.json()["title"] == "Article pic-inside & more" and r.json()["image"] is None
    assert_problem(chat.get(preview_path(room["id"], tricky["id"]) + "/image", token=member["accessToken"]), 404, "no_link_preview_image")
    # A refusal is cached like any answer: asked again, still refused, nothing fetched.
    assert chat.get(preview_path(room["id"], message["id"]), token=owner["accessToken"]).json()["status"] == "refused"


def test_what_has_no_card(api, chat, preview_site):
    owner, member, room = group_of_two(api, chat)
    token = member["accessToken"]

    def card(text):
        message = post_message(chat, room["id"], owner["accessToken"], text)
        return chat.get(preview_path(room["id"], message["id"]), token=token)

    assert_no_link(card("no link here, just example.com"))
    assert_no_link(card(f"`{preview_site.url('/article/in-code')}`"))
    for path, status, reason in [("/empty", "empty", "no title or description"), ("/json", "unavailable", "application/json"),
                                 ("/nowhere", "unavailable", "answered 404")]:
        r = card(preview_site.url(path))
        assert r.status_code == 200 and r.json()["status"] == status and reason in r.json()["detail"], r.text
        assert r.json()["title"] is None and r.json()["image"] is None
    assert_no_link(card("ftp://example.com/file"))
    assert preview_site.count("/article/in-code") == 0
    plain = post_message(chat, room["id"], owner["accessToken"], preview_site.url("/plain"))
    r = chat.get(preview_path(room["id"], plain["id"]), token=token)
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["title"] == "Just a title" and r.json()["image"] is None
    assert_problem(chat.get(preview_path(room["id"], plain["id"]) + "/image", token=token), 404, "no_link_preview_image")
    # A deleted message has no card.
    gone = post_message(chat, room["id"], owner["accessToken"], preview_site.url("/plain"))
    assert chat.delete(f"/api/rooms/{room['id']}/messages/{gone['id']}", token=owner["accessToken"]).status_code == 200
    assert_no_link(chat.get(preview_path(room["id"], gone["id"]), token=token))


def test_the_sender_opts_out_or_removes_the_card_and_the_room_hears_it(api, chat, chat_b, chat_urls, preview_site):
    owner, member, room = group_of_two(api, chat)
    name = uuid.uuid4().hex[:8]
    quiet = chat.post(f"/api/rooms/{room['id']}/messages",
                      json={"content": preview_site.url(f"/article/{name}"), "linkPreview": False},
                      token=owner["accessToken"])
    assert quiet.status_code == 201, quiet.text
    assert quiet.json()["linkPreview"] is False
    assert_no_link(chat.get(preview_path(room["id"], quiet.json()["id"]), token=member["accessToken"]))
    assert preview_site.count(f"/article/{name}") == 0
    page = chat_b.get(f"/api/rooms/{room['id']}/messages", token=member["accessToken"]).json()["messages"]
    assert [m["linkPreview"] for m in page if m["id"] == quiet.json()["id"]] == [False]

    shown = post_message(chat, room["id"], owner["accessToken"], preview_site.url(f"/article/{name}-shown"))
    assert chat.get(preview_path(room["id"], shown["id"]), token=member["accessToken"]).status_code == 200
    listener = Socket(chat_urls[1], member["accessToken"])
    try:
        assert_problem(chat.delete(preview_path(room["id"], shown["id"]), token=member["accessToken"]), 403, "not_message_author")
        removed = chat.delete(preview_path(room["id"], shown["id"]), token=owner["accessToken"])
        assert removed.status_code == 200, removed.text
        assert removed.json()["linkPreview"] is False and removed.json()["content"] == shown["content"]
        event = listener.next(lambda e: e["type"] == "message.updated" and e["data"]["id"] == shown["id"])
        assert event["data"]["linkPreview"] is False
    finally:
        listener.close()
    assert_no_link(chat_b.get(preview_path(room["id"], shown["id"]), token=member["accessToken"]))
    # Removing it again changes nothing and is still fine.
    assert chat.delete(preview_path(room["id"], shown["id"]), token=owner["accessToken"]).status_code == 200


def test_bad_requests_and_outsiders(api, chat, preview_site):
    owner, member, room = group_of_two(api, chat)
    outsider = register(api)
    message = post_message(chat, room["id"], owner["accessToken"], preview_site.url("/plain"))
    path = preview_path(room["id"], message["id"])
    for method in ["GET", "DELETE"]:
        assert_problem(chat.call(method, path, token=outsider["accessToken"]), 404, "room_not_found")
        assert_problem(chat.call(method, path, token=""), 401)
    assert_problem(chat.get(path + "/image", token=outsider["accessToken"]), 404, "room_not_found")
    assert_problem(chat.get(preview_path(room["id"], str(uuid.uuid4())), token=member["accessToken"]), 404, "message_not_found")
    assert_problem(chat.get(preview_path(room["id"], "not-a-uuid"), token=member["accessToken"]), 400)
    for bad in ["yes", 1, [], {}]:
        r = chat.post(f"/api/rooms/{room['id']}/messages", json={"content": "x", "linkPreview": bad}, token=owner["accessToken"])
        assert_problem(r, 400)
    # Nothing of the refused sends was stored.
    stored = chat.get(f"/api/rooms/{room['id']}/messages", token=owner["accessToken"]).json()["messages"]
    assert [m["content"] for m in stored if m["messageType"] == "text"] == [preview_site.url("/plain")]
