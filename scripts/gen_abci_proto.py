"""
Generate the Python modules of CometBFT's ABCI protobuf definitions into
the running interpreter's site-packages (packages ``tendermint`` and
``gogoproto``), from the pinned CometBFT release's own ``.proto`` files.

Usage: ``python scripts/gen_abci_proto.py VERSION`` (``scripts/bootstrap``
runs it with ``sequencer.consensus.cometbft.COMETBFT_VERSION``). The
sources come from the Go module proxy through ``go mod download``: the
CometBFT module, and gogoproto at the version CometBFT's ``go.mod``
requires (its options annotate the definitions). ``grpc_tools``' protoc
writes the modules and their type stubs (mypy reads them).
"""

import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

PROTOS = (
    "tendermint/abci/types.proto",
    "tendermint/crypto/proof.proto",
    "tendermint/crypto/keys.proto",
    "tendermint/types/params.proto",
    "tendermint/types/validator.proto",
    "gogoproto/gogo.proto",
)
"""The ABCI messages and every definition they import, but Google's well-known types (the protobuf runtime has those)."""


def module_dir(module: str, version: str) -> Path:
    """Where ``go mod download`` put ``module@version``."""
    listing = subprocess.run(
        ["go", "mod", "download", "-json", f"{module}@{version}"], check=True, capture_output=True, text=True
    )
    return Path(json.loads(listing.stdout)["Dir"])


def main(version: str) -> None:
    """Generate the modules of CometBFT ``version``'s ABCI definitions into site-packages."""
    cometbft = module_dir("github.com/cometbft/cometbft", version)
    required = re.search(r"^\s*github\.com/cosmos/gogoproto (v\S+)", (cometbft / "go.mod").read_text(), re.MULTILINE)
    if required is None:
        raise SystemExit(f"CometBFT {version}'s go.mod requires no gogoproto")
    gogoproto = module_dir("github.com/cosmos/gogoproto", required.group(1))
    out = Path(sysconfig.get_paths()["purelib"])
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    arguments = [
        "protoc",
        f"-I{cometbft / 'proto'}",
        f"-I{gogoproto}",
        f"-I{well_known}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        *PROTOS,
    ]
    if protoc.main(arguments) != 0:
        raise SystemExit("protoc failed")
    for package in {Path(proto).parent for proto in PROTOS}:  # importable packages, typed for mypy
        for folder in (out / package, *(out / package).parents):
            if folder == out:
                break
            (folder / "__init__.py").touch()
            (folder / "py.typed").touch()
    print(f"gen_abci_proto: CometBFT {version} ABCI modules in {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: gen_abci_proto.py VERSION")
    main(sys.argv[1])
