"""
A real browser for the web tests: Debian's Chromium (``/usr/bin/chromium``,
which ``scripts/bootstrap`` installs), headless, driven by Playwright.

Set ``MATCHPROOF_SCREENSHOT_DIR`` to keep the screenshots the tests take
(``docs/screenshots`` holds the committed ones).
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium."""

SCREENSHOT_DIR_ENV = "MATCHPROOF_SCREENSHOT_DIR"


@contextmanager
def browser_page() -> Iterator[Page]:
    """A fresh page of a headless Chromium, closed on exit."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: scripts/bootstrap installs Debian's chromium when run as root")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def screenshot(page: Page, name: str) -> None:
    """Keep a full-page screenshot as ``<name>.png`` if ``MATCHPROOF_SCREENSHOT_DIR`` is set."""
    folder = os.environ.get(SCREENSHOT_DIR_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
