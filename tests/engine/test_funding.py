"""The sequencer's funding policy: the book's premium over the oracle price, paid over a period, bounded by the market's maximum."""

from sequencer.engine.funding import FUNDING_PERIOD_S, funding_rates
from sequencer.spec.perpetual.constants import FUNDING_RATE_SCALE
from sequencer.spec.types import Timestamp
from tests.engine.perp_exchange import PERP, move_collateral, perp_operator
from tests.spec.builders import ALICE, BOB, NOW
from tests.spec.perpetual.builders import BUY, MAX_FUNDING_RATE, SELL, perp_order, price_update


def quoted(bid: int, ask: int, oracle: int) -> tuple[int, ...]:
    """The rates with Bob bidding ``bid`` and asking ``ask`` at ``oracle``."""
    operator = perp_operator()
    move_collateral(operator, {ALICE: 50_000, BOB: 50_000})
    operator.update_oracle(price_update(oracle), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 1, BUY, bid, 1), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 2, SELL, ask, 1), Timestamp(NOW))
    return operator.funding_tick().rates


def test_longs_pay_the_premium_of_the_book_over_the_oracle_spread_over_the_period() -> None:
    # mid 101 over oracle 100: 1 % a period, rounded toward zero
    assert quoted(100, 102, 100) == (FUNDING_RATE_SCALE // 100 // FUNDING_PERIOD_S,)
    assert quoted(98, 100, 100) == (-(FUNDING_RATE_SCALE // 100 // FUNDING_PERIOD_S),)
    assert quoted(99, 101, 100) == (0,)


def test_the_rate_is_bounded_by_the_markets_maximum() -> None:
    assert quoted(1_000, 1_002, 100) == (MAX_FUNDING_RATE,)
    assert quoted(10, 12, 100) == (-MAX_FUNDING_RATE,)


def test_no_funding_without_a_price_or_a_two_sided_book() -> None:
    operator = perp_operator()
    assert operator.funding_tick().rates == (0,)
    assert not operator.funding_due(Timestamp(NOW + 10**6), 60)
    move_collateral(operator, {BOB: 50_000})
    operator.update_oracle(price_update(100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 1, BUY, 101, 1), Timestamp(NOW))
    assert operator.funding_tick().rates == (0,)
    assert funding_rates(operator.perp_ledger(), {}) == (0,)
    assert not operator.funding_due(Timestamp(NOW + 59), 60) and operator.funding_due(Timestamp(NOW + 60), 60)
