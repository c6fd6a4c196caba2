"""Link previews in the page (issue 27, item 10): a message with a link shows the
card chat-service made for it — site, title, description and the page's picture,
served by chat-service, never fetched from the linked site by the browser — on both
people's pages; the sender removes it with × and both pages follow; a link the
server refuses (an address inside) and a message sent with its card turned off
show none. Desktop and phone, axe-clean."""
from conftest import ApiUser, make_contacts, unique
from test_web_accessibility import audit

CARD = "#timeline li.message .link-preview"


def card_titles(page):
    return [t.text for t in page.find_all(f"{CARD} .link-preview-title")]


def asked_for(page, message_id):
    """Whether the page's request for this message's card has completed (Resource Timing)."""
    return page.driver.execute_script(
        "return performance.getEntriesByType('resource').some(e => e.name.endsWith(arguments[0]) && e.responseEnd > 0)",
        f"/messages/{message_id}/preview")


def test_a_link_shows_its_card_on_both_pages_and_the_sender_removes_it(browsers, ui_url, screenshots, preview_site):
    me = ApiUser(ui_url, unique("lpm"))
    friend = ApiUser(ui_url, unique("lpf"))
    make_contacts(me, friend)
    room = friend.direct_room(me.id)
    for width, height in ((1280, 860), (390, 760)):
        name = unique("card")
        link = preview_site.url(f"/article/{name}")
        title = f"Article {name} & more"
        mine, theirs = browsers(width, height), browsers(width, height)
        mine.login(me.username)
        mine.open_room(room)
        theirs.login(friend.username)
        theirs.open_room(room)
        # A link inside (ui-service itself) and one sent with its card off come first: neither gets a card.
        inside = me.post(room, f"our own page {ui_url}/")
        quiet = me.call("POST", f"/api/rooms/{room}/messages", json={"content": f"quiet {preview_site.url('/plain')}", "linkPreview": False})
        assert quiet.status_code == 201 and quiet.json()["linkPreview"] is False
        mine.send(f"have a look: {link}")
        for page in (mine, theirs):
            page.wait(lambda d: title in card_titles(page), message="the card did not appear")
            page.wait(lambda d: d.execute_script(
                "const i = [...document.querySelectorAll('#timeline .link-preview-image')].pop();"
                " return Boolean(i && i.complete && i.naturalWidth === 120 && i.src.startsWith('blob:'))"),
                message="the card's picture did not load from chat-service")
        anchor = next(a for a in mine.find_all(f"{CARD} a.link-preview-body") if title in a.text)
        assert anchor.get_attribute("href") == link and anchor.get_attribute("target") == "_blank"
        assert "noopener" in anchor.get_attribute("rel") and "Preview Site" in anchor.text
        assert "What the article" in anchor.text
        # Only the sender has the ×.
        assert not theirs.find_all(f"{CARD} .link-preview-remove")
        mine.wait(lambda d: asked_for(mine, inside["id"]), message="the page never asked for the inside link's card")
        items = {li.get_attribute("data-id"): li for li in mine.find_all("#timeline li.message")}
        assert not items[inside["id"]].find_elements("css selector", ".link-preview")
        assert not items[quiet.json()["id"]].find_elements("css selector", ".link-preview")
        assert not asked_for(mine, quiet.json()["id"]), "a message with its card off was asked for one"
        audit(mine, f"a link card at {width} px")
        mine.screenshot(screenshots, f"40-link-preview-{width}")
        # The sender removes the card: both pages follow, the text and its link stay.
        mine.click(f"{CARD} .link-preview-remove")
        for page in (mine, theirs):
            page.wait(lambda d: title not in card_titles(page), message="the card stayed after it was removed")
            assert any(link in text for _, text in page.stored_messages())
        for page in (mine, theirs):
            assert not [e for e in page.console_errors() if e.get("source") != "network"]


def test_a_reply_in_a_thread_shows_its_card_in_the_thread_panel(browsers, ui_url, preview_site):
    me = ApiUser(ui_url, unique("lpt"))
    friend = ApiUser(ui_url, unique("lpu"))
    make_contacts(me, friend)
    room = friend.direct_room(me.id)
    root = friend.post(room, "what are we reading this week?")
    name = unique("thread")
    reply = me.call("POST", f"/api/rooms/{room}/messages",
                    json={"content": f"this one {preview_site.url(f'/article/{name}')}", "threadRootId": root["id"]})
    assert reply.status_code == 201, reply.text
    page = browsers(1280, 860)
    page.login(friend.username)
    page.open_room(room)
    page.wait_for_text("what are we reading this week?")
    page.click_in_row("#timeline li.message", lambda li: "reading this week" in li.text, "button.thread-message")
    page.visible("#thread-panel")
    page.wait(lambda d: any(f"Article {name} & more" in t.text for t in d.find_elements("css selector", "#thread-panel .link-preview-title")),
              message="the reply's card did not appear in the thread panel")
    # It is someone else's reply: no × for me.
    assert not page.find_all("#thread-panel .link-preview-remove")
    audit(page, "a link card in a thread")
