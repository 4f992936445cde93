"""Matchproof on anvil: deployment, deposits and their L1 request chain, claims.

Chain values are checked against Poseidon computed in Python. Batch submission
with accepted proofs needs the real verifier and is tested with the circuit.
"""

from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import decode
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.logs import DISCARD
from web3.types import RPCEndpoint, TxReceipt

from sequencer.l1.compile import CompiledContracts
from sequencer.l1.deploy import (
    DEFAULT_MAX_REQUESTS_PER_BLOCK,
    DEFAULT_REGISTRATION_FEE,
    DEFAULT_REQUEST_FEE,
    Deployment,
)
from sequencer.l1.errors import explain
from sequencer.l1.transactions import send_transaction
from sequencer.spec.constants import TxType
from sequencer.spec.public_data import SLOT_BYTES, DepositData, WithdrawData, encode_slot, public_input_hash
from sequencer.spec.types import AccountIndex, Amount, FieldElement, Timestamp, TokenId
from tests.contracts.conftest import CONFIG
from tests.contracts.helpers import (
    ALICE_KEY,
    BOB_KEY,
    OPERATOR_KEY,
    P,
    custom_error,
    next_chain,
    request_hash,
)


def _deposit(
    w3: Web3, rollup: Contract, owner: LocalAccount, token: int, amount: int, key: tuple[int, int]
) -> TxReceipt:
    call = rollup.functions.deposit(token, amount, *key)
    return send_transaction(w3, owner, call.build_transaction({"from": owner.address, "value": fee_due(rollup, owner)}))


def fee_due(rollup: Contract, owner: LocalAccount) -> int:
    """The ether a deposit of ``owner`` pays: the request fee, and the registration fee on its first."""
    registered, _ = rollup.functions.accountOf(owner.address).call()
    fee = int(rollup.functions.requestFee().call())
    return fee if registered else fee + int(rollup.functions.registrationFee().call())


def test_deployment_round_trips_through_json(deployment: Deployment, tmp_path: Path) -> None:
    path = tmp_path / "deployment.json"
    deployment.save(path)
    assert Deployment.load(path) == deployment


def test_constructor_sets_configuration(rollup: Contract, deployment: Deployment) -> None:
    assert rollup.functions.stateRoot().call() == CONFIG.genesis_root
    assert rollup.functions.nTx().call() == CONFIG.n_tx
    assert rollup.functions.accountDepth().call() == CONFIG.account_depth
    assert rollup.functions.balanceDepth().call() == CONFIG.balance_depth
    assert rollup.functions.tokenCount().call() == 2
    assert [rollup.functions.tokens(i).call() for i in range(2)] == list(deployment.tokens)
    assert rollup.functions.verifier().call() == deployment.verifier
    assert list(rollup.functions.hashers().call()) == [deployment.poseidon[n] for n in (2, 4, 5, 7, 9, 15)]
    assert rollup.functions.lastBatch().call() == 0


def test_constructor_queues_operator_creation(rollup: Contract, operator: LocalAccount) -> None:
    assert rollup.functions.accountOf(operator.address).call() == [True, 0]
    assert rollup.functions.l1RequestCount().call() == 1
    expected = next_chain(0, request_hash(0, operator.address, *OPERATOR_KEY, 0, 0))
    assert rollup.functions.l1Chain(1).call() == expected


def test_deposit_chains_requests_of_two_accounts(
    w3: Web3, rollup: Contract, funded: list[Contract], alice: LocalAccount, bob: LocalAccount
) -> None:
    deposits = [
        (alice, 0, 10**18, ALICE_KEY, 1, ALICE_KEY),
        (bob, 1, 5 * 10**6, BOB_KEY, 2, BOB_KEY),
        (alice, 1, 7, (1, 2), 1, (0, 0)),  # later deposit: key ignored, zeros hashed
        (bob, 0, 3, (0, 0), 2, (0, 0)),
    ]
    chain = rollup.functions.l1Chain(1).call()
    for n, (owner, token, amount, key_arg, index, hashed_key) in enumerate(deposits):
        receipt = _deposit(w3, rollup, owner, token, amount, key_arg)
        hash_ = request_hash(index, owner.address, *hashed_key, token, amount)
        chain = next_chain(chain, hash_)
        assert rollup.functions.l1Chain(n + 2).call() == chain
        (event,) = rollup.events.L1RequestQueued().process_receipt(receipt, errors=DISCARD)
        assert dict(event["args"]) == {
            "requestIndex": n + 1,
            "txType": TxType.DEPOSIT,
            "accountIndex": index,
            "ethAddr": owner.address,
            "ax": hashed_key[0],
            "ay": hashed_key[1],
            "tokenId": token,
            "amount": amount,
            "requestHash": hash_,
            "chain": chain,
        }
    assert rollup.functions.accountOf(alice.address).call() == [True, 1]
    assert rollup.functions.accountOf(bob.address).call() == [True, 2]
    assert rollup.functions.accountCount().call() == 3
    assert rollup.functions.l1RequestCount().call() == 5
    assert rollup.functions.totalDeposited(0).call() == 10**18 + 3
    assert funded[0].functions.balanceOf(rollup.address).call() == 10**18 + 3


def test_deposit_gas_stays_in_budget(
    w3: Web3, rollup: Contract, funded: list[Contract], alice: LocalAccount
) -> None:
    """
    Measured on anvil (osaka): ~360k for the first deposit of a fresh contract, ~240k later
    (~338k before the registry kept each account's address for its withdrawals, which
    publish only the index; ~315k and ~234k before requests paid a fee and counted per
    block: one more storage slot; ~268k and ~205k before the deposit cap counted what is owed).
    """
    first = _deposit(w3, rollup, alice, 0, 10, ALICE_KEY)["gasUsed"]
    later = _deposit(w3, rollup, alice, 0, 10, (0, 0))["gasUsed"]
    assert first < 365_000
    assert later < 250_000


def test_deposit_emits_account_registration(
    w3: Web3, rollup: Contract, funded: list[Contract], alice: LocalAccount
) -> None:
    receipt = _deposit(w3, rollup, alice, 0, 1, ALICE_KEY)
    (event,) = rollup.events.AccountRegistered().process_receipt(receipt, errors=DISCARD)
    assert dict(event["args"]) == {"accountIndex": 1, "owner": alice.address, "ax": ALICE_KEY[0], "ay": ALICE_KEY[1]}


def test_deposit_reverts_with_custom_errors(
    w3: Web3, rollup: Contract, funded: list[Contract], alice: LocalAccount, artifacts: CompiledContracts
) -> None:
    abi = artifacts.get("Matchproof").abi
    cases = [
        ((5, 1, *ALICE_KEY), custom_error(abi, "UnknownToken", 5, 2)),
        ((0, 1, 0, 0), custom_error(abi, "InvalidPublicKey", 0, 0)),
        ((0, 1, ALICE_KEY[0], ALICE_KEY[1] + 1), custom_error(abi, "InvalidPublicKey", ALICE_KEY[0], ALICE_KEY[1] + 1)),
        ((0, 1, ALICE_KEY[0] + P, ALICE_KEY[1]), custom_error(abi, "InvalidPublicKey", ALICE_KEY[0] + P, ALICE_KEY[1])),
        ((0, 0, *ALICE_KEY), custom_error(abi, "ZeroDeposit", 0)),
    ]
    for args, expected in cases:
        with pytest.raises(ContractCustomError) as raised:
            rollup.functions.deposit(*args).estimate_gas({"from": alice.address, "value": fee_due(rollup, alice)})
        assert raised.value.data == expected, args


def test_deposit_caps_total_per_token(
    w3: Web3, rollup: Contract, funded: list[Contract], alice: LocalAccount, bob: LocalAccount,
    artifacts: CompiledContracts,
) -> None:
    cap = 2**96
    _deposit(w3, rollup, alice, 0, cap - 1, ALICE_KEY)
    with pytest.raises(ContractCustomError) as raised:
        rollup.functions.deposit(0, 1, *BOB_KEY).estimate_gas({"from": bob.address, "value": fee_due(rollup, bob)})
    assert raised.value.data == custom_error(artifacts.get("Matchproof").abi, "DepositCapExceeded", 0, cap - 1, 1)
    _deposit(w3, rollup, bob, 1, 1, BOB_KEY)


def test_claim_reverts_when_nothing_to_claim(
    rollup: Contract, alice: LocalAccount, artifacts: CompiledContracts
) -> None:
    assert rollup.functions.claimable(alice.address, 0).call() == 0
    with pytest.raises(ContractCustomError) as raised:
        rollup.functions.claim(alice.address, 0).estimate_gas({"from": alice.address})
    assert raised.value.data == custom_error(artifacts.get("Matchproof").abi, "NothingToClaim", alice.address, 0)


def test_submit_batch_reverts_before_verification(
    rollup: Contract, operator: LocalAccount, artifacts: CompiledContracts, w3: Web3
) -> None:
    abi = artifacts.get("Matchproof").abi
    slots = bytes(SLOT_BYTES * CONFIG.n_tx)
    proof = list(range(1, 9))
    now = w3.eth.get_block("latest")["timestamp"]
    cases = [
        ((2, 1, now, 0, slots, proof), custom_error(abi, "BatchOutOfOrder", 1, 2)),
        ((1, 1, now + 1000, 0, slots, proof), None),  # TimestampInFuture: block time moves, checked below
        ((1, 1, now, 2, slots, proof), custom_error(abi, "TooManyL1Requests", 1, 2)),
        ((1, 1, now, 0, slots[:-1], proof), custom_error(abi, "InvalidPublicDataLength", len(slots), len(slots) - 1)),
        ((1, P, now, 0, slots, proof), custom_error(abi, "ValueNotInField", P)),
        ((1, 1, now, 1, slots, proof), custom_error(abi, "InvalidProof")),
    ]
    for args, expected in cases:
        with pytest.raises(ContractCustomError) as raised:
            rollup.functions.submitBatch(*args).estimate_gas({"from": operator.address})
        if expected is None:
            assert str(raised.value.data)[:10] == custom_error(abi, "TimestampInFuture", 0, 0)[:10]
        else:
            assert raised.value.data == expected, args


def test_submit_batch_is_the_submitters_alone(
    rollup: Contract, operator: LocalAccount, deployer: LocalAccount, artifacts: CompiledContracts, w3: Web3
) -> None:
    """Anyone but the submitter (the operator at deployment) is refused before anything else is checked."""
    assert rollup.functions.submitter().call() == operator.address
    now = w3.eth.get_block("latest")["timestamp"]
    call = rollup.functions.submitBatch(1, 1, now, 0, bytes(SLOT_BYTES * CONFIG.n_tx), list(range(1, 9)))
    with pytest.raises(ContractCustomError) as raised:
        call.estimate_gas({"from": deployer.address})
    abi = artifacts.get("Matchproof").abi
    assert raised.value.data == custom_error(abi, "NotSubmitter", deployer.address, operator.address)


def test_submit_batch_passes_public_input_hash_to_verifier(
    w3: Web3, rollup: Contract, funded: list[Contract], deployment: Deployment, alice: LocalAccount,
    operator: LocalAccount,
) -> None:
    """The verifier's one public signal is the sha256 public input of DESIGN.md, as Python
    computes it, and the proof words reach it in order (read from a call trace: the
    verifier here rejects, so the transaction itself reverts)."""
    _deposit(w3, rollup, alice, 0, 1000, ALICE_KEY)
    slots = [
        encode_slot(DepositData(AccountIndex(0))),
        encode_slot(DepositData(AccountIndex(1))),
        encode_slot(WithdrawData(AccountIndex(1), TokenId(1), Amount(1000))),
    ]
    slots += [bytes(SLOT_BYTES)] * (CONFIG.n_tx - len(slots))
    public_data = b"".join(slots)
    new_root = 987654321
    timestamp = w3.eth.get_block("latest")["timestamp"]
    proof = [11, 12, 13, 14, 15, 16, 17, 18]

    chain_start = rollup.functions.l1Chain(0).call()
    chain_end = rollup.functions.l1Chain(2).call()
    expected = public_input_hash(
        FieldElement(CONFIG.genesis_root),
        FieldElement(new_root),
        Timestamp(timestamp),
        FieldElement(chain_start),
        FieldElement(chain_end),
        public_data,
    )

    data = rollup.functions.submitBatch(1, new_root, timestamp, 2, public_data, proof)._encode_transaction_data()
    trace = w3.provider.make_request(
        RPCEndpoint("debug_traceCall"),
        [{"from": operator.address, "to": rollup.address, "data": data, "gas": hex(10_000_000)}, "latest",
         {"tracer": "callTracer"}],
    )["result"]

    def calls(frame: dict[str, Any]) -> list[dict[str, Any]]:
        return [frame] + [c for child in frame.get("calls", []) for c in calls(child)]

    (call,) = [c for c in calls(trace) if c["to"].lower() == deployment.verifier.lower()]
    proofs, inputs = decode(["uint256[8][]", "uint256[]"], bytes.fromhex(call["input"][10:]))
    assert [list(p) for p in proofs] == [proof] and list(inputs) == [expected]


def test_requests_pay_the_deployed_fees_and_a_missing_fee_is_refused_by_name(
    w3: Web3, rollup: Contract, funded: list[Contract], alice: LocalAccount, artifacts: CompiledContracts
) -> None:
    """The deployment's defaults price every user's request; the client pays them, a bare call is refused."""
    abi = artifacts.get("Matchproof").abi
    fee, registration = DEFAULT_REQUEST_FEE, DEFAULT_REGISTRATION_FEE
    assert int(rollup.functions.requestFee().call()) == fee
    assert int(rollup.functions.registrationFee().call()) == registration
    assert int(rollup.functions.maxRequestsPerBlock().call()) == DEFAULT_MAX_REQUESTS_PER_BLOCK
    with pytest.raises(ContractCustomError) as raised:
        rollup.functions.deposit(0, 10, *ALICE_KEY).estimate_gas({"from": alice.address})
    assert raised.value.data == custom_error(abi, "WrongFee", fee + registration, 0)
    explained = explain(ContractLogicError(message="reverted", data=raised.value.data), [abi])
    assert "WrongFee" in explained and str(fee + registration) in explained
    before = w3.eth.get_balance(rollup.address)
    _deposit(w3, rollup, alice, 0, 10, ALICE_KEY)
    _deposit(w3, rollup, alice, 0, 10, (0, 0))
    assert w3.eth.get_balance(rollup.address) - before == 2 * fee + registration
    assert int(rollup.functions.collectedFees().call()) == 2 * fee + registration
