"""
The sequencer's funding policy: the book's premium over the oracle price,
paid over a period, bounded by the market's maximum, at most one interval
of it a tick, and ticks only while someone holds a position.
"""

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
    return operator.funding_tick(Timestamp(NOW + INTERVAL), INTERVAL).rates


INTERVAL = 60


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
    assert operator.funding_tick(Timestamp(NOW), INTERVAL).rates == (0,)
    move_collateral(operator, {BOB: 50_000})
    operator.update_oracle(price_update(100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 1, BUY, 101, 1), Timestamp(NOW))
    assert operator.funding_tick(Timestamp(NOW + INTERVAL), INTERVAL).rates == (0,)
    assert funding_rates(operator.perp_ledger(), {}, Timestamp(NOW + INTERVAL), INTERVAL) == (0,)


def test_a_tick_is_due_an_interval_after_the_last_only_while_someone_holds_a_position() -> None:
    operator = perp_operator()
    assert not operator.funding_due(Timestamp(NOW + 10**6), INTERVAL)  # no price
    move_collateral(operator, {ALICE: 50_000, BOB: 50_000})
    operator.update_oracle(price_update(100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 1, SELL, 101, 1), Timestamp(NOW))
    assert not operator.funding_due(Timestamp(NOW + 10**6), INTERVAL)  # priced, an order resting, no position
    operator.submit_perp_order(PERP.name, perp_order(ALICE, 1, BUY, 101, 1), Timestamp(NOW))
    assert operator.perp_ledger().market(0).open_interest == 1
    assert not operator.funding_due(Timestamp(NOW + INTERVAL - 1), INTERVAL)
    assert operator.funding_due(Timestamp(NOW + INTERVAL), INTERVAL)


def test_a_tick_after_a_quiet_spell_charges_one_interval_of_premium() -> None:
    operator = perp_operator()
    move_collateral(operator, {ALICE: 50_000, BOB: 50_000})
    operator.update_oracle(price_update(100), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 1, BUY, 100, 1), Timestamp(NOW))
    operator.submit_perp_order(PERP.name, perp_order(BOB, 2, SELL, 102, 1), Timestamp(NOW))
    per_second = FUNDING_RATE_SCALE // 100 // FUNDING_PERIOD_S  # mid 101 over 100: 1 % a period
    assert operator.funding_tick(Timestamp(NOW + INTERVAL), INTERVAL).rates == (per_second,)
    ten_intervals = operator.funding_tick(Timestamp(NOW + 10 * INTERVAL), INTERVAL).rates
    assert ten_intervals == (FUNDING_RATE_SCALE // 100 // FUNDING_PERIOD_S // 10,)
    # what the tick would accrue over the ten intervals: one interval's premium, never more
    assert ten_intervals[0] * 10 * INTERVAL <= per_second * INTERVAL + 10 * INTERVAL
