"""
An exchange to test the engine, the operator and the service with: one
market, the fee account and three funded traders, keys from fixed seeds.
"""

from sequencer.engine.market import Market
from sequencer.engine.operator import Operator
from sequencer.spec.constants import TreeConfig
from sequencer.spec.transactions import Deposit
from sequencer.spec.types import Amount, Price, Timestamp, TokenId
from tests.support.scenario import BASE, NOW, QUOTE, UNIT, Trader

CONFIG = TreeConfig(account_depth=4, balance_depth=2, order_depth=4)
"""16 accounts, 2 tokens, 16 order slots per account."""

SLOTS = 4
"""Transactions per batch."""

TICK = UNIT // 100
LOT = UNIT // 100
MARKET = Market(
    name="BASE-QUOTE",
    base_token=TokenId(BASE),
    quote_token=TokenId(QUOTE),
    tick_size=Price(TICK),
    lot_size=Amount(LOT),
    min_amount=Amount(LOT),
    maker_fee_bps=10,
    taker_fee_bps=20,
)
"""Prices in steps of 0.01 quote, amounts in steps of 0.01 base; fees 0.1 % maker, 0.2 % taker."""

FUNDS_BASE = 1000 * UNIT
FUNDS_QUOTE = 1_000_000 * UNIT

FEE_ACCOUNT = Trader.numbered(0)
ALICE, BOB, CAROL = (Trader.numbered(i) for i in (1, 2, 3))


def funding() -> list[Deposit]:
    """The L1 deposits that create the fee account and give Alice, Bob and Carol 1000 BASE and 1,000,000 QUOTE each."""
    requests = [FEE_ACCOUNT.deposit(BASE, 0, creates=True)]
    for trader in (ALICE, BOB, CAROL):
        requests += [trader.deposit(BASE, FUNDS_BASE, creates=True), trader.deposit(QUOTE, FUNDS_QUOTE, creates=False)]
    return requests


def funded_operator(slots: int = SLOTS) -> Operator:
    """Genesis, then :func:`funding`."""
    operator = Operator.genesis(CONFIG, slots, [MARKET])
    for index, request in enumerate(funding()):
        operator.add_l1_request(index, request, Timestamp(NOW))
    return operator
