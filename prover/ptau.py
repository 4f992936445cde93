"""Powers-of-tau files: the checked ceremony file a production set-up reads, or none.

The environment selects the set-up: `MATCHPROOF_PTAU` (a ceremony file such as the
Perpetual Powers of Tau) and `MATCHPROOF_PTAU_BLAKE2B` (its published hash) together
select snarkjs's set-up on that file, accepted only if its blake2b-512 equals the hash;
with neither set, `prover.dev_setup` makes a development key with no ptau at all.

`dev_ptau` generates a development phase-1 file with snarkjs (one random contribution,
minutes; cached per power under
`${MATCHPROOF_CACHE:-${XDG_CACHE_HOME:-~/.cache}/matchproof}/ptau/dev_pow{power}.ptau`)
for trying the ceremony path on a development machine: its blake2b-512 is then the
"published" hash.
"""

import logging
import os
import secrets
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from prover.errors import PtauError, PtauHashMismatch
from prover.tools import (
    NotThatFile,
    binary_section,
    default_repo_root,
    file_digest,
    file_lock,
    npm_bin,
    published_digest,
    run_tool,
)

PTAU_ENV = "MATCHPROOF_PTAU"
PTAU_BLAKE2B_ENV = "MATCHPROOF_PTAU_BLAKE2B"

# bn128's scalar field has 2-adicity 28: no ptau can be larger.
MAX_POWER = 28


log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """The machine-wide Matchproof cache: MATCHPROOF_CACHE, else XDG_CACHE_HOME/matchproof, else ~/.cache/matchproof.

    Empty variables count as unset, as in the shell's `${VAR:-default}`.
    """
    explicit = os.environ.get("MATCHPROOF_CACHE")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "matchproof"


def dev_ptau_path(power: int) -> Path:
    """Where the development ptau of `power` is cached (whether or not it exists yet)."""
    return cache_dir() / "ptau" / f"dev_pow{power}.ptau"


def dev_ptau(power: int, repo_root: Path | None = None) -> Path:
    """The cached development ptau of 2^`power`, generated first if this machine has none.

    Development only: the single contribution's randomness passed through this machine.
    A lock next to the file makes concurrent callers wait for one generation, and the
    finished file is renamed into place, so a reader never sees a partial ptau.
    Raises PtauError for a power outside 1..28 and ToolError if snarkjs fails.
    """
    if not 1 <= power <= MAX_POWER:
        raise PtauError(f"ptau power {power} is outside 1..{MAX_POWER}")
    target = dev_ptau_path(power)
    if target.exists():
        return target
    with file_lock(target.with_name(target.name + ".lock")):
        if not target.exists():
            _generate_dev_ptau(power, target, repo_root or default_repo_root())
    return target


def _generate_dev_ptau(power: int, target: Path, repo_root: Path) -> None:
    """Run snarkjs's new, contribute and prepare phase2 in a scratch folder beside `target`, then rename."""
    log.warning(
        "generating the development ptau 2^%d at %s (one random contribution, "
        "development only; this takes minutes and happens once per machine)",
        power,
        target,
    )
    snarkjs = str(npm_bin(repo_root, "snarkjs"))
    workdir = Path(tempfile.mkdtemp(prefix=f".{target.stem}-", dir=target.parent))
    try:
        run_tool([snarkjs, "powersoftau", "new", "bn128", str(power), "pot_0.ptau"], workdir)
        # snarkjs reads the entropy from stdin when -e is absent: it stays out of `ps`.
        run_tool(
            [snarkjs, "powersoftau", "contribute", "pot_0.ptau", "pot_1.ptau", "--name=matchproof development"],
            workdir,
            stdin_text=secrets.token_hex(32) + "\n",
        )
        run_tool([snarkjs, "powersoftau", "prepare", "phase2", "pot_1.ptau", "prepared.ptau"], workdir)
        os.replace(workdir / "prepared.ptau", target)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    log.warning("development ptau 2^%d ready at %s", power, target)


def blake2b_file(path: Path) -> str:
    """The blake2b-512 hex digest of the file at `path` (the hash the ptau ceremonies publish)."""
    return file_digest(path, "blake2b")


def _normalise_blake2b(hex_digest: str) -> str:
    """`hex_digest` in lower case without 0x; raises PtauError unless it is 128 hex digits."""
    normalised = published_digest(hex_digest, 128)
    if normalised is None:
        raise PtauError(f"{hex_digest!r} is not a blake2b-512 hex digest (128 hex digits)")
    return normalised


def ceremony_ptau(path: Path, expected_blake2b_hex: str) -> Path:
    """`path`, after checking that its blake2b-512 equals the ceremony's published hash.

    Raises PtauHashMismatch if it differs and PtauError if the file is missing or the
    hash is malformed.
    """
    expected = _normalise_blake2b(expected_blake2b_hex)
    if not path.is_file():
        raise PtauError(f"ceremony ptau {path} does not exist")
    actual = blake2b_file(path)
    if actual != expected:
        raise PtauHashMismatch(path, expected, actual)
    return path


def ptau_power(path: Path) -> int:
    """The power recorded in a snarkjs ptau file's header (its section 1).

    Raises PtauError if the file is not a ptau file.
    """
    try:
        with binary_section(path, b"ptau", 1) as handle:
            (n8,) = struct.unpack("<I", handle.read(4))
            handle.seek(n8, os.SEEK_CUR)
            (power,) = struct.unpack("<I", handle.read(4))
    except NotThatFile as error:
        raise PtauError(str(error)) from error
    return int(power)


@dataclass(frozen=True)
class PtauSource:
    """Which set-up a build runs, named without reading any file.

    `ceremony_path` and `ceremony_blake2b` are both set for a ceremony file and both None
    for a development set-up. `identity` names the source, so a build stamp can tell
    whether its key came from the same ptau without hashing gigabytes.
    """

    ceremony_path: Path | None = None
    ceremony_blake2b: str | None = None

    @property
    def identity(self) -> str:
        """A stable name of the set-up's source: the ceremony file's published hash, or "development set-up"."""
        if self.ceremony_blake2b is not None:
            return f"ceremony blake2b-512 {self.ceremony_blake2b}"
        return "development set-up"

    def ceremony_file(self) -> Path | None:
        """The ceremony file, once its hash is checked; None for a development set-up (no ptau).

        Raises PtauHashMismatch or PtauError as `ceremony_ptau`.
        """
        if self.ceremony_path is not None and self.ceremony_blake2b is not None:
            return ceremony_ptau(self.ceremony_path, self.ceremony_blake2b)
        return None


def select_ptau() -> PtauSource:
    """The set-up the environment selects: a ceremony ptau, or the development set-up.

    Raises PtauError if only one of MATCHPROOF_PTAU and MATCHPROOF_PTAU_BLAKE2B is set.
    """
    path = os.environ.get(PTAU_ENV)
    digest = os.environ.get(PTAU_BLAKE2B_ENV)
    if bool(path) != bool(digest):
        raise PtauError(f"set both {PTAU_ENV} and {PTAU_BLAKE2B_ENV} (a ceremony ptau), or neither (development set-up)")
    if path and digest:
        return PtauSource(Path(path).expanduser().resolve(), _normalise_blake2b(digest))
    return PtauSource()
