"""
The explorer's L1 page against a real anvil deployment: each L1 request no
verified batch has consumed, with the block it must be consumed by; then,
once the oldest is overdue and someone froze the rollup, the frozen state;
and a trader's way out while the rollup is live: the forced requests.
"""

import time
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from playwright.sync_api import expect

from prover import CircuitArtifacts
from sequencer.devnet import Devnet
from sequencer.l1.anvil import AnvilNode
from sequencer.service.explorer.routes import L1_READ_EVERY_S
from sequencer.service.server import BackgroundServer
from tests.e2e.conftest import UNIT, WETH
from tests.e2e.explorer import explorer_service
from tests.service.harness import wait_for
from tests.web.browser import browser_page, screenshot

DEADLINE_BLOCKS = 10


@pytest.fixture(scope="module")
def devnet(anvil: AnvilNode, circuit: CircuitArtifacts) -> Devnet:
    """A rollup whose L1 requests are due within ten blocks."""
    return Devnet.deploy(anvil.web3(), anvil.accounts()[0], circuit, request_deadline_blocks=DEADLINE_BLOCKS)


def test_the_l1_page_shows_waiting_requests_their_deadlines_and_a_freeze(
    anvil: AnvilNode, devnet: Devnet, alice: LocalAccount, circuit: CircuitArtifacts, tmp_path: Path
) -> None:
    rollup = devnet.rollup
    rollup.deposit(alice, WETH, 5 * UNIT, devnet.l2_key(alice).public_key)
    queued = rollup.l1_request_count()  # the operator's registration, then Alice's deposit
    service = explorer_service(devnet, circuit, anvil.accounts()[0], tmp_path / "data")  # it consumes nothing
    with BackgroundServer(service) as server, browser_page() as page:
        wait_for(lambda: service.operator.l1_seen == queued)
        page.goto(f"{server.url}/explorer/l1")
        expect(page.locator("#live")).to_be_visible()
        rows = page.locator("#waiting tr")
        expect(rows).to_have_count(queued)
        deposit = rows.nth(queued - 1).locator("td")
        expect(deposit.nth(1)).to_have_text("deposit")
        expect(deposit.nth(3)).to_have_text(f"0x{int(alice.address, 16):040x}")
        expect(deposit.nth(4)).to_have_text(str(rollup.request_deadline(queued - 1)))
        expect(deposit.nth(6)).to_have_text("in a batch on its way to L1")
        screenshot(page, "explorer-l1")

        page.goto(f"{server.url}/explorer/accounts/{alice.address.lower()}/exit")
        expect(page.locator("#live")).to_contain_text(f"within {DEADLINE_BLOCKS} blocks")
        expect(page.locator("#commands")).to_contain_text(
            f"matchproof force-withdraw --token {WETH} --rpc YOUR_NODE_URL --rollup {devnet.deployment.rollup}"
        )
        page.goto(f"{server.url}/explorer/l1")

        devnet.mine(rollup.request_deadline(0) - devnet.w3.eth.block_number + 1)
        rollup.freeze(anvil.accounts()[5])
        time.sleep(L1_READ_EVERY_S)  # the page serves one read of L1 for that long
        page.reload()
        expect(page.locator("#frozen")).to_contain_text("The rollup is frozen")
        overdue = devnet.w3.eth.block_number - rollup.request_deadline(0)
        expect(rows.first.locator("td").nth(5)).to_have_text(f"overdue by {overdue}")
