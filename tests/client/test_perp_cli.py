"""The perpetual trader commands (``collateral``, ``perp-order``, ``position``, ``account``) against a real sequencer."""

import argparse
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sequencer.client.cli import add_subcommands
from sequencer.client.http import SequencerClient
from sequencer.engine.batcher import PerpSetup
from sequencer.keystore import PRIVATE_KEY_ENV
from sequencer.spec.constants import Side
from tests.client.test_cli import DAVE, DAVE_INDEX, dave_funding
from tests.engine.exchange import ALICE
from tests.engine.perp_exchange import PERP
from tests.service.harness import running_sequencer, wait_for
from tests.service.test_perp_api import order_body, perp_config, prices_body, transfer_body


@pytest.fixture(scope="module")
def sequencer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SequencerClient]]:
    perp = PerpSetup(perp_config(), 2, (PERP,))
    with running_sequencer(tmp_path_factory.mktemp("perp-cli"), dave_funding(), perp) as (server, client):
        yield server.url, client


@pytest.fixture
def run(sequencer: tuple[str, SequencerClient], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run a trader command with Dave's key; returns (status, parsed stdout or stderr)."""
    monkeypatch.setenv(PRIVATE_KEY_ENV, DAVE.key.hex())

    def invoke(*words: str) -> tuple[int, Any]:
        parser = argparse.ArgumentParser()
        add_subcommands(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args([words[0], "--sequencer", sequencer[0], *words[1:]])
        status = args.run(args)
        out, err = capsys.readouterr()
        return status, (json.loads(out) if status == 0 else err)

    return invoke


def test_collateral_then_an_order_then_the_position_with_its_leverage(run: Any, sequencer: tuple[str, SequencerClient]) -> None:
    url = sequencer[0]
    wait_for(lambda: httpx.get(f"{url}/v1/status").json()["l1_requests"] == 9)
    status, moved = run("collateral", "in", "5000")
    assert status == 0 and moved["collateral"] == "5000"
    assert httpx.post(f"{url}/v1/perp/prices", json=prices_body(100)).is_success

    status, refused = run("perp-order", PERP.name, "buy", "100", "10", "--reduce-only")
    assert status == 1 and "REDUCE_ONLY_INCREASE" in refused
    status, placed = run("perp-order", PERP.name, "sell", "100", "10")
    assert status == 0 and placed["order"]["status"] == "open" and placed["order"]["remaining"] == "10"

    assert httpx.post(f"{url}/v1/perp/collateral", json=transfer_body(ALICE, 5_000, 0)).is_success
    assert httpx.post(f"{url}/v1/perp/orders", json=order_body(ALICE, 1, Side.BUY, 100, 10)).is_success
    status, position = run("position")
    assert status == 0 and position["account_index"] == DAVE_INDEX
    assert position["positions"] == [{"market": 0, "size": "-10", "notional": "-1000", "unsettled_funding": "0"}]
    assert position["leverage"] == f"{1000 / int(position['value']):.2f}" and position["liquidatable"] is False
    status, account = run("account")
    assert status == 0 and account["perpetual"]["positions"] == position["positions"]

    status, refused = run("perp-order", "NOPE", "buy", "100", "1")
    assert status == 1 and "no perpetual market 'NOPE'" in refused
