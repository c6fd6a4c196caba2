"""Less clutter (issue 24, item 9): a long message shows its beginning with
"Show more", opens in place (the focus staying on the button), and its whole
text is in the page all along."""
from conftest import ApiUser, unique

LONG = "\n".join(f"line {n}: " + "words " * 8 for n in range(1, 41))


def test_a_long_message_collapses_with_show_more(browsers, ui_url):
    name = unique("lg")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("lgo"))
    room_id = other.direct_room(me.id)
    long = other.post(room_id, LONG)
    short = other.post(room_id, "a short one")
    me.call("POST", f"/api/rooms/{room_id}/read", json={"messageId": short["id"]})
    page = browsers()
    page.login(name)
    page.open_room(room_id)
    page.wait(lambda d: "a short one" in [t for _, t in page.stored_messages()])
    item = f'#timeline li.message[data-id="{long["id"]}"]'
    box = f"return (() => {{ const c = document.querySelector('{item} .message-content'); return [c.clientHeight, c.scrollHeight, c.textContent.length]; }})()"
    shown, whole, _ = page.driver.execute_script(box)
    assert shown < whole, "the long message is shown whole"
    assert "line 40" in page.find(f"{item} .message-content").get_attribute("textContent"), "the text itself was cut"
    assert not page.find_all(f'#timeline li.message[data-id="{short["id"]}"] .show-more'), "a short message has Show more"
    button = page.find(f"{item} button.show-more")
    assert button.text == "Show more" and button.get_attribute("aria-expanded") == "false"
    page.driver.execute_script("arguments[0].focus()", button)
    page.driver.execute_script("arguments[0].click()", button)
    page.wait(lambda d: d.find_element("css selector", f"{item} button.show-more").text == "Show less", message="Show more did not open it")
    shown, whole, _ = page.driver.execute_script(box)
    assert shown == whole, "opened, it is still cut"
    assert page.find(f"{item} button.show-more").get_attribute("aria-expanded") == "true"
    assert page.driver.execute_script("return document.activeElement.classList.contains('show-more')"), "the focus left the button"
