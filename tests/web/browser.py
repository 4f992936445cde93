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


BROWSER_WALLET = """
window.ethereum = {
  // An EIP-1193 wallet holding one account that the node signs and sends for (one of anvil's).
  async request({ method, params }) {
    if (method === "eth_requestAccounts" || method === "eth_accounts") return [%(account)r];
    const response = await fetch(%(node)r, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params || [] }),
    });
    const answer = await response.json();
    if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
    return answer.result;
  },
};
"""


def give_wallet(page: Page, address: str, node_url: str) -> None:
    """
    Give the pages ``page`` opens next a browser wallet (``window.ethereum``)
    holding ``address``, an account the node at ``node_url`` signs for
    (anvil's are unlocked): what MetaMask would be, without an extension.
    """
    page.add_init_script(BROWSER_WALLET % {"account": address, "node": node_url})
