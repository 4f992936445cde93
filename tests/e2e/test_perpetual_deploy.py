"""
``matchproof deploy`` for a circuit with perpetual slots, on a real anvil:
the rollup it deploys emits the perpetual parameters the oracle keys it
wrote sign for, and the insurance fund's new account registered the
fund's reserved account at once, with its capital, so the next trader to
register is not refused.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from sequencer.crypto.eddsa import private_to_public
from sequencer.devnet import FUND_CAPITAL, INSURANCE_FUND
from sequencer.l1.anvil import AnvilNode
from sequencer.l1.compile import compile_contracts
from sequencer.l1.deploy import Deployment
from sequencer.l1.paths import REPO_ROOT
from sequencer.l1.perp_parameters import read_perp_parameters
from sequencer.l1.rollup import Rollup
from sequencer.oracle.feeder import OracleKeys
from sequencer.service.config import load_perp_markets
from sequencer.spec.transactions import Deposit
from tests.spec.builders import public_key


def test_deploy_writes_the_oracle_keys_and_registers_the_insurance_fund(anvil: AnvilNode, tmp_path: Path) -> None:
    operator = anvil.accounts()[0]
    environment = {**os.environ, "MATCHPROOF_OPERATOR_PRIVATE_KEY": "0x" + bytes(operator.key).hex()}
    done = subprocess.run(
        [sys.executable, "-m", "sequencer.cli", "deploy", "--rpc", anvil.url, "--config", "test_perp", "--out", str(tmp_path)],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    shown = json.loads(done.stdout)
    assert (tmp_path / "insurance-fund.key").stat().st_mode & 0o777 == 0o600
    assert [rules.name for rules in load_perp_markets(tmp_path / "markets.json")] == ["ETH-PERP"]

    rollup = Rollup(anvil.web3(), Deployment.load(tmp_path / "deployment.json"), compile_contracts())
    perpetuals = rollup.contract.functions.perpetuals().call()
    config = read_perp_parameters(
        rollup.contract, rollup.deployment.block_number, rollup.deployment.block_number, int(perpetuals[4])
    )
    oracles = OracleKeys.load(tmp_path / "oracle-keys.json")
    assert tuple(private_to_public(key) for key in oracles.keys) == config.oracle_keys
    assert config.oracle_quorum == shown["oracle_quorum"] == 3
    assert config.insurance_fund == INSURANCE_FUND == int(perpetuals[6])

    fund = anvil.web3().eth.account.from_key((tmp_path / "insurance-fund.key").read_text().strip())
    assert fund.address == shown["insurance_fund"]
    assert tuple(rollup.contract.functions.accountOf(fund.address).call()) == (True, INSURANCE_FUND)
    fund_deposit = rollup.l1_requests(0)[-1].transaction
    assert isinstance(fund_deposit, Deposit) and fund_deposit.amount == FUND_CAPITAL
    trader = anvil.accounts()[1]  # the next to register takes the next account: nothing waits for the fund
    rollup.mint_test_token(trader, 1, trader.address, 10**18)
    rollup.deposit(trader, 1, 10**18, public_key(1))
    assert tuple(rollup.contract.functions.accountOf(trader.address).call()) == (True, INSURANCE_FUND + 1)
