"""
An exchange with a perpetual market for the engine tests: the spot tests'
BASE/QUOTE market beside the spec tests' perpetual deployment (one market,
a quorum of three of four oracles, collateral in QUOTE), and funded traders
with collateral moved in.
"""

from sequencer.engine.batcher import PerpSetup
from sequencer.engine.operator import Operator
from sequencer.engine.perp_market import PerpMarketRules
from sequencer.spec.types import Timestamp
from tests.engine.exchange import MARKET
from tests.spec.builders import ALICE, BOB, CAROL, FEE, NOW, QUOTE, SMALL, deposit
from tests.spec.perpetual.builders import FUND, config, transfer

PERP = PerpMarketRules(name="PERP", market=0, maker_fee_bps=10, taker_fee_bps=20)
"""The perpetual market: 0.1 % maker, 0.2 % taker of the notional."""

SPOT_SLOTS = 2
PERP_SLOTS = 2

FUNDS = 100_000
"""Each account's QUOTE deposit."""


def perp_operator(spot_slots: int = SPOT_SLOTS, perp_slots: int = PERP_SLOTS) -> Operator:
    """Genesis, then deposits of QUOTE for the fee account, Alice, Bob, Carol and the insurance fund."""
    operator = Operator.genesis(SMALL, spot_slots, [MARKET], perp=PerpSetup(config(), perp_slots, (PERP,)))
    for number, account in enumerate((FEE, ALICE, BOB, CAROL, FUND)):
        operator.add_l1_request(number, deposit(account, QUOTE, FUNDS), Timestamp(NOW))
    return operator


def move_collateral(operator: Operator, amounts: dict[int, int], now: int = NOW) -> None:
    """Each account moves ``amounts[account]`` of its QUOTE into collateral (its first transfer, nonce 0)."""
    for account, amount in amounts.items():
        operator.transfer_collateral(transfer(account, amount, 0), Timestamp(now))
