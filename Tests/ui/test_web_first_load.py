"""The first screen in few round trips (issue 24, item 7): a reload straight into
a conversation shows its newest message after three round trips — the page; every
module, the style sheet and the configuration at once; everything the page starts
with (me, rooms, contacts, invitations, blocks and the named room's messages) at
once — and asks for nothing twice."""
import os
import sys

from conftest import ApiUser, make_contacts, unique

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from first_screen import emulate_latency, first_screen, install_probe  # noqa: E402

LATENCY_MS = 600


def test_a_reload_into_a_room_shows_its_messages_in_three_round_trips(browsers, ui_url):
    name = unique("fs")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("fso"))
    make_contacts(me, other)
    room_id = other.direct_room(me.id)
    other.post(room_id, "waiting for you")
    page = browsers()
    page.login(name)
    page.open_room(room_id)
    page.wait_for_text("waiting for you")

    install_probe(page.driver)
    emulate_latency(page.driver, LATENCY_MS)
    page.driver.refresh()
    page.wait(lambda d: first_screen(d, LATENCY_MS), timeout=60, message="no message showed after the reload")
    screen = first_screen(page.driver, LATENCY_MS)
    trips = screen["roundTrips"]
    summary = " → ".join(f"[{', '.join(url.split('/', 3)[-1] or '/' for url in wave)}]" for wave in trips)
    print(f"first message after {screen['firstMessageMs']:.0f} ms at {LATENCY_MS} ms per request: {len(trips)} round trips asked "
          f"({len(screen['sentWaves'])} as sent over HTTP/1.1's six connections): {summary}")
    assert len(trips) <= 3, f"{len(trips)} round trips before the first message: {summary}"
    api = [r["url"].split("/", 3)[-1] for r in screen["requests"] if "/api/" in r["url"]]
    assert len(api) == len(set(api)), f"asked for twice: {sorted(api)}"
    assert sum(f"api/rooms/{room_id}/messages" in url for url in api) == 1, api
    emulate_latency(page.driver, 0)
    assert not page.console_errors()
