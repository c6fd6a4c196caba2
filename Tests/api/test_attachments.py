"""Files and images in conversations (chat-service, filesystem backend): upload
streamed with a limit, the type from the bytes, sending them in a message (once,
same room, own uploads), downloads with ranges and the headers that keep a
hostile file inert, deletion with the message, and every bad case."""
import os
import socket
import struct
import uuid
import zlib

import requests

from conftest import assert_problem, make_group, post_message, psql, register, wait_until
from stack_processes import ServiceProcess, database_url_file


def png(width=3, height=2):
    """A real, decodable PNG of width × height (red pixels)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><script>alert(1)</script></svg>'


def upload(chat, room_id, token, data, filename="file.bin", content_type="application/octet-stream", **params):
    return chat.call("POST", f"/api/rooms/{room_id}/attachments", token=token, data=data,
                     headers={"Content-Type": content_type}, params={"filename": filename, **params})


def stored_keys(stack_data, room_id):
    """The objects the filesystem backend holds for a room (keys use lower-case ids)."""
    folder = os.path.join(stack_data, "storage", "attachments", room_id.lower())
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_an_image_is_uploaded_sent_and_fetched_by_another_member(api, chat, chat_b, sockets):
    owner, member = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    listener = sockets(chat_b.base, member["accessToken"])
    # The client says text/plain and a .txt name; the bytes say PNG, and the bytes win.
    r = upload(chat, room["id"], owner["accessToken"], png(30, 20), filename="notes.txt", content_type="text/plain")
    assert r.status_code == 201, r.text
    attachment = r.json()
    assert attachment["contentType"] == "image/png" and (attachment["width"], attachment["height"]) == (30, 20)
    assert attachment["filename"] == "notes.txt" and attachment["size"] == len(png(30, 20))
    sent = chat.post(f"/api/rooms/{room['id']}/messages", token=owner["accessToken"],
                     json={"messageType": "image", "content": "a red square", "attachmentIds": [attachment["id"]], "clientMessageId": "img-1"})
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["messageType"] == "image" and message["attachments"] == [attachment]
    # Live on the other replica, with the attachment's size for the layout.
    event = listener.next(lambda e: e["type"] == "message.created" and e["data"]["id"] == message["id"])
    assert event["data"]["attachments"][0]["width"] == 30
    # In history too.
    history = chat_b.get(f"/api/rooms/{room['id']}/messages", token=member["accessToken"]).json()["messages"]
    assert history[-1]["attachments"] == [attachment]
    got = chat_b.get(f"/api/rooms/{room['id']}/attachments/{attachment['id']}", token=member["accessToken"])
    assert got.status_code == 200 and got.content == png(30, 20)
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["Content-Disposition"].startswith("inline;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    assert got.headers["Cache-Control"].startswith("private")
    # The same client message id is the same message; the upload is not taken twice.
    again = chat.post(f"/api/rooms/{room['id']}/messages", token=owner["accessToken"],
                      json={"messageType": "image", "attachmentIds": [attachment["id"]], "clientMessageId": "img-1"})
    assert again.status_code == 201 and again.json()["id"] == message["id"]


def test_ranges_etags_and_downloads_that_never_render(api, chat, stack_data):
    a = register(api)
    room = make_group(chat, a["accessToken"], [])
    data = bytes(range(256)) * 40
    f = upload(chat, room["id"], a["accessToken"], data, filename="data.bin").json()
    assert f["contentType"] == "application/octet-stream" and f["width"] is None
    url = f"/api/rooms/{room['id']}/attachments/{f['id']}"
    whole = chat.get(url, token=a["accessToken"])
    assert whole.status_code == 200 and whole.content == data and whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Disposition"].startswith('attachment; filename="data.bin"')
    part = chat.get(url, token=a["accessToken"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert chat.get(url, token=a["accessToken"], headers={"Range": "bytes=-10"}).content == data[-10:]
    assert chat.get(url, token=a["accessToken"], headers={"Range": "bytes=10200-"}).content == data[10200:]
    bad = chat.get(url, token=a["accessToken"], headers={"Range": f"bytes={len(data)}-"})
    assert bad.status_code == 416 and bad.headers["Content-Range"] == f"bytes */{len(data)}"
    etag = whole.headers["ETag"]
    assert chat.get(url, token=a["accessToken"], headers={"If-None-Match": etag}).status_code == 304
    # SVG with script and HTML: downloads as opaque bytes, never inline, never their own type.
    for body, name in ((SVG, "cat.svg"), (b"<!DOCTYPE html><script>alert(1)</script>", "page.html")):
        u = upload(chat, room["id"], a["accessToken"], body, filename=name, content_type="image/png").json()
        assert u["width"] is None
        got = chat.get(f"/api/rooms/{room['id']}/attachments/{u['id']}", token=a["accessToken"])
        assert got.headers["Content-Type"] == "application/octet-stream"
        assert got.headers["Content-Disposition"].startswith("attachment;")
        assert "sandbox" in got.headers["Content-Security-Policy"] and got.headers["X-Content-Type-Options"] == "nosniff"
        # An image message cannot carry it.
        assert_problem(chat.post(f"/api/rooms/{room['id']}/messages", token=a["accessToken"],
                                 json={"messageType": "image", "attachmentIds": [u["id"]]}), 422, "not_an_image")


def test_only_members_fetch_and_only_the_uploader_sends(api, chat):
    owner, member, stranger = register(api), register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    other = make_group(chat, owner["accessToken"], [], name="Other")
    f = upload(chat, room["id"], owner["accessToken"], b"report").json()
    url = f"/api/rooms/{room['id']}/attachments/{f['id']}"
    # Before it is in a message, only its uploader can fetch it.
    assert_problem(chat.get(url, token=member["accessToken"]), 404, "attachment_not_found")
    assert_problem(chat.get(url, token=stranger["accessToken"]), 404, "room_not_found")
    assert_problem(upload(chat, room["id"], stranger["accessToken"], b"x"), 404, "room_not_found")
    # Someone else cannot send my upload; another room cannot take it.
    assert_problem(chat.post(f"/api/rooms/{room['id']}/messages", token=member["accessToken"],
                             json={"messageType": "file", "attachmentIds": [f["id"]]}), 403, "not_attachment_uploader")
    assert_problem(chat.post(f"/api/rooms/{other['id']}/messages", token=owner["accessToken"],
                             json={"messageType": "file", "attachmentIds": [f["id"]]}), 404, "attachment_not_found")
    assert_problem(chat.get(f"/api/rooms/{other['id']}/attachments/{f['id']}", token=owner["accessToken"]), 404, "attachment_not_found")
    sent = chat.post(f"/api/rooms/{room['id']}/messages", token=owner["accessToken"], json={"messageType": "file", "attachmentIds": [f["id"]]})
    assert sent.status_code == 201 and sent.json()["content"] == ""
    assert chat.get(url, token=member["accessToken"]).content == b"report"
    assert_problem(chat.get(url, token=stranger["accessToken"]), 404, "room_not_found")
    # Used once.
    assert_problem(chat.post(f"/api/rooms/{room['id']}/messages", token=owner["accessToken"],
                             json={"messageType": "file", "attachmentIds": [f["id"]]}), 409, "attachment_already_used")


def test_bad_uploads_are_refused_and_leave_nothing(api, chat, stack_data):
    a = register(api)
    room = make_group(chat, a["accessToken"], [])
    assert_problem(upload(chat, room["id"], a["accessToken"], b""), 422, "empty_upload")
    for name in ("../etc/passwd", "a/b.txt", "a\\b.txt", "bad\x07name.txt", "x" * 300, "."):
        body = assert_problem(upload(chat, room["id"], a["accessToken"], b"data", filename=name), 422, "validation_failed")
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("filename", "invalid_filename")], name
    body = assert_problem(chat.post(f"/api/rooms/{room['id']}/messages", token=a["accessToken"],
                                    json={"messageType": "file", "attachmentIds": []}), 422, "validation_failed")
    assert body["errors"][0]["field"] == "attachmentIds" and body["errors"][0]["code"] == "invalid_length"
    body = assert_problem(chat.post(f"/api/rooms/{room['id']}/messages", token=a["accessToken"],
                                    json={"messageType": "text", "content": "hi", "attachmentIds": [str(uuid.uuid4())]}), 422, "validation_failed")
    assert body["errors"][0]["field"] == "attachmentIds"
    assert_problem(chat.post(f"/api/rooms/{room['id']}/messages", token=a["accessToken"],
                             json={"messageType": "file", "attachmentIds": [str(uuid.uuid4())]}), 404, "attachment_not_found")
    assert stored_keys(stack_data, room["id"]) == []
    assert psql(stack_data, f"SELECT count(*) FROM chat_service.attachments WHERE room_id = '{room['id']}'") == "0"


def raw_upload(chat, room_id, token, head_length, body, close_early):
    """An upload over a raw socket: it can announce more bytes than it sends, then hang up."""
    host, port = chat.base.replace("http://", "").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall((f"POST /api/rooms/{room_id}/attachments?filename=cut.bin HTTP/1.1\r\nHost: {host}\r\n"
                   f"Authorization: Bearer {token}\r\nContent-Type: application/octet-stream\r\n"
                   f"Content-Length: {head_length}\r\n\r\n").encode() + body)
        if close_early:
            return None
        return s.recv(65536).decode(errors="replace")


def test_a_broken_or_oversized_upload_stores_nothing(api, user_url, stack_data):
    """A small limit on a replica of its own: over it is 413 (from Content-Length, or mid-stream), and an upload
    that ends early (the client hangs up) leaves no file and no row."""
    service = ServiceProcess("chat-service", "chat-small-uploads", REPLICA_ID="chat-small-uploads",
                             DATABASE_URL_FILE=database_url_file("chat_service"), REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"],
                             AUTH_ISSUER=user_url, USER_SERVICE_URL=user_url, STORAGE_PATH=os.path.join(stack_data, "storage"),
                             ATTACHMENT_MAX_BYTES=100_000)
    try:
        from conftest import Api
        chat = Api(service.base)
        a = register(api)
        room = make_group(chat, a["accessToken"], [])
        assert_problem(upload(chat, room["id"], a["accessToken"], b"x" * 100_001), 413, "upload_too_large")

        def chunks():  # no Content-Length: the limit is met mid-stream
            for _ in range(20):
                yield b"y" * 10_000
        streamed = chat.call("POST", f"/api/rooms/{room['id']}/attachments", token=a["accessToken"], data=chunks())
        assert_problem(streamed, 413, "upload_too_large")
        assert upload(chat, room["id"], a["accessToken"], b"z" * 100_000).status_code == 201
        raw_upload(chat, room["id"], a["accessToken"], 50_000, b"w" * 20_000, close_early=True)
        # Once the server has noticed the hang-up, only the good upload has a row and bytes.
        count_rows = f"SELECT count(*) FROM chat_service.attachments WHERE room_id = '{room['id']}'"
        wait_until(lambda: psql(stack_data, count_rows) == "1" and len(stored_keys(stack_data, room["id"])) == 1,
                   message="a row or the bytes of the abandoned upload stayed")
    finally:
        service.stop()


def test_deleting_the_message_deletes_its_files(api, chat, stack_data):
    a = register(api)
    room = make_group(chat, a["accessToken"], [])
    ids = [upload(chat, room["id"], a["accessToken"], f"file {i}".encode()).json()["id"] for i in range(2)]
    message = chat.post(f"/api/rooms/{room['id']}/messages", token=a["accessToken"], json={"messageType": "file", "attachmentIds": ids}).json()
    assert len(stored_keys(stack_data, room["id"])) == 2
    deleted = chat.delete(f"/api/rooms/{room['id']}/messages/{message['id']}", token=a["accessToken"])
    assert deleted.status_code == 200 and deleted.json()["attachments"] == []
    assert stored_keys(stack_data, room["id"]) == []
    assert_problem(chat.get(f"/api/rooms/{room['id']}/attachments/{ids[0]}", token=a["accessToken"]), 404, "attachment_not_found")


def test_unclaimed_uploads_are_swept(api, user_url, stack_data):
    service = ServiceProcess("chat-service", "chat-sweeper", REPLICA_ID="chat-sweeper",
                             DATABASE_URL_FILE=database_url_file("chat_service"), REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"],
                             AUTH_ISSUER=user_url, USER_SERVICE_URL=user_url, STORAGE_PATH=os.path.join(stack_data, "storage"),
                             UNCLAIMED_UPLOAD_SECONDS=2, UPLOAD_SWEEP_SECONDS=1)
    try:
        from conftest import Api
        chat = Api(service.base)
        a = register(api)
        room = make_group(chat, a["accessToken"], [])
        kept = upload(chat, room["id"], a["accessToken"], b"kept").json()
        chat.post(f"/api/rooms/{room['id']}/messages", token=a["accessToken"], json={"messageType": "file", "attachmentIds": [kept["id"]]})
        upload(chat, room["id"], a["accessToken"], b"never sent")
        assert len(stored_keys(stack_data, room["id"])) == 2
        wait_until(lambda: stored_keys(stack_data, room["id"]) == [kept["id"].lower()], timeout=15,
                   message="the unclaimed upload was not swept")
        assert psql(stack_data, f"SELECT count(*) FROM chat_service.attachments WHERE room_id = '{room['id']}'") == "1"
    finally:
        service.stop()
