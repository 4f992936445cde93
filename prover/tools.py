"""Shared plumbing: where the repository and its npm tools are, running them, locks, atomic writes,
and reading the binary files circom and snarkjs write.

The npm toolchain (circom2, snarkjs, circomlib) is pinned in the repository's
package-lock.json and installed in `node_modules/`, so every tool is found relative to
the repository root, never on PATH.
"""

import fcntl
import hashlib
import json
import os
import re
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from typing import BinaryIO
from contextlib import contextmanager
from pathlib import Path

from prover.errors import ToolError

# circom colours its output with ANSI escapes; error texts are kept without them.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def default_repo_root() -> Path:
    """The repository this package lives in: the parent of the `prover/` folder."""
    return Path(__file__).resolve().parent.parent


def npm_bin(repo_root: Path, name: str) -> Path:
    """The launcher of npm package binary `name` installed in the repository's node_modules."""
    return repo_root / "node_modules" / ".bin" / name


def npm_version(repo_root: Path, package: str) -> str:
    """The installed version of npm package `package`, read from its package.json."""
    text = (repo_root / "node_modules" / package / "package.json").read_text(encoding="utf-8")
    return str(json.loads(text)["version"])


def file_digest(path: Path, algorithm: str) -> str:
    """The hex digest of the file at `path` with hashlib's `algorithm` ("blake2b" is blake2b-512), read in chunks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, algorithm).hexdigest()


def published_digest(value: str, hex_digits: int) -> str | None:
    """A published hash as typed (any case, optional 0x) in lower case, or None unless it has `hex_digits` hex digits."""
    normalised = value.strip().lower().removeprefix("0x")
    if len(normalised) != hex_digits or not all(digit in "0123456789abcdef" for digit in normalised):
        return None
    return normalised


def strip_ansi(text: str) -> str:
    """`text` without terminal colour codes."""
    return _ANSI_ESCAPE.sub("", text)


def run_tool(command: list[str], cwd: Path, stdin_text: str | None = None) -> str:
    """Run `command` in `cwd` and return its combined stdout and stderr.

    Raises ToolError, carrying that output, when the command exits with a non-zero status.
    """
    completed = subprocess.run(
        command,
        cwd=cwd,
        input=stdin_text,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    output = strip_ansi(completed.stdout)
    if completed.returncode != 0:
        raise ToolError(command, completed.returncode, output)
    return output


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `path` (created if missing) for the block.

    Used so that two processes never build the same ptau or circuit at once: the second
    waits, then finds the first one's result.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class NotThatFile(ValueError):
    """A binary file that is not of the expected kind, or lacks the expected section."""


@contextmanager
def binary_section(path: Path, magic: bytes, section: int) -> Iterator[BinaryIO]:
    """The file at `path`, positioned at the start of section `section`.

    circom's .r1cs and snarkjs's .ptau (and .zkey, .wtns) share one container: a
    4-byte magic, a version, a section count, then sections as (type u32, size u64,
    bytes). Raises NotThatFile if the magic differs or the section is missing.
    """
    with path.open("rb") as handle:
        found, _version, n_sections = struct.unpack("<4sII", handle.read(12))
        if found != magic:
            raise NotThatFile(f"{path} is not a {magic.decode()} file")
        for _ in range(n_sections):
            section_type, size = struct.unpack("<IQ", handle.read(12))
            if section_type == section:
                yield handle
                return
            handle.seek(size, os.SEEK_CUR)
    raise NotThatFile(f"{path} has no section {section}")
