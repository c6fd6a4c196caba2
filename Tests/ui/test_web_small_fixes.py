"""Small fixes (issue 24, item 5): a taken username or email said at its field
with the focus there; Leave asks first and says "You left …"; the owner can
delete a group from the page; the group's first line says who created it."""
from conftest import ApiUser, unique


def test_a_taken_username_or_email_is_said_at_its_field_with_the_focus_there(browsers, ui_url):
    taken = ApiUser(ui_url, unique("tk"))
    page = browsers()
    page.open()
    page.visible("#auth-toggle").click()
    page.type_into("#register-username", taken.username)
    page.type_into("#register-display-name", "Someone Else")
    page.type_into("#register-email", f"{unique('fresh')}@example.com")
    page.type_into("#register-password", "correct-horse-9")
    page.find("#register-form button[type=submit]").click()
    page.wait(lambda d: "taken" in d.find_element("id", "register-username-error").text, message="not said at the username")
    assert page.driver.execute_script("return document.activeElement.id") == "register-username"
    assert page.find("#register-username").get_attribute("aria-invalid") == "true"
    # A free username, a taken email: said at the email, the focus there.
    page.type_into("#register-username", unique("free"))
    page.type_into("#register-email", f"{taken.username}@example.com")
    page.find("#register-form button[type=submit]").click()
    page.wait(lambda d: "email" in d.find_element("id", "register-email-error").text.lower(), message="not said at the email")
    assert page.driver.execute_script("return document.activeElement.id") == "register-email"
    assert page.find("#register-username").get_attribute("aria-invalid") is None
    assert page.find("#register-username-error").text == ""


def test_leaving_asks_first_and_says_so_and_the_owner_can_delete_the_group(browsers, ui_url):
    name = unique("lv")
    me = ApiUser(ui_url, name)
    other = ApiUser(ui_url, unique("lvo"))
    trip = other.call("POST", "/api/rooms", json={"roomType": "group", "name": "Trip", "participantIds": [me.id]}).json()["id"]
    mine = me.call("POST", "/api/rooms", json={"roomType": "group", "name": "Mine", "participantIds": [other.id]}).json()["id"]
    page = browsers()
    page.login(name)
    page.open_room(trip)
    other_name = other.username.capitalize()
    page.wait(lambda d: d.find_element("css selector", "#timeline .created-line").text == f"{other_name} created the group",
              message="no line saying who created the group")
    page.click("#members-button")
    assert not page.find_all("#delete-room"), "only the owner may delete the group"
    page.click("#leave-room")
    page.visible("#confirm-dialog")
    page.click("#confirm-dialog .dialog-footer button.secondary")  # Cancel
    page.wait(lambda d: not d.find_elements("id", "confirm-dialog"))
    assert any(p["userId"] == me.id for p in other.call("GET", f"/api/rooms/{trip}").json()["participants"])
    page.click("#leave-room")
    page.click("#confirm-yes")
    page.wait(lambda d: d.find_element("id", "room-notice").text == "You left “Trip”.", message="not told one left")
    page.wait(lambda d: not d.find_elements("css selector", f'.room-item[data-room-id="{trip}"]'))
    # The owner's own group: Delete, asked first, gone for everyone.
    page.open_room(mine)
    page.wait(lambda d: d.find_element("css selector", "#timeline .created-line").text == "You created the group")
    page.click("#members-button")
    page.click("#delete-room")
    page.visible("#confirm-dialog")
    page.click("#confirm-yes")
    page.wait(lambda d: d.find_element("id", "room-notice").text == "You deleted “Mine”.", message="not told it was deleted")
    assert other.call("GET", f"/api/rooms/{mine}").status_code == 404
