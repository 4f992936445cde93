"""The explorer's pages, as HTML text: every value shown goes through ``escape``."""

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from html import escape
from typing import assert_never

from sequencer.engine.market import Market
from sequencer.spec.transactions import Deposit, ForcedCancelAll, ForcedWithdraw, L1Transaction
from sequencer.spec.types import AccountIndex, TokenId

from ..core import SequencerService
from ..l1 import ExitView, QueueSnapshot
from ..schemas import BatchOut, LevelOut, OrderOut, TradeOut
from ..views import account_out, book_out, market_out, order_out
from .. import queries
from .units import TokenLabel, decimal_text, price_text, token_amount

BOOK_DEPTH = 20
"""Price levels shown per side of a book (the feed's depth)."""

RECENT = 50
"""Trades, batches and orders shown in a list."""

STATUS_TEXT = {
    "open": "open: taking transactions",
    "sealed": "sealed: waiting for a prover",
    "proving": "proving",
    "proven": "proven: waiting for L1",
    "verified": "verified on L1",
}
"""What each batch status means, for its badge's title."""


EXPLORER_SCRIPT = '<script type="module" src="/explorer/static/explorer.js"></script>'
"""The market page's live feed."""

TRADE_SCRIPTS = (
    '<script src="/explorer/vendor/ethers.umd.min.js"></script>\n'
    '<script type="module" src="/explorer/static/trade.mjs"></script>'
)
"""The trading page: ethers (the Ethereum key and its EIP-712 signature), then the page's own module."""

LEAVE_SCRIPTS = (
    '<script src="/explorer/vendor/ethers.umd.min.js"></script>\n'
    '<script type="module" src="/explorer/static/leave.mjs"></script>'
)
"""A frozen rollup's way-out page: ethers, and the module that sends the exits from a browser wallet."""


def layout(title: str, main: str, scripts: str = "") -> str:
    """A whole page: the header with its navigation and account look-up, then ``main``; ``scripts`` go in the head."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Matchproof explorer</title>
<link rel="stylesheet" href="/explorer/static/explorer.css">
{scripts}
</head>
<body>
<header>
<a class="brand" href="/explorer">Matchproof</a>
<nav><a href="/explorer">Overview</a><a href="/explorer/batches">Batches</a><a href="/explorer/l1">L1 queue</a><a href="/explorer/trade">Trade</a></nav>
<form class="lookup" action="/explorer/account" method="get">
<input name="address" placeholder="L1 address 0x…" aria-label="L1 address" required
 pattern="0x[0-9a-fA-F]{{40}}" size="44"><button type="submit">Look up</button>
</form>
</header>
<main>
{main}
</main>
</body>
</html>
"""


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], body_id: str = "", empty: str = "None yet.") -> str:
    """A table of already escaped cells; ``empty`` in one row when there are none."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    if not body:
        body = f'<tr class="empty"><td colspan="{len(headers)}">{escape(empty)}</td></tr>'
    identifier = f' id="{escape(body_id)}"' if body_id else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody{identifier}>{body}</tbody></table>"


def facts_table(facts: Sequence[tuple[str, str]], table_id: str = "") -> str:
    """A two-column table of named values (the values already escaped)."""
    rows = "".join(f"<tr><th>{escape(name)}</th><td>{value}</td></tr>" for name, value in facts)
    identifier = f' id="{escape(table_id)}"' if table_id else ""
    return f'<table class="facts"{identifier}>{rows}</table>'


def badge(status: str, batch: bool = False) -> str:
    """A batch, order or withdrawal status as a coloured label; a batch's is explained in its title."""
    title = STATUS_TEXT.get(status) if batch else None
    explained = f' title="{escape(title)}"' if title else ""
    return f'<span class="badge {escape(status)}"{explained}>{escape(status)}</span>'


def when(seconds: int | None) -> str:
    """A unix time in UTC, or a dash."""
    if seconds is None:
        return "–"
    return escape(datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))


def market_labels(service: SequencerService, market: Market) -> tuple[TokenLabel, TokenLabel]:
    """The labels of a market's base and quote tokens."""
    return service.config.token_label(market.base_token), service.config.token_label(market.quote_token)


def overview(service: SequencerService) -> str:
    """The sequencer's state, its markets with their best prices, and the latest batches."""
    operator = service.operator
    status = [
        ("Requests logged", str(service.machine.seq)),
        ("State root", f"<code>0x{operator.head.root:064x}</code>"),
        ("L1 requests read", str(operator.l1_seen)),
        ("Transactions waiting for a batch", str(len(operator.pending))),
        ("Batches sealed", str(len(operator.batches))),
    ]
    halted = ""
    if service.halted is not None:
        halted = f'<p class="alert">The sequencer stopped taking requests: {escape(str(service.halted))}</p>'
    markets = []
    for market in operator.markets.values():
        base, quote = market_labels(service, market)
        book = operator.books[market.name]
        bid, ask = book.best_bid(), book.best_ask()
        last = queries.recent_trades(service, market.name, 1)
        markets.append(
            (
                f'<a href="/explorer/markets/{escape(market.name)}">{escape(market.name)}</a>',
                "–" if bid is None else escape(price_text(bid, base, quote)),
                "–" if ask is None else escape(price_text(ask, base, quote)),
                escape(price_text(last[0].price, base, quote)) if last else "–",
                f"{market.maker_fee_bps} / {market.taker_fee_bps} bps",
            )
        )
    main = f"""<h1>Overview</h1>
{halted}
<section><h2>Sequencer</h2>{facts_table(status)}</section>
<section><h2>Markets</h2>
{table(["Market", "Best bid", "Best ask", "Last price", "Fees (maker / taker)"], markets)}
</section>
<section><h2>Latest batches</h2>{batch_table(queries.recent_batches(service, 10))}
<p><a href="/explorer/batches">All batches</a></p></section>"""
    return layout("Overview", main)


def batch_table(batches: Sequence[BatchOut]) -> str:
    """Batches, newest first, with their status and L1 transaction."""
    rows = [
        (
            f'<a href="/explorer/batches/{b.number}">{b.number}</a>',
            badge(b.status, batch=True),
            str(b.transactions),
            str(b.trades),
            str(b.deposits),
            str(b.withdrawals),
            when(b.timestamp),
            "–" if b.l1_tx is None else f'<code class="tx">{escape(b.l1_tx)}</code>',
            "–" if b.l1_gas is None else f"{b.l1_gas:,}",
        )
        for b in batches
    ]
    headers = ["Batch", "Status", "Transactions", "Trades", "Deposits", "Withdrawals", "Time", "L1 transaction", "L1 gas"]
    return table(headers, rows, body_id="batches")


def market_page(service: SequencerService, market: Market) -> str:
    """A market: its depth on both sides and its latest trades, kept live by the script."""
    base, quote = market_labels(service, market)
    book = book_out(service.operator.books[market.name], service.machine.seq, BOOK_DEPTH)
    trades = queries.recent_trades(service, market.name, RECENT)
    name = escape(market.name)
    main = f"""<h1>{name}</h1>
<p class="meta">Base {escape(base.symbol)}, quote {escape(quote.symbol)}; tick {escape(price_text(market.tick_size, base, quote))}
{escape(quote.symbol)}, lot {escape(token_amount(market.lot_size, base))} {escape(base.symbol)}, smallest order
{escape(token_amount(market.min_amount, base))} {escape(base.symbol)}; fees {market.maker_fee_bps} bps maker,
{market.taker_fee_bps} bps taker.</p>
<div id="market" data-market="{name}" data-base-decimals="{base.decimals}" data-quote-decimals="{quote.decimals}"
 data-live="static">
<p class="live"><span id="live-state">Showing log entry {book.sequence}.</span>
<noscript>Reload the page for the latest book: live updates need JavaScript.</noscript></p>
<div class="book">
<section><h2>Bids ({escape(base.symbol)})</h2>{levels_table(book.bids, base, quote, "bids")}</section>
<section><h2>Asks ({escape(base.symbol)})</h2>{levels_table(book.asks, base, quote, "asks")}</section>
</div>
<section><h2>Latest trades</h2>{trades_table(trades, base, quote)}</section>
</div>"""
    return layout(market.name, main, EXPLORER_SCRIPT)


def levels_table(levels: Sequence[LevelOut], base: TokenLabel, quote: TokenLabel, side: str) -> str:
    """One side of a book, best price first, each level with a bar as long as its share of the side."""
    largest = max((level.amount for level in levels), default=0)
    rows = [
        (
            escape(price_text(level.price, base, quote)),
            escape(token_amount(level.amount, base)),
            str(level.orders),
            f'<span class="bar {side}" style="width:{100 * level.amount // largest}%"></span>',
        )
        for level in levels
    ]
    return table(["Price", "Amount", "Orders", "Depth"], rows, body_id=f"book-{side}", empty="No orders.")


def trades_table(trades: Sequence[TradeOut], base: TokenLabel, quote: TokenLabel) -> str:
    """Trades, newest first."""
    rows = [
        (
            when(trade.time),
            f'<span class="{trade.taker_side}">{escape(trade.taker_side)}</span>',
            escape(price_text(trade.price, base, quote)),
            escape(token_amount(trade.base, base)),
            escape(token_amount(trade.quote, quote)),
        )
        for trade in trades
    ]
    headers = ["Time", "Taker", "Price", f"Amount ({base.symbol})", f"Total ({quote.symbol})"]
    return table(headers, rows, body_id="trades")


def l1_gas_text(service: SequencerService, batch: BatchOut) -> str:
    """The gas of the transaction that verified ``batch``, and how many batches it verified."""
    if batch.l1_gas is None:
        return "–"
    shared = sum(1 for progress in service.progress.values() if progress.l1_tx == batch.l1_tx)
    return f"{batch.l1_gas:,}" + (f" (one transaction for {shared} batches)" if shared > 1 else "")


def batches_page(service: SequencerService) -> str:
    """The open batch and the latest sealed ones."""
    return layout("Batches", f"<h1>Batches</h1>{batch_table(queries.recent_batches(service, RECENT))}")


def batch_page(service: SequencerService, number: int) -> str:
    """One batch: what it holds, its status, its L1 transaction."""
    batch = queries.batch_out(service, number)
    facts = [
        ("Status", badge(batch.status, batch=True)),
        ("Transactions", str(batch.transactions)),
        ("Trades", str(batch.trades)),
        ("Deposits", str(batch.deposits)),
        ("Withdrawals", str(batch.withdrawals)),
        ("Batch time", when(batch.timestamp)),
        ("Sealed at", when(batch.sealed_at)),
        ("L1 transaction", "–" if batch.l1_tx is None else f'<code class="tx">{escape(batch.l1_tx)}</code>'),
        ("L1 gas", l1_gas_text(service, batch)),
        ("Proving attempts", str(batch.attempts)),
    ]
    if batch.error:
        facts.append(("Last error", escape(batch.error)))
    trades = []
    for trade in queries.batch_trades(service, number):
        base, quote = market_labels(service, service.operator.markets[trade.market])
        trades.append(
            (
                str(trade.trade_id),
                escape(trade.market),
                f'<span class="{trade.taker_side}">{escape(trade.taker_side)}</span>',
                escape(price_text(trade.price, base, quote)),
                escape(token_amount(trade.base, base)),
                str(trade.maker.account_index),
                str(trade.taker.account_index),
            )
        )
    withdrawals = []
    for withdrawal in queries.batch_withdrawals(service, number):
        label = service.config.token_label(TokenId(withdrawal.token))
        withdrawals.append(
            (
                str(withdrawal.account_index),
                escape(token_amount(withdrawal.amount, label)),
                escape(label.symbol),
                f"<code>{escape(withdrawal.eth_address)}</code>",
            )
        )
    trade_headers = ["Trade", "Market", "Taker", "Price", "Amount", "Maker account", "Taker account"]
    main = f"""<h1>Batch {number}</h1>{facts_table(facts, "batch")}
<section><h2>Trades</h2>{table(trade_headers, trades, body_id="batch-trades", empty="No trades.")}</section>
<section><h2>Withdrawals</h2>{table(["Account", "Amount", "Token", "Paid to"], withdrawals, body_id="batch-withdrawals", empty="No withdrawals.")}</section>"""
    return layout(f"Batch {number}", main)


def account_page(service: SequencerService, address: str, index: AccountIndex | None) -> str:
    """An L1 address's account: balances, open orders, latest orders and withdrawals."""
    title = f"Account {address}"
    if index is None:
        return layout(title, f"<h1>{escape(title)}</h1><p>This address has no account: it never deposited.</p>")
    config = service.config
    account = account_out(service.operator, index, config.tokens)
    balances = []
    for balance in account.balances:
        label = config.token_label(TokenId(balance.token))
        balances.append(
            (
                escape(label.symbol),
                escape(token_amount(balance.balance, label)),
                escape(token_amount(balance.locked, label)),
                escape(token_amount(balance.available, label)),
            )
        )
    open_orders = [order_out(r) for r in service.operator.open_orders(index)]
    latest = [order_out(r) for r in reversed(service.operator.orders_of(index)[-RECENT:])]
    withdrawals = []
    for withdrawal in queries.account_withdrawals(service, index):
        label = config.token_label(TokenId(withdrawal.token))
        batch = "–" if withdrawal.batch is None else f'<a href="/explorer/batches/{withdrawal.batch}">{withdrawal.batch}</a>'
        withdrawals.append(
            (when(withdrawal.time), escape(token_amount(withdrawal.amount, label)), escape(label.symbol), batch, badge(withdrawal.status))
        )
    main = f"""<h1>{escape(title)}</h1>
<p class="meta">Rollup account {index}; {account.open_orders} open orders; {account.nonce} withdrawals signed.
<a href="/explorer/accounts/{escape(address)}/exit">The way out without the operator</a>.</p>
<section><h2>Balances</h2>{table(["Token", "Balance", "Locked by open orders", "Available"], balances, body_id="balances")}</section>
<section><h2>Open orders</h2>{orders_table(service, open_orders, "open-orders")}</section>
<section><h2>Latest orders</h2>{orders_table(service, latest, "orders")}</section>
<section><h2>Withdrawals</h2>{table(["Time", "Amount", "Token", "Batch", "Status"], withdrawals, body_id="withdrawals")}</section>"""
    return layout(title, main)


def orders_table(service: SequencerService, orders: Sequence[OrderOut], body_id: str) -> str:
    """Orders with their market's units."""
    rows = []
    for order in orders:
        market = service.operator.markets[order.market]
        base, quote = market_labels(service, market)
        rows.append(
            (
                str(order.order_id),
                escape(order.market),
                f'<span class="{order.side}">{escape(order.side)}</span>',
                escape(order.kind.value),
                escape(price_text(order.price, base, quote)),
                escape(token_amount(order.amount, base)),
                escape(token_amount(order.filled, base)),
                badge(order.status.value),
            )
        )
    headers = ["Id", "Market", "Side", "Kind", "Price", "Amount", "Filled", "Status"]
    return table(headers, rows, body_id=body_id)


def l1_page(service: SequencerService, queue: QueueSnapshot | None, unreachable: str | None = None) -> str:
    """
    The rollup's L1 side: frozen or live, and each L1 request no verified
    batch has consumed yet, with the last block a batch may consume it in.
    """
    if unreachable is not None:
        return layout("L1 queue", f'<h1>L1 queue</h1><p class="alert">The L1 node did not answer: {escape(unreachable)}</p>')
    if queue is None:
        return layout("L1 queue", "<h1>L1 queue</h1><p>This sequencer reads its L1 requests from a file: no chain, no deadlines.</p>")
    state = (
        '<p class="alert" id="frozen">The rollup is frozen: no batch is accepted any more; every account exits with '
        "a Merkle proof against the last proven root (<code>matchproof exit</code>).</p>"
        if queue.frozen
        else '<p id="live">The rollup is live.</p>'
    )
    facts = [
        ("L1 block", str(queue.block)),
        ("Requests queued", str(queue.queued)),
        ("Consumed by verified batches", str(queue.consumed)),
        ("Read by this sequencer", str(service.operator.l1_seen)),
    ]
    rows = []
    for request in queue.waiting:
        left = request.deadline_block - queue.block
        due = f'<span class="overdue">overdue by {-left}</span>' if left < 0 else f"{left} blocks left"
        read = "in a batch on its way to L1" if request.index < service.operator.l1_seen else "not read yet"
        rows.append(
            (
                str(request.index),
                escape(request_kind(request.transaction)),
                str(request.transaction.account_index),
                f"<code>0x{request.transaction.eth_addr:040x}</code>",
                str(request.deadline_block),
                due,
                read,
            )
        )
    headers = ["Request", "Kind", "Account", "Sent by", "Deadline block", "Deadline", "Sequencer"]
    main = f"""<h1>L1 queue</h1>
{state}
{facts_table(facts)}
<h2>Waiting for a verified batch</h2>
<p class="meta">A batch must consume each request by its deadline block; once the oldest is overdue anyone
may freeze the rollup.</p>
{table(headers, rows, body_id="waiting", empty="None: every queued request is in a verified batch.")}"""
    return layout("L1 queue", main)


def exit_page(service: SequencerService, address: str, view: ExitView | None, unreachable: str | None = None) -> str:
    """
    An address's way out: while the rollup is live, the forced requests a
    batch must serve before a deadline (or anyone may freeze it); once it is
    frozen, what ``matchproof exit`` pays, token by token, and the command.
    """
    title = f"The way out for {address}"
    if unreachable is not None:
        return layout(title, f'<h1>{escape(title)}</h1><p class="alert">The rollup could not be read from L1: {escape(unreachable)}</p>')
    if view is None:
        return layout(title, f"<h1>{escape(title)}</h1><p>This sequencer runs without a chain: there is no rollup to leave.</p>")
    # The sequencer's own node URL is not shown: it may carry a provider's key.
    chain = f"--rpc YOUR_NODE_URL --rollup {view.rollup} --keystore YOUR_KEYSTORE.json"
    if not view.frozen:
        fee = decimal_text(view.request_fee, 10**18, 18)
        commands = "\n".join(
            f"matchproof force-withdraw --token {token} {chain}    # all your {service.config.token_label(token).symbol}"
            for token in service.config.tokens
        )
        main = f"""<h1>{escape(title)}</h1>
<p id="live">The rollup is live. If the sequencer does not serve you, ask L1 directly: each forced request
costs {escape(fee)} ETH and must be served by a batch within {view.deadline_blocks} blocks; past that, anyone may
freeze the rollup (<code>matchproof freeze</code>) and every account leaves with its last proven balances.</p>
<h2>Forced withdrawal of a whole balance</h2>
<pre id="commands">{escape(commands)}</pre>
<p class="meta"><code>YOUR_NODE_URL</code>: any node of chain {view.chain_id}.</p>
<p>To cancel every order below an id first: <code>matchproof force-cancel-all --min-order-id ID {escape(chain)}</code>.
The <a href="/explorer/l1">L1 queue</a> shows each request's deadline.</p>"""
        return layout(title, main)
    departure = view.departure
    rows = []
    if departure is not None:
        for token, amount in sorted(departure.exits.items()):
            label = service.config.token_label(token)
            rows.append(("exit: the last proven balance", escape(token_amount(amount, label)), escape(label.symbol)))
        for request_index, deposit in sorted(departure.refunds.items()):
            label = service.config.token_label(deposit.token)
            rows.append(
                (f"refund of deposit {request_index}, which no batch consumed", escape(token_amount(deposit.amount, label)), escape(label.symbol))
            )
        for token, amount in sorted(departure.claims.items()):
            label = service.config.token_label(token)
            rows.append(("claim of proven withdrawals", escape(token_amount(amount, label)), escape(label.symbol)))
        if departure.collateral_token is not None:
            label = service.config.token_label(departure.collateral_token)
            if departure.perpetual_claim:
                what = "perpetual positions at the last proven prices: proven now, paid after the claim window"
                rows.append((what, escape(token_amount(departure.perpetual_claim, label)), escape(label.symbol)))
            if departure.perpetual_payout:
                what = "payout of the proven perpetual claim"
                rows.append((what, escape(token_amount(departure.perpetual_payout, label)), escape(label.symbol)))
    main = f"""<h1>{escape(title)}</h1>
<p class="alert" id="frozen">The rollup is frozen. Every account takes out what the last proven state gives it,
with a Merkle proof rebuilt from L1 alone: no sequencer is needed.</p>
<h2>What <code>matchproof exit</code> pays {escape(address)}</h2>
{table(["What", "Amount", "Token"], rows, body_id="departure", empty="Nothing left to take out.")}
<h2>The command</h2>
<pre id="command">{escape(f"matchproof exit {chain}")}</pre>
<p class="meta"><code>YOUR_NODE_URL</code>: any node of chain {view.chain_id}; <code>YOUR_KEYSTORE.json</code>: your
Ethereum key (or <code>MATCHPROOF_PRIVATE_KEY</code> in the environment instead of <code>--keystore</code>).</p>
<p class="meta">It rebuilds the state from the rollup's events, checks it against the contract's root, then
sends one <code>exit</code> per token, the refunds and the claims (<code>--to ADDRESS</code> pays the exits
elsewhere). Leaving twice pays nothing more.</p>{leave_section(view, address)}"""
    return layout(title, main, LEAVE_SCRIPTS if view.departure is not None else "")


def leave_section(view: ExitView, address: str) -> str:
    """
    The transactions ``matchproof exit`` would send, for a browser wallet to
    send instead (``static/leave.mjs``): each exit with the account's exit
    proof, each refund with its request's fields, each claim, the perpetual
    claim with its arguments or its payout.
    """
    departure = view.departure
    if departure is None or not (
        departure.exits or departure.refunds or departure.claims or departure.perpetual_claim or departure.perpetual_payout
    ):
        return ""
    calls: list[dict[str, object]] = []
    if departure.perpetual_claim:  # first: the one call with a deadline
        assert view.perp_claim is not None  # the view carries the arguments of every claim it proves
        calls.append({"kind": "perpetual-claim", "arguments": json_numbers(view.perp_claim)})
    if departure.exits:
        assert view.proof is not None  # the view proves every departure that exits
        proof = json_numbers(view.proof.as_abi())
        calls.extend({"kind": "exit", "token": token, "proof": proof} for token in sorted(departure.exits))
    for request_index, deposit in sorted(departure.refunds.items()):
        fields = (deposit.account_index, address, deposit.ax, deposit.ay, deposit.token, deposit.amount)
        calls.append({"kind": "refund", "request": request_index, "fields": json_numbers(fields)})
    for token in sorted(departure.claims):
        calls.append({"kind": "claim", "token": token})
    if departure.perpetual_payout:
        calls.append({"kind": "perpetual-payout"})
    return f"""
<section id="leave" hidden data-rollup="{escape(view.rollup)}" data-owner="{escape(address)}" data-calls="{escape(json.dumps(calls))}">
<h2>Or leave from this page</h2>
<p>A browser wallet holding {escape(address)} sends the same {len(calls)} transaction(s), proofs included:
<button id="leave-button" type="button">Leave with my wallet</button></p>
<p id="leave-message" class="meta" role="status"></p>
</section>"""


def json_numbers(values: object) -> object:
    """``values`` with every integer as a decimal string (JSON numbers lose precision past 2^53 in a browser)."""
    if isinstance(values, bool | str):
        return values
    if isinstance(values, int):
        return str(values)
    if isinstance(values, list | tuple):
        return [json_numbers(value) for value in values]
    raise TypeError(f"not a call argument: {values!r}")


def request_kind(request: L1Transaction) -> str:
    """What an L1 request is, in words."""
    match request:
        case Deposit():
            return "deposit"
        case ForcedWithdraw():
            return "forced withdrawal"
        case ForcedCancelAll():
            return "forced cancel-all"
        case _:
            assert_never(request)


def not_found(message: str) -> str:
    """A page for what does not exist."""
    return layout("Not found", f"<h1>Not found</h1><p>{escape(message)}</p>")


def trade_page(service: SequencerService) -> str:
    """
    The trading page: its forms, and the markets and token labels its script
    formats with. Everything else (the account, its orders, signing) happens
    in the browser (``static/trade.mjs``), which holds the trader's key.
    """
    config = service.config
    markets = {name: market_out(market).model_dump(mode="json") for name, market in service.operator.markets.items()}
    labels = {token: config.token_label(token) for token in config.tokens}
    tokens = {token: {"symbol": label.symbol, "decimals": label.decimals} for token, label in labels.items()}
    market_options = "".join(f'<option value="{escape(name)}">{escape(name)}</option>' for name in markets)
    token_options = "".join(f'<option value="{token}">{escape(label.symbol)}</option>' for token, label in labels.items())
    node = escape(config.public_rpc or "")
    main = f"""<div id="trade" data-markets="{escape(json.dumps(markets))}" data-tokens="{escape(json.dumps(tokens))}"
 data-node="{node}">
<h1>Trade</h1>
<p id="message" class="meta" role="status">Give your Ethereum key to sign in this page: on this development network, its private key.</p>
<form id="connect-form" class="row">
<label>Ethereum private key <input id="eth-key" type="password" autocomplete="off" required size="70"
 pattern="(0x)?[0-9a-fA-F]{{64}}"></label>
<button type="submit">Connect</button>
</form>
<p id="wallet-row" hidden>Or <button id="connect-wallet" type="button">Connect a browser wallet</button>
(it signs the key's typed data, and sends deposits and claims on its own chain).</p>
<section class="needs-key" hidden>
<p id="account" class="meta"></p>
<h2>Balances</h2>
<table><thead><tr><th>Token</th><th>Balance</th><th>Locked by open orders</th><th>Available</th></tr></thead>
<tbody id="balances"></tbody></table>
<h2>Place an order</h2>
<form id="order-form" class="row">
<label>Market <select id="market">{market_options}</select></label>
<label>Side <select id="side"><option value="buy">buy</option><option value="sell">sell</option></select></label>
<label>Kind <select id="kind"><option value="limit">limit</option><option value="ioc">immediate or cancel</option>
<option value="fok">fill or kill</option><option value="post_only">post only</option><option value="market">market</option></select></label>
<label>Price <input id="price" inputmode="decimal" required size="12"></label>
<label>Amount <input id="amount" inputmode="decimal" required size="12"></label>
<button type="submit">Place order</button>
</form>
<p class="meta">A market order's price is the worst it may trade at. Resting orders expire after a day; immediate-or-cancel,
fill-or-kill and market orders after a minute (their expiry bounds how long an operator could hold one back).</p>
<h2>Open orders</h2>
<table><thead><tr><th>Id</th><th>Market</th><th>Side</th><th>Kind</th><th>Price</th><th>Amount</th><th>Filled</th><th></th></tr></thead>
<tbody id="orders"></tbody></table>
<p><button id="cancel-all" type="button">Cancel all orders</button></p>
<h2>Withdraw</h2>
<form id="withdraw-form" class="row">
<label>Token <select id="withdraw-token">{token_options}</select></label>
<label>Amount <input id="withdraw-amount" inputmode="decimal" required size="14"></label>
<button type="submit">Withdraw</button>
</form>
<p class="meta">A withdrawal is claimed on L1 once its batch is verified.</p>
<div id="l1" hidden>
<h2>On L1</h2>
<table><thead><tr><th>Token</th><th>In your wallet</th><th>Claimable</th><th></th></tr></thead>
<tbody id="l1-balances"></tbody></table>
<form id="deposit-form" class="row">
<label>Token <select id="deposit-token">{token_options}</select></label>
<label>Amount <input id="deposit-amount" inputmode="decimal" required size="14"></label>
<button type="submit">Deposit</button>
</form>
<p class="meta">A deposit is an L1 request (it pays the rollup's request fee, and its registration fee the first time): the rollup credits it once a batch consumes it.</p>
</div>
<p id="no-l1" class="meta">This sequencer names no L1 node for browsers: deposit with <code>matchproof deposit</code> and claim with <code>matchproof claim</code>.</p>
</section>
</div>"""
    return layout("Trade", main, TRADE_SCRIPTS)
