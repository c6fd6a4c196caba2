"""Groups to find and join in the page (issue 27, item 6): a group made public
in New group shows in Browse groups, where a stranger joins it; an owner makes
an invite link in the members dialog, someone opens it in the page and joins a
private group through it, and a revoked or used-up link says so. Desktop and
phone, axe-clean."""
import pytest

from conftest import ApiUser, unique
from test_web_accessibility import audit


@pytest.mark.strangers
def test_a_public_group_is_found_and_joined_from_browse_groups(browsers, ui_url, screenshots):
    for width, height in ((1280, 860), (390, 760)):
        tag = unique("walks")
        owner_page = browsers(width, height)
        owner_page.register(unique("gjo"))
        owner_page.click("#new-group-button")
        owner_page.type_into("#group-name", f"{tag} club")
        owner_page.type_into("#group-description", "Saturday walks")
        owner_page.click("#group-public")
        owner_page.click("#create-group")
        owner_page.wait(lambda d: d.find_element("id", "room-title").text == f"{tag} club", message="the group did not open")
        stranger = browsers(width, height)
        stranger.register(unique("gjs"))
        stranger.click("#browse-groups-button")
        stranger.visible("#directory-dialog")
        stranger.type_into("#directory-search", tag)
        stranger.wait(lambda d: [e.text.split("\n")[0] for e in d.find_elements("css selector", "#directory-list .directory-entry")] == [f"{tag} club"],
                      message="the public group is not listed")
        assert "1 member · Saturday walks" in stranger.find("#directory-list .directory-entry").text
        audit(stranger, f"browse groups at {width} px")
        stranger.screenshot(screenshots, f"36-browse-groups-{width}")
        stranger.click("#directory-list button.join-group")
        stranger.wait(lambda d: d.find_element("id", "room-title").text == f"{tag} club", message="joining did not open the group")
        stranger.wait(lambda d: "You joined" in [li.text for li in d.find_elements("css selector", "#timeline li.system-line")],
                      message="the join is not in the timeline")
        owner_page.wait(lambda d: "2 members" in d.find_element("id", "room-subtitle").text, message="the owner's page did not see the join")
        owner_page.wait(lambda d: any(li.text.endswith(" joined") for li in d.find_elements("css selector", "#timeline li.system-line")),
                        message="the owner's timeline does not say someone joined")
        assert not owner_page.console_errors() and not stranger.console_errors()


@pytest.mark.strangers
def test_an_invite_link_brings_someone_into_a_private_group_once(browsers, ui_url, screenshots):
    for width, height in ((1280, 860), (390, 760)):
        owner = ApiUser(ui_url, unique("ilo"))
        group = owner.call("POST", "/api/rooms", json={"roomType": "group", "name": "Inner circle", "participantIds": []}).json()
        owner.post(group["id"], "welcome, whoever has the link")
        owner_page = browsers(width, height)
        owner_page.login(owner.username)
        owner_page.open_room(group["id"])
        owner_page.click("#members-button")
        owner_page.visible("#invite-links-section")
        owner_page.driver.find_element("css selector", "#link-uses option[value='1']").click()
        owner_page.click("#create-link")
        owner_page.wait(lambda d: d.find_elements("css selector", "#invite-links .link-url"), message="no link was made")
        url = owner_page.find("#invite-links .link-url").get_attribute("value")
        assert "/#join/" in url and "1 use" not in owner_page.find("#invite-links").text
        audit(owner_page, f"invite links at {width} px")
        owner_page.screenshot(screenshots, f"37-invite-links-{width}")
        guest = browsers(width, height)
        guest.register(unique("ilg"))
        guest.driver.get(ui_url + "/#join/" + url.rsplit("/", 1)[1])
        guest.visible("#join-dialog")
        guest.wait(lambda d: d.find_element("css selector", "#join-about .join-name").text == "Inner circle", message="no preview")
        assert "1 member" in guest.find("#join-about").text
        guest.click("#join-by-link")
        guest.wait(lambda d: d.find_element("id", "room-title").text == "Inner circle", message="the link did not open the group")
        guest.wait_for_text("welcome, whoever has the link")
        # Used once: the next person is told, and the owner's list says so.
        late = browsers(width, height)
        late.register(unique("ill"))
        late.driver.get(ui_url + "/#join/" + url.rsplit("/", 1)[1])
        late.wait(lambda d: "used up" in d.find_element("id", "join-dialog-error").text, message="a used-up link was not explained")
        owner_page.find("#members-dialog .dialog-header button").click()
        owner_page.click("#members-button")
        owner_page.wait(lambda d: "used up" in d.find_element("id", "invite-links").text, message="the owner's list does not say used up")
        assert not guest.console_errors() and not owner_page.console_errors()
        assert not [e for e in late.console_errors() if not (e.get("source") == "network" and "status of 410" in e["message"])]
