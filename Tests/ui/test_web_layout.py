"""Less clutter (issue 24, item 9): the sidebar's controls fit its width without
wrapping at 1280 px, the phone header leaves the room's name whole, and a
message's actions show only on hover, focus or tap."""
from selenium.webdriver.common.action_chains import ActionChains

from conftest import ApiUser, make_contacts, unique

ONE_LINE = """
return [...document.querySelectorAll(arguments[0])].filter((e) => e.offsetParent).map((e) => {
  const r = e.getBoundingClientRect(), line = parseFloat(getComputedStyle(e).lineHeight) || 20;
  return { text: e.textContent, top: Math.round(r.top), height: r.height, line, right: r.right, overflows: e.scrollWidth > e.clientWidth };
});
"""


def test_sidebar_controls_fit_on_one_line_at_1280(browsers, ui_url):
    page = browsers(1280, 800)
    page.register(unique("lay"))
    for row in ("#chat-layout .sidebar-actions > button", "#search-form > *"):
        controls = page.driver.execute_script(ONE_LINE, row)
        assert len(controls) >= 2, row
        assert len({c["top"] for c in controls}) == 1, f"{row} wraps onto several lines: {controls}"
        sidebar_right = page.driver.execute_script("return document.querySelector('.sidebar').getBoundingClientRect().right")
        assert all(c["right"] <= sidebar_right for c in controls), f"{row} overflows the sidebar: {controls}"
        assert all(not c["overflows"] for c in controls), f"a control's text is cut: {controls}"


def test_the_phone_header_keeps_the_room_name_whole(browsers, ui_url):
    owner = ApiUser(ui_url, unique("layo"))
    me = ApiUser(ui_url, unique("laym"))
    make_contacts(owner, me)
    room = owner.call("POST", "/api/rooms", json={"roomType": "group", "name": "Weekend hiking plans",
                                                  "participantIds": [me.id]}).json()
    page = browsers(390, 760)
    page.login(me.username)
    page.open_room(room["id"])
    page.visible("#members-button")
    title = page.driver.execute_script(
        "const t = document.getElementById('room-title'); return { cut: t.scrollWidth > t.clientWidth, width: t.clientWidth }")
    assert not title["cut"], f"the room's name is cut on a phone: {title}"
    header_buttons = page.driver.execute_script(ONE_LINE, ".room-header > button")
    assert all(not b["overflows"] for b in header_buttons), header_buttons


def test_a_messages_actions_show_on_hover_and_focus_only(browsers, ui_url):
    me = ApiUser(ui_url, unique("layh"))
    other = ApiUser(ui_url, unique("layt"))
    make_contacts(me, other)
    room_id = other.direct_room(me.id)
    other.post(room_id, "hover over me")
    other.post(room_id, "and not me")
    page = browsers(1280, 800)
    page.login(me.username)
    page.open_room(room_id)
    page.wait_for_text("and not me")
    visible = "return [...document.querySelectorAll('#timeline li.message')].map((li) => [li.textContent.includes('hover over me'), " \
              "getComputedStyle(li.querySelector('.message-actions')).visibility])"
    ActionChains(page.driver).move_to_element(page.find("#composer")).perform()
    assert {v for _, v in page.driver.execute_script(visible)} == {"hidden"}, "actions shown on messages nobody points at"
    row = next(li for li in page.find_all("#timeline li.message") if "hover over me" in li.text)
    ActionChains(page.driver).move_to_element(row).perform()
    page.wait(lambda d: dict(page.driver.execute_script(visible)) == {True: "visible", False: "hidden"}, message="hover did not show them")
    ActionChains(page.driver).move_to_element(page.find("#composer")).perform()
    page.driver.execute_script("arguments[0].focus()", row)
    page.wait(lambda d: dict(page.driver.execute_script(visible)) == {True: "visible", False: "hidden"}, message="focus did not show them")
