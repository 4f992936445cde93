"""
The same batch proven with each witness generator (circom's WebAssembly and
its C++ program): the witnesses are identical, and both proofs are accepted
by the verifier contract on a real anvil.
"""


import pytest
from eth_account.signers.local import LocalAccount

from prover import CircuitArtifacts, prove
from prover.native import build_native_witness, compute_native_witness, native_available
from prover.witness import calculator_for
from sequencer.devnet import Devnet
from tests.e2e.conftest import UNIT, WETH


@pytest.mark.skipif(not native_available(), reason="scripts/bootstrap installs the C++ build tools")
def test_both_witness_generators_give_proofs_the_verifier_accepts(
    devnet: Devnet, alice: LocalAccount, circuit: CircuitArtifacts, tmp_path: object
) -> None:
    devnet.rollup.deposit(alice, WETH, UNIT, devnet.l2_key(alice).public_key)
    devnet.sync_l1()
    batch = devnet.operator.cut_batch(devnet.now())
    assert batch is not None

    binary = build_native_witness(circuit)
    wasm_wtns, native_wtns = circuit.directory / "check-wasm.wtns", circuit.directory / "check-native.wtns"
    calculator_for(circuit.wasm).compute(batch.circuit_input, wasm_wtns)
    compute_native_witness(binary, batch.circuit_input, native_wtns)
    assert wasm_wtns.read_bytes() == native_wtns.read_bytes()

    verifier = devnet.w3.eth.contract(
        address=devnet.deployment.verifier, abi=devnet.contracts.get("Groth16Verifier").abi
    )
    for backend in ("wasm", "native"):
        proof = prove(circuit, batch.circuit_input, witness=backend)  # type: ignore[arg-type]
        words = proof.solidity_calldata()
        pa, pb, pc = words[0:2], [words[2:4], words[4:6]], words[6:8]
        assert verifier.functions.verifyProof(pa, pb, pc, [batch.public_input_hash]).call(), backend
    devnet.submit(batch)
    assert devnet.rollup.state_root() == batch.new_root
