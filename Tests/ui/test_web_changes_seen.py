"""What a person sees when things change around them (issue 15, page items
2–4): a word when they are removed from the room they look at, timeline lines
for joins, departures and renames, a send the server does not answer marked
"not sent" with Retry and a banner, and others' new names without a reload."""
from conftest import ApiUser, unique, wait_until


def system_lines(page):
    return page.driver.execute_script("return [...document.querySelectorAll('#timeline li.system-line')].map(li => li.textContent)")


def test_joins_departures_renames_and_ones_own_removal_are_said(browsers, ui_url):
    owner = ApiUser(ui_url, unique("ow"))
    newcomer = ApiUser(ui_url, unique("nc"))
    page = browsers()
    name = unique("rm")
    page.register(name)
    me = page.driver.execute_script("return window.microchat.store.me.id")
    room = owner.call("POST", "/api/rooms", json={"roomType": "group", "name": "Book club", "participantIds": [me]}).json()
    page.wait(lambda d: d.find_elements("css selector", f'.room-item[data-room-id="{room["id"]}"]'), message="room not listed")
    page.open_room(room["id"])
    owner.post(room["id"], "welcome")
    page.wait_for_text("welcome")
    assert owner.call("POST", f"/api/rooms/{room['id']}/participants", json={"userId": newcomer.id}).status_code == 201
    o, n = owner.username.capitalize(), newcomer.username.capitalize()
    page.wait(lambda d: system_lines(page) == [f"{o} added {n}"], message="no line for the join")
    assert owner.call("PATCH", f"/api/rooms/{room['id']}", json={"name": "Reading group"}).status_code == 200
    page.wait(lambda d: system_lines(page)[-1:] == [f"{o} renamed the conversation “Reading group”"], message="no rename line")
    assert owner.call("DELETE", f"/api/rooms/{room['id']}/participants/{newcomer.id}").status_code == 204
    page.wait(lambda d: system_lines(page)[-1:] == [f"{o} removed {n}"], message="no line for the removal")
    # They are the room's record, not the page's: a reload shows them again, in place.
    page.driver.refresh()
    page.wait_for_text("welcome")
    page.wait(lambda d: system_lines(page) == [f"{o} added {n}", f"{o} renamed the conversation “Reading group”", f"{o} removed {n}"],
              message="the lines did not survive a reload")
    # The room list previews the latest change, and it does not count as unread.
    item = f'.room-item[data-room-id="{room["id"]}"]'
    page.wait(lambda d: d.find_element("css selector", f"{item} .room-preview").text == f"{o} removed {n}"
              and not d.find_elements("css selector", f"{item} .unread-badge"), message="the room list counts or misnames the change")
    # Now I am removed while looking at the room: the page says so instead of silently closing it.
    assert owner.call("DELETE", f"/api/rooms/{room['id']}/participants/{me}").status_code == 204
    notice = page.visible("#room-notice")
    assert "Reading group" in notice.text and "no longer in" in notice.text
    assert not page.find_all(f'.room-item[data-room-id="{room["id"]}"]'), page.console_errors()


def test_a_send_the_server_never_answers_is_marked_not_sent_and_retried(browsers, ui_url):
    other = ApiUser(ui_url, unique("to"))
    page = browsers()
    page.register(unique("ts"))
    room_id = page.start_direct_chat(other.username)
    # chat-service hangs: requests to it get no answer at all (until the page gives up on them).
    page.driver.execute_script("""
        window.__realFetch = window.fetch;
        window.fetch = (url, options) => String(url).includes('/api/rooms')
          ? new Promise((resolve, reject) => options.signal && options.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))
          : window.__realFetch(url, options);""")
    page.send("into the void")
    page.visible("#timeline li.message.pending")
    page.wait(lambda d: any("Not sent" in li.text for li in d.find_elements("css selector", "#timeline li.message.failed")),
              timeout=20, message="still Sending…")
    page.visible("#banner")
    # The server answers again: the banner goes, and Retry sends it once.
    page.driver.execute_script("window.fetch = window.__realFetch")
    page.wait(lambda d: not d.find_element("id", "banner").is_displayed(), timeout=30, message="the banner stayed")
    page.click("#timeline li.message.failed button.retry-message")
    page.wait_for_text("into the void")
    wait_until(lambda: not page.find_all("#timeline li.message.pending"), message="the pending copy stayed")
    stored = other.call("GET", f"/api/rooms/{room_id}/messages").json()["messages"]
    assert [m["content"] for m in stored] == ["into the void"]


def test_a_new_display_name_shows_without_a_reload(browsers, ui_url):
    other = ApiUser(ui_url, unique("dn"))
    page = browsers()
    page.register(unique("dv"))
    room_id = page.start_direct_chat(other.username)
    other.post(room_id, "hello")
    page.wait_for_text("hello")
    assert page.find("#room-title").text == other.username.capitalize()
    assert other.call("PATCH", "/api/users/me", json={"displayName": "Completely New Name"}).status_code == 200
    page.wait(lambda d: d.find_element("id", "room-title").text == "Completely New Name", message="the header kept the old name")
    page.wait(lambda d: "Completely New Name" in [e.text for e in d.find_elements("css selector", ".room-item .room-name")],
              message="the room list kept the old name")
    senders = [e.text for e in page.find_all("#timeline .message-sender")]
    assert senders == ["Completely New Name"]
