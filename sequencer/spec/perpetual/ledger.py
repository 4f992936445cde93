"""
The perpetual side of the rollup's state, as the perpetual rules read and
write it: each market's prices and funding, each account's collateral and
positions, and the collateral pool behind them.

A :class:`PerpLedger` holds no state of its own: it reads and writes the
:class:`sequencer.spec.state.State` it wraps, whose account leaves hash each
account's perpetual side and whose root commits to the markets and the pool
(``docs/DESIGN.md``, "Perpetual futures", "Commitment"). So a perpetual
transaction is journaled, undone and committed to as a spot one is.
"""

from sequencer.spec.state import State
from sequencer.spec.types import AccountIndex

from .commitment import perp_config_hash
from .errors import PerpConfigMismatch
from .state import PerpAccount, PerpConfig, PerpMarket, check_market


class PerpLedger:
    """
    A deployment's perpetual markets over a rollup state: every market, every
    account's perpetual side, and the collateral pool (the collateral token
    moved into perpetuals and not yet out). Every account's value together
    never exceeds the pool (trades move collateral between accounts,
    funding rounds down for every account), which is what exits after a
    freeze share (:mod:`.exit`).
    """

    config: PerpConfig
    state: State

    def __init__(self, config: PerpConfig, state: State) -> None:
        """
        The perpetual side of ``state``, for the markets of ``config``.

        Raises
        ------
        PerpConfigMismatch
            ``state`` commits to other parameters than ``config``'s.
        """
        config_hash = perp_config_hash(config)
        if config_hash != state.perp_config_hash:
            raise PerpConfigMismatch(config_hash, state.perp_config_hash)
        self.config = config
        self.state = state

    def market(self, market: int) -> PerpMarket:
        """The state of ``market`` (raises ``UnknownPerpMarket`` if it is not configured)."""
        check_market(self.config, market)
        return self.state.perp_markets[market]

    def markets(self) -> list[PerpMarket]:
        """Every configured market's state, by id."""
        return list(self.state.perp_markets[: len(self.config.markets)])

    def account(self, index: AccountIndex) -> PerpAccount:
        """The perpetual side of the account at ``index``: empty until collateral reaches it."""
        return self.state.get_account(index).perp

    def accounts(self) -> dict[AccountIndex, PerpAccount]:
        """Every account with collateral or a position (or a funding index held from one), by index."""
        return {index: account.perp for index, account in self.state.accounts().items() if not account.perp.is_empty}

    @property
    def collateral_pool(self) -> int:
        """The collateral token moved into perpetuals and not yet out."""
        return self.state.collateral_pool

    @collateral_pool.setter
    def collateral_pool(self, pool: int) -> None:
        self.state.set_collateral_pool(pool)

    def set_market(self, market: int, market_state: PerpMarket) -> None:
        """Write a market's new state."""
        self.state.set_perp_market(market, market_state)

    def set_account(self, index: AccountIndex, account: PerpAccount) -> None:
        """Write an account's new perpetual side."""
        self.state.set_perp_account(index, account)
