"""
The ``sequencer`` command: run the sequencer service.

Against a chain::

    MATCHPROOF_OPERATOR_PRIVATE_KEY=0x... matchproof sequencer \\
        --rpc http://127.0.0.1:8545 --deployment data/deployment.json \\
        --markets markets.json --circuit devnet --prove

With prover workers, each with its own key (``matchproof prover-key NAME
--keys prover-keys.json`` prints it; the worker runs as
``MATCHPROOF_PROVER_TOKEN=NAME:SECRET matchproof prover --sequencer http://HOST:8080``)::

    ... --remote-provers --prover-keys prover-keys.json --lease-seconds 60

Standalone (no chain; L1 requests from a JSON file, batches stay sealed)::

    matchproof sequencer --markets markets.json --l1-requests-file queue.json

``add_subcommands(subparsers)`` registers it; the parsed arguments carry the
handler as ``args.run`` (as ``matchproof`` dispatches), which returns the exit status.
"""

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from fastapi import APIRouter

from prover import build_circuit, prove, verify_proof
from prover.groth16 import PROVER_BACKENDS, WITNESS_BACKENDS
from prover.manifest import DEFAULT_MANIFEST, load_config
from sequencer.engine.batcher import PerpSetup
from sequencer.keystore import OPERATOR_KEY_ENV, KeyUnavailable, load_account
from sequencer.l1.compile import compile_contracts
from sequencer.l1.checks import DeploymentMismatch, ExpectedVerifier, check_deployment
from sequencer.l1.deploy import VERIFIER_CONTRACT, Deployment
from sequencer.l1.paths import REPO_ROOT
from sequencer.l1.perp_parameters import PerpParametersMismatch, read_perp_parameters
from sequencer.l1.rollup import Rollup
from sequencer.l1.submitter import DEFAULT_MAX_BUNDLE, MAX_BUNDLE, Submitter
from sequencer.l1.verifying_key import VerifyingKey
from sequencer.logs import configure_logging
from sequencer.proving_queue import ProvingQueue
from sequencer.settlement import LocalProver, Settlement
from sequencer.spec.constants import TreeConfig

from .config import (
    ConfigError,
    ServiceConfig,
    load_markets,
    load_min_withdrawals,
    load_perp_markets,
    load_token_labels,
)
from .core import SequencerService
from .l1 import ChainRequests, FileRequests, L1Requests
from .metrics import Metric, batch_metrics, halt_metric, l1_metrics, metrics_router, proving_metrics
from .prover_auth import ProverKeys, add_key
from .prover_routes import prover_router
from .server import serve

log = logging.getLogger(__name__)

DESCRIPTION = (__doc__ or "").split("``add_subcommands")[0].strip()
"""The command's help text: the module docstring without the note for programmers."""

EXIT_FATAL = 70
"""The exit status after a fatal intake error (restart the process: it replays its log)."""


def add_subcommands(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Register ``sequencer``."""
    parser = subparsers.add_parser(
        "sequencer",
        help="run the sequencer (order intake, matching, batching, proving)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--markets", type=Path, required=True, help="markets JSON file")
    parser.add_argument("--data-dir", type=Path, default=Path("data/sequencer"), help="where the log lives")
    parser.add_argument("--circuit", default="devnet", help="circuit configuration: tree depths and batch size")
    parser.add_argument("--rpc", help="L1 JSON-RPC URL (with --deployment)")
    parser.add_argument("--deployment", type=Path, help="deployment file written by the deploy step")
    parser.add_argument(
        "--public-rpc",
        help="with --deployment: the L1 node the trading page's deposits and claims go through, as browsers reach it "
        "(default: none; the page then leaves them to the command line)",
    )
    parser.add_argument("--l1-requests-file", type=Path, help="without a chain: read L1 requests from this file")
    parser.add_argument(
        "--prove", action="store_true", help="run a prover worker in this process, on the same queue as remote ones"
    )
    parser.add_argument(
        "--remote-provers",
        action="store_true",
        help="let prover workers (matchproof prover --sequencer URL) lease sealed batches; submit their proofs in order",
    )
    parser.add_argument(
        "--witness", choices=WITNESS_BACKENDS, default="wasm", help="with --prove: the witness generator"
    )
    parser.add_argument(
        "--backend", choices=PROVER_BACKENDS, default="arkworks", help="with --prove: the prover (arkworks or snarkjs)"
    )
    parser.add_argument("--prover-keys", type=Path, help="with --remote-provers: the workers' keys (matchproof prover-key)")
    parser.add_argument("--lease-seconds", type=float, default=60.0, help="how long a silent worker keeps a batch")
    parser.add_argument(
        "--max-bundle",
        type=int,
        default=DEFAULT_MAX_BUNDLE,
        help="the most proven batches sent in one L1 transaction (their proofs verified together)",
    )
    parser.add_argument(
        "--max-lease-seconds", type=float, default=900.0, help="how long one worker may keep a batch in all"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--max-batch-wait", type=int, default=10, help="seconds before a partial batch is sealed")
    parser.add_argument("--poll-interval", type=float, default=0.5, help="seconds between timer and L1 polls")
    parser.add_argument(
        "--funding-interval",
        type=int,
        default=ServiceConfig.funding_interval_s,
        help="seconds between funding ticks of perpetual markets in which someone holds a position",
    )
    parser.add_argument(
        "--checkpoint-every",
        type=int,
        default=ServiceConfig.checkpoint_every,
        help="log entries between state checkpoints (0: none)",
    )
    parser.add_argument(
        "--compact-log", action="store_true", help="delete log entries behind each checkpoint (their receipts go too)"
    )
    parser.add_argument(
        "--operator-keystore",
        type=Path,
        help=f"keystore of the operator's Ethereum key (default: the key in ${OPERATOR_KEY_ENV})",
    )
    parser.set_defaults(run=run_sequencer)

    keys = subparsers.add_parser(
        "prover-key",
        help="make a prover worker's key: adds its hash to the sequencer's key file, prints the token once",
    )
    keys.add_argument("name", help="the worker's name (A-Z a-z 0-9 _ . -)")
    keys.add_argument("--keys", type=Path, required=True, help="the sequencer's key file (--prover-keys)")
    keys.set_defaults(run=run_prover_key)


def run_prover_key(args: argparse.Namespace) -> int:
    """Add a worker key and print its token (the worker's ``MATCHPROOF_PROVER_TOKEN``)."""
    try:
        token = add_key(args.keys, args.name)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(token)
    return 0


def run_sequencer(args: argparse.Namespace) -> int:
    """Build the service from the arguments and serve until interrupted."""
    configure_logging()
    try:
        operator = load_account(args.operator_keystore, OPERATOR_KEY_ENV)
        service, routers = build_service(args, operator)
    except (KeyUnavailable, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    serve(service, args.host, args.port, routers=routers)
    return 0


def build_service(args: argparse.Namespace, operator: LocalAccount) -> tuple[SequencerService, list[APIRouter]]:
    """
    The service the arguments describe, and the extra routes it serves (the
    job endpoints for remote provers, with ``--remote-provers``).

    Raises
    ------
    ConfigError
        Inconsistent arguments, or a deployment for another circuit.
    """
    params = dict(load_config(REPO_ROOT / DEFAULT_MANIFEST, args.circuit).params)
    tree = TreeConfig.from_circuit_params(params)
    markets = load_markets(args.markets)
    common = {
        "min_withdrawals": load_min_withdrawals(args.markets),
        "token_labels": load_token_labels(args.markets),
        "data_dir": args.data_dir,
        "tree": tree,
        "slots": params["nTx"],
        "markets": markets,
        "max_batch_wait_s": args.max_batch_wait,
        "poll_interval_s": args.poll_interval,
        "funding_interval_s": args.funding_interval,
        "checkpoint_every": args.checkpoint_every,
        "compact_log": args.compact_log,
    }
    if args.funding_interval < 1:
        raise ConfigError("--funding-interval must be at least 1 second")
    if not 1 <= args.max_bundle <= MAX_BUNDLE:
        raise ConfigError(f"--max-bundle must be 1 to {MAX_BUNDLE} (what the verifier checks in one call)")
    if args.deployment is None:
        if args.prove or args.remote_provers or args.rpc or args.public_rpc:
            raise ConfigError("--prove, --remote-provers, --rpc and --public-rpc need --deployment")
        l1: L1Requests | None = None if args.l1_requests_file is None else FileRequests(args.l1_requests_file)
        return SequencerService(ServiceConfig(**common), operator, l1=l1, on_fatal=_exit), []
    if args.rpc is None or args.l1_requests_file is not None:
        raise ConfigError("--deployment needs --rpc, and reads L1 requests from the chain")
    circuit = build_circuit(args.circuit) if args.prove or args.remote_provers else None
    verifier = (
        None
        if circuit is None
        else ExpectedVerifier(compile_contracts().get(VERIFIER_CONTRACT), VerifyingKey.from_snarkjs(circuit.vkey))
    )
    deployment, rollup, perp = connect_rollup(args, params, verifier)
    config = ServiceConfig(
        **common,
        perp=perp,
        chain_id=deployment.chain_id,
        rollup=deployment.rollup,
        token_count=len(deployment.tokens),
        public_rpc=args.public_rpc,
    )
    settlement: Settlement | None = None
    local_prover: LocalProver | None = None
    queue: ProvingQueue | None = None
    submitter: Submitter | None = None
    keys: ProverKeys | None = None
    if circuit is not None:
        queue = ProvingQueue(
            check=lambda proof: verify_proof(circuit, proof),
            lease_seconds=args.lease_seconds,
            max_lease_seconds=args.max_lease_seconds,
        )
        submitter = Submitter(rollup, operator, max_bundle=args.max_bundle)
        # The chain says where settlement stands, whatever this process remembers.
        settlement = Settlement(queue, submitter, handed_over=rollup.last_batch())
        if args.prove:
            local_prover = LocalProver(
                queue, lambda batch: prove(circuit, batch.circuit_input, witness=args.witness, backend=args.backend)
            )
    if args.remote_provers:
        if args.prover_keys is None:
            raise ConfigError("--remote-provers needs --prover-keys: workers prove only with a key")
        keys = ProverKeys.load(args.prover_keys)
    service = SequencerService(
        config, operator, l1=ChainRequests(rollup), settlement=settlement, local_prover=local_prover, on_fatal=_exit
    )
    return service, operations_routers(service, rollup, queue, submitter, args.circuit, keys)


def connect_rollup(
    args: argparse.Namespace, params: dict[str, int], verifier: ExpectedVerifier | None = None
) -> tuple[Deployment, Rollup, PerpSetup | None]:
    """
    The rollup ``--deployment`` names on the chain at ``--rpc``, checked
    against the circuit ``--circuit`` (``params``), the chain's bytecode and
    parameters (and ``verifier``'s key, if given), with its perpetual side.

    Raises
    ------
    ConfigError
        A deployment for another circuit, or one the chain does not hold as described.
    """
    tree = TreeConfig.from_circuit_params(params)
    deployment = Deployment.load(args.deployment)
    if (deployment.n_tx, deployment.account_depth, deployment.balance_depth) != (
        params["nTx"],
        tree.account_depth,
        tree.balance_depth,
    ):
        raise ConfigError(f"the deployment was made for another circuit than {args.circuit!r}")
    rollup = Rollup(Web3(HTTPProvider(args.rpc)), deployment, compile_contracts())
    perp = perpetual_side(rollup, deployment, params, args.markets)
    try:  # the chain, not the deployment file, says what was deployed
        check_deployment(
            rollup.w3,
            rollup.contract,
            tree,
            params["nTx"],
            verifier,
            None if perp is None else perp.config,
            0 if perp is None else perp.slots,
        )
    except DeploymentMismatch as error:
        raise ConfigError(f"{args.deployment}: {error}") from error
    return deployment, rollup, perp


def perpetual_side(rollup: Rollup, deployment: Deployment, params: dict[str, int], markets: Path) -> PerpSetup | None:
    """
    The deployment's perpetual side: its parameters as the rollup's
    constructor emitted them (checked against the hash the rollup keeps),
    its perpetual slots a batch (the circuit's ``nPerp``), and the markets
    file's ``perpetual_markets``; None for a spot-only rollup.

    Raises
    ------
    ConfigError
        The rollup has perpetual markets but the circuit or the markets file
        does not, or the other way round, or L1's parameters do not check.
    """
    perpetuals = rollup.contract.functions.perpetuals().call()
    config_hash, perp_slots = int(perpetuals[4]), int(perpetuals[5])
    rules = load_perp_markets(markets)
    if config_hash == 0:
        if rules or params["nPerp"]:
            raise ConfigError("the rollup has no perpetual markets, but the circuit or the markets file has some")
        return None
    if params["nPerp"] != perp_slots:
        raise ConfigError(f"the rollup has {perp_slots} perpetual slots a batch; the circuit has {params['nPerp']}")
    if not rules:
        raise ConfigError(f"the rollup has perpetual markets: list the ones to trade in {markets} (perpetual_markets)")
    try:
        config = read_perp_parameters(rollup.contract, deployment.block_number, deployment.block_number, config_hash)
    except PerpParametersMismatch as error:
        raise ConfigError(str(error)) from error
    if int(perpetuals[6]) != config.insurance_fund:
        raise ConfigError(
            f"the rollup reserves account {perpetuals[6]} for the insurance fund; its parameters name {config.insurance_fund}"
        )
    for market in rules:
        if market.market >= len(config.markets):
            raise ConfigError(f"perpetual market {market.name!r}: the rollup has no market {market.market}")
    return PerpSetup(config, perp_slots, rules)


def operations_routers(
    service: SequencerService,
    rollup: Rollup,
    queue: ProvingQueue | None,
    submitter: Submitter | None,
    circuit: str,
    keys: ProverKeys | None,
) -> list[APIRouter]:
    """``/metrics``, and the job endpoints for remote provers when there is a proving queue."""
    sources: list[Callable[[], list[Metric]]] = [
        lambda: [batch_metrics(service), halt_metric(service)],
        lambda: l1_metrics(rollup, submitter),
    ]
    routers = []
    if queue is not None and keys is not None:
        sources.append(lambda: proving_metrics(queue))
        routers.append(prover_router(queue, circuit, keys))
    return [metrics_router(sources), *routers]


def _exit(error: BaseException) -> None:
    """After a fatal intake error: exit at once, so a supervisor restarts the sequencer from its log."""
    log.critical("exiting after a fatal error: %r", error)
    logging.shutdown()
    os._exit(EXIT_FATAL)
