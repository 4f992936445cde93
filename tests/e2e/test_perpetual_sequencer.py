"""
Perpetuals through the running system, on a real anvil with real proofs:
``matchproof sequencer --prove`` on a rollup deployed with perpetual
markets (``test_perp``: one spot slot, two perpetual slots a batch), the
oracle feeder process posting signed prices, and traders talking to the
API. Three traders deposit on L1 and move collateral in; the feeder prices
the market; two of them open opposite positions, one leveraged; resting
quotes above the price make the sequencer tick funding (longs pay); the
feeder moves the price down and the sequencer liquidates the leveraged
account itself, against the insurance fund. Every batch is proven and
verified on L1, and the state rebuilt from L1 alone is the sequencer's.

Then the operator goes away: a deposit nobody serves passes its deadline,
a bystander freezes the rollup with ``matchproof freeze``, and every
account (the operator's too, for its fees) leaves with ``matchproof exit``
and nothing but the node: its spot balance, its refund, and after the claim
window what the spec's ``exit_claim`` and ``exit_payouts`` give its
positions at the last proven price and funding. Collateral is conserved:
the vault pays out everything but the pool's rounding remainder.
"""

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account.signers.local import LocalAccount

from web3.contract import Contract
from web3.exceptions import ContractCustomError

from prover import CircuitArtifacts, build_circuit
from sequencer.local_system import markets_document
from sequencer.devnet import devnet_market
from sequencer.engine.perp_market import PerpMarketRules
from sequencer.l1.anvil import AnvilNode, start_anvil
from sequencer.l1.errors import custom_errors, decode_revert
from sequencer.l1.reconstruct import reconstruct
from sequencer.l1.rollup import Rollup
from sequencer.l1.transactions import send_transaction
from sequencer.oracle.feeder import OracleKeys
from sequencer.spec.perpetual.ledger import PerpLedger
from sequencer.spec.perpetual.state import PerpConfig
from sequencer.spec.types import AccountIndex
from sequencer.spec.perpetual.exit import exit_claim, exit_payouts
from tests.contracts.conftest import MINT
from tests.contracts.test_exodus import mine
from tests.e2e.test_exodus import key_file
from tests.e2e.test_perpetual_batches import deployed
from tests.e2e.test_sequencer_with_provers import free_port, matchproof, wait_for
from tests.spec.builders import ALICE, BOB, cancel_all, public_key
from tests.spec.perpetual.builders import BUY, COLLATERAL, ORACLES, QUORUM, SELL, config, oracle_key, perp_order, transfer

CIRCUIT = "test_perp"
FUND = AccountIndex(3)
"""The insurance fund's account: the third to deposit after the operator's registration."""
PERP_MARKET = "PERP"
DEADLINE_BLOCKS = 200
"""Blocks an L1 request waits: enough for the sequencer to take the deposits, few to mine past."""
CLAIM_WINDOW_BLOCKS = 30
"""Blocks to prove perpetual claims after the freeze: one block each is enough."""
FUNDING_INTERVAL_S = 2


def perp_config() -> PerpConfig:
    """The spec tests' one-market deployment, its insurance fund the third trader."""
    return replace(config(), insurance_fund=FUND)


@pytest.fixture(scope="module")
def perp_circuit() -> CircuitArtifacts:
    return build_circuit(CIRCUIT)


@pytest.fixture
def node() -> Iterator[AnvilNode]:
    with start_anvil() as anvil:
        yield anvil


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process and its children."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def signature_json(signature: Any) -> dict[str, str]:
    return {"r8x": str(signature.r8x), "r8y": str(signature.r8y), "s": str(signature.s)}


def order_document(account: int, order_id: int, side: Any, price: int, size: int) -> dict[str, Any]:
    """A perpetual order of ``account`` (signed with the spec tests' key of that account), as the API takes it."""
    signed = perp_order(account, order_id, side, price, size, max_fee_bps=50, expiry=2**40)
    order = signed.order
    return {
        "market": PERP_MARKET,
        "order": {
            "account_index": order.account_index, "order_id": order.order_id, "market": order.market,
            "side": "buy" if side == BUY else "sell", "price": str(order.price), "amount": str(order.amount),
            "max_fee_bps": order.max_fee_bps, "expiry": str(order.expiry), "kind": order.kind.value,
            "reduce_only": order.reduce_only,
        },
        "signature": signature_json(signed.signature),
    }  # fmt: skip


def transfer_document(account: int, amount: int) -> dict[str, Any]:
    """``account`` moves ``amount`` into collateral (its first signed transfer)."""
    signed = transfer(account, amount, 0)
    return {
        "account_index": account, "amount": str(amount), "to_collateral": True, "nonce": 0,
        "signature": signature_json(signed.signature),
    }  # fmt: skip


def feed(url: str, keys: Path, prices: str, log: Path) -> str:
    """Run the oracle feeder once through ``prices``; returns what it printed."""
    process = matchproof(
        "oracle-feeder", "--sequencer", url, "--keys", str(keys), "--quorum", str(QUORUM),
        "--prices", prices, "--interval", "1", "--spread", "1", log=log,
    )  # fmt: skip
    assert process.wait(timeout=60) == 0, log.read_text()
    return log.read_text()


def test_the_sequencer_liquidates_after_the_feeder_moves_the_price_then_everyone_exits_from_l1(
    node: AnvilNode, perp_circuit: CircuitArtifacts, tmp_path: Path
) -> None:
    w3 = node.web3()
    operator, alice, bob, fund, bystander = (node.accounts()[i] for i in (0, 2, 3, 4, 5))
    rollup, _ = deployed(node, perp_circuit, perp_config(), fund.address, DEADLINE_BLOCKS, CLAIM_WINDOW_BLOCKS)
    usdc = rollup.token(COLLATERAL)
    traders: dict[int, LocalAccount] = {ALICE: alice, BOB: bob, FUND: fund}
    for index, trader in traders.items():
        send_transaction(w3, trader, usdc.functions.mint(trader.address, MINT).build_transaction({"from": trader.address}))
        if index == FUND:  # the fund's account is reserved: a stranger depositing first cannot take it
            with pytest.raises(ContractCustomError) as refused:
                key, fee = public_key(5), rollup.request_fee(registers=True)
                deposit = rollup.contract.functions.deposit(COLLATERAL, 1, key.ax, key.ay)
                deposit.estimate_gas({"from": bystander.address, "value": fee})
            error = decode_revert(bytes.fromhex(str(refused.value.data).removeprefix("0x")), custom_errors([rollup.contract.abi]))
            assert error is not None and error.name == "InsuranceFundAccountReserved", refused.value.data
        rollup.deposit(trader, COLLATERAL, 100_000, public_key(index))
    assert rollup.contract.functions.perpetuals().call()[6] == FUND

    rollup.deployment.save(tmp_path / "deployment.json")
    markets = markets_document([devnet_market()], perpetual=[PerpMarketRules(PERP_MARKET, 0, 10, 20)])
    (tmp_path / "markets.json").write_text(json.dumps(markets))
    keys = tmp_path / "oracle-keys.json"
    OracleKeys(tuple(oracle_key(signer) for signer in range(len(ORACLES)))).save(keys)
    url = f"http://127.0.0.1:{free_port()}"
    sequencer = matchproof(
        "sequencer", "--rpc", node.url, "--deployment", str(tmp_path / "deployment.json"),
        "--markets", str(tmp_path / "markets.json"), "--circuit", CIRCUIT, "--data-dir", str(tmp_path / "data"),
        "--prove", "--max-batch-wait", "1", "--poll-interval", "0.2", "--port", url.rsplit(":", 1)[1],
        "--funding-interval", str(FUNDING_INTERVAL_S),
        env={"MATCHPROOF_OPERATOR_PRIVATE_KEY": "0x" + bytes(operator.key).hex()},
        log=tmp_path / "sequencer.log",
    )  # fmt: skip
    try:
        wait_for(lambda: _l1_requests(url) == 4, 120, "the sequencer to take the deposits")

        for account, amount in ((ALICE, 1_500), (BOB, 20_000), (FUND, 50_000)):
            answer = httpx.post(f"{url}/v1/perp/collateral", json=transfer_document(account, amount), timeout=30)
            assert answer.status_code == 200, answer.text
        assert "no account closed" in feed(url, keys, "100", tmp_path / "feeder-1.log")
        assert httpx.post(f"{url}/v1/perp/orders", json=order_document(BOB, 1, SELL, 100, 100), timeout=30).is_success
        placed = httpx.post(f"{url}/v1/perp/orders", json=order_document(ALICE, 1, BUY, 100, 100), timeout=30).json()
        assert [trade["size"] for trade in placed["trades"]] == ["100"]
        alice_view = httpx.get(f"{url}/v1/perp/accounts/{ALICE}", timeout=30).json()
        assert alice_view["liquidatable"] is False and int(alice_view["to_liquidation"]) > 0

        # Bob quotes around a mid of 103 over the oracle's 100: the sequencer's funding ticks charge the long.
        for order_id, side, price in ((2, SELL, 110), (3, BUY, 96)):
            answer = httpx.post(f"{url}/v1/perp/orders", json=order_document(BOB, order_id, side, price, 10), timeout=30)
            assert answer.is_success and answer.json()["trades"] == [], answer.text
        wait_for(lambda: _funding_index(url) > 0, 60, "a funding tick")

        printed = feed(url, keys, "95,89", tmp_path / "feeder-2.log")
        assert "posted 95: " in printed and "posted 89: " in printed and f"started liquidation of account {ALICE}" in printed, printed
        alice_view = httpx.get(f"{url}/v1/perp/accounts/{ALICE}", timeout=30).json()
        assert alice_view["positions"] == []
        withdrawn = cancel_all(BOB, 4)  # the quotes go, and with a one-sided book so do the ticks
        cancelled = httpx.post(
            f"{url}/v1/orders/cancel-all",
            json={"account_index": BOB, "min_order_id": 4, "signature": signature_json(withdrawn.signature)},
            timeout=30,
        )  # fmt: skip
        assert cancelled.is_success, cancelled.text

        # Every batch proven and verified, up to the sequencer's head.
        wait_for(lambda: _settled(url, rollup.contract), 900, "every batch proven and verified on L1")
    finally:
        stop(sequencer)

    rebuilt = reconstruct(w3, rollup.contract)
    assert rebuilt.root == int(rollup.contract.functions.stateRoot().call())
    ledger = PerpLedger(perp_config(), rebuilt.state)
    assert [ledger.account(AccountIndex(index)).position(0).size for index in (ALICE, BOB, FUND)] == [0, -100, 100]
    assert ledger.market(0).oracle_price == 89 and ledger.market(0).funding_index > 0

    # The operator is gone: Alice's deposit is never served, and past its deadline a bystander freezes.
    claimants: dict[int, LocalAccount] = {0: operator, **traders}
    claims = {index: exit_claim(ledger, AccountIndex(index)) for index in claimants}
    payouts = exit_payouts(ledger.collateral_pool, {AccountIndex(i): c for i, c in claims.items() if c}, FUND)
    spot = {index: rebuilt.state.get_account(AccountIndex(index)).balance(COLLATERAL) for index in claimants}
    rollup.deposit(alice, COLLATERAL, 1, public_key(ALICE))
    assert _cli(node, rollup, tmp_path, "freeze", bystander) == 1  # not yet due
    mine(rollup, DEADLINE_BLOCKS + 1)
    assert _cli(node, rollup, tmp_path, "freeze", bystander) == 0
    held = {index: usdc.functions.balanceOf(owner.address).call() for index, owner in claimants.items()}
    vault = usdc.functions.balanceOf(rollup.contract.address).call()
    assert vault == 3 * 100_000 + 1

    for owner in claimants.values():  # spot balances, refunds and the perpetual claims, within the window
        assert _cli(node, rollup, tmp_path, "exit", owner) == 0
    mine(rollup, CLAIM_WINDOW_BLOCKS + 1)
    for owner in claimants.values():  # the claims paid
        assert _cli(node, rollup, tmp_path, "exit", owner) == 0
    received = {index: usdc.functions.balanceOf(owner.address).call() - held[index] for index, owner in claimants.items()}
    refunds = {index: 1 if index == ALICE else 0 for index in claimants}
    assert received == {i: spot[i] + refunds[i] + payouts.get(AccountIndex(i), 0) for i in claimants}
    # Every claim fits the pool (the fund's is paid last); what no claim covers is funding's rounding.
    assert all(payouts.get(AccountIndex(i), 0) == claims[i] for i in claimants)
    unclaimed = ledger.collateral_pool - sum(payouts.values())
    assert 0 <= unclaimed < len(claimants)
    assert sum(received.values()) == vault - unclaimed
    assert usdc.functions.balanceOf(rollup.contract.address).call() == unclaimed


def _cli(node: AnvilNode, rollup: Rollup, directory: Path, command: str, owner: LocalAccount) -> int:
    """Run ``matchproof <command>`` as a trader would, with ``owner``'s keystore; its exit status (its output is logged)."""
    log = directory / f"{command}-{owner.address}.log"
    keystore = str(key_file(directory, owner))
    process = matchproof(command, "--rpc", node.url, "--rollup", rollup.contract.address, "--keystore", keystore, log=log)
    status = process.wait(timeout=300)
    print(log.read_text())
    return status


def _l1_requests(url: str) -> int:
    """How many L1 requests the sequencer took (-1 while it does not answer)."""
    try:
        return int(httpx.get(f"{url}/v1/status", timeout=2).json()["l1_requests"])
    except httpx.HTTPError:
        return -1


def _funding_index(url: str) -> int:
    """The perpetual market's funding index, as the sequencer's head has it."""
    [market] = httpx.get(f"{url}/v1/perp/markets", timeout=10).json()
    return int(market["funding_index"])


def _settled(url: str, contract: Contract) -> bool:
    """Whether nothing is pending, every sealed batch is verified, and L1's root is the sequencer's head."""
    status = httpx.get(f"{url}/v1/status", timeout=10).json()
    if status["pending_transactions"]:
        return False
    batches = httpx.get(f"{url}/v1/batches", params={"limit": 1000}, timeout=10).json()
    sealed = [batch for batch in batches if batch["number"] <= status["sealed_batches"]]
    verified = bool(sealed) and all(batch["status"] == "verified" for batch in sealed)
    return verified and int(contract.functions.stateRoot().call()) == int(status["state_root"])
