"""The page's side of WebSocket tickets, invitations and blocks, in real
headless Chromium: the socket opens with a fresh single-use ticket and never
with the access token in its address; an invitation from a stranger shows up
live in the sidebar, Decline drops it, Accept joins and opens the room;
starting a chat or a group with strangers says who was invited; blocking
someone from a direct room's header lists them under "Blocked people" in the
profile, the server refuses them, and Unblock there empties the list."""
from urllib.parse import parse_qs, urlparse

import pytest
import websocket
from selenium.webdriver.common.by import By

from conftest import ApiUser, unique, wait_until

# The people here are strangers to each other: that is what invitations and blocks are about.
pytestmark = pytest.mark.strangers

# Runs before the page's own scripts: remembers the address of every WebSocket the page opens.
SOCKET_SPY = """
(() => {
  const Real = window.WebSocket;
  window.__socketUrls = [];
  window.WebSocket = new Proxy(Real, {
    construct(target, args) { window.__socketUrls.push(String(args[0])); return Reflect.construct(target, args); },
  });
})();"""


def my_id(page):
    return page.driver.execute_script("return window.microchat.store.me.id")


def access_token(page):
    return page.driver.execute_script("return JSON.parse(localStorage.getItem('microchat.session')).accessToken")


def socket_urls(page):
    return page.driver.execute_script("return window.__socketUrls || []")


def invitation_ids(page):
    """The room ids of the sidebar's invitations, in the order shown."""
    return page.driver.execute_script(
        "return [...document.querySelectorAll('#invitation-list li.invitation')].map(li => li.dataset.roomId)")


def invitation(room_id):
    return f'#invitation-list li.invitation[data-room-id="{room_id}"]'


def same_id(a, b):
    return str(a).lower() == str(b).lower()


def test_the_socket_opens_with_a_fresh_ticket_and_never_the_access_token(browsers, ui_url):
    page = browsers()
    page.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SOCKET_SPY})
    page.register(unique("tk"))
    tokens = {access_token(page)}
    # A reconnect fetches a new ticket too.
    page.driver.execute_script("window.microchat.socket.reconnectNow()")
    page.wait(lambda d: len(socket_urls(page)) >= 2
              and d.find_element(By.ID, "connection-status").get_attribute("data-state") == "online",
              message="the page did not reconnect")
    tokens.add(access_token(page))

    urls = socket_urls(page)
    tickets = []
    for url in urls:
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        assert parsed.path == "/api/ws", url
        assert set(query) == {"ticket"} and query["ticket"][0], f"the socket was not opened with a ticket alone: {url}"
        assert not any(token in url for token in tokens), "the access token is in the socket's address"
        tickets.append(query["ticket"][0])
    assert len(set(tickets)) == len(tickets), f"a ticket was used twice: {tickets}"

    # Each connect asked for its ticket over HTTP; no address the page fetched carries the token.
    names = page.driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert sum(urlparse(name).path == "/api/ws/tickets" for name in names) >= len(urls), names
    assert not [name for name in names if "access_token=" in name or any(token in name for token in tokens)]

    # A ticket opens one socket only: the page's first one, used again, is refused.
    sock = websocket.create_connection(ui_url.replace("http", "ws", 1) + "/api/ws?ticket=" + tickets[0], timeout=10)
    try:
        opcode, frame = sock.recv_data(control_frame=True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE and int.from_bytes(frame[:2], "big") == 4401
    finally:
        sock.close()
    assert not page.console_errors()


def test_an_invitation_from_a_stranger_shows_live_and_can_be_declined_then_accepted(browsers, ui_url, screenshots):
    alice = ApiUser(ui_url, unique("inva"))
    bob = browsers()
    bob.register(unique("invb"), "Bob Invitee")
    bob_id = my_id(bob)
    assert not bob.find_all("#invitation-list li.invitation") and not bob.find("#invitations").is_displayed()

    # Alice, who is not among Bob's contacts, adds him to her group: he is invited, not added.
    name = f"Ski trip {unique('t')}"
    created = alice.call("POST", "/api/rooms", json={"roomType": "group", "name": name, "participantIds": []})
    assert created.status_code == 201, created.text
    room_id = created.json()["id"]
    added = alice.call("POST", f"/api/rooms/{room_id}/participants", json={"userId": bob_id})
    assert added.status_code == 202, added.text
    assert same_id(added.json()["invitation"]["roomId"], room_id) and same_id(added.json()["invitation"]["userId"], bob_id)

    # It arrives live, with who invited, Accept and Decline, and a count.
    bob.wait(lambda d: d.find_elements(By.CSS_SELECTOR, invitation(room_id)), message="the invitation did not arrive live")
    bob.wait(lambda d: d.find_element(By.CSS_SELECTOR, f"{invitation(room_id)} .invitation-title").text == name,
             message="the invitation does not name the group")
    assert alice.username.capitalize() in bob.find(f"{invitation(room_id)} .invitation-from").text
    assert bob.find("#invitations-heading").text.startswith("Invitations")
    assert bob.find("#invitations-count").text == "1"
    assert bob.find(f"{invitation(room_id)} button.accept-invitation").is_displayed()
    assert bob.find(f"{invitation(room_id)} button.decline-invitation").is_displayed()
    assert not bob.find_all(f'.room-item[data-room-id="{room_id}"]'), "the room is listed before it was accepted"
    bob.screenshot(screenshots, "16-invitation")

    # Decline: the item goes, and Bob is not in the room.
    bob.click(f"{invitation(room_id)} button.decline-invitation")
    bob.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, invitation(room_id)), message="the declined invitation stayed")
    bob.wait(lambda d: not d.find_element(By.ID, "invitations").is_displayed(), message="the empty section stayed")
    members = alice.call("GET", f"/api/rooms/{room_id}").json()["participants"]
    assert not any(same_id(m["userId"], bob_id) for m in members)

    # Alice asks again, and starts a direct chat with him: two invitations, newest first.
    again = alice.call("POST", f"/api/rooms/{room_id}/participants", json={"userId": bob_id})
    assert again.status_code == 202, again.text
    bob.wait(lambda d: d.find_elements(By.CSS_SELECTOR, invitation(room_id)), message="the second invitation did not arrive")
    direct = alice.call("POST", "/api/rooms", json={"roomType": "direct", "participantIds": [bob_id]})
    assert direct.status_code == 201, direct.text
    direct_id = direct.json()["id"]
    assert any(same_id(user_id, bob_id) for user_id in direct.json()["invitedUserIds"])
    bob.wait(lambda d: invitation_ids(bob) == [direct_id, room_id], message=f"invitations shown: {invitation_ids(bob)}")
    # A direct room's invitation is named for the person who sent it.
    assert bob.find(f"{invitation(direct_id)} .invitation-title").text == alice.username.capitalize()
    assert bob.find("#invitations-count").text == "2"

    # They are loaded at start too.
    bob.driver.refresh()
    bob.wait_connected()
    bob.wait(lambda d: invitation_ids(bob) == [direct_id, room_id], message="the invitations did not survive a reload")

    # Accept opens the room; Bob reads and writes in it.
    bob.click(f"{invitation(room_id)} button.accept-invitation")
    bob.wait(lambda d: d.find_element(By.ID, "room-view").get_attribute("data-room-id") == room_id, message="Accept did not open the room")
    bob.wait(lambda d: d.find_element(By.ID, "room-title").text == name)
    bob.wait(lambda d: invitation_ids(bob) == [direct_id], message="the accepted invitation stayed")
    bob.wait(lambda d: d.find_elements(By.CSS_SELECTOR, f'.room-item[data-room-id="{room_id}"]'), message="the room is not listed")
    members = alice.call("GET", f"/api/rooms/{room_id}").json()["participants"]
    assert any(same_id(m["userId"], bob_id) for m in members)
    alice.post(room_id, "welcome to the trip")
    bob.wait_for_text("welcome to the trip")
    bob.send("count me in")
    bob.wait_for_text("count me in")
    stored = alice.call("GET", f"/api/rooms/{room_id}/messages").json()["messages"]
    assert "count me in" in [m["content"] for m in stored]
    bob.screenshot(screenshots, "17-invitation-accepted")
    assert not [entry for entry in bob.console_errors() if entry.get("source") != "network"]


def test_starting_a_chat_or_a_group_with_strangers_says_they_were_invited(browsers, ui_url, screenshots):
    stranger, other = ApiUser(ui_url, unique("ivs")), ApiUser(ui_url, unique("ivo"))
    page = browsers()
    page.register(unique("ivp"))
    room_id = page.start_direct_chat(stranger.username)
    page.wait(lambda d: d.find_element(By.ID, "room-title").text == stranger.username.capitalize(),
              message="the direct room is not named for the person invited")
    notice = page.visible("#invite-notice")
    assert notice.text.startswith("Invitation sent to") and stranger.username.capitalize() in notice.text
    assert any(same_id(item["room"]["id"], room_id) for item in stranger.invitations())

    page.click("#new-group-button")
    page.type_into("#group-name", "Strangers welcome")
    page.type_into("#group-search", other.username)
    page.click_person("#group-results", other.username, "button.add-member")
    page.click("#create-group")
    page.wait(lambda d: d.find_element(By.ID, "room-title").text == "Strangers welcome")
    page.wait(lambda d: other.username.capitalize() in d.find_element(By.ID, "invite-notice").text,
              message="no word that the group's member was invited")
    assert page.find("#room-subtitle").text.startswith("1 member")
    page.screenshot(screenshots, "18-invitation-sent")

    # Once the stranger accepts, the line goes.
    stranger.accept_invitation(room_id)
    page.open_room(room_id)
    page.wait(lambda d: not d.find_element(By.ID, "invite-notice").is_displayed(), message="the invitation line stayed after the accept")


def test_blocking_from_the_page_and_unblocking_from_the_profile(browsers, ui_url, screenshots):
    alice = ApiUser(ui_url, unique("blka"))
    alice_name = alice.username.capitalize()
    bob = browsers()
    bob.register(unique("blkb"))
    bob_id = my_id(bob)
    room_id = alice.direct_room(bob_id)
    bob.click(f"{invitation(room_id)} button.accept-invitation")
    bob.wait(lambda d: d.find_element(By.ID, "room-view").get_attribute("data-room-id") == room_id, message="Accept did not open the room")
    alice.post(room_id, "hello before the block")
    bob.wait_for_text("hello before the block")
    bob.wait(lambda d: d.find_element(By.ID, "room-title").text == alice_name)

    # Block, from the direct room's header, asks first.
    assert bob.find("#block-button").text == "Block"
    bob.click("#block-button")
    bob.visible("#confirm-dialog")
    assert alice_name in bob.find("#confirm-dialog-title").text
    bob.screenshot(screenshots, "19-block-confirm")
    bob.click("#confirm-yes")
    bob.wait(lambda d: not d.find_elements(By.ID, "confirm-dialog"), message="the confirmation stayed")
    bob.wait(lambda d: d.find_element(By.ID, "block-button").text == "Unblock", message="the header does not show the block")
    bob.wait(lambda d: d.find_element(By.ID, "room-subtitle").text == "blocked")
    # The conversation they share stays readable.
    assert "hello before the block" in [t for _, t in bob.stored_messages()]

    # The server refuses Alice both ways in.
    refused = alice.call("POST", "/api/rooms", json={"roomType": "direct", "participantIds": [bob_id]})
    assert refused.status_code == 403 and refused.json()["code"] == "blocked", refused.text
    refused = alice.call("POST", "/api/rooms", json={"roomType": "group", "name": "Sneaky", "participantIds": [bob_id]})
    assert refused.status_code == 403 and refused.json()["code"] == "blocked", refused.text

    # Bob trying to start a chat with her gets the server's word for it, not silence.
    bob.click("#new-chat-button")
    bob.type_into("#user-search", alice.username)
    bob.click_person("#user-results", alice.username, "button.start-chat")
    bob.wait(lambda d: d.find_element(By.ID, "new-chat-dialog-error").text.strip(), message="the refusal was not shown")
    assert bob.find("#new-chat-dialog").is_displayed()
    bob.click("#new-chat-dialog .dialog-header button.icon")
    bob.wait(lambda d: not d.find_elements(By.ID, "new-chat-dialog"))

    # The profile lists her under "Blocked people".
    bob.click("#profile-button")
    bob.visible("#blocked-people")
    assert bob.find("#blocked-heading").text == "Blocked people"
    rows = "#blocked-list li.blocked-person"
    bob.wait(lambda d: [same_id(li.get_attribute("data-user-id"), alice.id) for li in d.find_elements(By.CSS_SELECTOR, rows)] == [True],
             message="the blocked list does not show her")
    assert alice_name in bob.find(rows).text
    bob.screenshot(screenshots, "20-blocked-people")

    # Unblock there: the list is empty and says so; Alice may start a chat again.
    bob.click_in_row(rows, lambda li: same_id(li.get_attribute("data-user-id"), alice.id), "button.unblock-person")
    bob.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, rows), message="she stayed in the list")
    bob.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#blocked-list li.empty").text == "You have not blocked anyone.")
    bob.click("#profile-dialog .dialog-header button.icon")
    bob.wait(lambda d: d.find_element(By.ID, "block-button").text == "Block", message="the header still shows the block")
    wait_until(lambda: alice.call("POST", "/api/rooms", json={"roomType": "direct", "participantIds": [bob_id]}).status_code in (200, 201),
               message="Alice is still refused after the unblock")
    # (The refused start logs the 403 as a network error; nothing else may.)
    assert not [entry for entry in bob.console_errors() if entry.get("source") != "network"]
