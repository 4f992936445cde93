"""
What the trustless way out costs: the time to rebuild a state of 1,000
accounts from a local anvil, and the gas of a forced withdrawal request, of
freezing, of one exit and of one perpetual claim proven and paid.

    .venv/bin/python -m bench.reconstruct_bench [--accounts 1000] [--json PATH]

**Rebuild.** A rollup is deployed with the circuit-free ``AcceptingVerifier``
(``contracts/test/mocks``): the state transition is the spec's, only the
proving is skipped, which the rebuild never looks at. Each of ``--accounts``
traders deposits one token, pairs of them trade, some withdraw, and the
batches (``--slots`` slots each, their public data computed by the spec) are
submitted. Then :func:`sequencer.l1.reconstruct.reconstruct` rebuilds the
state from the events and the batches' calldata alone, timed step by step;
its root must be the contract's.

**Gas.** On a fresh rollup at the ``devnet`` circuit's depths (and at the
largest account depth, 24, for comparison): a trader's
``requestForcedWithdrawal``, ``freeze`` once that request is overdue, and
``exit`` of one token against a proven root (written into the contract's
storage from the spec's state, since no batch is proven here), and, for an
account holding positions in all four perpetual markets, ``claimPerpetual``
within the claim window and ``payPerpetualClaim`` after it. Gas figures
are ``gasUsed`` of each transaction, anvil pinned to the ``osaka`` hardfork.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import RPCEndpoint, TxReceipt

from sequencer.crypto.eddsa import private_to_public
from sequencer.crypto.keys import L2Keypair
from sequencer.l1.anvil import HARDFORK, start_anvil
from sequencer.l1.compile import CompiledContracts, compile_contracts
from sequencer.l1.deploy import ZERO_ADDRESS, Deployment, OperatorKey, PerpetualsConfig, RollupConfig, TestTokenSpec, deploy
from sequencer.l1.exodus import exit_proof, perp_claim_arguments
from sequencer.l1.paths import REPO_ROOT
from sequencer.l1.reconstruct import reconstruct
from sequencer.l1.rollup import Rollup
from sequencer.l1.transactions import send_transaction
from sequencer.spec.constants import PRICE_SCALE, Side, TreeConfig
from sequencer.spec.perpetual.state import PerpAccount, PerpConfig, PerpMarket, PerpMarketParams, Position
from sequencer.spec.public_data import slot_bytes
from sequencer.spec.state import State
from sequencer.spec.transactions import (
    Deposit,
    Noop,
    Order,
    SignedOrder,
    Trade,
    Transaction,
    Withdraw,
    withdraw_message,
)
from sequencer.spec.transition import apply_transaction, credit_fees, total_fees
from sequencer.spec.types import AccountIndex, Amount, FieldElement, Nonce, OrderId, Price, Timestamp, TokenId

ACCEPTING_VERIFIER = REPO_ROOT / "contracts" / "test" / "mocks" / "AcceptingVerifier.sol"
REBUILD_TREE = TreeConfig(account_depth=10, balance_depth=2, order_depth=4)
"""1,024 accounts: room for 1,000 traders and the operator."""
DEVNET_TREE = TreeConfig(account_depth=8, balance_depth=2, order_depth=4)
"""The ``devnet`` configuration of ``circuits/configs.json``."""
DEEPEST_TREE = TreeConfig(account_depth=24, balance_depth=2, order_depth=4)
UNIT = 10**18
WETH, USDC = TokenId(0), TokenId(1)
PRICE = Price(2000 * PRICE_SCALE)
TX_GAS = 1_000_000
BATCH_GAS = 15_000_000
SLOT_STATE_ROOT = 0
"""Storage slot of the contract's state root (``forge inspect Matchproof storage``)."""


@dataclass(frozen=True)
class RebuildResult:
    """The rebuilt rollup and how long each step of the rebuild took (seconds)."""

    accounts: int
    batches: int
    l1_requests: int
    trades: int
    withdrawals: int
    seconds_total: float
    seconds_by_step: dict[str, float]


@dataclass(frozen=True)
class GasResult:
    """Gas used by each step of the way out, at one account tree depth."""

    account_depth: int
    request_forced_withdrawal: int
    freeze: int
    exit: int
    claim_perpetual: int
    pay_perpetual_claim: int


def main(argv: list[str] | None = None) -> int:
    """Run both measurements and print them (and write them as JSON with ``--json``)."""
    parser = argparse.ArgumentParser(prog="python -m bench.reconstruct_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1000, help="traders in the rebuilt state")
    parser.add_argument("--slots", type=int, default=64, help="transaction slots per batch")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if not 2 <= args.accounts < 2**REBUILD_TREE.account_depth:
        parser.error(f"--accounts must be in [2, {2**REBUILD_TREE.account_depth})")

    contracts = compile_contracts(ACCEPTING_VERIFIER)
    with start_anvil(accounts=2) as node:
        w3 = node.web3(timeout_s=300)
        deployer = node.accounts()[0]
        gas = [measure_gas(w3, deployer, contracts, tree) for tree in (DEVNET_TREE, DEEPEST_TREE)]
        rebuild = measure_rebuild(w3, deployer, contracts, args.accounts, args.slots)

    print(f"anvil {HARDFORK}; gas used per transaction:")
    for result in gas:
        print(
            f"  account depth {result.account_depth:2}: requestForcedWithdrawal {result.request_forced_withdrawal:,}, "
            f"freeze {result.freeze:,}, exit {result.exit:,}, claimPerpetual {result.claim_perpetual:,}, "
            f"payPerpetualClaim {result.pay_perpetual_claim:,}"
        )
    print(
        f"rebuilt {rebuild.accounts:,} accounts ({rebuild.trades:,} trades, {rebuild.withdrawals:,} withdrawals, "
        f"{rebuild.batches} batches, {rebuild.l1_requests:,} L1 requests) in {rebuild.seconds_total:.2f} s:"
    )
    for step, seconds in rebuild.seconds_by_step.items():
        print(f"  {step}: {seconds:.2f} s")
    if args.json is not None:
        report = {"hardfork": HARDFORK, "gas": [asdict(g) for g in gas], "rebuild": asdict(rebuild)}
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


# ---------------------------------------------------------------------- rebuild


def measure_rebuild(
    w3: Web3, deployer: LocalAccount, contracts: CompiledContracts, traders: int, slots: int
) -> RebuildResult:
    """Fill a rollup with ``traders`` accounts through real L1 transactions, then time its rebuild."""
    rollup = deploy_rollup(w3, deployer, contracts, REBUILD_TREE, slots)
    accounts = [trader_account(n) for n in range(traders)]
    keys = [L2Keypair.from_private_key(hashlib.sha256(account.key).digest()) for account in accounts]
    fund(w3, deployer, rollup, accounts)
    deposit_all(w3, rollup, accounts, keys)

    state = State.genesis(REBUILD_TREE)
    requests = [request.transaction for request in rollup.l1_requests(0)]
    l2 = trades_and_withdrawals(keys)
    submit_batches(w3, deployer, rollup, state, [*requests, *l2], slots)

    steps: dict[str, float] = {}
    started = last = time.monotonic()

    def lap(message: str) -> None:
        nonlocal last
        now = time.monotonic()
        steps[message] = now - last
        last = now

    rebuilt = reconstruct(w3, rollup.contract, progress=lap)
    total = time.monotonic() - started
    if rebuilt.root != rollup.state_root() or rebuilt.root != state.root:
        raise RuntimeError("the rebuilt state is not the submitted one")
    existing = sum(1 for account in rebuilt.state.accounts().values() if account.exists)
    return RebuildResult(
        accounts=existing,
        batches=len(rebuilt.batches),
        l1_requests=len(rebuilt.requests),
        trades=sum(isinstance(tx, Trade) for tx in l2),
        withdrawals=sum(isinstance(tx, Withdraw) for tx in l2),
        seconds_total=total,
        seconds_by_step=steps,
    )


def trader_account(number: int) -> LocalAccount:
    """Trader ``number``'s Ethereum key, fixed by its number."""
    account: LocalAccount = Account.from_key(hashlib.sha256(f"matchproof bench trader {number}".encode()).digest())
    return account


def fund(w3: Web3, deployer: LocalAccount, rollup: Rollup, accounts: list[LocalAccount]) -> None:
    """Give each trader ether for gas and 10 WETH (even numbers) or 50,000 USDC (odd)."""
    calls = []
    for number, account in enumerate(accounts):
        w3.provider.make_request(RPCEndpoint("anvil_setBalance"), [account.address, hex(10**20)])
        token, amount = (WETH, 10 * UNIT) if number % 2 == 0 else (USDC, 50_000 * UNIT)
        calls.append((deployer, rollup.token(token).functions.mint(account.address, amount)))
    send_all(w3, calls)


def deposit_all(w3: Web3, rollup: Rollup, accounts: list[LocalAccount], keys: list[L2Keypair]) -> None:
    """Each trader approves and deposits everything it holds, registering its L2 key."""
    approvals, deposits = [], []
    for number, (account, key) in enumerate(zip(accounts, keys)):
        token, amount = (WETH, 10 * UNIT) if number % 2 == 0 else (USDC, 50_000 * UNIT)
        approvals.append((account, rollup.token(token).functions.approve(rollup.contract.address, amount)))
        deposits.append((account, rollup.contract.functions.deposit(token, amount, key.public_key.ax, key.public_key.ay)))
    send_all(w3, approvals)
    send_all(w3, deposits, value=rollup.request_fee(registers=True))


def trades_and_withdrawals(keys: list[L2Keypair]) -> list[Transaction]:
    """
    L2 transactions for the traders once their deposits are in: trader 2k
    sells 1 WETH to trader 2k + 1 at 2,000, and every fifth buyer withdraws
    half of what it bought. (Trader n registered as account n + 1.)
    """
    expiry = Timestamp(2**40)
    txs: list[Transaction] = []
    for seller in range(0, len(keys) - 1, 2):
        buyer = seller + 1
        maker = signed_order(keys[seller], AccountIndex(seller + 1), Side.SELL, expiry)
        taker = signed_order(keys[buyer], AccountIndex(buyer + 1), Side.BUY, expiry)
        txs.append(Trade(maker, taker, Amount(UNIT), Amount(2000 * UNIT), 0, 10))
        if buyer % 10 == 1:
            index, amount = AccountIndex(buyer + 1), Amount(UNIT // 2)
            message = withdraw_message(index, WETH, amount, Nonce(0))
            txs.append(Withdraw(index, WETH, amount, Nonce(0), keys[buyer].sign(message)))
    return txs


def signed_order(key: L2Keypair, account: AccountIndex, side: Side, expiry: Timestamp) -> SignedOrder:
    """A WETH/USDC order for 1 WETH at 2,000, order id 1, signed with ``key``."""
    order = Order(account, OrderId(1), WETH, USDC, side, PRICE, Amount(UNIT), 30, expiry)
    return SignedOrder(order, key.sign(order.message_hash()))


def submit_batches(
    w3: Web3, sender: LocalAccount, rollup: Rollup, state: State, txs: list[Transaction], slots: int
) -> None:
    """Apply ``txs`` to ``state`` in batches of ``slots`` (as the spec does) and submit each batch."""
    timestamp = int(w3.eth.get_block("latest")["timestamp"])
    for number, start in enumerate(range(0, len(txs), slots), start=1):
        batch = list(txs[start : start + slots]) + [Noop()] * max(0, start + slots - len(txs))
        published: list[bytes] = []
        outcomes = []
        for index, tx in enumerate(batch):
            published.append(slot_bytes(tx, state))
            outcomes.append(apply_transaction(state, tx, Timestamp(timestamp), batch[index - 1] if index else None))
        credit_fees(state, total_fees(outcomes))
        l1_count = sum(isinstance(tx, Deposit) for tx in batch)
        call = rollup.contract.functions.submitBatch(
            number, state.root, timestamp, l1_count, b"".join(published), [0] * 8
        )
        send_transaction(w3, sender, call.build_transaction({"from": sender.address}), gas=BATCH_GAS)


def send_all(w3: Web3, calls: list[tuple[LocalAccount, Any]], value: int = 0) -> None:
    """Send many contract calls (each paying ``value`` wei) without waiting between them, then check every receipt."""
    nonces: dict[str, int] = {}
    fee = 2 * int(w3.eth.get_block("latest").get("baseFeePerGas", 0)) + 10**9
    hashes = []
    for sender, call in calls:
        nonce = nonces.get(sender.address, w3.eth.get_transaction_count(sender.address, "pending"))
        nonces[sender.address] = nonce + 1
        params = call.build_transaction(
            {
                "from": sender.address,
                "value": value,
                "nonce": nonce,
                "gas": TX_GAS,
                "maxFeePerGas": fee,
                "maxPriorityFeePerGas": 10**9,
                "chainId": w3.eth.chain_id,
            }
        )
        hashes.append(w3.eth.send_raw_transaction(sender.sign_transaction(params).raw_transaction))
    for tx_hash in hashes:
        if w3.eth.wait_for_transaction_receipt(tx_hash)["status"] != 1:
            raise RuntimeError(f"transaction {tx_hash.hex()} reverted")


# ---------------------------------------------------------------------- gas


def bench_perp_config() -> PerpConfig:
    """Four perpetual markets on WETH of quanta 1, 10, 100 and 1,000, one oracle: what the claim's gas is measured on."""
    oracle = private_to_public(hashlib.sha256(b"matchproof bench oracle").digest())
    markets = tuple(PerpMarketParams(quantum, 100_000, 50_000, 10**6, 10**9) for quantum in (1, 10, 100, 1000))
    return PerpConfig(WETH, markets, (oracle,), 1, 60, 600, AccountIndex(2), 10_000)


def measure_gas(w3: Web3, deployer: LocalAccount, contracts: CompiledContracts, tree: TreeConfig) -> GasResult:
    """
    Gas of requesting a forced withdrawal, freezing over it, exiting one
    token, and proving and being paid a perpetual claim, at ``tree``'s depths.
    """
    deadline_blocks = 3
    claim_window = 2
    perpetuals = PerpetualsConfig.of(bench_perp_config(), ZERO_ADDRESS, claim_window)
    rollup = deploy_rollup(w3, deployer, contracts, tree, slots=2, request_deadline_blocks=deadline_blocks, perpetuals=perpetuals)
    trader = trader_account(10**6 + tree.account_depth)
    key = L2Keypair.from_private_key(hashlib.sha256(trader.key).digest())
    w3.provider.make_request(RPCEndpoint("anvil_setBalance"), [trader.address, hex(10**20)])
    mint = rollup.token(WETH).functions.mint(trader.address, UNIT)
    send_transaction(w3, deployer, mint.build_transaction({"from": deployer.address}))
    rollup.deposit(trader, WETH, UNIT, key.public_key)

    request = gas_of(rollup.request_forced_withdrawal(trader, WETH))
    w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(deadline_blocks + 1)])
    freeze = gas_of(rollup.freeze(deployer))

    # The proven state: the operator's account and the trader's deposit, half of which the
    # trader moved into perpetual collateral and holds a position with in every market.
    state = State.genesis(tree, FieldElement(perpetuals.config_hash))
    for l1_request in rollup.l1_requests(0)[:2]:
        apply_transaction(state, l1_request.transaction, Timestamp(0), None)
    trader_index = AccountIndex(1)
    state.set_balance(trader_index, WETH, Amount(UNIT // 2))
    state.set_collateral_pool(UNIT // 2)
    positions = tuple(Position(size=(-1) ** market * 10**6, funding_index=market * 10**12) for market in range(4))
    state.set_perp_account(trader_index, PerpAccount(UNIT // 4, positions))
    for market in range(4):
        state.set_perp_market(market, PerpMarket(2000 + market, Timestamp(1_000), (market + 1) * 10**12, Timestamp(1_000), 10**6))
    word = "0x" + state.root.to_bytes(32, "big").hex()
    w3.provider.make_request(RPCEndpoint("anvil_setStorageAt"), [rollup.contract.address, hex(SLOT_STATE_ROOT), word])
    proof = exit_proof(state, trader_index)
    call = rollup.contract.functions.exit(WETH, proof.as_abi(), trader.address)
    exit_gas = gas_of(send_transaction(w3, trader, call.build_transaction({"from": trader.address})))
    claim = rollup.contract.functions.claimPerpetual(*perp_claim_arguments(state, trader_index))
    claim_gas = gas_of(send_transaction(w3, trader, claim.build_transaction({"from": trader.address})))
    w3.provider.make_request(RPCEndpoint("anvil_mine"), [hex(claim_window + 1)])
    pay = rollup.contract.functions.payPerpetualClaim(trader.address)
    pay_gas = gas_of(send_transaction(w3, trader, pay.build_transaction({"from": trader.address})))
    return GasResult(tree.account_depth, request, freeze, exit_gas, claim_gas, pay_gas)


def gas_of(receipt: TxReceipt) -> int:
    """A mined transaction's gas used."""
    return int(receipt["gasUsed"])


def deploy_rollup(
    w3: Web3,
    deployer: LocalAccount,
    contracts: CompiledContracts,
    tree: TreeConfig,
    slots: int,
    request_deadline_blocks: int = 50_400,
    perpetuals: PerpetualsConfig = PerpetualsConfig(),
) -> Rollup:
    """A rollup of ``tree``'s depths and ``slots`` slots per batch, with the accepting verifier and WETH/USDC."""
    operator = L2Keypair.from_private_key(hashlib.sha256(b"matchproof bench operator").digest())
    genesis = State.genesis(tree, FieldElement(perpetuals.config_hash)).root
    deployment: Deployment = deploy(
        w3,
        deployer,
        contracts,
        config=RollupConfig(slots, tree.account_depth, tree.balance_depth, genesis, request_deadline_blocks, perpetuals=perpetuals),
        operator=OperatorKey(deployer.address, operator.public_key.ax, operator.public_key.ay),
        test_tokens=(TestTokenSpec("Wrapped Ether (bench)", "WETH"), TestTokenSpec("USD Coin (bench)", "USDC")),
        verifier_contract="AcceptingVerifier",
    )
    return Rollup(w3, deployment, contracts)


if __name__ == "__main__":
    sys.exit(main())
