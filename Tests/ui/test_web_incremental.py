"""The timeline updated in place (issue 24): an incoming message adds its item
without rebuilding the others, so keyboard focus stays where it was and never
falls to <body>."""
from selenium.webdriver.common.by import By

from conftest import ApiUser, unique

ACTIVE = """
const a = document.activeElement;
return { tag: a.tagName, cls: a.className, id: a.closest('li') ? a.closest('li').dataset.id : null };
"""


def test_an_incoming_message_keeps_the_focus_and_the_other_items(browsers, ui_url):
    name = unique("inc")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("inco"))
    room_id = other.direct_room(me.id)
    posted = [other.post(room_id, f"item {n}") for n in range(1, 6)]
    me.call("POST", f"/api/rooms/{room_id}/read", json={"messageId": posted[-1]["id"]})
    page = browsers()
    page.login(name)
    page.open_room(room_id)
    page.wait(lambda d: "item 5" in [t for _, t in page.stored_messages()])
    # Keyboard focus on the Reply button of "item 3"; the item itself is marked to tell if it is rebuilt.
    page.driver.execute_script("""
        const li = document.querySelector(`#timeline li.message[data-id="${arguments[0]}"]`);
        li.dataset.marked = 'yes';
        li.focus(); // the message first, as the arrow keys go: its actions show while it has the focus
        li.querySelector('button.reply-message').focus();""", posted[2]["id"])
    before = page.driver.execute_script(ACTIVE)
    assert before == {"tag": "BUTTON", "cls": "action reply-message", "id": posted[2]["id"]}
    for n in range(6, 9):
        other.post(room_id, f"item {n}")
        page.wait(lambda d, n=n: f"item {n}" in [t for _, t in page.stored_messages()], message=f"item {n} did not arrive")
        assert page.driver.execute_script(ACTIVE) == before, "the focus moved when a message came in"
    assert page.find_all('#timeline li.message[data-marked="yes"]'), "the other items were rebuilt"
    # Typing in the box is not interrupted either.
    page.send_keys_to("#message-input", "half")
    other.post(room_id, "item 9")
    page.wait(lambda d: "item 9" in [t for _, t in page.stored_messages()])
    page.send_keys_to("#message-input", " typed")
    assert page.driver.execute_script("return document.activeElement.id") == "message-input"
    assert page.find("#message-input").get_attribute("value") == "half typed"
