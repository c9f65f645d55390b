"""Playwright driving Debian's Chromium against pytest-django's live server.

Without /usr/bin/chromium the browser tests skip with the reason; CI sets
RECRUIT_REQUIRE_BROWSER=1 (in .ci/run) so there they fail instead of skipping.
"""
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("RECRUIT_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; the ORM calls in the tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Browsers in Norway, like the users (and whatever zone the machine running the tests is in);
# tests of other zones replace timezone_id.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "timezone_id": "Europe/Oslo"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "timezone_id": "Europe/Oslo"}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}; install it with: apt-get install chromium"
        if os.environ.get("RECRUIT_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


def _page(browser, live_server, device):
    context = browser.new_context(base_url=live_server.url, **device)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser, live_server):
    yield from _page(browser, live_server, DESKTOP)


@pytest.fixture
def phone(browser, live_server):
    yield from _page(browser, live_server, PHONE)


def log_in(page, username, password="pw-123456789"):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
