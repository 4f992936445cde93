"""
The witness of a perpetual slot's collateral-transfer part
(``PerpTransferSlot`` in ``circuits/perpetual/transfer_slot.circom``): the
transfer and its signature, and the account's leaf before it (its balances
one by one), its path, its perpetual side and that side's funding
settlement.

The part follows the slot's trade part in the account tree and precedes
its close part, so a slot that is not a transfer proves the fee account's
leaf unchanged, as a trade leaves it (the state after the slot) or else as
the slot finds it. Keys are the template's signal names.
"""

from dataclasses import dataclass

from sequencer.spec.constants import FEE_ACCOUNT
from sequencer.spec.perpetual.state import PerpConfig, PerpMarket
from sequencer.spec.perpetual.transactions import CollateralTransfer, PerpTrade, PerpTransaction
from sequencer.spec.state import Account, State
from sequencer.spec.types import AccountIndex, FieldElement

from .perp_trade import leaf_inputs
from .slots import signature_fields
from .perpetual import Inputs

TRANSFER_SLOT_SIGNALS = (
    "toCollateral", "amount", "sigR8x", "sigR8y", "sigS", "account", "ax", "ay", "ethAddr", "nonce", "minOrderId",
    "orderRoot", "perpHash", "collateral", "balances", "siblingsAccount", "size", "settledIndex", "payment", "remainder",
)
"""The inputs of ``PerpTransferSlot`` that are the slot's own; the batch takes each as ``perp<Name>`` over its perpetual slots."""


@dataclass(frozen=True)
class TransferBefore:
    """The account a transfer moves, as the slot finds it (a copy), its path, and the markets."""

    account: Account
    siblings: list[FieldElement]
    markets: tuple[PerpMarket, ...]

    @classmethod
    def of(cls, tx: PerpTransaction, state: State) -> "TransferBefore":
        """The transferring account in ``state`` (the fee account outside a transfer)."""
        index = tx.account_index if isinstance(tx, CollateralTransfer) else AccountIndex(FEE_ACCOUNT)
        return cls(state.get_account(index).copy(), state.account_tree.siblings(index), state.perp_markets)


def transfer_slot_inputs(config: PerpConfig, tx: PerpTransaction, before: TransferBefore, after: State) -> Inputs:
    """
    ``PerpTransferSlot``'s own inputs for the slot holding ``tx``, which took
    the state from what ``before`` saw to ``after``: outside a transfer,
    zeros and the fee account's leaf as this part finds it (after a trade,
    which comes first; before anything else).
    """
    tokens = 1 << after.config.balance_depth
    fields: Inputs = {"toCollateral": 0, "amount": 0, "sigR8x": 0, "sigR8y": 0, "sigS": 0}
    index, account, siblings = AccountIndex(FEE_ACCOUNT), before.account, before.siblings
    if isinstance(tx, CollateralTransfer):
        index = tx.account_index
        fields = {"toCollateral": int(tx.to_collateral), "amount": tx.amount, **signature_fields("", tx.signature)}
    elif isinstance(tx, PerpTrade):
        account, siblings = after.get_account(index), after.account_tree.siblings(index)
    leaf = leaf_inputs("", account, siblings, before.markets, config)
    del leaf["words"]
    balances: list[int] = list(account.balance_list(tokens))
    return fields | leaf | {"account": index, "balances": balances}
