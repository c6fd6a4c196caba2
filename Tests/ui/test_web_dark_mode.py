"""Dark mode (issue 24, item 9): the screens people use most, with the system
set to dark, pass axe-core with no serious or critical finding (contrast above all)."""
import uuid

from conftest import ApiUser, unique
from test_web_accessibility import audit


def dark(page):
    page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})


def test_a_conversation_in_dark_mode_passes_axe(browsers, ui_url):
    name = unique("dk")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("dko"))
    room_id = other.direct_room(me.id)
    posted = [other.post(room_id, f"old {n}") for n in range(1, 41)]
    me.call("POST", f"/api/rooms/{room_id}/read", json={"messageId": posted[29]["id"]})  # ten unread
    first = other.post(room_id, f"Hello @{name}, **welcome** — see https://example.com and `code`")
    other.call("POST", f"/api/rooms/{room_id}/messages/{first['id']}/reactions", json={"emoji": "🎉"})
    other.call("POST", f"/api/rooms/{room_id}/messages", json={
        "content": "> quoted\nreply", "replyToId": first["id"], "messageType": "text", "clientMessageId": str(uuid.uuid4())})
    page = browsers()
    dark(page)
    page.login(name)
    assert page.driver.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches")
    audit(page, "dark: the room list with unread badges and a mention")
    page.open_room(room_id)
    page.visible("#unread-divider")
    page.send("my own message with a https://example.com link")
    page.wait_for_text("my own message with a https://example.com link")
    page.click_in_row("#timeline li.message", lambda row: "welcome" in row.text, "button.react-message")
    page.visible(".reaction-picker")
    audit(page, "dark: a conversation with the New messages line, a reply, reactions, a picker")
    page.click("#profile-button")
    page.visible("#profile-dialog")
    audit(page, "dark: the profile dialog")
