"""
The ``matchproof`` command.

- ``matchproof build [--config NAME]``: compile a circuit configuration, run its
  (development) trusted setup and compile the contracts with its verifier;
  cached, so a second run returns at once.
- ``matchproof devnet [--config NAME] [--nodes N]``: the end-to-end demo on a
  fresh anvil (with ``--nodes``, through a sequencer set of N CometBFT nodes).
- ``matchproof deploy --rpc URL [--config NAME] [--out DIR]``: deploy a
  development rollup (the circuit's verifier, two test tokens anyone may
  mint, the operator's key from ``MATCHPROOF_OPERATOR_PRIVATE_KEY``) and write
  the ``deployment.json`` and ``markets.json`` the sequencer reads.
- ``matchproof sequencer ...``: the sequencer service (``sequencer/service/cli.py``);
  ``matchproof account|deposit|withdraw|order|book|trades``: the trader's client
  (``sequencer/client/cli.py``).
- ``matchproof reconstruct|force-withdraw|force-cancel-all|freeze|exit``: the
  way out without the operator; ``matchproof claim-fees``: the submitter takes
  the L1 request fees (``sequencer/l1/exit_cli.py``).
- ``matchproof oracle-feeder --sequencer URL --keys FILE ...``: post an
  oracle quorum's signed prices for a perpetual market (``sequencer/oracle/``).
- ``matchproof node init|start``: a node of the sequencer set, which orders
  transactions with CometBFT (``sequencer/consensus/``).
- ``matchproof bench``: the benchmarks (``bench/``), side by side with
  settling each trade on L1.
- ``matchproof prover --sequencer URL``: a stateless proving worker that
  leases batches from a sequencer with its key (from
  ``MATCHPROOF_PROVER_TOKEN``; ``matchproof prover-key NAME`` makes one), for
  the circuit configuration its job routes name; ``--jobs DIR [--config
  NAME]`` instead proves the batch jobs appearing in a folder.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from eth_account import Account
from web3 import HTTPProvider, Web3
from web3.types import Wei

from prover import ProverError, build_circuit, run_worker
from prover.ceremony_cli import add_subcommands as add_ceremony_commands
from prover.groth16 import PROVER_BACKENDS, WITNESS_BACKENDS
from prover.remote import JobRefused, run_remote_worker, served_circuit
from sequencer.client.cli import add_subcommands as add_trader_commands
from sequencer.consensus.node import add_subcommands as add_node_commands
from sequencer.demo import run_demo
from sequencer.demo_set import run_set_demo
from sequencer.devnet import TEST_TOKENS, Devnet, devnet_market, devnet_perp_rules
from sequencer.keystore import OPERATOR_KEY_ENV, KeyUnavailable, load_account
from sequencer.l1.compile import compile_contracts
from sequencer.l1.transactions import send_transaction
from sequencer.l1.exit_cli import add_subcommands as add_exit_commands
from sequencer.local_system import markets_document
from sequencer.logs import configure_logging
from sequencer.oracle.cli import add_subcommands as add_oracle_commands
from sequencer.service.cli import add_subcommands as add_sequencer_commands
from sequencer.service.prover_auth import PROVER_TOKEN_ENV

DEFAULT_CONFIG = "devnet"


def build(args: argparse.Namespace) -> int:
    """Build the circuit and the contracts; print what was built."""
    started = time.monotonic()
    circuit = build_circuit(args.config)
    contracts = compile_contracts()
    print(f"circuit '{args.config}': {circuit.constraints:,} constraints, {dict(circuit.config.params)}")
    print(f"  proving key      {circuit.zkey}")
    print(f"  verifying key    {circuit.vkey} (the verifier contract is deployed with it)")
    print(f"contracts: {len(contracts.contracts)} compiled ({contracts.cache_file})")
    print(f"ready in {time.monotonic() - started:.1f} s")
    return 0


def devnet(args: argparse.Namespace) -> int:
    """Run the demo; SIGTERM stops it as Ctrl-C does, stopping its processes and anvil on the way out."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if args.nodes > 1:
        if args.keep_running:
            print("matchproof: --keep-running is for the one-sequencer demo", file=sys.stderr)
            return 2
        run_set_demo(args.config, args.nodes)
        return 0
    run_demo(args.config, keep_running=args.keep_running)
    return 0


FUND_GAS_MONEY = 10**18
"""The ether a development deployment's new insurance-fund account gets from the operator for its transactions."""


def deploy(args: argparse.Namespace) -> int:
    """
    Deploy a development rollup for the circuit configuration, operated by
    the operator's key, and write ``deployment.json`` and ``markets.json``
    (WETH-USDC, and ETH-PERP for a circuit with perpetual slots) into
    ``--out``. With perpetual markets it also writes the new oracle key
    set's private keys (``oracle-keys.json``, for ``matchproof
    oracle-feeder``) and the private key of the insurance fund's new L1
    account (``insurance-fund.key``), which the operator pays a little
    ether and which deposits the fund's capital at once.
    """
    try:
        operator = load_account(args.operator_keystore, OPERATOR_KEY_ENV)
    except KeyUnavailable as error:
        print(f"matchproof: {error}", file=sys.stderr)
        return 2
    circuit = build_circuit(args.config)
    w3 = Web3(HTTPProvider(args.rpc))
    fund = None
    if dict(circuit.config.params)["nPerp"]:
        fund = Account.create()
        send_transaction(w3, operator, {"from": operator.address, "to": fund.address, "value": Wei(FUND_GAS_MONEY)}, gas=21_000)
    devnet = Devnet.deploy(w3, operator, circuit, fund=fund)
    args.out.mkdir(parents=True, exist_ok=True)
    deployment_file, markets_file = args.out / "deployment.json", args.out / "markets.json"
    devnet.deployment.save(deployment_file)
    perpetual = [] if devnet.perpetuals is None else [devnet_perp_rules()]
    markets_file.write_text(json.dumps(markets_document([devnet_market()], TEST_TOKENS, perpetual), indent=2) + "\n")
    shown: dict[str, object] = {
        "rollup": devnet.deployment.rollup,
        "operator": operator.address,
        "circuit": args.config,
        "tokens": dict(enumerate(devnet.deployment.tokens)),
        "deployment": str(deployment_file),
        "markets": str(markets_file),
    }
    if devnet.perpetuals is not None:
        keys_file, fund_file = args.out / "oracle-keys.json", args.out / "insurance-fund.key"
        devnet.perpetuals.oracles.save(keys_file)
        fund_file.write_text("0x" + bytes(devnet.perpetuals.fund.key).hex() + "\n", encoding="utf-8")
        fund_file.chmod(0o600)
        shown |= {
            "oracle_keys": str(keys_file),
            "oracle_quorum": devnet.perpetuals.config.oracle_quorum,
            "insurance_fund": devnet.perpetuals.fund.address,
            "insurance_fund_key": str(fund_file),
        }
    print(json.dumps(shown, indent=2))
    return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """Leave through the context managers (they stop the demo's processes), with the usual status."""
    raise SystemExit(128 + signum)


def prover(args: argparse.Namespace) -> int:
    """
    Run a proving worker until interrupted: on a jobs folder, or leasing from
    a sequencer, for the circuit configuration it names (``--config``, if
    given, must be that one).
    """
    if args.sequencer:
        token = os.environ.get(PROVER_TOKEN_ENV)
        if not token or ":" not in token:
            print(f"matchproof: set {PROVER_TOKEN_ENV} to this worker's key (matchproof prover-key NAME)", file=sys.stderr)
            return 2
        try:
            served = served_circuit(args.sequencer, token)
        except JobRefused as error:
            print(f"matchproof: {args.sequencer} refused this worker: {error}", file=sys.stderr)
            return 2
        if args.config is not None and args.config != served:
            print(f"matchproof: the sequencer proves circuit {served!r}, not {args.config!r}", file=sys.stderr)
            return 2
        circuit = build_circuit(served)
        worker = token.partition(":")[0]
        print(f"worker {worker}: proving '{served}' batches leased from {args.sequencer}", flush=True)
        handled = run_remote_worker(args.sequencer, circuit, token, witness=args.witness, backend=args.backend)
    else:
        circuit = build_circuit(args.config or DEFAULT_CONFIG)
        args.jobs.mkdir(parents=True, exist_ok=True)
        print(f"proving '{circuit.config.name}' jobs in {args.jobs} ({circuit.constraints:,} constraints)", flush=True)
        handled = run_worker(args.jobs, circuit, exit_when_idle=args.once, witness=args.witness, backend=args.backend)
    print(f"handled {handled} jobs")
    return 0


def run_bench(args: argparse.Namespace) -> int:
    """``python -m bench`` with the remaining arguments (the product does not import the benchmarks)."""
    return subprocess.call([sys.executable, "-m", "bench", *args.bench_args])


def parser() -> argparse.ArgumentParser:
    """The command line."""
    top = argparse.ArgumentParser(prog="matchproof", description="A ZK-proven order-book exchange rollup.")
    commands = top.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="compile the circuit, set it up, compile the contracts")
    build_cmd.add_argument("--config", default=DEFAULT_CONFIG, help="circuit configuration (circuits/configs.json)")
    build_cmd.set_defaults(run=build)

    devnet_cmd = commands.add_parser("devnet", help="run the end-to-end demo on a fresh local anvil")
    devnet_cmd.add_argument("--config", default=DEFAULT_CONFIG, help="circuit configuration (circuits/configs.json)")
    devnet_cmd.add_argument(
        "--keep-running", action="store_true", help="after the story, keep the devnet and its explorer up until Ctrl-C"
    )
    devnet_cmd.add_argument(
        "--nodes", type=int, default=1, help="more than 1: run the story with a sequencer set of this many CometBFT nodes"
    )
    devnet_cmd.set_defaults(run=devnet)

    deploy_cmd = commands.add_parser(
        "deploy", help="deploy a development rollup with test tokens; write deployment.json and markets.json"
    )
    deploy_cmd.add_argument("--rpc", required=True, help="L1 JSON-RPC URL")
    deploy_cmd.add_argument("--config", default=DEFAULT_CONFIG, help="circuit configuration (circuits/configs.json)")
    deploy_cmd.add_argument("--out", type=Path, default=Path("."), help="folder for deployment.json and markets.json")
    deploy_cmd.add_argument(
        "--operator-keystore",
        type=Path,
        help=f"keystore file of the operator's Ethereum key (default ${OPERATOR_KEY_ENV}), as for the sequencer",
    )
    deploy_cmd.set_defaults(run=deploy)

    prover_cmd = commands.add_parser("prover", help="a proving worker: leases batches from a sequencer, or proves a folder's jobs")
    source = prover_cmd.add_mutually_exclusive_group(required=True)
    source.add_argument("--sequencer", help="URL of the sequencer to lease batches from")
    source.add_argument("--jobs", type=Path, help="folder of <batch>.input.json jobs")
    prover_cmd.add_argument(
        "--witness", choices=WITNESS_BACKENDS, default="wasm",
        help="witness generator: circom's WebAssembly, or its C++ program (faster; built on first use)",
    )  # fmt: skip
    prover_cmd.add_argument(
        "--backend", choices=PROVER_BACKENDS, default="arkworks",
        help="prover: arkworks in this process (fast), or snarkjs (the reference); snarkjs verifies either",
    )  # fmt: skip
    prover_cmd.add_argument(
        "--config",
        help=f"circuit configuration (circuits/configs.json); with --sequencer, the one it names; else {DEFAULT_CONFIG}",
    )
    prover_cmd.add_argument("--once", action="store_true", help="with --jobs: exit when no job is left")
    prover_cmd.set_defaults(run=prover)

    add_ceremony_commands(commands)
    add_sequencer_commands(commands)
    add_trader_commands(commands)
    add_exit_commands(commands)
    add_oracle_commands(commands)
    add_node_commands(commands)
    bench_cmd = commands.add_parser(
        "bench", help="the benchmarks, side by side with settling each trade on L1 (python -m bench)", add_help=False
    )
    bench_cmd.set_defaults(run=run_bench)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``matchproof`` console script."""
    configure_logging()
    args, rest = parser().parse_known_args(argv)
    if args.command != "bench" and rest:
        parser().error(f"unrecognized arguments: {' '.join(rest)}")
    args.bench_args = rest
    try:
        return int(args.run(args))
    except ProverError as error:
        print(f"matchproof: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
