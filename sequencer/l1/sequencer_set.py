"""
The sequencer set on L1 (``contracts/src/SequencerSet.sol``): made the
rollup's submitter, it forwards a batch only with the signatures of more
than two thirds of the set's members.

What a member signs is the EIP-712 digest of the batch as the rollup
receives it (:func:`batch_digest`, checked against the contract's
``batchDigest`` on shared batches), so any Ethereum signer can sign it.
Signatures go to the contract in ascending order of their signers.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eth_abi.abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from eth_keys.datatypes import Signature
from eth_keys.exceptions import BadSignature
from eth_utils.exceptions import ValidationError
from eth_typing import Hash32
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import BadFunctionCallOutput, ContractLogicError
from web3.types import TxReceipt

from sequencer.witness.batch import ProvableBatch

from .compile import CompiledContracts, compile_contracts
from .deploy import deploy_contract
from .rollup import Rollup, submission_gas
from .transactions import send_transaction

SET_CONTRACT = "SequencerSet"
DOMAIN_NAME = "Matchproof sequencer set"
DOMAIN_VERSION = "1"
DOMAIN_TYPEHASH = keccak(b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
BATCH_TYPEHASH = keccak(b"Batch(uint256 batchNumber,uint256 newRoot,uint64 timestamp,uint256 l1Count,bytes32 publicDataHash)")

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
"""The order of secp256k1's group."""

SIGNATURE_GAS = 8_000
"""Gas to add to a submission for each member's signature: its calldata and an ecrecover, with room."""


def threshold(members: int) -> int:
    """How many of ``members`` must sign: more than two thirds, floor(2n/3) + 1."""
    return 2 * members // 3 + 1


@dataclass(frozen=True)
class SignedBatchHeader:
    """What the set signs of a batch: the arguments the rollup's ``submitBatch`` checks, but the proof."""

    number: int
    new_root: int
    timestamp: int
    l1_count: int
    public_data: bytes

    @classmethod
    def of(cls, number: int, batch: ProvableBatch) -> "SignedBatchHeader":
        """The header of batch ``number``."""
        return cls(number, int(batch.new_root), int(batch.timestamp), int(batch.l1_count), bytes(batch.public_data))


def batch_digest(chain_id: int, set_address: str, header: SignedBatchHeader) -> bytes:
    """The EIP-712 digest a member signs for ``header``, for the set contract at ``set_address`` on chain ``chain_id``."""
    domain = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [DOMAIN_TYPEHASH, keccak(DOMAIN_NAME.encode()), keccak(DOMAIN_VERSION.encode()), chain_id, set_address],
        )
    )
    struct = keccak(
        encode(
            ["bytes32", "uint256", "uint256", "uint64", "uint256", "bytes32"],
            [BATCH_TYPEHASH, header.number, header.new_root, header.timestamp, header.l1_count, keccak(header.public_data)],
        )
    )
    return keccak(b"\x19\x01" + domain + struct)


def sign_digest(member: LocalAccount, digest: bytes) -> bytes:
    """A member's 65-byte (r, s, v) signature of ``digest``."""
    signed = member.unsafe_sign_hash(Hash32(digest))
    return int(signed.r).to_bytes(32, "big") + int(signed.s).to_bytes(32, "big") + bytes([int(signed.v)])


def signer_of(digest: bytes, signature: bytes) -> str:
    """
    The address a 65-byte (r, s, v) signature of ``digest`` recovers to
    (checksummed), with the contract's rules: v is 27 or 28, s in the
    lower half of the curve's order (no malleable twin).

    Raises
    ------
    ValueError
        Not such a signature, or one that recovers to no key.
    """
    if len(signature) != 65:
        raise ValueError(f"a signature has 65 bytes, not {len(signature)}")
    r, s, v = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big"), signature[64]
    if v not in (27, 28) or s > SECP256K1_N // 2:
        raise ValueError("not a canonical (r, s, v) signature")
    try:
        public_key = Signature(vrs=(v - 27, r, s)).recover_public_key_from_msg_hash(digest)
    except (BadSignature, ValidationError) as error:
        raise ValueError(f"recovers to no key: {error}") from error
    return str(public_key.to_checksum_address())


def ordered(signatures: Mapping[str, bytes]) -> list[bytes]:
    """Signatures by signer address, in the ascending order of their signers that the contract requires."""
    return [signatures[signer] for signer in sorted(signatures, key=lambda address: int(address, 16))]


def deploy_sequencer_set(
    w3: Web3, deployer: LocalAccount, artifacts: CompiledContracts, rollup: Rollup, members: Sequence[str]
) -> Contract:
    """Deploy the set of ``members`` for ``rollup``; the rollup's submitter (``deployer``) then hands the role to it."""
    address, _, _ = deploy_contract(w3, deployer, artifacts, SET_CONTRACT, rollup.contract.address, list(members))
    contract: Contract = w3.eth.contract(address=address, abi=artifacts.get(SET_CONTRACT).abi)
    call = rollup.contract.functions.setSubmitter(address)
    send_transaction(w3, deployer, call.build_transaction({"from": deployer.address}))
    return contract


def sequencer_set_of(rollup: Rollup) -> Contract | None:
    """
    The rollup's submitter as a sequencer set contract; None if the
    submitter is an account (a single operator).

    Raises
    ------
    ValueError
        The submitter is a contract that does not answer as a set.
    """
    address = rollup.contract.functions.submitter().call()
    if not rollup.w3.eth.get_code(address):
        return None
    contract: Contract = rollup.w3.eth.contract(address=address, abi=compile_contracts().get(SET_CONTRACT).abi)
    try:
        if contract.functions.rollup().call() != rollup.contract.address:
            raise ValueError(f"the rollup's submitter {address} is the set of another rollup")
    except (ContractLogicError, BadFunctionCallOutput) as error:
        raise ValueError(f"the rollup's submitter {address} is a contract but not a sequencer set") from error
    return contract


def submit_signed(
    w3: Web3, sender: LocalAccount, contract: Contract, batch: ProvableBatch, number: int, proof: list[int], signatures: Sequence[bytes]
) -> TxReceipt:
    """Send a proven batch with the members' signatures (ascending by signer) through the set; raises ``TransactionFailed`` if it reverts."""
    header = SignedBatchHeader.of(number, batch)
    call = contract.functions.submitBatch(
        header.number, header.new_root, header.timestamp, header.l1_count, header.public_data, proof, list(signatures)
    )
    gas = submission_gas([batch]) + SIGNATURE_GAS * len(signatures)
    # No estimate: it would run at the latest block, whose time may be before the batch's (the
    # set stamps batches with its block time); the transaction goes into a later block.
    return send_transaction(w3, sender, call.build_transaction({"from": sender.address, "gas": gas}), gas=gas)

