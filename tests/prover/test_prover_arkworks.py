"""The arkworks prover (native/src/groth16.rs through prover.arkworks) on the toy circuit.

Its proofs must be ones snarkjs's verification key accepts, of the same public signals
snarkjs would prove; files that are not this circuit's key or witness are refused with
ProverError before anything is proven; and a witness that does not satisfy the circuit
gives a proof that does not verify (the prover computes, it never vouches).
"""

import dataclasses
import json
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from prover import CircuitArtifacts, Proof, ProofNotVerified, ProverError, prove, verify_proof
from prover.arkworks import prove_witness, proving_key
from prover.witness import FIELD_ORDER, WitnessInput, calculator_for
from tests.prover.conftest import BASE_FIELD

_SECTION_HEADER = struct.Struct("<IQ")
"""A binary file section's header: u32 type, u64 size in bytes."""


@pytest.fixture()
def toy_wtns(toy_artifacts: CircuitArtifacts, toy_input: WitnessInput, tmp_path: Path) -> Path:
    """The toy input's witness file, as circom's WebAssembly writes it."""
    path = tmp_path / "toy.wtns"
    calculator_for(toy_artifacts.wasm).compute(toy_input, path)
    return path


def _sections(wtns: bytes) -> dict[int, tuple[int, int]]:
    """A wtns file's sections by type: (offset of its first byte, size in bytes)."""
    sections, offset = {}, 12  # after the magic, the version and the section count
    while offset < len(wtns):
        kind, size = _SECTION_HEADER.unpack_from(wtns, offset)
        sections[kind] = (offset + _SECTION_HEADER.size, size)
        offset += _SECTION_HEADER.size + size
    return sections


def _witness_values_offset(wtns: bytes) -> int:
    """Where the witness values (section 2) start in a wtns file."""
    return _sections(wtns)[2][0]


def test_the_key_describes_the_circuit(toy_artifacts: CircuitArtifacts) -> None:
    key = proving_key(toy_artifacts.zkey)
    assert key.n_public == 1
    assert key.n_vars > key.n_public + 1
    assert key.domain_size & (key.domain_size - 1) == 0
    assert proving_key(toy_artifacts.zkey) is key, "a worker reads its key once"


def test_arkworks_and_snarkjs_prove_the_same_statement(toy_artifacts: CircuitArtifacts, toy_input: WitnessInput) -> None:
    native = prove(toy_artifacts, toy_input, backend="arkworks")
    reference = prove(toy_artifacts, toy_input, backend="snarkjs")
    assert native.public_signals == reference.public_signals == (toy_input["hash"],)
    # Fresh blinding each time: zero-knowledge proofs of one witness never repeat.
    assert native.pi_a != reference.pi_a
    assert prove(toy_artifacts, toy_input, backend="arkworks").pi_a != native.pi_a


def test_a_witness_that_breaks_a_constraint_gives_a_proof_that_does_not_verify(
    toy_artifacts: CircuitArtifacts, toy_wtns: Path
) -> None:
    wtns = bytearray(toy_wtns.read_bytes())
    last = _witness_values_offset(bytes(wtns)) + 32 * (proving_key(toy_artifacts.zkey).n_vars - 1)
    wtns[last] ^= 1  # the last signal, an intermediate of the hash, off by one
    toy_wtns.write_bytes(bytes(wtns))
    forged = Proof.from_arkworks(prove_witness(toy_artifacts.zkey, toy_wtns), 0.0, 0.0)
    with pytest.raises(ProofNotVerified):
        verify_proof(toy_artifacts, forged)


def test_a_witness_of_another_size_is_refused(toy_artifacts: CircuitArtifacts, toy_wtns: Path) -> None:
    wtns = bytearray(toy_wtns.read_bytes())
    # Section 1 is (u32 n8 = 32, the 32-byte prime, u32 count): make the count one larger
    # and append a value, so the file is well formed but belongs to no circuit of this key.
    header, _ = _sections(bytes(wtns))[1]
    (count,) = struct.unpack_from("<I", wtns, header + 4 + 32)
    struct.pack_into("<I", wtns, header + 4 + 32, count + 1)
    values, size = _sections(bytes(wtns))[2]
    _SECTION_HEADER.pack_into(wtns, values - _SECTION_HEADER.size, 2, size + 32)
    toy_wtns.write_bytes(bytes(wtns) + bytes(32))
    with pytest.raises(ProverError, match=f"the witness has {count + 1} values, the circuit {count}"):
        prove_witness(toy_artifacts.zkey, toy_wtns)


def test_a_witness_value_outside_the_field_is_refused(toy_artifacts: CircuitArtifacts, toy_wtns: Path) -> None:
    wtns = bytearray(toy_wtns.read_bytes())
    first_private = _witness_values_offset(bytes(wtns)) + 32 * 2
    wtns[first_private : first_private + 32] = b"\xff" * 32
    toy_wtns.write_bytes(bytes(wtns))
    with pytest.raises(ProverError, match="arkworks cannot prove"):
        prove_witness(toy_artifacts.zkey, toy_wtns)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"wtns" + data[4:], id="wrong magic"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_damaged_proving_key_is_refused(toy_artifacts: CircuitArtifacts, tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    damaged = tmp_path / "damaged.zkey"
    damaged.write_bytes(damage(toy_artifacts.zkey.read_bytes()))
    with pytest.raises(ProverError, match="cannot read the proving key"):
        proving_key(damaged)


def test_a_missing_file_is_refused(toy_artifacts: CircuitArtifacts, tmp_path: Path) -> None:
    with pytest.raises(ProverError):
        proving_key(tmp_path / "absent.zkey")
    with pytest.raises(ProverError):
        prove_witness(toy_artifacts.zkey, tmp_path / "absent.wtns")



def _tampered(proof: Proof) -> dict[str, Proof]:
    """Proofs that must not verify: another statement, other valid points, points off the curve or the field."""
    (a_x, a_y), ((bx0, bx1), b_y), (c_x, c_y) = proof.pi_a, proof.pi_b, proof.pi_c
    return {
        "another public input": dataclasses.replace(proof, public_signals=(proof.public_signals[0] + 1,)),
        "public input outside the field": dataclasses.replace(proof, public_signals=(proof.public_signals[0] + FIELD_ORDER,)),
        "A negated (on the curve)": dataclasses.replace(proof, pi_a=(a_x, BASE_FIELD - a_y)),
        "A and C swapped": dataclasses.replace(proof, pi_a=proof.pi_c, pi_c=proof.pi_a),
        "C off the curve": dataclasses.replace(proof, pi_c=(c_x, c_y + 1)),
        "B's coordinates in the EVM's order": dataclasses.replace(proof, pi_b=((bx1, bx0), b_y)),
    }


def test_arkworks_and_snarkjs_verifiers_agree(toy_artifacts: CircuitArtifacts, toy_input: WitnessInput) -> None:
    proof = prove(toy_artifacts, toy_input)
    for verifier in ("arkworks", "snarkjs"):
        verify_proof(toy_artifacts, proof, verifier=verifier)  # type: ignore[arg-type]
    for what, tampered in _tampered(proof).items():
        for verifier in ("arkworks", "snarkjs"):
            with pytest.raises(ProofNotVerified):
                verify_proof(toy_artifacts, tampered, verifier=verifier)  # type: ignore[arg-type]
                pytest.fail(f"{verifier} accepted {what}")


def test_arkworks_refuses_coordinates_outside_the_field_as_the_evm_does(
    toy_artifacts: CircuitArtifacts, toy_input: WitnessInput
) -> None:
    """snarkjs reduces a coordinate of q or more modulo q and accepts; the EVM's precompiles refuse it."""
    proof = prove(toy_artifacts, toy_input)
    (a_x, a_y), ((bx0, bx1), (by0, by1)) = proof.pi_a, proof.pi_b
    for unreduced in (
        dataclasses.replace(proof, pi_a=(a_x + BASE_FIELD, a_y)),
        dataclasses.replace(proof, pi_b=((bx0, bx1), (by0, by1 + BASE_FIELD))),
    ):
        with pytest.raises(ProofNotVerified):
            verify_proof(toy_artifacts, unreduced)


def test_a_malformed_verification_key_is_refused(toy_artifacts: CircuitArtifacts, toy_input: WitnessInput, tmp_path: Path) -> None:
    proof = prove(toy_artifacts, toy_input)
    key = json.loads(toy_artifacts.vkey.read_text())
    key["vk_alpha_1"][1] = str(int(key["vk_alpha_1"][1]) + 1)
    (tmp_path / "vkey.json").write_text(json.dumps(key))
    with pytest.raises(ProverError, match="malformed"):
        verify_proof(dataclasses.replace(toy_artifacts, vkey=tmp_path / "vkey.json"), proof)
    (tmp_path / "vkey.json").write_text("{}")
    with pytest.raises(ProverError, match="cannot read the verification key"):
        verify_proof(dataclasses.replace(toy_artifacts, vkey=tmp_path / "vkey.json"), proof)


def test_a_proof_reports_each_part_as_it_is_done(toy_artifacts: CircuitArtifacts, toy_input: WitnessInput) -> None:
    """The witness, the quotient, the five multi-scalar products (in the order they finish), the verification."""
    heard: list[tuple[str, int, int]] = []
    proof = prove(toy_artifacts, toy_input, progress=lambda section, done, total: heard.append((section, done, total)))
    assert heard == [
        ("witness", 1, 1),
        ("quotient", 1, 1),
        *(("products", done, 5) for done in range(1, 6)),
        ("verify", 1, 1),
    ]
    verify_proof(toy_artifacts, proof)


def test_an_exception_of_the_progress_callback_reaches_the_caller(toy_artifacts: CircuitArtifacts, toy_wtns: Path) -> None:
    class Stop(Exception):
        pass

    def refuse(section: str, done: int, total: int) -> None:
        raise Stop(section)

    with pytest.raises(Stop, match="quotient"):
        proving_key(toy_artifacts.zkey).prove(toy_wtns, refuse)
