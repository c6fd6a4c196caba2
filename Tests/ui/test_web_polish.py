"""Small things a person notices (issue 15's list): a reload keeps the open
room, date lines between days, "1 member", Enter saves an edit and Up edits
one's last message, spaces alone get a word, and the message box has no
scrollbar for one line."""
from selenium.webdriver.common.keys import Keys

from conftest import ApiUser, unique, wait_until


def test_a_reload_comes_back_to_the_open_room(browsers, ui_url):
    other = ApiUser(ui_url, unique("rlo"))
    page = browsers()
    page.register(unique("rl"))
    room_id = page.start_direct_chat(other.username)
    page.send("before the reload")
    page.wait_for_text("before the reload")
    assert page.driver.current_url.endswith(f"#room/{room_id}")
    page.driver.refresh()
    page.wait(lambda d: d.find_element("id", "room-view").get_attribute("data-room-id") == room_id, message="the room was not reopened")
    page.wait_for_text("before the reload")


def test_days_are_marked_and_a_group_of_one_says_member(browsers, ui_url):
    page = browsers()
    name = unique("dy")
    page.register(name)
    page.find("#new-group-button").click()
    page.type_into("#group-name", "Solo")
    page.click("#group-form button[type=submit]")
    page.visible("#room-view")
    page.wait(lambda d: d.find_element("id", "room-subtitle").text.startswith("1 member"), message="no member count")
    assert not page.find("#room-subtitle").text.startswith("1 members")
    page.send("a message today")
    page.wait_for_text("a message today")
    separators = "return [...document.querySelectorAll('#timeline li.date-separator')].map(e => e.textContent.trim())"
    page.wait(lambda d: d.execute_script(separators) == ["Today"], message="no single 'Today' line")


def test_editing_with_up_and_enter_and_feedback_for_spaces(browsers, ui_url):
    other = ApiUser(ui_url, unique("edo"))
    page = browsers()
    page.register(unique("ed"))
    page.start_direct_chat(other.username)
    page.send("first draft")
    page.wait_for_text("first draft")
    box = page.visible("#message-input")
    # One line: no scrollbar.
    box.send_keys("x")
    assert page.driver.execute_script("return arguments[0].scrollHeight <= arguments[0].clientHeight + 1 || "
                                      "getComputedStyle(arguments[0]).overflowY === 'hidden'", box)
    box.clear()
    box.send_keys(Keys.ARROW_UP)
    edit = page.visible("#edit-input")
    edit.clear()
    edit.send_keys("second draft")
    edit.send_keys(Keys.ENTER)
    page.wait_for_text("second draft")
    page.wait(lambda d: not d.find_elements("css selector", "#edit-dialog"), message="the edit dialog stayed open after Enter")
    # Spaces alone are not sent, and the page says why.
    box = page.visible("#message-input")
    # (chromedriver types a string of only spaces as nothing: the spaces are put in directly.)
    page.driver.execute_script("arguments[0].value = '   '", box)
    box.send_keys(Keys.ENTER)
    error_text = "return document.getElementById('composer-error').textContent"
    wait_until(lambda: "spaces" in page.driver.execute_script(error_text), timeout=10,
               message="no word about spaces")
    assert [t for _, t in page.stored_messages()] == ["second draft"]


def test_the_members_dialog_follows_a_rename_and_shows_oneself_online(browsers, ui_url):
    page = browsers()
    page.register(unique("mb"))
    page.find("#new-group-button").click()
    page.type_into("#group-name", "Before")
    page.click("#group-form button[type=submit]")
    page.visible("#room-view")
    page.click("#members-button")
    page.visible("#members-dialog")
    assert page.find("#members-dialog-title").text == "Members of Before"
    page.type_into("#room-name-input", "After")
    page.click("#rename-form button[type=submit]")
    page.wait(lambda d: d.find_element("id", "members-dialog-title").text == "Members of After", message="the title kept the old name")
    page.wait(lambda d: "online" in d.find_element("css selector", "#member-list .presence-dot").get_attribute("class"),
              message="one's own dot shows offline")


def test_new_messages_while_scrolled_up_get_a_button_down_to_them(browsers, ui_url):
    other = ApiUser(ui_url, unique("jmo"))
    page = browsers(1280, 700)
    page.register(unique("jm"))
    room_id = page.start_direct_chat(other.username)
    for n in range(40):
        other.post(room_id, f"backlog {n}")
    page.wait(lambda d: len(page.stored_messages()) == 40, message="the backlog did not arrive")
    scroller = page.find("#timeline-scroller")
    page.driver.execute_script("arguments[0].scrollTop = 0", scroller)
    assert not page.find("#jump-to-bottom").is_displayed()
    other.post(room_id, "while you read old ones")
    button = page.visible("#jump-to-bottom")
    assert button.text == "↓ 1 new message"
    button.click()
    page.wait(lambda d: d.execute_script("const s = arguments[0]; return s.scrollHeight - s.scrollTop - s.clientHeight < 5", scroller),
              message="not brought down to the new message")
    page.wait(lambda d: not d.find_element("id", "jump-to-bottom").is_displayed(), message="the button stayed")


def test_the_offline_banner_sits_above_the_header_instead_of_covering_it(browsers, ui_url):
    page = browsers(1280, 800)
    page.register(unique("ob"))
    page.driver.execute_cdp_cmd("Network.enable", {})
    page.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/api/users?*"]})
    page.find("#new-chat-button").click()
    page.type_into("#user-search", "someone")
    banner = page.visible("#banner")
    header = page.find(".sidebar-header")
    below = page.driver.execute_script(
        "return arguments[1].getBoundingClientRect().top >= arguments[0].getBoundingClientRect().bottom - 1", banner, header)
    assert below, "the banner covers the header"
    assert page.find("#logout-button").is_displayed()
    page.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
