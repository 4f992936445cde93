"""
The same batch proven each way a worker can prove it: with each witness generator
(circom's WebAssembly and its C++ program, whose witnesses are identical) and each
prover (arkworks and snarkjs); every proof is accepted by the verifier contract on a
real anvil, and the batch then lands.
"""


import dataclasses

import pytest
from eth_account.signers.local import LocalAccount

from prover import CircuitArtifacts, Proof, ProofNotVerified, prove, verify_proof
from prover.groth16 import PROVER_BACKENDS
from prover.native import build_native_witness, compute_native_witness, native_available
from prover.witness import calculator_for
from sequencer.devnet import Devnet
from sequencer.l1.deploy import VERIFIER_CONTRACT
from sequencer.witness.batch import ProvableBatch
from tests.e2e.conftest import UNIT, USDC, WETH
from tests.prover.conftest import BASE_FIELD


def _deposit_batch(devnet: Devnet, trader: LocalAccount, token: int) -> ProvableBatch:
    """A batch of one deposit of `token`, cut but not yet submitted."""
    devnet.rollup.deposit(trader, token, UNIT, devnet.l2_key(trader).public_key)
    devnet.sync_l1()
    batch = devnet.operator.cut_batch(devnet.now())
    assert batch is not None
    return batch


def _verifier_accepts(devnet: Devnet, proof: Proof, batch: ProvableBatch) -> bool:
    """What the deployed verifier contract says of `proof` for `batch`'s public input."""
    verifier = devnet.w3.eth.contract(
        address=devnet.deployment.verifier, abi=devnet.contracts.get(VERIFIER_CONTRACT).abi
    )
    return bool(verifier.functions.verifyProofs([proof.solidity_calldata()], [batch.public_input_hash]).call())


@pytest.mark.skipif(not native_available(), reason="scripts/bootstrap installs the C++ build tools")
def test_both_witness_generators_give_proofs_the_verifier_accepts(
    devnet: Devnet, alice: LocalAccount, circuit: CircuitArtifacts
) -> None:
    batch = _deposit_batch(devnet, alice, WETH)
    binary = build_native_witness(circuit)
    wasm_wtns, native_wtns = circuit.directory / "check-wasm.wtns", circuit.directory / "check-native.wtns"
    calculator_for(circuit.wasm).compute(batch.circuit_input, wasm_wtns)
    compute_native_witness(binary, batch.circuit_input, native_wtns)
    assert wasm_wtns.read_bytes() == native_wtns.read_bytes()

    for witness in ("wasm", "native"):
        proof = prove(circuit, batch.circuit_input, witness=witness)  # type: ignore[arg-type]
        assert _verifier_accepts(devnet, proof, batch), witness
    devnet.submit(batch)
    assert devnet.rollup.state_root() == batch.new_root


def test_both_provers_give_proofs_the_verifier_accepts(devnet: Devnet, bob: LocalAccount, circuit: CircuitArtifacts) -> None:
    batch = _deposit_batch(devnet, bob, USDC)
    proofs = {backend: prove(circuit, batch.circuit_input, backend=backend) for backend in PROVER_BACKENDS}
    for backend, proof in proofs.items():
        assert proof.public_signals == (batch.public_input_hash,), backend
        assert _verifier_accepts(devnet, proof, batch), backend
    assert proofs["arkworks"].pi_a != proofs["snarkjs"].pi_a
    # A coordinate of q or more: snarkjs would reduce it and accept; the contract and arkworks refuse.
    (a_x, a_y) = proofs["arkworks"].pi_a
    unreduced = dataclasses.replace(proofs["arkworks"], pi_a=(a_x + BASE_FIELD, a_y))
    assert not _verifier_accepts(devnet, unreduced, batch)
    with pytest.raises(ProofNotVerified):
        verify_proof(circuit, unreduced)
    devnet.submit(batch)
    assert devnet.rollup.state_root() == batch.new_root
