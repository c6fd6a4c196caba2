"""The page by keyboard alone (issue 24, item 8): sign in, open a conversation,
send, move between messages (one Tab stop each), reach a message's actions with
the arrow keys, react, reply and edit; Esc closes every popover and dialog; the
focus stays put when messages arrive; and every control shows a focus ring of
2 px or more with 3:1 contrast or more against what surrounds it, in both themes."""
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from conftest import ApiUser, make_contacts, unique

ACTIVE = """
const a = document.activeElement;
const li = a.closest('#timeline > li');
return { tag: a.tagName, id: a.id, cls: a.className, room: a.dataset.roomId || null,
         message: li ? li.dataset.id || null : null, isItem: li === a,
         text: li ? (li.querySelector('.message-content')?.textContent || '') : '' };
"""

# The focus ring of the focused element: outline style, width, colour, and the colour behind it
# (outside the element for an outline drawn outside, the element's own for one drawn inside).
RING = """
const el = document.activeElement, style = getComputedStyle(el);
const offset = parseFloat(style.outlineOffset) || 0;
const solid = (node) => {
  for (let n = node; n; n = n.parentElement) {
    const bg = getComputedStyle(n).backgroundColor;
    if (bg && !/rgba\\(.*, 0\\)$/.test(bg) && bg !== 'transparent') return bg;
  }
  return getComputedStyle(document.body).backgroundColor;
};
return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor,
         behind: solid(offset >= 0 ? el.parentElement : el), what: el.id || el.className || el.tagName };
"""


def keys(page, *sequence):
    ActionChains(page.driver).send_keys(*sequence).perform()


def active(page):
    return page.driver.execute_script(ACTIVE)


def tab_until(page, wanted, shift=False, limit=80):
    """Presses Tab (or Shift+Tab) until the focus is where `wanted(active)` says."""
    for _ in range(limit):
        if wanted(active(page)):
            return active(page)
        if shift:
            ActionChains(page.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        else:
            keys(page, Keys.TAB)
    raise AssertionError(f"Tab never reached it; the focus is on {active(page)}")


def luminance(css):
    parts = [float(p) for p in css[css.index("(") + 1:css.index(")")].split(",")[:3]]
    linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def assert_focus_rings(page, theme):
    """Tabs through the whole screen (each control once) and checks each one's ring."""
    seen, problems = set(), []
    keys(page, Keys.TAB)
    for _ in range(400):
        where = page.driver.execute_script(
            "const a = document.activeElement; return a === document.body ? null : a.id + '|' + a.className + '|' + (a.dataset.id || a.dataset.roomId || '')")
        if where is None:  # past the last control, before Tab comes round to the first
            keys(page, Keys.TAB)
            continue
        if where in seen:
            break
        seen.add(where)
        ring = page.driver.execute_script(RING)
        if ring["style"] in ("none", "hidden") or ring["width"] < 2:
            problems.append(f"{ring['what']}: no 2 px ring ({ring['style']} {ring['width']} px)")
        elif contrast(ring["color"], ring["behind"]) < 3:
            problems.append(f"{ring['what']}: ring {ring['color']} on {ring['behind']} is {contrast(ring['color'], ring['behind']):.2f}:1")
        keys(page, Keys.TAB)
    assert len(seen) > 10, f"{theme}: only {len(seen)} controls reached by Tab"
    assert not problems, f"{theme}: " + "; ".join(problems)


def test_the_main_flows_by_keyboard_alone(browsers, ui_url, screenshots):
    name = unique("kb")
    other = ApiUser(ui_url, unique("kbo"))
    me = ApiUser(ui_url, name)
    make_contacts(me, other)
    room_id = other.direct_room(me.id)
    for text in ("first of theirs", "second of theirs", "third of theirs"):
        other.post(room_id, text)

    page = browsers(1280, 860)
    page.open()
    # Sign in: Tab to the name, type, Tab to the password, type, Enter.
    tab_until(page, lambda a: a["id"] == "login-name")
    keys(page, name, Keys.TAB, "correct-horse-9", Keys.ENTER)
    page.wait_connected()

    # Open the conversation from the room list, by Tab and Enter.
    tab_until(page, lambda a: a["room"] == room_id)
    keys(page, Keys.ENTER)
    page.wait(lambda d: d.find_element("id", "room-view").get_attribute("data-room-id") == room_id, message="Enter did not open the room")
    page.wait(lambda d: active(page)["id"] == "message-input", message="the focus did not move to the message box")
    page.wait_for_text("third of theirs")
    keys(page, "mine, typed", Keys.ENTER)
    page.wait_for_text("mine, typed")

    # Back from the box: the newest message is one Tab stop, and the one before it the next.
    newest = tab_until(page, lambda a: a["isItem"], shift=True, limit=6)
    assert newest["text"] == "mine, typed"
    ActionChains(page.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert active(page)["isItem"] and active(page)["text"] == "third of theirs", "a message's controls took a Tab stop"
    assert not page.driver.execute_script(
        "return [...document.querySelectorAll('#timeline li.message *')].filter((e) => e.tabIndex >= 0).map((e) => e.outerHTML.slice(0, 80))")

    # Arrows move between messages; Home goes to the first.
    keys(page, Keys.ARROW_UP)
    assert active(page)["text"] == "second of theirs"
    keys(page, Keys.ARROW_DOWN)
    assert active(page)["text"] == "third of theirs"
    keys(page, Keys.HOME)
    assert active(page)["text"] == "first of theirs"
    keys(page, Keys.END)
    assert active(page)["text"] == "mine, typed"
    keys(page, Keys.ARROW_UP)
    third = active(page)["message"]

    # Enter reaches the message's actions; → to React; Enter opens the picker at its first emoji.
    keys(page, Keys.ENTER)
    assert active(page)["cls"] == "action reply-message" and active(page)["message"] == third
    keys(page, Keys.ARROW_RIGHT)
    assert "react-message" in active(page)["cls"]
    keys(page, Keys.ENTER)
    page.wait(lambda d: "pick-reaction" in active(page)["cls"], message="the picker did not take the focus")
    page.screenshot(screenshots, "16-keyboard")
    # Esc closes it, the focus back on React; Esc again back on the message.
    keys(page, Keys.ESCAPE)
    page.wait(lambda d: not d.find_elements("css selector", ".reaction-picker"), message="Esc did not close the picker")
    assert "react-message" in active(page)["cls"] and active(page)["message"] == third
    keys(page, Keys.ESCAPE)
    assert active(page)["isItem"] and active(page)["message"] == third
    # "+" opens it from the message; → and Enter react.
    keys(page, "+")
    page.wait(lambda d: "pick-reaction" in active(page)["cls"], message="+ did not open the picker")
    keys(page, Keys.ARROW_RIGHT, Keys.ENTER)
    page.wait(lambda d: d.find_elements("css selector", f'#timeline li.message[data-id="{third}"] button.reaction[data-emoji="❤️"]'),
              message="the reaction picked by keyboard was not made")
    page.wait(lambda d: active(page)["message"] == third, message="the focus left the message after reacting")

    # The focus stays where it is while messages arrive.
    page.driver.execute_script("document.querySelector(`#timeline li.message[data-id='${arguments[0]}']`).focus()", third)
    for n in range(3):
        other.post(room_id, f"arriving {n}")
        page.wait_for_text(f"arriving {n}")
        assert active(page)["message"] == third and active(page)["isItem"], f"the focus moved when a message came in: {active(page)}"

    # R replies (the box takes the focus, the reply goes with the quote).
    keys(page, "r")
    page.visible("#reply-bar")
    assert active(page)["id"] == "message-input"
    keys(page, "about the third", Keys.ENTER)
    page.wait(lambda d: any("about the third" in li.text and li.find_elements("css selector", ".reply-quote")
                            for li in d.find_elements("css selector", "#timeline li.message")), message="the reply was not sent with its quote")

    # E edits one's own message in a dialog; Esc closes the dialog.
    tab_until(page, lambda a: a["isItem"] and a["text"] == "mine, typed", shift=True, limit=12)
    keys(page, "e")
    page.visible("dialog[open]")
    keys(page, Keys.ESCAPE)
    page.wait(lambda d: not d.find_elements("css selector", "dialog[open]"), message="Esc did not close the edit dialog")

    # Esc closes the search results from wherever the focus is in them.
    page.type_into("#search-input", "second")
    keys(page, Keys.ENTER)
    page.visible("#search-results .search-hit")
    page.find("#search-results .search-hit").send_keys(Keys.ESCAPE)
    page.wait(lambda d: not d.find_element("id", "search-results").is_displayed(), message="Esc did not close the search")
    assert active(page)["id"] == "search-input"
    assert not page.console_errors()


def test_every_control_shows_a_focus_ring_in_both_themes(browsers, ui_url):
    name = unique("ring")
    other = ApiUser(ui_url, unique("ringo"))
    me = ApiUser(ui_url, name)
    make_contacts(me, other)
    room_id = other.direct_room(me.id)
    other.post(room_id, "a message with a [link](https://example.com)")
    for theme in ("light", "dark"):
        page = browsers(1280, 860)
        page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": theme}]})
        page.login(name)
        page.open_room(room_id)
        page.wait_for_text("a message with a link")
        keys(page, Keys.ESCAPE)
        assert_focus_rings(page, theme)
