"""
Encrypted orders through the application's ABCI handlers, four nodes without
CometBFT: an encrypted order is ordered while no node can read it, its block and
every block after it wait, the nodes' vote extensions carry their decryption
shares once its block is committed, the next proposer carries them, and the
order then runs exactly at its place. Fewer shares than the threshold decrypt
nothing; no proposer or voter can pass off a share that is not a member's.
"""

import json
from pathlib import Path

import pytest
from tendermint.abci import types_pb2 as abci

from sequencer.consensus.app import WAITING, SequencerApp, TxCode, decode_tx, encode_tx
from sequencer.consensus.encrypted import DecryptionShares, MemberShare, EncryptedOrder, Share, Decryptor, decode_extension, encrypt_order
from sequencer.service.canonical import state_digest
from sequencer.service.codec import CodecError
from sequencer.service.commands import AddL1Request
from sequencer.spec.constants import Side
from tests.consensus.test_app import MARKET, app, at, decide, funded, order_tx
from tests.engine.exchange import ALICE, BOB, funding
from tests.support.scenario import NOW
from tests.support.threshold import distributed_key

MEMBERS = 4
KEY, SECRETS = distributed_key(MEMBERS, 3)


def member_node(directory: Path, member: int) -> SequencerApp:
    """Member ``member``'s application, with its share of the set's threshold key."""
    directory.mkdir(exist_ok=True)
    node = app(directory)
    node.decryptor = Decryptor(KEY, MEMBERS)
    node.member_share = MemberShare(member, SECRETS[member])
    return node


def nodes(tmp_path: Path) -> list[SequencerApp]:
    """The four members' applications, past the block of the exchange's deposits."""
    members = [member_node(tmp_path / f"node{i}", i) for i in range(MEMBERS)]
    first = funded(members[0])
    for node in members:
        decide(node, 1, first)
    return members


def votes(members: list[SequencerApp], height: int) -> abci.ExtendedCommitInfo:
    """The last commit a proposer sees: each member's precommit of ``height`` with its vote extension."""
    extensions = [node.extend_vote(abci.RequestExtendVote(height=height)).vote_extension for node in members]
    return abci.ExtendedCommitInfo(votes=[abci.ExtendedVoteInfo(vote_extension=extension) for extension in extensions])


def propose(proposer: SequencerApp, height: int, last_commit: abci.ExtendedCommitInfo, txs: list[bytes] = []) -> list[bytes]:
    """The block ``proposer`` makes of the mempool ``txs`` and the shares of the last commit."""
    request = abci.RequestPrepareProposal(max_tx_bytes=1 << 20, txs=txs, height=height, time=at(NOW + height), local_last_commit=last_commit)
    return list(proposer.prepare_proposal(request).txs)


def accepted(node: SequencerApp, txs: list[bytes]) -> bool:
    """Whether ``node`` votes for a block of ``txs``."""
    response = node.process_proposal(abci.RequestProcessProposal(txs=txs, height=9, time=at(NOW)))
    return bool(response.status == abci.ResponseProcessProposal.ACCEPT)


def decide_all(members: list[SequencerApp], height: int, txs: list[bytes]) -> list[abci.ResponseFinalizeBlock]:
    """Every member votes for the block and applies it; their responses."""
    assert all(accepted(node, txs) for node in members)
    return [decide(node, height, txs, NOW + height) for node in members]


def test_an_encrypted_order_runs_exactly_at_its_place_once_its_block_is_committed(tmp_path: Path) -> None:
    members = nodes(tmp_path)
    node = members[0]
    before = state_digest(node.machine.operator)
    encrypted = encrypt_order(KEY, order_tx(BOB, 1, Side.BUY, 100, 1)).encode()
    assert node.check_tx(abci.RequestCheckTx(tx=encrypted)).code == TxCode.OK
    assert node.extend_vote(abci.RequestExtendVote(height=2)).vote_extension == b""  # nothing waits: no share

    # Block 2: Alice's ask, then the encrypted bid; block 3: Bob's plain bid at the same price, sent after it.
    block_2 = decide_all(members, 2, [order_tx(ALICE, 1, Side.SELL, 100, 1), encrypted])
    assert [(r.code, r.info, json.loads(r.data)) for r in block_2[0].tx_results] == [(TxCode.OK, WAITING, {}), (TxCode.OK, WAITING, {"ordinal": 0})]
    block_3 = decide_all(members, 3, [order_tx(BOB, 2, Side.BUY, 100, 1)])
    assert block_3[0].tx_results[0].info == WAITING
    assert state_digest(node.machine.operator) == before  # nothing ran: the blocks wait for the encrypted order
    assert json.loads(node.query(abci.RequestQuery(path="status")).value)["encrypted"] == {"ordered": 1, "waiting": 1, "blocks_waiting": 2}

    # Precommitting block 4, each member shares; the extensions check out at every other member.
    last_commit = votes(members, 4)
    shares = [decode_extension(vote.vote_extension) for vote in last_commit.votes]
    assert [[(s.ordinal, s.member) for s in extension.shares] for extension in shares] == [[(0, i)] for i in range(MEMBERS)]
    for vote in last_commit.votes:
        request = abci.RequestVerifyVoteExtension(height=4, vote_extension=vote.vote_extension)
        assert members[1].verify_vote_extension(request).status == abci.ResponseVerifyVoteExtension.ACCEPT

    # Block 5's proposer carries the shares first; the block decrypts the order and blocks 2 to 5 run in order.
    block = propose(members[2], 5, last_commit)
    assert isinstance(decode_tx(block[0]), DecryptionShares)
    hashes = {response.app_hash for response in decide_all(members, 5, block)}
    assert len(hashes) == 1
    operator = node.machine.operator
    takers = [(int(t.fill.maker.order.account_index), int(t.fill.taker.order.account_index), int(t.fill.taker.order.order_id)) for t in operator.trades]
    assert takers == [(ALICE.index, BOB.index, 1)]  # the encrypted bid, ordered first, took Alice's ask
    book = json.loads(node.query(abci.RequestQuery(path=f"book/{MARKET.name}")).value)
    assert [(o["account"], o["order_id"]) for o in book] == [(BOB.index, 2)]  # the plain bid came later: it rests
    outcome = json.loads(node.query(abci.RequestQuery(path="outcome/2/1")).value)
    assert (outcome["code"], json.loads(outcome["data"])["ordinal"]) == (TxCode.OK, 0)
    assert json.loads(node.query(abci.RequestQuery(path="status")).value)["encrypted"] == {"ordered": 1, "waiting": 0, "blocks_waiting": 0}
    assert len({state_digest(member.machine.operator) for member in members}) == 1


def test_fewer_shares_than_the_threshold_decrypt_nothing(tmp_path: Path) -> None:
    members = nodes(tmp_path)
    plain = order_tx(ALICE, 1, Side.SELL, 100, 1)
    encrypted = encrypt_order(KEY, plain)
    decide_all(members, 2, [encrypted.encode()])
    two = [members[0], members[3]]  # the other two are down, or keep their shares
    shares = {share.member: share.share for vote in votes(two, 3).votes for share in decode_extension(vote.vote_extension).shares}
    with pytest.raises(ValueError, match="it takes 3"):
        KEY.decrypt(shares, encrypted.ciphertext)
    decide_all(members, 3, propose(members[0], 3, votes(two, 3)))
    assert json.loads(members[1].query(abci.RequestQuery(path="status")).value)["encrypted"]["waiting"] == 1
    assert json.loads(members[1].query(abci.RequestQuery(path=f"book/{MARKET.name}")).value) == []

    # A third member's share, in a later block, decrypts it; shares already carried are not carried again.
    block = propose(members[0], 4, votes(members, 4))
    assert [(s.ordinal, s.member) for s in DecryptionShares.decode(json.loads(block[0])).shares] == [(0, 1), (0, 2)]
    decide_all(members, 4, block)
    assert [(o["account"], o["order_id"]) for o in json.loads(members[1].query(abci.RequestQuery(path=f"book/{MARKET.name}")).value)] == [(ALICE.index, 1)]


def test_no_proposer_or_voter_passes_off_a_share_that_is_not_a_members(tmp_path: Path) -> None:
    members = nodes(tmp_path)
    node = members[1]
    encrypted = encrypt_order(KEY, order_tx(ALICE, 1, Side.SELL, 100, 1))
    decide_all(members, 2, [encrypted.encode()])
    good = decode_extension(members[0].extend_vote(abci.RequestExtendVote(height=3)).vote_extension).shares[0]
    forged = [
        Share(0, 1, good.share),  # member 0's share, passed off as member 1's
        Share(1, 0, good.share),  # of no encrypted order
        Share(0, MEMBERS, good.share),  # of no member
        Share(0, 2, bytes(48)),  # not a share at all
    ]
    for share in forged:  # no block carries one
        assert not accepted(node, [DecryptionShares((share,)).encode()])
    for share in forged[1:3]:  # a vote extension pointing nowhere is refused at once
        extension = abci.RequestVerifyVoteExtension(height=3, vote_extension=DecryptionShares((share,)).encode())
        assert node.verify_vote_extension(extension).status == abci.ResponseVerifyVoteExtension.REJECT
    # A wrong share of a waiting order in a member's extension is left to the proposer, which drops it.
    last_commit = votes(members[:3], 3)
    last_commit.votes.add(vote_extension=DecryptionShares((forged[0], forged[3])).encode())
    block = propose(members[2], 3, last_commit)
    assert [(s.ordinal, s.member) for s in DecryptionShares.decode(json.loads(block[0])).shares] == [(0, 0), (0, 1), (0, 2)]
    assert all(share not in DecryptionShares.decode(json.loads(block[0])).shares for share in forged)
    valid = DecryptionShares((good,)).encode()
    assert accepted(node, [valid])
    assert not accepted(node, [order_tx(ALICE, 2, Side.SELL, 100, 1), valid])  # shares lead a block, nowhere else
    assert node.check_tx(abci.RequestCheckTx(tx=valid)).code == TxCode.NOT_ALLOWED  # and never come from the mempool
    garbage = abci.RequestVerifyVoteExtension(height=3, vote_extension=b"{}")
    assert node.verify_vote_extension(garbage).status == abci.ResponseVerifyVoteExtension.REJECT
    empty = abci.RequestVerifyVoteExtension(height=3, vote_extension=b"")
    assert node.verify_vote_extension(empty).status == abci.ResponseVerifyVoteExtension.ACCEPT


def test_only_well_formed_encrypted_orders_are_taken_and_only_by_a_set_with_a_key(tmp_path: Path) -> None:
    node = member_node(tmp_path / "a", 0)
    encrypted = encrypt_order(KEY, order_tx(ALICE, 1, Side.SELL, 100, 1))
    assert node.check_tx(abci.RequestCheckTx(tx=encrypted.encode())).code == TxCode.OK
    tampered = EncryptedOrder(encrypted.ciphertext[:-1] + bytes([encrypted.ciphertext[-1] ^ 1]))
    refused = node.check_tx(abci.RequestCheckTx(tx=tampered.encode()))
    assert (refused.code, refused.info) == (TxCode.REJECTED, "INVALID_CIPHERTEXT")
    assert not accepted(node, [tampered.encode()])  # nor does any voter: a share of it would decrypt the original
    decide(node, 1, [tampered.encode()])  # were it decided anyway, it is refused, and never ordered
    assert json.loads(node.query(abci.RequestQuery(path="status")).value)["encrypted"]["ordered"] == 0
    plain = app(tmp_path)  # a set without a threshold key
    assert plain.check_tx(abci.RequestCheckTx(tx=encrypted.encode())).code == TxCode.NOT_ALLOWED
    assert not accepted(plain, [encrypted.encode()])
    assert plain.extend_vote(abci.RequestExtendVote(height=2)).vote_extension == b""


def test_an_encrypted_order_that_decrypts_to_no_traders_command_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    members = nodes(tmp_path)
    control = member_node(tmp_path / "control", 0)  # the same blocks without the encrypted orders
    for height, txs in enumerate((funded(control), [], []), start=1):
        decide(control, height, txs, NOW + height if height > 1 else NOW)
    not_json = encrypt_order(KEY, b"\x00 not a command")
    l1_request = encrypt_order(KEY, encode_tx(AddL1Request(len(funding()), funding()[0])))  # only a proposer adds these, in the clear
    decide_all(members, 2, [not_json.encode(), l1_request.encode()])
    decide_all(members, 3, propose(members[0], 3, votes(members, 3)))
    codes = [json.loads(members[0].query(abci.RequestQuery(path=f"outcome/2/{i}")).value)["code"] for i in range(2)]
    assert codes == [TxCode.MALFORMED, TxCode.NOT_ALLOWED]
    assert state_digest(members[0].machine.operator) == state_digest(control.machine.operator)


def test_encrypted_transactions_have_one_encoding() -> None:
    encrypted = EncryptedOrder(bytes(range(200)))
    assert decode_tx(encrypted.encode()) == encrypted
    shares = DecryptionShares((Share(0, 1, b"\x01" * 48), Share(2, 0, b"\x02" * 48)))
    assert decode_tx(shares.encode()) == shares
    for broken in (
        encrypted.encode().replace(b'"ciphertext"', b' "ciphertext"'),
        b'{"shares":[[2,0,"02"],[0,1,"01"]],"type":"decryption_shares"}',  # out of order
        b'{"shares":[[0,1,"01"],[0,1,"01"]],"type":"decryption_shares"}',  # twice
        b'{"ciphertext":"' + b"00" * 5000 + b'","type":"encrypted_order"}',  # too long
        b"[1, 2]",
    ):
        with pytest.raises(CodecError):
            decode_tx(broken)
