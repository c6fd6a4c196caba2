"""Pinned and saved messages in the page (issue 27, item 7): an owner pins a
message from its actions, the header shows "Pinned (n)" and the list, which
opens the conversation at the message; another member's page follows live.
Anyone saves a message for themselves; the sidebar's Saved list shows it and
follows saves made on another page. Desktop and phone, axe-clean."""
from conftest import ApiUser, make_contacts, unique, wait_until
from test_web_accessibility import audit


def pin_count(page):
    buttons = page.find_all("#pins-button")
    return None if not buttons or not buttons[0].is_displayed() else buttons[0].text


def test_an_owner_pins_and_every_member_sees_the_pins_live(browsers, ui_url, screenshots):
    owner = ApiUser(ui_url, unique("pno"))
    member = ApiUser(ui_url, unique("pnm"))
    make_contacts(owner, member)
    group = owner.call("POST", "/api/rooms", json={"roomType": "group", "name": "Plans", "participantIds": [member.id]}).json()
    member.post(group["id"], "the venue is the old mill")
    for i in range(30):
        owner.post(group["id"], f"chatter {i}")
    for width, height in ((1280, 860), (390, 760)):
        mine, theirs = browsers(width, height), browsers(width, height)
        mine.login(owner.username)
        mine.open_room(group["id"])
        theirs.login(member.username)
        theirs.open_room(group["id"])
        mine.wait_for_text("chatter 29")
        theirs.wait_for_text("chatter 29")
        # A member has no Pin action in a group; the owner has.
        assert not theirs.find_all("#timeline button.pin-message")
        mine.click_in_row("#timeline li.message", lambda li: "chatter 29" in li.text, "button.pin-message")
        mine.wait(lambda d: pin_count(mine) == "Pinned (1)", message="the header does not count the pin")
        theirs.wait(lambda d: pin_count(theirs) == "Pinned (1)", message="the member's page did not hear the pin")
        theirs.wait(lambda d: any("pinned" in li.text and "chatter 29" in li.text for li in d.find_elements("css selector", "#timeline li.message")),
                    message="the message does not show it is pinned")
        # The older message is pinned through the API: it comes live too, and the list puts it first.
        venue = next(m for m in owner.call("GET", f"/api/rooms/{group['id']}/messages?limit=50").json()["messages"] if "old mill" in m["content"])
        assert owner.call("PUT", f"/api/rooms/{group['id']}/pins/{venue['id']}").status_code == 201
        theirs.wait(lambda d: pin_count(theirs) == "Pinned (2)", message="the second pin did not arrive")
        theirs.click("#pins-button")
        theirs.visible("#pins-dialog")
        theirs.wait(lambda d: [t.text for t in d.find_elements("css selector", "#pins-list .pin-text")]
                    == ["the venue is the old mill", "chatter 29"], message="the pin list is not newest first")
        assert not theirs.find_all("#pins-dialog button.unpin")  # a member cannot unpin
        audit(theirs, f"the pinned messages at {width} px")
        theirs.screenshot(screenshots, f"30-pinned-{width}")
        # Show opens the conversation at the pinned message, far up the history.
        theirs.click_in_row("#pins-list li.pin", lambda li: "old mill" in li.text, "button.show-pin")
        theirs.wait(lambda d: not d.find_elements("css selector", "#pins-dialog"), message="the list stayed open")
        theirs.wait(lambda d: any("old mill" in li.text and li.is_displayed() for li in d.find_elements("css selector", "#timeline li.message.found")),
                    message="Show did not bring the message into view")
        # The owner unpins from the list: both headers follow.
        mine.click("#pins-button")
        mine.click_in_row("#pins-list li.pin", lambda li: "chatter 29" in li.text, "button.unpin")
        mine.wait(lambda d: len(d.find_elements("css selector", "#pins-list li.pin")) == 1, message="the list did not follow the unpin")
        theirs.wait(lambda d: pin_count(theirs) == "Pinned (1)", message="the member's header did not follow the unpin")
        assert owner.call("DELETE", f"/api/rooms/{group['id']}/pins/{venue['id']}").status_code == 204
        theirs.wait(lambda d: pin_count(theirs) is None, message="with no pins left, the button stays")
        for page in (mine, theirs):
            assert not page.console_errors()


def test_saved_messages_are_ones_own_and_follow_every_page(browsers, ui_url, screenshots):
    me = ApiUser(ui_url, unique("svm"))
    friend = ApiUser(ui_url, unique("svf"))
    make_contacts(me, friend)
    room = friend.direct_room(me.id)
    friend.post(room, "the door code is 4096")
    friend.post(room, "see you at eight")
    for width, height in ((1280, 860), (390, 760)):
        page, other_device = browsers(width, height), browsers(width, height)
        page.login(me.username)
        other_device.login(me.username)
        page.open_room(room)
        page.wait_for_text("the door code is 4096")
        page.click_in_row("#timeline li.message", lambda li: "door code" in li.text, "button.save-message")
        page.wait(lambda d: any("saved" in li.text and "door code" in li.text for li in d.find_elements("css selector", "#timeline li.message")),
                  message="the message does not show it is saved")
        wait_until(lambda: [s["message"]["content"] for s in me.call("GET", "/api/saved").json()["saved"]] == ["the door code is 4096"],
                   message="the save was not stored")
        # The other page's Saved list has it without a reload (message.saved on my own channel).
        if width < 700:
            other_device.wait(lambda d: d.find_element("id", "saved-button").is_displayed(), message="no Saved button on the phone's list")
        other_device.wait(lambda d: d.execute_script("return window.microchat.store.marks.isSaved(arguments[0])",
                                                      me.call("GET", "/api/saved").json()["saved"][0]["message"]["id"]),
                          message="the other page did not hear the save")
        other_device.click("#saved-button")
        other_device.wait(lambda d: [b.text for b in d.find_elements("css selector", "#search-results .hit-snippet")] == ["the door code is 4096"],
                          message="the Saved list does not show the message")
        assert other_device.find("#search-status").text == "Your saved messages"
        audit(other_device, f"the saved messages at {width} px")
        other_device.screenshot(screenshots, f"31-saved-{width}")
        # Unsaving here empties the list open over there.
        page.click_in_row("#timeline li.message", lambda li: "door code" in li.text, "button.save-message")
        other_device.wait(lambda d: not d.find_elements("css selector", "#search-results .hit-snippet"), message="the open list did not follow")
        assert "Nothing saved yet" in other_device.find("#search-status").text
        assert me.call("GET", "/api/saved").json()["saved"] == []
        # Saves are one's own: the friend's page never shows mine.
        for p in (page, other_device):
            assert not p.console_errors()
    assert friend.call("GET", "/api/saved").json()["saved"] == []
