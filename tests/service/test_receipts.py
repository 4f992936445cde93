"""Receipts: anyone can check who signed which request at which position."""

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from sequencer.client.trader import Trader, receipt_is_valid
from sequencer.crypto.keys import L2Keypair
from sequencer.service.commands import request_hash
from sequencer.service.receipts import ReceiptDomain, ReceiptSigner, recover_signer
from sequencer.service.schemas import InfoOut, MarketOut
from sequencer.service.views import market_out, receipt_out
from sequencer.spec.constants import Side
from tests.engine.exchange import MARKET
from tests.support.scenario import NOW, UNIT

OPERATOR = Account.from_key(b"\x05" * 32)
DOMAIN = ReceiptDomain(31337, "0x" + "22" * 20)
TRADER = Trader(1, L2Keypair.from_private_key(b"\x09" * 32))  # type: ignore[arg-type]
INFO = InfoOut(
    chain_id=DOMAIN.chain_id,
    rollup=DOMAIN.rollup,
    sequencer=OPERATOR.address,
    slots=4,
    account_depth=4,
    balance_depth=2,
    order_depth=4,
    max_batch_wait_s=1,
    markets=[MARKET.name],
)
MARKET_OUT: MarketOut = market_out(MARKET)


def test_a_receipt_recovers_to_the_operator() -> None:
    command = TRADER.order(MARKET_OUT, 1, Side.BUY, 10 * UNIT, UNIT, 50, NOW)
    receipt = ReceiptSigner(OPERATOR, DOMAIN).sign(request_hash(command), 7, 1_700_000_000_123)
    assert recover_signer(receipt, DOMAIN) == OPERATOR.address
    assert receipt_is_valid(receipt_out(receipt), command, INFO)


def test_a_receipt_does_not_cover_another_request_position_or_deployment() -> None:
    command = TRADER.order(MARKET_OUT, 1, Side.BUY, 10 * UNIT, UNIT, 50, NOW)
    other = TRADER.order(MARKET_OUT, 2, Side.BUY, 10 * UNIT, UNIT, 50, NOW)
    receipt = ReceiptSigner(OPERATOR, DOMAIN).sign(request_hash(command), 7, 1_700_000_000_123)
    assert not receipt_is_valid(receipt_out(receipt), other, INFO)
    moved = receipt_out(receipt).model_copy(update={"sequence": 6})
    assert not receipt_is_valid(moved, command, INFO)
    elsewhere = INFO.model_copy(update={"chain_id": 1})
    assert not receipt_is_valid(receipt_out(receipt), command, elsewhere)


def test_kind_and_client_order_id_are_part_of_the_request_hash() -> None:
    limit = TRADER.order(MARKET_OUT, 1, Side.BUY, 10 * UNIT, UNIT, 50, NOW)
    assert request_hash(limit) != request_hash(
        TRADER.order(MARKET_OUT, 1, Side.BUY, 10 * UNIT, UNIT, 50, NOW, client_order_id="x")
    )


def test_the_fast_signer_gives_what_a_wallet_signs() -> None:
    """ReceiptSigner builds the EIP-712 digest itself: the signature must be eth_account's, byte for byte."""
    signer = ReceiptSigner(OPERATOR, DOMAIN)
    for sequence, timestamp_ms in ((1, 0), (7, 1_700_000_000_123), (2**64 - 1, 2**64 - 1)):
        request = bytes(range(sequence % 7, sequence % 7 + 32))
        expected = OPERATOR.sign_message(encode_typed_data(full_message=DOMAIN.typed_data(request, sequence, timestamp_ms)))
        assert signer.sign(request, sequence, timestamp_ms).signature == bytes(expected.signature)


def test_the_signer_refuses_values_outside_the_receipt_types() -> None:
    signer = ReceiptSigner(OPERATOR, DOMAIN)
    for request, sequence, timestamp_ms in ((bytes(31), 1, 1), (bytes(32), -1, 1), (bytes(32), 1, 2**64)):
        with pytest.raises(ValueError):
            signer.sign(request, sequence, timestamp_ms)
