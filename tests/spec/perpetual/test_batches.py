"""
Perpetual slots in batches: ``apply_batch`` applies them after the spot
slots, each publishes what ``sequencer/spec/perpetual/public_data.py`` lays
out, and a replay of the published bytes alone rebuilds the same state root,
batch after batch, through every kind of perpetual transaction.
"""

from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from sequencer.engine.liquidations import liquidation_plan
from sequencer.spec.batch import apply_batch
from sequencer.spec.errors import ReplayMismatch
from sequencer.spec.perpetual.constants import PerpTxType
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.errors import PerpConfigMismatch, PerpetualsNotConfigured
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.public_data import (
    PERP_SLOT_BYTES,
    RATE_OFFSET,
    CollateralTransferData,
    DeleverageData,
    FundingTickData,
    LiquidationData,
    OracleUpdateData,
    PerpSlotData,
    PerpTradeData,
    decode_perp_slot,
    encode_perp_slot,
    perp_slot_data,
    split_batch_data,
)
from sequencer.spec.perpetual.rules import bankruptcy_quote
from sequencer.spec.perpetual.transactions import Deleverage, FundingTick, Liquidation, PerpTransaction
from sequencer.spec.public_data import SLOT_BYTES, NoopData, decode_slot, slot_bytes
from sequencer.spec.replay import replay_batch
from sequencer.spec.state import State
from sequencer.spec.transactions import Noop, Transaction
from sequencer.spec.types import AccountIndex, Amount, Price, Timestamp
from tests.spec.builders import ALICE, BOB, CAROL, NOW, SMALL
from tests.spec.perpetual.builders import BUY, FUND, MARKET, SELL, config, perp_order, perp_trade, price_update, transfer
from tests.spec.perpetual.conftest import funded
from tests.spec.perpetual.portfolios import random_portfolios, two_market_config


def published(state: State, txs: Sequence[Transaction], perp_txs: Sequence[PerpTransaction]) -> bytes:
    """The batch's public data: its spot slots' bytes (read on the state before each), then its perpetual slots'."""
    scratch = state.copy()
    spot = b""
    for tx in txs:
        spot += slot_bytes(tx, scratch)
        apply_batch(scratch, [tx], NOW)
    return spot + b"".join(encode_perp_slot(perp_slot_data(tx, config())) for tx in perp_txs)


def applied_and_replayed(
    applied: State, replayed: State, perp_txs: Sequence[PerpTransaction], timestamp: int, txs: Sequence[Transaction] = ()
) -> None:
    """Apply a batch to ``applied``, replay its published bytes on ``replayed``; both reach the same root."""
    data = published(applied, txs, perp_txs)
    root = apply_batch(applied, txs, Timestamp(timestamp), perp_txs, config()).new_root
    spot, perp = split_batch_data(data, len(txs), len(perp_txs))
    new_root = replay_batch(
        replayed, [decode_slot(s) for s in spot], [], Timestamp(timestamp), [decode_perp_slot(p) for p in perp], config()
    )
    assert new_root == root == replayed.root == applied.root


def test_every_kind_of_perpetual_slot_replays_from_its_public_data() -> None:
    """
    Four batches: a price, transfers into collateral and a trade with fees;
    funding and a fall to 99, where Alice is closed partly against the fund
    and partly against Carol's order; a fall to 80, where she is bankrupt;
    her deleveraging against Bob and Bob's transfer out. Each replays to the
    root the rules reached.
    """
    applied = funded().state
    replayed = applied.copy()
    first = [
        price_update(110, NOW),
        transfer(ALICE, 500, 0),
        transfer(BOB, 5_000, 0),
        transfer(CAROL, 50_000, 0),
        perp_trade(perp_order(BOB, 1, SELL, 100, 100), perp_order(ALICE, 1, BUY, 100, 100), 100, 10, 20),
        Noop(),
    ]
    applied_and_replayed(applied, replayed, first, NOW, [Noop()])
    second = [
        FundingTick((10**6,)),
        price_update(99, NOW + 60),
        Liquidation(AccountIndex(ALICE), MARKET, Amount(10), Amount(990), Amount(9)),
        Liquidation(AccountIndex(ALICE), MARKET, Amount(40), Amount(3_960), Amount(30), perp_order(CAROL, 1, BUY, 99, 40)),
    ]
    applied_and_replayed(applied, replayed, second, NOW + 60)
    assert applied.get_account(AccountIndex(ALICE)).perp.position(MARKET).size == 50
    assert applied.get_account(AccountIndex(FUND)).perp.collateral == 9 + 30 - 990
    applied_and_replayed(applied, replayed, [price_update(80, NOW + 120)], NOW + 120)
    quote = bankruptcy_quote(PerpLedger(config(), applied), AccountIndex(ALICE), MARKET, 50)
    third = [
        Deleverage(AccountIndex(ALICE), AccountIndex(BOB), MARKET, Amount(50), Amount(quote)),
        transfer(BOB, 1_000, 1, to_collateral=False),
    ]
    applied_and_replayed(applied, replayed, third, NOW + 120)
    assert applied.get_account(AccountIndex(ALICE)).perp.position(MARKET).size == 0



@pytest.mark.parametrize(
    ("data", "tx_type"),
    [
        (NoopData(), PerpTxType.NOOP),
        (OracleUpdateData(3, Price(2**40 - 1), Timestamp(2**64 - 1)), PerpTxType.ORACLE_UPDATE),
        (FundingTickData((-(2**40) + 1, 2**40 - 1, 0, -1)), PerpTxType.FUNDING_TICK),
        (
            PerpTradeData(AccountIndex(2**24 - 1), AccountIndex(1), 2**16 - 1, 0, SELL, 2, Amount(2**40 - 1), Price(1), 255, 0),
            PerpTxType.PERP_TRADE,
        ),
        (
            LiquidationData(AccountIndex(1), 1, FUND, False, 0, Amount(1), Amount(2**96 - 1), Amount(2**96 - 1)),
            PerpTxType.LIQUIDATION,
        ),
        (LiquidationData(AccountIndex(1), 0, AccountIndex(3), True, 7, Amount(5), Amount(0), Amount(0)), PerpTxType.LIQUIDATION),
        (DeleverageData(AccountIndex(1), AccountIndex(2), 3, Amount(2**40 - 1), Amount(2**96 - 1)), PerpTxType.DELEVERAGE),
        (CollateralTransferData(AccountIndex(4), Amount(2**96 - 1), True), PerpTxType.COLLATERAL_TRANSFER),
    ],
)
def test_a_perpetual_slot_reads_back_as_written(data: PerpSlotData, tx_type: PerpTxType) -> None:
    """Every field at its widest (or signed extremes, for funding rates) survives its slot, which starts with its type."""
    slot = encode_perp_slot(data)
    assert len(slot) == PERP_SLOT_BYTES
    assert slot[0] >> 4 == tx_type
    assert decode_perp_slot(slot) == data


def test_a_funding_rate_is_published_offset_by_half_its_range() -> None:
    """A rate of -1 is ``RATE_OFFSET - 1`` in its 41 bits, right after the type and 4 zero bits."""
    slot = encode_perp_slot(FundingTickData((-1, 0, 0, 0)))
    assert int.from_bytes(slot, "big") >> (8 * PERP_SLOT_BYTES - 8 - 41) == (2 << 4 << 41) + RATE_OFFSET - 1


def test_only_the_canonical_encoding_decodes() -> None:
    """A set bit outside the type's fields, an unknown type, a wrong length or a fund liquidation's order reference are refused."""
    slot = bytearray(encode_perp_slot(CollateralTransferData(AccountIndex(4), Amount(9), False)))
    slot[-1] |= 1
    with pytest.raises(ValueError, match="canonical"):
        decode_perp_slot(bytes(slot))
    with pytest.raises(ValueError, match="unknown transaction type"):
        decode_perp_slot(bytes([0xF0]) + bytes(PERP_SLOT_BYTES - 1))
    with pytest.raises(ValueError, match="40 bytes"):
        decode_perp_slot(bytes(SLOT_BYTES))
    with pytest.raises(ValueError, match="no order reference"):
        encode_perp_slot(LiquidationData(AccountIndex(1), 0, FUND, False, 3, Amount(1), Amount(1), Amount(0)))
    with pytest.raises(ValueError, match="not 1 spot slots and 1 perpetual"):
        split_batch_data(bytes(SLOT_BYTES + PERP_SLOT_BYTES - 1), 1, 1)


def test_an_invalid_perpetual_slot_leaves_the_batch_unapplied() -> None:
    """A trade with no oracle price fails the batch: the spot slots before it are undone, the note names the slot."""
    state = funded().state
    root = state.root
    trade = perp_trade(perp_order(BOB, 1, SELL, 100, 1), perp_order(ALICE, 1, BUY, 100, 1), 1)
    with pytest.raises(Exception) as refused:
        apply_batch(state, [Noop()], NOW, [transfer(ALICE, 500, 0), trade], config())
    assert "in perpetual slot 1" in (refused.value.__notes__ or [])
    assert state.root == root and state.get_account(AccountIndex(ALICE)).nonce == 0


def test_perpetual_slots_need_perpetual_markets() -> None:
    """Neither a batch nor a replay runs perpetual slots without a configuration; noops alone need none."""
    state = funded().state
    with pytest.raises(PerpetualsNotConfigured):
        apply_batch(state, [], NOW, [transfer(ALICE, 1, 0)])
    with pytest.raises(PerpetualsNotConfigured):
        replay_batch(state, [], [], NOW, [CollateralTransferData(AccountIndex(ALICE), Amount(1), True)])
    assert replay_batch(state, [], [], NOW, [NoopData()]) == state.root


def test_a_replay_refuses_what_no_proven_batch_publishes() -> None:
    """A rate for an unconfigured market, a fund liquidation naming another account, a self-trade, an account that does not exist."""
    state = funded().state
    with pytest.raises(ReplayMismatch, match="not configured"):
        replay_batch(state, [], [], NOW, [FundingTickData((0, 5, 0, 0))], config())
    with pytest.raises(ReplayMismatch, match="insurance fund"):
        replay_batch(
            state, [], [], NOW, [LiquidationData(AccountIndex(ALICE), 0, AccountIndex(BOB), False, 0, Amount(1), Amount(1), Amount(0))], config()
        )
    with pytest.raises(ReplayMismatch, match="with itself"):
        trade = PerpTradeData(AccountIndex(ALICE), AccountIndex(ALICE), 1, 1, SELL, 0, Amount(1), Price(100), 0, 0)
        replay_batch(state, [], [], NOW, [trade], config())
    with pytest.raises(ReplayMismatch, match="does not exist"):
        replay_batch(state, [], [], NOW, [CollateralTransferData(AccountIndex(9), Amount(1), True)], config())


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_liquidation_plan_replays_from_its_public_data(data: st.DataObject) -> None:
    """
    On random two-market portfolios after a price move, the sequencer's plan
    of liquidations and deleveragings, applied as one batch's perpetual
    slots, replays from its bytes to the same root.
    """
    ex, fund = random_portfolios(data)
    perp_config = two_market_config()
    replayed = ex.state.copy()
    plan = liquidation_plan(PerpLedger(perp_config, ex.state.copy()))
    event(f"{len(plan)} steps, fund {fund}")
    root = apply_batch(ex.state, [], Timestamp(NOW + 1), plan, perp_config).new_root
    slots = [decode_perp_slot(encode_perp_slot(perp_slot_data(step, perp_config))) for step in plan]
    assert replay_batch(replayed, [], [], Timestamp(NOW + 1), slots, perp_config) == root


def test_a_batch_runs_only_on_the_parameters_its_state_commits_to() -> None:
    """
    The genesis state commits to the deployment's perpetual parameters, so
    perpetual slots under any other parameters are refused and change nothing.
    """
    state = funded().state
    root = state.root
    with pytest.raises(PerpConfigMismatch):
        apply_batch(state, [], NOW, [transfer(ALICE, 1, 0)], two_market_config())
    assert state.root == root
    assert State.genesis(SMALL).root != State.genesis(SMALL, perp_config_hash(config())).root


@pytest.mark.parametrize("window", [0, 2**32])
def test_a_deployment_the_circuit_could_not_prove_is_refused(window: int) -> None:
    """The circuit range-checks the oracle window in every perpetual slot: a wider one would halt the rollup."""
    with pytest.raises(ValueError, match="oracle_window"):
        replace(config(), oracle_window=window)
    assert replace(config(), oracle_window=2**32 - 1).oracle_window == 2**32 - 1
