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
    RequestWithdrawal,
    SealBatch,
    Tick,
    decode_command,
    encode_command,
)
from sequencer.spec.transactions import ForcedCancelAll, ForcedWithdraw
from sequencer.spec.types import AccountIndex, EthAddress, OrderId, TokenId
from tests.engine.exchange import ALICE, MARKET
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
    ],
)
def test_malformed_documents_are_refused(document: dict[str, object]) -> None:
    with pytest.raises(CodecError):
        decode_command(document)
