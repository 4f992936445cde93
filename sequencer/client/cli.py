"""
Trader commands over the sequencer's API: ``account``, ``deposit``,
``withdraw``, ``order place|cancel|cancel-all|list``, ``book``, ``trades``;
on perpetual markets ``collateral in|out``, ``perp-order`` (reduce-only
with ``--reduce-only``) and ``position`` (collateral, positions, leverage,
margin and how far the account is from liquidation);
and on L1 alone, ``deposit``, ``claim`` (what proven withdrawals credited)
and ``mint`` (the development tokens' faucet).

The Ethereum key comes from ``$MATCHPROOF_PRIVATE_KEY`` or ``--keystore``
(never from the command line); the L2 key is derived from it for the
deployment the sequencer serves. Amounts and prices are integers in the
tokens' base units (prices times 10**18), written exactly, e.g. ``2000e18``
or ``1.5e18``. Results are printed as JSON.

``add_subcommands(subparsers)`` registers the commands; the parsed arguments
carry the handler as ``args.run`` (as ``matchproof`` dispatches), which returns the exit status.
"""

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from web3 import HTTPProvider, Web3

from sequencer.crypto.keys import L2Keypair
from sequencer.spec.constants import OrderKind, Side
from sequencer.l1.checks import DeploymentMismatch, empty_state_trees
from sequencer.l1.compile import compile_contracts
from sequencer.l1.deploy import Deployment
from sequencer.l1.rollup import Rollup

from .http import ApiError, SequencerClient
from sequencer.keystore import KeyUnavailable, load_account
from .trader import Trader, next_order_id

SEQUENCER_URL_ENV = "MATCHPROOF_SEQUENCER_URL"
DEFAULT_SEQUENCER_URL = "http://127.0.0.1:8080"
DEFAULT_LIFETIME_S = 86_400
"""Resting orders expire after a day unless told otherwise: a short life limits what an operator could do with
an order a cancel-all closed (a cancel-all binds the book only, a cancel the proof too)."""

IMMEDIATE_LIFETIME_S = 60
"""
Orders that never rest (immediate-or-cancel, fill-or-kill, market) expire after a minute unless told
otherwise: the proof keeps their fills in one batch, but not which one, so their expiry bounds how long an
operator could hold one back.
"""

_EXACT_NUMBER = re.compile(r"^(\d+)(?:\.(\d+))?(?:[eE](\d+))?$")

Handler = Callable[[argparse.Namespace], Any]


class UsageError(Exception):
    """An argument that cannot be used."""


def exact_integer(text: str) -> int:
    """
    ``text`` as an exact integer: digits, an optional fraction and an optional
    exponent (``1.5e18``), with no remainder; never a float.
    """
    match = _EXACT_NUMBER.match(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a non-negative number like 1500 or 1.5e18")
    whole, fraction, exponent = match.group(1), match.group(2) or "", int(match.group(3) or 0)
    if len(fraction) > exponent and fraction[exponent:].strip("0"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of base units")
    digits = int(whole + fraction)
    scale = exponent - len(fraction)
    factor: int = 10 ** abs(scale)
    return digits * factor if scale >= 0 else digits // factor


def add_subcommands(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Register the trader commands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--sequencer",
        default=os.environ.get(SEQUENCER_URL_ENV, DEFAULT_SEQUENCER_URL),
        help=f"the sequencer's URL (default ${SEQUENCER_URL_ENV} or {DEFAULT_SEQUENCER_URL})",
    )
    common.add_argument(
        "--keystore", type=Path, help="keystore file of the Ethereum key (default $MATCHPROOF_PRIVATE_KEY)"
    )

    account = subparsers.add_parser("account", parents=[common], help="address, L2 key, account and balances")
    account.set_defaults(run=_run(show_account))

    deposit = subparsers.add_parser("deposit", parents=[common], help="deposit a token on L1")
    deposit.add_argument("token", type=int, help="token id")
    deposit.add_argument("amount", type=exact_integer, help="amount in base units")
    deposit.add_argument("--rpc", required=True, help="L1 JSON-RPC URL")
    deposit.add_argument("--deployment", type=Path, required=True, help="deployment file")
    deposit.set_defaults(run=_run(deposit_on_l1, needs_sequencer=False))

    withdraw = subparsers.add_parser("withdraw", parents=[common], help="withdraw a token to your L1 address")
    withdraw.add_argument("token", type=int, help="token id")
    withdraw.add_argument("amount", type=exact_integer, help="amount in base units")
    withdraw.set_defaults(run=_run(request_withdrawal))

    claim = subparsers.add_parser(
        "claim", parents=[common], help="take on L1 what your proven withdrawals credited you of a token"
    )
    claim.add_argument("token", type=int, help="token id")
    claim.add_argument("--rpc", required=True, help="L1 JSON-RPC URL")
    claim.add_argument("--deployment", type=Path, required=True, help="deployment file")
    claim.set_defaults(run=_run(claim_on_l1, needs_sequencer=False))

    mint = subparsers.add_parser(
        "mint", parents=[common], help="faucet: mint a development token (matchproof deploy's tokens) to an address"
    )
    mint.add_argument("token", type=int, help="token id")
    mint.add_argument("amount", type=exact_integer, help="amount in base units")
    mint.add_argument("--to", help="L1 address to mint to (default: your own)")
    mint.add_argument("--rpc", required=True, help="L1 JSON-RPC URL")
    mint.add_argument("--deployment", type=Path, required=True, help="deployment file")
    mint.set_defaults(run=_run(mint_test_token, needs_sequencer=False))

    order = subparsers.add_parser("order", help="place, cancel and list orders")
    actions = order.add_subparsers(dest="order_command", required=True)
    place = actions.add_parser("place", parents=[common], help="place an order")
    place.add_argument("market")
    place.add_argument("side", choices=["buy", "sell"])
    place.add_argument(
        "price", type=exact_integer, help="quote per base times 10**18 (the worst price for --kind market)"
    )
    place.add_argument("amount", type=exact_integer, help="base amount in base units")
    place.add_argument("--kind", choices=[kind.value for kind in OrderKind], default=OrderKind.LIMIT.value)
    place.add_argument("--client-id", help="your name for the order")
    place.add_argument(
        "--expiry-s",
        type=int,
        help=f"seconds until the order expires (default {DEFAULT_LIFETIME_S}; {IMMEDIATE_LIFETIME_S} for ioc, fok, market)",
    )
    place.add_argument("--max-fee-bps", type=int, help="fee limit to sign (default: the market's fee)")
    place.set_defaults(run=_run(place_order))
    cancel = actions.add_parser("cancel", parents=[common], help="cancel an order by id or client id")
    target = cancel.add_mutually_exclusive_group(required=True)
    target.add_argument("order_id", nargs="?", type=int)
    target.add_argument("--client-id")
    cancel.set_defaults(run=_run(cancel_order))
    cancel_all = actions.add_parser("cancel-all", parents=[common], help="cancel all your open orders")
    cancel_all.set_defaults(run=_run(cancel_all_orders))
    listing = actions.add_parser("list", parents=[common], help="your open orders (or all with --all)")
    listing.add_argument("--all", action="store_true")
    listing.set_defaults(run=_run(list_orders))

    position = subparsers.add_parser(
        "position", parents=[common], help="your perpetual collateral, positions, leverage and distance to liquidation"
    )
    position.set_defaults(run=_run(show_position))

    collateral = subparsers.add_parser(
        "collateral", parents=[common], help="move the collateral token into or out of your perpetual collateral"
    )
    collateral.add_argument("direction", choices=["in", "out"])
    collateral.add_argument("amount", type=exact_integer, help="amount in the collateral token's base units")
    collateral.set_defaults(run=_run(move_collateral))

    perp = subparsers.add_parser("perp-order", parents=[common], help="place a perpetual order")
    perp.add_argument("market", help="the perpetual market's name")
    perp.add_argument("side", choices=["buy", "sell"])
    perp.add_argument("price", type=exact_integer, help="price in ticks (the worst price for --kind market)")
    perp.add_argument("size", type=exact_integer, help="size in lots")
    perp.add_argument("--kind", choices=[kind.value for kind in OrderKind], default=OrderKind.LIMIT.value)
    perp.add_argument("--reduce-only", action="store_true", help="only ever shrink your position")
    perp.add_argument("--client-id", help="your name for the order")
    perp.add_argument(
        "--expiry-s",
        type=int,
        help=f"seconds until the order expires (default {DEFAULT_LIFETIME_S}; {IMMEDIATE_LIFETIME_S} for ioc, fok, market)",
    )
    perp.add_argument("--max-fee-bps", type=int, help="fee limit to sign (default: the market's fee)")
    perp.set_defaults(run=_run(place_perp_order))

    book = subparsers.add_parser("book", parents=[common], help="a market's order book")
    book.add_argument("market")
    book.add_argument("--depth", type=int, default=20)
    book.set_defaults(run=_run(show_book, needs_key=False))

    trades = subparsers.add_parser("trades", parents=[common], help="a market's latest trades")
    trades.add_argument("market")
    trades.add_argument("--limit", type=int, default=20)
    trades.set_defaults(run=_run(show_trades, needs_key=False))


class Session:
    """What a command works with: the client, and the trader when the command needs a key."""

    def __init__(self, args: argparse.Namespace, client: SequencerClient | None, needs_key: bool) -> None:
        self.args = args
        self._client = client
        self.account = load_account(args.keystore) if needs_key else None

    @property
    def client(self) -> SequencerClient:
        """The sequencer's client."""
        if self._client is None:
            raise UsageError("this command does not talk to the sequencer")
        return self._client

    def trader(self) -> Trader:
        """The trader of the key on the sequencer's deployment (its account must exist)."""
        if self.account is None:
            raise UsageError("this command needs a key")
        account = self.client.account_by_address(self.account.address)
        return Trader.from_eth_account(self.account, self.client.info(), account.account_index)


def _run(command: Callable[[Session], object], needs_key: bool = True, needs_sequencer: bool = True) -> Handler:
    """A handler running ``command`` and printing its result as JSON; errors go to stderr (status 1)."""

    def handler(args: argparse.Namespace) -> int:
        try:
            if needs_sequencer:
                with SequencerClient(args.sequencer) as client:
                    result = command(Session(args, client, needs_key))
            else:
                result = command(Session(args, None, needs_key))
        except ApiError as error:
            print(f"refused: {error.code}: {error.message}", file=sys.stderr)
            return 1
        except (KeyUnavailable, UsageError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(json.dumps(_jsonable(result), indent=2))
        return 0

    return handler


def _jsonable(value: object) -> object:
    """API models as their JSON form; lists and dicts of them too."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


def show_account(session: Session) -> object:
    """
    The key's address, its L2 public key, the account's balances and, where
    the sequencer trades perpetuals, its positions, leverage and margin.
    """
    trader = session.trader()
    shown: dict[str, object] = {
        "address": session.account.address if session.account else None,
        "l2_public_key": [str(trader.keys.public_key.ax), str(trader.keys.public_key.ay)],
        "account": session.client.account(trader.account_index),
    }
    if session.client.info().perpetual_markets:
        shown["perpetual"] = show_position(session)
    return shown


def deposit_on_l1(session: Session) -> object:
    """Approve and deposit on L1; the first deposit registers the derived L2 key."""
    if session.account is None:
        raise UsageError("deposit needs a key")
    args = session.args
    rollup = l1_rollup(args)
    deployment = rollup.deployment
    views = rollup.contract.functions
    try:  # never deposit into a rollup whose proven state could hold balances nobody deposited
        empty_state_trees(
            views.accountDepth().call(),
            views.balanceDepth().call(),
            views.genesisRoot().call(),
            views.perpetuals().call()[4],
        )
    except DeploymentMismatch as error:
        raise UsageError(f"refusing to deposit: {error}") from error
    keys = L2Keypair.from_eth_account(session.account, deployment.chain_id, deployment.rollup)
    receipt = rollup.deposit(session.account, args.token, args.amount, keys.public_key)
    return {
        "l1_tx": "0x" + bytes(receipt["transactionHash"]).hex(),
        "account_index": rollup.account_index(session.account.address),
    }


def claim_on_l1(session: Session) -> object:
    """
    Pay the key's L1 address what its withdrawals credited it of a token: a
    withdrawal is credited once its batch is verified on L1.
    """
    if session.account is None:
        raise UsageError("claim needs a key")
    args, owner = session.args, session.account.address
    rollup = l1_rollup(args)
    amount = rollup.claimable(owner, args.token)
    if amount == 0:
        raise UsageError(f"{owner} has nothing of token {args.token} to claim (is the withdrawal's batch verified yet?)")
    receipt = rollup.claim(session.account, owner, args.token)
    return {"l1_tx": "0x" + bytes(receipt["transactionHash"]).hex(), "token": args.token, "claimed": str(amount)}


def mint_test_token(session: Session) -> object:
    """Mint a development token to ``--to`` or to the key's own address (the key pays the gas)."""
    if session.account is None:
        raise UsageError("mint needs a key to send the transaction")
    args = session.args
    to = args.to or session.account.address
    if not Web3.is_address(to):
        raise UsageError(f"{to!r} is not an L1 address")
    receipt = l1_rollup(args).mint_test_token(session.account, args.token, to, args.amount)
    return {"l1_tx": "0x" + bytes(receipt["transactionHash"]).hex(), "token": args.token, "to": to, "minted": str(args.amount)}


def l1_rollup(args: argparse.Namespace) -> Rollup:
    """The rollup of ``--deployment`` on the chain at ``--rpc``."""
    return Rollup(Web3(HTTPProvider(args.rpc)), Deployment.load(args.deployment), compile_contracts())


def request_withdrawal(session: Session) -> object:
    """Withdraw at the account's current nonce."""
    trader = session.trader()
    nonce = session.client.account(trader.account_index).nonce
    return session.client.withdraw(trader.withdraw(session.args.token, session.args.amount, nonce))


def place_order(session: Session) -> object:
    """Sign and place an order with a fresh id."""
    args, client = session.args, session.client
    trader = session.trader()
    market = client.market(args.market)
    account = client.account(trader.account_index)
    order_id = next_order_id(account)
    fee = args.max_fee_bps if args.max_fee_bps is not None else max(market.maker_fee_bps, market.taker_fee_bps)
    side = Side.BUY if args.side == "buy" else Side.SELL
    kind = OrderKind(args.kind)
    lifetime = args.expiry_s if args.expiry_s is not None else (DEFAULT_LIFETIME_S if kind.rests else IMMEDIATE_LIFETIME_S)
    expiry = int(time.time()) + lifetime
    command = trader.order(
        market, order_id, side, args.price, args.amount, fee, expiry, kind, args.client_id
    )
    return client.place_order(command)


def place_perp_order(session: Session) -> object:
    """Sign and place a perpetual order with a fresh id (order ids are shared with spot orders)."""
    args, client = session.args, session.client
    trader = session.trader()
    markets = {market.name: market for market in client.perp_markets()}
    market = markets.get(args.market)
    if market is None:
        raise UsageError(f"no perpetual market {args.market!r} (there are: {', '.join(markets) or 'none'})")
    order_id = next_order_id(client.account(trader.account_index))
    fee = args.max_fee_bps if args.max_fee_bps is not None else max(market.maker_fee_bps, market.taker_fee_bps)
    kind = OrderKind(args.kind)
    lifetime = args.expiry_s if args.expiry_s is not None else (DEFAULT_LIFETIME_S if kind.rests else IMMEDIATE_LIFETIME_S)
    side = Side.BUY if args.side == "buy" else Side.SELL
    command = trader.perp_order(
        market, order_id, side, args.price, args.size, fee, int(time.time()) + lifetime, kind, args.reduce_only, args.client_id
    )
    return client.place_perp_order(command)


def move_collateral(session: Session) -> object:
    """Move the collateral token into or out of collateral, at the account's current nonce."""
    trader = session.trader()
    nonce = session.client.account(trader.account_index).nonce
    transfer = trader.collateral_transfer(session.args.amount, session.args.direction == "in", nonce)
    return session.client.transfer_collateral(transfer)


def show_position(session: Session) -> object:
    """The account's perpetual side, with its leverage: the positions' notional over the account's value."""
    trader = session.trader()
    view = session.client.perp_account(trader.account_index)
    exposure = sum(abs(position.notional) for position in view.positions)
    leverage = None if view.value <= 0 or not exposure else f"{exposure / view.value:.2f}"
    return {**view.model_dump(mode="json"), "leverage": leverage}


def cancel_order(session: Session) -> object:
    """Cancel by order id, or by client order id (looked up first)."""
    args, client = session.args, session.client
    trader = session.trader()
    order_id = args.order_id
    if args.client_id is not None:
        order_id = client.order_by_client_id(trader.account_index, args.client_id).order_id
    return client.cancel(trader.cancel(order_id))


def cancel_all_orders(session: Session) -> object:
    """Cancel every open order: every order below the account's highest order id plus one."""
    trader = session.trader()
    account = session.client.account(trader.account_index)
    return session.client.cancel_all(trader.cancel_all(account.highest_order_id + 1))


def list_orders(session: Session) -> object:
    """The account's open orders, or all of them."""
    trader = session.trader()
    return session.client.orders(trader.account_index, status="all" if session.args.all else "open", limit=1000)


def show_book(session: Session) -> object:
    """A market's book."""
    return session.client.book(session.args.market, session.args.depth)


def show_trades(session: Session) -> object:
    """A market's latest trades."""
    return session.client.trades(session.args.market, session.args.limit)
