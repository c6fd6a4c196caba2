"""Fixtures for the web front's tests: real headless Chromium driven by
Selenium through chromedriver (both from Debian's packages), against the
stack `./microchat test` started (ui-service in front of user-service and two
chat-service replicas)."""
import os
import shutil
import time
import uuid

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

# The shared helpers (Tests/support/helpers.py), also importable from here as before.
from helpers import require_env as _require, unique, wait_until as _wait_until  # noqa: E402,F401

WAIT = 15


@pytest.fixture(scope="session")
def ui_url():
    return _require("MICROCHAT_TEST_UI_URL")


@pytest.fixture(scope="session")
def screenshots():
    folder = os.path.join(_require("MICROCHAT_TEST_ARTIFACTS"), "screenshots")
    os.makedirs(folder, exist_ok=True)
    return folder


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is not installed (./microchat test installs Debian's chromium package)")


def _chromedriver():
    path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not os.path.exists(path):
        pytest.fail("chromedriver is not installed (./microchat test installs Debian's chromium-driver package)")
    return path


def new_browser(width=1280, height=860):
    options = webdriver.ChromeOptions()
    options.binary_location = _chromium()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(_chromedriver()), options=options)
    driver.set_page_load_timeout(30)
    return driver


class Page:
    """One browser window on the web front, with the steps a person takes."""

    def __init__(self, driver, base):
        self.driver = driver
        self.base = base

    # -- waiting and finding
    def wait(self, condition, timeout=WAIT, message=""):
        def check(driver):
            try:
                return condition(driver)
            except (StaleElementReferenceException, WebDriverException):
                return False
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(check, message)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    @staticmethod
    def _first_visible(driver, css):
        return next((e for e in driver.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()), None)

    def visible(self, css, timeout=WAIT):
        return self.wait(lambda d: self._first_visible(d, css) or False, timeout, f"{css} did not appear")

    def click(self, css, timeout=WAIT):
        """Clicks the first visible match, finding it afresh if the page re-rendered it
        between finding and clicking (room lists and search results re-render on live events)."""
        def clicked(driver):
            element = self._first_visible(driver, css)
            if element is None:
                return False
            element.click()
            return True
        self.wait(clicked, timeout, f"{css} could not be clicked")

    def click_in_row(self, rows_css, matches, button_css, timeout=WAIT):
        """Clicks button_css inside the first row (of rows_css) that matches(row), found afresh each try."""
        def clicked(driver):
            row = next((r for r in driver.find_elements(By.CSS_SELECTOR, rows_css) if matches(r)), None)
            if row is None:
                return False
            # As a person with a mouse does: over the row first (a message's actions show on hover).
            ActionChains(driver).move_to_element(row).perform()
            row.find_element(By.CSS_SELECTOR, button_css).click()
            return True
        self.wait(clicked, timeout, f"no {button_css} to click in {rows_css}")

    def click_person(self, results_css, username, button_css):
        """Clicks button_css in the row of a people search's results that is exactly @username:
        the results follow typing (a shorter prefix may list others first), so the row is
        waited for by name rather than taking the first one."""
        def is_them(row):
            handle = row.find_element(By.CSS_SELECTOR, ".person-handle").text
            return handle.split(" ")[0] == f"@{username}"
        self.click_in_row(f"{results_css} li.person", is_them, button_css)

    def send_keys_to(self, css, *keys, timeout=WAIT):
        """Types into the first visible match, found afresh if it was re-rendered meanwhile."""
        def typed(driver):
            element = self._first_visible(driver, css)
            if element is None:
                return False
            element.send_keys(*keys)
            return True
        self.wait(typed, timeout, f"could not type into {css}")

    def type_into(self, css, text):
        element = self.visible(css)
        element.clear()
        element.send_keys(text)
        return element

    # -- account
    def open(self, path="/"):
        self.driver.get(self.base + path)

    def register(self, username, display_name=None, password="correct-horse-9"):
        self.open()
        self.visible("#auth-toggle").click()
        self.type_into("#register-username", username)
        self.type_into("#register-display-name", display_name or username.capitalize())
        self.type_into("#register-email", f"{username}@example.com")
        self.type_into("#register-password", password)
        self.find("#register-form button[type=submit]").click()
        self.wait_connected()
        answer = requests.post(f"{self.base}/api/auth/login", json={"login": username, "password": password}, timeout=10)
        assert answer.status_code == 200, answer.text
        _meet(self.base, answer.json()["user"]["id"], answer.json()["accessToken"])

    def login(self, login, password="correct-horse-9"):
        self.open()
        self.type_into("#login-name", login)
        self.type_into("#login-password", password)
        self.find("#login-form button[type=submit]").click()
        self.wait_connected()

    def wait_connected(self, timeout=WAIT):
        self.wait(lambda d: d.find_element(By.ID, "connection-status").get_attribute("data-state") == "online",
                  timeout, "the page did not connect")

    @property
    def replica(self):
        return self.find("#connection-status").get_attribute("data-replica")

    # -- conversations
    def start_direct_chat(self, username):
        self.find("#new-chat-button").click()
        self.type_into("#user-search", username)
        self.click_person("#user-results", username, "button.start-chat")
        self.visible("#room-view")
        return self.find("#room-view").get_attribute("data-room-id")

    def open_room(self, room_id):
        self.click(f'.room-item[data-room-id="{room_id}"]')
        self.wait(lambda d: d.find_element(By.ID, "room-view").get_attribute("data-room-id") == room_id)

    def send(self, text):
        box = self.visible("#message-input")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def stored_messages(self):
        """The timeline's stored messages as (seq, text) in the order shown."""
        return self.driver.execute_script(
            "return [...document.querySelectorAll('#timeline li.message[data-state=stored]')]"
            ".map(li => [Number(li.dataset.seq), li.querySelector('.message-content')?.textContent ?? ''])")

    def wait_for_text(self, text, timeout=WAIT):
        return self.wait(lambda d: text in [t for _, t in self.stored_messages()], timeout, f"{text!r} did not arrive")

    def screenshot(self, folder, name):
        self.driver.save_screenshot(os.path.join(folder, f"{name}.png"))

    def console_errors(self):
        return [entry for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.fixture
def browsers(ui_url):
    """Opens browser windows on demand; closes them all after the test."""
    opened = []

    def open_page(width=1280, height=860):
        page = Page(new_browser(width, height), ui_url)
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        try:
            page.driver.quit()
        except WebDriverException:
            pass


class ApiUser:
    """A user made over HTTP through ui-service, to set the scene faster than by clicking."""

    def __init__(self, base, username, password="correct-horse-9"):
        self.base = base
        self.username = username
        answer = requests.post(f"{base}/api/auth/register", json={
            "username": username, "email": f"{username}@example.com", "password": password,
            "displayName": username.capitalize()}, timeout=10)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        self.id = body["user"]["id"]
        self.token = body["accessToken"]
        _meet(base, self.id, self.token)

    def call(self, method, path, headers=None, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=10, **kwargs)

    def direct_room(self, other_id):
        answer = self.call("POST", "/api/rooms", json={"roomType": "direct", "participantIds": [other_id]})
        assert answer.status_code in (200, 201), answer.text
        return answer.json()["id"]

    def post(self, room_id, content):
        answer = self.call("POST", f"/api/rooms/{room_id}/messages", json={
            "content": content, "messageType": "text", "clientMessageId": str(uuid.uuid4())})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def add_contact(self, other_id):
        """Makes other_id one of this user's contacts (already one is fine): from then on,
        rooms they add this user to take them in at once instead of inviting them."""
        answer = self.call("POST", "/api/contacts", json={"userId": other_id})
        assert answer.status_code in (201, 409), answer.text

    def invitations(self):
        """This user's open invitations, newest first."""
        answer = self.call("GET", "/api/rooms/invitations")
        assert answer.status_code == 200, answer.text
        return answer.json()["invitations"]

    def accept_invitation(self, room_id):
        answer = self.call("POST", f"/api/rooms/invitations/{room_id}/accept")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def decline_invitation(self, room_id):
        answer = self.call("POST", f"/api/rooms/invitations/{room_id}/decline")
        assert answer.status_code == 204, answer.text


# People registered in the running test (by the page or over HTTP): unless the test is
# marked `strangers`, each has every other as a contact, as people who chat together
# do — rooms between them make members at once instead of invitations.
_acquainted = {"on": True, "people": []}


@pytest.fixture(autouse=True)
def _acquaintances(request):
    _acquainted["on"] = request.node.get_closest_marker("strangers") is None
    _acquainted["people"] = []
    yield
    _acquainted["people"] = []


def _meet(base, user_id, token):
    if not _acquainted["on"]:
        return
    for other_id, other_token in _acquainted["people"]:
        for owner, contact in ((token, other_id), (other_token, user_id)):
            answer = requests.post(f"{base}/api/contacts", json={"userId": contact}, timeout=10,
                                   headers={"Authorization": f"Bearer {owner}"})
            assert answer.status_code in (201, 409), answer.text
    _acquainted["people"].append((user_id, token))


def make_contacts(*users):
    """Makes every one of these ApiUsers a contact of every other, so that rooms between
    them make members at once rather than invitations."""
    for user in users:
        for other in users:
            if other is not user:
                user.add_contact(other.id)


def wait_until(predicate, timeout=WAIT, message="condition not met"):
    return _wait_until(predicate, timeout=timeout, message=message)
