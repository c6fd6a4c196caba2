"""Issue 15's features as two people use them in Chromium: reactions and
replies live between two pages, mentions highlighted and counted, search that
opens a room at an old message, per-room mute, notifications only when the tab
is hidden (permission asked on a click), the unread total in the tab title."""
import uuid

from selenium.common.exceptions import TimeoutException

from conftest import ApiUser, unique, wait_until

# Installed before the page's own scripts: records notifications instead of
# showing them, and what permission was asked for and when.
NOTIFICATION_SPY = """
window.__notifications = [];
window.__permissionAsked = 0;
class RecordingNotification {
  constructor(title, options) { window.__notifications.push({ title, body: options && options.body, tag: options && options.tag }); }
  addEventListener() {}
  close() {}
  static requestPermission() { window.__permissionAsked += 1; RecordingNotification.permission = 'granted'; return Promise.resolve('granted'); }
}
RecordingNotification.permission = 'default';
window.Notification = RecordingNotification;
"""

HIDE_TAB = """
Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
"""


def message_item(page, text):
    for li in page.find_all("#timeline li.message[data-state=stored]"):
        content = li.find_elements("css selector", ".message-content")
        if content and content[0].get_attribute("textContent") == text:
            return li
    return None


def test_reactions_and_replies_travel_live_between_two_people(browsers, ui_url, screenshots):
    alice, bob = browsers(), browsers()
    a_name, b_name = unique("ra"), unique("rb")
    bob.register(b_name)
    alice.register(a_name)
    room_id = alice.start_direct_chat(b_name)
    bob.wait_connected()
    bob.open_room(room_id)
    bob.send("Lunch at noon?")
    alice.wait_for_text("Lunch at noon?")
    # Alice reacts with the picker; both pages show it, hers as her own.
    lunch = lambda row: "Lunch at noon?" in row.text and "Yes, see" not in row.text
    alice.click_in_row("#timeline li.message", lunch, "button.react-message")
    alice.click('.reaction-picker button[data-emoji="👍"]')
    alice.wait(lambda d: alice.find_all('#timeline button.reaction[aria-pressed="true"]'), message="own reaction not shown")
    bob.wait(lambda d: [b.text.replace("\n", " ") for b in bob.find_all("#timeline button.reaction")] == ["👍 1"],
             message="the reaction did not reach the other page")
    # Bob adds the same emoji by clicking it: the count is 2 on both pages.
    bob.click("#timeline button.reaction")
    alice.wait(lambda d: [b.text.replace("\n", " ") for b in alice.find_all("#timeline button.reaction")] == ["👍 2"], message="count not 2")
    # Alice replies to the message; Bob sees the quote, and clicking it shows the original.
    alice.click_in_row("#timeline li.message", lunch, "button.reply-message")
    bar = alice.visible("#reply-bar")
    assert "Lunch at noon?" in bar.text
    alice.send("Yes, see you there")
    alice.wait(lambda d: not d.find_element("id", "reply-bar").is_displayed(), message="the reply bar stayed")
    bob.wait_for_text("Yes, see you there")
    # (Found afresh on every try: live events re-render the timeline.)
    bob.wait(lambda d: any("Lunch at noon?" in q.text and q.is_displayed()
                           for q in message_item(bob, "Yes, see you there").find_elements("css selector", ".reply-quote")),
             message="the reply shows no quote of the original")
    bob.click_in_row("#timeline li.message", lambda row: "Yes, see you there" in row.text, ".reply-quote")
    # (The mark fades after 3 s; the page records the message it revealed.)
    bob.wait(lambda d: d.find_element("id", "timeline").get_attribute("data-revealed") == message_item(bob, "Lunch at noon?").get_attribute("data-id"),
             message="the original was not shown")
    alice.screenshot(screenshots, "12-reactions-and-replies")
    assert not alice.console_errors() and not bob.console_errors()


def test_mentions_are_highlighted_counted_and_notify_only_when_hidden_and_not_muted(browsers, ui_url, screenshots):
    b = ApiUser(ui_url, unique("mb"))
    page = browsers()
    page.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NOTIFICATION_SPY})
    name = unique("mn")
    page.register(name)
    me = page.driver.execute_script("return window.microchat.store.me.id")
    group = b.call("POST", "/api/rooms", json={"roomType": "group", "name": "Planning", "participantIds": [me]}).json()
    other = b.direct_room(me)
    page.wait(lambda d: d.find_elements("css selector", f'.room-item[data-room-id="{group["id"]}"]'), message="the group did not show up")
    # Nothing was asked on load; the button asks.
    assert page.driver.execute_script("return window.__permissionAsked") == 0
    page.click("#notifications-button")
    wait_until(lambda: page.driver.execute_script("return window.__permissionAsked") == 1, message="permission not asked")
    page.wait(lambda d: not d.find_element("id", "notifications-button").is_displayed(), message="the button stayed")
    # A mention while the room is closed: a badge with @1 beside the unread count, and the tab title.
    b.post(group["id"], f"@{name} can you check **the plan**?")
    badge = f'.room-item[data-room-id="{group["id"]}"] .mention-badge'
    page.wait(lambda d: d.find_elements("css selector", badge) and d.find_element("css selector", badge).text == "@1", message="no mention badge")
    page.wait(lambda d: d.title == "(1) MicroChat", message=f"title is {page.driver.title!r}")
    # Visible tab: no notification for it.
    assert page.driver.execute_script("return window.__notifications.length") == 0
    page.open_room(group["id"])
    # Shown by display name, the @username as its title.
    shown = "@" + name.capitalize() + " can you check the plan?"
    page.wait(lambda d: message_item(page, shown), message=f"the mention did not arrive: {page.stored_messages()}")
    def marked(d):
        item = message_item(page, shown)
        mention = item.find_element("css selector", ".mention.mention-me")
        return ("mentions-me" in item.get_attribute("class")
                and mention.text == "@" + name.capitalize() and mention.get_attribute("title") == "@" + name
                and item.find_element("css selector", "strong").text == "the plan")
    page.wait(marked, message="the mention is not marked")
    page.wait(lambda d: not d.find_elements("css selector", badge), message="the badge stayed after reading")
    page.wait(lambda d: d.title == "MicroChat", message="the title kept a count")
    page.screenshot(screenshots, "13-mention")
    # Hidden tab: a mention in the group and a direct message notify; a plain group message does not.
    page.driver.execute_script(HIDE_TAB)
    b.post(group["id"], "just chatting")
    b.post(group["id"], f"@{name} again")
    b.post(other, "a direct word")
    wait_until(lambda: page.driver.execute_script("return window.__notifications.length") == 2, message="expected two notifications")
    notes = page.driver.execute_script("return window.__notifications")
    assert [n["body"] for n in notes] == [f"@{name} again", "a direct word"]
    assert notes[0]["title"].endswith("in Planning") and notes[0]["tag"] == group["id"]
    # Muted: no notification, and its unread messages leave the title.
    page.driver.execute_script("Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });")
    page.open_room(other)
    page.open_room(group["id"])
    page.click("#mute-button")
    page.wait(lambda d: d.find_element("id", "mute-button").get_attribute("aria-pressed") == "true", message="not muted")
    page.open_room(other)
    page.driver.execute_script(HIDE_TAB)
    b.post(group["id"], f"@{name} muted now")
    page.wait(lambda d: d.find_elements("css selector", f'.room-item.muted[data-room-id="{group["id"]}"] .mention-badge'),
              message="the muted room's mention was not counted")
    assert page.driver.execute_script("return window.__notifications.length") == 2
    assert page.driver.title == "MicroChat"
    listed = b.call("GET", "/api/rooms").json()  # b's own view is unaffected by a's mute
    assert all(room.get("muted") is False for room in listed["rooms"])


def test_search_finds_an_old_message_and_opens_the_room_at_it(browsers, ui_url, screenshots):
    other = ApiUser(ui_url, unique("so"))
    page = browsers()
    page.register(unique("sr"))
    room_id = page.start_direct_chat(other.username)
    word = "zq" + uuid.uuid4().hex[:8]
    target = other.post(room_id, f"The {word} report is ready for review")
    for n in range(45):
        other.post(room_id, f"later message {n}")
    # Read here as they came (the room was open): once the server has the read marker, the
    # room opens afresh at its newest page, not at a first unread message. The server is
    # asked (as the other person sees the room), not the page's own bookkeeping.
    me_id = page.driver.execute_script("return window.microchat.store.me.id")

    def server_read_seq():
        room = other.call("GET", f"/api/rooms/{room_id}").json()
        return next(p.get("lastReadSeq", 0) for p in room["participants"] if p["userId"] == me_id)

    try:
        page.wait(lambda d: server_read_seq() >= 46, timeout=60)
    except TimeoutException:
        state = page.driver.execute_script(
            "const s = window.microchat.store, r = s.rooms.get(arguments[0]);"
            "return {newest: s.timeline(arguments[0]).newestSeq, readSeq: s.readSeq(arguments[0]),"
            " reading: [...s.reading], unread: r.unreadCount}", room_id)
        raise AssertionError(f"the server never had the read marker at 46 (it has {server_read_seq()}); "
                             f"the page: {state}; console: {page.console_errors()}")
    # Opened afresh, the room loads only its newest page: the hit is not on screen.
    page.driver.refresh()
    page.wait(lambda d: "later message 44" in [t for _, t in page.stored_messages()], message="the messages did not arrive")
    shown_ids = "return [...document.querySelectorAll('#timeline li.message')].map(li => li.dataset.id)"
    assert target["id"] not in page.driver.execute_script(shown_ids), page.console_errors()
    page.type_into("#search-input", word)
    page.click("#search-button")
    # The results re-render (the hit's mark, live events): each look finds the hit afresh.
    hit_css = f'.search-hit[data-message-id="{target["id"]}"]'
    page.wait(lambda d: d.find_element("css selector", f"{hit_css} mark").text == word, message="the hit does not mark the word")
    page.wait(lambda d: not d.find_element("id", "room-list").is_displayed(), message="the room list stayed beside the results")
    page.screenshot(screenshots, "14-search")
    page.click(hit_css)
    page.wait(lambda d: d.find_elements("css selector", f'#timeline[data-revealed="{target["id"]}"] li.message[data-id="{target["id"]}"]'),
              message="not opened at the hit")
    seqs = [seq for seq, _ in page.stored_messages()]
    assert seqs == sorted(seqs) and seqs == list(range(seqs[0], seqs[-1] + 1)), "the history around the hit has a gap"
    page.wait(lambda d: d.find_element("id", "room-list").is_displayed(), message="the room list did not come back")
    # The newest messages are one click away.
    page.click("#jump-to-bottom")
    page.wait(lambda d: "later message 44" in [t for _, t in page.stored_messages()], message="not back to the latest")
    # Nothing for words nobody wrote, said so.
    page.type_into("#search-input", "zq" + uuid.uuid4().hex[:8])
    page.click("#search-button")
    page.wait(lambda d: "No messages match" in d.find_element("id", "search-status").text, message="no word for an empty search")


def test_muting_in_one_tab_shows_in_the_other(browsers, ui_url):
    other = ApiUser(ui_url, unique("mo"))
    first, second = browsers(), browsers()
    name = unique("mt")
    first.register(name)
    room_id = first.start_direct_chat(other.username)
    second.login(name)
    second.wait(lambda d: d.find_elements("css selector", f'.room-item[data-room-id="{room_id}"]'), message="room not listed")
    first.click("#mute-button")
    first.wait(lambda d: d.find_element("id", "mute-button").get_attribute("aria-pressed") == "true", message="not muted")
    second.wait(lambda d: d.find_elements("css selector", f'.room-item.muted[data-room-id="{room_id}"]'),
                message="the other tab does not show the room muted")
    second.open_room(room_id)
    assert second.find("#mute-button").text == "Unmute"
