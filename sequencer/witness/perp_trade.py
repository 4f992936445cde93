"""
The witness of a perpetual slot's trade part (``PerpTradeSlot`` in
``circuits/perpetual/trade_slot.circom``): both orders and their
signatures, and three account leaves as the circuit updates them one after
the other (the maker's, the taker's, then the fee account's), each with its
path, its perpetual side and the divisions of its funding settlement.

A slot that is not a trade proves the fee account's leaf three times,
unchanged. Keys are the template's signal names.
"""

from dataclasses import dataclass, replace

from sequencer.spec.constants import BPS, FEE_ACCOUNT
from sequencer.spec.perpetual.commitment import signed_field
from sequencer.spec.perpetual.constants import FUNDING_RATE_SCALE, MAX_PERP_MARKETS
from sequencer.spec.perpetual.state import PerpConfig, PerpMarket
from sequencer.spec.perpetual.transactions import PerpTrade, PerpTransaction, SignedPerpOrder
from sequencer.spec.state import Account, State
from sequencer.spec.transition import fee_amount
from sequencer.spec.types import AccountIndex, Amount, FieldElement, OrderId

from .perpetual import Inputs
from .slots import order_terms_fields, siblings_after_write, signature_fields

ORDER_FIELDS = ("orderId", "price", "amount", "maxFeeBps", "expiry", "kind", "reduceOnly", "sigR8x", "sigR8y", "sigS")
"""One order's signals, each with the suffix ``A`` (the maker's) or ``B`` (the taker's)."""

LEAF_FIELDS = ("ax", "ay", "ethAddr", "nonce", "minOrderId", "orderRoot", "words", "perpHash", "siblingsAccount")
"""An account leaf's signals as a part's update finds it, and its path (:func:`leaf_inputs`)."""
PERP_FIELDS = ("collateral", "size", "settledIndex", "payment", "remainder")
"""The leaf's perpetual preimage and its funding settlement's divisions (:func:`leaf_inputs`)."""
ORDER_SLOT_FIELDS = ("account", "orderStoredId", "orderFilled", "siblingsOrder")
"""The account's index and the order slot a signed order writes (:func:`order_slot_inputs`)."""

TRADE_SLOT_SIGNALS: tuple[str, ...] = (
    ("sideA", "fill", "feeBpsA", "feeBpsB", "feeA", "feeRestA", "feeB", "feeRestB")
    + tuple(f"{name}{suffix}" for suffix in "AB" for name in ORDER_FIELDS)
    + tuple(f"{name}{suffix}" for suffix in "AB" for name in LEAF_FIELDS + PERP_FIELDS + ORDER_SLOT_FIELDS)
    + tuple(f"{name}F" for name in LEAF_FIELDS + PERP_FIELDS)
)
"""The inputs of ``PerpTradeSlot`` that are the slot's own; the batch takes each as ``perp<Name>`` over its perpetual slots."""


@dataclass(frozen=True)
class TradeBefore:
    """
    What a trade part's witness needs of the state before the slot: the
    maker's, the taker's and the fee account's leaves (copies) and paths,
    and the markets. Taken before the spec applies the slot, as
    ``slots.SlotBefore`` is.
    """

    maker: Account
    taker: Account
    fee: Account
    siblings_maker: list[FieldElement]
    siblings_taker: list[FieldElement]
    siblings_fee: list[FieldElement]
    markets: tuple[PerpMarket, ...]

    @classmethod
    def of(cls, tx: PerpTransaction, state: State) -> "TradeBefore":
        """The accounts ``tx`` trades between in ``state`` (the fee account twice outside a trade)."""
        maker, taker = parties(tx)
        tree = state.account_tree
        return cls(
            state.get_account(maker).copy(),
            state.get_account(taker).copy(),
            state.get_account(AccountIndex(FEE_ACCOUNT)).copy(),
            tree.siblings(maker),
            tree.siblings(taker),
            tree.siblings(AccountIndex(FEE_ACCOUNT)),
            state.perp_markets,
        )


def parties(tx: PerpTransaction) -> tuple[AccountIndex, AccountIndex]:
    """A trade's maker and taker; the fee account for both outside a trade."""
    if isinstance(tx, PerpTrade):
        return tx.maker.order.account_index, tx.taker.order.account_index
    return AccountIndex(FEE_ACCOUNT), AccountIndex(FEE_ACCOUNT)


def trade_slot_inputs(config: PerpConfig, tx: PerpTransaction, before: TradeBefore, after: State) -> Inputs:
    """
    ``PerpTradeSlot``'s own inputs for the slot holding ``tx``, which took
    the state from what ``before`` saw to ``after`` (the spec applied it;
    this only reads): zeros and the fee account's unchanged leaf outside a trade.
    """
    fee = AccountIndex(FEE_ACCOUNT)
    if not isinstance(tx, PerpTrade):
        inputs: Inputs = {name: 0 for name in TRADE_SLOT_SIGNALS[:8]}
        for suffix in "AB":
            inputs |= {f"{name}{suffix}": 0 for name in ORDER_FIELDS}
            inputs |= leaf_inputs(suffix, before.fee, before.siblings_fee, before.markets, config)
            inputs |= order_slot_inputs(suffix, fee, before.fee, OrderId(0))
        return inputs | leaf_inputs("F", before.fee, before.siblings_fee, before.markets, config)

    maker, taker = tx.maker.order, tx.taker.order
    notional = tx.fill * maker.price * config.markets[maker.market].quantum
    fees = fee_amount(Amount(notional), tx.maker_fee_bps) + fee_amount(Amount(notional), tx.taker_fee_bps)
    # The maker and the taker as their updates leave them, before the fee account's credit.
    maker_written = before_credit(after.get_account(maker.account_index), maker.account_index, fee, fees)
    taker_written = before_credit(after.get_account(taker.account_index), taker.account_index, fee, fees)
    taker_siblings = siblings_after_write(
        maker.account_index, maker_written.leaf_hash(), before.siblings_maker, taker.account_index, before.siblings_taker
    )
    fee_siblings = siblings_after_write(
        taker.account_index,
        taker_written.leaf_hash(),
        taker_siblings,
        fee,
        siblings_after_write(maker.account_index, maker_written.leaf_hash(), before.siblings_maker, fee, before.siblings_fee),
    )
    fee_found = {maker.account_index: maker_written, taker.account_index: taker_written}.get(fee, before.fee)

    inputs = {
        "sideA": maker.side,
        "fill": tx.fill,
        "feeBpsA": tx.maker_fee_bps,
        "feeBpsB": tx.taker_fee_bps,
        **fee_inputs("A", notional, tx.maker_fee_bps),
        **fee_inputs("B", notional, tx.taker_fee_bps),
        **order_inputs("A", tx.maker),
        **order_inputs("B", tx.taker),
        **leaf_inputs("A", before.maker, before.siblings_maker, before.markets, config),
        **order_slot_inputs("A", maker.account_index, before.maker, maker.order_id),
        **leaf_inputs("B", before.taker, taker_siblings, before.markets, config),
        **order_slot_inputs("B", taker.account_index, before.taker, taker.order_id),
    }
    return inputs | leaf_inputs("F", fee_found, fee_siblings, before.markets, config)


def before_credit(account: Account, index: AccountIndex, credited: AccountIndex, amount: int) -> Account:
    """
    ``account`` (at ``index``) as a slot's update of it left it: less the
    ``amount`` the slot credits afterwards to account ``credited`` (a
    trade's fees to the fee account, a liquidation's penalty to the fund)
    when it is that account.
    """
    if index != credited:
        return account
    written = account.copy()
    written.perp = replace(account.perp, collateral=account.perp.collateral - amount)
    return written


def fee_inputs(suffix: str, notional: int, fee_bps: int) -> Inputs:
    """One side's fee as the circuit divides it: ``notional * fee_bps = fee * BPS + rest``."""
    fee = fee_amount(Amount(notional), fee_bps)
    return {f"fee{suffix}": fee, f"feeRest{suffix}": notional * fee_bps - fee * BPS}


def order_inputs(suffix: str, signed: SignedPerpOrder) -> Inputs:
    """One signed perpetual order's fields and signature."""
    order = signed.order
    return {
        **order_terms_fields(suffix, order),
        f"reduceOnly{suffix}": int(order.reduce_only),
        **signature_fields(suffix, signed.signature),
    }


def leaf_inputs(
    suffix: str, account: Account, siblings: list[FieldElement], markets: tuple[PerpMarket, ...], config: PerpConfig
) -> Inputs:
    """
    An account's leaf as its update finds it, its path, its perpetual side
    and that side's funding settlement at ``markets``: per market, ``size *
    (settled index - index) * quantum = payment * FUNDING_RATE_SCALE + remainder``.
    """
    perp = account.perp
    payments, remainders = [], []
    for market_id in range(MAX_PERP_MARKETS):
        position = perp.position(market_id)
        quantum = config.markets[market_id].quantum if market_id < len(config.markets) else 0
        owed = position.size * (position.funding_index - markets[market_id].funding_index) * quantum
        payments.append(signed_field(owed // FUNDING_RATE_SCALE))
        remainders.append(owed % FUNDING_RATE_SCALE)
    return {
        f"ax{suffix}": account.ax,
        f"ay{suffix}": account.ay,
        f"ethAddr{suffix}": account.eth_addr,
        f"nonce{suffix}": account.nonce,
        f"minOrderId{suffix}": account.min_order_id,
        f"orderRoot{suffix}": account.orders.root,
        f"words{suffix}": list(account.balance_words()),
        f"perpHash{suffix}": account.perp_hash(),
        f"siblingsAccount{suffix}": list(siblings),
        f"collateral{suffix}": signed_field(perp.collateral),
        f"size{suffix}": [signed_field(perp.position(m).size) for m in range(MAX_PERP_MARKETS)],
        f"settledIndex{suffix}": [signed_field(perp.position(m).funding_index) for m in range(MAX_PERP_MARKETS)],
        f"payment{suffix}": payments,
        f"remainder{suffix}": remainders,
    }


def order_slot_inputs(suffix: str, index: AccountIndex, account: Account, order_id: OrderId) -> Inputs:
    """The account's index and the order slot an order of ``order_id`` writes, as the update finds it."""
    slot = account.slot_index(order_id)
    stored_id, filled = account.order_slots.get(slot, (OrderId(0), 0))
    return {
        f"account{suffix}": index,
        f"orderStoredId{suffix}": stored_id,
        f"orderFilled{suffix}": filled,
        f"siblingsOrder{suffix}": list(account.orders.siblings(slot)),
    }
