"""Notification levels and do-not-disturb in the page (issue 27, item 8): the
room header's level decides what notifies and what the tab title counts; a
pause on one page silences every page of the person until it ends or is
resumed. Desktop and phone, axe-clean."""
from selenium.webdriver.support.ui import Select

from conftest import ApiUser, unique, wait_until
from test_web_accessibility import audit
from test_web_conversation_features import HIDE_TAB, NOTIFICATION_SPY

SHOW_TAB = "Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });"


def notifications(page):
    return page.driver.execute_script("return window.__notifications.map((n) => n.body)")


def spied_page(browsers, width, height, username):
    page = browsers(width, height)
    page.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NOTIFICATION_SPY})
    page.register(username)
    page.click("#notifications-button")
    page.wait(lambda d: not d.find_element("id", "notifications-button").is_displayed(), message="permission not granted")
    return page


def test_the_level_decides_what_notifies_and_what_the_title_counts(browsers, ui_url, screenshots):
    for width, height in ((1280, 860), (390, 760)):
        name = unique("nlm")
        page = spied_page(browsers, width, height, name)
        me = page.driver.execute_script("return window.microchat.store.me.id")
        friend = ApiUser(ui_url, unique("nlf"))
        group = friend.call("POST", "/api/rooms", json={"roomType": "group", "name": "Levels", "participantIds": [me]}).json()
        page.open_room(group["id"])
        page.visible("#notify-level")
        assert Select(page.find("#notify-level")).first_selected_option.get_attribute("value") == "default"
        audit(page, f"the notification level at {width} px")
        page.screenshot(screenshots, f"34-notification-level-{width}")
        # All messages: a plain message notifies.
        Select(page.find("#notify-level")).select_by_value("all")
        wait_until(lambda: friend.call("GET", f"/api/rooms/{group['id']}").status_code == 200
                   and page.driver.execute_script("return window.microchat.store.rooms.get(arguments[0]).notificationLevel", group["id"]) == "all",
                   message="the level was not stored")
        page.driver.execute_script(HIDE_TAB)
        friend.post(group["id"], "plain one")
        wait_until(lambda: notifications(page) == ["plain one"], message=f"'all' did not notify: {notifications(page)}")
        # Mentions and replies: a plain message does not; a mention does; the title counts mentions only.
        page.driver.execute_script(SHOW_TAB)
        Select(page.find("#notify-level")).select_by_value("mentions")
        wait_until(lambda: page.driver.execute_script("return window.microchat.store.rooms.get(arguments[0]).notificationLevel",
                                                      group["id"]) == "mentions", message="the level did not change")
        # Away from the room, so its messages stay unread.
        if width < 700:
            page.click("#back-button")
        else:
            page.driver.execute_script("window.microchat.screen.room.actions.back()")  # as the phone's back button does
        page.driver.execute_script(HIDE_TAB)
        friend.post(group["id"], "plain two")
        friend.post(group["id"], f"@{name} look")
        wait_until(lambda: notifications(page) == ["plain one", f"@{name} look"], message=f"'mentions' notified wrongly: {notifications(page)}")
        page.wait(lambda d: d.title == "(1) MicroChat", message=f"the title should count the mention only, not {page.driver.title!r}")
        assert friend.call("GET", "/api/rooms").json()["rooms"][0].get("notificationLevel") == "default"  # the friend's own level
        assert not page.console_errors()


def test_pausing_notifications_silences_every_page_until_resumed(browsers, ui_url, screenshots):
    for width, height in ((1280, 860), (390, 760)):
        name = unique("dnd")
        page = spied_page(browsers, width, height, name)
        me = page.driver.execute_script("return window.microchat.store.me.id")
        friend = ApiUser(ui_url, unique("dnf"))
        direct = friend.direct_room(me)
        other_page = browsers(width, height)
        other_page.login(name)
        page.click("#dnd-button")
        page.visible("#dnd-dialog")
        audit(page, f"the pause choices at {width} px")
        page.click_in_row("#dnd-dialog li", lambda li: li.text == "1 hour", "button.dnd-choice")
        page.wait(lambda d: d.find_element("id", "dnd-status").text.startswith("Notifications paused until"), message="no pause shown")
        # The other page of mine follows without a reload.
        other_page.wait(lambda d: d.find_element("id", "dnd-status").text.startswith("Notifications paused until"),
                        message="the other page did not follow the pause")
        page.screenshot(screenshots, f"35-paused-{width}")
        page.driver.execute_script(HIDE_TAB)
        friend.post(direct, "during the pause")
        page.wait(lambda d: d.execute_script("return [...window.microchat.store.timeline(arguments[0]).byId.values()].some((m) => m.content === 'during the pause')", direct)
                  or d.find_elements("css selector", f'.room-item[data-room-id="{direct}"]'), message="the message did not arrive")
        wait_until(lambda: page.driver.execute_script("return window.microchat.store.rooms.get(arguments[0])?.unreadCount", direct) == 1,
                   message="the message was not counted")
        assert notifications(page) == []
        # Resumed on the other page: this one notifies again.
        other_page.click("#dnd-button")
        page.wait(lambda d: not d.find_element("id", "dnd-status").is_displayed(), message="the pause did not end here")
        friend.post(direct, "after the pause")
        wait_until(lambda: notifications(page) == ["after the pause"], message=f"no notification after resuming: {notifications(page)}")
        assert not page.console_errors() and not other_page.console_errors()
