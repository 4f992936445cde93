"""
The perpetual parameters as L1 carries them (``sequencer/l1/perp_parameters.py``):
they decode to the configuration they encode, and a reader refuses them
unless they hash to the hash the contract keeps, decode, and make a valid
configuration.
"""

from dataclasses import replace

import pytest
from eth_abi.abi import encode

from sequencer.l1.perp_parameters import (
    ABI_TYPES,
    PerpParametersMismatch,
    decode_perp_parameters,
    encode_perp_parameters,
)
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.state import PerpConfig
from tests.spec.perpetual.builders import config
from tests.spec.perpetual.portfolios import two_market_config


@pytest.mark.parametrize("perp_config", [config(), two_market_config()], ids=["one market", "two markets"])
def test_the_parameters_read_back_as_written(perp_config: PerpConfig) -> None:
    data = encode_perp_parameters(perp_config)
    assert decode_perp_parameters(data, perp_config_hash(perp_config)) == perp_config


def test_other_or_malformed_parameters_are_refused() -> None:
    data = encode_perp_parameters(config())
    other = replace(config(), oracle_window=config().oracle_window + 1)
    with pytest.raises(PerpParametersMismatch, match="hash to"):
        decode_perp_parameters(encode_perp_parameters(other), perp_config_hash(config()))
    with pytest.raises(PerpParametersMismatch, match="do not decode"):
        decode_perp_parameters(data[:-1], perp_config_hash(config()))
    even_quorum = encode(ABI_TYPES, [1, [[1, 100_000, 50_000, 1, 1]], [[1, 2], [3, 4]], 2, 60, 600, 5, 0])
    with pytest.raises(PerpParametersMismatch, match="quorum"):
        decode_perp_parameters(even_quorum, 0)
