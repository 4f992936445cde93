"""
The explorer in a real browser against a running sequencer: the book and
the trades follow the WebSocket feed without a reload, formatted as the
server formats them, and an account is found from the look-up form.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from sequencer.client.http import SequencerClient
from sequencer.service.explorer.units import TokenLabel, price_text, token_amount
from sequencer.service.server import BackgroundServer
from sequencer.spec.constants import Side
from tests.engine.exchange import MARKET
from tests.service.harness import running_sequencer, trader
from tests.service.test_api import place
from tests.support.scenario import UNIT
from tests.web.browser import browser_page, screenshot

BASE = QUOTE = TokenLabel("", 18)
"""The test exchange's tokens are labelled by default: 18 decimals each."""


@pytest.fixture(scope="module")
def sequencer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BackgroundServer, SequencerClient]]:
    with running_sequencer(tmp_path_factory.mktemp("explorer")) as running:
        yield running


@pytest.fixture
def page() -> Iterator[Page]:
    with browser_page() as opened:
        yield opened


def test_the_book_and_the_trades_follow_the_feed(sequencer: tuple[BackgroundServer, SequencerClient], page: Page) -> None:
    server, client = sequencer
    alice, bob = trader(1), trader(2)
    page.goto(f"{server.url}/explorer/markets/{MARKET.name}")
    market = page.locator("#market")
    # The feed's first snapshot: the log's sequence then (a batch sealed meanwhile may have moved the log on).
    expect(market).to_have_attribute("data-live", re.compile(r"^\d+$"))
    assert int(market.get_attribute("data-live") or 0) <= client.status().sequence

    ask = 2_345_670 * UNIT // 1000  # 2,345.67
    place(client, alice, Side.SELL, ask, 3 * UNIT // 2)
    asks = page.locator("#book-asks tr").filter(has_text=price_text(ask, BASE, QUOTE))
    expect(asks).to_have_count(1)
    expect(asks.locator("td").nth(1)).to_have_text(token_amount(3 * UNIT // 2, BASE))  # 1.5

    place(client, bob, Side.BUY, ask, UNIT // 4)
    trade = page.locator("#trades tr").first
    expect(trade.locator("td").nth(1)).to_have_text("buy")
    expect(trade.locator("td").nth(2)).to_have_text("2,345.67")
    expect(trade.locator("td").nth(3)).to_have_text("0.25")
    expect(trade.locator("td").nth(4)).to_have_text(token_amount(ask // 4, QUOTE))
    expect(asks.locator("td").nth(1)).to_have_text("1.25")
    screenshot(page, "explorer-market")

    page.reload()  # the server renders what the script showed
    expect(page.locator("#trades tr").first.locator("td").nth(2)).to_have_text("2,345.67")
    expect(asks.locator("td").nth(1)).to_have_text("1.25")


def test_an_account_is_found_by_its_l1_address(sequencer: tuple[BackgroundServer, SequencerClient], page: Page) -> None:
    server, client = sequencer
    carol = trader(3)
    placed = place(client, carol, Side.BUY, 1000 * UNIT, UNIT)
    address = client.account(carol.account_index).eth_address
    page.goto(f"{server.url}/explorer")
    page.get_by_label("L1 address").fill(address)
    page.get_by_role("button", name="Look up").click()
    expect(page).to_have_url(f"{server.url}/explorer/accounts/{address}")
    row = page.locator("#open-orders tr").filter(has_text=str(placed.order.order_id))
    expect(row.locator("td").nth(4)).to_have_text("1,000")
    locked = client.account(carol.account_index).balances[1].locked  # the buy locks quote
    expect(page.locator("#balances tr").filter(has_text="QUOTE").locator("td").nth(2)).to_have_text(
        token_amount(locked, QUOTE)
    )
    screenshot(page, "explorer-account")


def test_the_overview_lists_markets_and_batches(sequencer: tuple[BackgroundServer, SequencerClient], page: Page) -> None:
    server, client = sequencer
    page.goto(f"{server.url}/")
    expect(page).to_have_title("Overview · Matchproof explorer")
    expect(page.get_by_role("link", name=MARKET.name)).to_be_visible()
    newest = client.batches(limit=1)[0]
    expect(page.locator("#batches tr").first.locator("td").first).to_have_text(str(newest.number))
    screenshot(page, "explorer-overview")
