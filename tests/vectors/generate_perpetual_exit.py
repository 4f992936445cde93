"""
Shared vectors of exits with open positions: each account's claim and each
claimant's payout, for pytest and forge.

Run from the repository root to rewrite ``tests/vectors/perpetual_exit.json``::

    PYTHONPATH=. .venv/bin/python -m tests.vectors.generate_perpetual_exit

``tests/spec/perpetual/test_exit_vectors.py`` regenerates it in memory and
checks that it equals the committed file, so the JSON always says what the
spec (``sequencer/spec/perpetual/exit.py``) computes; forge reads it in
``contracts/test/PerpExit.t.sol``.

Format of ``perpetual_exit.json``
---------------------------------

Every number is a ``0x`` hex 32-byte word, signed ones in two's complement.

- ``claims``: each with ``name``; the account's ``collateral``, its
  ``sizes`` and ``settledIndex`` (one per market, four markets); the
  markets' ``prices``, ``indices`` (funding) and ``quanta``; and ``claim``,
  what :func:`exit_claim` gives;
- ``payouts``: each with ``name``, the ``pool``, the traders' ``claims``
  and the insurance fund's ``fundClaim``, and what :func:`exit_payouts`
  pays: ``payouts`` (the traders', in order) and ``fundPayout``.
"""

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from sequencer.spec.perpetual.constants import FUNDING_INDEX_BITS, MAX_PERP_MARKETS, QUANTUM_BITS, SIZE_BITS
from sequencer.spec.perpetual.exit import exit_claim, exit_payouts
from sequencer.spec.perpetual.state import PerpAccount, PerpMarket, PerpMarketParams, Position
from sequencer.spec.types import AccountIndex
from tests.spec.perpetual.builders import FUND, config, fresh_ledger

PERPETUAL_EXIT_PATH = Path(__file__).with_name("perpetual_exit.json")

ACCOUNT = AccountIndex(1)


def word(value: int) -> str:
    """``value`` as a 32-byte word, two's complement when negative."""
    return f"0x{value % 2**256:064x}"


def claim_case(
    name: str,
    collateral: int,
    sizes: list[int],
    settled_at: list[int],
    prices: list[int],
    indices: list[int],
    quanta: list[int],
) -> dict[str, Any]:
    markets = tuple(
        PerpMarketParams(quantum=quantum, initial_margin=100_000, maintenance_margin=50_000, max_funding_rate=0, open_interest_cap=2**SIZE_BITS - 1)
        for quantum in quanta
    )
    ledger = fresh_ledger(replace(config(), markets=markets))
    for market_id, (price, index) in enumerate(zip(prices, indices, strict=True)):
        ledger.set_market(market_id, PerpMarket(oracle_price=price, funding_index=index))
    positions = tuple(Position(size, index) for size, index in zip(sizes, settled_at, strict=True))
    ledger.set_account(ACCOUNT, PerpAccount(collateral, positions))
    return {
        "name": name,
        "collateral": word(collateral),
        "sizes": [word(size) for size in sizes],
        "settledIndex": [word(index) for index in settled_at],
        "prices": [word(price) for price in prices],
        "indices": [word(index) for index in indices],
        "quanta": [word(quantum) for quantum in quanta],
        "claim": word(exit_claim(ledger, ACCOUNT)),
    }


def claim_cases() -> list[dict[str, Any]]:
    flat = [0] * MAX_PERP_MARKETS
    ones = [1] * MAX_PERP_MARKETS
    cases = [
        claim_case("collateral only", 1_234, flat, flat, [100, 0, 0, 0], flat, ones),
        claim_case("a long in profit", -9_500, [100, 0, 0, 0], flat, [110, 0, 0, 0], flat, ones),
        claim_case("a short at a loss", 15_000, [-100, 0, 0, 0], flat, [143, 0, 0, 0], flat, ones),
        claim_case("below zero claims nothing", -9_500, [100, 0, 0, 0], flat, [90, 0, 0, 0], flat, ones),
        claim_case("funding paid rounds down", 10_000, [3, 0, 0, 0], [5, 0, 0, 0], [100, 0, 0, 0], [10**12 // 3, 0, 0, 0], ones),
        claim_case("funding received rounds down", 10_000, [-3, 0, 0, 0], [5, 0, 0, 0], [100, 0, 0, 0], [10**12 // 3, 0, 0, 0], ones),
        claim_case("four markets", 200_000, [10, -20, 30, -40], [1, -2, 3, -4], [100, 30, 7, 1_000], [10**13, -(10**13), 17, -17], [1, 7, 100, 3]),
        claim_case(
            "widest values",
            2**95,
            [2**SIZE_BITS - 1, -(2**SIZE_BITS - 1), 1, 0],
            [2**FUNDING_INDEX_BITS - 1, -(2**FUNDING_INDEX_BITS - 1), 0, 0],
            [2**40 - 1, 1, 1, 0],
            [-(2**FUNDING_INDEX_BITS - 1), 2**FUNDING_INDEX_BITS - 1, 0, 0],
            [2**QUANTUM_BITS - 1, 2**QUANTUM_BITS - 1, 1, 1],
        ),
    ]
    generator = random.Random(7)
    for number in range(12):
        cases.append(
            claim_case(
                f"random {number}",
                generator.randint(-(10**9), 10**9),
                [generator.randint(-(10**6), 10**6) for _ in range(MAX_PERP_MARKETS)],
                [generator.randint(-(10**20), 10**20) for _ in range(MAX_PERP_MARKETS)],
                [generator.randint(1, 10**6) for _ in range(MAX_PERP_MARKETS)],
                [generator.randint(-(10**20), 10**20) for _ in range(MAX_PERP_MARKETS)],
                [generator.randint(1, 1_000) for _ in range(MAX_PERP_MARKETS)],
            )
        )
    return cases


def payout_case(name: str, pool: int, claims: list[int], fund_claim: int) -> dict[str, Any]:
    by_index = {AccountIndex(10 + number): claim for number, claim in enumerate(claims)}
    paid = exit_payouts(pool, {**by_index, FUND: fund_claim}, FUND)
    return {
        "name": name,
        "pool": word(pool),
        "claims": [word(claim) for claim in claims],
        "fundClaim": word(fund_claim),
        "payouts": [word(paid[index]) for index in by_index],
        "fundPayout": word(paid[FUND]),
    }


def payout_cases() -> list[dict[str, Any]]:
    return [
        payout_case("the pool covers everyone", 100, [60, 30], 10),
        payout_case("the fund takes what is left", 100, [60, 30], 20),
        payout_case("the fund covers a deficit", 95, [60, 30], 20),
        payout_case("traders share pro rata", 80, [60, 30], 20),
        payout_case("shares round down", 10, [3, 3, 3, 1], 5),
        payout_case("nothing to share", 0, [5, 7], 1),
        payout_case("exactly the traders' claims", 90, [60, 30], 20),
    ]


def build_perpetual_exit_vectors() -> dict[str, Any]:
    """Every vector, as the JSON document ``perpetual_exit.json`` holds."""
    return {"claims": claim_cases(), "payouts": payout_cases()}


def main() -> None:
    PERPETUAL_EXIT_PATH.write_text(json.dumps(build_perpetual_exit_vectors(), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
