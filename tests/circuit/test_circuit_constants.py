"""
The circuit's protocol constants (``circuits/lib/constants.circom``) are the
spec's (``sequencer/spec/constants.py``): every function there returns the
value of its Python counterpart, and none is left unchecked.

Read from the source, no compilation: the fast layer keeps the two files in
step, where a mismatch would otherwise show only as a witness the circuit
refuses (or, worse, accepts).
"""

import re

from sequencer.l1.paths import REPO_ROOT
from sequencer.spec import constants
from sequencer.spec.perpetual import constants as perpetual
from sequencer.spec.constants import OrderKind, TxType

CONSTANTS_CIRCOM = REPO_ROOT / "circuits" / "lib" / "constants.circom"

FUNCTION = re.compile(r"^function\s+([A-Z0-9_]+)\(\)\s*\{\s*return\s+(\d+);\s*\}", re.MULTILINE)


def circuit_constants() -> dict[str, int]:
    """Every ``function NAME() { return N; }`` of the circuit's constants file."""
    return {name: int(value) for name, value in FUNCTION.findall(CONSTANTS_CIRCOM.read_text())}


def spec_constants() -> dict[str, int]:
    """The spec's value of every circuit constant, under the circuit's name."""
    same_name = [
        "AMOUNT_BITS", "PRICE_BITS", "ORDER_ID_BITS", "ORDER_REF_BITS", "TIMESTAMP_BITS", "FEE_BPS_BITS",
        "TRADE_FEE_BPS_BITS", "DECIMAL_MANTISSA_BITS", "DECIMAL_EXPONENT_BITS", "MAX_FEE_BPS", "BPS",
        "PRICE_SCALE", "BALANCE_WORDS", "CANCELLED_FILL", "MESSAGE_INPUTS", "FEE_ACCOUNT",
    ]
    values = {name: int(getattr(constants, name)) for name in same_name}
    perpetual_names = [
        "SIZE_BITS", "PERP_PRICE_BITS", "QUANTUM_BITS", "COLLATERAL_BITS", "FUNDING_RATE_SCALE", "FUNDING_INDEX_BITS",
        "FUNDING_PAYMENT_BITS", "VALUE_BITS", "REQUIREMENT_BITS", "MARGIN_SCALE", "MARGIN_FRACTION_BITS",
        "FUNDING_RATE_BITS", "MAX_PERP_MARKETS", "ORACLE_WINDOW_BITS",
    ]
    values |= {name: int(getattr(perpetual, name)) for name in perpetual_names}
    values |= {f"TX_{tx_type.name}": int(tx_type) for tx_type in TxType}
    values |= {f"KIND_{kind.name}": kind.code for kind in OrderKind}
    values |= {
        "MSG_ORDER": constants.ORDER_MESSAGE_TAG,
        "MSG_WITHDRAW": constants.WITHDRAW_MESSAGE_TAG,
        "MSG_CANCEL": constants.CANCEL_MESSAGE_TAG,
        "MSG_CANCEL_ALL": constants.CANCEL_ALL_MESSAGE_TAG,
        "MSG_ORACLE_PRICE": perpetual.ORACLE_PRICE_MESSAGE_TAG,
        "MSG_PERP_ORDER": perpetual.PERP_ORDER_MESSAGE_TAG,
        "MSG_COLLATERAL_TRANSFER": perpetual.COLLATERAL_TRANSFER_MESSAGE_TAG,
    }
    return values


def test_every_circuit_constant_is_the_specs() -> None:
    circuit = circuit_constants()
    assert len(circuit) >= 30  # the pattern reads the file
    assert circuit == spec_constants()


def test_the_pattern_reads_every_function_of_the_file() -> None:
    """A constant written in another shape would escape the comparison above."""
    functions = re.findall(r"^function\s+\w+", CONSTANTS_CIRCOM.read_text(), re.MULTILINE)
    assert len(functions) == len(circuit_constants())
