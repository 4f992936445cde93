"""
The trading page in a real browser against a running sequencer: a trader
connects with their Ethereum key (the page derives the L2 key as the command
line does), places an order that rests, cancels it, places one that trades,
cancels everything and withdraws, each request signed in the page; a refused
order shows the server's error code.
"""

from collections.abc import Iterator

import pytest
from eth_account import Account
from playwright.sync_api import Page, expect

from sequencer.client.http import SequencerClient
from sequencer.crypto.keys import L2Keypair, derive_l2_private_key
from sequencer.service.receipts import NO_CONTRACT
from sequencer.service.server import BackgroundServer
from sequencer.spec.constants import Side
from sequencer.spec.transactions import Deposit
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, TokenId
from tests.engine.exchange import MARKET
from tests.service.harness import running_sequencer, trader
from tests.service.test_api import place
from tests.support.scenario import BASE, QUOTE, UNIT
from tests.web.browser import browser_page, screenshot

DAVE = Account.from_key(b"\x07" * 32)
"""A trader who has only an Ethereum key: the page derives their L2 key."""

DAVE_INDEX = AccountIndex(4)


def dave_deposits() -> list[Deposit]:
    """Dave's account, created with the L2 key his Ethereum key derives for the standalone sequencer (chain 0, no contract)."""
    keys = L2Keypair.from_private_key(derive_l2_private_key(DAVE, 0, NO_CONTRACT))
    address = EthAddress(int(DAVE.address, 16))
    key = (FieldElement(keys.public_key.ax), FieldElement(keys.public_key.ay))
    return [
        Deposit(DAVE_INDEX, address, *key, TokenId(BASE), Amount(10 * UNIT)),
        Deposit(DAVE_INDEX, address, FieldElement(0), FieldElement(0), TokenId(QUOTE), Amount(50_000 * UNIT)),
    ]


@pytest.fixture(scope="module")
def sequencer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BackgroundServer, SequencerClient]]:
    with running_sequencer(tmp_path_factory.mktemp("trade"), dave_deposits()) as running:
        yield running


@pytest.fixture
def page(sequencer: tuple[BackgroundServer, SequencerClient]) -> Iterator[Page]:
    server, _ = sequencer
    with browser_page() as opened:
        opened.goto(f"{server.url}/explorer/trade")
        expect(opened.locator("#trade")).to_have_attribute("data-ready", "true")
        opened.get_by_label("Ethereum private key").fill(DAVE.key.hex())
        opened.get_by_role("button", name="Connect").click()
        expect(opened.locator("#account")).to_contain_text(f"Account {DAVE_INDEX}")
        yield opened


def place_from_page(page: Page, side: str, price: str, amount: str, kind: str = "limit") -> None:
    """Fill the order form and submit it."""
    page.locator("#market").select_option(MARKET.name)
    page.locator("#side").select_option(side)
    page.locator("#kind").select_option(kind)
    page.locator("#price").fill(price)
    page.locator("#amount").fill(amount)
    page.get_by_role("button", name="Place order").click()


def test_a_trader_places_and_cancels_an_order_from_the_page(
    sequencer: tuple[BackgroundServer, SequencerClient], page: Page
) -> None:
    _, client = sequencer
    expect(page.locator("#balances tr").filter(has_text="BASE").locator("td").nth(1)).to_have_text("10")
    place_from_page(page, "sell", "2,500.5", "1.25")
    expect(page.locator("#message")).to_contain_text("open")
    (order,) = client.orders(DAVE_INDEX)
    assert (order.side, order.price, order.amount, order.kind) == ("sell", 25_005 * UNIT // 10, 5 * UNIT // 4, "limit")
    row = page.locator("#orders tr").filter(has_text=str(order.order_id))
    expect(row.locator("td").nth(4)).to_have_text("2,500.5")
    expect(page.locator("#balances tr").filter(has_text="BASE").locator("td").nth(2)).to_have_text("1.25")
    screenshot(page, "trade")

    page.get_by_role("button", name=f"Cancel order {order.order_id}").click()
    expect(page.locator("#message")).to_have_text(f"Order {order.order_id} cancelled.")
    expect(page.locator("#orders tr")).to_have_text("No open orders.")
    assert client.order(DAVE_INDEX, order.order_id).status == "cancelled"


def test_an_order_from_the_page_trades_and_every_kind_signs(
    sequencer: tuple[BackgroundServer, SequencerClient], page: Page
) -> None:
    _, client = sequencer
    place(client, trader(1), Side.SELL, 2_000 * UNIT, UNIT)
    place_from_page(page, "buy", "2000", "0.5", kind="ioc")
    expect(page.locator("#message")).to_contain_text("1 trade(s)")
    for kind in ("post_only", "fok", "market"):
        price = "1000" if kind == "post_only" else "2000"
        place_from_page(page, "buy", price, "0.25", kind=kind)
        expect(page.locator("#message")).not_to_have_class("alert")
    orders = {order.kind: order for order in client.orders(DAVE_INDEX, status="all")}
    assert orders["ioc"].status == orders["fok"].status == orders["market"].status == "filled"
    assert orders["post_only"].status == "open"
    # An order that never rests lives a minute (its expiry bounds how long it could be held back), one that rests a day.
    assert 55 <= orders["ioc"].expiry - orders["ioc"].accepted_at <= 65
    assert orders["post_only"].expiry - orders["post_only"].accepted_at >= 86_000

    page.get_by_role("button", name="Cancel all orders").click()
    expect(page.locator("#message")).to_have_text("Cancelled 1 order(s).")
    assert client.orders(DAVE_INDEX) == []


def test_a_refused_order_shows_the_servers_code_and_a_withdrawal_is_signed(
    sequencer: tuple[BackgroundServer, SequencerClient], page: Page
) -> None:
    _, client = sequencer
    place_from_page(page, "buy", "2000.005", "1")  # off the market's 0.01 tick
    expect(page.locator("#message")).to_contain_text("INVALID_TICK")
    expect(page.locator("#message")).to_have_class("alert")

    page.locator("#withdraw-token").select_option(str(QUOTE))
    page.locator("#withdraw-amount").fill("100")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.locator("#message")).to_contain_text("Withdrawal of 100 QUOTE accepted")
    (withdrawal,) = client.withdrawals(DAVE_INDEX)
    assert (withdrawal.token, withdrawal.amount) == (QUOTE, 100 * UNIT)
