"""
The L1 gas of the sequencer set's signature check per batch, ECDSA against
one aggregated BLS signature: ``python -m bench.set_signatures``.

On a fresh anvil, for sets of ``--sizes`` members, each signing with more
than two thirds (floor(2n/3) + 1):

- *ECDSA*: the product's ``contracts/src/SequencerSet.sol``, one 65-byte
  signature a signer, recovered and checked in ascending order;
- *BLS*: ``bench/contracts/BlsSequencerSet.sol``, the same batch digest
  with one aggregated signature over BN254 (the EIP-196/197 precompiles:
  the cheapest pairing on Ethereum), the signers named by a bitmap.

Both forward the same batch (a ``test``-sized one: 4 slots of public data)
to a stand-in rollup that takes every batch (``AcceptingRollup``), and the
check's cost is each forwarded ``submitBatch``'s gas less that of the same
batch sent to the stand-in directly (the baseline, measured in the same
run). Before measuring, each set must refuse a batch signed by too few
members and one with a wrong signature. Members' BLS keys and signatures
are made here with ``py_ecc`` (hash to G1 by try and increment, as the
contract does). Writes ``bench/results/<stamp>-set-signatures.md``.
"""

from __future__ import annotations

import argparse
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from py_ecc.optimized_bn128 import FQ, FQ2, G1, G2, add, curve_order, field_modulus, multiply, normalize
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError

from bench.contracts_build import bench_contracts
from bench.paths import RESULTS_DIR
from sequencer.l1.anvil import start_anvil
from sequencer.l1.compile import compile_contracts
from sequencer.l1.deploy import deploy_contract
from sequencer.l1.sequencer_set import ordered, sign_digest, threshold
from sequencer.l1.transactions import send_transaction

BATCH = (1, 2**200 + 7, 1_700_000_000, 0, bytes(range(256)) * 4, [1] * 8)
"""A batch's arguments (number, root, time, L1 count, public data, proof): what the stand-in rollup takes."""


@dataclass(frozen=True)
class Figures:
    """One set size's gas: the batch sent directly, and its signature check through each set."""

    members: int
    signers: int
    baseline: int
    ecdsa: int
    bls: int


def hash_to_g1(digest: bytes) -> tuple[int, int]:
    """The digest's point in G1, as ``BlsSequencerSet.hashToG1`` finds it: keccak(digest, counter) until x^3 + 3 has a root."""
    for counter in range(256):
        x = int.from_bytes(keccak(digest + counter.to_bytes(32, "big")), "big") % field_modulus
        rhs = (x**3 + 3) % field_modulus
        y = pow(rhs, (field_modulus + 1) // 4, field_modulus)
        if y * y % field_modulus == rhs:
            return x, y
    raise ValueError("no point in 256 tries")


def _g1(point: tuple[FQ, FQ, FQ]) -> list[int]:
    x, y = normalize(point)
    return [int(x), int(y)]


def _g2(point: tuple[FQ2, FQ2, FQ2]) -> list[int]:
    """A G2 point in the precompile's order: x imaginary, x real, y imaginary, y real."""
    x, y = normalize(point)
    return [int(x.coeffs[1]), int(x.coeffs[0]), int(y.coeffs[1]), int(y.coeffs[0])]


def bls_signed(keys: list[int], signers: list[int], digest: bytes) -> tuple[int, list[int], list[int]]:
    """The signers' bitmap, aggregated G2 key and aggregated signature of ``digest``."""
    x, y = hash_to_g1(digest)
    message = (FQ(x), FQ(y), FQ.one())
    apk, signature = None, None
    for member in signers:
        apk = multiply(G2, keys[member]) if apk is None else add(apk, multiply(G2, keys[member]))
        share = multiply(message, keys[member])
        signature = share if signature is None else add(signature, share)
    assert apk is not None and signature is not None
    return sum(1 << member for member in signers), _g2(apk), _g1(signature)


def _gas(w3: Web3, sender: LocalAccount, contract: Contract, *args: object) -> int:
    """The gas a ``submitBatch`` transaction used."""
    call = contract.functions.submitBatch(*args)
    receipt = send_transaction(w3, sender, call.build_transaction({"from": sender.address, "gas": 3_000_000}), gas=3_000_000)
    return int(receipt["gasUsed"])


def _refused(contract: Contract, sender: LocalAccount, *args: object) -> bool:
    """Whether ``submitBatch`` reverts with these arguments."""
    try:
        contract.functions.submitBatch(*args).call({"from": sender.address})
    except ContractLogicError:
        return True
    return False


def measure(members: int) -> Figures:
    """Deploy both sets of ``members`` (two or more) on a fresh anvil, check that they refuse bad signatures, and measure."""
    product, harness = compile_contracts(), bench_contracts()
    with start_anvil() as anvil:
        w3, sender = anvil.web3(), anvil.accounts()[0]
        rollup_address, _, _ = deploy_contract(w3, sender, harness, "AcceptingRollup")
        rollup = w3.eth.contract(address=rollup_address, abi=harness.get("AcceptingRollup").abi)
        baseline = _gas(w3, sender, rollup, *BATCH)

        accounts = [Account.create() for _ in range(members)]
        ecdsa_address, _, _ = deploy_contract(w3, sender, product, "SequencerSet", rollup_address, [a.address for a in accounts])
        ecdsa = w3.eth.contract(address=ecdsa_address, abi=product.get("SequencerSet").abi)
        keys = [secrets.randbelow(curve_order - 1) + 1 for _ in range(members)]
        bls_address, _, _ = deploy_contract(w3, sender, harness, "BlsSequencerSet", rollup_address, [_g1(multiply(G1, k)) for k in keys])
        bls = w3.eth.contract(address=bls_address, abi=harness.get("BlsSequencerSet").abi)

        needed = threshold(members)
        signers = list(range(members - needed, members))  # the last ones sign: the others' keys are subtracted
        digest = bytes(ecdsa.functions.batchDigest(*BATCH[:5]).call())
        signatures = ordered({accounts[i].address: sign_digest(accounts[i], digest) for i in signers})
        bls_digest = bytes(bls.functions.batchDigest(*BATCH[:5]).call())
        bitmap, apk, signature = bls_signed(keys, signers, bls_digest)

        stranger = Account.create()
        wrong = [*signatures[:-1], sign_digest(stranger, digest)]
        assert _refused(ecdsa, sender, *BATCH, signatures[:-1]) and _refused(ecdsa, sender, *BATCH, wrong)
        too_few = bitmap & ~(1 << signers[0])
        _, _, other = bls_signed(keys, signers, keccak(b"another batch"))
        assert _refused(bls, sender, *BATCH, too_few, apk, signature) and _refused(bls, sender, *BATCH, bitmap, apk, other)
        _, others_apk, _ = bls_signed(keys, [signers[0] - 1, *signers[1:]], bls_digest)  # another member for the first
        assert _refused(bls, sender, *BATCH, bitmap, others_apk, signature)  # a G2 key that is not the signers'

        return Figures(
            members=members,
            signers=needed,
            baseline=baseline,
            ecdsa=_gas(w3, sender, ecdsa, *BATCH, signatures) - baseline,
            bls=_gas(w3, sender, bls, *BATCH, bitmap, apk, signature) - baseline,
        )


def report(figures: list[Figures]) -> str:
    """The results as Markdown."""
    lines = [
        f"# The set's signature check on L1 ({datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')})",
        "",
        f"Gas a set adds to forwarding one batch ({len(BATCH[4])} bytes of public data) to a stand-in rollup, "
        f"beyond the {figures[0].baseline:,} gas of sending it directly; anvil, the product's ECDSA "
        "`SequencerSet` against `bench/contracts/BlsSequencerSet.sol` (BN254 precompiles).",
        "",
        "| members | signers | ECDSA check | aggregated BLS check | BLS / ECDSA |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for figure in figures:
        lines.append(
            f"| {figure.members} | {figure.signers} | {figure.ecdsa:,} | {figure.bls:,} | {figure.bls / figure.ecdsa:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table and write it under ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m bench.set_signatures", description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 16, 32, 64, 128], help="set sizes (members)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="where to write <stamp>-set-signatures.md")
    args = parser.parse_args(argv)
    text = report([measure(size) for size in args.sizes])
    print(text)
    (args.out / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-set-signatures.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
