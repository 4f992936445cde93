"""
Soundness: for every rule of the state transition, a witness that breaks only
that rule does not satisfy the circuit.

Each case turns off exactly one check of the spec (``sequencer.spec.transition``)
and builds the batch with it off, so the witness is consistent in every other
respect (roots, paths, hashes), then asserts the circuit refuses it. A case
first checks that the spec, with the check on, refuses the same batch with
the named error, so each case is about the rule it names.

L1 requests never fail: their rules say what a request does, not whether it
is refused. Their cases (``EFFECT_CASES``) replace one rule's function so
that the request does something else, check that this changes the state, and
assert that the circuit accepts the true batch and refuses the altered one.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import cast

import pytest

from prover import CircuitArtifacts
from prover.errors import WitnessError
from prover.groth16 import check_witness
from sequencer.crypto.eddsa import sign
from sequencer.crypto.field import FIELD_MODULUS
from sequencer.crypto.poseidon import poseidon
from sequencer.spec import errors, public_data, transition
from sequencer.spec.constants import FEE_ACCOUNT, ORDER_MESSAGE_TAG, ORDER_REF_BITS, OrderKind, Side, TreeConfig
from sequencer.spec.public_data import (
    LAYOUT,
    chain_step,
    l1_request_hash,
    public_input_hash,
    public_input_preimage,
)
from sequencer.spec.perpetual.state import PerpAccount, PerpMarket, Position
from sequencer.spec.state import Account, State
from sequencer.spec.transactions import ForcedCancelAll, ForcedWithdraw, Order, SignedOrder, Transaction
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, OrderId, Timestamp, TokenId
from sequencer.witness.batch import CircuitInput, ProvableBatch, build_batch
from tests.support.scenario import BASE, NOW, QUOTE, UNIT, Scenario, Trader, trade

PRICE = 2000 * UNIT


@dataclass(frozen=True)
class Case:
    """
    A batch that breaks one rule, the spec check to turn off, and the error
    the spec raises. ``unpublishable``: the broken value has no encoding in
    the public data either, so the case writes its low bytes there instead
    (:func:`write_truncated`).
    """

    transactions: Callable[[Scenario], list[Transaction]]
    disabled: dict[str, Callable[..., object]]
    error: type[errors.RollupError]
    timestamp: Timestamp = NOW
    unpublishable: bool = False


def write_truncated(field: public_data.BitField, slot: bytearray, value: int) -> None:
    """
    ``BitField.write`` for a value the spec cannot publish: its low bits,
    not packed. The circuit has no witness for such a trade whatever its
    public input, which is what the case checks.
    """
    field.write_raw(slot, value)


def no_check(*_args: object) -> None:
    """Stands in for a turned-off check."""


def fill_without_limits(account: Account, order: Order, fill: Amount) -> Amount:
    """``filled_after`` without its checks: continues the slot's fill or starts from zero."""
    stored_id, filled = account.order_slot(order.order_id)
    previous = filled if order.order_id == stored_id else 0
    return Amount(previous + fill)


def debit_in_field(state: State, index: AccountIndex, token: TokenId, amount: Amount) -> Amount:
    """``balance_after_debit`` without its check: the balance wraps around the field."""
    return Amount((state.get_account(index).balance(token) - amount) % FIELD_MODULUS)


def credit_unbounded(state: State, index: AccountIndex, token: TokenId, amount: Amount) -> Amount:
    """``balance_after_credit`` without its check: the balance may pass 2^96."""
    return Amount(state.get_account(index).balance(token) + amount)


def replace_market(signed: SignedOrder, base: TokenId, quote: TokenId) -> SignedOrder:
    """The order moved to another market, signed again by the scenario's key of its account."""
    order = replace(signed.order, base_token=base, quote_token=quote)
    return SignedOrder(order, sign(Trader.numbered(order.account_index).private_key, order.message_hash()))


def one_token_market(maker: SignedOrder, taker: SignedOrder) -> tuple[SignedOrder, SignedOrder]:
    """Both orders moved to a "market" of BASE against BASE."""
    return replace_market(maker, BASE, BASE), replace_market(taker, BASE, BASE)


def forced_withdraw(trader: Trader, token: TokenId, sender: Trader | None = None) -> ForcedWithdraw:
    """A forced withdrawal of the trader's account, sent on L1 by ``sender``'s address or its own."""
    return ForcedWithdraw(trader.index, (sender or trader).eth_addr, token)


def forced_cancel_all(trader: Trader, min_order_id: int, sender: Trader | None = None) -> ForcedCancelAll:
    """A forced cancel-all of the trader's account, sent on L1 by ``sender``'s address or its own."""
    return ForcedCancelAll(trader.index, (sender or trader).eth_addr, OrderId(min_order_id))


def sell_then_buy(s: Scenario, **taker: object) -> tuple[SignedOrder, SignedOrder]:
    """Trader 1 sells 10 BASE at 2000; trader 2 buys 4 at 2100 (arguments change the taker)."""
    one, two = s.traders
    maker = one.order(1, Side.SELL, PRICE, 10 * UNIT)
    fields = {"order_id": 2, "side": Side.BUY, "price": 2100 * UNIT, "amount": 4 * UNIT} | taker
    return maker, two.order(**fields)  # type: ignore[arg-type]


CASES: dict[str, Case] = {
    "forged maker signature": Case(
        lambda s: [trade(s.traders[0].order(1, Side.SELL, PRICE, 10 * UNIT, signer=s.traders[1].private_key),
                         sell_then_buy(s)[1], 4 * UNIT)],
        {"check_signature": no_check},
        errors.InvalidSignature,
    ),
    "withdrawal signed with another key": Case(
        lambda s: [s.traders[0].withdraw(QUOTE, UNIT, 0, signer=s.traders[1].private_key)],
        {"check_signature": no_check},
        errors.InvalidSignature,
    ),
    "fill beyond the order's remaining amount": Case(
        lambda s: [trade(*sell_then_buy(s, amount=3 * UNIT), 4 * UNIT)],
        {"filled_after": fill_without_limits},
        errors.OrderOverfilled,
    ),
    "stale order id replayed": Case(
        lambda s: [
            trade(*sell_then_buy(s, order_id=6), UNIT),
            trade(*sell_then_buy(s, order_id=2), UNIT),
        ],
        {"filled_after": fill_without_limits},
        errors.OrderIdStale,
    ),
    "taker order id beyond its slot's window": Case(
        lambda s: [trade(*sell_then_buy(s, order_id=2**ORDER_REF_BITS + 2), UNIT)],
        {"check_in_window": no_check},
        errors.OrderIdOutOfWindow,
    ),
    "maker order id beyond its slot's window after a fill": Case(
        lambda s: [
            trade(*sell_then_buy(s), UNIT),
            trade(s.traders[0].order(2**ORDER_REF_BITS + 1 + 4, Side.SELL, PRICE, 10 * UNIT),
                  sell_then_buy(s, order_id=6)[1], UNIT),
        ],
        {"check_in_window": no_check},
        errors.OrderIdOutOfWindow,
    ),
    "maker order id beyond the window a cancel-all opened": Case(
        lambda s: [
            forced_cancel_all(s.traders[0], 8),
            trade(s.traders[0].order(8 + 2**ORDER_REF_BITS + 1, Side.SELL, PRICE, 10 * UNIT),
                  sell_then_buy(s)[1], UNIT),
        ],
        {"check_in_window": no_check},
        errors.OrderIdOutOfWindow,
    ),
    "price outside the taker's limit": Case(
        lambda s: [trade(*sell_then_buy(s, price=1999 * UNIT), 4 * UNIT)],
        {"check_taker_limit": no_check},
        errors.PriceLimitViolated,
    ),
    "fee above the signed limit": Case(
        lambda s: [trade(*sell_then_buy(s), 4 * UNIT, taker_fee_bps=51)],
        {"check_fee": no_check},
        errors.FeeAboveLimit,
    ),
    "fee limit above 100%": Case(
        lambda s: [trade(*sell_then_buy(s, max_fee_bps=10_001), 4 * UNIT)],
        {"check_fee_limit": no_check},
        errors.InvalidFeeLimit,
    ),
    "expired order": Case(
        lambda s: [trade(*sell_then_buy(s, expiry=NOW - 1), 4 * UNIT)],
        {"check_unexpired": no_check},
        errors.OrderExpired,
    ),
    "buyer's balance going negative": Case(
        lambda s: [trade(s.traders[1].order(1, Side.SELL, PRICE, 10 * UNIT),
                         s.traders[0].order(2, Side.BUY, PRICE, 10 * UNIT), 10 * UNIT)],
        {"balance_after_debit": debit_in_field},
        errors.InsufficientBalance,
    ),
    "withdrawal beyond the balance": Case(
        lambda s: [s.traders[0].withdraw(QUOTE, 10_001 * UNIT, 0)],
        {"balance_after_debit": debit_in_field},
        errors.InsufficientBalance,
    ),
    "withdrawal with a wrong nonce": Case(
        lambda s: [s.traders[0].withdraw(QUOTE, UNIT, 1)],
        {"check_nonce": no_check},
        errors.InvalidNonce,
    ),
    "withdrawal from an account that does not exist": Case(
        lambda s: [replace(s.traders[1], index=AccountIndex(5)).withdraw(QUOTE, 0, 0)],
        {"existing_account": lambda state, index: state.get_account(index), "check_signature": no_check},
        errors.AccountNotFound,
    ),
    "self-trade": Case(
        lambda s: [trade(s.traders[0].order(1, Side.SELL, PRICE, 10 * UNIT),
                         s.traders[0].order(2, Side.BUY, PRICE, UNIT), UNIT)],
        {"check_distinct_accounts": no_check},
        errors.SelfTrade,
    ),
    "base and quote the same token": Case(
        lambda s: [trade(*one_token_market(*sell_then_buy(s)), UNIT // 100)],
        {"check_same_market": no_check},
        errors.MarketMismatch,
    ),
    "orders on the same side": Case(
        lambda s: [trade(sell_then_buy(s)[0], sell_then_buy(s, side=Side.SELL, price=1900 * UNIT)[1], UNIT)],
        {"check_opposite_sides": no_check, "check_taker_limit": no_check},
        errors.SidesNotOpposite,
    ),
    "maker price without a decimal float form": Case(
        lambda s: [trade(s.traders[0].order(1, Side.SELL, PRICE + 1, 10 * UNIT), sell_then_buy(s)[1], 4 * UNIT)],
        {"check_price_encodable": no_check},
        errors.PriceNotEncodable,
        unpublishable=True,
    ),
    "taker price without a decimal float form": Case(
        lambda s: [trade(*sell_then_buy(s, price=2100 * UNIT + 1), 4 * UNIT)],
        {"check_price_encodable": no_check},
        errors.PriceNotEncodable,
    ),
    "fill without a decimal float form": Case(
        lambda s: [trade(*sell_then_buy(s, amount=5 * UNIT), 4 * UNIT + 1)],
        {"check_fill_encodable": no_check},
        errors.FillNotEncodable,
        unpublishable=True,
    ),
    "fee rate above 255 bps": Case(
        lambda s: [trade(*sell_then_buy(s, max_fee_bps=300), 4 * UNIT, taker_fee_bps=256)],
        {"check_range": no_check},
        errors.ValueOutOfRange,
        unpublishable=True,
    ),
    "zero fill": Case(
        lambda s: [trade(*sell_then_buy(s), 0)],
        {"check_nonzero_fill": no_check},
        errors.ZeroFill,
    ),
    "quote not at the maker's price": Case(
        lambda s: [replace(trade(*sell_then_buy(s), UNIT), fill_quote=Amount(1999 * UNIT))],
        {"check_exact_fill": no_check},
        errors.InexactFill,
    ),
    "balance overflowing 2^96": Case(
        lambda s: [s.traders[0].deposit(BASE, 2**96 - 1, creates=False)],
        {"balance_after_credit": credit_unbounded},
        errors.BalanceOverflow,
    ),
    "maker order cancelled from L1": Case(
        lambda s: [forced_cancel_all(s.traders[0], 2), trade(*sell_then_buy(s), UNIT)],
        {"check_not_cancelled": no_check},
        errors.OrderCancelled,
    ),
    "taker order cancelled from L1": Case(
        lambda s: [forced_cancel_all(s.traders[1], 3), trade(*sell_then_buy(s), UNIT)],
        {"check_not_cancelled": no_check},
        errors.OrderCancelled,
    ),
    "market order as the maker": Case(
        lambda s: [trade(s.traders[0].order(1, Side.SELL, PRICE, 10 * UNIT, kind=OrderKind.MARKET),
                         sell_then_buy(s)[1], UNIT)],
        {"check_order_kinds": no_check},
        errors.MakerDoesNotRest,
    ),
    "fill-or-kill order as the maker": Case(
        lambda s: [trade(s.traders[0].order(1, Side.SELL, PRICE, 4 * UNIT, kind=OrderKind.FOK),
                         sell_then_buy(s)[1], 4 * UNIT)],
        {"check_order_kinds": no_check},
        errors.MakerDoesNotRest,
    ),
    "immediate order's remainder filled in a later batch": Case(
        lambda s: [trade(*sell_then_buy(s, kind=OrderKind.IOC), UNIT), s.traders[0].withdraw(QUOTE, UNIT, 0),
                   trade(*sell_then_buy(s, kind=OrderKind.IOC), UNIT)],
        {"check_immediate_run": no_check},
        errors.ImmediateOrderResumed,
    ),
    "post-only order as the taker": Case(
        lambda s: [trade(*sell_then_buy(s, kind=OrderKind.POST_ONLY), UNIT)],
        {"check_order_kinds": no_check},
        errors.PostOnlyTaker,
    ),
    "fill-or-kill taker filled partly": Case(
        lambda s: [trade(*sell_then_buy(s, kind=OrderKind.FOK), 3 * UNIT)],
        {"check_order_kinds": no_check},
        errors.FillOrKillPartial,
    ),
    "fill of a cancelled order": Case(
        lambda s: [s.traders[0].cancel(1), trade(*sell_then_buy(s), UNIT)],
        {"filled_after": fill_without_limits},
        errors.OrderWasCancelled,
    ),
    "cancel signed with another key": Case(
        lambda s: [s.traders[0].cancel(1, signer=s.traders[1].private_key)],
        {"check_signature": no_check},
        errors.InvalidSignature,
    ),
    "cancel of an order a newer one replaced": Case(
        lambda s: [trade(*sell_then_buy(s, order_id=6), UNIT), s.traders[1].cancel(2)],
        {"check_not_stale": no_check},
        errors.OrderIdStale,
    ),
    "cancel for an account that does not exist": Case(
        lambda s: [replace(s.traders[1], index=AccountIndex(5)).cancel(1)],
        {"existing_account": lambda state, index: state.get_account(index), "check_signature": no_check},
        errors.AccountNotFound,
    ),
    "cancel-all below an order id of 2^48": Case(
        lambda s: [forced_cancel_all(s.traders[0], 2**48)],
        {"check_range": no_check},
        errors.ValueOutOfRange,
    ),
    "maker order cancelled by a signed cancel-all": Case(
        lambda s: [s.traders[0].cancel_all(2), trade(*sell_then_buy(s), UNIT)],
        {"check_not_cancelled": no_check},
        errors.OrderCancelled,
    ),
    "taker order cancelled by a signed cancel-all": Case(
        lambda s: [s.traders[1].cancel_all(3), trade(*sell_then_buy(s), UNIT)],
        {"check_not_cancelled": no_check},
        errors.OrderCancelled,
    ),
    "cancel-all signed with another key": Case(
        lambda s: [s.traders[0].cancel_all(2, signer=s.traders[1].private_key)],
        {"check_signature": no_check},
        errors.InvalidSignature,
    ),
    "cancel-all for an account that does not exist": Case(
        lambda s: [replace(s.traders[1], index=AccountIndex(5)).cancel_all(2)],
        {"existing_account": lambda state, index: state.get_account(index), "check_signature": no_check},
        errors.AccountNotFound,
    ),
}


@pytest.fixture
def scenario(tree_config: TreeConfig) -> Scenario:
    """Operator and two funded traders (see ``Scenario.funded``)."""
    return Scenario.funded(tree_config)


@pytest.mark.parametrize("name", CASES)
def test_circuit_refuses_batch_breaking_one_rule(
    name: str, scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    transactions = case.transactions(scenario)
    with pytest.raises(case.error):
        build_batch(scenario.state.copy(), transactions, case.timestamp, scenario.chain, len(transactions))
    for check, replacement in case.disabled.items():
        monkeypatch.setattr(transition, check, replacement)
    if case.unpublishable:
        monkeypatch.setattr(public_data.BitField, "write", write_truncated)
    # Earlier transactions of the case are valid and go in batches of their own.
    state = scenario.state
    chain = scenario.chain
    *setup, offending = transactions
    for tx in setup:
        chain = build_batch(state, [tx], case.timestamp, chain, batch_slots).chain_end
    batch = build_batch(state, [offending], case.timestamp, chain, batch_slots)
    with pytest.raises(WitnessError):
        check_witness(circuit, batch.circuit_input)


def test_circuit_accepts_the_untampered_batch(scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int) -> None:
    """The cases' baseline: the valid trade they start from is accepted."""
    batch = build_batch(scenario.state, [trade(*sell_then_buy(scenario), 4 * UNIT, 8, 4)], NOW, scenario.chain, batch_slots)
    check_witness(circuit, batch.circuit_input)


def test_circuit_accepts_each_kind_where_it_may_trade(
    scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int
) -> None:
    """A post-only maker with an immediate-or-cancel, a market and a whole fill-or-kill taker."""
    one, two = scenario.traders
    maker = one.order(1, Side.SELL, PRICE, 10 * UNIT, kind=OrderKind.POST_ONLY)
    takers = [
        (two.order(2, Side.BUY, PRICE, 2 * UNIT, kind=OrderKind.IOC), UNIT),
        (two.order(3, Side.BUY, PRICE, 2 * UNIT, kind=OrderKind.MARKET), 2 * UNIT),
        (two.order(4, Side.BUY, PRICE, 3 * UNIT, kind=OrderKind.FOK), 3 * UNIT),
    ]
    chain = scenario.chain
    for taker, fill in takers:
        batch = build_batch(scenario.state, [trade(maker, taker, fill)], NOW, chain, batch_slots)
        check_witness(circuit, batch.circuit_input)
        chain = batch.chain_end


def test_circuit_refuses_an_order_kind_outside_the_five_codes(
    scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int
) -> None:
    """
    A taker whose signed kind is 5, no kind at all, is refused even with a
    valid signature of it: without the one-flag check it would trade as a
    limit order.
    """
    batch = build_batch(scenario.state, [trade(*sell_then_buy(scenario), 4 * UNIT)], NOW, scenario.chain, batch_slots)
    taker = sell_then_buy(scenario)[1].order
    fields = [ORDER_MESSAGE_TAG, taker.account_index, taker.order_id, taker.base_token, taker.quote_token,
              taker.side, taker.price, taker.amount, taker.max_fee_bps, taker.expiry, 5]
    signature = sign(scenario.traders[1].private_key, poseidon(fields))
    tampered = dict(batch.circuit_input)
    for name, value in (("kindB", 5), ("sigR8xB", signature.r8x), ("sigR8yB", signature.r8y), ("sigSB", signature.s)):
        column = list(cast(list[int], tampered[name]))
        column[0] = value
        tampered[name] = column
    with pytest.raises(WitnessError):
        check_witness(circuit, tampered)


@pytest.mark.parametrize(
    ("token", "shift"),
    [
        # BASE is word 0's low half: read as lo + 2^96 (out of range), its partner as hi - 1.
        (BASE, 1),
        # QUOTE is word 0's high half: read as hi + 1 (in range), its partner as lo - 2^96 (out of range).
        (QUOTE, -1),
    ],
)
def test_circuit_refuses_a_balance_borrowed_from_its_word_partner(
    token: TokenId, shift: int, scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """
    A word binds its two balances only as a pair: ``(lo + 2^96, hi - 1)`` is
    the same word as ``(lo, hi)``. Trader 1 holds 100 BASE and 10,000 QUOTE
    (word 0); a withdrawal of one unit more than its balance of ``token``,
    with the word split so that the balance read covers it, leaves every
    root and hash consistent: only the range checks of both halves of the
    word read refuse it.
    """
    one = scenario.traders[0]
    account = scenario.state.get_account(one.index)
    low, high = account.balance(BASE), account.balance(QUOTE)
    amount = account.balance(token) + 1
    withdrawal = one.withdraw(token, amount, 0)
    with pytest.raises(errors.InsufficientBalance):
        build_batch(scenario.state.copy(), [withdrawal], NOW, scenario.chain, 1)
    monkeypatch.setattr(transition, "balance_after_debit", debit_in_field)
    batch = build_batch(scenario.state, [withdrawal], NOW, scenario.chain, batch_slots)
    split = [(low + shift * 2**96) % FIELD_MODULUS, (high - shift) % FIELD_MODULUS]
    assert (split[0] + split[1] * 2**96) % FIELD_MODULUS == low + high * 2**96  # the same word
    tampered = dict(batch.circuit_input)
    balances = [list(row) for row in cast(list[list[int]], tampered["balancesA"])]
    balances[0][BASE], balances[0][QUOTE] = split
    tampered["balancesA"] = balances
    read = list(cast(list[int], tampered["balanceA1"]))
    read[0] = split[token]
    tampered["balanceA1"] = read
    with pytest.raises(WitnessError):
        check_witness(circuit, tampered)


def test_circuit_refuses_fees_credited_over_a_split_word(
    scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """
    The fee credit reads every balance of the fee account out of its words, so
    each is range-checked before the fees are added: with the fee account's
    BASE at ``2^96 - 1``, the trade's BASE fee overflows it (the spec refuses
    the batch), but the split ``(lo - 2^96, hi + 1)`` of the same word would
    take the fee into range and move a unit into QUOTE.
    """
    fee_account = AccountIndex(FEE_ACCOUNT)
    scenario.state.set_balance(fee_account, BASE, Amount(2**96 - 1))
    transactions = [trade(*sell_then_buy(scenario), 4 * UNIT, 8, 4)]
    with pytest.raises(errors.BalanceOverflow):
        build_batch(scenario.state.copy(), transactions, NOW, scenario.chain, 1)
    monkeypatch.setattr(transition, "balance_after_credit", credit_unbounded)
    batch = build_batch(scenario.state, transactions, NOW, scenario.chain, batch_slots)
    tampered = dict(batch.circuit_input)
    balances = list(cast(list[int], tampered["feeBalances"]))
    low, high = balances[BASE], balances[QUOTE]
    balances[BASE], balances[QUOTE] = (low - 2**96) % FIELD_MODULUS, high + 1
    assert (balances[BASE] + balances[QUOTE] * 2**96) % FIELD_MODULUS == low + high * 2**96  # the same word
    tampered["feeBalances"] = balances
    with pytest.raises(WitnessError):
        check_witness(circuit, tampered)


def with_header(batch: ProvableBatch, **header: int) -> CircuitInput:
    """
    The batch's circuit input with some header fields replaced and its public
    input recomputed to match, so that only the replaced fields can fail.
    """
    fields: dict[str, int] = {
        "oldRoot": batch.old_root,
        "newRoot": batch.new_root,
        "timestamp": batch.timestamp,
        "l1ChainStart": batch.chain_start,
        "l1ChainEnd": batch.chain_end,
    } | header
    public_hash = public_input_hash(
        FieldElement(fields["oldRoot"]),
        FieldElement(fields["newRoot"]),
        Timestamp(fields["timestamp"]),
        FieldElement(fields["l1ChainStart"]),
        FieldElement(fields["l1ChainEnd"]),
        batch.public_data,
    )
    return {**batch.circuit_input, **fields, "publicInputHash": public_hash}


def with_public_data(batch: ProvableBatch, slots: Sequence[bytes]) -> CircuitInput:
    """The batch's circuit input with its public input recomputed over other public data."""
    public_hash = public_input_hash(
        batch.old_root, batch.new_root, batch.timestamp, batch.chain_start, batch.chain_end, b"".join(slots)
    )
    return {**batch.circuit_input, "publicInputHash": public_hash}


def flip_low_bit(slot: bytes, field: str) -> bytes:
    """``slot`` with the lowest bit of ``field`` flipped."""
    flipped = bytearray(slot)
    LAYOUT.fields[field].write_raw(flipped, LAYOUT.fields[field].raw(slot) ^ 1)
    return bytes(flipped)


@pytest.mark.parametrize("field", list(LAYOUT.fields))
def test_circuit_refuses_a_public_input_over_tampered_trade_data(
    field: str, scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int
) -> None:
    """Every published bit of a trade is bound: one flipped bit in any field's bytes is refused."""
    batch = build_batch(scenario.state, [trade(*sell_then_buy(scenario), 4 * UNIT, 8, 4)], NOW, scenario.chain, batch_slots)
    first, *rest = batch.slot_data
    with pytest.raises(WitnessError):
        check_witness(circuit, with_public_data(batch, [flip_low_bit(first, field), *rest]))


@pytest.mark.parametrize("field", ["txType", "accountA", "token1", "amount", "accountB", "orderRefB", "token2", "sideA"])
def test_circuit_refuses_a_public_input_over_tampered_withdrawal_data(
    field: str, scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int
) -> None:
    """A withdrawal's published account, token and amount, and its zero bytes, are bound."""
    batch = build_batch(scenario.state, [scenario.traders[0].withdraw(QUOTE, UNIT, 0)], NOW, scenario.chain, batch_slots)
    first, *rest = batch.slot_data
    check_witness(circuit, with_public_data(batch, batch.slot_data))
    with pytest.raises(WitnessError):
        check_witness(circuit, with_public_data(batch, [flip_low_bit(first, field), *rest]))


@pytest.mark.parametrize("field", ["txType", "accountA", "orderIdA", "amount", "feeBpsB"])
@pytest.mark.parametrize("kind", ["cancel", "cancel-all"])
def test_circuit_refuses_a_public_input_over_tampered_cancel_data(
    field: str, kind: str, scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int
) -> None:
    """A cancel's or a cancel-all's published account and order id, and its zero bytes, are bound."""
    trader = scenario.traders[0]
    cancel = trader.cancel(3) if kind == "cancel" else trader.cancel_all(3)
    batch = build_batch(scenario.state, [cancel], NOW, scenario.chain, batch_slots)
    first, *rest = batch.slot_data
    check_witness(circuit, with_public_data(batch, batch.slot_data))
    with pytest.raises(WitnessError):
        check_witness(circuit, with_public_data(batch, [flip_low_bit(first, field), *rest]))


def test_circuit_refuses_the_whole_sha256_as_the_public_input(
    scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int
) -> None:
    """The public input is the low 253 bits of sha256, not the whole digest reduced into the field."""
    for amount in range(1, 17):  # a withdrawal whose sha256 is at least 2^253 (7 in 8 are)
        state = scenario.state.copy()
        withdrawal = scenario.traders[0].withdraw(QUOTE, amount, 0)
        batch = build_batch(state, [withdrawal], NOW, scenario.chain, batch_slots)
        preimage = public_input_preimage(
            batch.old_root, batch.new_root, batch.timestamp, batch.chain_start, batch.chain_end, batch.public_data
        )
        whole = int.from_bytes(hashlib.sha256(preimage).digest(), "big") % FIELD_MODULUS
        if whole != batch.public_input_hash:
            break
    assert whole != batch.public_input_hash
    with pytest.raises(WitnessError):
        check_witness(circuit, {**batch.circuit_input, "publicInputHash": whole})


def rounded_up(received: Amount, fee_bps: int) -> Amount:
    """``fee_amount`` rounding up instead of down."""
    return Amount(-(-received * fee_bps // 10_000))


def test_circuit_refuses_fees_rounded_up(
    scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fee is its rate of what its side receives rounded down, in the circuit as in the spec."""
    fill = 4_000_000_001  # a decimal float; neither side's fee at 7 bps is a whole number of units
    tx = trade(*sell_then_buy(scenario, amount=5 * UNIT), fill, 7, 7)
    honest = build_batch(scenario.state.copy(), [tx], NOW, scenario.chain, batch_slots)
    check_witness(circuit, honest.circuit_input)
    monkeypatch.setattr(transition, "fee_amount", rounded_up)
    altered = build_batch(scenario.state, [tx], NOW, scenario.chain, batch_slots)
    assert altered.new_root != honest.new_root
    with pytest.raises(WitnessError):
        check_witness(circuit, altered.circuit_input)


def test_circuit_refuses_wrong_old_root(scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int) -> None:
    batch = build_batch(scenario.state, [scenario.traders[0].withdraw(QUOTE, UNIT, 0)], NOW, scenario.chain, batch_slots)
    tampered = with_header(batch, oldRoot=batch.old_root + 1)
    with pytest.raises(WitnessError):
        check_witness(circuit, tampered)


def with_perpetual_positions(scenario: Scenario) -> Scenario:
    """The scenario with trader 1 holding collateral and a short, the fee account a long, a priced market and a pool."""
    state = scenario.state
    state.set_perp_account(scenario.traders[0].index, PerpAccount(-700, (Position(0, 0), Position(-3, 2**100))))
    state.set_perp_account(AccountIndex(FEE_ACCOUNT), PerpAccount(900, (Position(0, 0), Position(3, -5))))
    state.set_perp_market(1, PerpMarket(oracle_price=1_234, oracle_time=Timestamp(NOW), funding_index=-5, open_interest=3))
    state.set_collateral_pool(200)
    return scenario


def test_circuit_carries_the_perpetual_state_through_a_spot_batch(
    scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int
) -> None:
    """Accounts' perpetual sides are leaf inputs the slots keep, the markets and the pool half of both roots."""
    scenario = with_perpetual_positions(scenario)
    withdraw = scenario.traders[0].withdraw(QUOTE, UNIT, 0)
    batch = build_batch(scenario.state, [trade(*sell_then_buy(scenario), 4 * UNIT, 8, 4), withdraw][:batch_slots], NOW, scenario.chain, batch_slots)
    assert batch.circuit_input["perpCommitment"] == scenario.state.perp_commitment
    check_witness(circuit, batch.circuit_input)


@pytest.mark.parametrize("change", ["pool", "market", "perp side"])
def test_circuit_refuses_a_spot_batch_that_changes_the_perpetual_state(
    scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int, change: str
) -> None:
    """
    No slot changes a market, the pool or an account's perpetual side yet: a
    new root claiming one changed (its public input matching) is refused.
    """
    scenario = with_perpetual_positions(scenario)
    trader = scenario.traders[0]
    batch = build_batch(scenario.state, [trader.withdraw(QUOTE, UNIT, 0)], NOW, scenario.chain, batch_slots)
    forged = scenario.state
    if change == "pool":
        forged.set_collateral_pool(forged.collateral_pool + 1)
    elif change == "market":
        forged.set_perp_market(1, replace(forged.perp_markets[1], oracle_price=1_235))
    else:
        forged.set_perp_account(trader.index, replace(forged.get_account(trader.index).perp, collateral=-699))
    assert forged.root != batch.new_root
    with pytest.raises(WitnessError):
        check_witness(circuit, with_header(batch, newRoot=forged.root))


def test_circuit_refuses_skipped_l1_request(scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int) -> None:
    """Two requests are queued; a batch that processes the second claims the chain of the first."""
    one, two = scenario.traders
    first, second = one.deposit(BASE, UNIT, creates=False), two.deposit(BASE, UNIT, creates=False)
    after_first = chain_step(scenario.chain, l1_request_hash(first))
    batch = build_batch(scenario.state, [second], NOW, scenario.chain, batch_slots)
    tampered = with_header(batch, l1ChainEnd=after_first)
    with pytest.raises(WitnessError):
        check_witness(circuit, tampered)


def applies_to_any_owner(account: Account, eth_addr: EthAddress) -> bool:
    """``request_applies`` without the owner check: any sender acts on an existing account."""
    return account.exists


def all_but_one(account: Account, token: TokenId) -> Amount:
    """``forced_withdrawal_amount`` short of the whole balance by one unit."""
    return Amount(account.balance(token) - 1)


def lowered(account: Account, requested: OrderId) -> OrderId:
    """``raised_min_order_id`` that may lower the account's minimum."""
    return requested


@dataclass(frozen=True)
class EffectCase:
    """A request (from L1, or a signed cancel-all) in a batch, and the rule functions that make it do something else."""

    transactions: Callable[[Scenario], list[Transaction]]
    altered: dict[str, Callable[..., object]]


EFFECT_CASES: dict[str, EffectCase] = {
    "forced withdrawal sent by another address": EffectCase(
        lambda s: [forced_withdraw(s.traders[0], QUOTE, sender=s.traders[1])],
        {"request_applies": applies_to_any_owner},
    ),
    "forced withdrawal of less than the whole balance": EffectCase(
        lambda s: [forced_withdraw(s.traders[0], QUOTE)],
        {"forced_withdrawal_amount": all_but_one},
    ),
    "forced cancel-all sent by another address": EffectCase(
        lambda s: [forced_cancel_all(s.traders[0], 9, sender=s.traders[1])],
        {"request_applies": applies_to_any_owner},
    ),
    "forced cancel-all lowering the minimum order id": EffectCase(
        lambda s: [forced_cancel_all(s.traders[0], 7), forced_cancel_all(s.traders[0], 3)],
        {"raised_min_order_id": lowered},
    ),
    "signed cancel-all lowering the minimum order id": EffectCase(
        lambda s: [s.traders[0].cancel_all(7), s.traders[0].cancel_all(3)],
        {"raised_min_order_id": lowered},
    ),
}


@pytest.mark.parametrize("name", EFFECT_CASES)
def test_circuit_refuses_a_request_with_another_effect(
    name: str, scenario: Scenario, circuit: CircuitArtifacts, batch_slots: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = EFFECT_CASES[name]
    *setup, request = case.transactions(scenario)
    chain = scenario.chain
    for tx in setup:
        chain = build_batch(scenario.state, [tx], NOW, chain, batch_slots).chain_end
    honest = build_batch(scenario.state.copy(), [request], NOW, chain, batch_slots)
    check_witness(circuit, honest.circuit_input)
    # The published data reads the same rules (a forced withdrawal publishes its amount).
    for module in (transition, public_data):
        for rule, replacement in case.altered.items():
            if hasattr(module, rule):
                monkeypatch.setattr(module, rule, replacement)
    altered = build_batch(scenario.state, [request], NOW, chain, batch_slots)
    assert altered.new_root != honest.new_root
    with pytest.raises(WitnessError):
        check_witness(circuit, altered.circuit_input)
