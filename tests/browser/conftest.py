"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's
live server, with axe-core checking every page for accessibility problems.

Chromium is never downloaded: the tests use /usr/bin/chromium and fail (not
skip) when it is missing, so a machine without it cannot pass silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from kinmap.accounts.models import User
from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
ALLOW_ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
_axe = Axe()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser tests, and run them after every other test (see ``browser``)."""
    here = Path(__file__).parent
    ours = [i for i in items if here in Path(i.path).parents]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    items[:] = [i for i in items if i not in ours] + ours


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole test run; each test gets its own context.

    Playwright's synchronous API keeps an asyncio event loop running on the
    test's thread for as long as it is started, and Django then refuses every
    database call on that thread (test set-up, fixtures, assertions, the flush
    after each test) as if it came from async code. The code here is plain
    synchronous code, so the check is switched off while the browser is open,
    and back on when it closes. The browser tests run last, so no other test
    runs with the check off.
    """
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}. Install it with "
            "`make chromium` (apt-get install chromium); no other browser is downloaded.",
            pytrace=False,
        )
    before = os.environ.get(ALLOW_ASYNC_UNSAFE)
    os.environ[ALLOW_ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                yield b
            finally:
                b.close()
    finally:
        if before is None:
            os.environ.pop(ALLOW_ASYNC_UNSAFE, None)
        else:
            os.environ[ALLOW_ASYNC_UNSAFE] = before


@pytest.fixture
def materials_seeded() -> None:
    """The materials come from a data migration; a transactional test that ran
    before this one empties every table when it ends, so seed them again."""
    import importlib

    from kinmap.carers.models import Material

    seed = importlib.import_module("kinmap.carers.migrations.0002_seed_materials")
    for m in seed.MATERIALS:
        Material.objects.update_or_create(code=m["code"], defaults=m)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Signing in is exercised, not the cost of hashing: hash test passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _tab(browser: Browser, base_url: str, *, javascript: bool) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A fresh browser tab (own cookies) pointed at the live server."""
    yield from _tab(browser, live_server.url, javascript=True)


@pytest.fixture
def page_without_javascript(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A fresh tab with JavaScript switched off: every page must still work."""
    yield from _tab(browser, live_server.url, javascript=False)


def sign_in(page: Page, user: User, password: str = PASSWORD) -> None:
    """Sign in through the sign-in form, as a person would."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def assert_no_axe_violations(page: Page) -> None:
    """Run axe-core on the page as it is now and fail with its report if it finds
    any violation.

    axe.min.js (shipped in axe-playwright-python's package directory) is
    evaluated through the DevTools protocol, which the page's Content Security
    Policy does not govern, so no CSP bypass is needed: the page is checked
    exactly as it is served.
    """
    results = _axe.run(page)
    if results.violations_count:
        pytest.fail(f"axe-core found problems on {page.url}:\n{results.generate_report()}", pytrace=False)
