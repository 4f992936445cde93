"""
The ``matchproof`` command.

- ``matchproof build [--config NAME]``: compile a circuit configuration, run its
  (development) trusted setup and compile the contracts with its verifier;
  cached, so a second run returns at once.
- ``matchproof devnet [--config NAME]``: the end-to-end demo on a fresh anvil.
- ``matchproof sequencer ...``: the sequencer service (``sequencer/service/cli.py``);
  ``matchproof account|deposit|withdraw|order|book|trades``: the trader's client
  (``sequencer/client/cli.py``).
- ``matchproof reconstruct|force-withdraw|force-cancel-all|freeze|exit``: the
  way out without the operator; ``matchproof claim-fees``: the submitter takes
  the L1 request fees (``sequencer/l1/exit_cli.py``).
- ``matchproof bench``: the benchmarks (``bench/``), side by side with
  settling each trade on L1.
- ``matchproof prover --sequencer URL [--config NAME]``: a stateless proving
  worker that leases batches from a sequencer with its key (from
  ``MATCHPROOF_PROVER_TOKEN``; ``matchproof prover-key NAME`` makes one);
  ``--jobs DIR`` instead proves the batch jobs appearing in a folder.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from prover import ProverError, build_circuit, run_worker
from prover.ceremony_cli import add_subcommands as add_ceremony_commands
from prover.groth16 import PROVER_BACKENDS, WITNESS_BACKENDS
from prover.remote import run_remote_worker
from sequencer.client.cli import add_subcommands as add_trader_commands
from sequencer.demo import run_demo
from sequencer.l1.compile import compile_contracts
from sequencer.l1.exit_cli import add_subcommands as add_exit_commands
from sequencer.logs import configure_logging
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
    run_demo(args.config)
    return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """Leave through the context managers (they stop the demo's processes), with the usual status."""
    raise SystemExit(128 + signum)


def prover(args: argparse.Namespace) -> int:
    """Run a proving worker until interrupted: on a jobs folder, or leasing from a sequencer."""
    circuit = build_circuit(args.config)
    if args.sequencer:
        token = os.environ.get(PROVER_TOKEN_ENV)
        if not token or ":" not in token:
            print(f"matchproof: set {PROVER_TOKEN_ENV} to this worker's key (matchproof prover-key NAME)", file=sys.stderr)
            return 2
        worker = token.partition(":")[0]
        print(f"worker {worker}: proving '{args.config}' batches leased from {args.sequencer}", flush=True)
        handled = run_remote_worker(args.sequencer, circuit, token, witness=args.witness, backend=args.backend)
    else:
        args.jobs.mkdir(parents=True, exist_ok=True)
        print(f"proving '{args.config}' jobs in {args.jobs} ({circuit.constraints:,} constraints)", flush=True)
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
    devnet_cmd.set_defaults(run=devnet)

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
    prover_cmd.add_argument("--config", default=DEFAULT_CONFIG, help="circuit configuration (circuits/configs.json)")
    prover_cmd.add_argument("--once", action="store_true", help="with --jobs: exit when no job is left")
    prover_cmd.set_defaults(run=prover)

    add_ceremony_commands(commands)
    add_sequencer_commands(commands)
    add_trader_commands(commands)
    add_exit_commands(commands)
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
