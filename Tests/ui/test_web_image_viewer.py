"""The image viewer (issue 27, item 4): a picture opens full-window, fitted;
zoom with the buttons, + / − / 0, the wheel and a double click; pan by
dragging; ← / → (and the buttons) go through the room's other pictures; a
phone swipes between them and pinches to zoom; Download; Esc closes."""
import uuid

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from conftest import ApiUser, make_contacts, unique
from test_files_helpers import png_bytes
from test_web_accessibility import audit

STATE = """
const img = document.getElementById('viewer-image');
const m = /scale\\(([0-9.]+)\\)/.exec(img.style.transform || '');
const t = /translate\\((-?[0-9.]+)px, (-?[0-9.]+)px\\)/.exec(img.style.transform || '');
return { id: img.dataset.attachmentId, loaded: img.complete && img.naturalWidth > 0, scale: m ? Number(m[1]) : null,
         x: t ? Number(t[1]) : 0, counter: document.getElementById('viewer-counter').textContent,
         zoom: document.getElementById('viewer-zoom').textContent,
         full: document.getElementById('image-viewer').getBoundingClientRect().width >= innerWidth - 1 };
"""


def send_pictures(user, room_id, count):
    ids = []
    for n in range(count):
        answer = user.call("POST", f"/api/rooms/{room_id}/attachments", params={"filename": f"picture-{n + 1}.png"},
                           data=png_bytes(600 + 100 * n, 400), headers={"Content-Type": "image/png"})
        assert answer.status_code == 201, answer.text
        attachment = answer.json()
        sent = user.call("POST", f"/api/rooms/{room_id}/messages", json={
            "content": "", "messageType": "image", "clientMessageId": str(uuid.uuid4()), "attachmentIds": [attachment["id"]]})
        assert sent.status_code == 201, sent.text
        ids.append(attachment["id"])
    return ids


def touch(page, kind, points):
    page.driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [
        {"x": x, "y": y, "id": n} for n, (x, y) in enumerate(points)]})


def test_pictures_open_full_window_and_zoom_pan_and_go_through_the_room(browsers, ui_url, screenshots):
    me = ApiUser(ui_url, unique("ivm"))
    other = ApiUser(ui_url, unique("ivo"))
    make_contacts(me, other)
    room_id = other.direct_room(me.id)
    ids = send_pictures(other, room_id, 3)
    page = browsers(1280, 860)
    page.login(me.username)
    page.open_room(room_id)
    page.wait(lambda d: len(d.find_elements("css selector", "#timeline button.image-button")) == 3, message="the pictures did not show")
    page.click(f'#timeline button.image-button[data-attachment-id="{ids[1]}"]')
    state = lambda: page.driver.execute_script(STATE)
    page.wait(lambda d: state()["loaded"] and state()["id"] == ids[1], message="the viewer did not show the picture")
    assert state()["full"] and state()["counter"] == "2 of 3" and state()["zoom"] == "100%"
    audit(page, "the image viewer")
    page.screenshot(screenshots, "24-image-viewer")
    viewer = page.find("#image-viewer")
    # ← / → go through the room's pictures.
    viewer.send_keys(Keys.ARROW_RIGHT)
    page.wait(lambda d: state()["id"] == ids[2] and state()["counter"] == "3 of 3" and state()["loaded"], message="→ did not go on")
    assert page.find("#viewer-next").get_attribute("disabled") is not None
    viewer.send_keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    page.wait(lambda d: state()["id"] == ids[0] and state()["counter"] == "1 of 3", message="← did not go back")
    page.click("#viewer-next")
    page.wait(lambda d: state()["id"] == ids[1], message="the Next button did not go on")
    # Zoom: +, the button, 0, a double click, the wheel.
    viewer.send_keys("+")
    page.wait(lambda d: state()["scale"] == 1.5 and state()["zoom"] == "150%", message=f"+ did not zoom: {state()}")
    page.click("#viewer-zoom-in")
    page.wait(lambda d: state()["scale"] == 2.25, message="Zoom in did not zoom")
    viewer.send_keys("0")
    page.wait(lambda d: state()["scale"] == 1, message="0 did not fit")
    stage = page.find("#viewer-stage")
    ActionChains(page.driver).double_click(stage).perform()
    page.wait(lambda d: state()["scale"] == 2, message="a double click did not zoom")
    # Dragging pans the zoomed picture, within bounds.
    ActionChains(page.driver).move_to_element(stage).click_and_hold().move_by_offset(120, 0).release().perform()
    page.wait(lambda d: state()["x"] > 0, message=f"dragging did not pan: {state()}")
    ActionChains(page.driver).double_click(stage).perform()
    page.wait(lambda d: state()["scale"] == 1 and state()["x"] == 0, message="a double click did not fit again")
    page.driver.execute_script("""
        const s = document.getElementById('viewer-stage'), b = s.getBoundingClientRect();
        s.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, clientX: b.left + b.width / 2, clientY: b.top + b.height / 2, bubbles: true, cancelable: true }));""")
    page.wait(lambda d: state()["scale"] == 1.25, message="the wheel did not zoom")
    assert page.find_all("#viewer-download")
    viewer.send_keys(Keys.ESCAPE)
    page.wait(lambda d: not d.find_elements("css selector", "#image-viewer"), message="Esc did not close the viewer")
    assert not page.console_errors()


def test_on_a_phone_a_swipe_goes_on_and_a_pinch_zooms(browsers, ui_url):
    me = ApiUser(ui_url, unique("ivp"))
    other = ApiUser(ui_url, unique("ivq"))
    make_contacts(me, other)
    room_id = other.direct_room(me.id)
    ids = send_pictures(other, room_id, 2)
    page = browsers(390, 760)
    page.login(me.username)
    page.open_room(room_id)
    page.wait(lambda d: len(d.find_elements("css selector", "#timeline button.image-button")) == 2, message="the pictures did not show")
    page.click(f'#timeline button.image-button[data-attachment-id="{ids[0]}"]')
    state = lambda: page.driver.execute_script(STATE)
    page.wait(lambda d: state()["loaded"] and state()["counter"] == "1 of 2", message="the viewer did not open")
    audit(page, "the image viewer on a phone")
    box = page.driver.execute_script("const b = document.getElementById('viewer-stage').getBoundingClientRect(); return [b.left, b.top, b.width, b.height]")
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    # A swipe to the left: the next picture.
    touch(page, "touchStart", [(cx + 100, cy)])
    for step in range(1, 6):
        touch(page, "touchMove", [(cx + 100 - step * 40, cy)])
    touch(page, "touchEnd", [])
    page.wait(lambda d: state()["id"] == ids[1] and state()["counter"] == "2 of 2", message=f"a swipe did not go on: {state()}")
    # Two fingers moving apart: zoomed in.
    touch(page, "touchStart", [(cx - 40, cy), (cx + 40, cy)])
    for step in range(1, 6):
        touch(page, "touchMove", [(cx - 40 - step * 16, cy), (cx + 40 + step * 16, cy)])
    touch(page, "touchEnd", [])
    page.wait(lambda d: state()["scale"] and state()["scale"] > 1.5, message=f"a pinch did not zoom: {state()}")
    assert not page.console_errors()
