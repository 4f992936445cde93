"""
One node of the sequencer set, and ``matchproof node``:

- ``matchproof node init --dir DIR --nodes N [--base-port P]``: the homes of
  an N-validator set on this machine (``cometbft.init_set``): each node's
  keys (its CometBFT keys, its member key, an Ethereum key that signs
  batches, and its share of the set's threshold key, which decrypts encrypted
  orders: ``encrypted``), the shared genesis and threshold public key, and
  its own loopback ports; prints each member's address, which the set
  contract lists;
- ``matchproof node deploy-set --dir DIR --rpc URL --deployment FILE``: as
  the rollup's submitter (the operator, its key as for ``matchproof
  sequencer``), deploy the sequencer set of the members whose homes are in
  ``DIR``, hand it the submitter role, and send each member ``--fund``
  ether for the batches it will send;
- ``matchproof node start --home DIR/nodeI --markets FILE --circuit NAME
  [--rpc URL --deployment FILE] [--prove]``: the node's sequencer
  application on its ABCI port, then its CometBFT process, until either
  stops or the node is told to (SIGTERM, SIGINT). With a deployment the
  node reads the rollup's L1 request queue through ``--rpc``; if the
  rollup's submitter is a sequencer set (``l1.sequencer_set``), the node
  signs every batch, and with ``--prove`` proves them and sends them to L1
  through the set (``member``), paying the gas from its member key; with
  ``--api-port`` it serves its HTTP API (``api``).

Traders send transactions (commands in canonical JSON) to any node's RPC
(``broadcast_tx_sync``); ``abci_query`` with path ``status`` or
``book/<market>`` reads a node's committed state.

The application keeps its state in memory: a restarted node starts at
genesis and CometBFT replays its stored blocks to it, then catches up on
the blocks it missed from its peers.
"""

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3
from web3.exceptions import ContractLogicError

from prover import build_circuit, prove
from prover.manifest import DEFAULT_MANIFEST, load_config
from sequencer.crypto.threshold import deal
from sequencer.engine.operator import Operator
from sequencer.logs import configure_logging
from sequencer.keystore import OPERATOR_KEY_ENV, KeyUnavailable, load_account
from sequencer.l1.compile import compile_contracts
from sequencer.l1.deploy import Deployment
from sequencer.l1.paths import REPO_ROOT
from sequencer.l1.rollup import Rollup
from sequencer.l1.sequencer_set import deploy_sequencer_set, sequencer_set_of, threshold
from sequencer.l1.transactions import TransactionFailed, send_transaction
from sequencer.service.cli import connect_rollup
from sequencer.service.config import ConfigError, load_markets, load_min_withdrawals
from sequencer.service.l1 import ChainRequests, L1Requests
from sequencer.service.machine import Machine
from sequencer.spec.constants import TreeConfig

from .abci_server import AbciServer
from .api import node_api
from .app import SequencerApp
from .cometbft import CometBFTUnavailable, NodeHome, cometbft_binary, init_set
from .member import BatchSigner, SetSubmitter
from .encrypted import THRESHOLD_KEY_FILE, Decryptor, load_member_share, load_threshold_key, write_threshold_keys
from .signatures import MEMBER_KEY_FILE, SigningSet, create_member_key, load_member_key


def add_subcommands(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Register ``node init``, ``node deploy-set`` and ``node start``."""
    node = subparsers.add_parser("node", help="a node of the sequencer set (CometBFT consensus)")
    commands = node.add_subparsers(dest="node_command", required=True)
    init = commands.add_parser("init", help="lay out the homes of a validator set on this machine")
    init.add_argument("--dir", type=Path, required=True, help="where the nodes' homes go (node0, node1, ...)")
    init.add_argument("--nodes", type=int, default=4, help="how many validators")
    init.add_argument("--base-port", type=int, default=26600, help="node i listens on base + 10 i, + 1 and + 2 (its API, by convention, on + 3)")
    init.set_defaults(run=run_init)
    deploy_set = commands.add_parser("deploy-set", help="deploy the set's contract and make it the rollup's submitter")
    deploy_set.add_argument("--dir", type=Path, required=True, help="the nodes' homes (matchproof node init)")
    deploy_set.add_argument("--rpc", required=True, help="L1 JSON-RPC URL")
    deploy_set.add_argument("--deployment", type=Path, required=True, help="deployment file written by the deploy step")
    deploy_set.add_argument("--fund", type=float, default=1.0, help="ether sent to each member for gas")
    deploy_set.add_argument(
        "--operator-keystore", type=Path, help=f"keystore of the submitter's key (default: the key in ${OPERATOR_KEY_ENV})"
    )
    deploy_set.set_defaults(run=run_deploy_set)
    start = commands.add_parser("start", help="run one node: its sequencer application and its CometBFT")
    start.add_argument("--home", type=Path, required=True, help="the node's home (matchproof node init)")
    start.add_argument("--markets", type=Path, required=True, help="markets JSON file")
    start.add_argument("--circuit", default="devnet", help="circuit configuration: tree depths and batch size")
    start.add_argument("--rpc", help="L1 JSON-RPC URL (with --deployment)")
    start.add_argument("--deployment", type=Path, help="deployment file written by the deploy step")
    start.add_argument("--max-batch-wait", type=int, default=10, help="seconds of block time before a partial batch is sealed")
    start.add_argument(
        "--funding-interval", type=int, default=60, help="seconds of block time between funding ticks of perpetual markets"
    )
    start.add_argument("--api-port", type=int, help="serve the node's HTTP API (book, status, orders) on this loopback port")
    start.add_argument("--prove", action="store_true", help="prove batches and send them to L1 through the sequencer set")
    start.add_argument("--stagger", type=float, default=10.0, help="seconds each member waits after the one before it to send a batch")
    start.set_defaults(run=run_start)


def run_init(args: argparse.Namespace) -> int:
    """Create the homes and print each node's ports."""
    if args.nodes < 1:
        print("error: --nodes must be at least 1", file=sys.stderr)
        return 2
    if args.dir.exists() and any(args.dir.iterdir()):
        print(f"error: {args.dir} is not empty: a set's keys are never overwritten", file=sys.stderr)
        return 2
    try:
        homes = init_set(args.dir, args.nodes, args.base_port)
    except (CometBFTUnavailable, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    key, secrets = deal(len(homes), threshold(len(homes)))  # the dealer forgets the whole key when this returns
    write_threshold_keys([home.home for home in homes], key, secrets)
    for home in homes:
        member = create_member_key(home.home)
        print(
            f"{home.home}: member {member.address}, p2p {home.p2p_port}, RPC {home.rpc_url}, "
            f"application 127.0.0.1:{home.abci_port}"
        )
    return 0


def run_deploy_set(args: argparse.Namespace) -> int:
    """Deploy the set of the homes' members for the deployment's rollup, hand it the submitter role and fund the members."""
    homes = sorted(path.parent.parent for path in args.dir.glob(f"*/{MEMBER_KEY_FILE}"))
    if not homes:
        print(f"error: no node home with a member key in {args.dir} (matchproof node init)", file=sys.stderr)
        return 2
    try:
        submitter = load_account(args.operator_keystore, OPERATOR_KEY_ENV)
    except KeyUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    w3 = Web3(HTTPProvider(args.rpc))
    rollup = Rollup(w3, Deployment.load(args.deployment), compile_contracts())
    members = [load_member_key(home).address for home in homes]
    try:
        contract = deploy_sequencer_set(w3, submitter, compile_contracts(), rollup, members)
        for member in members:
            send_transaction(w3, submitter, {"to": member, "value": Web3.to_wei(args.fund, "ether")})
    except (ContractLogicError, TransactionFailed) as error:
        print(f"error: {error} (is this key the rollup's submitter?)", file=sys.stderr)
        return 1
    print(f"sequencer set {contract.address}: {len(members)} members, {threshold(len(members))} signatures a batch")
    return 0


def run_start(args: argparse.Namespace) -> int:
    """Run the node until it stops; CometBFT's exit status (0 when told to stop)."""
    configure_logging()
    try:
        binary = cometbft_binary()
        home = NodeHome.read(args.home)
        node = build_node(args)
    except (CometBFTUnavailable, ConfigError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return asyncio.run(serve(node, home, binary))


@dataclass(frozen=True)
class Node:
    """A node's application, the duties of its member (none on a rollup without a sequencer set), and its API's port."""

    app: SequencerApp
    key: LocalAccount
    submitter: SetSubmitter | None = None
    api_port: int | None = None


class EmbeddedServer(uvicorn.Server):
    """uvicorn on the node's event loop: the node, not uvicorn, handles its signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave the signal handlers to the node."""
        yield


def build_node(args: argparse.Namespace) -> Node:
    """
    The node's application: a machine at the rollup's genesis for the
    circuit and markets given, reading the rollup's L1 queue if deployed,
    and signing for the rollup's sequencer set if it has one.

    Raises
    ------
    ConfigError
        Inconsistent arguments, a deployment for another circuit, a set
        this node's member key is not in, or ``--prove`` without a set.
    """
    params = dict(load_config(REPO_ROOT / DEFAULT_MANIFEST, args.circuit).params)
    tree = TreeConfig.from_circuit_params(params)
    key = load_member_key(args.home)
    l1: L1Requests | None = None
    perp = None
    rollup: Rollup | None = None
    if args.deployment is not None:
        if args.rpc is None:
            raise ConfigError("--deployment needs --rpc")
        _, rollup, perp = connect_rollup(args, params)
        l1 = ChainRequests(rollup)
    elif args.rpc is not None:
        raise ConfigError("--rpc needs --deployment")
    try:
        contract = None if rollup is None else sequencer_set_of(rollup)
    except ValueError as error:
        raise ConfigError(str(error)) from error
    signing = None
    if contract is not None and rollup is not None:
        members = frozenset(str(member) for member in contract.functions.members().call())
        signing = SigningSet(rollup.w3.eth.chain_id, contract.address, members)
        if key.address not in members:
            raise ConfigError(f"this node's member key {key.address} is not in the rollup's sequencer set")
    if args.prove and signing is None:
        raise ConfigError("--prove sends batches through the rollup's sequencer set, and it has none")
    operator = Operator.genesis(
        tree, params["nTx"], list(load_markets(args.markets)), dict(load_min_withdrawals(args.markets)), perp
    )
    if args.funding_interval < 1:
        raise ConfigError("--funding-interval must be at least 1 second")
    decryptor, share = None, None
    if (args.home / THRESHOLD_KEY_FILE).is_file():
        threshold_key, set_size = load_threshold_key(args.home)
        decryptor, share = Decryptor(threshold_key, set_size), load_member_share(args.home)
    app = SequencerApp(Machine(operator), l1, args.max_batch_wait, signing, args.funding_interval, decryptor, share)
    if not args.prove or signing is None or contract is None or rollup is None:
        return Node(app, key, api_port=args.api_port)
    circuit = build_circuit(args.circuit)
    app.keep_built = True
    submitter = SetSubmitter(
        app, signing, rollup, contract, key, lambda batch: prove(circuit, batch.circuit_input).solidity_calldata(), args.stagger
    )
    return Node(app, key, submitter, args.api_port)


async def serve(node: Node, home: NodeHome, binary: Path) -> int:
    """Serve the application, start CometBFT on ``home``, and stop both when either ends or a signal comes."""
    app = node.app
    started = asyncio.Event()
    server = asyncio.create_task(AbciServer(app).serve("127.0.0.1", home.abci_port, started))
    await started.wait()
    duties = []
    if app.signing is not None:
        duties.append(asyncio.create_task(BatchSigner(app, node.key, home.rpc_url).run()))
    if node.submitter is not None:
        duties.append(asyncio.create_task(node.submitter.run()))
    if node.api_port is not None:
        config = uvicorn.Config(node_api(app, home.rpc_url, node.key), host="127.0.0.1", port=node.api_port, log_level="warning")
        duties.append(asyncio.create_task(EmbeddedServer(config).serve()))
    cometbft = await asyncio.create_subprocess_exec(str(binary), "start", "--home", str(home.home))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    exited = asyncio.create_task(cometbft.wait())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({exited, stopping, server}, return_when=asyncio.FIRST_COMPLETED)
    if cometbft.returncode is None:
        cometbft.terminate()
        await cometbft.wait()
    server.cancel()
    stopping.cancel()
    for duty in duties:
        duty.cancel()
    status = cometbft.returncode or 0
    return 0 if stop.is_set() else status
