"""
The trading page's L1 side against a whole local system (anvil, the
sequencer, a prover worker, real proofs): a trader who has only an Ethereum
key deposits from the page, sees the deposit credited, withdraws, and once
the withdrawal's batch is verified on L1 claims it from the page. And a
browser wallet (EIP-1193, anvil signing for its account) connects, derives
the L2 key the command line derives, and deposits.
"""

from pathlib import Path

from playwright.sync_api import expect

from prover import CircuitArtifacts
from sequencer.devnet import TEST_TOKENS, Devnet, devnet_market
from sequencer.l1.anvil import AnvilNode
from sequencer.local_system import LocalSystem
from sequencer.service.server import BackgroundServer
from sequencer.spec.types import EthAddress
from tests.e2e.conftest import UNIT, WETH
from tests.e2e.explorer import explorer_service
from tests.web.browser import browser_page, give_wallet, screenshot

SETTLING_MS = 180_000
"""How long the page may wait for a batch to be proven and verified for real."""


def test_a_trader_deposits_withdraws_and_claims_from_the_page(
    anvil: AnvilNode, devnet: Devnet, circuit: CircuitArtifacts, tmp_path: Path
) -> None:
    dave = anvil.accounts()[6]
    devnet.mint(WETH, dave.address, 5 * UNIT)
    weth = devnet.rollup.token(WETH)
    system = LocalSystem(
        tmp_path, anvil.url, devnet.deployment, [devnet_market()], anvil.accounts()[0], circuit.config.name,
        tokens=TEST_TOKENS,
    )
    with system, browser_page() as page:
        page.goto(f"{system.url}/explorer/trade")
        expect(page.locator("#trade")).to_have_attribute("data-ready", "true")
        page.get_by_label("Ethereum private key").fill("0x" + bytes(dave.key).hex())
        page.get_by_role("button", name="Connect").click()
        l1_weth = page.locator("#l1-balances tr").filter(has_text="WETH")
        expect(l1_weth.locator("td").nth(1)).to_have_text("5")
        expect(page.locator("#account")).to_contain_text("has no account yet")

        page.locator("#deposit-token").select_option(str(WETH))
        page.locator("#deposit-amount").fill("3")
        page.get_by_role("button", name="Deposit").click()
        expect(page.locator("#message")).to_contain_text("queued on L1")
        expect(l1_weth.locator("td").nth(1)).to_have_text("2")
        rollup_weth = page.locator("#balances tr").filter(has_text="WETH")
        expect(rollup_weth.locator("td").nth(1)).to_have_text("3", timeout=SETTLING_MS)  # the page refreshes itself

        page.locator("#withdraw-token").select_option(str(WETH))
        page.locator("#withdraw-amount").fill("1.5")
        page.get_by_role("button", name="Withdraw").click()
        expect(page.locator("#message")).to_contain_text("Withdrawal of 1.5 WETH accepted")
        expect(l1_weth.locator("td").nth(2)).to_have_text("1.5", timeout=SETTLING_MS)  # once its batch is verified
        screenshot(page, "trade-l1")
        page.get_by_role("button", name="Claim WETH").click()
        expect(page.locator("#message")).to_contain_text("Claimed WETH on L1", timeout=SETTLING_MS)
        expect(l1_weth.locator("td").nth(1)).to_have_text("3.5")
        expect(l1_weth.locator("td").nth(2)).to_have_text("0")
    assert weth.functions.balanceOf(dave.address).call() == 35 * UNIT // 10


def test_a_browser_wallet_derives_the_key_the_command_line_derives(
    anvil: AnvilNode, devnet: Devnet, circuit: CircuitArtifacts, tmp_path: Path
) -> None:
    erin = anvil.accounts()[7]
    devnet.mint(WETH, erin.address, 2 * UNIT)
    service = explorer_service(devnet, circuit, anvil.accounts()[0], tmp_path / "data")
    with BackgroundServer(service) as server, browser_page() as page:
        give_wallet(page, erin.address, anvil.url)
        page.goto(f"{server.url}/explorer/trade")
        expect(page.locator("#trade")).to_have_attribute("data-ready", "true")
        page.get_by_role("button", name="Connect a browser wallet").click()
        expect(page.locator("#account")).to_contain_text("has no account yet")
        page.locator("#deposit-token").select_option(str(WETH))
        page.locator("#deposit-amount").fill("1")
        page.get_by_role("button", name="Deposit").click()
        expect(page.locator("#message")).to_contain_text("queued on L1")
        expect(page.locator("#balances tr").filter(has_text="WETH").locator("td").nth(1)).to_have_text("1")
    index = service.operator.account_of(EthAddress(int(erin.address, 16)))
    assert index is not None
    account = service.operator.head.get_account(index)
    expected = devnet.l2_key(erin).public_key  # what `matchproof` derives from the same Ethereum key
    assert (account.ax, account.ay) == (expected.ax, expected.ay)
