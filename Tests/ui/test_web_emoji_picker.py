"""Emoji (issue 27, item 3): a searchable picker with Unicode's groups, skin
tones, the recently used and arrow keys across the grid, for the message box
and for reactions; `:shortcode` completion in the box. The data is Unicode
15.0's and CLDR 41's (checked by `scripts/emoji-data.py --check`)."""
from selenium.webdriver.common.keys import Keys

from conftest import ApiUser, make_contacts, unique
from test_web_accessibility import audit


def active(page):
    return page.driver.execute_script(
        "const a = document.activeElement; return { id: a.id, cls: a.className, emoji: a.dataset.emoji || null, text: a.textContent }")


def test_the_picker_inserts_searches_keeps_tones_and_recents_and_reacts(browsers, ui_url, screenshots):
    me = ApiUser(ui_url, unique("emm"))
    other = ApiUser(ui_url, unique("emo"))
    make_contacts(me, other)
    room_id = other.direct_room(me.id)
    other.post(room_id, "react to me")
    page = browsers(1280, 860)
    page.login(me.username)
    page.open_room(room_id)
    page.wait_for_text("react to me")
    box = page.visible("#message-input")
    box.send_keys("good ")
    # Search, ↓ into the results, Enter: in the box at the caret.
    page.click("#emoji-button")
    page.visible("#emoji-picker #emoji-search")
    assert active(page)["id"] == "emoji-search"
    page.wait(lambda d: d.find_elements("css selector", "#emoji-body section"), message="the groups did not load")
    page.screenshot(screenshots, "23-emoji-picker")  # before axe, which scrolls what it checks into view
    audit(page, "the emoji picker")
    page.send_keys_to("#emoji-search", "thumbs up")
    page.wait(lambda d: d.find_elements("css selector", '#emoji-body button.emoji[data-emoji="👍"]'), message="no thumbs up found")
    page.send_keys_to("#emoji-search", Keys.ARROW_DOWN)
    assert active(page)["emoji"] == "👍"
    page.driver.switch_to.active_element.send_keys(Keys.ENTER)
    page.wait(lambda d: not d.find_elements("css selector", "#emoji-picker"), message="picking did not close the picker")
    assert box.get_attribute("value") == "good 👍" and active(page)["id"] == "message-input"
    # A skin tone, kept: the waving hand comes in it.
    page.click("#emoji-button")
    page.click('#emoji-picker button.emoji-tone[aria-label="medium skin tone"]')
    page.wait(lambda d: d.find_element("css selector", '#emoji-picker button.emoji-tone[aria-label="medium skin tone"]').get_attribute("aria-pressed") == "true")
    page.send_keys_to("#emoji-search", "waving hand")
    page.click('#emoji-body button.emoji[data-emoji="👋"]')
    page.wait(lambda d: box.get_attribute("value") == "good 👍👋🏽", message=f"not the toned hand: {box.get_attribute('value')!r}")
    # The recently used come first; the arrows move across the grid and by rows.
    page.click("#emoji-button")
    page.wait(lambda d: d.find_elements("css selector", "#emoji-group-0-title"), message="no groups")
    assert page.find("#emoji-group-0-title").text == "Recently used"
    recents = [b.get_attribute("data-emoji") for b in page.find_all("#emoji-group-0 button.emoji")]
    assert recents[:2] == ["👋", "👍"], recents
    page.send_keys_to("#emoji-search", Keys.ARROW_DOWN)
    first = active(page)
    page.driver.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    assert active(page)["emoji"] == recents[1]
    page.find("#emoji-group-1 button.emoji").send_keys(Keys.ARROW_DOWN)
    below = page.driver.execute_script("""
        const a = document.activeElement, first = document.querySelector('#emoji-group-1 button.emoji');
        return a.getBoundingClientRect().top > first.getBoundingClientRect().top && Math.abs(a.getBoundingClientRect().left - first.getBoundingClientRect().left) < 4""")
    assert below, "↓ did not go to the row below"
    assert first["emoji"] == recents[0]
    page.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    page.wait(lambda d: not d.find_elements("css selector", "#emoji-picker"), message="Esc did not close the picker")
    # :shortcode completion in the box.
    box.send_keys(" :grinning_f")
    page.wait(lambda d: d.find_elements("css selector", '#emoji-completion-list li[data-value="grinning_face"]'), message="no completion")
    box.send_keys(Keys.ENTER)
    page.wait(lambda d: box.get_attribute("value") == "good 👍👋🏽 😀 ", message=f"not completed: {box.get_attribute('value')!r}")
    box.send_keys(Keys.ENTER)
    page.wait(lambda d: any(t.startswith("good 👍👋🏽 😀") for _, t in page.stored_messages()), message="not sent")
    # Reactions: any emoji through "More emoji…".
    page.click_in_row("#timeline li.message", lambda li: "react to me" in li.text, "button.react-message")
    page.click(".reaction-picker button.pick-more")
    page.wait(lambda d: "React with" in d.find_element("id", "emoji-picker-title").text, message="the picker did not open for a reaction")
    page.send_keys_to("#emoji-search", "unicorn")
    page.click('#emoji-body button.emoji[data-emoji="🦄"]')
    page.wait(lambda d: d.find_elements("css selector", '#timeline button.reaction[data-emoji="🦄"]'), message="the unicorn reaction was not made")
    messages = me.call("GET", f"/api/rooms/{room_id}/messages?limit=5").json()["messages"]
    assert any(r["emoji"] == "🦄" for m in messages for r in m.get("reactions", []))
    assert not page.console_errors()


def test_the_picker_on_a_phone(browsers, ui_url):
    me = ApiUser(ui_url, unique("emp"))
    other = ApiUser(ui_url, unique("emq"))
    make_contacts(me, other)
    room_id = other.direct_room(me.id)
    page = browsers(390, 760)
    page.login(me.username)
    page.open_room(room_id)
    page.click("#emoji-button")
    page.wait(lambda d: d.find_elements("css selector", "#emoji-body section"), message="the groups did not load")
    width, viewport = page.driver.execute_script(
        "return [document.getElementById('emoji-picker').getBoundingClientRect().width, document.documentElement.clientWidth]")
    assert width <= viewport, f"the picker is {width} px wide on a {viewport} px phone"
    audit(page, "the emoji picker on a phone")
    page.click('#emoji-picker nav button[aria-label="Food & Drink"]')
    page.click('#emoji-body button.emoji[data-emoji="🍕"]')
    page.wait(lambda d: d.find_element("id", "message-input").get_attribute("value") == "🍕", message="the pizza was not inserted")
