"""The timeline as a window of messages by seq (issue 24): a jump to an old
message and the way back never show missing messages as continuous — a gap
marker sits wherever the page does not hold every message between two it
shows, until scrolling loads them."""
import uuid

from conftest import ApiUser, unique, wait_until
from test_web_accessibility import audit

# Every message and gap marker of the timeline, in the order shown.
TIMELINE = """
return [...document.querySelectorAll('#timeline > li')].flatMap((li) => {
  if (li.classList.contains('gap-marker')) return [['gap', 0]];
  if (li.matches('li.message[data-state=stored], li.system-line')) return [['m', Number(li.dataset.seq)]];
  return [];
});
"""

SCROLLER = "return document.getElementById('timeline-scroller')"


def shown(page):
    return page.driver.execute_script(TIMELINE)


def assert_no_hidden_gap(page, last_seq):
    """Between two messages shown one after the other, either every seq between them is
    there (they are neighbours) or a gap marker sits between them."""
    entries = shown(page)
    previous = None
    for kind, seq in entries:
        if kind == "gap":
            previous = None
            continue
        if previous is not None:
            assert seq == previous + 1, f"{previous} and {seq} are shown as neighbours: {compact(entries)}"
        previous = seq
    seqs = [seq for kind, seq in entries if kind == "m"]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), f"out of order or twice: {compact(entries)}"
    assert all(1 <= seq <= last_seq for seq in seqs)


def compact(entries):
    """[1, 2, 3, gap, 7] as '1-3 | 7', for messages that say what was shown."""
    parts, run = [], []
    for kind, seq in entries + [("gap", 0)]:
        if kind == "gap":
            if run:
                parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
            parts.append("|")
            run = []
        else:
            run.append(seq)
    return " ".join(parts[:-1])


def test_a_jump_to_an_old_message_and_back_never_shows_a_gap_as_continuous(browsers, ui_url):
    name = unique("gap")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("gpo"))
    room_id = other.direct_room(me.id)
    word = "zq" + uuid.uuid4().hex[:8]
    posted = [other.post(room_id, f"{word} is in number 47" if n == 47 else f"number {n}") for n in range(1, 301)]
    assert [m["seq"] for m in posted] == list(range(1, 301))
    # Everything read: the room opens at its newest messages.
    answer = me.call("POST", f"/api/rooms/{room_id}/read", json={"messageId": posted[-1]["id"]})
    assert answer.status_code == 200, answer.text

    page = browsers(1280, 760)
    page.login(name)
    page.open_room(room_id)
    page.wait(lambda d: "number 300" in [t for _, t in page.stored_messages()], message="the newest page did not load")
    assert_no_hidden_gap(page, 300)

    # Jump to #47 through search.
    page.type_into("#search-input", word)
    page.click("#search-button")
    page.click(f'.search-hit[data-message-id="{posted[46]["id"]}"]')
    page.wait(lambda d: d.find_elements("css selector", f'#timeline[data-revealed="{posted[46]["id"]}"] li.message[data-id="{posted[46]["id"]}"]'),
              message="not opened at #47")
    assert_no_hidden_gap(page, 300)

    # A new message while reading the old stretch: shown, but not as the one after #77.
    other.post(room_id, "number 301")
    page.wait(lambda d: "number 301" in [t for _, t in page.stored_messages()], message="the live message did not arrive")
    assert_no_hidden_gap(page, 301)
    assert ["gap", 0] in shown(page)
    audit(page, "a timeline with a gap marker")

    # Scrolling down loads the newer messages, page by page, until no gap is left.
    for _ in range(60):
        assert_no_hidden_gap(page, 301)
        state = page.driver.execute_script("""
            const s = document.getElementById('timeline-scroller');
            const marker = document.querySelector('#timeline .gap-marker');
            const drawn = [...document.querySelectorAll('#timeline li.message[data-state=stored]')].at(-1);
            const newest = window.microchat.store.timeline(arguments[0]).newestSeq;
            return { bottom: s.scrollHeight - s.scrollTop - s.clientHeight < 5, after: marker ? marker.dataset.after : null,
                     allDrawn: Number(drawn?.dataset.seq) === newest };""", room_id)
        if state["after"] is None and state["bottom"] and state["allDrawn"]:
            break
        if state["after"] is None:
            page.driver.execute_script("const s = arguments[0]; s.scrollTop = s.scrollHeight", page.find("#timeline-scroller"))
            continue
        # Down to the marker, as a reader scrolling down reaches it: it loads what follows the stretch above it.
        page.driver.execute_script("""
            const s = document.getElementById('timeline-scroller');
            const marker = document.querySelector('#timeline .gap-marker');
            s.scrollTop += marker.getBoundingClientRect().bottom - s.getBoundingClientRect().bottom + 10;""")
        page.wait(lambda d: d.execute_script(
            "const m = document.querySelector('#timeline .gap-marker'); return m ? m.dataset.after : null") != state["after"],
            message=f"the gap after {state['after']} did not load as it came into view: {compact(shown(page))}")
    else:
        raise AssertionError(f"still gaps after scrolling: {compact(shown(page))}")
    seqs = [seq for kind, seq in shown(page) if kind == "m"]
    assert seqs == list(range(seqs[0], 302)), compact(shown(page))
    # The page draws a bounded stretch (the oldest drawn were let go on the way down), but
    # holds every message from #47 on, with no gap.
    assert len(seqs) <= 200, f"{len(seqs)} message items drawn"
    held = page.driver.execute_script("return window.microchat.store.timeline(arguments[0]).entries()"
                                      ".map((e) => e.kind === 'gap' ? 'gap' : e.message.seq)", room_id)
    assert "gap" not in held[held.index(47):] and held[held.index(47):] == list(range(47, 302)), held
    assert not page.console_errors()


def test_following_a_quote_far_back_then_scrolling_down_fills_the_gap(browsers, ui_url):
    """A quoted original far back is loaded beside the newest page; reading on down
    from it loads what lies between, and nothing is ever shown as continuous before."""
    name = unique("gpn")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("gpm"))
    room_id = other.direct_room(me.id)
    posted = [other.post(room_id, f"line {n}") for n in range(1, 101)]
    reply = other.call("POST", f"/api/rooms/{room_id}/messages", json={
        "content": "about line 5", "messageType": "text", "clientMessageId": str(uuid.uuid4()), "replyToId": posted[4]["id"]})
    assert reply.status_code == 201, reply.text
    me.call("POST", f"/api/rooms/{room_id}/read", json={"messageId": reply.json()["id"]})
    page = browsers(1280, 760)
    page.login(name)
    page.open_room(room_id)
    page.wait(lambda d: "about line 5" in [t for _, t in page.stored_messages()], message="the reply did not load")
    page.click_in_row("#timeline li.message", lambda row: "about line 5" in row.text, ".reply-quote")
    page.wait(lambda d: d.find_element("id", "timeline").get_attribute("data-revealed") == posted[4]["id"], message="not at the original")
    assert_no_hidden_gap(page, 101)

    def scrolled_down_to_the_end():
        assert_no_hidden_gap(page, 101)
        return page.driver.execute_script("""
            const s = document.getElementById('timeline-scroller');
            s.scrollTop += 250;
            return s.scrollHeight - s.scrollTop - s.clientHeight < 5 && !document.querySelector('#timeline .gap-marker');""")
    wait_until(scrolled_down_to_the_end, timeout=60, message=f"scrolling down did not load the rest: {compact(shown(page))}")
    seqs = [seq for kind, seq in shown(page) if kind == "m"]
    assert seqs[-1] == 101 and seqs == list(range(seqs[0], 102)), compact(shown(page))
