"""
The sequencer set as the rollup's submitter, on a real anvil with a real
proof: the digest the members sign is the contract's, a batch signed by
fewer than two thirds of the set (or by a stranger) is refused, one signed
by more is verified, once, and the operator can no longer submit alone.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError

from prover import CircuitArtifacts, prove
from sequencer.devnet import Devnet
from sequencer.l1.anvil import AnvilNode, start_anvil
from sequencer.l1.compile import compile_contracts
from sequencer.l1.errors import custom_errors, decode_revert
from sequencer.l1.sequencer_set import (
    SignedBatchHeader,
    batch_digest,
    deploy_sequencer_set,
    ordered,
    sign_digest,
    signer_of,
    submit_signed,
    threshold,
)
from sequencer.l1.rollup import batch_submission

MEMBERS: list[LocalAccount] = [Account.from_key(bytes([0x50 + i]) * 32) for i in range(4)]


@pytest.fixture(scope="module")
def anvil() -> Iterator[AnvilNode]:
    with start_anvil() as node:
        yield node


def refusal(call: ContractFunction, sender: str, abis: list[Any]) -> str:
    """The name of the custom error ``call`` reverts with, sent by ``sender`` (an ``eth_call``)."""
    with pytest.raises(ContractCustomError) as refused:
        call.call({"from": sender})
    decoded = decode_revert(bytes.fromhex(str(refused.value.data).removeprefix("0x")), custom_errors(abis))
    assert decoded is not None, refused.value.data
    return decoded.name


def test_a_batch_reaches_the_rollup_only_with_more_than_two_thirds_of_the_set(
    anvil: AnvilNode, circuit: CircuitArtifacts
) -> None:
    w3 = anvil.web3()
    operator = anvil.accounts()[0]
    devnet = Devnet.deploy(w3, operator, circuit)
    devnet.sync_l1()
    batch = devnet.operator.cut_batch(devnet.now())
    assert batch is not None
    proof = prove(circuit, batch.circuit_input).solidity_calldata()
    alone_gas = devnet.rollup.contract.functions.submitBatch(*batch_submission(1, batch, proof)).estimate_gas({"from": operator.address})

    artifacts = compile_contracts()
    members = [member.address for member in MEMBERS]
    contract = deploy_sequencer_set(w3, operator, artifacts, devnet.rollup, members)
    assert devnet.rollup.contract.functions.submitter().call() == contract.address
    assert contract.functions.threshold().call() == threshold(len(MEMBERS)) == 3
    abis = [contract.abi, devnet.rollup.contract.abi]
    header = SignedBatchHeader.of(1, batch)
    digest = batch_digest(w3.eth.chain_id, contract.address, header)
    on_chain = contract.functions.batchDigest(header.number, header.new_root, header.timestamp, header.l1_count, header.public_data)
    assert digest == bytes(on_chain.call())
    signatures = {member.address: sign_digest(member, digest) for member in MEMBERS}
    assert all(signer_of(digest, signature) == address for address, signature in signatures.items())
    sender = anvil.accounts()[5]  # anyone may send a signed batch

    def attempt(chosen: list[bytes]) -> str:
        fields = (header.number, header.new_root, header.timestamp, header.l1_count, header.public_data)
        return refusal(contract.functions.submitBatch(*fields, proof, chosen), sender.address, abis)

    two = {address: signatures[address] for address in members[:2]}
    assert attempt(ordered(two)) == "TooFewSignatures"
    stranger = Account.from_key(b"\x77" * 32)
    with_stranger = {**two, stranger.address: sign_digest(stranger, digest)}
    assert attempt(ordered(with_stranger)) == "NotAMember"
    three = {address: signatures[address] for address in members[1:]}
    assert attempt(list(reversed(ordered(three)))) == "SignersNotAscending"
    other = batch_digest(w3.eth.chain_id, contract.address, SignedBatchHeader.of(2, batch))  # another batch's digest
    assert attempt([sign_digest(member, other) for member in MEMBERS[1:]]) == "NotAMember"

    receipt = submit_signed(w3, sender, contract, batch, 1, proof, ordered(three))
    assert receipt["status"] == 1
    assert int(devnet.rollup.contract.functions.stateRoot().call()) == batch.new_root
    print(f"submitBatch: {alone_gas} gas (estimated) from the operator alone, {receipt['gasUsed']} through the set (3 of 4)")
    assert attempt(ordered(signatures)) == "BatchOutOfOrder"  # accepted once, whoever sends it again
    direct = devnet.rollup.contract.functions.submitBatch(*batch_submission(2, batch, proof))
    assert refusal(direct, operator.address, abis) == "NotSubmitter"
