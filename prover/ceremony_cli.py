"""`matchproof ceremony`: run a circuit's phase-2 ceremony (`prover.ceremony`) from the command line.

    matchproof ceremony init --config devnet --dir ceremony/      # coordinator, on the ceremony ptau
    matchproof ceremony contribute --dir ceremony/ --name alice   # each participant, in turn
    matchproof ceremony verify --dir ceremony/                    # anyone
    matchproof ceremony finalize --dir ceremony/ --beacon HEX     # coordinator, with a public beacon

Every command reads the ceremony ptau from `MATCHPROOF_PTAU` and checks it against
`MATCHPROOF_PTAU_BLAKE2B`. `finalize` prints the two variables that make `matchproof
build` use the final key.
"""

import argparse
from pathlib import Path

from prover.build import compile_circuit
from prover.ceremony import ZKEY_ENV, ZKEY_SHA256_ENV, Ceremony, sha256_file
from prover.errors import PtauError
from prover.manifest import DEFAULT_MANIFEST, load_config
from prover.ptau import PTAU_BLAKE2B_ENV, PTAU_ENV, select_ptau
from prover.tools import default_repo_root


def _ceremony_ptau() -> tuple[Path, str]:
    """The ceremony ptau, checked against its published blake2b, and that hash. Raises PtauError if none is selected."""
    source = select_ptau()
    ptau = source.ceremony_file()
    if ptau is None or source.ceremony_blake2b is None:
        raise PtauError(f"a ceremony runs on a ceremony ptau: set {PTAU_ENV} and {PTAU_BLAKE2B_ENV}")
    return ptau, source.ceremony_blake2b


def _open(args: argparse.Namespace) -> Ceremony:
    return Ceremony(args.dir.resolve(), default_repo_root(), *_ceremony_ptau())


def init(args: argparse.Namespace) -> int:
    """Compile the configuration and start its ceremony in `--dir`."""
    root = default_repo_root()
    ptau, ptau_blake2b = _ceremony_ptau()
    config = load_config(root / DEFAULT_MANIFEST, args.config)
    compiled = root / config.build_dir / f"{config.name}-ceremony"
    compiled.mkdir(parents=True, exist_ok=True)
    header = compile_circuit(root, config, compiled)
    Ceremony.start(args.dir.resolve(), root, ptau, ptau_blake2b, compiled / "main.r1cs", config.name)
    print(f"ceremony of '{config.name}' ({header.n_constraints:,} constraints) started in {args.dir}: 0000.zkey")
    print("next: each participant runs `matchproof ceremony contribute --dir DIR --name NAME` in turn")
    return 0


def contribute(args: argparse.Namespace) -> int:
    """Add this machine's contribution and print its hash."""
    contribution = _open(args).contribute(args.name)
    print(f"contribution of {contribution.name} added; keep its hash, `verify` lists it:")
    print(f"  {contribution.hash}")
    return 0


def verify(args: argparse.Namespace) -> int:
    """Verify the chain and print every contribution's hash."""
    chain = _open(args).verify()
    for number, contribution in enumerate(chain, start=1):
        print(f"  #{number} {contribution.name}: {contribution.hash}")
    print(f"the chain of {len(chain)} contributions verifies against the circuit and the ptau")
    return 0


def finalize(args: argparse.Namespace) -> int:
    """End the chain with the beacon; print how to build with the final key."""
    final = _open(args).finalize(args.beacon, args.iterations)
    print(f"final key {final}")
    print(f"build with it: {ZKEY_ENV}={final} {ZKEY_SHA256_ENV}={sha256_file(final)} (and the ptau's two variables)")
    return 0


def add_subcommands(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add `ceremony` and its steps to the `matchproof` command line."""
    ceremony = subparsers.add_parser("ceremony", help="a multi-party phase-2 ceremony for the circuit's key")
    steps = ceremony.add_subparsers(dest="step", required=True)

    start = steps.add_parser("init", help="compile the circuit and start its ceremony on the ceremony ptau")
    start.add_argument("--config", required=True, help="circuit configuration (circuits/configs.json)")
    start.set_defaults(run=init)

    add = steps.add_parser("contribute", help="verify the chain, then add this machine's contribution")
    add.add_argument("--name", required=True, help="the contributor's name, recorded in the key")
    add.set_defaults(run=contribute)

    check = steps.add_parser("verify", help="verify the chain and list every contribution's hash")
    check.set_defaults(run=verify)

    end = steps.add_parser("finalize", help="end the chain with a public random beacon")
    end.add_argument("--beacon", required=True, help="64 hex digits nobody could know in advance (a future block hash)")
    end.add_argument("--iterations", type=int, default=10, help="2^N hashes of the beacon (10..63)")
    end.set_defaults(run=finalize)

    for step in (start, add, check, end):
        step.add_argument("--dir", type=Path, required=True, help="the ceremony's folder")
