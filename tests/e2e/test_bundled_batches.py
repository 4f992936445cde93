"""
Several batches in one L1 transaction: ``submitBatches`` with real proofs of the
test circuit, verified together by the batch verifier (k + 3 pairings). The
bundle is accepted as a whole, and refused as a whole when any one proof or
any one batch's public input is tampered, leaving the rollup as it was.
"""

from collections.abc import Callable
from dataclasses import replace

import pytest
from eth_account.signers.local import LocalAccount
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD

from prover import prove
from sequencer.devnet import Devnet
from sequencer.l1.rollup import Submission, batch_submission
from tests.contracts.helpers import custom_error
from tests.e2e.conftest import UNIT, USDC, WETH
from tests.e2e.test_submission_refused import flip_word, tamper_byte

Bundle = list[Submission]


@pytest.fixture(scope="module")
def bundle(devnet: Devnet, alice: LocalAccount, bob: LocalAccount) -> Bundle:
    """Three proven consecutive batches (the operator's, Alice's and Bob's deposits), none submitted."""
    devnet.rollup.deposit(alice, WETH, UNIT, devnet.l2_key(alice).public_key)
    devnet.rollup.deposit(bob, USDC, 1000 * UNIT, devnet.l2_key(bob).public_key)
    devnet.sync_l1()
    batches = []
    while (batch := devnet.operator.cut_batch(devnet.now())) is not None:
        batches.append(batch)
    assert len(batches) == 3
    return [(number, batch, prove(devnet.circuit, batch.circuit_input).solidity_calldata()) for number, batch in enumerate(batches, start=1)]


def tamper_proof(index: int, word: int) -> Callable[[Bundle], Bundle]:
    """One word of one proof changed."""
    return lambda b: [(n, batch, flip_word(proof, word) if i == index else proof) for i, (n, batch, proof) in enumerate(b)]


def tamper_batch(index: int, change: Callable[[Submission], Submission]) -> Callable[[Bundle], Bundle]:
    """One submission changed."""
    return lambda b: [change(s) if i == index else s for i, s in enumerate(b)]


def swap_proofs(b: Bundle) -> Bundle:
    """The first two proofs exchanged: each is valid, but for the other's public input."""
    (n0, batch0, proof0), (n1, batch1, proof1), *rest = b
    return [(n0, batch0, proof1), (n1, batch1, proof0), *rest]


REFUSED: dict[str, Callable[[Bundle], Bundle]] = {
    "first proof tampered": tamper_proof(0, 0),
    "middle proof tampered, G2 point": tamper_proof(1, 4),
    "last proof tampered": tamper_proof(2, 7),
    "proofs swapped": swap_proofs,
    "last batch's public data tampered": tamper_batch(2, lambda s: (s[0], tamper_byte(s[1]), s[2])),
    "middle batch's new root changed": tamper_batch(1, lambda s: (s[0], replace(s[1], new_root=s[1].new_root + 1), s[2])),
}


@pytest.mark.parametrize("name", REFUSED)
def test_a_bundle_with_any_tampered_part_is_refused_whole(name: str, devnet: Devnet, bundle: Bundle) -> None:
    tampered = REFUSED[name](bundle)
    call = devnet.rollup.contract.functions.submitBatches([batch_submission(*s) for s in tampered])
    with pytest.raises(ContractCustomError) as refused:
        call.call({"from": devnet.operator_account.address})
    assert refused.value.data == custom_error(devnet.rollup.contract.abi, "InvalidProof")
    assert devnet.rollup.last_batch() == 0


def test_a_bundle_of_real_proofs_is_accepted_in_one_transaction(devnet: Devnet, bundle: Bundle) -> None:
    receipt = devnet.rollup.submit_batches(devnet.operator_account, bundle)
    assert devnet.rollup.last_batch() == 3
    assert devnet.rollup.state_root() == bundle[-1][1].new_root
    assert devnet.rollup.l1_processed() == 3
    verified = devnet.rollup.contract.events.BatchVerified().process_receipt(receipt, errors=DISCARD)
    assert [int(event["args"]["batchNumber"]) for event in verified] == [1, 2, 3]
    for number, batch, _ in bundle:
        assert devnet.rollup.batch_hash(number) == batch.public_input_hash
