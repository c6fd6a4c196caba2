"""A long history drawn as a bounded stretch (issue 24, item 6): the store holds
every message loaded, the timeline draws at most 200 of them around what is
read, scrolling past either end draws more (and lets the far end go), and the
way back to the newest is offered while they are not drawn."""
from conftest import ApiUser, unique, wait_until

DRAWN_MAX = 200

STATE = """
const s = document.getElementById('timeline-scroller');
const items = [...document.querySelectorAll('#timeline li.message[data-state=stored]')].map((li) => Number(li.dataset.seq));
return { items, top: s.scrollTop, bottom: s.scrollHeight - s.scrollTop - s.clientHeight,
         held: window.microchat.store.timeline(arguments[0]).messages.length,
         beginning: document.getElementById('older-status').textContent,
         jump: document.getElementById('jump-to-bottom').hidden ? null : document.getElementById('jump-to-bottom').textContent };
"""


def test_a_long_history_is_drawn_as_a_bounded_stretch_that_follows_the_reader(browsers, ui_url):
    name = unique("drw")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("drwo"))
    room_id = other.direct_room(me.id)
    posted = [other.post(room_id, f"line {n}") for n in range(1, 361)]
    me.call("POST", f"/api/rooms/{room_id}/read", json={"messageId": posted[-1]["id"]})
    page = browsers(1280, 760)
    page.login(name)
    page.open_room(room_id)
    page.wait(lambda d: "line 360" in [t for _, t in page.stored_messages()], message="the newest page did not load")
    state = lambda: page.driver.execute_script(STATE, room_id)

    # Scrolling up draws older messages, then loads them, to the very beginning.
    def scrolled_to_the_beginning():
        now = state()
        assert len(now["items"]) <= DRAWN_MAX, f"{len(now['items'])} items drawn"
        assert now["items"] == list(range(now["items"][0], now["items"][-1] + 1)), "drawn items out of order or missing"
        if now["items"][0] == 1 and "beginning" in now["beginning"]:
            return True
        page.driver.execute_script("document.getElementById('timeline-scroller').scrollTop = 0")
        return False
    wait_until(scrolled_to_the_beginning, timeout=90, message=f"scrolling up did not reach line 1: {state()}")
    now = state()
    assert now["held"] == 360, "the store holds every message loaded"
    assert now["items"][-1] < 360 - 60 and len(now["items"]) <= DRAWN_MAX, "the newest drawn were not let go at the top"
    page.wait(lambda d: state()["jump"] == "↓ Jump to the latest messages", message="no way back to the newest")

    # A message arriving meanwhile is held, not drawn at the far end of what is read.
    other.post(room_id, "line 361")
    wait_until(lambda: state()["held"] == 361, message="the live message was not held")
    assert 361 not in state()["items"]

    # Scrolling down draws the newer ones, and the oldest drawn go.
    def scrolled_to_the_end():
        now = state()
        assert len(now["items"]) <= DRAWN_MAX, f"{len(now['items'])} items drawn"
        assert now["items"] == list(range(now["items"][0], now["items"][-1] + 1))
        if now["items"][-1] == 361 and now["bottom"] < 5:
            return True
        page.driver.execute_script("const s = document.getElementById('timeline-scroller'); s.scrollTop = s.scrollHeight")
        return False
    wait_until(scrolled_to_the_end, timeout=90, message=f"scrolling down did not reach line 361: {state()}")
    assert state()["items"][0] > 361 - DRAWN_MAX
    page.wait(lambda d: state()["jump"] is None, message="the way back stayed offered at the newest")

    # From the top again, the jump button brings the newest back at once.
    wait_until(scrolled_to_the_beginning, timeout=90, message="scrolling up again did not reach line 1")
    page.click("#jump-to-bottom")
    page.wait(lambda d: state()["items"][-1:] == [361] and state()["bottom"] < 5, message="the jump did not bring the newest back")
    assert len(state()["items"]) <= DRAWN_MAX
    assert not page.console_errors()
