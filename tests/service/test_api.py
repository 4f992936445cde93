"""
The HTTP API over a real server on loopback: every endpoint, the receipts,
the WebSocket feed, and every kind of bad input answered 4xx with its code.
"""

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

from sequencer.client.http import ApiError, SequencerClient
from sequencer.client.trader import Trader, next_order_id, receipt_is_valid
from sequencer.spec.constants import OrderKind, Side
from sequencer.service.api import is_loopback
from sequencer.service.commands import PlaceOrder
from sequencer.service.schemas import PlaceOrderOut
from tests.engine.exchange import CONFIG, MARKET
from tests.service.harness import MAX_BATCH_WAIT_S, OPERATOR, running_sequencer, trader, wait_for
from tests.support.scenario import BASE, NOW, QUOTE, UNIT

EXPIRY = NOW + 10**8
"""Far in the future: these orders never expire during the tests."""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SequencerClient]]:
    """A funded standalone sequencer serving on loopback, shared by this module's tests."""
    with running_sequencer(tmp_path_factory.mktemp("api")) as (server, client):
        yield server.url, client


@pytest.fixture
def client(api: tuple[str, SequencerClient]) -> SequencerClient:
    return api[1]


@pytest.fixture
def url(api: tuple[str, SequencerClient]) -> str:
    return api[0]


def place(
    client: SequencerClient,
    who: Trader,
    side: Side,
    price: int,
    amount: int,
    kind: OrderKind = OrderKind.LIMIT,
    client_order_id: str | None = None,
) -> PlaceOrderOut:
    """Place an order with a fresh id of ``who``, checking its receipt."""
    account = client.account(who.account_index)
    order_id = next_order_id(account)
    command = who.order(client.market(MARKET.name), order_id, side, price, amount, 50, EXPIRY, kind, client_order_id)
    placed = client.place_order(command)
    assert receipt_is_valid(placed.receipt, command, client.info())
    return placed


def test_info_names_the_receipt_signer_and_sizes(client: SequencerClient) -> None:
    info = client.info()
    assert info.sequencer == OPERATOR.address
    assert (info.slots, info.order_depth, info.markets) == (4, CONFIG.order_depth, [MARKET.name])


def test_markets_carry_their_configuration(client: SequencerClient) -> None:
    (market,) = client.markets()
    assert market == client.market(MARKET.name)
    assert (market.tick_size, market.lot_size, market.min_amount) == (
        MARKET.tick_size,
        MARKET.lot_size,
        MARKET.min_amount,
    )
    assert (market.maker_fee_bps, market.taker_fee_bps) == (10, 20)


def test_order_life_place_get_list_cancel(client: SequencerClient) -> None:
    alice = trader(1)
    placed = place(client, alice, Side.BUY, 5 * UNIT, 2 * UNIT, client_order_id="life-1")
    order_id = placed.order.order_id
    assert placed.order.status == "open" and placed.trades == []
    assert client.order(alice.account_index, order_id) == placed.order
    assert client.order_by_client_id(alice.account_index, "life-1") == placed.order
    assert order_id in [o.order_id for o in client.orders(alice.account_index)]
    balances = {b.token: b for b in client.account(alice.account_index).balances}
    assert balances[QUOTE].locked >= 10 * UNIT
    cancelled = client.cancel(alice.cancel(order_id))
    assert (cancelled.order.status, cancelled.order.reason) == ("cancelled", "requested")
    assert order_id not in [o.order_id for o in client.orders(alice.account_index)]
    assert order_id in [o.order_id for o in client.orders(alice.account_index, status="all")]
    entry = client.log_entry(cancelled.receipt.sequence)
    assert entry.receipt == cancelled.receipt and entry.request["type"] == "cancel"


def test_a_trade_shows_in_the_book_the_trades_and_the_balances(client: SequencerClient) -> None:
    bob, carol = trader(2), trader(3)
    base_before = {b.token: b.balance for b in client.account(carol.account_index).balances}[BASE]
    ask = place(client, bob, Side.SELL, 40 * UNIT, 3 * UNIT)
    assert client.book(MARKET.name).asks[0].price == 40 * UNIT
    taken = place(client, carol, Side.BUY, 40 * UNIT, UNIT, kind=OrderKind.IOC)
    (trade,) = taken.trades
    assert (trade.price, trade.base, trade.quote, trade.taker_side) == (40 * UNIT, UNIT, 40 * UNIT, "buy")
    assert trade.maker.order_id == ask.order.order_id and trade.maker.account_index == bob.account_index
    assert client.trades(MARKET.name, limit=1) == [trade]
    level = client.book(MARKET.name).asks[0]
    assert (level.price, level.amount, level.orders) == (40 * UNIT, 2 * UNIT, 1)
    base_after = {b.token: b.balance for b in client.account(carol.account_index).balances}[BASE]
    assert base_after - base_before == UNIT - trade.taker.fee
    client.cancel(bob.cancel(ask.order.order_id))


def test_cancel_all(client: SequencerClient) -> None:
    carol = trader(3)
    ids = {place(client, carol, Side.BUY, price * UNIT, UNIT).order.order_id for price in (1, 2)}
    below = client.account(carol.account_index).highest_order_id + 1
    result = client.cancel_all(carol.cancel_all(below))
    assert ids <= {order.order_id for order in result.cancelled}
    assert client.orders(carol.account_index) == []
    assert client.account(carol.account_index).min_order_id == below


def test_withdrawal_is_batched_and_listed(client: SequencerClient) -> None:
    bob = trader(2)
    nonce = client.account(bob.account_index).nonce
    accepted = client.withdraw(bob.withdraw(BASE, UNIT, nonce))
    assert accepted.withdrawal.status == "pending"
    wait_for(lambda: client.withdrawals(bob.account_index)[-1].status == "sealed", timeout_s=MAX_BATCH_WAIT_S + 5)
    withdrawal = client.withdrawals(bob.account_index)[-1]
    assert withdrawal.batch is not None
    batch = client.batch(withdrawal.batch)
    assert batch.status == "sealed" and batch.withdrawals >= 1 and batch.timestamp is not None
    assert client.account(bob.account_index).nonce == nonce + 1
    paid = httpx.get(f"{client.base_url}/v1/batches/{withdrawal.batch}/withdrawals").json()
    assert [(w["account_index"], w["nonce"], w["amount"]) for w in paid][-1] == (bob.account_index, nonce, str(UNIT))
    assert len(httpx.get(f"{client.base_url}/v1/batches/{withdrawal.batch}/trades").json()) == batch.trades
    assert httpx.get(f"{client.base_url}/v1/batches/99999/trades").json()["code"] == "BATCH_NOT_FOUND"


def test_batches_list_the_open_one_first(client: SequencerClient) -> None:
    batches = client.batches(limit=3)
    assert batches[0].status == "open"
    assert [b.number for b in batches] == sorted((b.number for b in batches), reverse=True)
    assert all(b.status == "sealed" for b in batches[1:])


def test_status_digest_names_the_state(client: SequencerClient) -> None:
    first, second = client.status(digest=True), client.status(digest=True)
    assert first.state_digest is not None and len(first.state_digest) == 64
    assert first.sequence != second.sequence or first.state_digest == second.state_digest
    assert client.status().state_digest is None
    assert not first.intake_failed


def test_concurrent_orders_are_acknowledged_exactly_as_logged(client: SequencerClient, url: str) -> None:
    """
    Orders sent all at once reach the intake in groups whose signatures are
    verified together, valid and forged side by side: each forged one is
    refused, and each acknowledged one is in the log at its receipt's
    position and nothing else is.
    """
    market = client.market(MARKET.name)
    commands: list[tuple[PlaceOrder, bool]] = []
    for number in (1, 2, 3):
        who = trader(number)
        account = client.account(who.account_index)
        first = next_order_id(account)
        for offset in range(6):  # IOC far below the asks: each closes at once, unfilled
            command = who.order(market, first + offset, Side.BUY, UNIT // 100, UNIT, 50, EXPIRY, OrderKind.IOC)
            forged = offset % 3 == 2
            if forged:  # signed by the trader, but for another amount
                other = who.order(market, first + offset, Side.BUY, UNIT // 100, 2 * UNIT, 50, EXPIRY, OrderKind.IOC)
                command = replace(command, signed=replace(command.signed, signature=other.signed.signature))
            commands.append((command, forged))
    before = client.status().sequence

    def send(command: PlaceOrder) -> PlaceOrderOut | ApiError:
        with SequencerClient(url) as own:
            try:
                return own.place_order(command)
            except ApiError as refusal:
                return refusal

    with ThreadPoolExecutor(len(commands)) as pool:
        answers = list(pool.map(send, [command for command, _ in commands]))
    info = client.info()
    acknowledged = {}
    for (command, forged), answer in zip(commands, answers, strict=True):
        if forged:
            assert isinstance(answer, ApiError) and answer.code == "INVALID_SIGNATURE"
        elif isinstance(answer, PlaceOrderOut):
            assert receipt_is_valid(answer.receipt, command, info)
            acknowledged[answer.receipt.sequence] = command
        else:  # a later id of the same account may arrive first: the earlier one is then stale
            assert answer.code in {"ORDER_ID_USED", "ORDER_ID_STALE"}, answer
    assert len(acknowledged) >= 3
    logged = {
        seq: entry.request
        for seq in range(before + 1, client.status().sequence + 1)
        if (entry := client.log_entry(seq)).request["type"] not in ("seal", "tick")
    }
    assert logged.keys() == acknowledged.keys()
    for seq, command in acknowledged.items():
        assert int(logged[seq]["order"]["order_id"]) == command.signed.order.order_id


def test_openapi_document_lists_the_routes(url: str) -> None:
    paths = httpx.get(f"{url}/openapi.json").json()["paths"]
    for path in (
        "/v1/orders",
        "/v1/orders/cancel",
        "/v1/orders/cancel-all",
        "/v1/withdrawals",
        "/v1/markets/{market}/book",
        "/v1/accounts/{account}",
        "/v1/batches/{number}",
    ):
        assert path in paths


def test_feed_sends_a_snapshot_then_trades_and_books(client: SequencerClient, url: str) -> None:
    bob, carol = trader(2), trader(3)
    with connect(url.replace("http", "ws") + f"/v1/markets/{MARKET.name}/feed", open_timeout=5) as feed:
        first = json.loads(feed.recv(timeout=5))
        assert first["type"] == "book" and first["market"] == MARKET.name
        ask = place(client, bob, Side.SELL, 60 * UNIT, UNIT)
        place(client, carol, Side.BUY, 60 * UNIT, UNIT, kind=OrderKind.IOC)
        messages = [json.loads(feed.recv(timeout=5)) for _ in range(3)]
    assert [m["type"] for m in messages] == ["book", "trade", "book"]
    assert messages[0]["asks"][0]["price"] == str(60 * UNIT)
    assert messages[1]["maker"]["order_id"] == ask.order.order_id and messages[1]["base"] == str(UNIT)
    assert messages[2]["sequence"] > messages[0]["sequence"]


def test_feed_of_an_unknown_market_is_closed(url: str) -> None:
    with connect(url.replace("http", "ws") + "/v1/markets/NOPE/feed", open_timeout=5) as feed:
        with pytest.raises(ConnectionClosedError) as closed:
            feed.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


# ---------------------------------------------------------------- refusals


def order_body(client: SequencerClient, **changes: Any) -> dict[str, Any]:
    """A valid, signed order request as JSON, with ``changes`` to its fields."""
    alice = trader(1)
    command = alice.order(client.market(MARKET.name), 2**40, Side.BUY, UNIT, UNIT, 50, EXPIRY)
    body: dict[str, Any] = {
        "market": MARKET.name,
        "order": {
            "account_index": 1,
            "order_id": 2**40,
            "side": "buy",
            "price": str(UNIT),
            "amount": str(UNIT),
            "max_fee_bps": 50,
            "expiry": str(EXPIRY),
            "kind": "limit",
        },
        "signature": {k: str(v) for k, v in vars(command.signed.signature).items()},
    }
    for path, value in changes.items():
        target = body
        *parents, last = path.split("__")
        for parent in parents:
            target = target[parent]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return body


BAD_ORDERS: list[tuple[str, dict[str, Any], int, str]] = [
    ("negative amount", {"order__amount": -1}, 422, "INVALID_REQUEST"),
    ("negative amount as text", {"order__amount": "-1"}, 422, "INVALID_REQUEST"),
    ("huge amount", {"order__amount": "9" * 100}, 422, "INVALID_REQUEST"),
    ("amount of 2**96", {"order__amount": str(2**96)}, 422, "INVALID_REQUEST"),
    ("fractional amount", {"order__amount": 1.5}, 422, "INVALID_REQUEST"),
    ("exponent amount", {"order__amount": "1e18"}, 422, "INVALID_REQUEST"),
    ("boolean account", {"order__account_index": True}, 422, "INVALID_REQUEST"),
    ("text account", {"order__account_index": "alice"}, 422, "INVALID_REQUEST"),
    ("object price", {"order__price": {"value": 1}}, 422, "INVALID_REQUEST"),
    ("unknown side", {"order__side": "up"}, 422, "INVALID_REQUEST"),
    ("unknown kind", {"order__kind": "gtc"}, 422, "INVALID_REQUEST"),
    ("unknown field", {"order__leverage": 100}, 422, "INVALID_REQUEST"),
    ("missing signature", {"signature": ...}, 422, "INVALID_REQUEST"),
    ("signature out of range", {"signature__s": str(2**256)}, 422, "INVALID_REQUEST"),
    ("market name with spaces", {"market": "BASE QUOTE"}, 422, "INVALID_REQUEST"),
    ("client id with spaces", {"client_order_id": "a b"}, 422, "INVALID_REQUEST"),
    ("unknown market", {"market": "NOPE"}, 404, "UNKNOWN_MARKET"),
    ("unknown account", {"order__account_index": 9}, 404, "ACCOUNT_NOT_FOUND"),
    ("account outside the tree", {"order__account_index": 2**20}, 422, "VALUE_OUT_OF_RANGE"),
    ("wrong signature", {"order__amount": str(2 * UNIT)}, 422, "INVALID_SIGNATURE"),
    ("off the tick grid", {"order__price": str(UNIT + 1)}, 422, "INVALID_TICK"),
    ("changed after signing", {"order__expiry": "1"}, 422, "INVALID_SIGNATURE"),
]


@pytest.mark.parametrize(
    ("changes", "status", "code"), [case[1:] for case in BAD_ORDERS], ids=[c[0] for c in BAD_ORDERS]
)
def test_bad_orders_are_refused_with_their_code(
    client: SequencerClient, url: str, changes: dict[str, Any], status: int, code: str
) -> None:
    before = client.status().sequence
    response = httpx.post(f"{url}/v1/orders", json=order_body(client, **changes))
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    logged = [client.log_entry(seq).request["type"] for seq in range(before + 1, client.status().sequence + 1)]
    assert set(logged) <= {"seal", "tick"}  # the timer may seal meanwhile; the order left no trace


RAW_REQUESTS: list[tuple[str, str, str, bytes | None, dict[str, str], int, str]] = [
    ("malformed JSON", "POST", "/v1/orders", b"{not json", {}, 400, "MALFORMED_JSON"),
    ("invalid UTF-8", "POST", "/v1/orders", b"\xff\xfe", {}, 400, "MALFORMED_JSON"),
    ("deeply nested", "POST", "/v1/orders", b"[" * 50_000, {}, 400, "MALFORMED_JSON"),
    ("5000-digit number", "POST", "/v1/orders", b'{"market": ' + b"9" * 5000 + b"}", {}, 400, "MALFORMED_JSON"),
    ("empty body", "POST", "/v1/orders", b"", {}, 422, "INVALID_REQUEST"),
    ("array body", "POST", "/v1/orders", b"[]", {}, 422, "INVALID_REQUEST"),
    ("NaN body", "POST", "/v1/withdrawals", b"NaN", {}, 422, "INVALID_REQUEST"),
    ("not JSON content", "POST", "/v1/orders", b"{}", {"content-type": "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE"),
    ("too large", "POST", "/v1/orders", b" " * 70_000, {}, 413, "REQUEST_TOO_LARGE"),
    ("text account path", "GET", "/v1/accounts/alice", None, {}, 422, "INVALID_REQUEST"),
    ("huge account path", "GET", "/v1/accounts/" + "9" * 40, None, {}, 422, "INVALID_REQUEST"),
    ("negative account path", "GET", "/v1/accounts/-1", None, {}, 422, "INVALID_REQUEST"),
    ("missing account", "GET", "/v1/accounts/15", None, {}, 404, "ACCOUNT_NOT_FOUND"),
    ("bad address", "GET", "/v1/accounts/by-address/0x1234", None, {}, 422, "INVALID_REQUEST"),
    ("unknown address", "GET", "/v1/accounts/by-address/0x" + "ab" * 20, None, {}, 404, "ACCOUNT_NOT_FOUND"),
    ("unknown order", "GET", "/v1/accounts/1/orders/999999", None, {}, 404, "ORDER_NOT_FOUND"),
    ("order id out of range", "GET", f"/v1/accounts/1/orders/{2**48}", None, {}, 422, "INVALID_REQUEST"),
    ("unknown client id", "GET", "/v1/accounts/1/orders/by-client-id/nope", None, {}, 404, "ORDER_NOT_FOUND"),
    ("bad order status", "GET", "/v1/accounts/1/orders?status=closed", None, {}, 422, "INVALID_REQUEST"),
    ("unknown market book", "GET", "/v1/markets/NOPE/book", None, {}, 404, "UNKNOWN_MARKET"),
    ("zero depth", "GET", f"/v1/markets/{MARKET.name}/book?depth=0", None, {}, 422, "INVALID_REQUEST"),
    ("text depth", "GET", f"/v1/markets/{MARKET.name}/book?depth=deep", None, {}, 422, "INVALID_REQUEST"),
    ("huge trade limit", "GET", f"/v1/markets/{MARKET.name}/trades?limit={10**30}", None, {}, 422, "INVALID_REQUEST"),
    ("batch zero", "GET", "/v1/batches/0", None, {}, 422, "INVALID_REQUEST"),
    ("future batch", "GET", "/v1/batches/99999", None, {}, 404, "BATCH_NOT_FOUND"),
    ("future log entry", "GET", "/v1/log/99999999", None, {}, 404, "ENTRY_NOT_FOUND"),
    ("unknown route", "GET", "/v1/nowhere", None, {}, 404, "NOT_FOUND"),
    ("wrong method", "DELETE", "/v1/orders", None, {}, 405, "METHOD_NOT_ALLOWED"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "code"),
    [case[1:] for case in RAW_REQUESTS],
    ids=[case[0] for case in RAW_REQUESTS],
)
def test_bad_requests_are_refused_with_their_code(
    url: str, method: str, path: str, body: bytes | None, headers: dict[str, str], status: int, code: str
) -> None:
    headers = {"content-type": "application/json", **headers} if body is not None else headers
    response = httpx.request(method, url + path, content=body, headers=headers)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text


def test_refusals_of_signed_requests_carry_the_sequencers_codes(client: SequencerClient) -> None:
    alice = trader(1)
    codes = []
    for call in (
        lambda: client.cancel(alice.cancel(2**47)),
        lambda: client.cancel_all(alice.cancel_all(0)),
        lambda: client.withdraw(alice.withdraw(BASE, UNIT, 10**6)),
        lambda: client.withdraw(alice.withdraw(BASE, 10**9 * UNIT, client.account(1).nonce)),
    ):
        with pytest.raises(ApiError) as refusal:
            call()
        codes.append((refusal.value.status, refusal.value.code))
    assert codes == [
        (404, "ORDER_NOT_FOUND"),
        (409, "MIN_ORDER_ID_NOT_RAISED"),
        (409, "INVALID_NONCE"),
        (422, "INSUFFICIENT_BALANCE"),
    ]


def test_refusals_carry_the_offending_values(client: SequencerClient) -> None:
    alice = trader(1)
    with pytest.raises(ApiError) as refusal:
        client.withdraw(alice.withdraw(BASE, 10**9 * UNIT, client.account(1).nonce))
    assert refusal.value.code == "INSUFFICIENT_BALANCE"
    assert refusal.value.values["required"] == str(10**9 * UNIT)
    assert set(refusal.value.values) == {"account", "token", "available", "required"}
    with pytest.raises(ApiError) as refusal:
        client.withdraw(alice.withdraw(BASE, UNIT, 10**6))
    assert refusal.value.code == "INVALID_NONCE"
    assert refusal.value.values == {"expected": "0", "got": str(10**6)}



@pytest.mark.parametrize(
    ("path", "values"),
    [
        ("/v1/accounts/1/orders/999999", {"account": "1", "order_id": "999999"}),
        ("/v1/accounts/1/orders/by-client-id/nope", {"client_order_id": "nope"}),
        ("/v1/markets/NOPE/book", {"market": "NOPE"}),
        ("/v1/batches/99999", {"batch": "99999"}),
        ("/v1/accounts/99999", {"account": "99999"}),
    ],
)
def test_the_apis_own_refusals_carry_the_values_they_name(url: str, path: str, values: dict[str, str]) -> None:
    """A lookup that finds nothing says what it looked for, as the state transition's refusals do."""
    error = httpx.get(url + path).json()
    assert error["values"] == values, error

def test_expired_order_is_refused(client: SequencerClient) -> None:
    alice = trader(1)
    command = alice.order(client.market(MARKET.name), 2**41, Side.BUY, UNIT, UNIT, 50, NOW - 1)
    with pytest.raises(ApiError) as refusal:
        client.place_order(command)
    assert (refusal.value.status, refusal.value.code) == (422, "ORDER_EXPIRED")


def test_post_only_and_fok_refusals(client: SequencerClient) -> None:
    bob, carol = trader(2), trader(3)
    ask = place(client, bob, Side.SELL, 70 * UNIT, UNIT)
    for kind, code in ((OrderKind.POST_ONLY, "POST_ONLY_WOULD_CROSS"), (OrderKind.FOK, "FOK_NOT_FILLABLE")):
        with pytest.raises(ApiError) as refusal:
            place(client, carol, Side.BUY, 70 * UNIT, 2 * UNIT, kind=kind)
        assert refusal.value.code == code
    client.cancel(bob.cancel(ask.order.order_id))


@pytest.mark.parametrize(
    ("host", "local"), [("127.0.0.1", True), ("::1", True), ("10.1.2.3", False), ("203.0.113.7", False), ("testclient", False)]
)
def test_the_state_digest_is_for_the_sequencers_own_machine(host: str, local: bool) -> None:
    """``/v1/status?digest=true`` serialises the whole history: only loopback callers get it (else 403)."""
    request = Request({"type": "http", "client": (host, 40000), "headers": []})
    assert is_loopback(request) is local
