"""The compiler wrapper, the compile cache and anvil."""

import json
import subprocess
from pathlib import Path

import pytest
from web3 import Web3
from web3.exceptions import Web3RPCError
from web3.types import RPCEndpoint, Wei

from sequencer.l1.anvil import HARDFORK, AnvilNode, start_anvil
from sequencer.l1.compile import compile_contracts
from sequencer.l1.paths import SOLC_WRAPPER
from sequencer.l1.transactions import send_transaction
from tests.contracts.conftest import REJECTING_VERIFIER


def test_solc_wrapper_reports_version_like_native_solc() -> None:
    out = subprocess.run([str(SOLC_WRAPPER), "--version"], check=True, capture_output=True, text=True).stdout
    assert out.startswith("solc, the solidity compiler commandline interface\nVersion: 0.8.37+commit.")


def test_solc_wrapper_compiles_standard_json_from_any_directory(tmp_path: Path) -> None:
    source = 'import "@openzeppelin/contracts/utils/Context.sol"; contract C is Context {}'
    compiler_input = {
        "language": "Solidity",
        "sources": {"c.sol": {"content": source}},
        "settings": {
            "remappings": ["@openzeppelin/=node_modules/@openzeppelin/"],
            "outputSelection": {"*": {"*": ["abi"]}},
        },
    }
    result = subprocess.run(
        [str(SOLC_WRAPPER), "--standard-json"],
        input=json.dumps(compiler_input),
        check=True,
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
    )
    output = json.loads(result.stdout)
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"]
    assert "C" in output["contracts"]["c.sol"]


def test_compile_contracts_is_cached_by_inputs() -> None:
    first = compile_contracts()
    mtime = first.cache_file.stat().st_mtime_ns
    again = compile_contracts()
    assert again.cache_file == first.cache_file
    assert again.cache_file.stat().st_mtime_ns == mtime
    with_verifier = compile_contracts(REJECTING_VERIFIER)
    assert with_verifier.key != first.key
    assert with_verifier.get("RejectingVerifier").bytecode.startswith("0x60")
    assert first.get("Matchproof").abi == with_verifier.get("Matchproof").abi


def test_compile_contracts_looks_up_by_name_or_unit() -> None:
    compiled = compile_contracts()
    with pytest.raises(KeyError):
        compiled.get("NoSuchContract")
    assert compiled.get("contracts/src/Matchproof.sol:Matchproof").name == "Matchproof"


def test_anvil_runs_pinned_hardfork(anvil: AnvilNode, w3: Web3) -> None:
    info = w3.provider.make_request(RPCEndpoint("anvil_nodeInfo"), [])
    assert info["result"]["hardFork"].lower() == HARDFORK
    assert w3.eth.chain_id == anvil.chain_id
    assert len(anvil.accounts()) == 10


def test_anvil_stops_and_cleans_up() -> None:
    node = start_anvil(accounts=1)
    assert node.web3().eth.block_number == 0
    node.stop()
    assert node.process.poll() is not None
    assert not node.workdir.exists()
    node.stop()  # idempotent


def test_anvil_enforces_eip7825_gas_cap(anvil: AnvilNode, w3: Web3) -> None:
    sender, receiver = anvil.accounts()[8:10]
    with pytest.raises(Web3RPCError, match="gas_limit_cap"):
        send_transaction(w3, sender, {"to": receiver.address, "value": Wei(1)}, gas=2**24 + 1)
    assert send_transaction(w3, sender, {"to": receiver.address, "value": Wei(1)}, gas=2**24)["status"] == 1
