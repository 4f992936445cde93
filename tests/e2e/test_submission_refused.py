"""
The contract refuses what a real proof does not cover: a tampered proof, a
tampered public data element, a batch out of order. Each reverts with its
custom error and leaves the rollup as it was.
"""

from collections.abc import Callable
from dataclasses import replace

import pytest
from eth_account.signers.local import LocalAccount
from web3.exceptions import ContractCustomError

from prover import prove
from sequencer.devnet import Devnet
from sequencer.l1.rollup import Submission
from sequencer.witness.batch import ProvableBatch
from tests.contracts.helpers import custom_error
from tests.e2e.conftest import UNIT, WETH


@pytest.fixture(scope="module")
def submission(devnet: Devnet, alice: LocalAccount) -> Submission:
    """A proven batch (the operator's fee account creation) ready for submission as batch 1."""
    devnet.rollup.deposit(alice, WETH, UNIT, devnet.l2_key(alice).public_key)
    devnet.sync_l1()
    batch = devnet.operator.cut_batch(devnet.now())
    assert batch is not None
    return 1, batch, prove(devnet.circuit, batch.circuit_input).solidity_calldata()


def flip_word(proof: list[int], word: int) -> list[int]:
    """The proof with one coordinate changed."""
    return [value + 1 if i == word else value for i, value in enumerate(proof)]


def tamper_byte(batch: ProvableBatch) -> ProvableBatch:
    """The batch with one byte of its first slot's public data changed (as if the calldata were edited)."""
    first, *rest = batch.slot_data
    return replace(batch, slot_data=(first[:5] + bytes([first[5] ^ 1]) + first[6:], *rest))


CASES: dict[str, tuple[Callable[[Submission], Submission], str, Callable[[Submission], tuple[object, ...]]]] = {
    "tampered proof": (lambda s: (s[0], s[1], flip_word(s[2], 0)), "InvalidProof", lambda s: ()),
    "tampered proof, G2 point": (lambda s: (s[0], s[1], flip_word(s[2], 3)), "InvalidProof", lambda s: ()),
    "tampered public data": (lambda s: (s[0], tamper_byte(s[1]), s[2]), "InvalidProof", lambda s: ()),
    "tampered new root": (lambda s: (s[0], replace(s[1], new_root=s[1].new_root + 1), s[2]), "InvalidProof", lambda s: ()),
    "batch out of order": (lambda s: (2, s[1], s[2]), "BatchOutOfOrder", lambda s: (1, 2)),
}


@pytest.mark.parametrize("name", CASES)
def test_submit_batch_refused(name: str, devnet: Devnet, submission: Submission) -> None:
    tamper, error, arguments = CASES[name]
    number, batch, proof = tamper(submission)
    call = devnet.rollup.contract.functions.submitBatch(
        number, batch.new_root, batch.timestamp, batch.l1_count, batch.public_data, proof
    )
    with pytest.raises(ContractCustomError) as refused:
        call.call({"from": devnet.operator_account.address})
    assert refused.value.data == custom_error(devnet.rollup.contract.abi, error, *arguments(submission))
    assert devnet.rollup.last_batch() == 0


def test_untampered_submission_accepted(devnet: Devnet, submission: Submission) -> None:
    """The baseline the refusals start from is itself accepted."""
    number, batch, proof = submission
    devnet.rollup.submit_batch(devnet.operator_account, number, batch, proof)
    assert devnet.rollup.last_batch() == 1
    assert devnet.rollup.state_root() == batch.new_root
