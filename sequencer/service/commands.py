"""
The commands the sequencer's state machine takes, one per log entry.

Traders send orders, cancels, cancel-alls and withdrawals, and on a
deployment with perpetual markets perpetual orders and collateral
transfers; oracle feeders send signed prices. The sequencer itself adds L1
requests it reads from the chain, seals batches, lets time pass (expiring
orders) and ticks funding. Each command has one
canonical JSON encoding: it is what the write-ahead log stores and what a
receipt's request hash covers, so a trader can recompute the hash of what
they sent (``request_hash``).
"""

from dataclasses import dataclass
from typing import assert_never

from eth_utils.crypto import keccak

from sequencer.engine.cancels import CancelAllBelow, CancelOrder, SignedCancel, SignedCancelAll
from sequencer.spec.perpetual.transactions import CollateralTransfer, FundingTick, OracleUpdate, SignedPerpOrder
from sequencer.spec.transactions import L1Transaction, SignedOrder, Withdraw
from sequencer.spec.types import AccountIndex, OrderId

from .codec import (
    CodecError,
    Json,
    canonical_json,
    decode_l1_request,
    decode_signature,
    decode_signed_order,
    decode_withdraw,
    encode_l1_request,
    encode_signature,
    encode_signed_order,
    encode_withdraw,
    integer,
    obj,
    optional_text,
    text,
)
from .perp_codec import (
    decode_collateral_transfer,
    decode_funding_tick,
    decode_oracle_update,
    decode_signed_perp_order,
    encode_perp_transaction,
    encode_signed_perp_order,
)


@dataclass(frozen=True)
class PlaceOrder:
    """Place a signed order (its kind is signed with it) in a market, with an optional client order id."""

    market: str
    signed: SignedOrder
    client_order_id: str | None = None


@dataclass(frozen=True)
class Cancel:
    """Cancel one order (signed by its account)."""

    request: SignedCancel


@dataclass(frozen=True)
class CancelAllOrders:
    """Cancel every open order of an account (signed by it)."""

    request: SignedCancelAll


@dataclass(frozen=True)
class RequestWithdrawal:
    """Withdraw to L1 (signed by the account)."""

    withdraw: Withdraw


@dataclass(frozen=True)
class PlacePerpOrder:
    """Place a signed perpetual order in a perpetual market, with an optional client order id."""

    market: str
    signed: SignedPerpOrder
    client_order_id: str | None = None


@dataclass(frozen=True)
class TransferCollateral:
    """Move the collateral token between an account's spot balance and its collateral (signed by the account)."""

    transfer: CollateralTransfer


@dataclass(frozen=True)
class PostPrices:
    """A quorum of an oracle key set's signed prices for one perpetual market."""

    update: OracleUpdate


@dataclass(frozen=True)
class TickFunding:
    """Move every perpetual market's funding index by the tick's rates (the sequencer's own, on its funding timer)."""

    tick: FundingTick


@dataclass(frozen=True)
class AddL1Request:
    """The L1 request at ``index`` of the rollup contract's queue."""

    index: int
    request: L1Transaction


@dataclass(frozen=True)
class SealBatch:
    """Seal the oldest pending transactions into the next batch."""


@dataclass(frozen=True)
class Tick:
    """Let time pass: expire open orders whose expiry is before the entry's time."""


TraderCommand = PlaceOrder | Cancel | CancelAllOrders | RequestWithdrawal | PlacePerpOrder | TransferCollateral | PostPrices
"""What traders (and oracle feeders) send; each accepted one gets a signed receipt."""

Command = TraderCommand | AddL1Request | SealBatch | Tick | TickFunding
"""Anything the log holds."""


def encode_command(command: Command) -> Json:
    """A command as a JSON object tagged with its ``type``."""
    match command:
        case PlaceOrder():
            return {
                "type": "order",
                "market": command.market,
                "client_order_id": command.client_order_id,
                **encode_signed_order(command.signed),
            }
        case Cancel():
            return {
                "type": "cancel",
                "account_index": str(command.request.cancel.account_index),
                "order_id": str(command.request.cancel.order_id),
                "signature": encode_signature(command.request.signature),
            }
        case CancelAllOrders():
            return {
                "type": "cancel_all",
                "account_index": str(command.request.cancel_all.account_index),
                "min_order_id": str(command.request.cancel_all.min_order_id),
                "signature": encode_signature(command.request.signature),
            }
        case RequestWithdrawal():
            return {"type": "withdraw", **encode_withdraw(command.withdraw)}
        case PlacePerpOrder():
            return {
                "type": "perp_order",
                "market": command.market,
                "client_order_id": command.client_order_id,
                **encode_signed_perp_order(command.signed),
            }
        case TransferCollateral():
            return encode_perp_transaction(command.transfer)
        case PostPrices():
            return encode_perp_transaction(command.update)
        case TickFunding():
            return encode_perp_transaction(command.tick)
        case AddL1Request():
            return {"type": "l1_request", "index": str(command.index), "request": encode_l1_request(command.request)}
        case SealBatch():
            return {"type": "seal"}
        case Tick():
            return {"type": "tick"}
        case _:
            assert_never(command)


def decode_command(document: Json) -> Command:
    """
    The inverse of :func:`encode_command`.

    Raises
    ------
    CodecError
        The document is not a command's encoding.
    """
    kind = document.get("type")
    if kind == "order":
        return PlaceOrder(
            text(document, "market"),
            decode_signed_order(document),
            optional_text(document, "client_order_id"),
        )
    if kind == "cancel":
        cancel = CancelOrder(AccountIndex(integer(document, "account_index")), OrderId(integer(document, "order_id")))
        return Cancel(SignedCancel(cancel, decode_signature(obj(document, "signature"))))
    if kind == "cancel_all":
        index = AccountIndex(integer(document, "account_index"))
        cancel_all = CancelAllBelow(index, OrderId(integer(document, "min_order_id")))
        return CancelAllOrders(SignedCancelAll(cancel_all, decode_signature(obj(document, "signature"))))
    if kind == "withdraw":
        return RequestWithdrawal(decode_withdraw(document))
    if kind == "perp_order":
        return PlacePerpOrder(
            text(document, "market"),
            decode_signed_perp_order(document),
            optional_text(document, "client_order_id"),
        )
    if kind == "collateral_transfer":
        return TransferCollateral(decode_collateral_transfer(document))
    if kind == "oracle_update":
        return PostPrices(decode_oracle_update(document))
    if kind == "funding_tick":
        return TickFunding(decode_funding_tick(document))
    if kind == "l1_request":
        return AddL1Request(integer(document, "index"), decode_l1_request(obj(document, "request")))
    if kind == "seal":
        return SealBatch()
    if kind == "tick":
        return Tick()
    raise CodecError(f"unknown command type {kind!r}")


def canonical_command(command: Command) -> bytes:
    """The command's canonical encoding: what the log stores and a receipt's request hash commits to."""
    return canonical_json(encode_command(command))


def request_hash(command: Command) -> bytes:
    """keccak256 of the command's canonical encoding: what a receipt commits to."""
    return request_hash_of(canonical_command(command))


def request_hash_of(encoded: bytes) -> bytes:
    """The request hash of a command whose canonical encoding is ``encoded``."""
    return keccak(encoded)
