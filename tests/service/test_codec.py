"""The log's encoding: every command round-trips, and malformed documents are refused."""

import pytest

from sequencer.crypto.eddsa import Signature
from sequencer.engine.cancels import CancelAllBelow, CancelOrder, SignedCancel, SignedCancelAll
from sequencer.spec.constants import OrderKind, Side
from sequencer.service.codec import CodecError, canonical_json
from sequencer.service.commands import (
    AddL1Request,
    Cancel,
    CancelAllOrders,
    Command,
    PlaceOrder,
    PlacePerpOrder,
    PostPrices,
    RequestWithdrawal,
    SealBatch,
    TransferCollateral,
    Tick,
    TickFunding,
    decode_command,
    encode_command,
)
from sequencer.spec.perpetual.transactions import FundingTick
from sequencer.spec.transactions import ForcedCancelAll, ForcedWithdraw
from sequencer.spec.types import AccountIndex, EthAddress, OrderId, TokenId
from tests.engine.exchange import ALICE, MARKET
from tests.spec.perpetual.builders import SELL, perp_order, price_update, transfer
from tests.support.scenario import BASE, UNIT

SIGNATURE = Signature(2**250, 3, 2**200)

COMMANDS: list[Command] = [
    PlaceOrder(MARKET.name, ALICE.order(9, Side.SELL, 10 * UNIT, 2**95, kind=OrderKind.FOK), "client-1"),
    PlaceOrder(MARKET.name, ALICE.order(10, Side.BUY, 1, 1)),
    Cancel(SignedCancel(CancelOrder(AccountIndex(1), OrderId(2**47)), SIGNATURE)),
    CancelAllOrders(SignedCancelAll(CancelAllBelow(AccountIndex(1), OrderId(2**47)), SIGNATURE)),
    RequestWithdrawal(ALICE.withdraw(TokenId(BASE), UNIT, 4)),
    AddL1Request(0, ALICE.deposit(BASE, UNIT, creates=True)),
    AddL1Request(1, ForcedWithdraw(AccountIndex(1), EthAddress(2**159), TokenId(1))),
    AddL1Request(2, ForcedCancelAll(AccountIndex(1), EthAddress(5), OrderId(77))),
    PlacePerpOrder("PERP", perp_order(1, 2**47, SELL, 2**40 - 1, 2**40 - 1, kind=OrderKind.POST_ONLY, reduce_only=True), "p-1"),
    PlacePerpOrder("PERP", perp_order(2, 1, SELL, 1, 1)),
    TransferCollateral(transfer(1, 2**95, 7, to_collateral=False)),
    PostPrices(price_update(2**40 - 1)),
    TickFunding(FundingTick((-(2**60), 0, 5))),
    SealBatch(),
    Tick(),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: type(c).__name__)
def test_commands_round_trip(command: Command) -> None:
    document = encode_command(command)
    assert decode_command(document) == command
    assert canonical_json(encode_command(decode_command(document))) == canonical_json(document)


@pytest.mark.parametrize(
    "document",
    [
        {"type": "nonsense"},
        {"type": "cancel", "account_index": 1, "order_id": "2", "signature": {"r8x": "1", "r8y": "1", "s": "1"}},
        {"type": "cancel", "account_index": "-1", "order_id": "2", "signature": {"r8x": "1", "r8y": "1", "s": "1"}},
        {"type": "cancel", "account_index": "1", "order_id": "2"},
        {"type": "l1_request", "index": "0", "request": {"type": "nonsense"}},
        {"type": "oracle_update", "market": "0", "prices": "none"},
        {"type": "funding_tick", "rates": ["1", "--2"]},
        {"type": "funding_tick", "rates": [3]},
        {"type": "collateral_transfer", "account_index": "1", "amount": "1", "to_collateral": "yes", "nonce": "0",
         "signature": {"r8x": "1", "r8y": "1", "s": "1"}},
    ],
)
def test_malformed_documents_are_refused(document: dict[str, object]) -> None:
    with pytest.raises(CodecError):
        decode_command(document)
