"""
The end-to-end demo: the whole story of the rollup on a fresh local chain,
printed as it happens.

Two traders deposit on L1, sign crossing orders off-chain, the operator
matches them, every batch is proven with Groth16 and verified by the rollup
contract, and the traders withdraw back to L1.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from eth_account.signers.local import LocalAccount

from prover import build_circuit
from sequencer.devnet import Devnet, SubmittedBatch
from sequencer.l1.anvil import HARDFORK, start_anvil
from sequencer.spec.constants import PRICE_SCALE, Side
from sequencer.spec.transactions import Order, SignedOrder, Withdraw, withdraw_message
from sequencer.spec.types import AccountIndex, Amount, Nonce, OrderId, Price, Timestamp, TokenId

UNIT = 10**18
WETH, USDC = TokenId(0), TokenId(1)
MARKET = "WETH-USDC"


def units(amount: int) -> str:
    """An 18-decimal amount as a human number."""
    whole, fraction = divmod(amount, UNIT)
    return f"{whole:,}.{fraction:018d}".rstrip("0").rstrip(".")


class Demo:
    """The demo's traders and the orders and withdrawals they sign."""

    def __init__(self, devnet: Devnet, say: Callable[[str], None]) -> None:
        """Set up on a deployed devnet; ``say`` prints a line."""
        self.devnet = devnet
        self.say = say
        self.order_ids: dict[str, int] = {}

    def index(self, trader: LocalAccount) -> AccountIndex:
        """The trader's rollup account."""
        index = self.devnet.rollup.account_index(trader.address)
        if index is None:
            raise RuntimeError(f"{trader.address} has no rollup account")
        return index

    def place(self, name: str, trader: LocalAccount, side: Side, price: int, amount: int) -> None:
        """Sign and place a limit order; print its fills."""
        self.order_ids[name] = self.order_ids.get(name, 0) + 1
        order = Order(
            self.index(trader), OrderId(self.order_ids[name]), WETH, USDC, side, Price(price), Amount(amount),
            30, Timestamp(self.devnet.now() + 3600),
        )  # fmt: skip
        signed = SignedOrder(order, self.devnet.l2_key(trader).sign(order.message_hash()))
        verb = "buys" if side == Side.BUY else "sells"
        self.say(f"  {name} {verb} {units(amount)} WETH at {units(price)} USDC (order {order.order_id})")
        for fill in self.devnet.operator.place_order(MARKET, signed, self.devnet.now()):
            self.say(
                f"    trade: {units(fill.base)} WETH for {units(fill.quote)} USDC at {units(fill.price)}; "
                f"fees {units(fill.maker_fee)} (maker), {units(fill.taker_fee)} (taker)"
            )

    def withdraw_all(self, name: str, trader: LocalAccount, token: TokenId) -> int:
        """Sign a withdrawal of the trader's whole balance of ``token``; returns the amount."""
        account = self.devnet.operator.head.get_account(self.index(trader))
        amount, nonce = account.balance(token), Nonce(account.nonce)
        signature = self.devnet.l2_key(trader).sign(withdraw_message(self.index(trader), token, amount, nonce))
        self.devnet.operator.withdraw(Withdraw(self.index(trader), token, amount, nonce, signature))
        self.say(f"  {name} withdraws {units(amount)} {'WETH' if token == WETH else 'USDC'}")
        return amount

    def settle(self) -> list[SubmittedBatch]:
        """Prove and submit everything pending; print each batch."""
        batches = self.devnet.settle()
        for submitted in batches:
            batch = submitted.batch
            kinds = ", ".join(type(tx).__name__ for tx in batch.transactions)
            self.say(
                f"  batch {submitted.number} [{kinds}]: proved in {submitted.proof.prove_seconds:.1f} s "
                f"(witness {submitted.proof.witness_seconds:.2f} s), verified on L1 for "
                f"{submitted.gas_used:,} gas\n"
                f"    root {hex(batch.old_root)[:18]}... -> {hex(batch.new_root)[:18]}..."
            )
        return batches


def run_demo(config: str, say: Callable[[str], None] = print) -> None:
    """Run the whole story on a fresh anvil with the named circuit configuration."""
    started = time.monotonic()
    say(f"== building circuit '{config}' (cached after the first run)")
    circuit = build_circuit(config)
    say(f"  {circuit.constraints:,} constraints, {dict(circuit.config.params)}; ready in {time.monotonic() - started:.1f} s")

    with start_anvil() as node:
        w3, keys = node.web3(), node.accounts()
        operator, alice, bob = keys[0], keys[1], keys[2]
        say(f"== anvil at {node.url} (hardfork {HARDFORK}); deploying")
        devnet = Devnet.deploy(w3, operator, circuit)
        deployment = devnet.deployment
        say(f"  rollup {deployment.rollup}, verifier {deployment.verifier}")
        say(f"  WETH {deployment.tokens[WETH]}, USDC {deployment.tokens[USDC]}")
        demo = Demo(devnet, say)
        weth, usdc = devnet.rollup.token(WETH), devnet.rollup.token(USDC)
        devnet.mint(WETH, alice.address, 20 * UNIT)
        devnet.mint(USDC, bob.address, 60_000 * UNIT)

        def l1_balances() -> dict[str, int]:
            return {
                "Alice WETH": weth.functions.balanceOf(alice.address).call(),
                "Alice USDC": usdc.functions.balanceOf(alice.address).call(),
                "Bob WETH": weth.functions.balanceOf(bob.address).call(),
                "Bob USDC": usdc.functions.balanceOf(bob.address).call(),
            }

        before = l1_balances()
        say("== deposits (L1 requests, consumed in order by the next batches)")
        for name, trader, token, amount in (("Alice", alice, WETH, 10 * UNIT), ("Bob", bob, USDC, 50_000 * UNIT)):
            receipt = devnet.rollup.deposit(trader, token, amount, devnet.l2_key(trader).public_key)
            say(f"  {name} deposits {units(amount)} {'WETH' if token == WETH else 'USDC'} ({receipt['gasUsed']:,} gas)")
        devnet.sync_l1()
        demo.settle()

        say("== trading (orders signed with L2 keys derived from the traders' Ethereum keys)")
        demo.place("Alice", alice, Side.SELL, 2000 * PRICE_SCALE, 5 * UNIT)
        demo.place("Bob", bob, Side.BUY, 2010 * PRICE_SCALE, 2 * UNIT)
        demo.settle()
        say("== a later batch fills the rest of Alice's order")
        demo.place("Bob", bob, Side.BUY, 2000 * PRICE_SCALE, 3 * UNIT)
        demo.settle()

        say("== withdrawals")
        claims = [
            (alice, USDC, demo.withdraw_all("Alice", alice, USDC)),
            (alice, WETH, demo.withdraw_all("Alice", alice, WETH)),
            (bob, WETH, demo.withdraw_all("Bob", bob, WETH)),
            (bob, USDC, demo.withdraw_all("Bob", bob, USDC)),
        ]
        demo.settle()
        for trader, token, _ in claims:
            receipt = devnet.rollup.claim(trader, trader.address, token)
            say(f"  claimed for {trader.address[:10]}... ({receipt['gasUsed']:,} gas)")

        after = l1_balances()
        say("== L1 balances before -> after")
        for name in before:
            say(f"  {name:10} {units(before[name]):>12} -> {units(after[name]):>12}")
        fees = devnet.operator.sealed.get_account(AccountIndex(0))
        say(f"  operator fees on L2: {units(fees.balance(WETH))} WETH, {units(fees.balance(USDC))} USDC")
        gas = [b.gas_used for b in devnet.submitted]
        say(
            f"== {len(devnet.submitted)} batches verified on L1; submission gas {min(gas):,}..{max(gas):,}; "
            f"state root {hex(devnet.rollup.state_root())}; total {time.monotonic() - started:.1f} s"
        )
