"""@mention completion (issue 27, item 2): typing @ in the composer offers the
room's members by display name and username; ↑/↓, Enter/Tab and Esc work from
the message box; a click works too; the username goes in, and the timeline
shows the mention by display name. At desktop and phone size, axe-clean."""
from selenium.webdriver.common.keys import Keys

from conftest import ApiUser, make_contacts, unique
from test_web_accessibility import audit

OPTIONS = "return [...document.querySelectorAll('#mention-list li[role=option]')].map((o) => [o.dataset.value, o.getAttribute('aria-selected')])"


def options(page):
    return page.driver.execute_script(OPTIONS)


def test_typing_at_offers_the_members_and_inserts_the_chosen_username(browsers, ui_url, screenshots):
    owner = ApiUser(ui_url, unique("mpo"))
    me = ApiUser(ui_url, unique("mpm"))
    anna = ApiUser(ui_url, unique("anna"))
    annika = ApiUser(ui_url, unique("annika"))
    outsider = ApiUser(ui_url, unique("annout"))
    make_contacts(owner, me, anna, annika)
    room = owner.call("POST", "/api/rooms", json={"roomType": "group", "name": "Mentions",
                                                  "participantIds": [me.id, anna.id, annika.id]}).json()
    for width, height in ((1280, 860), (390, 760)):
        page = browsers(width, height)
        page.login(me.username)
        page.open_room(room["id"])
        box = page.visible("#message-input")
        box.send_keys("hello @an")
        page.wait(lambda d: len(options(page)) == 2, message=f"not offered the two Ann…s: {options(page)}")
        offered = [u for u, _ in options(page)]
        assert set(offered) == {anna.username, annika.username}, "someone outside the room was offered"
        assert outsider.username not in offered and me.username not in offered
        assert box.get_attribute("aria-activedescendant") == "mention-list-option-0"
        audit(page, f"the mention list at {width} px")
        page.screenshot(screenshots, f"21-mention-list-{width}")
        # ↓ moves, Enter inserts the one in hand; the box keeps the focus.
        box.send_keys(Keys.ARROW_DOWN)
        assert [s for _, s in options(page)] == ["false", "true"]
        chosen = options(page)[1][0]
        box.send_keys(Keys.ENTER)
        page.wait(lambda d: box.get_attribute("value") == f"hello @{chosen} ", message=f"not inserted: {box.get_attribute('value')!r}")
        assert not page.find("#mention-list").is_displayed()
        assert page.driver.execute_script("return document.activeElement.id") == "message-input"
        # Esc closes the list and keeps what was typed; typing on reopens it.
        box.send_keys("and @")
        page.wait(lambda d: options(page), message="@ alone offered nobody")
        box.send_keys(Keys.ESCAPE)
        page.wait(lambda d: not page.find("#mention-list").is_displayed(), message="Esc did not close the list")
        assert box.get_attribute("value") == f"hello @{chosen} and @"
        box.send_keys(anna.username[:6])
        page.wait(lambda d: options(page) and options(page)[0][0] == anna.username, message="typing on did not reopen it")
        # Tab inserts too, and the list takes no Tab stop.
        box.send_keys(Keys.TAB)
        page.wait(lambda d: box.get_attribute("value") == f"hello @{chosen} and @{anna.username} ", message="Tab did not insert")
        assert page.driver.execute_script("return document.activeElement.id") == "message-input"
        # A click inserts.
        box.send_keys("cc @", annika.username[:6])
        page.wait(lambda d: options(page), message="not offered")
        page.click(f'#mention-list li[data-value="{annika.username}"]')
        page.wait(lambda d: box.get_attribute("value").endswith(f"cc @{annika.username} "), message="a click did not insert")
        box.send_keys(Keys.ENTER)
        # Sent with the usernames; shown by display names, the usernames as titles.
        page.wait(lambda d: any(li.find_elements("css selector", ".mention-other") for li in d.find_elements("css selector", "#timeline li.message.mine[data-state=stored]")),
                  message="the mentions were not marked in the timeline")
        shown = page.driver.execute_script(
            "return [...document.querySelectorAll('#timeline li.message.mine[data-state=stored]')].at(-1).querySelectorAll('.mention')"
            ".values().map((m) => [m.textContent, m.title]).toArray()")
        assert [anna.username.capitalize(), f"@{anna.username}"] in [[t.lstrip("@"), title] for t, title in shown]
        assert [annika.username.capitalize(), f"@{annika.username}"] in [[t.lstrip("@"), title] for t, title in shown]
        messages = me.call("GET", f"/api/rooms/{room['id']}/messages?limit=1").json()["messages"]
        assert {anna.id, annika.id} <= set(messages[-1]["mentions"]), messages[-1]
    assert not page.console_errors()
