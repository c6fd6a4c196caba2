"""Every screen as a person meets it, at desktop (1280×800) and phone (390×844)
size: checked by axe-core in Chromium (any serious or critical violation
fails), with every control on it shown and reachable — scrolled into view,
inside the window, and not covered by anything else."""
import pytest
from axe_selenium_python import Axe
from selenium.webdriver.common.keys import Keys

from conftest import ApiUser, unique

SIZES = [(1280, 800), (390, 844)]

# The controls of one screen that are meant to be usable now: shown, enabled,
# outside closed parts. For each, scrolled into view: is its middle inside the
# window and is the element found there the control (or inside it)?
REACHABILITY = """
const root = arguments[0] ? document.querySelector(arguments[0]) : document;
const controls = [...root.querySelectorAll('button, input:not([type=file]), textarea, select, a[href]')]
  .filter(e => e.offsetParent !== null && !e.disabled && getComputedStyle(e).visibility !== 'hidden');
const problems = [];
for (const control of controls) {
  control.scrollIntoView({ block: 'center', inline: 'center' });
  const box = control.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const name = control.id || control.getAttribute('aria-label') || control.textContent.trim().slice(0, 30) || control.outerHTML.slice(0, 60);
  if (box.width < 1 || box.height < 1) { problems.push(name + ': no size'); continue; }
  if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) { problems.push(name + ': outside the window'); continue; }
  const top = document.elementFromPoint(x, y);
  if (!top || !(top === control || control.contains(top) || top.contains(control) && top.tagName === 'LABEL')) {
    problems.push(name + ': covered by ' + (top ? (top.id || top.className || top.tagName) : 'nothing'));
  }
}
return { count: controls.length, problems };
"""


def audit(page, screen):
    axe = Axe(page.driver)
    axe.inject()
    results = axe.run(options="{resultTypes: ['violations']}")
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{screen}: " + axe.report(serious)


def reachable(page, screen, within=None):
    report = page.driver.execute_script(REACHABILITY, within)
    assert report["count"] > 0, f"{screen}: no controls found"
    assert not report["problems"], f"{screen}: {report['problems']}"


def back_to_list(page):
    """At phone width, leaves the open conversation for the list (where the sidebar's buttons are)."""
    buttons = [b for b in page.find_all("#back-button") if b.is_displayed()]
    if buttons:
        buttons[0].click()
        page.visible("#room-list")


def check(page, screen, within=None):
    audit(page, screen)
    reachable(page, screen, within)


@pytest.mark.parametrize("width,height", SIZES)
def test_sign_in_screens(browsers, ui_url, width, height):
    page = browsers(width, height)
    page.open()
    assert page.visible("#login-form").is_displayed() and not page.find("#register-form").is_displayed()
    check(page, "log-in form")
    page.click("#auth-toggle")
    assert page.visible("#register-form").is_displayed() and not page.find("#login-form").is_displayed()
    check(page, "registration form")
    # After a refused sign-up, with its field errors, everything is still reachable.
    page.type_into("#register-username", "x")
    page.type_into("#register-password", "short")
    page.find("#register-form button[type=submit]").click()
    page.wait(lambda d: d.find_elements("css selector", "#register-form .field-error:not(:empty)"), message="no field errors")
    check(page, "registration form with errors")


@pytest.mark.parametrize("width,height", SIZES)
def test_chat_screens_and_dialogs(browsers, ui_url, width, height):
    other = ApiUser(ui_url, unique("ax"))
    page = browsers(width, height)
    name = unique("ay")
    page.register(name)
    check(page, "chat screen, no room open")
    room_id = page.start_direct_chat(other.username)
    first = other.post(room_id, f"Hello @{name}, **welcome** — see https://example.com and `code`")
    other.call("POST", f"/api/rooms/{room_id}/messages/{first['id']}/reactions", json={"emoji": "🎉"})
    other.call("POST", f"/api/rooms/{room_id}/messages", json={"content": "> quoted\nreply", "replyToId": first["id"]})
    page.wait(lambda d: len(page.stored_messages()) == 2, message="messages did not arrive")
    page.send("my own message")
    page.wait_for_text("my own message")
    page.click_in_row("#timeline li.message", lambda row: "welcome" in row.text, "button.react-message")
    page.visible(".reaction-picker")
    page.click_in_row("#timeline li.message", lambda row: "my own message" in row.text, "button.reply-message")
    page.visible("#reply-bar")
    check(page, "open conversation with a picker and a reply", "#room-view")
    page.find("#message-input").send_keys(Keys.ESCAPE)
    page.wait(lambda d: not d.find_element("id", "reply-bar").is_displayed(), message="Escape did not cancel the reply")

    dialogs = [
        ("#members-button", None, None),  # direct rooms have no members dialog
        ("#profile-button", "#profile-dialog", "profile"),
        ("#contacts-button", "#contacts-dialog", "contacts"),
        ("#new-chat-button", "#new-chat-dialog", "new chat"),
        ("#new-group-button", "#group-dialog", "new group"),
    ]
    for opener, dialog, screen in dialogs:
        if dialog is None:
            assert not page.find(opener).is_displayed()
            continue
        back_to_list(page)
        page.click(opener)
        shown = page.visible(dialog)
        assert shown.is_displayed()
        check(page, f"{screen} dialog", dialog)
        page.find(f"{dialog} .dialog-header button.icon").click()
        page.wait(lambda d: not d.find_elements("css selector", dialog), message=f"{screen} dialog did not close")

    # Search results and the mentions list, then the edit and delete dialogs.
    back_to_list(page)
    page.type_into("#search-input", "welcome")
    page.click("#search-button")
    page.visible(".search-hit")
    page.wait(lambda d: not d.find_element("id", "room-list").is_displayed(), message="the room list stayed beside the results")
    check(page, "search results")
    page.click("#search-close")
    page.wait(lambda d: d.find_element("id", "room-list").is_displayed(), message="the room list did not come back")
    page.click("#mentions-button")
    page.visible(".search-hit")
    check(page, "mentions")
    page.click(".search-hit")
    page.visible("#room-view")
    # (The mark fades after 3 s; the page records the message it revealed.)
    page.wait(lambda d: d.find_elements("css selector", "#timeline[data-revealed]"), message="the mention was not shown")
    page.click_in_row("#timeline li.message", lambda row: "my own message" in row.text, "button.edit-message")
    page.visible("#edit-dialog")
    check(page, "edit dialog", "#edit-dialog")
    page.find("#edit-dialog .dialog-header button.icon").click()
    page.click_in_row("#timeline li.message", lambda row: "my own message" in row.text, "button.delete-message")
    page.visible("#confirm-dialog")
    check(page, "delete confirmation", "#confirm-dialog")
    page.find("#confirm-dialog .dialog-header button.icon").click()

    # A group: its members dialog.
    back_to_list(page)
    page.click("#new-group-button")
    page.type_into("#group-name", "Audit group")
    page.click("#group-form button[type=submit]")
    page.visible("#room-view")
    page.click("#members-button")
    page.visible("#members-dialog")
    check(page, "members dialog", "#members-dialog")
