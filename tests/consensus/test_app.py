"""
The sequencer application's ABCI handlers without CometBFT: what enters the
mempool, which proposals a node votes for, and how a decided block is
applied (the same blocks give every node the same app hash and state; a
refused command says why and changes nothing; batches seal by block time).
"""

import json
from dataclasses import replace
from pathlib import Path

import pytest
from eth_account import Account
from google.protobuf.timestamp_pb2 import Timestamp as ProtoTimestamp
from tendermint.abci import types_pb2 as abci

from sequencer.consensus.app import ProposalRejected, SequencerApp, TxCode, decode_tx, encode_tx
from sequencer.consensus.signatures import BatchSignature, SigningSet
from sequencer.engine.operator import Operator
from sequencer.service.canonical import state_digest
from sequencer.service.codec import CodecError
from sequencer.service.commands import (
    AddL1Request,
    Cancel,
    PlaceOrder,
    PlacePerpOrder,
    PostPrices,
    SealBatch,
    Tick,
    TransferCollateral,
)
from sequencer.engine.cancels import CancelOrder, SignedCancel
from sequencer.l1.sequencer_set import sign_digest
from sequencer.service.l1 import FileRequests
from sequencer.service.machine import Machine
from sequencer.spec.constants import Side
from sequencer.spec.types import Amount
from tests.engine.exchange import ALICE, BOB, CONFIG, LOT, MARKET, SLOTS, TICK, funding
from tests.engine.perp_exchange import PERP, perp_operator
from tests.spec.builders import ALICE as PERP_ALICE, BOB as PERP_BOB
from tests.spec.perpetual.builders import BUY, FUND, SELL, perp_order, price_update, transfer
from tests.support.scenario import NOW, Trader

MAX_BATCH_WAIT_S = 2


def app(directory: Path) -> SequencerApp:
    """A node's application at genesis, reading the exchange's funding deposits from a queue file."""
    queue = FileRequests(directory / "queue.json")
    queue.write(funding())
    return SequencerApp(Machine(Operator.genesis(CONFIG, SLOTS, [MARKET])), queue, MAX_BATCH_WAIT_S)


def at(seconds: int) -> ProtoTimestamp:
    """A block time a quarter second past ``seconds``."""
    return ProtoTimestamp(seconds=seconds, nanos=250_000_000)


def order_tx(trader: Trader, order_id: int, side: Side, price_ticks: int, lots: int, signer: bytes | None = None) -> bytes:
    """A BASE/QUOTE limit order of ``trader`` (signed by ``signer``'s key, or its own), as a transaction."""
    return encode_tx(PlaceOrder(MARKET.name, trader.order(order_id, side, price_ticks * TICK, lots * LOT, signer=signer)))


def decide(node: SequencerApp, height: int, txs: list[bytes], seconds: int = NOW) -> abci.ResponseFinalizeBlock:
    """Finalize and commit a block, as CometBFT does once it is decided."""
    response = node.finalize_block(abci.RequestFinalizeBlock(txs=txs, height=height, time=at(seconds)))
    node.commit(abci.RequestCommit())
    return response


def funded(node: SequencerApp) -> list[bytes]:
    """The first block: the proposer's L1 requests."""
    proposal = node.prepare_proposal(abci.RequestPrepareProposal(max_tx_bytes=1 << 20, txs=[], height=1, time=at(NOW)))
    return list(proposal.txs)


def test_a_transaction_is_a_command_in_its_one_canonical_encoding() -> None:
    tx = order_tx(ALICE, 1, Side.SELL, 100, 1)
    assert encode_tx(decode_tx(tx)) == tx
    with pytest.raises(CodecError, match="canonical"):
        decode_tx(tx.replace(b",", b", ", 1))  # the same command spelled otherwise: another request hash
    with pytest.raises(CodecError):
        decode_tx(b"\xff not json")
    with pytest.raises(CodecError):
        decode_tx(b'{"type": "no such command"}')


def test_the_mempool_takes_traders_commands_only_signed_by_their_accounts(tmp_path: Path) -> None:
    node = app(tmp_path)
    order = order_tx(ALICE, 1, Side.SELL, 100, 1)
    not_yet = node.check_tx(abci.RequestCheckTx(tx=order))
    assert (not_yet.code, not_yet.info) == (TxCode.REJECTED, "ACCOUNT_NOT_FOUND")  # Alice's deposit is not in a block yet
    decide(node, 1, funded(node))
    assert node.check_tx(abci.RequestCheckTx(tx=order)).code == TxCode.OK
    forged = node.check_tx(abci.RequestCheckTx(tx=order_tx(BOB, 1, Side.BUY, 100, 1, signer=ALICE.private_key)))
    assert (forged.code, forged.info) == (TxCode.REJECTED, "INVALID_SIGNATURE")
    assert node.check_tx(abci.RequestCheckTx(tx=b"junk")).code == TxCode.MALFORMED
    for command in (AddL1Request(0, funding()[0]), SealBatch(), Tick()):
        answer = node.check_tx(abci.RequestCheckTx(tx=encode_tx(command)))
        assert answer.code == TxCode.NOT_ALLOWED, command


def test_the_proposer_puts_its_l1_requests_first_and_drops_what_no_trader_may_send(tmp_path: Path) -> None:
    node = app(tmp_path)
    order = order_tx(ALICE, 1, Side.SELL, 100, 1)
    proposal = node.prepare_proposal(
        abci.RequestPrepareProposal(max_tx_bytes=1 << 20, txs=[encode_tx(SealBatch()), order, b"junk"], height=1, time=at(NOW))
    )
    requests = [AddL1Request(index, request) for index, request in enumerate(funding())]
    assert list(proposal.txs) == [*map(encode_tx, requests), order]
    small = node.prepare_proposal(abci.RequestPrepareProposal(max_tx_bytes=len(proposal.txs[0]) + 3, txs=[order]))
    assert list(small.txs) == [proposal.txs[0]]  # within the block's bytes, in order


def test_a_node_votes_only_for_l1_requests_it_reads_itself_and_traders_commands(tmp_path: Path) -> None:
    node = app(tmp_path)
    requests = funded(node)
    order = order_tx(ALICE, 1, Side.SELL, 100, 1)
    node.check_proposal([*requests, order])
    node.check_proposal([order])  # a proposer may leave L1 requests for later
    refusals = {
        "not the queue's": [encode_tx(AddL1Request(0, funding()[1]))],  # invented: another deposit at index 0
        "not the queue's ": [requests[1]],  # skips the next request
        "after a trader": [order, requests[0]],
        "never proposed": [encode_tx(SealBatch())],
        "canonical": [order.replace(b",", b", ", 1)],
    }
    for reason, txs in refusals.items():
        with pytest.raises(ProposalRejected, match=reason.strip()):
            node.check_proposal(txs)
        status = node.process_proposal(abci.RequestProcessProposal(txs=txs, height=1, time=at(NOW))).status
        assert status == abci.ResponseProcessProposal.REJECT
    extra = encode_tx(AddL1Request(len(funding()), funding()[1]))  # beyond what L1 holds
    with pytest.raises(ProposalRejected):
        node.check_proposal([*requests, extra])


def test_the_same_blocks_give_every_node_the_same_state_and_app_hash(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    nodes = [app(tmp_path / name) for name in ("a", "b")]
    blocks = [
        funded(nodes[0]),
        [order_tx(ALICE, 1, Side.SELL, 100, 2), order_tx(BOB, 1, Side.BUY, 100, 1)],
        [order_tx(BOB, 2, Side.BUY, 99, 1)],
    ]
    hashes = []
    for node in nodes:
        responses = [decide(node, height, txs, NOW + height) for height, txs in enumerate(blocks, start=1)]
        assert all(result.code == TxCode.OK for response in responses for result in response.tx_results)
        hashes.append([response.app_hash for response in responses])
    assert hashes[0] == hashes[1] and len(set(hashes[0])) == 3
    assert state_digest(nodes[0].machine.operator) == state_digest(nodes[1].machine.operator)
    assert len(nodes[0].machine.operator.trades) == 1
    info = nodes[1].info(abci.RequestInfo())
    assert (info.last_block_height, info.last_block_app_hash) == (3, hashes[1][-1])


def test_a_refused_command_says_why_and_changes_nothing(tmp_path: Path) -> None:
    node = app(tmp_path)
    decide(node, 1, funded(node))
    before = state_digest(node.machine.operator)
    forged = order_tx(BOB, 1, Side.BUY, 100, 1, signer=ALICE.private_key)
    cancel = encode_tx(Cancel(SignedCancel(CancelOrder(BOB.index, 7), BOB.cancel(7).signature)))  # no such order
    response = decide(node, 2, [forged, cancel], NOW + 1)
    assert [(r.code, r.info) for r in response.tx_results] == [
        (TxCode.REJECTED, "INVALID_SIGNATURE"),
        (TxCode.REJECTED, "ORDER_NOT_FOUND"),
    ]
    assert state_digest(node.machine.operator) == before


def test_a_batch_seals_once_its_oldest_transaction_waited_in_block_time(tmp_path: Path) -> None:
    node = app(tmp_path)
    decide(node, 1, funded(node))  # seven deposits: a full batch of four, three waiting
    operator = node.machine.operator
    assert (len(operator.batches), len(operator.pending)) == (1, len(funding()) - SLOTS)
    decide(node, 2, [], NOW + MAX_BATCH_WAIT_S - 1)
    assert len(operator.batches) == 1
    decide(node, 3, [], NOW + MAX_BATCH_WAIT_S)
    assert (len(operator.batches), len(operator.pending)) == (2, 0)


def test_queries_read_the_committed_state(tmp_path: Path) -> None:
    node = app(tmp_path)
    decide(node, 1, [*funded(node), order_tx(ALICE, 1, Side.SELL, 100, 2)])
    status = json.loads(node.query(abci.RequestQuery(path="status")).value)
    assert (status["height"], status["l1_seen"], status["digest"]) == (1, len(funding()), state_digest(node.machine.operator))
    book = json.loads(node.query(abci.RequestQuery(path=f"book/{MARKET.name}")).value)
    assert [(o["account"], o["order_id"], o["side"]) for o in book] == [(ALICE.index, 1, "sell")]
    assert node.query(abci.RequestQuery(path="book/NOPE")).code == TxCode.MALFORMED
    assert node.query(abci.RequestQuery(path="nothing")).code == TxCode.MALFORMED


MEMBERS = [Account.from_key(bytes([0x60 + i]) * 32) for i in range(4)]
SET = SigningSet(31337, "0x" + "5e" * 20, frozenset(member.address for member in MEMBERS))


def test_a_block_records_each_members_signature_of_a_built_batch_once(tmp_path: Path) -> None:
    node = app(tmp_path)
    node.signing = SET
    decide(node, 1, funded(node))  # a full batch: sealed and built at once
    digest = node.digests[1]
    stranger = Account.from_key(b"\x77" * 32)
    txs = [
        BatchSignature(1, sign_digest(MEMBERS[0], digest)).encode(),
        BatchSignature(1, sign_digest(MEMBERS[0], digest)).encode(),  # again
        BatchSignature(1, sign_digest(stranger, digest)).encode(),
        BatchSignature(2, sign_digest(MEMBERS[1], digest)).encode(),  # no batch 2 yet
        BatchSignature(1, sign_digest(MEMBERS[1], bytes(32))).encode(),  # signs something else
        BatchSignature(1, bytes(65)).encode(),  # no signature at all
        BatchSignature(1, sign_digest(MEMBERS[2], digest)).encode(),
    ]
    for tx in txs:
        assert node.check_tx(abci.RequestCheckTx(tx=tx)).code == TxCode.OK  # the mempool takes them; blocks judge them
    response = decide(node, 2, txs, NOW + 1)
    assert [result.code for result in response.tx_results] == [TxCode.OK] + [TxCode.UNSIGNABLE] * 5 + [TxCode.OK]
    assert set(node.signatures[1]) == {MEMBERS[0].address, MEMBERS[2].address}


def test_without_a_set_no_batch_is_built_or_signed(tmp_path: Path) -> None:
    node = app(tmp_path)
    decide(node, 1, funded(node))
    assert node.digests == {} and node.machine.operator.built == 0
    signature = BatchSignature(1, sign_digest(MEMBERS[0], bytes(32))).encode()
    assert decide(node, 2, [signature], NOW + 1).tx_results[0].code == TxCode.UNSIGNABLE


def test_a_batch_signature_has_one_encoding() -> None:
    signed = BatchSignature(3, sign_digest(MEMBERS[0], bytes(32)))
    assert decode_tx(signed.encode()) == signed
    for bad in (b'{"batch":0,"signature":"00","type":"batch_signature"}', signed.encode().replace(b'"batch":3', b'"batch":true')):
        with pytest.raises(CodecError):
            decode_tx(bad)


def test_a_node_that_cannot_read_l1_proposes_without_its_requests_and_votes_against_them(tmp_path: Path) -> None:
    node = app(tmp_path)
    requests = funded(node)
    (tmp_path / "queue.json").write_text("not a queue")  # the node's reading of L1 fails
    proposal = node.prepare_proposal(abci.RequestPrepareProposal(max_tx_bytes=1 << 20, txs=[], height=1, time=at(NOW)))
    assert list(proposal.txs) == []
    with pytest.raises(ProposalRejected, match="L1 cannot be read"):
        node.check_proposal(requests)
    node.check_proposal([order_tx(ALICE, 1, Side.SELL, 100, 1)])  # what needs no L1 still passes


def test_every_node_ticks_funding_at_the_same_block_time_while_a_position_is_open() -> None:
    nodes = [SequencerApp(Machine(perp_operator()), None, MAX_BATCH_WAIT_S, funding_interval_s=10) for _ in range(2)]
    blocks = [
        [encode_tx(TransferCollateral(transfer(account, amount, 0))) for account, amount in ((PERP_ALICE, 1_500), (PERP_BOB, 20_000), (FUND, 50_000))],
        [encode_tx(PostPrices(price_update(100, NOW)))],
        [
            encode_tx(PlacePerpOrder(PERP.name, perp_order(PERP_BOB, 1, SELL, 100, 100))),
            encode_tx(PlacePerpOrder(PERP.name, perp_order(PERP_ALICE, 1, BUY, 100, 100))),
            encode_tx(PlacePerpOrder(PERP.name, perp_order(PERP_BOB, 2, SELL, 110, 10))),  # quotes around 103
            encode_tx(PlacePerpOrder(PERP.name, perp_order(PERP_BOB, 3, BUY, 96, 10))),
        ],
        [],  # 5 s after the trade: not yet
        [],  # 10 s after: a tick
    ]
    for node in nodes:
        for height, (txs, seconds) in enumerate(zip(blocks, (0, 0, 0, 5, 10), strict=True), start=1):
            response = decide(node, height, txs, NOW + seconds)
            assert all(result.code == TxCode.OK for result in response.tx_results), response.tx_results
            index = node.machine.operator.perp_ledger().market(0).funding_index
            assert (index > 0) == (seconds == 10), (seconds, index)
    assert state_digest(nodes[0].machine.operator) == state_digest(nodes[1].machine.operator)


def test_the_mempool_checks_perpetual_orders_and_collateral_moves_signatures_too() -> None:
    node = SequencerApp(Machine(perp_operator()), None, MAX_BATCH_WAIT_S)
    signed = perp_order(PERP_BOB, 1, SELL, 100, 100)
    good = [PlacePerpOrder(PERP.name, signed), TransferCollateral(transfer(PERP_ALICE, 1_500, 0))]
    forged = [
        PlacePerpOrder(PERP.name, replace(signed, signature=perp_order(PERP_ALICE, 1, SELL, 100, 100).signature)),
        TransferCollateral(replace(transfer(PERP_ALICE, 1_500, 0), amount=Amount(1_600))),  # not what Alice signed
    ]
    for command in good:
        assert node.check_tx(abci.RequestCheckTx(tx=encode_tx(command))).code == TxCode.OK, command
    for command in forged:
        answer = node.check_tx(abci.RequestCheckTx(tx=encode_tx(command)))
        assert (answer.code, answer.info) == (TxCode.REJECTED, "INVALID_SIGNATURE"), command


def test_the_mempool_takes_oracle_prices_only_from_a_signed_quorum(tmp_path: Path) -> None:
    node = SequencerApp(Machine(perp_operator()), None, MAX_BATCH_WAIT_S)
    update = price_update(100)
    prices = update.prices
    cases = [
        (update, TxCode.OK, ""),
        (replace(update, prices=prices[:2]), TxCode.REJECTED, "ORACLE_SIGNATURE_COUNT"),
        (replace(update, prices=(prices[1], prices[0], prices[2])), TxCode.REJECTED, "ORACLE_SIGNERS_NOT_ASCENDING"),
        (replace(update, prices=(replace(prices[0], price=prices[0].price + 1), *prices[1:])), TxCode.REJECTED, "INVALID_ORACLE_SIGNATURE"),
    ]
    for prices_update, code, info in cases:
        answer = node.check_tx(abci.RequestCheckTx(tx=encode_tx(PostPrices(prices_update))))
        assert (answer.code, answer.info) == (code, info), prices_update
    spot = app(tmp_path)  # a rollup without perpetual markets
    assert spot.check_tx(abci.RequestCheckTx(tx=encode_tx(PostPrices(update)))).code == TxCode.NOT_ALLOWED
