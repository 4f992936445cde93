"""
Perpetual markets through a real sequencer on loopback: collateral moved
in, an oracle feeder's signed prices, orders refused for margin with a
named code, a trade, the account's risk view, the liquidation the
sequencer starts itself after a price fall, and a restart that replays
every perpetual request from the log to the same state.
"""

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

from sequencer.crypto.eddsa import sign
from sequencer.engine.batcher import PerpSetup
from sequencer.service.canonical import state_digest
from sequencer.service.core import SequencerService
from sequencer.service.server import BackgroundServer
from sequencer.spec.constants import OrderKind, Side
from sequencer.spec.perpetual.state import PerpConfig
from sequencer.spec.perpetual.transactions import PerpOrder, collateral_transfer_message
from sequencer.spec.types import AccountIndex, Amount, Nonce, OrderId, Price, Timestamp
from tests.engine.exchange import ALICE, BOB, CAROL, funding
from tests.engine.perp_exchange import PERP
from tests.service.harness import OPERATOR, standalone_config, wait_for, write_funding
from tests.spec.perpetual.builders import config, signed_price
from tests.support.scenario import Trader

FUND = CAROL
"""The insurance fund is Carol's account here."""


def perp_config() -> PerpConfig:
    """The spec tests' deployment, its insurance fund Carol's account."""
    return replace(config(), insurance_fund=FUND.index)


def signature_json(signature: Any) -> dict[str, str]:
    return {"r8x": str(signature.r8x), "r8y": str(signature.r8y), "s": str(signature.s)}


def order_body(trader: Trader, order_id: int, side: Side, price: int, amount: int, **fields: Any) -> dict[str, Any]:
    """A perpetual order of ``trader``, signed with its key, as the API takes it."""
    order = PerpOrder(
        AccountIndex(trader.index), OrderId(order_id), PERP.market, side, Price(price), Amount(amount),
        fields.get("max_fee_bps", 50), Timestamp(int(time.time()) + 3600), fields.get("kind", OrderKind.LIMIT),
        fields.get("reduce_only", False),
    )
    return {
        "market": PERP.name,
        "order": {
            "account_index": order.account_index,
            "order_id": order.order_id,
            "market": order.market,
            "side": "buy" if side == Side.BUY else "sell",
            "price": str(order.price),
            "amount": str(order.amount),
            "max_fee_bps": order.max_fee_bps,
            "expiry": str(order.expiry),
            "kind": order.kind.value,
            "reduce_only": order.reduce_only,
        },
        "signature": signature_json(sign(trader.private_key, order.message_hash())),
    }


def transfer_body(trader: Trader, amount: int, nonce: int) -> dict[str, Any]:
    """``trader`` moves ``amount`` of QUOTE into collateral at ``nonce``."""
    message = collateral_transfer_message(AccountIndex(trader.index), Amount(amount), True, Nonce(nonce))
    return {
        "account_index": trader.index,
        "amount": str(amount),
        "to_collateral": True,
        "nonce": nonce,
        "signature": signature_json(sign(trader.private_key, message)),
    }


def prices_body(price: int) -> dict[str, Any]:
    """Oracles 0, 1 and 2 sign ``price`` now."""
    now = int(time.time())
    prices = [signed_price(signer, price, now) for signer in range(3)]
    return {
        "market": PERP.market,
        "prices": [
            {"signer": p.signer, "price": str(p.price), "timestamp": str(p.timestamp), "signature": signature_json(p.signature)}
            for p in prices
        ],
    }


@pytest.fixture
def sequencer(tmp_path: Path) -> Iterator[tuple[str, SequencerService]]:
    """A funded sequencer with the perpetual market, on loopback."""
    queue = write_funding(tmp_path / "queue.json")
    service_config = replace(standalone_config(tmp_path / "data"), perp=PerpSetup(perp_config(), 2, (PERP,)))
    service = SequencerService(service_config, OPERATOR, l1=queue)
    with BackgroundServer(service) as server:
        wait_for(lambda: httpx.get(f"{server.url}/v1/status").json()["l1_requests"] == len(funding()))
        # The deposits' batches sealed (on the batch timer), so that nothing changes the state unasked.
        wait_for(lambda: httpx.get(f"{server.url}/v1/status").json()["pending_transactions"] == 0)
        yield server.url, service


def post(url: str, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{url}{path}", json=body, timeout=10)


def test_a_leveraged_trade_and_the_liquidation_after_a_price_fall(sequencer: tuple[str, SequencerService]) -> None:
    url, service = sequencer
    for trader, amount in ((ALICE, 1_500), (BOB, 20_000), (FUND, 50_000)):
        answer = post(url, "/v1/perp/collateral", transfer_body(trader, amount, 0))
        assert answer.status_code == 200, answer.text
        assert answer.json()["collateral"] == str(amount) and answer.json()["receipt"]["signature"]
    assert post(url, "/v1/perp/prices", prices_body(100)).json()["closes"] == []
    assert post(url, "/v1/perp/orders", order_body(BOB, 1, Side.SELL, 100, 100)).status_code == 200

    refused = post(url, "/v1/perp/orders", order_body(ALICE, 1, Side.BUY, 100, 200))
    assert refused.status_code == 422 and refused.json()["code"] == "ORDER_WOULD_BREACH_MARGIN", refused.text

    placed = post(url, "/v1/perp/orders", order_body(ALICE, 2, Side.BUY, 100, 100)).json()
    assert [(t["size"], t["price"], t["maker"]["account_index"]) for t in placed["trades"]] == [("100", "100", BOB.index)]
    assert placed["order"]["status"] == "filled"

    alice = httpx.get(f"{url}/v1/perp/accounts/{ALICE.index}").json()
    assert alice["positions"] == [{"market": 0, "size": "100", "notional": "10000", "unsettled_funding": "0"}]
    assert alice["value"] == str(1_500 - 20) and alice["maintenance_requirement"] == "500"  # less the 0.2 % taker fee
    assert int(alice["to_liquidation"]) == 1_480 - 500 and alice["liquidatable"] is False

    time.sleep(1)  # a market's next price must be signed after its last one
    fallen = post(url, "/v1/perp/prices", prices_body(89)).json()
    assert [(c["kind"], c["account_index"]) for c in fallen["closes"]] == [("liquidation", ALICE.index)]
    assert httpx.get(f"{url}/v1/perp/accounts/{ALICE.index}").json()["positions"] == []
    market = httpx.get(f"{url}/v1/perp/markets").json()[0]
    assert (market["name"], market["oracle_price"], market["open_interest"]) == (PERP.name, "89", "100")
    book = httpx.get(f"{url}/v1/perp/markets/{PERP.name}/book").json()
    assert book["bids"] == [] and book["asks"] == []
    trades = httpx.get(f"{url}/v1/perp/markets/{PERP.name}/trades").json()
    assert len(trades) == 1 and trades[0]["taker"]["account_index"] == ALICE.index


def test_a_restart_replays_the_perpetual_requests_to_the_same_state(tmp_path: Path) -> None:
    queue = write_funding(tmp_path / "queue.json")
    service_config = replace(standalone_config(tmp_path / "data"), perp=PerpSetup(perp_config(), 2, (PERP,)))
    first = SequencerService(service_config, OPERATOR, l1=queue)
    with BackgroundServer(first) as server:
        url = server.url
        wait_for(lambda: httpx.get(f"{url}/v1/status").json()["l1_requests"] == len(funding()))
        for trader in (ALICE, BOB, FUND):
            assert post(url, "/v1/perp/collateral", transfer_body(trader, 20_000, 0)).status_code == 200
        assert post(url, "/v1/perp/prices", prices_body(100)).status_code == 200
        assert post(url, "/v1/perp/orders", order_body(BOB, 1, Side.SELL, 100, 50)).status_code == 200
        assert post(url, "/v1/perp/orders", order_body(ALICE, 1, Side.BUY, 101, 80)).status_code == 200
    stopped_at, digest = first.machine.seq, state_digest(first.operator)
    second = SequencerService(service_config, OPERATOR, l1=queue)
    second.open()
    try:
        assert second.machine.seq == stopped_at
        assert state_digest(second.operator) == digest
        assert second.operator.perp_ledger().account(ALICE.index).position(0).size == 50
    finally:
        asyncio.run(second.stop())


def test_the_feed_streams_prices_trades_closes_and_books(sequencer: tuple[str, SequencerService]) -> None:
    url, _ = sequencer
    for trader, amount in ((ALICE, 1_500), (BOB, 20_000), (FUND, 50_000)):
        assert post(url, "/v1/perp/collateral", transfer_body(trader, amount, 0)).status_code == 200
    with connect(url.replace("http", "ws") + f"/v1/markets/{PERP.name}/feed", open_timeout=5) as feed:
        assert json.loads(feed.recv(timeout=5))["type"] == "book"
        assert post(url, "/v1/perp/prices", prices_body(100)).status_code == 200
        market = json.loads(feed.recv(timeout=5))
        assert (market["type"], market["oracle_price"]) == ("market", "100")
        assert post(url, "/v1/perp/orders", order_body(BOB, 1, Side.SELL, 100, 100)).status_code == 200
        assert json.loads(feed.recv(timeout=5))["asks"][0] == {"price": "100", "amount": "100", "orders": 1}
        assert post(url, "/v1/perp/orders", order_body(ALICE, 1, Side.BUY, 100, 100)).status_code == 200
        trade, book = (json.loads(feed.recv(timeout=5)) for _ in range(2))
        assert (trade["type"], trade["size"], book["type"], book["asks"]) == ("trade", "100", "book", [])
        time.sleep(1)  # a market's next price must be signed after its last one
        assert post(url, "/v1/perp/prices", prices_body(89)).status_code == 200
        close, market, book = (json.loads(feed.recv(timeout=5)) for _ in range(3))
    assert (close["type"], close["kind"], close["account_index"]) == ("close", "liquidation", ALICE.index)
    assert (market["type"], market["oracle_price"], book["type"]) == ("market", "89", "book")


def test_an_accounts_feed_streams_its_positions_and_margin(sequencer: tuple[str, SequencerService]) -> None:
    url, _ = sequencer
    for trader, amount in ((ALICE, 1_500), (BOB, 20_000), (FUND, 50_000)):
        assert post(url, "/v1/perp/collateral", transfer_body(trader, amount, 0)).status_code == 200
    assert post(url, "/v1/perp/prices", prices_body(100)).status_code == 200
    with connect(url.replace("http", "ws") + f"/v1/perp/accounts/{ALICE.index}/feed", open_timeout=5) as feed:
        first = json.loads(feed.recv(timeout=5))
        assert (first["type"], first["collateral"], first["positions"]) == ("position", "1500", [])
        assert post(url, "/v1/perp/orders", order_body(BOB, 1, Side.SELL, 100, 100)).status_code == 200
        assert json.loads(feed.recv(timeout=5))["positions"] == []  # Bob's order: Alice's margin is as it was
        assert post(url, "/v1/perp/orders", order_body(ALICE, 1, Side.BUY, 100, 100)).status_code == 200
        opened = json.loads(feed.recv(timeout=5))
        assert [p["size"] for p in opened["positions"]] == ["100"] and opened["liquidatable"] is False
        time.sleep(1)  # a market's next price must be signed after its last one
        assert post(url, "/v1/perp/prices", prices_body(89)).status_code == 200
        closed = json.loads(feed.recv(timeout=5))
    assert closed["positions"] == [] and closed["sequence"] > opened["sequence"]
    for missing in (9, 2**40):
        with connect(url.replace("http", "ws") + f"/v1/perp/accounts/{missing}/feed", open_timeout=5) as feed:
            with pytest.raises(ConnectionClosedError) as refused:
                feed.recv(timeout=5)
        assert refused.value.rcvd is not None and refused.value.rcvd.code == 4404


def test_the_sequencer_ticks_funding_at_the_books_premium_while_a_position_is_open(tmp_path: Path) -> None:
    queue = write_funding(tmp_path / "queue.json")
    perp = PerpSetup(perp_config(), 2, (PERP,))
    service_config = replace(standalone_config(tmp_path / "data"), perp=perp, funding_interval_s=1)
    service = SequencerService(service_config, OPERATOR, l1=queue)
    with BackgroundServer(service) as server:
        url = server.url
        wait_for(lambda: httpx.get(f"{url}/v1/status").json()["l1_requests"] == len(funding()))
        for account in (ALICE, BOB):
            assert post(url, "/v1/perp/collateral", transfer_body(account, 50_000, 0)).status_code == 200
        assert post(url, "/v1/perp/prices", prices_body(100)).status_code == 200
        assert post(url, "/v1/perp/orders", order_body(BOB, 1, Side.BUY, 110, 1)).status_code == 200
        assert post(url, "/v1/perp/orders", order_body(BOB, 2, Side.SELL, 112, 2)).status_code == 200
        time.sleep(2.5)  # a priced market with a book but no position: no tick
        assert httpx.get(f"{url}/v1/perp/markets").json()[0]["funding_index"] == "0"
        assert post(url, "/v1/perp/orders", order_body(ALICE, 1, Side.BUY, 112, 1)).status_code == 200
        # the book's mid is 11 % above the price: longs pay, at most the maximum rate for the time since the first price
        wait_for(lambda: int(httpx.get(f"{url}/v1/perp/markets").json()[0]["funding_index"]) > 0, timeout_s=10)
        market = httpx.get(f"{url}/v1/perp/markets").json()[0]
        elapsed = int(market["funding_time"]) - int(market["oracle_time"])
        assert 0 < int(market["funding_index"]) <= perp.config.markets[0].max_funding_rate * 100 * elapsed


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/v1/perp/orders", {**order_body(ALICE, 1, Side.BUY, 100, 1), "market": "NOPE"}, 404, "UNKNOWN_MARKET"),
        ("/v1/perp/orders", {**order_body(ALICE, 1, Side.BUY, 100, 1), "extra": 1}, 422, "INVALID_REQUEST"),
        ("/v1/perp/prices", {"market": 0, "prices": []}, 422, "INVALID_REQUEST"),
        ("/v1/perp/collateral", transfer_body(ALICE, 10**25, 0), 422, "INSUFFICIENT_BALANCE"),
        ("/v1/perp/collateral", transfer_body(ALICE, 1, 7), 409, "INVALID_NONCE"),
    ],
)
def test_bad_perpetual_requests_are_refused_with_their_code(
    sequencer: tuple[str, SequencerService], path: str, body: dict[str, Any], status: int, code: str
) -> None:
    url, service = sequencer
    before = state_digest(service.operator)
    answer = post(url, path, body)
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    assert state_digest(service.operator) == before
