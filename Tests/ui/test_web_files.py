"""Files and images through the page, in real Chromium: an image sent with the
attach button appears on the other side live, sized before it loads and
viewable; an SVG with script is a download card and never runs; a file over the
limit gets a clear message without uploading; upload progress shows with a
Cancel; someone outside the room cannot fetch the file."""
import os
import tempfile

import requests
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from conftest import ApiUser, unique, wait_until
from test_files_helpers import png_bytes


def png_file(width, height):
    return temp_file("photo.png", png_bytes(width, height))


def temp_file(name, data):
    folder = tempfile.mkdtemp(prefix="mc-files-")
    path = os.path.join(folder, name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def attach(page, path):
    """Chooses a file with the composer's (hidden) file input, as the attach button would."""
    field = page.find("#file-input")
    page.driver.execute_script("arguments[0].hidden = false", field)
    field.send_keys(path)
    page.driver.execute_script("arguments[0].hidden = true", field)


def no_alert(page):
    try:
        page.driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


def test_an_image_sent_from_the_page_arrives_live_and_opens_in_the_viewer(browsers, screenshots):
    ada, bob = browsers(), browsers()
    a, b = unique("fia"), unique("fib")
    ada.register(a, "Ada Lovelace")
    bob.register(b, "Bob Babbage")
    room_id = ada.start_direct_chat(b)
    ada.type_into("#message-input", "the engine, drawn")
    attach(ada, png_file(400, 300))
    # On Bob's page, live: the preview's box has the image's proportions before and after it loads.
    bob.open_room(room_id)
    # The timeline re-renders on live events (a read receipt, presence): each look finds the preview afresh.
    bob.visible("#timeline .image-button img")
    preview_box = ("const b = document.querySelector('#timeline .image-button'); if (!b) return null;"
                   "const r = b.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]")
    bob.wait(lambda d: d.execute_script(preview_box) == [320, 240], message="the preview's box is not the image's proportions")
    loaded = ("const i = document.querySelector('#timeline .image-button img');"
              "return !!i && i.src.startsWith('blob:') && i.complete && i.naturalWidth")
    bob.wait(lambda d: d.execute_script(loaded) == 400, message="the image did not load")
    assert bob.driver.execute_script(preview_box) == [320, 240]
    assert "the engine, drawn" in [text for _, text in bob.stored_messages()]
    bob.screenshot(screenshots, "10-image-in-conversation")
    bob.click("#timeline .image-button")
    viewer = bob.visible("#image-viewer img")
    bob.wait(lambda d: d.execute_script("return arguments[0].naturalHeight", viewer) == 300, message="the viewer did not show the image")
    assert "photo.png" in bob.find("#image-viewer h2").text
    assert not ada.console_errors() and not bob.console_errors()


def test_an_svg_with_script_is_a_download_that_never_runs(browsers, ui_url, tmp_path):
    other = ApiUser(ui_url, unique("svo"))
    page = browsers()
    page.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    page.register(unique("svg"))
    page.start_direct_chat(other.username)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script><circle r="9"/></svg>'
    attach(page, temp_file("cat.svg", svg))
    page.wait(lambda d: "cat.svg" in d.find_element("css selector", "#timeline .file-card").text, message="no file card")
    assert not page.find_all("#timeline .image-button")
    page.click("#timeline .file-card .download-file")
    # The download finishing is the barrier: by then the page has had the file in hand.
    saved = tmp_path / "cat.svg"
    wait_until(lambda: saved.is_file() and saved.read_bytes() == svg, timeout=15, message="the SVG was not downloaded")
    assert no_alert(page), "the SVG's script ran"
    assert page.driver.current_url.startswith(ui_url)


def test_a_file_over_the_limit_gets_a_clear_message_and_nothing_is_sent(browsers, ui_url):
    other = ApiUser(ui_url, unique("big"))
    page = browsers()
    page.register(unique("bgu"))
    page.start_direct_chat(other.username)
    limit = requests.get(ui_url + "/config.json", timeout=10).json()["maxUploadBytes"]
    path = temp_file("huge.bin", b"")
    with open(path, "r+b") as handle:
        handle.truncate(limit + 1)
    attach(page, path)
    message = page.visible("#composer-error")
    page.wait(lambda d: "huge.bin is too large" in message.text, message="no message about the size")
    assert "at most" in message.text
    assert page.stored_messages() == []


def test_upload_progress_shows_and_cancel_stops_it(browsers, ui_url, screenshots):
    other = ApiUser(ui_url, unique("prg"))
    page = browsers()
    page.register(unique("pru"))
    page.start_direct_chat(other.username)
    # Slow the upload down in this browser only, so its progress can be seen and cancelled.
    page.driver.execute_cdp_cmd("Network.enable", {})
    page.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": 50, "downloadThroughput": 1_000_000, "uploadThroughput": 200_000})
    attach(page, temp_file("slow.bin", os.urandom(3 * 1024 * 1024)))
    bar = page.visible("#upload-panel progress")
    page.wait(lambda d: 0 < float(bar.get_attribute("value") or 0) < 1, message="no progress shown")
    page.screenshot(screenshots, "11-upload-progress")
    page.click("#upload-panel .cancel-upload")
    page.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, "#upload-panel li"), message="the cancelled upload stayed")
    page.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    assert page.stored_messages() == [] and page.find("#composer-error").text == ""


def test_someone_outside_the_room_cannot_fetch_the_file(browsers, ui_url):
    owner, member = ApiUser(ui_url, unique("own")), ApiUser(ui_url, unique("mem"))
    room_id = owner.direct_room(member.id)
    upload = owner.call("POST", f"/api/rooms/{room_id}/attachments", params={"filename": "secret.txt"}, data=b"top secret")
    attachment_id = upload.json()["id"]
    owner.call("POST", f"/api/rooms/{room_id}/messages", json={"messageType": "file", "attachmentIds": [attachment_id]})
    stranger = browsers()
    stranger.register(unique("str"))
    status = stranger.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const token = JSON.parse(localStorage.getItem('microchat.session')).accessToken;
        fetch(arguments[0], { headers: { Authorization: 'Bearer ' + token } }).then(r => done(r.status));
    """, f"/api/rooms/{room_id}/attachments/{attachment_id}")
    assert status == 404
    assert member.call("GET", f"/api/rooms/{room_id}/attachments/{attachment_id}").content == b"top secret"
