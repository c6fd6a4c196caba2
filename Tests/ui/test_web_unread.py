"""Unread done properly (issue 24): a room with unread messages opens at the
first of them under "New messages"; messages count as read only once they were
on screen; after a reload straight into #room/<id> the badges and the tab title
agree with the server; "Seen" sits under the message it is about."""
from conftest import ApiUser, unique, wait_until
from test_web_accessibility import audit


def server_unread(user):
    """{roomId: unreadCount} as the server has it for `user`."""
    answer = user.call("GET", "/api/rooms")
    assert answer.status_code == 200, answer.text
    return {room["id"]: room.get("unreadCount", 0) for room in answer.json()["rooms"]}


def page_badges(page):
    """{roomId: the number on its unread badge} (rooms without one: 0)."""
    return page.driver.execute_script("""
        return Object.fromEntries([...document.querySelectorAll('.room-item')].map((item) => {
          const badge = item.querySelector('.unread-badge');
          return [item.dataset.roomId, badge ? Number(badge.textContent) : 0];
        }));""")


def read_seq_of(user, room_id, reader_id):
    room = user.call("GET", f"/api/rooms/{room_id}").json()
    return next(p.get("lastReadSeq", 0) for p in room["participants"] if p["userId"] == reader_id)


def frames(page, count=3):
    """Lets the page render and its IntersectionObservers report (they do so after layout)."""
    page.driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; let n = arguments[0];"
        "const step = () => (n-- > 0 ? requestAnimationFrame(step) : setTimeout(done, 50)); step();", count)


def test_a_room_opens_at_the_first_unread_message_and_reads_only_what_was_on_screen(browsers, ui_url):
    name = unique("unr")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("uno"))
    room_id = other.direct_room(me.id)
    posted = [other.post(room_id, f"note {n}") for n in range(1, 81)]
    me.call("POST", f"/api/rooms/{room_id}/read", json={"messageId": posted[19]["id"]})  # read up to #20
    assert server_unread(me)[room_id] == 60

    page = browsers(1280, 700)
    page.login(name)
    page.open_room(room_id)
    # The divider sits right above #21, and #21 is at the top of the view.
    page.wait(lambda d: d.execute_script("""
        const divider = document.getElementById('unread-divider');
        const next = divider && divider.nextElementSibling;
        if (!next || next.dataset.seq !== '21') return false;
        const s = document.getElementById('timeline-scroller').getBoundingClientRect();
        const top = divider.getBoundingClientRect().top - s.top;
        return top >= -2 && top < s.height / 3;"""), message="not opened at the first unread message under 'New messages'")
    assert page.find("#unread-divider").text == "New messages"
    # What was on screen is read; what lies below it is not.
    wait_until(lambda: read_seq_of(other, room_id, me.id) > 20, message="nothing on screen was marked read")
    frames(page)
    seen = read_seq_of(other, room_id, me.id)
    visible = page.driver.execute_script("""
        const s = document.getElementById('timeline-scroller').getBoundingClientRect();
        return Math.max(...[...document.querySelectorAll('#timeline li.message')]
          .filter((li) => { const r = li.getBoundingClientRect(); return r.top < s.bottom && r.bottom > s.top; })
          .map((li) => Number(li.dataset.seq)));""")
    assert 20 < seen <= visible < 80, (seen, visible)
    # The badge and the title say what the server says is left.
    wait_until(lambda: page_badges(page).get(room_id) == server_unread(me)[room_id] == 80 - seen,
               message=f"badge {page_badges(page).get(room_id)} vs server {server_unread(me)[room_id]}")
    assert page.driver.title == f"({80 - seen}) MicroChat"
    # (axe scrolls while it checks: after the reading checks.)
    audit(page, "a room opened at its first unread message")
    # Reading on down reads the rest.
    wait_until(lambda: page.driver.execute_script(
        "const s = document.getElementById('timeline-scroller'); s.scrollTop += 300;"
        "return s.scrollHeight - s.scrollTop - s.clientHeight < 5") and server_unread(me)[room_id] == 0,
        timeout=30, message="scrolling to the end did not read everything")
    page.wait(lambda d: not d.find_elements("css selector", f'.room-item[data-room-id="{room_id}"] .unread-badge'), message="badge stayed")
    page.wait(lambda d: d.title == "MicroChat")


def test_a_message_arriving_while_scrolled_up_stays_unread_and_unseen(browsers, ui_url):
    name = unique("usu")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("uso"))
    room_id = other.direct_room(me.id)
    posted = [other.post(room_id, f"backlog {n}") for n in range(1, 61)]
    me.call("POST", f"/api/rooms/{room_id}/read", json={"messageId": posted[-1]["id"]})
    page = browsers(1280, 700)
    page.login(name)
    page.open_room(room_id)
    page.wait(lambda d: "backlog 60" in [t for _, t in page.stored_messages()])
    page.driver.execute_script("document.getElementById('timeline-scroller').scrollTop = 0")
    late = other.post(room_id, "while you read old ones")
    page.wait(lambda d: "while you read old ones" in [t for _, t in page.stored_messages()], message="the message did not arrive")
    frames(page)
    # Not on screen: not read (the sender would see "Seen"), and counted on the room's badge.
    assert read_seq_of(other, room_id, me.id) == 60
    page.wait(lambda d: d.find_element("css selector", f'.room-item[data-room-id="{room_id}"] .unread-badge').text == "1",
              message="the room does not count the message not seen yet")
    assert server_unread(me)[room_id] == 1
    page.click("#jump-to-bottom")
    wait_until(lambda: read_seq_of(other, room_id, me.id) == late["seq"], message="seen, but not marked read")
    page.wait(lambda d: not d.find_elements("css selector", f'.room-item[data-room-id="{room_id}"] .unread-badge'), message="badge stayed")


def test_a_reload_into_a_room_shows_the_servers_counts_and_a_link_opens_its_room(browsers, ui_url):
    name = unique("url")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("uro"))
    quiet = other.direct_room(me.id)
    group = other.call("POST", "/api/rooms", json={"roomType": "group", "name": "Busy", "participantIds": [me.id]}).json()["id"]
    for n in range(5):
        other.post(quiet, f"quiet {n}")
    for n in range(50):
        other.post(group, f"busy {n}")
    page = browsers(1280, 700)
    page.login(name)
    page.wait(lambda d: page_badges(page).get(quiet) == 5 and page_badges(page).get(group) == 50, message=str(page_badges(page)))
    # A #room/<id> link followed on the open page opens that room.
    page.driver.get(f"{ui_url}/#room/{group}")
    page.wait(lambda d: d.find_element("id", "room-view").get_attribute("data-room-id") == group, message="the link did not open the room")
    # Reloaded straight into the room: the page agrees with the server, badges and title.
    page.driver.refresh()
    page.wait_connected()
    page.wait(lambda d: d.find_element("id", "room-view").get_attribute("data-room-id") == group, message="the reload left the room")
    page.wait(lambda d: d.find_elements("id", "unread-divider"), message="no 'New messages' line")

    def agree():
        frames(page)
        server = server_unread(me)
        badges = page_badges(page)
        total = sum(server.values())
        return (badges.get(quiet) == server[quiet] == 5 and badges.get(group) == server[group]
                and page.driver.title == (f"({total}) MicroChat" if total else "MicroChat"))
    wait_until(agree, timeout=20, message=f"page {page_badges(page)} / {page.driver.title!r} vs server {server_unread(me)}")


def test_seen_sits_under_the_message_it_is_about_with_who_saw_it_in_groups(browsers, ui_url):
    name = unique("sn")
    me = ApiUser(ui_url, name)
    ann, bob = ApiUser(ui_url, unique("sna")), ApiUser(ui_url, unique("snb"))
    group = me.call("POST", "/api/rooms", json={"roomType": "group", "name": "Readers", "participantIds": [ann.id, bob.id]}).json()["id"]
    page = browsers()
    page.login(name)
    page.open_room(group)
    page.send("first of mine")
    page.wait_for_text("first of mine")
    page.send("second of mine")
    page.wait_for_text("second of mine")
    first, second = sorted(seq for seq, text in page.stored_messages() if text.endswith("of mine"))
    ids = dict(page.driver.execute_script(
        "return [...document.querySelectorAll('#timeline li.message')].map(li => [li.dataset.seq, li.dataset.id])"))
    # Ann read both, Bob only the first: "Seen by" under the second names Ann only.
    ann.call("POST", f"/api/rooms/{group}/read", json={"messageId": ids[str(second)]})
    bob.call("POST", f"/api/rooms/{group}/read", json={"messageId": ids[str(first)]})
    under = "const s = document.getElementById('seen-by'); return s && [s.previousElementSibling.dataset.seq, s.textContent]"
    page.wait(lambda d: d.execute_script(under) == [str(second), f"Seen by {ann.username.capitalize()}"],
              message=f"seen line: {page.driver.execute_script(under)}")


def test_a_burst_of_messages_at_the_bottom_is_followed_and_read(browsers, ui_url):
    """Watching a room at its newest message while many come at once (faster than frames):
    the view follows every one of them and they are all read, nothing left unread on screen."""
    other = ApiUser(ui_url, unique("bu"))
    page = browsers(1280, 760)
    page.register(unique("bur"))
    room_id = page.start_direct_chat(other.username)
    for n in range(40):
        other.post(room_id, f"burst {n}")
    page.wait_for_text("burst 39")
    state = """const v = window.microchat.screen.room, s = v.scroller, st = window.microchat.store;
               return { bottom: s.scrollHeight - s.scrollTop - s.clientHeight, read: st.readSeq(arguments[0]),
                        newest: st.timeline(arguments[0]).newestSeq, unread: st.rooms.get(arguments[0]).unreadCount };"""
    page.wait(lambda d: d.execute_script(state, room_id)["bottom"] < 5, message=f"the view stopped following: {page.driver.execute_script(state, room_id)}")
    page.wait(lambda d: (lambda s: s["read"] == s["newest"] and s["unread"] == 0)(d.execute_script(state, room_id)),
              message=f"messages on screen left unread: {page.driver.execute_script(state, room_id)}")
    assert page.find("#jump-to-bottom").get_attribute("hidden") is not None, "a new-messages button while at the bottom"
