"""
The trustless way out, end to end on a real anvil with real proofs.

Three traders deposit and trade across several batches, one cancels her
resting order with a signed cancel-all, and one withdraws.
Then the operator censors Carol: it never reads her forced withdrawal from
the queue, keeps proving trades of the others for a while, and stops. A
deposit made after that is never consumed. Once the forced withdrawal is
past its deadline anyone freezes the rollup, and every trader (the operator
too, for its fees) runs ``matchproof exit`` with nothing but the node's URL,
the rollup's address and its Ethereum key: the state is rebuilt from L1 alone,
every trader gets exactly its last proven L2 balance, the stranded deposit
is refunded, and the rollup ends up holding nothing.
"""

import argparse
import json
from pathlib import Path

import pytest
from eth_account import Account
from playwright.sync_api import expect
from eth_account.signers.local import LocalAccount

from prover import CircuitArtifacts
from sequencer.devnet import TEST_TOKENS, Devnet
from sequencer.l1.anvil import AnvilNode
from sequencer.l1.exit_cli import add_subcommands
from sequencer.service.explorer.units import TokenLabel, token_amount
from sequencer.service.server import BackgroundServer
from sequencer.spec.constants import Side
from sequencer.spec.types import TokenId
from tests.e2e.conftest import KEYSTORE_PASSWORD, UNIT, USDC, WETH
from tests.e2e.explorer import explorer_service
from tests.e2e.traders import account_of, cancel_all, place, withdraw
from tests.web.browser import browser_page, give_wallet, screenshot

DEADLINE_BLOCKS = 10
TOKENS = (WETH, USDC)


@pytest.fixture(scope="module")
def devnet(anvil: AnvilNode, circuit: CircuitArtifacts) -> Devnet:
    """A rollup whose L1 requests are due within ten blocks."""
    return Devnet.deploy(anvil.web3(), anvil.accounts()[0], circuit, request_deadline_blocks=DEADLINE_BLOCKS)


def matchproof(node: AnvilNode, devnet: Devnet, command: str, key_file: Path | None = None, *extra: str) -> int:
    """Run a ``matchproof`` subcommand of :mod:`sequencer.l1.exit_cli` against the devnet's rollup."""
    parser = argparse.ArgumentParser(prog="matchproof")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    argv = [command, "--rpc", node.url, "--rollup", devnet.deployment.rollup, *extra]
    if key_file is not None:
        argv += ["--keystore", str(key_file)]
    args = parser.parse_args(argv)
    return int(args.run(args))


def key_file(directory: Path, account: LocalAccount) -> Path:
    """
    The account's key in a keystore file of its own, as a trader keeps it
    (a weak KDF: a test); its password is in the environment (``tests/e2e/conftest.py``).
    """
    path = directory / f"{account.address}.json"
    path.write_text(json.dumps(Account.encrypt(account.key, KEYSTORE_PASSWORD, iterations=2)))
    return path


def held(devnet: Devnet, owner: str, token: int) -> int:
    """What ``owner`` holds of a rollup token on L1."""
    return int(devnet.rollup.token(token).functions.balanceOf(owner).call())


def paid(devnet: Devnet, event: str, token: int) -> int:
    """The total amount of ``token`` the rollup's ``event`` events paid out."""
    logs = devnet.rollup.contract.events[event]().get_logs(from_block=devnet.deployment.block_number)
    return sum(int(log["args"]["amount"]) for log in logs if int(log["args"]["tokenId"]) == token)


def test_censored_trader_and_everyone_else_exit_with_their_proven_balances(
    anvil: AnvilNode, devnet: Devnet, alice: LocalAccount, bob: LocalAccount, circuit: CircuitArtifacts, tmp_path: Path
) -> None:
    rollup = devnet.rollup
    operator, carol, dave, bystander = anvil.accounts()[0], *anvil.accounts()[3:6]
    devnet.mint(WETH, carol.address, 5 * UNIT)
    devnet.mint(USDC, carol.address, 10_000 * UNIT)
    devnet.mint(WETH, dave.address, 7 * UNIT)

    # Deposits, each consumed by a proven batch.
    rollup.deposit(alice, WETH, 10 * UNIT, devnet.l2_key(alice).public_key)
    rollup.deposit(bob, USDC, 50_000 * UNIT, devnet.l2_key(bob).public_key)
    rollup.deposit(carol, WETH, 5 * UNIT, devnet.l2_key(carol).public_key)
    rollup.deposit(carol, USDC, 10_000 * UNIT, devnet.l2_key(carol).public_key)
    devnet.sync_l1()
    devnet.settle()

    # Trades across several batches, and a withdrawal Bob leaves unclaimed.
    assert place(devnet, alice, 1, Side.SELL, 2000 * UNIT, 4 * UNIT) == []
    assert len(place(devnet, bob, 1, Side.BUY, 2000 * UNIT, UNIT)) == 1
    devnet.settle()
    assert len(place(devnet, carol, 1, Side.BUY, 2010 * UNIT, UNIT)) == 1
    devnet.settle()
    assert place(devnet, carol, 2, Side.SELL, 2100 * UNIT, 2 * UNIT) == []
    assert [record.key for record in cancel_all(devnet, carol, 3)] == [(account_of(devnet, carol), 2)]
    withdraw(devnet, bob, USDC, 1000 * UNIT)
    devnet.settle()
    assert devnet.operator.sealed.get_account(account_of(devnet, carol)).min_order_id == 3
    assert rollup.claimable(bob.address, USDC) == 1000 * UNIT

    # Carol asks L1 for her WETH; the operator never reads the request...
    carol_key = key_file(tmp_path, carol)
    assert matchproof(anvil, devnet, "force-withdraw", carol_key, "--token", str(WETH)) == 0
    censored = rollup.l1_processed()
    assert devnet.sync_l1(until=censored) == 0
    # ...but goes on proving the others' trades, then stops.
    assert len(place(devnet, bob, 2, Side.BUY, 2000 * UNIT, UNIT)) == 1
    (last,) = devnet.settle()
    assert last.batch.l1_count == 0
    final = devnet.operator.sealed
    assert rollup.state_root() == final.root
    # A deposit after the operator stopped is never consumed.
    rollup.deposit(dave, WETH, 7 * UNIT, devnet.l2_key(dave).public_key)

    # Nothing can be frozen before the deadline; anyone may freeze after it.
    assert matchproof(anvil, devnet, "freeze", key_file(tmp_path, bystander)) == 1
    devnet.mine(rollup.request_deadline(censored) - devnet.w3.eth.block_number + 1)
    assert matchproof(anvil, devnet, "freeze", key_file(tmp_path, bystander)) == 0
    assert rollup.frozen()
    assert matchproof(anvil, devnet, "reconstruct") == 0

    # Everyone leaves with nothing but the node, the rollup's address and its key.
    traders = {"operator": operator, "alice": alice, "bob": bob, "carol": carol, "dave": dave}
    expected: dict[str, dict[int, int]] = {
        name: {token: final.get_account(account_of(devnet, trader)).balance(TokenId(token)) for token in TOKENS}
        for name, trader in traders.items()
    }
    expected["bob"][USDC] += 1000 * UNIT  # his proven withdrawal, claimed on the way out
    expected["dave"] = {WETH: 7 * UNIT, USDC: 0}  # his deposit, refunded: his account never existed on L2
    # The forced withdrawal the operator ignored: her deposit and what she bought, less the taker fee.
    assert expected["carol"][WETH] == 6 * UNIT - UNIT * 20 // 10_000
    assert expected["operator"][WETH] > 0 and expected["operator"][USDC] > 0  # fees
    # The explorer's way-out page tells Carol the same, and the command to run.
    with BackgroundServer(explorer_service(devnet, circuit, operator, tmp_path / "explorer")) as server, browser_page() as page:
        page.goto(f"{server.url}/explorer/accounts/{carol.address.lower()}/exit")
        expect(page.locator("#frozen")).to_be_visible()
        for token in TOKENS:
            label = TokenLabel(TEST_TOKENS[token].symbol, TEST_TOKENS[token].decimals)
            row = page.locator("#departure tr").filter(has_text=label.symbol)
            expect(row.locator("td").nth(1)).to_have_text(token_amount(expected["carol"][token], label))
        command = f"matchproof exit --rpc YOUR_NODE_URL --rollup {rollup.contract.address} --keystore YOUR_KEYSTORE.json"
        expect(page.locator("#command")).to_have_text(command)
        expect(page.locator("#leave")).to_be_hidden()  # no wallet in this browser
        screenshot(page, "explorer-exit")
    # Carol (two exits), Bob (exits and a claim) and Dave (a refund) leave from the page, with a browser wallet.
    with BackgroundServer(explorer_service(devnet, circuit, operator, tmp_path / "leaving")) as server:
        for name in ("carol", "bob", "dave"):
            trader = traders[name]
            before = {token: held(devnet, trader.address, token) for token in TOKENS}
            with browser_page() as page:
                give_wallet(page, trader.address, anvil.url)
                page.goto(f"{server.url}/explorer/accounts/{trader.address.lower()}/exit")
                page.get_by_role("button", name="Leave with my wallet").click()
                expect(page.locator("#leave-message")).to_contain_text("Done:", timeout=60_000)
            for token in TOKENS:
                assert held(devnet, trader.address, token) - before[token] == expected[name][token], (name, token)
            expected[name] = {token: 0 for token in TOKENS}  # the command line finds nothing left
    for name, trader in traders.items():
        before = {token: held(devnet, trader.address, token) for token in TOKENS}
        assert matchproof(anvil, devnet, "exit", key_file(tmp_path, trader)) == 0
        for token in TOKENS:
            assert held(devnet, trader.address, token) - before[token] == expected[name][token], (name, token)

    # Conservation: everything deposited went back out, and the rollup holds nothing.
    contract = rollup.contract
    for token in TOKENS:
        assert held(devnet, contract.address, token) == 0
        out = paid(devnet, "Claimed", token) + paid(devnet, "Exited", token) + paid(devnet, "DepositRefunded", token)
        assert int(contract.functions.totalDeposited(token).call()) == out
    # Leaving twice takes nothing more.
    assert matchproof(anvil, devnet, "exit", key_file(tmp_path, alice)) == 0
