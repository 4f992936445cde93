"""
The contracts' custom errors, decoded: a revert becomes a named error with a
code and its arguments, as the spec's errors and the API's refusals carry
theirs.

A custom error's code is :func:`sequencer.spec.errors.error_code` of its
Solidity name (``RollupFrozen`` -> ``ROLLUP_FROZEN``), so one rule names every
error of the project; ``tests/architecture/test_error_codes.py`` checks that
every custom error of the compiled contracts decodes here and that no code
means two different things across the spec, the engine, the API and the
contracts.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils.crypto import keccak
from web3.exceptions import ContractLogicError

from sequencer.spec.errors import error_code


class ContractReverted(Exception):
    """A contract call reverted with one of the project's custom errors: its ``name``, ``code`` and ``values``."""

    def __init__(self, name: str, values: Mapping[str, Any]) -> None:
        shown = ", ".join(f"{key}={_show(value)}" for key, value in values.items())
        super().__init__(f"{name}({shown})")
        self.name = name
        self.code = error_code(name)
        self.values = dict(values)


def error_signature(entry: Mapping[str, Any]) -> str:
    """A custom error's canonical signature, ``Name(type1,type2)``, from its ABI entry."""
    return f"{entry['name']}({','.join(str(item['type']) for item in entry['inputs'])})"


def error_selector(entry: Mapping[str, Any]) -> bytes:
    """The four bytes a revert with this custom error starts with."""
    return keccak(text=error_signature(entry))[:4]


def custom_errors(abis: Iterable[Sequence[Mapping[str, Any]]]) -> dict[bytes, Mapping[str, Any]]:
    """Every custom error declared in ``abis``, by selector."""
    return {error_selector(entry): entry for abi in abis for entry in abi if entry.get("type") == "error"}


def decode_revert(data: bytes, errors: Mapping[bytes, Mapping[str, Any]]) -> ContractReverted | None:
    """The custom error ``data`` (a revert's return data) encodes; None if it is not one of ``errors``."""
    entry = errors.get(bytes(data[:4]))
    if entry is None:
        return None
    types = [str(item["type"]) for item in entry["inputs"]]
    try:
        decoded = decode(types, bytes(data[4:]))
    except DecodingError:
        return None
    names = [str(item["name"]) for item in entry["inputs"]]
    return ContractReverted(str(entry["name"]), dict(zip(names, decoded, strict=True)))


def explain(error: ContractLogicError, abis: Iterable[Sequence[Mapping[str, Any]]]) -> str:
    """What a reverted call says, for people: the decoded custom error if it is one, else web3's message."""
    data = error.data
    if isinstance(data, str) and data.startswith("0x"):
        decoded = decode_revert(bytes.fromhex(data[2:]), custom_errors(abis))
        if decoded is not None:
            return f"{decoded.code}: {decoded}"
    return str(error)


def _show(value: Any) -> str:
    """An argument as people read it: addresses and numbers as they are, bytes in hex."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)
