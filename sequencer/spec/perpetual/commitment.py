"""
How the perpetual state is committed to: one hash per account's
perpetual side and one over the markets (``docs/DESIGN.md``, "Perpetual
futures", "Commitment").

Signed values enter as field elements (``-x`` is ``p - x``); every one is
below ``2**200`` in magnitude, so each field element has one signed
preimage. An account hashes its collateral and, for each of the
``MAX_PERP_MARKETS`` markets, its position's size and settled funding index
(zeros for a market it never held): ``Poseidon(9)``, the account leaf's
last input. A market hashes its oracle price and time, its funding index
and time and its open interest: ``Poseidon(5)``. The markets' commitment
is ``Poseidon(5)`` of the four markets' hashes (a market the deployment
does not configure hashes as a market never priced) and the collateral
pool; the perpetual commitment hashes it with the deployment's perpetual
parameters (:func:`perp_config_hash`), and the state root is
``Poseidon([account_root, perp_commitment])``
(:attr:`sequencer.spec.state.State.root`). The circuit mirrors these
hashes (``circuits/perpetual/commitment.circom``), checked on the same
vectors.
"""

from collections.abc import Sequence
from functools import lru_cache

from sequencer.crypto.eddsa import PublicKey
from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.poseidon import poseidon
from sequencer.spec.types import FieldElement

from .constants import MAX_PERP_MARKETS
from .state import PerpAccount, PerpConfig, PerpMarket, PerpMarketParams


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


def markets_commitment(markets: Sequence[PerpMarket], collateral_pool: int) -> FieldElement:
    """
    ``Poseidon([market_0, ..., market_3, collateral_pool])`` of the four
    markets' hashes (a market not configured hashing as :class:`PerpMarket` ())
    and the pool, which is never negative.
    """
    padded = list(markets) + [PerpMarket()] * (MAX_PERP_MARKETS - len(markets))
    return FieldElement(poseidon([*(market_hash(market) for market in padded), collateral_pool]))


def perp_commitment(markets: Sequence[PerpMarket], collateral_pool: int, config_hash: FieldElement) -> FieldElement:
    """``Poseidon([markets_commitment, config_hash])``: the markets and the pool, and the deployment's parameters."""
    return FieldElement(poseidon([markets_commitment(markets, collateral_pool), config_hash]))


def market_params_hash(params: PerpMarketParams) -> FieldElement:
    """``Poseidon([quantum, initial_margin, maintenance_margin, max_funding_rate, open_interest_cap])``."""
    return FieldElement(
        poseidon(
            [
                params.quantum,
                params.initial_margin,
                params.maintenance_margin,
                params.max_funding_rate,
                params.open_interest_cap,
            ]
        )
    )


def oracle_keys_hash(keys: Sequence[PublicKey]) -> FieldElement:
    """The oracle key set folded in order: ``h = Poseidon([h, ax, ay])`` from 0 (0 for no key)."""
    folded = 0
    for key in keys:
        folded = poseidon([folded, key.ax, key.ay])
    return FieldElement(folded)


@lru_cache(maxsize=64)
def perp_config_hash(config: PerpConfig | None) -> FieldElement:
    """
    The hash of a deployment's perpetual parameters, which its state root
    commits to from genesis and no transaction changes (0 for a deployment
    without perpetuals): ``Poseidon([collateral_token, oracle_quorum,
    oracle_window, max_price_age, insurance_fund, max_liquidation_penalty,
    markets, keys])``, ``markets`` the ``Poseidon`` of the four markets'
    :func:`market_params_hash` (0 for one not configured) and ``keys``
    :func:`oracle_keys_hash`. A proof that reads a parameter takes it as
    witness against this hash; the contract keeps it and checks every
    perpetual claim's markets against the commitment it is part of, and the
    deployment derives the contract's quanta and this hash from one
    :class:`PerpConfig` (``sequencer.l1.deploy.PerpetualsConfig.of``).
    """
    if config is None:
        return FieldElement(0)
    markets = [market_params_hash(params) for params in config.markets]
    markets += [FieldElement(0)] * (MAX_PERP_MARKETS - len(markets))
    return FieldElement(
        poseidon(
            [
                config.collateral_token,
                config.oracle_quorum,
                config.oracle_window,
                config.max_price_age,
                config.insurance_fund,
                config.max_liquidation_penalty,
                poseidon(markets),
                oracle_keys_hash(config.oracle_keys),
            ]
        )
    )


EMPTY_PERP_ACCOUNT_HASH = perp_account_hash(PerpAccount())
"""The perpetual side of an account that never held collateral or a position."""
