"""
How the perpetual state will be committed to: one hash per account's
perpetual side and one over the markets (``docs/DESIGN.md``, "Perpetual
futures", "Commitment").

Signed values enter as field elements (``-x`` is ``p - x``); every one is
below ``2**200`` in magnitude, so each field element has one signed
preimage. An account hashes its collateral and, for each of the
``MAX_PERP_MARKETS`` markets, its position's size and settled funding index
(zeros for a market it never held): ``Poseidon(9)``, the account leaf's
last input. A market hashes its oracle price and time, its funding index
and time and its open interest: ``Poseidon(5)``; the perpetual commitment
is ``Poseidon(5)`` of the four markets' hashes (a market the deployment
does not configure hashes as a market never priced) and the collateral
pool, and the state root is ``Poseidon([account_root, perp_commitment])``
(:attr:`sequencer.spec.state.State.root`). The circuit mirrors these
hashes (``circuits/perpetual/commitment.circom``), checked on the same
vectors.
"""

from collections.abc import Sequence

from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.poseidon import poseidon
from sequencer.spec.types import FieldElement

from .constants import MAX_PERP_MARKETS
from .state import PerpAccount, PerpMarket


def signed_field(value: int) -> int:
    """A signed integer as the field element that stands for it."""
    return value % FIELD_MODULUS


def perp_account_hash(account: PerpAccount) -> FieldElement:
    """``Poseidon([collateral, size_0, index_0, ..., size_3, index_3])`` of the account's perpetual side."""
    fields = [signed_field(account.collateral)]
    for market in range(MAX_PERP_MARKETS):
        position = account.position(market)
        fields += [signed_field(position.size), signed_field(position.funding_index)]
    return FieldElement(poseidon(fields))


def market_hash(market: PerpMarket) -> FieldElement:
    """``Poseidon([oracle_price, oracle_time, funding_index, funding_time, open_interest])``."""
    return FieldElement(
        poseidon(
            [
                market.oracle_price,
                market.oracle_time,
                signed_field(market.funding_index),
                market.funding_time,
                market.open_interest,
            ]
        )
    )


def perp_commitment(markets: Sequence[PerpMarket], collateral_pool: int) -> FieldElement:
    """
    ``Poseidon([market_0, ..., market_3, collateral_pool])`` of the four
    markets' hashes (a market not configured hashing as :class:`PerpMarket` ())
    and the pool, which is never negative.
    """
    padded = list(markets) + [PerpMarket()] * (MAX_PERP_MARKETS - len(markets))
    return FieldElement(poseidon([*(market_hash(market) for market in padded), collateral_pool]))


EMPTY_PERP_ACCOUNT_HASH = perp_account_hash(PerpAccount())
"""The perpetual side of an account that never held collateral or a position."""
