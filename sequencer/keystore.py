"""
Ethereum keys for the command line: from an environment variable or an
encrypted keystore file (the Web3 Secret Storage format geth, clef and
``eth-account`` write), never from a command-line argument, which other users
of the machine can read in the process list and shells keep in history.
"""

import getpass
import json
import os
import sys
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

PRIVATE_KEY_ENV = "MATCHPROOF_PRIVATE_KEY"
"""A trader's Ethereum private key (hex)."""

OPERATOR_KEY_ENV = "MATCHPROOF_OPERATOR_PRIVATE_KEY"
"""The operator's Ethereum private key (hex): signs receipts and submits batches."""

KEYSTORE_PASSWORD_ENV = "MATCHPROOF_KEYSTORE_PASSWORD"
"""The password of a keystore file; asked on the terminal when unset."""


class KeyUnavailable(Exception):
    """No key was given, or the one given cannot be read."""


def load_account(keystore: Path | None, key_env: str = PRIVATE_KEY_ENV) -> LocalAccount:
    """
    The Ethereum account of ``keystore`` if given, else of the key in ``key_env``.

    Raises
    ------
    KeyUnavailable
        Neither is set, the key is malformed, or the keystore cannot be decrypted.
    """
    if keystore is not None:
        return _from_keystore(keystore)
    key = os.environ.get(key_env)
    if not key:
        raise KeyUnavailable(f"set {key_env} to a private key (hex) or give a keystore file")
    try:
        account: LocalAccount = Account.from_key(key.strip())
    except (ValueError, TypeError) as error:
        raise KeyUnavailable(f"{key_env} is not a private key: {error}") from error
    return account


def _from_keystore(path: Path) -> LocalAccount:
    """Decrypt a keystore file with the password from the environment or the terminal."""
    try:
        keystore = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise KeyUnavailable(f"cannot read keystore {path}: {error}") from error
    password = os.environ.get(KEYSTORE_PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise KeyUnavailable(f"set {KEYSTORE_PASSWORD_ENV} or run on a terminal to decrypt {path}")
        password = getpass.getpass(f"password for {path}: ")
    try:
        account: LocalAccount = Account.from_key(Account.decrypt(keystore, password))
    except (ValueError, TypeError, KeyError) as error:
        raise KeyUnavailable(f"cannot decrypt keystore {path}: {error}") from error
    return account
