"""
The trades the benchmark settles, and playing them through the rollup.

One seller rests a single WETH/USDC ask; a buyer sends one order per trade
that crosses it. So every trade is a partial fill of the same maker order
(whose fill state both sides must track) against a fresh taker order, at the
maker's price, with the devnet market's fees (maker 10 bps on what it
receives, taker 20 bps). Fill sizes cycle through 0.25, 0.5, 0.75 and 1 WETH.

The rollup side runs these orders through the real operator on a deployed
devnet: every batch is proven with Groth16 and verified by the rollup
contract on anvil. The engine's fills are recorded so the L1 baseline can
settle exactly the same trades.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3 import Web3

from prover import CircuitArtifacts
from sequencer.devnet import Devnet, SubmittedBatch
from sequencer.engine.book import Fill
from sequencer.spec.constants import PRICE_SCALE, Side
from sequencer.spec.transactions import Order, SignedOrder
from sequencer.spec.types import AccountIndex, Amount, OrderId, Price, Timestamp, TokenId
from sequencer.witness.batch import ProvableBatch

UNIT = 10**18
WETH, USDC = TokenId(0), TokenId(1)
MARKET = "WETH-USDC"
PRICE = Price(2000 * PRICE_SCALE + PRICE_SCALE // 2)
"""The seller's limit: 2,000.5 USDC per WETH (a multiple of the market's tick)."""
BUYER_LIMIT = Price(PRICE + 10 * PRICE_SCALE)
"""Each buyer order's limit, above the ask so that it trades at the ask."""
FILL_STEP = Amount(UNIT // 4)
MAX_FEE_BPS = 30
"""The signed fee limit of every order: at least the market's maker and taker fees."""
EXPIRY_S = 86_400
"""Orders stay valid a day: far beyond any run, so the L1 baseline settles them later too."""
MINT_WETH = 1_000 * UNIT
MINT_USDC = 10_000_000 * UNIT


def fill_sizes(count: int) -> list[Amount]:
    """The base amount of each of ``count`` trades: 0.25, 0.5, 0.75, 1 WETH, repeating."""
    return [Amount(FILL_STEP * (1 + index % 4)) for index in range(count)]


@dataclass(frozen=True)
class TradeBatch:
    """One verified batch of trades: what it cost on L1, how long it took to prove, its latencies."""

    number: int
    trades: int
    gas_used: int
    calldata_bytes: int
    witness_seconds: float
    prove_seconds: float
    ack_to_verified_seconds: tuple[float, ...]
    """Per trade: from the taker order's acknowledgment to the batch's receipt on L1."""
    warmup: bool


@dataclass
class RollupRun:
    """The trades of the scenario as proven batches of one circuit configuration."""

    config: str
    slots: int
    constraints: int
    deposit_gas: list[int]
    setup_batches: int
    """Batches before the first trade (the L1 requests: the operator's account and both deposits)."""
    batches: list[TradeBatch]
    fills: list[Fill]
    sample: SubmittedBatch
    """The last measured trade batch: its circuit input and proof feed the other measurements."""
    slot_pool: list[bytes]
    """The public data of every measured trade, one slot (``SLOT_BYTES`` bytes) per trade."""

    @property
    def measured(self) -> list[TradeBatch]:
        """The batches after the warm-up."""
        return [batch for batch in self.batches if not batch.warmup]


def _calldata_bytes(w3: Web3, submitted: SubmittedBatch) -> int:
    """The length of a submission's transaction input."""
    return len(bytes(w3.eth.get_transaction(submitted.receipt["transactionHash"])["input"]))


def _signed(
    devnet: Devnet, trader: LocalAccount, account: AccountIndex, order_id: int, side: Side, price: Price, amount: Amount
) -> SignedOrder:
    """A limit order of ``trader`` signed with its L2 key."""
    order = Order(
        account, OrderId(order_id), WETH, USDC, side, price, amount, MAX_FEE_BPS, Timestamp(devnet.now() + EXPIRY_S)
    )
    return SignedOrder(order, devnet.l2_key(trader).sign(order.message_hash()))


def _trader_accounts(devnet: Devnet, seller: LocalAccount, buyer: LocalAccount) -> tuple[AccountIndex, AccountIndex]:
    """The seller's and the buyer's rollup accounts; ``RuntimeError`` if their deposits made none."""
    seller_index = devnet.rollup.account_index(seller.address)
    buyer_index = devnet.rollup.account_index(buyer.address)
    if seller_index is None or buyer_index is None:
        raise RuntimeError("a trader has no rollup account after its deposit")
    return seller_index, buyer_index


def _rest_ask(devnet: Devnet, seller: LocalAccount, account: AccountIndex, order_id: int, amount: Amount) -> None:
    """Rest the seller's ask of ``amount`` at ``PRICE``; ``RuntimeError`` if it trades on arrival."""
    ask = _signed(devnet, seller, account, order_id, Side.SELL, PRICE, amount)
    if devnet.operator.place_order(MARKET, ask, devnet.now()):
        raise RuntimeError("the seller's ask traded on arrival: the book was not empty")


def _take(devnet: Devnet, buyer: LocalAccount, account: AccountIndex, order_id: int, size: Amount) -> list[Fill]:
    """A buyer order crossing the resting ask: ``RuntimeError`` unless it fills ``size`` at ``PRICE``, once."""
    bid = _signed(devnet, buyer, account, order_id, Side.BUY, BUYER_LIMIT, size)
    placed = devnet.operator.place_order(MARKET, bid, devnet.now())
    if len(placed) != 1 or placed[0].base != size or placed[0].price != PRICE:
        raise RuntimeError(f"order {order_id}: expected one fill of {size} at {PRICE}, got {placed}")
    return placed


def play_on_rollup(devnet: Devnet, seller: LocalAccount, buyer: LocalAccount, trades: int, warmup: int) -> RollupRun:
    """
    Deposit, then place the scenario's orders on ``devnet`` and prove and
    submit a batch each time one is full. ``trades + warmup`` must be a
    multiple of the circuit's slots, so that every batch holds only trades.
    The first ``warmup`` trades' batches are marked as warm-up.

    Raises ``ValueError`` for a trade count that does not fill whole batches and
    ``RuntimeError`` if the engine does not produce exactly the scenario's fills.
    """
    slots = devnet.operator.slots
    total = trades + warmup
    if total % slots or warmup % slots:
        raise ValueError(f"{warmup} warm-up and {trades} measured trades do not fill whole batches of {slots}")
    sizes = fill_sizes(total)
    devnet.mint(WETH, seller.address, MINT_WETH)
    devnet.mint(USDC, buyer.address, MINT_USDC)
    deposit_gas = [
        int(devnet.rollup.deposit(seller, WETH, MINT_WETH, devnet.l2_key(seller).public_key)["gasUsed"]),
        int(devnet.rollup.deposit(buyer, USDC, MINT_USDC, devnet.l2_key(buyer).public_key)["gasUsed"]),
    ]
    devnet.sync_l1()
    setup_batches = len(devnet.settle())

    seller_index, buyer_index = _trader_accounts(devnet, seller, buyer)
    _rest_ask(devnet, seller, seller_index, 1, Amount(sum(sizes)))

    fills: list[Fill] = []
    batches: list[TradeBatch] = []
    acks: list[float] = []
    slot_pool: list[bytes] = []
    for index, size in enumerate(sizes):
        fills.extend(_take(devnet, buyer, buyer_index, index + 1, size))
        acks.append(time.monotonic())
        if len(acks) == slots:
            settled = devnet.settle()
            verified = time.monotonic()
            if len(settled) != 1:
                raise RuntimeError(f"expected one batch of {slots} trades, got {len(settled)} batches")
            submitted = settled[0]
            if index >= warmup:
                slot_pool.extend(submitted.batch.slot_data)
            batches.append(
                TradeBatch(
                    number=submitted.number,
                    trades=slots,
                    gas_used=int(submitted.receipt["gasUsed"]),
                    calldata_bytes=_calldata_bytes(devnet.w3, submitted),
                    witness_seconds=submitted.proof.witness_seconds,
                    prove_seconds=submitted.proof.prove_seconds,
                    ack_to_verified_seconds=tuple(verified - ack for ack in acks),
                    warmup=index < warmup,
                )
            )
            acks = []
    circuit: CircuitArtifacts = devnet.circuit
    return RollupRun(
        config=circuit.config.name,
        slots=slots,
        constraints=circuit.constraints,
        deposit_gas=deposit_gas,
        setup_batches=setup_batches,
        batches=batches,
        fills=fills,
        sample=devnet.submitted[-1],
        slot_pool=slot_pool,
    )


def cut_trade_batches(
    devnet: Devnet, seller: LocalAccount, buyer: LocalAccount, batches: int, first_order_id: int
) -> list[ProvableBatch]:
    """
    After :func:`play_on_rollup`: a new ask of the seller and ``batches``
    full batches of the scenario's trades against it, cut but not proven
    nor submitted (for submitting several at once). Order ids start at
    ``first_order_id`` (above those the scenario used).

    Raises ``RuntimeError`` if the engine does not produce the scenario's fill
    for each bid or a batch of only trades.
    """
    slots = devnet.operator.slots
    sizes = fill_sizes(batches * slots)
    seller_index, buyer_index = _trader_accounts(devnet, seller, buyer)
    _rest_ask(devnet, seller, seller_index, first_order_id, Amount(sum(sizes)))
    cut: list[ProvableBatch] = []
    for index, size in enumerate(sizes):
        _take(devnet, buyer, buyer_index, first_order_id + 1 + index, size)
        if (index + 1) % slots == 0:
            batch = devnet.operator.cut_batch(devnet.now())
            if batch is None or len(batch.slot_data) != slots:
                raise RuntimeError(f"expected a batch of {slots} trades")
            cut.append(batch)
    return cut

