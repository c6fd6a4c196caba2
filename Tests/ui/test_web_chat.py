"""Two people chatting through the web front in real headless Chromium."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import ApiUser, unique, wait_until


def test_two_users_register_start_a_direct_chat_and_talk_live(browsers, screenshots):
    ada, bob = browsers(), browsers()
    ada_name, bob_name = unique("ada"), unique("bob")
    ada.open()
    ada.visible("#login-form")
    ada.screenshot(screenshots, "01-login")
    ada.register(ada_name, "Ada Lovelace")
    bob.register(bob_name, "Bob Babbage")
    ada.screenshot(screenshots, "02-no-conversations")

    room_id = bob.start_direct_chat(ada_name)
    bob.send("Hello Ada!")
    bob.wait_for_text("Hello Ada!")

    # Ada did nothing: the room and the message arrive on her page live, with an unread badge.
    # (The room list re-renders on live events: each look finds its row afresh.)
    row = f'.room-item[data-room-id="{room_id}"]'
    ada.wait(lambda d: d.find_element(By.CSS_SELECTOR, f"{row} .unread-badge").text == "1", message="no unread badge of 1")
    ada.wait(lambda d: "Hello Ada!" in d.find_element(By.CSS_SELECTOR, f"{row} .room-preview").text, message="no preview")
    ada.open_room(room_id)
    ada.wait_for_text("Hello Ada!")
    wait_until(lambda: not ada.find_all(f'.room-item[data-room-id="{room_id}"] .unread-badge'), message="badge stayed")

    ada.send("Hi Bob, how are the engines?")
    bob.wait_for_text("Hi Bob, how are the engines?")
    bob.send("Difference engine fine.\u00a0Analytical one soon.")
    ada.wait_for_text("Difference engine fine.\u00a0Analytical one soon.")

    # Both see the same three messages in the same order, each once.
    wait_until(lambda: len(ada.stored_messages()) == 3 and ada.stored_messages() == bob.stored_messages(),
               message=f"timelines differ: {ada.stored_messages()} vs {bob.stored_messages()}")
    seqs = [seq for seq, _ in ada.stored_messages()]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3

    # Bob sees that Ada read his message; Ada sees Bob online.
    bob.wait(lambda d: d.find_element(By.ID, "seen-by").text == "Seen", message="no read receipt")
    ada.wait(lambda d: d.find_element(By.ID, "room-subtitle").text == "online", message="presence not shown")
    ada.screenshot(screenshots, "03-conversation")
    bob.screenshot(screenshots, "04-conversation-other-side")
    assert not ada.console_errors() and not bob.console_errors()


def test_own_message_shows_at_once_and_is_reconciled_with_the_stored_one(browsers, ui_url):
    other = ApiUser(ui_url, unique("oth"))
    page = browsers()
    name = unique("me")
    page.register(name)
    page.start_direct_chat(other.username)
    page.send("first words")
    # Shown immediately (pending or already stored), then exactly one stored copy with a seq.
    page.wait(lambda d: any("first words" in li.text for li in d.find_elements(By.CSS_SELECTOR, "#timeline li.message")))
    page.wait_for_text("first words")
    wait_until(lambda: not page.find_all("#timeline li.pending"), message="pending copy stayed")
    assert [t for _, t in page.stored_messages()] == ["first words"]


def test_typing_indicator_reaches_the_other_side(browsers, ui_url):
    ada, bob = browsers(), browsers()
    a, b = unique("tya"), unique("tyb")
    ada.register(a)
    bob.register(b)
    room_id = ada.start_direct_chat(b)
    bob.open_room(room_id)
    ada.visible("#message-input").send_keys("I am typ")
    bob.wait(lambda d: d.find_element(By.ID, "typing-indicator").text.endswith("is typing…"), message="no typing indicator")


def test_reload_keeps_the_session_and_the_history(browsers, ui_url):
    friend = ApiUser(ui_url, unique("fr"))
    page = browsers()
    name = unique("rl")
    page.register(name)
    room_id = page.start_direct_chat(friend.username)
    page.send("before the reload")
    page.wait_for_text("before the reload")
    friend.post(room_id, "reply before the reload")
    page.wait_for_text("reply before the reload")

    page.driver.refresh()
    page.wait_connected()
    assert page.find("#me-name").text == name.capitalize()
    page.open_room(room_id)
    page.wait(lambda d: [t for _, t in page.stored_messages()] == ["before the reload", "reply before the reload"],
              message=f"history after reload: {page.stored_messages()}")
    # Still live after the reload.
    friend.post(room_id, "after the reload")
    page.wait_for_text("after the reload")


def test_scrolling_up_loads_older_messages(browsers, ui_url, screenshots):
    talker = ApiUser(ui_url, unique("hist"))
    reader = ApiUser(ui_url, unique("rdr"))
    room_id = talker.direct_room(reader.id)
    posted = [talker.post(room_id, f"history {n:02d}") for n in range(1, 81)]
    # All read: the room opens at its newest page (with unread messages it would open at the first of them).
    reader.call("POST", f"/api/rooms/{room_id}/read", json={"messageId": posted[-1]["id"]})
    page = browsers()
    page.login(reader.username)
    page.open_room(room_id)
    page.wait(lambda d: len(page.stored_messages()) >= 30)
    first_page = page.stored_messages()
    assert len(first_page) < 80, "the whole history came at once; nothing to scroll for"
    assert first_page[-1][1] == "history 80"

    for _ in range(10):
        page.driver.execute_script("document.getElementById('timeline-scroller').scrollTop = 0")
        try:
            page.wait(lambda d: len(page.stored_messages()) == 80, timeout=2)
            break
        except Exception:
            continue
    texts = [t for _, t in page.stored_messages()]
    assert texts == [f"history {n:02d}" for n in range(1, 81)]
    page.wait(lambda d: "beginning of the conversation" in d.find_element(By.ID, "older-status").text)
    page.screenshot(screenshots, "05-history")


def test_edit_and_delete_show_on_the_other_side(browsers, ui_url):
    ada, bob = browsers(), browsers()
    a, b = unique("eda"), unique("edb")
    ada.register(a)
    bob.register(b)
    room_id = ada.start_direct_chat(b)
    ada.send("teh typo")
    ada.send("regrettable remark")
    ada.wait_for_text("regrettable remark")
    bob.open_room(room_id)
    bob.wait_for_text("regrettable remark")

    # Edit through the dialog.
    ada.click_in_row("#timeline li.message", lambda li: "teh typo" in li.text, "button.edit-message")
    box = ada.visible("#edit-input")
    box.clear()
    box.send_keys("the typo, fixed")
    ada.find("#save-edit").click()
    bob.wait_for_text("the typo, fixed")
    bob.wait(lambda d: any("edited" in li.text for li in d.find_elements(By.CSS_SELECTOR, "#timeline li.message")))

    # Delete, confirmed.
    ada.click_in_row("#timeline li.message", lambda li: "regrettable remark" in li.text, "button.delete-message")
    ada.visible("#confirm-yes").click()
    bob.wait_for_text("This message was deleted")
    texts = [t for _, t in bob.stored_messages()]
    assert "regrettable remark" not in texts and texts == ["the typo, fixed", "This message was deleted"]
    # Bob cannot edit or delete Ada's messages.
    assert not bob.find_all("#timeline button.edit-message") and not bob.find_all("#timeline button.delete-message")


def test_markup_in_a_message_is_shown_as_text_and_never_runs(browsers, ui_url):
    ada, bob = browsers(), browsers()
    a, b = unique("xsa"), unique("xsb")
    ada.register(a)
    bob.register(b)
    room_id = ada.start_direct_chat(b)
    for page in (ada, bob):
        page.driver.execute_script("window.__ran = false; window.alert = () => { window.__ran = true; };")
    payload = "<img src=x onerror=alert(1)>"
    ada.send(payload)
    ada.wait_for_text(payload)
    bob.open_room(room_id)
    bob.wait_for_text(payload)
    second = '<script>window.__ran = true</script><b>bold?</b>'
    ada.send(second)
    bob.wait_for_text(second)
    ada.wait_for_text(second)
    for page in (ada, bob):
        # The list's preview follows the second message on both pages (waited for: it re-renders live).
        page.wait(lambda d: "<b>bold?</b>" in d.find_element(By.CSS_SELECTOR, f'.room-item[data-room-id="{room_id}"] .room-preview').text,
                  message="the preview does not show the markup as text")
        assert page.find_all("#timeline img") == [] and page.find_all("#timeline script") == [] and page.find_all("#timeline b") == []
        assert page.driver.execute_script("return window.__ran") is False


def test_phone_width_layout_shows_one_pane_at_a_time(browsers, ui_url, screenshots):
    friend = ApiUser(ui_url, unique("ph"))
    me = ApiUser(ui_url, unique("phone"))
    room_id = me.direct_room(friend.id)
    friend.post(room_id, "hello on a small screen")
    page = browsers(390, 844)
    page.login(me.username)
    page.screenshot(screenshots, "06-phone-rooms")
    assert page.find("#room-list").is_displayed()
    page.open_room(room_id)
    page.wait_for_text("hello on a small screen")
    page.wait(lambda d: not d.find_element(By.ID, "room-list").is_displayed(), message="the room list stayed beside the room")
    page.visible("#back-button")
    page.screenshot(screenshots, "07-phone-conversation")
    page.click("#back-button")
    page.wait(lambda d: d.find_element(By.ID, "room-list").is_displayed())


def test_keyboard_only_login_and_send(browsers, ui_url):
    friend = ApiUser(ui_url, unique("kb"))
    me = ApiUser(ui_url, unique("keys"))
    room_id = me.direct_room(friend.id)
    page = browsers()
    page.open()
    page.visible("#login-name").send_keys(me.username, Keys.TAB, "correct-horse-9", Keys.ENTER)
    page.wait_connected()
    # Every control has an accessible name.
    unlabeled = page.driver.execute_script("""
        return [...document.querySelectorAll('button, input, textarea')].filter(el => {
          if (el.getAttribute('aria-label') || el.textContent.trim()) return false;
          return !(el.id && document.querySelector(`label[for="${el.id}"]`));
        }).map(el => el.outerHTML);""")
    assert unlabeled == []
    page.send_keys_to(f'.room-item[data-room-id="{room_id}"]', Keys.ENTER)
    page.wait(lambda d: d.switch_to.active_element.get_attribute("id") == "message-input")
    page.driver.switch_to.active_element.send_keys("sent from the keyboard", Keys.ENTER)
    page.wait_for_text("sent from the keyboard")
    answer = friend.call("GET", f"/api/rooms/{room_id}/messages")
    assert [m["content"] for m in answer.json()["messages"]] == ["sent from the keyboard"]


@pytest.mark.strangers  # the page adds the contact itself
def test_profile_and_contact_nickname(browsers, ui_url):
    friend = ApiUser(ui_url, unique("nick"))
    page = browsers()
    name = unique("prof")
    page.register(name)
    page.find("#profile-button").click()
    page.type_into("#profile-display-name", "Grace Hopper")
    page.type_into("#profile-status", "debugging")
    page.find("#profile-form button[type=submit]").click()
    page.wait(lambda d: d.find_element(By.ID, "me-name").text == "Grace Hopper")
    page.find("#contacts-button").click()
    page.type_into("#contact-search", friend.username)
    page.click_person("#contact-results", friend.username, "button.add-contact")
    nickname = page.visible("#contact-list .nickname-input")
    nickname.clear()
    nickname.send_keys("Rear Admiral's friend")
    page.find("#contact-list .save-nickname").click()
    page.wait(lambda d: "Rear Admiral's friend" in d.find_element(By.ID, "contact-list").text)
    page.driver.refresh()
    page.wait_connected()
    page.find("#contacts-button").click()
    page.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#contact-list .nickname-input").get_attribute("value") == "Rear Admiral's friend")
    page.find("#contact-list button.secondary:not(.save-nickname)").click()
    page.wait(lambda d: d.find_element(By.ID, "room-title").text == "Rear Admiral's friend")


def test_group_creation_and_member_management(browsers, ui_url):
    one, two = ApiUser(ui_url, unique("gm")), ApiUser(ui_url, unique("gn"))
    page = browsers()
    page.register(unique("owner"))
    page.find("#new-group-button").click()
    page.type_into("#group-name", "Engine room")
    page.type_into("#group-search", one.username)
    page.click_person("#group-results", one.username, "button.add-member")
    page.find("#create-group").click()
    page.wait(lambda d: d.find_element(By.ID, "room-title").text == "Engine room")
    room_id = page.find("#room-view").get_attribute("data-room-id")
    page.send("welcome aboard")
    page.wait_for_text("welcome aboard")
    page.find("#members-button").click()
    page.type_into("#member-search", two.username)
    page.click_person("#member-results", two.username, "button.add-member")
    page.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#member-list li.person")) == 3)
    members = two.call("GET", f"/api/rooms/{room_id}").json()["participants"]
    assert {m["userId"] for m in members} >= {one.id, two.id}
    page.click_in_row("#member-list li.person", lambda li: li.get_attribute("data-user-id") == one.id,
                      "button.remove-member")
    # Removing someone asks first.
    page.click("#confirm-yes")
    page.wait(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#member-list li.person")) == 2)
    assert one.call("GET", f"/api/rooms/{room_id}").status_code == 404
