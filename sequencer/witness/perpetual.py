"""
The perpetual slots' witness: the inputs of ``circuits/perpetual/market_slot.circom``'s
``PerpMarketMoves`` (with the slot's type and market) and of
``commitment.circom``'s ``PerpConfigHash``, read from the spec's state and
parameters; a trade's part is :mod:`.perp_trade`'s.

Keys are the templates' signal names. A slot's values are read from the
state before the slot is applied, as the batch circuit will thread them;
what the slot produces (the markets after, its public data) is the
circuit's to compute, and the spec's to compare with.
"""

from collections.abc import Callable
from typing import assert_never

from sequencer.spec.perpetual.commitment import signed_field
from sequencer.spec.perpetual.constants import MAX_PERP_MARKETS, PerpTxType
from sequencer.spec.perpetual.rules import latest_time, median_price
from sequencer.spec.perpetual.state import PerpConfig, PerpMarket, PerpMarketParams
from sequencer.spec.perpetual.transactions import (
    CollateralTransfer,
    Deleverage,
    FundingTick,
    Liquidation,
    OracleUpdate,
    PerpTrade,
    PerpTransaction,
)
from sequencer.spec.transactions import Noop
from sequencer.spec.types import Timestamp

Inputs = dict[str, int | list[int]]
"""Signal name to value (a number or a list of numbers)."""


def market_inputs(markets: tuple[PerpMarket, ...], suffix: str = "") -> Inputs:
    """The four markets' states as ``oraclePrice``, ..., ``openInterest`` (each name with ``suffix``), signed as field elements."""
    return {
        f"oraclePrice{suffix}": [market.oracle_price for market in markets],
        f"oracleTime{suffix}": [market.oracle_time for market in markets],
        f"fundingIndex{suffix}": [signed_field(market.funding_index) for market in markets],
        f"fundingTime{suffix}": [market.funding_time for market in markets],
        f"openInterest{suffix}": [market.open_interest for market in markets],
    }


def config_hash_inputs(config: PerpConfig) -> Inputs:
    """``PerpConfigHash``'s inputs: the deployment's parameters, zeros for the markets it does not configure."""
    padded: list[PerpMarketParams | None] = [*config.markets, *[None] * (MAX_PERP_MARKETS - len(config.markets))]

    def per_market(read: Callable[[PerpMarketParams], int]) -> list[int]:
        return [read(params) if params is not None else 0 for params in padded]

    return {
        "collateralToken": config.collateral_token,
        "oracleQuorum": config.oracle_quorum,
        "oracleWindow": config.oracle_window,
        "maxPriceAge": config.max_price_age,
        "insuranceFund": config.insurance_fund,
        "maxLiquidationPenalty": config.max_liquidation_penalty,
        "configured": [int(params is not None) for params in padded],
        "quantum": per_market(lambda params: params.quantum),
        "initialMargin": per_market(lambda params: params.initial_margin),
        "maintenanceMargin": per_market(lambda params: params.maintenance_margin),
        "maxFundingRate": per_market(lambda params: params.max_funding_rate),
        "openInterestCap": per_market(lambda params: params.open_interest_cap),
        "keyAx": [key.ax for key in config.oracle_keys],
        "keyAy": [key.ay for key in config.oracle_keys],
    }


def market_slot_inputs(
    config: PerpConfig, markets: tuple[PerpMarket, ...], tx: PerpTransaction, timestamp: Timestamp
) -> Inputs:
    """
    ``PerpMarketMoves``' inputs for ``tx`` on ``markets`` (the state's four,
    before the slot) under ``config``, and the slot's ``txType`` and
    ``market``: zeros for the fields the slot's type does not use (a
    transaction that moves accounts sets only its type and its market).
    """
    quorum = config.oracle_quorum
    parameters = config_hash_inputs(config)
    inputs: Inputs = {
        "timestamp": timestamp,
        **market_inputs(markets),
        "configured": parameters["configured"],
        "maxFundingRate": parameters["maxFundingRate"],
        "oracleWindow": config.oracle_window,
        "keyAx": parameters["keyAx"],
        "keyAy": parameters["keyAy"],
        "market": 0,
        **{name: [0] * quorum for name in ("signer", "price", "signedTime", "R8x", "R8y", "S")},
        "median": 0,
        "latest": 0,
        "rate": [0] * MAX_PERP_MARKETS,
    }
    match tx:
        case Noop():
            inputs["txType"] = PerpTxType.NOOP
        case OracleUpdate():
            prices = tx.prices
            inputs |= {
                "txType": PerpTxType.ORACLE_UPDATE,
                "market": tx.market,
                "signer": [p.signer for p in prices],
                "price": [p.price for p in prices],
                "signedTime": [p.timestamp for p in prices],
                "R8x": [p.signature.r8x for p in prices],
                "R8y": [p.signature.r8y for p in prices],
                "S": [p.signature.s for p in prices],
                "median": median_price(tx),
                "latest": latest_time(tx),
            }
        case FundingTick():
            rates = [*tx.rates, *[0] * (MAX_PERP_MARKETS - len(tx.rates))]
            inputs |= {"txType": PerpTxType.FUNDING_TICK, "rate": [signed_field(rate) for rate in rates]}
        case PerpTrade():
            inputs |= {"txType": PerpTxType.PERP_TRADE, "market": tx.maker.order.market}
        case CollateralTransfer():
            inputs["txType"] = PerpTxType.COLLATERAL_TRANSFER
        case Liquidation():
            inputs |= {"txType": PerpTxType.LIQUIDATION, "market": tx.market}
        case Deleverage():
            inputs |= {"txType": PerpTxType.DELEVERAGE, "market": tx.market}
        case _:
            assert_never(tx)
    return inputs
