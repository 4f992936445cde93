"""The trader commands against a real sequencer, with keys from the environment or a keystore."""

import argparse
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from sequencer.client.cli import add_subcommands
from sequencer.client.http import SequencerClient
from sequencer.keystore import KEYSTORE_PASSWORD_ENV, PRIVATE_KEY_ENV
from sequencer.crypto.keys import L2Keypair
from sequencer.service.receipts import NO_CONTRACT
from sequencer.spec.transactions import Deposit
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, TokenId
from tests.engine.exchange import MARKET
from tests.service.harness import running_sequencer
from tests.support.scenario import BASE, QUOTE, UNIT

DAVE = Account.from_key(b"\x0d" * 32)
DAVE_INDEX = 4
DAVE_KEY = L2Keypair.from_eth_account(DAVE, 0, NO_CONTRACT)
"""Dave's L2 key as the commands derive it for a sequencer without a deployment."""


def dave_funding() -> list[Deposit]:
    """Dave's deposits: they register his derived L2 key."""
    key = DAVE_KEY.public_key
    address = EthAddress(int(DAVE.address, 16))
    return [
        Deposit(
            AccountIndex(DAVE_INDEX),
            address,
            FieldElement(key.ax),
            FieldElement(key.ay),
            TokenId(BASE),
            Amount(100 * UNIT),
        ),
        Deposit(
            AccountIndex(DAVE_INDEX), address, FieldElement(0), FieldElement(0), TokenId(QUOTE), Amount(10_000 * UNIT)
        ),
    ]


@pytest.fixture(scope="module")
def sequencer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SequencerClient]]:
    with running_sequencer(tmp_path_factory.mktemp("cli"), dave_funding()) as (server, client):
        yield server.url, client


@pytest.fixture
def run(
    sequencer: tuple[str, SequencerClient], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """Run a command line with Dave's key in the environment; returns (status, parsed stdout or stderr)."""
    monkeypatch.setenv(PRIVATE_KEY_ENV, DAVE.key.hex())

    def invoke(*words: str) -> tuple[int, Any]:
        parser = argparse.ArgumentParser()
        add_subcommands(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args([*words[:1], *_subcommand(words), "--sequencer", sequencer[0], *_rest(words)])
        status = args.run(args)
        out, err = capsys.readouterr()
        return status, (json.loads(out) if status == 0 else err)

    return invoke


def _subcommand(words: tuple[str, ...]) -> list[str]:
    """``order place`` has two command words; the others one."""
    return [words[1]] if words[0] == "order" else []


def _rest(words: tuple[str, ...]) -> list[str]:
    return list(words[2:] if words[0] == "order" else words[1:])


def test_account_shows_address_key_and_balances(run: Any) -> None:
    status, shown = run("account")
    assert status == 0
    assert shown["address"] == DAVE.address
    assert shown["account"]["account_index"] == DAVE_INDEX
    assert shown["l2_public_key"] == [str(DAVE_KEY.public_key.ax), str(DAVE_KEY.public_key.ay)]
    assert {b["token"]: b["balance"] for b in shown["account"]["balances"]} == {
        0: str(100 * UNIT),
        1: str(10_000 * UNIT),
    }


def test_place_list_cancel_by_client_id(run: Any) -> None:
    status, placed = run("order", "place", MARKET.name, "buy", "2e18", "1.5e18", "--client-id", "cli-1")
    assert status == 0 and placed["order"]["status"] == "open"
    assert placed["order"]["price"] == str(2 * UNIT) and placed["order"]["amount"] == str(3 * UNIT // 2)
    _, listed = run("order", "list")
    assert [o["client_order_id"] for o in listed] == ["cli-1"]
    status, cancelled = run("order", "cancel", "--client-id", "cli-1")
    assert status == 0 and cancelled["order"]["status"] == "cancelled"
    _, listed = run("order", "list", "--all")
    assert listed[0]["client_order_id"] == "cli-1"


def test_cancel_all_book_and_trades(run: Any) -> None:
    for price in ("3e18", "4e18"):
        assert run("order", "place", MARKET.name, "sell", price, "1e18", "--kind", "post_only")[0] == 0
    _, book = run("book", MARKET.name)
    assert [level["price"] for level in book["asks"]][:2] == [str(3 * UNIT), str(4 * UNIT)]
    status, result = run("order", "cancel-all")
    assert status == 0 and len(result["cancelled"]) == 2
    assert run("trades", MARKET.name)[0] == 0


def test_orders_that_never_rest_expire_within_a_minute(run: Any) -> None:
    """The proof keeps an IOC's fills in one batch but not which: a short default life bounds a held-back order."""
    before = int(time.time())
    status, placed = run("order", "place", MARKET.name, "buy", "1e18", "1e18", "--kind", "ioc")
    assert status == 0 and placed["order"]["kind"] == "ioc"
    assert before + 60 <= int(placed["order"]["expiry"]) <= int(time.time()) + 60
    status, resting = run("order", "place", MARKET.name, "buy", "1e18", "1e18")
    assert status == 0 and int(resting["order"]["expiry"]) >= before + 86_400
    assert run("order", "cancel", str(resting["order"]["order_id"]))[0] == 0


def test_withdraw(run: Any) -> None:
    status, result = run("withdraw", str(BASE), "1e18")
    assert status == 0 and result["withdrawal"]["amount"] == str(UNIT)


def test_refusals_are_reported_with_their_code(run: Any) -> None:
    status, message = run("order", "place", "NOPE", "buy", "1e18", "1e18")
    assert status == 1 and "UNKNOWN_MARKET" in message


def test_without_a_key_nothing_is_signed(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PRIVATE_KEY_ENV)
    status, message = run("account")
    assert status == 1 and PRIVATE_KEY_ENV in message


def test_a_keystore_file_works_instead(run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    keystore = tmp_path / "dave.json"
    keystore.write_text(json.dumps(Account.encrypt(DAVE.key, "correct horse", iterations=2)))
    monkeypatch.delenv(PRIVATE_KEY_ENV)
    monkeypatch.setenv(KEYSTORE_PASSWORD_ENV, "correct horse")
    status, shown = run("account", "--keystore", str(keystore))
    assert status == 0 and shown["address"] == DAVE.address
    monkeypatch.setenv(KEYSTORE_PASSWORD_ENV, "wrong")
    status, message = run("account", "--keystore", str(keystore))
    assert status == 1 and "cannot decrypt" in message
