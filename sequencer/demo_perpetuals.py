"""
The demo's perpetual chapter, for a devnet whose circuit has perpetual
slots: ETH-PERP, collateralised in USDC, priced by the oracle feeder
process with a quorum of the devnet's oracle keys.

Alice and Bob move USDC into collateral and the insurance fund its
capital; the feeder prices ETH at 2,000; Alice opens a long of 5 ETH
(10,000 USDC of exposure on 1,200 USDC: about 8x) against Bob's short; Bob
quotes around the market above the oracle price, so the next funding
ticks make the long pay the short; the feeder moves the price down to
1,850, below Alice's maintenance margin, and the sequencer liquidates her
against the insurance fund by itself; Alice takes what is left of her
collateral back out. Every step is proven and verified on L1 like the
spot chapter's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from eth_account.signers.local import LocalAccount

from sequencer.client.http import SequencerClient
from sequencer.client.trader import Trader, next_order_id
from sequencer.devnet import PERP_LOT, PERP_TICK, Devnet, DevnetPerpetuals, devnet_perp_rules
from sequencer.local_system import LocalSystem
from sequencer.service.perp_schemas import PerpAccountOut
from sequencer.spec.constants import PRICE_SCALE, Side


class Story(Protocol):
    """What the chapter needs of the demo (``demo.Demo``): its chain, processes, client and printer."""

    devnet: Devnet
    system: LocalSystem
    client: SequencerClient
    say: Callable[[str], None]

    def trader(self, account: LocalAccount) -> Trader:
        """The trader of an Ethereum account."""

    def settle(self) -> None:
        """Wait until every sealed batch is verified on L1, printing each."""


UNIT = 10**18
FUNDING_WAIT_S = 120.0
"""How long the demo waits for the sequencer's first funding tick."""


def ticks(usdc: int) -> int:
    """A price of ``usdc`` USDC per ETH, in ETH-PERP's ticks."""
    return usdc * PRICE_SCALE // PERP_TICK


def lots(eth: int) -> int:
    """``eth`` ETH in ETH-PERP's lots."""
    return eth * UNIT // PERP_LOT


def usdc(amount: int) -> str:
    """A signed collateral amount (USDC base units) as a human number."""
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), UNIT)
    return sign + f"{whole:,}.{fraction:018d}".rstrip("0").rstrip(".")


def price(tick_count: int) -> str:
    """A price in ticks as USDC per ETH."""
    return usdc(tick_count * PERP_TICK)


def eth(lot_count: int) -> str:
    """A size in lots as ETH."""
    return usdc(lot_count * PERP_LOT)


def run_perpetual_chapter(demo: Story, perpetuals: DevnetPerpetuals, alice: LocalAccount, bob: LocalAccount) -> None:
    """Play the chapter (the module's docstring) on the running system."""
    say, client, system = demo.say, demo.client, demo.system
    market = next(m for m in client.perp_markets() if m.name == devnet_perp_rules().name)
    quorum = perpetuals.config.oracle_quorum
    expiry = demo.devnet.now() + 3600

    def move(name: str, account: LocalAccount, amount: int, into: bool = True) -> None:
        trader = demo.trader(account)
        nonce = client.account(trader.account_index).nonce
        moved = client.transfer_collateral(trader.collateral_transfer(amount, into, nonce))
        direction = "into" if into else "out of"
        say(f"  {name} moves {usdc(amount)} USDC {direction} collateral (collateral now {usdc(moved.collateral)})")

    def place(name: str, account: LocalAccount, side: Side, at: int, size: int) -> int:
        trader = demo.trader(account)
        order_id = next_order_id(client.account(trader.account_index))
        command = trader.perp_order(market, order_id, side, at, size, 30, expiry)
        placed = client.place_perp_order(command)
        verb = "buys" if side == Side.BUY else "sells"
        say(f"  {name} {verb} {eth(size)} {market.name} at {price(at)} (order {order_id}, log entry {placed.receipt.sequence})")
        for trade in placed.trades:
            say(
                f"    trade: {eth(trade.size)} ETH at {price(trade.price)}, {usdc(trade.notional)} USDC notional; "
                f"fees {usdc(trade.maker.fee)} (maker), {usdc(trade.taker.fee)} (taker)"
            )
        return order_id

    def show(name: str, account: LocalAccount) -> PerpAccountOut:
        view = client.perp_account(demo.trader(account).account_index)
        held = ", ".join(
            f"{'long' if p.size > 0 else 'short'} {eth(abs(p.size))} ETH (funding due {usdc(p.unsettled_funding)})"
            for p in view.positions
        )
        say(
            f"  {name}: {held or 'no position'}; equity {usdc(view.value)} USDC (maintenance "
            f"{usdc(view.maintenance_requirement)}), {usdc(view.to_liquidation)} from liquidation"
        )
        return view

    def feed(*usd: int) -> None:
        for line in system.feed([ticks(p) for p in usd], quorum).splitlines():
            say(f"  oracle feeder: {line}")

    say(f"== perpetuals: {market.name}, collateral USDC, priced by {quorum} of {len(perpetuals.oracles.keys)} oracle keys")
    fund = perpetuals.fund
    move("Alice", alice, 1_200 * UNIT)
    move("Bob", bob, 10_000 * UNIT)
    move("the insurance fund", fund, 100_000 * UNIT)
    feed(2_000)
    place("Bob", bob, Side.SELL, ticks(2_000), lots(5))
    place("Alice", alice, Side.BUY, ticks(2_000), lots(5))
    show("Alice", alice)
    show("Bob", bob)
    demo.settle()

    say("== funding: Bob quotes 2,006 / 2,014, above the oracle's 2,000, so longs pay shorts")
    quotes = [place("Bob", bob, Side.BUY, ticks(2_006), lots(1)), place("Bob", bob, Side.SELL, ticks(2_014), lots(1))]
    deadline = time.monotonic() + FUNDING_WAIT_S
    while (ticked := client.perp_markets()[market.market]).funding_index == 0:
        system.check_running()
        if time.monotonic() > deadline:
            raise RuntimeError(f"no funding tick in {FUNDING_WAIT_S:.0f} s")
        time.sleep(0.5)
    say(f"  the sequencer ticks funding: the market's index moves to {ticked.funding_index} (rate x price x seconds)")
    show("Alice", alice)
    show("Bob", bob)
    trader = demo.trader(bob)
    for order_id in quotes:
        client.cancel(trader.cancel(order_id))
    say("  Bob cancels his quotes")
    demo.settle()

    say("== the price falls: the sequencer liquidates Alice against the insurance fund")
    feed(1_900, 1_850)
    after = show("Alice", alice)
    show("the insurance fund", fund)
    show("Bob", bob)
    move("Alice", alice, after.withdrawable, into=False)
    demo.settle()
