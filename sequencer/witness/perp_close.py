"""
The witness of a perpetual slot's close part (``PerpCloseSlot`` in
``circuits/perpetual/close_slot.circom``): a liquidation or a deleveraging,
a liquidator's order and signature, and three account leaves as the circuit
updates them one after the other (the closed account's, the
counterparty's, then the insurance fund's), each with its path, its
perpetual side and the divisions of its funding settlement.

The part follows the slot's trade and transfer parts in the account tree,
so a slot that is not a close proves the fee account's leaf twice and the
insurance fund's, as the slot leaves them, unchanged. Keys are the
template's signal names.
"""

from dataclasses import dataclass

from sequencer.spec.constants import FEE_ACCOUNT
from sequencer.spec.perpetual.state import PerpConfig, PerpMarket
from sequencer.spec.perpetual.transactions import Deleverage, Liquidation, PerpTransaction
from sequencer.spec.state import Account, State
from sequencer.spec.types import AccountIndex, FieldElement, OrderId

from .perp_trade import (
    LEAF_FIELDS,
    ORDER_FIELDS,
    ORDER_SLOT_FIELDS,
    PERP_FIELDS,
    before_credit,
    leaf_inputs,
    order_inputs,
    order_slot_inputs,
)
from .perpetual import Inputs
from .slots import siblings_after_write

CLOSE_SLOT_SIGNALS: tuple[str, ...] = (
    ("byOrder", "closing", "quote", "penalty")
    + tuple(f"{name}C" for name in ORDER_FIELDS)
    + tuple(f"{name}L" for name in ("account",) + LEAF_FIELDS + PERP_FIELDS)
    + tuple(f"{name}C" for name in LEAF_FIELDS + PERP_FIELDS + ORDER_SLOT_FIELDS)
    + tuple(f"{name}I" for name in LEAF_FIELDS + PERP_FIELDS)
)
"""The inputs of ``PerpCloseSlot`` that are the slot's own; the batch takes each as ``perp<Name>`` over its perpetual slots."""


@dataclass(frozen=True)
class CloseBefore:
    """
    What a close part's witness needs of the state before the slot: the
    closed account's, the counterparty's and the insurance fund's leaves
    (copies) and paths, and the markets.
    """

    closed: Account
    counterparty: Account
    fund: Account
    siblings_closed: list[FieldElement]
    siblings_counterparty: list[FieldElement]
    siblings_fund: list[FieldElement]
    markets: tuple[PerpMarket, ...]

    @classmethod
    def of(cls, config: PerpConfig, tx: PerpTransaction, state: State) -> "CloseBefore":
        """The accounts ``tx`` closes between in ``state`` (the fee account for both outside a close)."""
        closed, counterparty = close_parties(config, tx)
        tree = state.account_tree
        return cls(
            state.get_account(closed).copy(),
            state.get_account(counterparty).copy(),
            state.get_account(config.insurance_fund).copy(),
            tree.siblings(closed),
            tree.siblings(counterparty),
            tree.siblings(config.insurance_fund),
            state.perp_markets,
        )


def close_parties(config: PerpConfig, tx: PerpTransaction) -> tuple[AccountIndex, AccountIndex]:
    """A close's account and counterparty (a liquidator, the fund, the deleveraged); the fee account outside a close."""
    match tx:
        case Liquidation():
            counterparty = config.insurance_fund if tx.liquidator is None else tx.liquidator.order.account_index
            return tx.account_index, counterparty
        case Deleverage():
            return tx.account_index, tx.counterparty
        case _:
            return AccountIndex(FEE_ACCOUNT), AccountIndex(FEE_ACCOUNT)


def close_slot_inputs(config: PerpConfig, tx: PerpTransaction, before: CloseBefore, after: State) -> Inputs:
    """
    ``PerpCloseSlot``'s own inputs for the slot holding ``tx``, which took the
    state from what ``before`` saw to ``after`` (the spec applied it; this
    only reads): outside a close, zeros and the fee account's and the fund's
    leaves as ``after`` holds them.
    """
    fund = config.insurance_fund
    if not isinstance(tx, Liquidation | Deleverage):
        fee = AccountIndex(FEE_ACCOUNT)
        account, siblings = after.get_account(fee), after.account_tree.siblings(fee)
        inputs: Inputs = {"byOrder": 0, "closing": 0, "quote": 0, "penalty": 0}
        inputs |= {f"{name}C": 0 for name in ORDER_FIELDS}
        inputs |= leaf_inputs("L", account, siblings, before.markets, config) | {"accountL": fee}
        inputs |= leaf_inputs("C", account, siblings, before.markets, config)
        inputs |= order_slot_inputs("C", fee, account, OrderId(0))
        fund_account = after.get_account(fund)
        return inputs | leaf_inputs("I", fund_account, after.account_tree.siblings(fund), before.markets, config)

    closed, counterparty = close_parties(config, tx)
    penalty = tx.penalty if isinstance(tx, Liquidation) else 0
    liquidator = tx.liquidator if isinstance(tx, Liquidation) else None
    # Each account as its update leaves it, before the fund's credit of the penalty.
    closed_written = before_credit(after.get_account(closed), closed, fund, penalty)
    counter_written = before_credit(after.get_account(counterparty), counterparty, fund, penalty)
    counter_siblings = siblings_after_write(
        closed, closed_written.leaf_hash(), before.siblings_closed, counterparty, before.siblings_counterparty
    )
    fund_siblings = siblings_after_write(
        counterparty,
        counter_written.leaf_hash(),
        counter_siblings,
        fund,
        siblings_after_write(closed, closed_written.leaf_hash(), before.siblings_closed, fund, before.siblings_fund),
    )
    fund_found = {closed: closed_written, counterparty: counter_written}.get(fund, before.fund)

    inputs = {
        "byOrder": int(liquidator is not None),
        "closing": tx.size,
        "quote": tx.quote,
        "penalty": penalty,
        **(order_inputs("C", liquidator) if liquidator is not None else {f"{name}C": 0 for name in ORDER_FIELDS}),
        **leaf_inputs("L", before.closed, before.siblings_closed, before.markets, config),
        "accountL": closed,
        **leaf_inputs("C", before.counterparty, counter_siblings, before.markets, config),
        **order_slot_inputs(
            "C", counterparty, before.counterparty, liquidator.order.order_id if liquidator is not None else OrderId(0)
        ),
    }
    return inputs | leaf_inputs("I", fund_found, fund_siblings, before.markets, config)
