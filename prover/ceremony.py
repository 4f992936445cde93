"""A multi-party phase-2 ceremony for a circuit's Groth16 key, so that no one machine knows its secrets.

The production set-up: on a public phase-1 file (a ceremony ptau, checked against its
published blake2b, `prover.ptau`), the circuit's phase 2 is a chain of contributions,
each from a different participant who mixes in entropy of their own and throws it away.
The key is sound if any one participant was honest. The chain ends with a public random
beacon (e.g. a future block hash), so the last participant cannot choose the outcome.
snarkjs does the cryptography (`zkey new`, `zkey contribute`, `zkey verify`, `zkey
beacon`); this module keeps the ceremony's folder and its record:

    <folder>/main.r1cs        the compiled circuit the key is for
    <folder>/0000.zkey        the initial key (no contribution)
    <folder>/0001.zkey ...    one per contribution, each built on the one before
    <folder>/final.zkey       after the beacon
    <folder>/ceremony.json    configuration, r1cs sha256, ptau hash, and each contribution's
                              name and hash as printed to its contributor

Every step first verifies the whole chain against the r1cs and the ptau (`verify`), and
checks that the chain's hashes are the recorded ones, so a tampered key is refused
before anyone builds on it. A contributor keeps the hash printed to them and finds it in
`verify`'s list: that is their assurance their entropy is in the key.

The finalized key is used by setting `MATCHPROOF_ZKEY` and `MATCHPROOF_ZKEY_SHA256`
(with the ceremony ptau's two variables): `build_circuit` then verifies it against the
circuit it compiles and exports the verifier from it (`prover.build`).
"""

import json
import os
import re
import secrets
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from prover.errors import CeremonyError, PtauError, ToolError
from prover.tools import atomic_write_text, file_digest, npm_bin, published_digest, run_tool

RECORD = "ceremony.json"
R1CS = "main.r1cs"
FINAL = "final.zkey"

ZKEY_ENV = "MATCHPROOF_ZKEY"
ZKEY_SHA256_ENV = "MATCHPROOF_ZKEY_SHA256"

_HASH_LINES = r"((?:\s*(?:[0-9a-f]{8}\s+){3}[0-9a-f]{8}\s*\n){4})"
_CONTRIBUTION_HASH = re.compile(r"Contribution Hash:\s*\n" + _HASH_LINES)
_VERIFIED_CONTRIBUTION = re.compile(r"contribution #(\d+) (.*?):\s*\n" + _HASH_LINES)


@dataclass(frozen=True)
class Contribution:
    """One link of the chain: who contributed, and the hash snarkjs printed to them."""

    name: str
    hash: str


@dataclass(frozen=True)
class CeremonyKey:
    """A finalized ceremony key selected for the build, with its published sha256."""

    path: Path
    sha256: str


def sha256_file(path: Path) -> str:
    """The sha256 hex digest of the file at `path`."""
    return file_digest(path, "sha256")


def select_ceremony_key() -> CeremonyKey | None:
    """The finalized key the environment selects (MATCHPROOF_ZKEY and its sha256), or None.

    Raises CeremonyError if only one of the two variables is set.
    """
    path, digest = os.environ.get(ZKEY_ENV), os.environ.get(ZKEY_SHA256_ENV)
    if bool(path) != bool(digest):
        raise CeremonyError(f"set both {ZKEY_ENV} and {ZKEY_SHA256_ENV} (a ceremony's final key), or neither")
    if not path or not digest:
        return None
    normalised = published_digest(digest, 64)
    if normalised is None:
        raise CeremonyError(f"{ZKEY_SHA256_ENV}={digest!r} is not a sha256 hex digest (64 hex digits)")
    return CeremonyKey(Path(path).expanduser().resolve(), normalised)


def checked_ceremony_key(key: CeremonyKey) -> Path:
    """The key's file, once its sha256 is the published one. Raises CeremonyError otherwise."""
    if not key.path.is_file():
        raise CeremonyError(f"the ceremony key {key.path} does not exist")
    actual = sha256_file(key.path)
    if actual != key.sha256:
        raise CeremonyError(f"{key.path}: sha256 is {actual}, but the published hash is {key.sha256}")
    return key.path


def _hash_from(lines: str) -> str:
    """The 128 hex digits snarkjs prints as four lines of four 8-digit groups."""
    return "".join(lines.split())


def verify_key(repo_root: Path, r1cs: Path, ptau: Path, zkey: Path) -> list[Contribution]:
    """Verify `zkey`'s whole chain against `r1cs` and `ptau` with snarkjs; its contributions, oldest first.

    Raises CeremonyError (with snarkjs's reason) if the key does not verify.
    """
    snarkjs = str(npm_bin(repo_root, "snarkjs"))
    try:
        output = run_tool([snarkjs, "zkey", "verify", str(r1cs), str(ptau), str(zkey)], zkey.parent)
    except ToolError as error:
        raise CeremonyError(f"{zkey} does not verify against {r1cs.name} and the ptau:\n{error.output[-1500:]}") from error
    found = sorted(
        (int(number), Contribution(name, _hash_from(lines)))
        for number, name, lines in _VERIFIED_CONTRIBUTION.findall(output)
    )
    return [contribution for _, contribution in found]


class Ceremony:
    """A ceremony's folder: its r1cs, its chain of keys and its record.

    `ptau` is the ceremony ptau and `ptau_blake2b` its blake2b-512, already checked
    against the published hash (`prover.ptau.ceremony_ptau`): a ptau of gigabytes is
    hashed once per command, not at every step.
    """

    def __init__(self, folder: Path, repo_root: Path, ptau: Path, ptau_blake2b: str) -> None:
        self.folder = folder
        self.repo_root = repo_root
        self.ptau = ptau
        self.ptau_blake2b = ptau_blake2b
        self.snarkjs = str(npm_bin(repo_root, "snarkjs"))

    @classmethod
    def start(cls, folder: Path, repo_root: Path, ptau: Path, ptau_blake2b: str, r1cs: Path, config: str) -> "Ceremony":
        """Begin a ceremony in the new folder `folder` for the compiled circuit `r1cs` on the checked `ptau`.

        Raises CeremonyError if the folder already holds a ceremony, ToolError if snarkjs fails.
        """
        if (folder / RECORD).exists():
            raise CeremonyError(f"{folder} already holds a ceremony")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(r1cs, folder / R1CS)
        ceremony = cls(folder, repo_root, ptau, ptau_blake2b)
        run_tool([ceremony.snarkjs, "zkey", "new", R1CS, str(ptau), "0000.zkey"], folder)
        ceremony._write_record(
            {"config": config, "r1csSha256": sha256_file(folder / R1CS), "ptauBlake2b": ptau_blake2b, "contributions": []}
        )
        return ceremony

    def _record(self) -> dict[str, object]:
        try:
            record = json.loads((self.folder / RECORD).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise CeremonyError(f"{self.folder} holds no readable ceremony record: {error}") from error
        if not isinstance(record, dict):
            raise CeremonyError(f"{self.folder / RECORD} is not a ceremony record")
        return record

    def _write_record(self, record: dict[str, object]) -> None:
        atomic_write_text(self.folder / RECORD, json.dumps(record, indent=1) + "\n")

    def recorded(self) -> list[Contribution]:
        """The contributions the record lists, oldest first."""
        entries = self._record().get("contributions")
        if not isinstance(entries, list):
            raise CeremonyError(f"{self.folder / RECORD} lists no contributions")
        return [Contribution(str(entry["name"]), str(entry["hash"])) for entry in entries]

    def latest(self) -> Path:
        """The newest key of the chain."""
        if (self.folder / FINAL).exists():
            return self.folder / FINAL
        return self.folder / f"{len(self.recorded()):04d}.zkey"

    def verify(self) -> list[Contribution]:
        """Verify the newest key's chain and check it against the record; the contributions.

        Raises CeremonyError if the key does not verify, the r1cs or ptau is not the one
        the ceremony started with, or the chain's hashes differ from the recorded ones.
        """
        record = self._record()
        if sha256_file(self.folder / R1CS) != record.get("r1csSha256"):
            raise CeremonyError(f"{self.folder / R1CS} is not the circuit the ceremony started with")
        if self.ptau_blake2b != record.get("ptauBlake2b"):
            raise PtauError(f"{self.ptau} is not the ptau the ceremony started with")
        chain = verify_key(self.repo_root, self.folder / R1CS, self.ptau, self.latest())
        if chain != self.recorded():
            raise CeremonyError(
                f"the chain of {self.latest().name} ({[asdict(c) for c in chain]}) is not the recorded one "
                f"({[asdict(c) for c in self.recorded()]})"
            )
        return chain

    def contribute(self, name: str) -> Contribution:
        """Verify the chain, then add this machine's contribution, with entropy drawn here and dropped.

        Returns the contribution, whose hash the contributor keeps. Raises CeremonyError if
        the chain does not verify or the ceremony is finalized.
        """
        if (self.folder / FINAL).exists():
            raise CeremonyError("the ceremony is finalized: no more contributions")
        if not name.strip():
            raise CeremonyError("a contribution needs its contributor's name")
        self.verify()
        previous = self.latest()
        following = self.folder / f"{len(self.recorded()) + 1:04d}.zkey"
        # snarkjs reads the entropy from stdin when -e is absent: it stays out of `ps`.
        output = run_tool(
            [self.snarkjs, "zkey", "contribute", previous.name, following.name, f"--name={name}"],
            self.folder,
            stdin_text=secrets.token_hex(64) + "\n",
        )
        return self._append(name, output, following)

    def finalize(self, beacon: str, iterations: int = 10) -> Path:
        """Verify the chain, then end it with the public random `beacon` (64 hex digits).

        `iterations` is snarkjs's exponent (2^iterations hashes of the beacon, 10..63).
        Returns the final key. Raises CeremonyError for a malformed beacon, a chain without
        contributions or one that does not verify.
        """
        normalised = published_digest(beacon, 64)
        if normalised is None or not 10 <= iterations <= 63:
            raise CeremonyError("the beacon is 64 hex digits (e.g. a block hash) and iterations 10..63")
        if (self.folder / FINAL).exists():
            raise CeremonyError("the ceremony is already finalized")
        if not self.verify():
            raise CeremonyError("a ceremony needs at least one contribution before its beacon")
        previous = self.latest()
        output = run_tool(
            [self.snarkjs, "zkey", "beacon", previous.name, FINAL, normalised, str(iterations), "--name=final beacon"],
            self.folder,
        )
        self._append("final beacon", output, self.folder / FINAL)
        self.verify()
        return self.folder / FINAL

    def _append(self, name: str, output: str, key: Path) -> Contribution:
        """Record the contribution whose snarkjs `output` printed its hash."""
        match = _CONTRIBUTION_HASH.search(output)
        if match is None:
            key.unlink(missing_ok=True)
            raise CeremonyError(f"snarkjs printed no contribution hash:\n{output[-1500:]}")
        contribution = Contribution(name, _hash_from(match.group(1)))
        record = self._record()
        record["contributions"] = [*(asdict(c) for c in self.recorded()), asdict(contribution)]
        self._write_record(record)
        return contribution
