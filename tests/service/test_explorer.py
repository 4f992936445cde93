"""
The explorer's pages as served, without a browser (they need no script):
amounts and prices in tokens, the market's depth and trades, batches,
accounts, and a plain 404 page for what does not exist.
"""

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sequencer.client.http import SequencerClient
from sequencer.l1.exodus import Departure, perp_claim_arguments
from sequencer.service.config import ConfigError, ServiceConfig, load_token_labels
from sequencer.service.core import SequencerService
from sequencer.service.l1 import ExitView, QueueSnapshot
from sequencer.service.server import BackgroundServer
from sequencer.service.explorer.units import TokenLabel, decimal_text, price_text, token_amount
from sequencer.spec.constants import Side, TreeConfig
from sequencer.spec.perpetual.state import PerpAccount, Position
from sequencer.spec.state import State
from sequencer.spec.transactions import L1Transaction
from sequencer.spec.types import AccountIndex, TokenId
from tests.engine.exchange import CONFIG, MARKET
from tests.service.harness import OPERATOR, running_sequencer, standalone_config, trader
from tests.service.test_api import place
from tests.support.scenario import UNIT

ETHER = TokenLabel("WETH", 18)
DOLLAR = TokenLabel("USDC", 6)


@pytest.mark.parametrize(
    ("numerator", "denominator", "places", "text"),
    [
        (0, 1, 8, "0"),
        (1234567, 1000, 8, "1,234.567"),
        (10**30, 10**18, 8, "1,000,000,000,000"),
        (1, 3, 8, "0.33333333"),  # rounded down
        (2, 3, 2, "0.66"),
        (5, 1, 0, "5"),
        (1, 10**9, 8, "0"),  # below the places shown
    ],
)
def test_decimal_text(numerator: int, denominator: int, places: int, text: str) -> None:
    assert decimal_text(numerator, denominator, places) == text


def test_amounts_and_prices_in_tokens() -> None:
    assert token_amount(1_500_000_000_000_000_000, ETHER) == "1.5"
    assert token_amount(2_500_000, DOLLAR) == "2.5"
    # 2,000 USDC per WETH: 2,000 * 10^6 base units of USDC per 10^18 of WETH, times 10^18.
    assert price_text(2_000 * 10**6, ETHER, DOLLAR) == "2,000"
    assert price_text(2_000 * 10**18, ETHER, ETHER) == "2,000"
    assert price_text(1, ETHER, ETHER) == "0"


def test_token_labels_come_from_the_markets_file_or_the_market_names(tmp_path: Path) -> None:
    markets = tmp_path / "markets.json"
    markets.write_text('{"markets": [], "tokens": {"1": {"symbol": "USDC", "decimals": 6}}}')
    labels = load_token_labels(markets)
    assert labels == ((TokenId(1), DOLLAR),)
    config = ServiceConfig(data_dir=tmp_path, tree=CONFIG, slots=1, markets=(MARKET,), token_labels=labels)
    assert config.token_label(TokenId(1)) == DOLLAR
    assert config.token_label(MARKET.base_token) == TokenLabel("BASE", 18)
    assert config.token_label(TokenId(9)) == TokenLabel("token 9", 18)


@pytest.mark.parametrize(
    "tokens",
    [
        '[]',
        '{"x": {"symbol": "A", "decimals": 1}}',
        '{"0": {"symbol": "", "decimals": 1}}',
        '{"0": {"symbol": "A", "decimals": 78}}',
        '{"0": {"symbol": "A", "decimals": true}}',
        '{"0": "A"}',
    ],
)
def test_a_malformed_token_table_is_refused(tokens: str, tmp_path: Path) -> None:
    markets = tmp_path / "markets.json"
    markets.write_text(f'{{"markets": [], "tokens": {tokens}}}')
    with pytest.raises(ConfigError):
        load_token_labels(markets)


@pytest.fixture(scope="module")
def sequencer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SequencerClient]]:
    with running_sequencer(tmp_path_factory.mktemp("explorer")) as (server, client):
        yield server.url, client


def page(url: str) -> httpx.Response:
    response = httpx.get(url, follow_redirects=True)
    assert response.headers["content-type"].startswith("text/html")
    return response


def test_the_market_page_shows_depth_and_trades_in_tokens(sequencer: tuple[str, SequencerClient]) -> None:
    url, client = sequencer
    place(client, trader(1), Side.SELL, 2_001 * UNIT, 2 * UNIT)
    place(client, trader(2), Side.BUY, 2_001 * UNIT, UNIT // 2)
    html = page(f"{url}/explorer/markets/{MARKET.name}").text
    asks = html[html.index('id="book-asks"') :]
    assert "<td>2,001</td><td>1.5</td><td>1</td>" in asks
    trades = html[html.index('id="trades"') :]
    assert '<span class="buy">buy</span></td><td>2,001</td><td>0.5</td><td>1,000.5</td>' in trades
    assert '<script type="module" src="/explorer/static/explorer.js"></script>' in html


def test_the_account_page_shows_balances_and_orders(sequencer: tuple[str, SequencerClient]) -> None:
    url, client = sequencer
    carol = trader(3)
    placed = place(client, carol, Side.BUY, 999 * UNIT, UNIT)
    address = client.account(carol.account_index).eth_address
    response = page(f"{url}/explorer/account?address={address.upper().replace('0X', '0x')}")
    assert str(response.url).endswith(f"/explorer/accounts/{address}")
    html = response.text
    assert f"<td>{placed.order.order_id}</td><td>{MARKET.name}</td>" in html
    assert "<td>999</td><td>1</td><td>0</td>" in html
    nobody = page(f"{url}/explorer/accounts/0x{'ab' * 20}").text
    assert "This address has no account" in nobody


def test_batches_and_the_overview(sequencer: tuple[str, SequencerClient]) -> None:
    url, client = sequencer
    newest = client.batches(limit=1)[0]
    html = page(f"{url}/explorer/batches").text
    assert f'<a href="/explorer/batches/{newest.number}">{newest.number}</a>' in html
    detail = page(f"{url}/explorer/batches/{newest.number}").text
    assert f'<span class="badge {newest.status}"' in detail
    # Each batch lists its own trades: together, every trade once, in order.
    listed: list[int] = []
    for batch in reversed(client.batches(limit=100)):
        html = page(f"{url}/explorer/batches/{batch.number}").text
        trades = html[html.index('id="batch-trades"') : html.index('id="batch-withdrawals"')]
        ids = [int(trade_id) for trade_id in re.findall(r"<tr><td>(\d+)</td>", trades)]
        assert len(ids) == batch.trades
        listed += ids
    assert listed == sorted(t.trade_id for t in client.trades(MARKET.name, limit=1000))
    overview = page(f"{url}/").text
    assert f'<a href="/explorer/markets/{MARKET.name}">{MARKET.name}</a>' in overview


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/explorer/markets/NOPE", 404),
        ("/explorer/markets/%3Cscript%3E", 404),
        ("/explorer/batches/999999", 404),
        ("/explorer/batches/0", 422),
        ("/explorer/accounts/0x1234", 422),
        ("/explorer/account?address=nope", 422),
        ("/explorer/vendor/package.json", 404),
        ("/explorer/vendor/..%2Fpackage.json", 404),
    ],
)
def test_what_does_not_exist_is_refused(path: str, status: int, sequencer: tuple[str, SequencerClient]) -> None:
    url, _ = sequencer
    response = httpx.get(url + path)
    assert response.status_code == status
    assert "<script>" not in response.text


def test_the_static_files_are_served(sequencer: tuple[str, SequencerClient]) -> None:
    url, _ = sequencer
    assert httpx.get(f"{url}/explorer/static/explorer.css").status_code == 200
    script = httpx.get(f"{url}/explorer/static/explorer.js")
    assert script.status_code == 200 and "WebSocket" in script.text


def test_the_trading_page_and_what_it_loads(sequencer: tuple[str, SequencerClient]) -> None:
    """The page's forms and markets; its modules as JavaScript; ethers and the Poseidon constants from npm."""
    url, _ = sequencer
    trade = page(f"{url}/explorer/trade").text
    assert 'id="order-form"' in trade and 'id="withdraw-form"' in trade and 'id="cancel-all"' in trade
    assert f'<option value="{MARKET.name}">' in trade and "&quot;tick_size&quot;" in trade
    for module in ("trade.mjs", "signer.mjs", "format.mjs", "leave.mjs"):
        script = httpx.get(f"{url}/explorer/static/{module}")
        assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    ethers = httpx.get(f"{url}/explorer/vendor/ethers.umd.min.js")
    assert ethers.status_code == 200 and "Wallet" in ethers.text
    constants = httpx.get(f"{url}/explorer/vendor/poseidon_constants.json").json()
    assert len(constants["C"]) == len(constants["M"]) == 16


def test_the_l1_and_exit_pages_without_a_chain(sequencer: tuple[str, SequencerClient]) -> None:
    url, _ = sequencer
    assert "reads its L1 requests from a file" in page(f"{url}/explorer/l1").text
    assert "runs without a chain" in page(f"{url}/explorer/accounts/0x{'ab' * 20}/exit").text


class UnreachableNode:
    """An L1 source whose node does not answer."""

    def since(self, start: int) -> list[tuple[int, L1Transaction]]:
        return []

    def snapshot(self, limit: int) -> QueueSnapshot | None:
        raise ConnectionError("connection refused")

    def exit_view(self, owner: str) -> ExitView | None:
        raise ConnectionError("connection refused")


def test_the_l1_page_says_when_the_node_does_not_answer(tmp_path: Path) -> None:
    service = SequencerService(standalone_config(tmp_path / "data"), OPERATOR, l1=UnreachableNode())
    with BackgroundServer(service) as server:
        response = httpx.get(f"{server.url}/explorer/l1")
        way_out = httpx.get(f"{server.url}/explorer/accounts/0x{'ab' * 20}/exit")
    assert response.status_code == 503
    assert "The L1 node did not answer: connection refused" in response.text
    assert way_out.status_code == 503
    assert "The rollup could not be read from L1: connection refused" in way_out.text


class FrozenWithPositions:
    """A frozen rollup's L1 source whose owner proves a perpetual claim now (the plan ``matchproof exit`` follows)."""

    def __init__(self, departure: Departure) -> None:
        self.departure = departure

    def since(self, start: int) -> list[tuple[int, L1Transaction]]:
        return []

    def snapshot(self, limit: int) -> QueueSnapshot | None:
        return None

    def exit_view(self, owner: str) -> ExitView | None:
        state = State.genesis(TreeConfig(4, 2, 2))
        state.set_perp_account(AccountIndex(1), PerpAccount(-700, (Position(3, -5),)))
        arguments = perp_claim_arguments(state, AccountIndex(1)) if self.departure.perpetual_claim else None
        return ExitView(1, "0x" + "cd" * 20, True, 0, 50_400, self.departure, perp_claim=arguments)


@pytest.mark.parametrize("stage", ["claim", "payout"])
def test_the_exit_page_proves_a_perpetual_claim_then_collects_it(tmp_path: Path, stage: str) -> None:
    amount = 2_440 * UNIT
    departure = Departure(AccountIndex(1), collateral_token=TokenId(1))
    if stage == "claim":
        departure.perpetual_claim = amount
    else:
        departure.perpetual_payout = amount
    service = SequencerService(standalone_config(tmp_path / "data"), OPERATOR, l1=FrozenWithPositions(departure))
    with BackgroundServer(service) as server:
        text = httpx.get(f"{server.url}/explorer/accounts/0x{'ab' * 20}/exit").text
    label = service.config.token_label(TokenId(1))
    shown = "proven now, paid after the claim window" if stage == "claim" else "payout of the proven perpetual claim"
    assert shown in text and token_amount(amount, label) in text
    calls = json.loads(html.unescape(re.search(r'data-calls="([^"]*)"', text).group(1)))  # type: ignore[union-attr]
    if stage == "claim":
        [call] = calls
        assert call["kind"] == "perpetual-claim"
        proof, side, markets, pool = call["arguments"]
        assert side == [str(-700), ["3", "0", "0", "0"], [str(-5), "0", "0", "0"]] and pool == "0" and len(markets) == 4
    else:
        assert calls == [{"kind": "perpetual-payout"}]
