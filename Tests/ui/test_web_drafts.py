"""Nothing typed is lost (issue 24): drafts per room across room switches and
reloads, a character counter near the server's limit that never cuts text, and
the profile dialog keeping typed fields when a picture is picked."""
import os
import struct
import zlib

from conftest import ApiUser, unique

BOX = "return document.getElementById('message-input').value"


def test_drafts_stay_with_their_room_across_switches_and_reloads(browsers, ui_url):
    name = unique("dr")
    me = ApiUser(ui_url, name)
    ann, bob = ApiUser(ui_url, unique("dra")), ApiUser(ui_url, unique("drb"))
    with_ann, with_bob = ann.direct_room(me.id), bob.direct_room(me.id)
    page = browsers()
    page.login(name)
    page.open_room(with_ann)
    page.send_keys_to("#message-input", "half a thought for Ann")
    page.open_room(with_bob)
    page.wait(lambda d: d.execute_script(BOX) == "", message="Ann's draft followed into Bob's room")
    page.send_keys_to("#message-input", "and one for Bob")
    page.open_room(with_ann)
    page.wait(lambda d: d.execute_script(BOX) == "half a thought for Ann", message="Ann's draft was lost on the switch")
    page.driver.refresh()
    page.wait_connected()
    page.wait(lambda d: d.find_element("id", "room-view").get_attribute("data-room-id") == with_ann)
    page.wait(lambda d: d.execute_script(BOX) == "half a thought for Ann", message="the draft was lost on reload")
    page.open_room(with_bob)
    page.wait(lambda d: d.execute_script(BOX) == "and one for Bob")
    # Sent, it is gone: after a reload the box is empty.
    page.send_keys_to("#message-input", "\n")
    page.wait_for_text("and one for Bob")
    page.driver.refresh()
    page.wait_connected()
    page.wait(lambda d: d.find_element("id", "room-view").get_attribute("data-room-id") == with_bob)
    assert page.driver.execute_script(BOX) == ""


def test_a_long_message_is_counted_near_the_limit_and_never_cut(browsers, ui_url):
    name = unique("lm")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("lmo"))
    room_id = other.direct_room(me.id)
    limit = page_limit = None
    page = browsers()
    page.login(name)
    page.open_room(room_id)
    limit = page.driver.execute_script("return window.microchat.store.limits.maxMessageLength")
    assert limit == 4000
    box = page.visible("#message-input")
    assert box.get_attribute("maxlength") is None, "the browser would cut a long paste silently"
    assert not page.find("#message-counter").is_displayed()
    # Pasted (set at once, as a paste does) to 60 under the limit: counted.
    text = "é" * (limit - 60)
    page.driver.execute_script("const box = arguments[0]; box.value = arguments[1]; box.dispatchEvent(new Event('input'))", box, text)
    page.wait(lambda d: d.find_element("id", "message-counter").text == f"{limit - 60} / {limit}")
    # Over the limit: said by how much, not sent, and the text stays whole.
    page.send_keys_to("#message-input", "x" * 75)
    page.wait(lambda d: "15 characters over the limit" in d.find_element("id", "message-counter").text)
    page.send_keys_to("#message-input", "\n")
    page.wait(lambda d: "at most 4000" in d.find_element("id", "composer-error").text, message="no word about the limit")
    assert page.driver.execute_script(BOX) == text + "x" * 75
    assert not page.stored_messages() and not page.find_all("#timeline li.message")
    # Shortened to the limit, it goes, whole.
    page.driver.execute_script("const box = arguments[0]; box.value = box.value.slice(0, arguments[1]); box.dispatchEvent(new Event('input'))",
                               page.find("#message-input"), limit)
    page.send_keys_to("#message-input", "\n")
    page.wait(lambda d: len(page.stored_messages()) == 1, message="the message at the limit was not sent")
    assert page.stored_messages()[0][1] == text + "x" * 60


def _png(width=8, height=8):
    raw = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_picking_a_picture_keeps_what_was_typed_in_the_profile(browsers, ui_url, tmp_path):
    name = unique("pp")
    ApiUser(ui_url, name)
    page = browsers()
    page.login(name)
    page.click("#profile-button")
    page.type_into("#profile-display-name", "Typed Name")
    page.type_into("#profile-status", "typed status")
    picture = tmp_path / "me.png"
    picture.write_bytes(_png())
    page.driver.execute_script("arguments[0].hidden = false", page.find("#avatar-input"))
    page.find("#avatar-input").send_keys(os.fspath(picture))
    page.wait(lambda d: d.find_element("id", "avatar-status").text == "Picture saved.", message="the picture was not saved")
    assert page.find("#profile-dialog").is_displayed(), "the dialog closed and took the typed fields with it"
    assert page.find("#profile-display-name").get_attribute("value") == "Typed Name"
    assert page.find("#profile-status").get_attribute("value") == "typed status"
    page.wait(lambda d: d.find_elements("css selector", "#profile-dialog .avatar img"), message="the new picture is not shown")
    page.click("#profile-form button[type=submit]")
    page.wait(lambda d: d.find_element("id", "me-name").text == "Typed Name")
