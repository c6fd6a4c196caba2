"""The first screen as a new person sees it: one form at a time, a page that
scrolls to every field and button at desktop and phone sizes after errors, a
password hint that says what the server accepts, and a logo that is a picture
(not an emoji that renders as an empty box without an emoji font)."""
from selenium.webdriver.common.by import By


def shown(page, css):
    return [e for e in page.find_all(css) if e.is_displayed()]


def test_one_form_at_a_time(browsers):
    page = browsers(1280, 800)
    page.open()
    page.visible("#login-form")
    assert shown(page, "#login-form") and not shown(page, "#register-form")
    page.click("#auth-toggle")
    page.visible("#register-form")
    assert shown(page, "#register-form") and not shown(page, "#login-form")
    assert "8 to 128 characters" in page.find("#password-hint").text
    logo = page.find(".brand img.logo")
    page.wait(lambda d: d.execute_script("return arguments[0].naturalWidth", logo) > 0, message="the logo did not load")


def test_create_account_stays_reachable_after_errors_on_a_phone(browsers):
    for width, height in ((1280, 800), (390, 640)):
        page = browsers(width, height)
        page.open()
        page.click("#auth-toggle")
        page.type_into("#register-username", "x")
        page.type_into("#register-email", "not-an-email")
        page.type_into("#register-password", "short")
        page.find("#register-form button[type=submit]").click()
        page.wait(lambda d: any(e.text for e in d.find_elements(By.CSS_SELECTOR, "#register-form .field-error")),
                  message="no field errors shown")
        button = page.find("#register-form button[type=submit]")
        page.driver.execute_script("arguments[0].scrollIntoView({block: 'end'})", button)
        inside = page.driver.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight + 1", button)
        assert inside, f"'Create account' cannot be scrolled into view at {width}×{height}"
        assert page.find("#auth-toggle").is_displayed() or page.driver.execute_script(
            "arguments[0].scrollIntoView(); return true", page.find("#auth-toggle"))
