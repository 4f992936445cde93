"""
The inputs of one transaction slot (``TxSlot`` in ``circuits/slot.circom``).

One function per transaction type says which accounts, tokens and orders the
slot's two account updates touch and which of the slot's own fields it sets;
every other field is zero. Account A is the account of an L1 request, the
withdrawer, the canceller or the maker; account B the taker. A slot that touches one account (or none) proves
its unused side against the fee account with no change.
"""

from dataclasses import dataclass
from typing import assert_never

from sequencer.crypto.eddsa import Signature
from sequencer.spec.constants import FEE_ACCOUNT, TxType
from sequencer.spec.merkle import BITS_PER_LEVEL, SIBLINGS_PER_LEVEL, level_siblings, parent, position
from sequencer.spec.state import Account, State
from sequencer.spec.public_data import l1_request_fields
from sequencer.spec.transactions import (
    OrderTerms,
    Cancel,
    CancelAll,
    Deposit,
    ForcedCancelAll,
    ForcedWithdraw,
    L1Transaction,
    Noop,
    Trade,
    Transaction,
    Withdraw,
)
from sequencer.spec.types import AccountIndex, FieldElement, OrderId, TokenId

from .sides import SideInputs, side_inputs

SLOT_FIELDS = (
    "txType l1EthAddr l1Ax l1Ay l1Token l1Amount baseToken quoteToken sideA fillBase "
    "fillQuote orderIdA priceA amountA maxFeeBpsA expiryA kindA feeBpsA sigR8xA sigR8yA sigSA "
    "orderIdB priceB amountB maxFeeBpsB expiryB kindB feeBpsB sigR8xB sigR8yB sigSB wToken wAmount"
).split()
"""The slot's own signals, besides the two account updates."""


@dataclass(frozen=True)
class Touch:
    """What one side of a slot touches: an account, the token it changes first, an order slot."""

    account: AccountIndex
    token: TokenId
    order_id: OrderId


UNTOUCHED = Touch(AccountIndex(FEE_ACCOUNT), TokenId(0), OrderId(0))
"""A side the transaction does not use: the fee account, unchanged."""


@dataclass(frozen=True)
class SlotBefore:
    """
    What a slot's witness needs of the state before the slot: its two
    accounts as they were and their paths in the account tree. Taken before
    the spec applies the slot, so the state is never copied whole.
    """

    account_a: Account
    account_b: Account
    siblings_a: list[FieldElement]
    siblings_b: list[FieldElement]

    @classmethod
    def of(cls, tx: Transaction, state: State) -> "SlotBefore":
        """The accounts ``tx`` touches in ``state`` (copies) and their paths."""
        _, touch_a, touch_b = describe(tx)
        tree = state.account_tree
        return cls(
            state.get_account(touch_a.account).copy(),
            state.get_account(touch_b.account).copy(),
            tree.siblings(touch_a.account),
            tree.siblings(touch_b.account),
        )


def slot_inputs(tx: Transaction, before: SlotBefore, after: State) -> SideInputs:
    """
    The whole witness of a slot holding ``tx``, which took the state from
    what ``before`` saw to ``after`` (the spec applied it; this only reads).
    """
    fields, touch_a, touch_b = describe(tx)
    inputs: SideInputs = dict.fromkeys(SLOT_FIELDS, 0)
    inputs.update(fields)
    tokens = 1 << after.config.balance_depth
    account_a = after.get_account(touch_a.account)
    inputs.update(
        side_inputs("A", before.siblings_a, touch_a.account, before.account_a, tokens, touch_a.token, touch_a.order_id)
    )
    # B is proven against the tree as A's update left it.
    b_before = account_a if touch_b.account == touch_a.account else before.account_b
    inputs.update(
        side_inputs(
            "B",
            siblings_after_write(touch_a.account, account_a.leaf_hash(), before.siblings_a, touch_b.account, before.siblings_b),
            touch_b.account,
            b_before,
            tokens,
            touch_b.token,
            touch_b.order_id,
        )
    )
    return inputs


def siblings_after_write(
    written: AccountIndex,
    leaf: FieldElement,
    written_siblings: list[FieldElement],
    index: AccountIndex,
    siblings: list[FieldElement],
) -> list[FieldElement]:
    """
    The path of leaf ``index`` (whose siblings were ``siblings``) once leaf
    ``written`` (whose siblings were ``written_siblings``) became ``leaf``:
    a sibling changes only where it is an ancestor of ``written``, and it
    becomes the node of ``written``'s new path at that level.
    """
    nodes = [leaf]
    for level in range(len(written_siblings) // SIBLINGS_PER_LEVEL - 1):
        nodes.append(parent(nodes[-1], level_siblings(written_siblings, level), position(written, level)))
    updated = list(siblings)
    for level, node in enumerate(nodes):
        shift = BITS_PER_LEVEL * level
        same_parent = written >> (shift + BITS_PER_LEVEL) == index >> (shift + BITS_PER_LEVEL)
        if same_parent and written >> shift != index >> shift:
            theirs, ours = position(written, level), position(index, level)
            updated[SIBLINGS_PER_LEVEL * level + (theirs if theirs < ours else theirs - 1)] = node
    return updated


def describe(tx: Transaction) -> tuple[dict[str, int], Touch, Touch]:
    """The slot's own fields and what each side touches, per transaction type."""
    match tx:
        case Noop():
            return {"txType": TxType.NOOP}, UNTOUCHED, UNTOUCHED
        case Deposit() | ForcedWithdraw():
            return l1_fields(tx), Touch(tx.account_index, tx.token, OrderId(0)), UNTOUCHED
        case ForcedCancelAll():
            return l1_fields(tx), Touch(tx.account_index, TokenId(0), OrderId(0)), UNTOUCHED
        case Trade():
            return trade_fields(tx), *trade_touches(tx)
        case Withdraw():
            return withdraw_fields(tx), Touch(tx.account_index, tx.token, OrderId(0)), UNTOUCHED
        case Cancel():
            return cancel_fields(tx), Touch(tx.account_index, TokenId(0), tx.order_id), UNTOUCHED
        case CancelAll():
            # The circuit reads the order path at orderIdA's slot, which the cancel-all leaves as it is.
            touch = Touch(tx.account_index, TokenId(0), tx.min_order_id)
            return cancel_all_fields(tx), touch, UNTOUCHED
        case _:
            assert_never(tx)


def l1_fields(request: L1Transaction) -> dict[str, int]:
    """An L1 request's slot fields: what the contract hashed for it (the account is side A's)."""
    tx_type, _, eth_addr, ax, ay, token, amount = l1_request_fields(request)
    return {
        "txType": tx_type,
        "l1EthAddr": eth_addr,
        "l1Ax": ax,
        "l1Ay": ay,
        "l1Token": token,
        "l1Amount": amount,
    }


def trade_fields(trade: Trade) -> dict[str, int]:
    """A trade's slot fields: the market, the fill, both orders and their signatures."""
    maker, taker = trade.maker, trade.taker
    fields: dict[str, int] = {
        "txType": TxType.TRADE,
        "baseToken": maker.order.base_token,
        "quoteToken": maker.order.quote_token,
        "sideA": maker.order.side,
        "fillBase": trade.fill_base,
        "fillQuote": trade.fill_quote,
        "feeBpsA": trade.maker_fee_bps,
        "feeBpsB": trade.taker_fee_bps,
    }
    for suffix, signed in (("A", maker), ("B", taker)):
        fields.update(order_terms_fields(suffix, signed.order) | signature_fields(suffix, signed.signature))
    return fields


def order_terms_fields(suffix: str, order: OrderTerms) -> dict[str, int]:
    """The fields every signed order has, spot or perpetual, with the slot's ``suffix``."""
    return {
        f"orderId{suffix}": order.order_id,
        f"price{suffix}": order.price,
        f"amount{suffix}": order.amount,
        f"maxFeeBps{suffix}": order.max_fee_bps,
        f"expiry{suffix}": order.expiry,
        f"kind{suffix}": order.kind.code,
    }


def trade_touches(trade: Trade) -> tuple[Touch, Touch]:
    """A trade moves base (first) and quote of the maker (A) and of the taker (B)."""
    maker, taker = trade.maker.order, trade.taker.order
    return (
        Touch(maker.account_index, maker.base_token, maker.order_id),
        Touch(taker.account_index, maker.base_token, taker.order_id),
    )


def withdraw_fields(withdraw: Withdraw) -> dict[str, int]:
    """A withdrawal's slot fields: token, amount and the account's signature."""
    return {
        "txType": TxType.WITHDRAW,
        "wToken": withdraw.token,
        "wAmount": withdraw.amount,
        **signature_fields("A", withdraw.signature),
    }


def fee_account_inputs(state: State) -> SideInputs:
    """The fee account (index 0) as the fee credit after the last slot finds it."""
    account = state.get_account(AccountIndex(FEE_ACCOUNT))
    tokens = 1 << state.config.balance_depth
    return {
        "feeAx": account.ax,
        "feeAy": account.ay,
        "feeEthAddr": account.eth_addr,
        "feeNonce": account.nonce,
        "feeMinOrderId": account.min_order_id,
        "feeOrderRoot": account.orders.root,
        "feePerpHash": account.perp_hash(),
        "feeBalances": account.balance_list(tokens),
        "feeSiblings": list(state.account_tree.siblings(FEE_ACCOUNT)),
    }


def cancel_fields(cancel: Cancel) -> dict[str, int]:
    """A cancel's slot fields: the order id (side A's) and the account's signature."""
    return {
        "txType": TxType.CANCEL,
        "orderIdA": cancel.order_id,
        **signature_fields("A", cancel.signature),
    }


def cancel_all_fields(cancel_all: CancelAll) -> dict[str, int]:
    """A cancel-all's slot fields: its ``min_order_id`` (in side A's ``orderIdA``) and the account's signature."""
    return {
        "txType": TxType.CANCEL_ALL,
        "orderIdA": cancel_all.min_order_id,
        **signature_fields("A", cancel_all.signature),
    }


def signature_fields(side: str, signature: Signature) -> dict[str, int]:
    """The signature fields of side ``side`` (``A`` or ``B``) of a slot."""
    return {f"sigR8x{side}": signature.r8x, f"sigR8y{side}": signature.r8y, f"sigS{side}": signature.s}
