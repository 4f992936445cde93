"""
One set of error codes: every code the spec, the engine, the API and the
contracts can answer with is named once, by one rule, and means one thing.

- a spec error's code is ``error_code`` of its class name, and a contract
  custom error's code is ``error_code`` of its Solidity name;
- no code is used by two layers for different faults, except the ones listed
  in ``SHARED`` (the same fault, refused wherever it is first seen);
- every custom error of the compiled contracts decodes from its revert data
  to its name, code and arguments (``sequencer.l1.errors``).
"""

import inspect
from typing import Any

import pytest
from eth_abi.abi import encode

from sequencer.engine.errors import Code
from sequencer.l1.compile import compile_contracts
from sequencer.l1.errors import custom_errors, decode_revert, error_selector
from sequencer.service import errors as service_errors
from sequencer.spec import errors as spec_errors
from sequencer.spec.perpetual import errors as perpetual_errors
from sequencer.spec.errors import RollupError, error_code
from sequencer.spec.types import AccountIndex, Amount, TokenId

SHARED = {"MARKET_MISMATCH", "PERPETUALS_NOT_CONFIGURED"}
"""
Codes two layers use for the same fault: an order for other tokens than the
market's (engine), a trade of such orders (spec); a perpetual request to a
deployment without perpetual markets (engine), a batch with perpetual slots
there (spec).
"""


def spec_codes() -> dict[str, type[RollupError]]:
    members = [*vars(spec_errors).values(), *vars(perpetual_errors).values()]
    classes = list({c for c in members if inspect.isclass(c) and issubclass(c, RollupError)})
    codes = {c.code: c for c in classes}
    assert len(codes) == len(classes), "two spec errors share a code"
    return codes


def service_codes() -> set[str]:
    return {value for name, value in vars(service_errors).items() if name.isupper() and isinstance(value, str)}


def contract_error_entries() -> list[dict[str, Any]]:
    compiled = compile_contracts()
    entries = {}
    for artifact in compiled.contracts.values():
        if not artifact.source.startswith("contracts/src/"):
            continue
        for entry in artifact.abi:
            if entry.get("type") == "error":
                entries[error_selector(entry)] = entry
    return list(entries.values())


def test_spec_codes_come_from_the_class_names() -> None:
    for code, cls in spec_codes().items():
        assert code == error_code(cls.__name__)


@pytest.mark.parametrize(
    ("name", "code"),
    [("ValueOutOfRange", "VALUE_OUT_OF_RANGE"), ("NotAFieldElement", "NOT_A_FIELD_ELEMENT"),
     ("L1ChainIndexOutOfRange", "L1_CHAIN_INDEX_OUT_OF_RANGE"), ("InvalidProof", "INVALID_PROOF")],
)  # fmt: skip
def test_error_code_rule(name: str, code: str) -> None:
    assert error_code(name) == code


def test_no_code_means_two_things() -> None:
    layers = {
        "spec": set(spec_codes()),
        "engine": {code.value for code in Code},
        "api": service_codes(),
        "contracts": {error_code(entry["name"]) for entry in contract_error_entries()},
    }
    names = sorted(layers)
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            assert layers[first] & layers[second] <= SHARED, (first, second, layers[first] & layers[second])


def test_every_contract_error_decodes_with_its_arguments() -> None:
    entries = contract_error_entries()
    assert len(entries) >= 30
    errors = custom_errors([entries])
    for entry in entries:
        types = [item["type"] for item in entry["inputs"]]
        samples = {
            "uint256": 7, "int256": -7, "address": "0x" + "11" * 20, "bytes": b"\x01\x02", "bytes32": b"\x07" * 32, "string": "s",
        }  # fmt: skip
        arguments = [samples[kind] for kind in types]
        data = error_selector(entry) + encode(types, arguments)
        decoded = decode_revert(data, errors)
        assert decoded is not None, entry["name"]
        assert decoded.name == entry["name"] and decoded.code == error_code(entry["name"])
        assert list(decoded.values) == [item["name"] for item in entry["inputs"]]


def test_unknown_or_malformed_reverts_are_not_decoded() -> None:
    errors = custom_errors([contract_error_entries()])
    assert decode_revert(b"\x08\xc3\x79\xa0" + encode(["string"], ["plain revert"]), errors) is None
    with_arguments = next(selector for selector, entry in errors.items() if entry["inputs"])
    assert decode_revert(with_arguments + b"\x00" * 3, errors) is None


def test_spec_errors_carry_their_values() -> None:
    error = spec_errors.InsufficientBalance(AccountIndex(3), TokenId(1), Amount(5), Amount(9))
    assert error.values == {"account": 3, "token": 1, "balance": 5, "required": 9}
