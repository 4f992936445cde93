"""
Random portfolios for property tests: four traders holding opposite
positions in two markets, each meeting its initial margin at the opening
prices, an insurance fund of a drawn size, and then a drawn move of both
prices (up to a third either way), so that some traders fall below
maintenance and some are bankrupt.
"""

from dataclasses import replace

from hypothesis import strategies as st

from sequencer.spec.perpetual.margin import health
from sequencer.spec.perpetual.state import PerpAccount, PerpConfig, PerpMarket, PerpMarketParams, Position
from sequencer.spec.transition import process_deposit
from sequencer.spec.types import AccountIndex, Timestamp
from tests.spec.builders import ALICE, BOB, CAROL, NOW, deposit
from tests.spec.perpetual.builders import COLLATERAL, FUND, config
from tests.spec.perpetual.conftest import Exchange, funded

DAVE = 4
TRADERS = (ALICE, BOB, CAROL, DAVE)
MARKETS = (
    PerpMarketParams(quantum=1, initial_margin=100_000, maintenance_margin=50_000, max_funding_rate=10**6, open_interest_cap=10**9),
    PerpMarketParams(quantum=7, initial_margin=200_000, maintenance_margin=125_000, max_funding_rate=10**6, open_interest_cap=10**9),
)
FUNDS = (0, 300, 10**9)
"""The insurance fund's collateral: none, too little for most deficits, more than any."""


def two_market_config() -> PerpConfig:
    """The tests' deployment with the two markets above."""
    return replace(config(), markets=MARKETS)


def random_portfolios(data: st.DataObject) -> tuple[Exchange, int]:
    """A funded exchange holding a drawn portfolio at drawn prices (``oracle_time`` ``NOW + 1``), and its fund's collateral."""
    ex = funded(two_market_config())
    process_deposit(ex.state, deposit(DAVE, COLLATERAL, 0))
    opening = (data.draw(st.integers(50, 150)), data.draw(st.integers(10, 50)))
    for market_id, price in enumerate(opening):
        ex.ledger.set_market(market_id, PerpMarket(oracle_price=price, oracle_time=Timestamp(NOW)))
    sizes = {index: [0, 0] for index in TRADERS}
    for market_id in range(2):
        for long, short in ((ALICE, BOB), (CAROL, DAVE), (ALICE, DAVE)):
            lots = data.draw(st.integers(0, 60))
            sizes[long][market_id] += lots
            sizes[short][market_id] -= lots
    for index in TRADERS:
        perp = PerpAccount(0, tuple(Position(size, 0) for size in sizes[index]))
        state = health(ex.ledger, perp)
        margin = -(-state.initial // 10**6) - state.value + data.draw(st.integers(0, 2_000))
        ex.ledger.set_account(AccountIndex(index), replace(perp, collateral=margin))
    for market_id in range(2):
        interest = sum(max(sizes[index][market_id], 0) for index in TRADERS)
        ex.ledger.set_market(market_id, replace(ex.ledger.market(market_id), open_interest=interest))
    fund = data.draw(st.sampled_from(FUNDS))
    ex.ledger.set_account(AccountIndex(FUND), PerpAccount(fund))
    for market_id, price in enumerate(opening):
        moved = max(1, price + data.draw(st.integers(-price // 3, price // 3)))
        ex.ledger.set_market(market_id, replace(ex.ledger.market(market_id), oracle_price=moved, oracle_time=Timestamp(NOW + 1)))
    return ex, fund
