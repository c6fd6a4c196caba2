"""One's own account in the page (issue 27, item 9): the profile dialog's
"Your account" changes the password (other logins signed out), downloads
one's data, and deletes the account after asking for the password — the page
returns to the sign-in screen saying so, and a friend's page shows what the
person wrote as from a deleted account. Desktop and phone, axe-clean."""
import pytest
import requests

from conftest import ApiUser, make_contacts, unique, wait_until
from test_web_accessibility import audit

NEW_PASSWORD = "battery-staple-42"


def sign_in(ui_url, username, password):
    return requests.post(f"{ui_url}/api/auth/login", json={"login": username, "password": password}, timeout=10)


def errors_besides(page, *expected):
    """Console errors but the refusals the test caused on purpose (the browser logs each as a network error)."""
    return [e for e in page.console_errors()
            if not (e.get("source") == "network" and any(f"status of {status}" in e["message"] for status in expected))]


def open_account(page):
    page.click("#profile-button")
    page.visible("#account-section")


@pytest.mark.strangers  # these people end their other logins: nobody else may act with their tokens
def test_changing_the_password_and_downloading_ones_data(browsers, ui_url, screenshots):
    for width, height in ((1280, 860), (390, 760)):
        me = ApiUser(ui_url, unique("acp"))
        elsewhere = sign_in(ui_url, me.username, "correct-horse-9").json()["accessToken"]  # another login of the same person
        page = browsers(width, height)
        page.login(me.username)
        open_account(page)
        page.click("#change-password-button")
        page.type_into("#current-password", "not-my-password-1")
        page.type_into("#new-password", NEW_PASSWORD)
        page.click("#password-form button[type=submit]")
        page.wait(lambda d: "not your current password" in d.find_element("id", "account-error").text, message="a wrong password was not refused")
        page.find("#current-password").clear()
        page.type_into("#current-password", "correct-horse-9")
        page.click("#password-form button[type=submit]")
        page.wait(lambda d: "Password changed" in d.find_element("id", "account-status").text, message="no word that it changed")
        wait_until(lambda: requests.get(f"{ui_url}/api/users/me", headers={"Authorization": f"Bearer {elsewhere}"}, timeout=10).status_code == 401,
                   message="the other login still works")
        assert sign_in(ui_url, me.username, NEW_PASSWORD).status_code == 200
        assert sign_in(ui_url, me.username, "correct-horse-9").status_code == 401
        # This page's own login goes on.
        page.click("#export-button")
        page.wait(lambda d: d.find_element("id", "account-status").text.startswith("Downloaded microchat-"),
                  message="the export did not download")
        audit(page, f"the account section at {width} px")
        page.screenshot(screenshots, f"32-account-{width}")
        assert not errors_besides(page, 403)  # the wrong current password


@pytest.mark.strangers
def test_deleting_the_account_signs_out_and_leaves_the_messages_as_a_deleted_accounts(browsers, ui_url, screenshots):
    for width, height in ((1280, 860), (390, 760)):
        me = ApiUser(ui_url, unique("acd"))
        friend = ApiUser(ui_url, unique("acf"))
        make_contacts(me, friend)
        room = friend.direct_room(me.id)
        me.post(room, "goodbye, and thanks")
        page = browsers(width, height)
        page.login(me.username)
        open_account(page)
        page.click("#delete-account-button")
        page.visible("#delete-account-dialog")
        audit(page, f"the delete-account confirmation at {width} px")
        page.screenshot(screenshots, f"33-delete-account-{width}")
        page.type_into("#delete-confirm", "not-my-password-1")
        page.click("#delete-account-confirm")
        page.wait(lambda d: "not your current password" in d.find_element("id", "delete-account-dialog-error").text,
                  message="a wrong password was not refused")
        assert me.call("GET", "/api/users/me").status_code == 200  # nothing happened
        page.find("#delete-confirm").clear()
        page.type_into("#delete-confirm", "correct-horse-9")
        page.click("#delete-account-confirm")
        page.wait(lambda d: d.find_elements("css selector", "#login-form"), message="the page did not return to sign-in")
        assert page.find("#auth-notice").text == "Your account was deleted."
        wait_until(lambda: me.call("GET", "/api/users/me").status_code == 401, message="the account still answers")
        # The friend's page: the conversation and its message stay, from a deleted account.
        theirs = browsers(width, height)
        theirs.login(friend.username)
        theirs.open_room(room)
        theirs.wait_for_text("goodbye, and thanks")
        theirs.wait(lambda d: d.find_element("id", "room-title").text == "Deleted account", message="the room does not say whom it was with")
        # The wrong password (403), then the deleted account's last calls (401): nothing else.
        assert not errors_besides(page, 403, 401) and not errors_besides(theirs, 404)  # 404: the deleted profile
