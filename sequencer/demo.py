"""
The end-to-end demo: the whole story of the rollup on a fresh local chain,
through the production path, printed as it happens.

It deploys the contracts on anvil, starts the sequencer service and a prover
worker as their own processes (``sequencer.local_system``), and plays two
traders: they deposit on L1, sign crossing orders sent to the sequencer's
HTTP API with the trader client, and withdraw; the sequencer matches and
batches, the worker proves every batch with Groth16, the submitter puts it
on L1, where the rollup contract verifies it; the traders claim on L1.
With a circuit that has perpetual slots, they also trade ETH-PERP before
withdrawing (``demo_perpetuals``), priced by the oracle feeder process.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from eth_account.signers.local import LocalAccount
from web3.logs import DISCARD

from prover import build_circuit
from sequencer.client.http import SequencerClient
from sequencer.client.trader import Trader, next_order_id
from sequencer.demo_perpetuals import run_perpetual_chapter
from sequencer.devnet import FUND_CAPITAL, TEST_TOKENS, Devnet, devnet_market, devnet_perp_rules
from sequencer.l1.anvil import HARDFORK, start_anvil
from sequencer.local_system import LocalSystem
from sequencer.spec.constants import PRICE_SCALE, Side
from sequencer.spec.types import TokenId

UNIT = 10**18
WETH, USDC = TokenId(0), TokenId(1)
SYMBOLS = {WETH: "WETH", USDC: "USDC"}
SETTLE_TIMEOUT_S = 600.0
"""How long the demo waits for the sealed batches to be verified on L1."""
FUNDING_INTERVAL_S = 20
"""Seconds between the devnet's funding ticks while a position is open (a production sequencer's default is 60)."""


def units(amount: int) -> str:
    """An 18-decimal amount as a human number."""
    whole, fraction = divmod(amount, UNIT)
    return f"{whole:,}.{fraction:018d}".rstrip("0").rstrip(".")


class Demo:
    """The demo's traders, talking to the sequencer with the trader client, and the chain."""

    def __init__(self, devnet: Devnet, system: LocalSystem, client: SequencerClient, say: Callable[[str], None]) -> None:
        """Drive ``system`` (running on ``devnet``'s deployment) through ``client``; ``say`` prints a line."""
        self.devnet, self.system, self.client, self.say = devnet, system, client, say
        self.market = client.market(devnet_market().name)
        self.reported = 0

    def trader(self, account: LocalAccount) -> Trader:
        """The trader of an Ethereum account, once the sequencer knows its rollup account."""
        index = self.client.account_by_address(account.address).account_index
        return Trader.from_eth_account(account, self.client.info(), index)

    def deposit(self, name: str, account: LocalAccount, token: TokenId, amount: int) -> None:
        """Deposit on L1; the sequencer picks the request up from the rollup's queue."""
        receipt = self.devnet.rollup.deposit(account, token, amount, self.devnet.l2_key(account).public_key)
        self.say(f"  {name} deposits {units(amount)} {SYMBOLS[token]} on L1 ({receipt['gasUsed']:,} gas)")

    def place(self, name: str, account: LocalAccount, side: Side, price: int, amount: int) -> None:
        """Sign an order with the trader's L2 key, send it to the sequencer; print its fills."""
        trader = self.trader(account)
        order_id = next_order_id(self.client.account(trader.account_index))
        command = trader.order(self.market, order_id, side, price, amount, 30, self.devnet.now() + 3600)
        placed = self.client.place_order(command)
        verb = "buys" if side == Side.BUY else "sells"
        self.say(f"  {name} {verb} {units(amount)} WETH at {units(price)} USDC (order {order_id}, log entry {placed.receipt.sequence})")
        for trade in placed.trades:
            self.say(
                f"    trade: {units(trade.base)} WETH for {units(trade.quote)} USDC at {units(trade.price)}; "
                f"fees {units(trade.maker.fee)} (maker), {units(trade.taker.fee)} (taker)"
            )

    def withdraw_all(self, name: str, account: LocalAccount, token: TokenId) -> None:
        """Sign a withdrawal of the trader's whole available balance of ``token``."""
        trader = self.trader(account)
        state = self.client.account(trader.account_index)
        amount = next(balance.available for balance in state.balances if balance.token == token)
        self.client.withdraw(trader.withdraw(token, amount, state.nonce))
        self.say(f"  {name} withdraws {units(amount)} {SYMBOLS[token]}")

    def settle(self) -> None:
        """Wait until every sealed batch is verified on L1; print each new one."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            self.system.check_running()
            status = self.client.status()
            sealed = status.sealed_batches + (1 if status.pending_transactions else 0)
            verified = [b for b in self.client.batches(limit=100) if b.status == "verified"]
            if status.pending_transactions == 0 and len(verified) >= status.sealed_batches:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{sealed} batches not verified in {SETTLE_TIMEOUT_S:.0f} s")
            time.sleep(0.5)
        rollup = self.devnet.rollup
        for event in rollup.contract.events.BatchVerified().get_logs(from_block=self.devnet.deployment.block_number):
            number = int(event["args"]["batchNumber"])
            if number <= self.reported:
                continue
            receipt = self.devnet.w3.eth.get_transaction_receipt(event["transactionHash"])
            batch = self.client.batch(number)
            perpetual = f", {batch.perpetual} perpetual" if batch.perpetual else ""
            self.say(
                f"  batch {number} ({batch.deposits} deposits, {batch.trades} trades, {batch.withdrawals} withdrawals{perpetual}) "
                f"verified on L1 in a transaction of {int(receipt['gasUsed']):,} gas "
                f"({_batches_in(rollup.contract.events.BatchVerified().process_receipt(receipt, errors=DISCARD))}); "
                f"root {hex(int(event['args']['oldRoot']))[:14]}... -> {hex(int(event['args']['newRoot']))[:14]}..."
            )
            self.reported = number


def run_demo(config: str, say: Callable[[str], None] = print, keep_running: bool = False) -> None:
    """
    Run the whole story on a fresh anvil with the named circuit configuration;
    with ``keep_running``, leave the chain, the sequencer and its explorer up
    afterwards, until interrupted.
    """
    started = time.monotonic()
    say(f"== building circuit '{config}' (cached after the first run)")
    circuit = build_circuit(config)
    say(f"  {circuit.constraints:,} constraints, {dict(circuit.config.params)}; ready in {time.monotonic() - started:.1f} s")

    with start_anvil() as node, tempfile.TemporaryDirectory(prefix="matchproof-devnet-") as scratch:
        w3, keys = node.web3(), node.accounts()
        operator, alice, bob, fund = keys[0], keys[1], keys[2], keys[-1]
        say(f"== anvil at {node.url} (hardfork {HARDFORK}); deploying")
        devnet = Devnet.deploy(w3, operator, circuit, fund=fund)
        deployment, perpetuals = devnet.deployment, devnet.perpetuals
        say(f"  rollup {deployment.rollup}, verifier {deployment.verifier}")
        say(f"  WETH {deployment.tokens[WETH]}, USDC {deployment.tokens[USDC]}")
        if perpetuals is not None:
            say(
                f"  perpetual market {devnet_perp_rules().name}; the insurance fund {fund.address[:10]}... "
                f"registered account {perpetuals.config.insurance_fund} with {units(FUND_CAPITAL)} USDC"
            )
        devnet.mint(WETH, alice.address, 20 * UNIT)
        devnet.mint(USDC, bob.address, 60_000 * UNIT)
        weth, usdc = devnet.rollup.token(WETH), devnet.rollup.token(USDC)

        def l1_balances() -> dict[str, int]:
            return {
                "Alice WETH": weth.functions.balanceOf(alice.address).call(),
                "Alice USDC": usdc.functions.balanceOf(alice.address).call(),
                "Bob WETH": weth.functions.balanceOf(bob.address).call(),
                "Bob USDC": usdc.functions.balanceOf(bob.address).call(),
            }

        say("== starting the sequencer service and a prover worker (their logs: sequencer.log, worker-1.log)")
        with LocalSystem(
            Path(scratch),
            node.url,
            deployment,
            [devnet_market()],
            operator,
            config,
            tokens=TEST_TOKENS,
            perpetual=() if perpetuals is None else (devnet_perp_rules(),),
            oracles=None if perpetuals is None else perpetuals.oracles,
            funding_interval_s=FUNDING_INTERVAL_S,
        ) as system:
            with SequencerClient(system.url) as client:
                say(f"  sequencer API at {system.url} (OpenAPI at {system.url}/docs)")
                say(f"  explorer at {system.url}/explorer: the book, trades, batches and accounts, live")
                say(f"  trading page at {system.url}/explorer/trade: orders and withdrawals signed in the browser")
                demo = Demo(devnet, system, client, say)
                before = l1_balances()
                say("== deposits (L1 requests, consumed in order by the next batches)")
                demo.deposit("Alice", alice, WETH, 10 * UNIT)
                demo.deposit("Bob", bob, USDC, 50_000 * UNIT)
                while client.status().l1_requests < len(devnet.rollup.l1_requests(0)):  # every L1 request so far
                    system.check_running()
                    time.sleep(0.2)
                demo.settle()

                say("== trading (orders signed with L2 keys derived from the traders' Ethereum keys)")
                demo.place("Alice", alice, Side.SELL, 2000 * PRICE_SCALE, 5 * UNIT)
                demo.place("Bob", bob, Side.BUY, 2010 * PRICE_SCALE, 2 * UNIT)
                demo.settle()
                say("== a later batch fills the rest of Alice's order")
                demo.place("Bob", bob, Side.BUY, 2000 * PRICE_SCALE, 3 * UNIT)
                demo.settle()
                if perpetuals is not None:
                    run_perpetual_chapter(demo, perpetuals, alice, bob)

                say("== withdrawals")
                claims = [(alice, USDC), (alice, WETH), (bob, WETH), (bob, USDC)]
                for account, token in claims:
                    demo.withdraw_all("Alice" if account is alice else "Bob", account, token)
                demo.settle()
                for account, token in claims:
                    receipt = devnet.rollup.claim(account, account.address, token)
                    say(f"  claimed {SYMBOLS[token]} for {account.address[:10]}... ({receipt['gasUsed']:,} gas)")
                fees = client.account(0)
                if keep_running:
                    say(f"== the devnet keeps running: explorer at {system.url}/explorer, anvil at {node.url}; Ctrl-C stops it")
                    say(f"  trade at {system.url}/explorer/trade with an anvil account's key (Alice's: {alice.key.hex()}),")
                    say("  after a deposit: matchproof deposit --deployment ... (README, Running the pieces by hand)")
                    if perpetuals is not None:
                        say(
                            f"  ETH-PERP's price goes stale after {perpetuals.config.max_price_age} s; keep it fresh with: "
                            f"matchproof oracle-feeder --sequencer {system.url} --keys {system.oracle_keys} "
                            f"--quorum {perpetuals.config.oracle_quorum} --prices 1850000 --keep-fresh"
                        )
                    while True:
                        system.check_running()
                        time.sleep(1)

        after = l1_balances()
        say("== L1 balances before -> after")
        for name in before:
            say(f"  {name:10} {units(before[name]):>12} -> {units(after[name]):>12}")
        say("  operator fees on L2: " + ", ".join(f"{units(b.balance)} {SYMBOLS[TokenId(b.token)]}" for b in fees.balances))
        say(
            f"== {demo.reported} batches proven by the worker and verified on L1; "
            f"state root {hex(devnet.rollup.state_root())}; total {time.monotonic() - started:.1f} s"
        )


def _batches_in(verified: Sequence[object]) -> str:
    """How many batches one submission verified, in words."""
    return "its only batch" if len(verified) == 1 else f"one of {len(verified)} batches"
