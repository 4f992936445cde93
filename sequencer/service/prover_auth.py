"""
Who may prove: one key per prover worker.

A worker proves batches only if it holds a key the sequencer knows. Keys
are tokens ``NAME:SECRET``; the sequencer keeps only the SHA-256 of each
secret, in a JSON file::

    {"workers": {"gpu-1": "<sha256 of the secret, hex>", ...}}

``matchproof prover-key NAME --keys FILE`` draws a secret, adds its hash to
the file and prints the token once; the worker reads it from
``MATCHPROOF_PROVER_TOKEN`` and sends it as ``Authorization: Bearer NAME:SECRET``.
A worker's name in the job records is the key's name, whatever the request says.

Without keys, anyone who reaches the trading port could lease the oldest
batch and keep it, which stops settlement.
"""

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .config import ConfigError

PROVER_TOKEN_ENV = "MATCHPROOF_PROVER_TOKEN"
"""Where a worker finds its token."""



def secret_hash(secret: str) -> str:
    """The SHA-256 of a secret, hex: what the key file keeps."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ProverKeys:
    """The workers' names and the hashes of their secrets."""

    hashes: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> "ProverKeys":
        """
        The keys in ``path``.

        Raises
        ------
        ConfigError
            The file is unreadable, malformed, or lists no worker.
        """
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ConfigError(f"cannot read prover keys {path}: {error}") from error
        workers = document.get("workers") if isinstance(document, dict) else None
        if not isinstance(workers, dict) or not workers:
            raise ConfigError(f'{path}: expected {{"workers": {{name: sha256 hex}}}} with at least one worker')
        for name, digest in workers.items():
            if not (isinstance(digest, str) and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
                raise ConfigError(f"{path}: worker {name!r}: expected the lower-case hex SHA-256 of its secret")
        return cls(dict(workers))

    def worker(self, authorization: str | None) -> str | None:
        """The name of the worker an ``Authorization`` header proves, or None."""
        if authorization is None or not authorization.startswith("Bearer "):
            return None
        name, separator, secret = authorization.removeprefix("Bearer ").partition(":")
        expected = self.hashes.get(name)
        if not separator or expected is None:
            return None
        return name if hmac.compare_digest(secret_hash(secret), expected) else None


def add_key(path: Path, name: str) -> str:
    """
    Draw a secret for worker ``name``, add its hash to the key file at
    ``path`` (created if missing, written owner-only) and return the token.

    Raises
    ------
    ConfigError
        The name is taken or invalid, or the file is malformed.
    """
    if not name or len(name) > 64 or not all(c.isascii() and (c.isalnum() or c in "_.-") for c in name):
        raise ConfigError(f"a worker name is 1-64 of A-Z a-z 0-9 _ . -, got {name!r}")
    hashes = ProverKeys.load(path).hashes if path.exists() else {}
    if name in hashes:
        raise ConfigError(f"{path}: worker {name!r} already has a key")
    secret = secrets.token_urlsafe(32)
    hashes[name] = secret_hash(secret)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({"workers": hashes}, file, indent=2, sort_keys=True)
    temporary.replace(path)
    return f"{name}:{secret}"
