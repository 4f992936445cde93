"""
A deployment's perpetual parameters as L1 carries them.

The state root commits to the parameters' hash (``perp_config_hash``), and
the contract keeps the hash, but a hash alone does not let anyone replay a
perpetual slot from L1 data: a funding tick needs to know which markets are
configured, a trade their quanta. So the rollup's constructor emits the
parameters themselves, ABI-encoded, in a ``PerpetualParameters`` event, and
whoever reads them checks their hash against the contract's: what the event
says is what the proofs were made under, or the reader refuses it.
"""

from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError
from web3.contract import Contract

from sequencer.crypto.eddsa import PublicKey
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.perpetual.state import PerpConfig, PerpMarketParams
from sequencer.spec.types import AccountIndex, TokenId

ABI_TYPES = ["uint256", "uint256[5][]", "uint256[2][]", "uint256", "uint256", "uint256", "uint256", "uint256"]
"""
The encoding: the collateral token, each market's ``(quantum,
initial_margin, maintenance_margin, max_funding_rate, open_interest_cap)``,
each oracle key's ``(ax, ay)``, the quorum, the oracle window, the maximum
price age, the insurance fund's account and the liquidation penalty cap.
"""


class PerpParametersMismatch(ValueError):
    """The parameters L1 carries are missing, do not decode, or do not hash to the hash the contract keeps."""


def encode_perp_parameters(config: PerpConfig) -> bytes:
    """``config`` as the ``PerpetualParameters`` event carries it."""
    markets = [
        [m.quantum, m.initial_margin, m.maintenance_margin, m.max_funding_rate, m.open_interest_cap]
        for m in config.markets
    ]
    keys = [[key.ax, key.ay] for key in config.oracle_keys]
    return encode(
        ABI_TYPES,
        [
            config.collateral_token,
            markets,
            keys,
            config.oracle_quorum,
            config.oracle_window,
            config.max_price_age,
            config.insurance_fund,
            config.max_liquidation_penalty,
        ],
    )


def decode_perp_parameters(data: bytes, config_hash: int) -> PerpConfig:
    """
    The parameters ``data`` encodes, which must hash to ``config_hash``.

    Raises
    ------
    PerpParametersMismatch
        ``data`` is not an encoding of valid parameters, or they hash to
        another value than ``config_hash``.
    """
    try:
        token, markets, keys, quorum, window, max_age, fund, penalty = decode(ABI_TYPES, data)
        config = PerpConfig(
            collateral_token=TokenId(token),
            markets=tuple(PerpMarketParams(*market) for market in markets),
            oracle_keys=tuple(PublicKey(ax, ay) for ax, ay in keys),
            oracle_quorum=quorum,
            oracle_window=window,
            max_price_age=max_age,
            insurance_fund=AccountIndex(fund),
            max_liquidation_penalty=penalty,
        )
    except (DecodingError, ValueError, TypeError) as error:  # a malformed encoding, or parameters PerpConfig refuses
        raise PerpParametersMismatch(f"the perpetual parameters on L1 do not decode: {error}") from error
    if perp_config_hash(config) != config_hash:
        raise PerpParametersMismatch(f"the perpetual parameters on L1 hash to {perp_config_hash(config)}, not {config_hash}")
    return config


def read_perp_parameters(contract: Contract, from_block: int, to_block: int, config_hash: int) -> PerpConfig:
    """
    The parameters the rollup's constructor emitted (between two blocks),
    which must hash to ``config_hash``, the hash the rollup keeps.

    Raises
    ------
    PerpParametersMismatch
        No ``PerpetualParameters`` event, or its parameters are not those.
    """
    events = contract.events.PerpetualParameters().get_logs(from_block=from_block, to_block=to_block)
    if len(events) != 1:
        raise PerpParametersMismatch(f"{len(events)} PerpetualParameters events, not one")
    return decode_perp_parameters(bytes(events[0]["args"]["parameters"]), config_hash)
