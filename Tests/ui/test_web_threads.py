"""Threads in the page (issue 27, item 1): "Thread" on a message opens its
thread beside the room (a sheet on a phone); replies sent there stay out of the
room's timeline, the message that started it says "N replies · last …", and
replies from others arrive live in the open thread. Desktop and phone, axe-clean."""
import pytest

from conftest import ApiUser, make_contacts, unique
from test_web_accessibility import audit


def thread_texts(page):
    return [e.text for e in page.driver.find_elements("css selector", "#thread-replies .thread-message .message-content")]


@pytest.mark.strangers
def test_a_thread_opens_beside_the_room_and_keeps_its_replies(browsers, ui_url, screenshots):
    for width, height in ((1280, 860), (390, 760)):
        me = ApiUser(ui_url, unique("thm"))
        friend = ApiUser(ui_url, unique("thf"))
        make_contacts(me, friend)
        group = friend.call("POST", "/api/rooms", json={"roomType": "group", "name": "Trips", "participantIds": [me.id]}).json()
        root = friend.post(group["id"], "where shall we go in June?")
        friend.post(group["id"], "a later message in the room")
        page = browsers(width, height)
        page.login(me.username)
        page.open_room(group["id"])
        page.wait_for_text("a later message in the room")
        page.click_in_row("#timeline li.message", lambda li: "where shall we go" in li.text, "button.thread-message")
        page.visible("#thread-panel")
        page.wait(lambda d: thread_texts(page) == ["where shall we go in June?"], message="the thread did not show its first message")
        page.type_into("#thread-input", "the mountains")
        page.click("#thread-send")
        page.wait(lambda d: thread_texts(page) == ["where shall we go in June?", "the mountains"], message="my reply is not in the thread")
        # The room's timeline keeps it out, and the first message sums the thread up.
        assert "the mountains" not in [t for _, t in page.stored_messages()]
        page.wait(lambda d: any("1 reply" in b.text for b in d.find_elements("css selector", "#timeline button.thread-summary")),
                  message="the first message does not say it has a reply")
        # A reply from someone else arrives in the open thread.
        answer = friend.call("POST", f"/api/rooms/{group['id']}/messages", json={"content": "or the sea", "threadRootId": root["id"]})
        assert answer.status_code == 201, answer.text
        page.wait(lambda d: thread_texts(page)[-1:] == ["or the sea"], message="the live reply did not arrive in the thread")
        page.wait(lambda d: any("2 replies" in b.text for b in d.find_elements("css selector", "#timeline button.thread-summary")),
                  message="the summary did not count the live reply")
        assert page.find("#thread-follow").text == "Unfollow"  # replying followed it
        audit(page, f"an open thread at {width} px")
        page.screenshot(screenshots, f"38-thread-{width}")
        page.click("#thread-close")
        page.wait(lambda d: not d.find_element("id", "thread-panel").is_displayed(), message="the thread did not close")
        # The summary opens it again, with everything in it.
        page.click("#timeline button.thread-summary")
        page.wait(lambda d: thread_texts(page) == ["where shall we go in June?", "the mountains", "or the sea"], message="reopened thread incomplete")
        if width > 700:
            # Search finds a reply and opens its thread; the Threads list has the thread I follow.
            page.click("#thread-close")
            page.type_into("#search-input", "mountains")
            page.click("#search-button")
            page.click_in_row("#search-results li", lambda li: "mountains" in li.text, "button.search-hit")
            page.wait(lambda d: d.find_element("id", "thread-panel").is_displayed() and "the mountains" in thread_texts(page),
                      message="a search hit in a thread did not open the thread")
            page.click("#thread-close")
            page.click("#threads-button")
            page.wait(lambda d: any("where shall we go" in li.text and "2 replies" in li.text
                                    for li in d.find_elements("css selector", "#search-results li")), message="the thread is not in Threads")
            page.click_in_row("#search-results li", lambda li: "where shall we go" in li.text, "button.search-hit")
            page.wait(lambda d: d.find_element("id", "thread-panel").is_displayed(), message="Threads did not open the thread")
        assert not page.console_errors()
