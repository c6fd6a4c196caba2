"""Profile cards (issue 27, item 5): a person's name or picture in a
conversation opens their card — display name, @username, status, about,
presence as they allow it — with Message, Add contact and Block; a direct
chat's header shows the other person's status. Desktop and phone, axe-clean."""
import pytest

from conftest import ApiUser, make_contacts, unique
from test_web_accessibility import audit


def card_text(page, css):
    found = page.find_all(f"#profile-card {css}")
    return found[0].text if found else None


@pytest.mark.strangers  # Zed is not my contact: his card offers Add contact
def test_a_name_or_picture_opens_the_persons_card(browsers, ui_url, screenshots):
    me = ApiUser(ui_url, unique("pcm"))
    ann = ApiUser(ui_url, unique("pca"))
    zed = ApiUser(ui_url, unique("pcz"))
    make_contacts(me, ann)
    make_contacts(ann, zed)
    zed.add_contact(me.id)  # so that the chat Message starts reaches him at once
    answer = ann.call("PATCH", "/api/users/me", json={"status": "In a meeting", "bio": "Likes hiking\nand tea"})
    assert answer.status_code == 200, answer.text
    group = ann.call("POST", "/api/rooms", json={"roomType": "group", "name": "Cards", "participantIds": [me.id, zed.id]}).json()
    ann.post(group["id"], "hello from ann")
    zed.post(group["id"], "hello from zed")
    direct = ann.direct_room(me.id)
    for width, height in ((1280, 860), (390, 760)):
        page = browsers(width, height)
        page.login(me.username)
        page.open_room(group["id"])
        page.wait_for_text("hello from zed")
        # Ann's name on her message: her card, with what she wrote about herself.
        page.click_in_row("#timeline li.message", lambda li: "hello from ann" in li.text, "button.message-sender")
        page.visible("#profile-card")
        assert card_text(page, "#profile-card-name") == ann.username.capitalize()
        assert card_text(page, "#profile-card-username") == f"@{ann.username}"
        assert card_text(page, "#profile-card-status") == "In a meeting"
        assert card_text(page, "#profile-card-bio") == "Likes hiking\nand tea"
        page.wait(lambda d: card_text(page, "#profile-card-presence"), message="a contact's presence is not on her card")
        assert card_text(page, "#profile-card-contact") == "In your contacts" and not page.find_all("#profile-card-add")
        assert page.find_all("#profile-card .block-person")
        audit(page, f"a profile card at {width} px")
        page.screenshot(screenshots, f"22-profile-card-{width}")
        page.find("#profile-card").send_keys("\ue00c")  # Esc
        page.wait(lambda d: not d.find_elements("css selector", "#profile-card"), message="Esc did not close the card")
        # Zed's picture: not a contact yet — Add contact, then Message opens the direct chat.
        page.click_in_row("#timeline li.message", lambda li: "hello from zed" in li.text, "button.avatar-button")
        page.visible("#profile-card")
        assert card_text(page, "#profile-card-name") == zed.username.capitalize()
        if width == 1280:
            page.click("#profile-card-add")
            page.wait(lambda d: card_text(page, "#profile-card-contact") == "In your contacts", message="not added")
            contacts = me.call("GET", "/api/contacts").json()["contacts"]
            assert zed.id in [c["user"]["id"] for c in contacts]
        page.click("#profile-card-message")
        page.wait(lambda d: not d.find_elements("css selector", "#profile-card"), message="the card stayed open")
        page.wait(lambda d: d.find_element("id", "room-view").get_attribute("data-room-id") not in ("", group["id"]),
                  message="Message did not open a direct chat")
        opened = page.find("#room-view").get_attribute("data-room-id")
        assert me.call("GET", f"/api/rooms/{opened}").json()["roomType"] == "direct"
        page.wait(lambda d: d.find_element("id", "room-title").text == zed.username.capitalize(), message="not the chat with Zed")
        # A direct chat's header: her presence and her status (opened by its address: on a phone the list is hidden).
        page.driver.execute_script("location.hash = '#room/' + arguments[0]", direct)
        page.wait(lambda d: d.find_element("id", "room-view").get_attribute("data-room-id") == direct, message="the address did not open it")
        page.wait(lambda d: "In a meeting" in d.find_element("id", "room-subtitle").text, message="the status is not in the header")
    assert not page.console_errors()
