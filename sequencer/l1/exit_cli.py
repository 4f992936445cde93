"""
The trustless way out, on the command line: nothing but an L1 node and the
trader's Ethereum key, no sequencer.

- ``matchproof reconstruct --rpc URL --rollup ADDRESS [--account ADDRESS]``:
  rebuild the state from L1 and check it is the last proven one; print it
  (with the perpetual markets, if any, and one account's balances).
- ``matchproof force-withdraw --rpc URL --rollup ADDRESS --token ID``: ask L1
  for the key's account's whole balance of a token; a batch must pay it
  within the rollup's deadline, or anyone may freeze.
- ``matchproof force-cancel-all ... --min-order-id N``: from L1, cancel every
  order of the key's account with an id below N, freeing what they lock.
- ``matchproof freeze --rpc URL --rollup ADDRESS``: freeze the rollup if an
  L1 request is past its deadline.
- ``matchproof exit --rpc URL --rollup ADDRESS [--freeze]``: rebuild the
  state, then exit every balance of the key's account from the frozen
  rollup, refund its unconsumed deposits and claim its proven withdrawals
  (``--freeze`` first freezes the rollup if it is due).
- ``matchproof claim-fees --rpc URL --rollup ADDRESS --to ADDRESS``: the
  batch submitter takes the request and registration fees the rollup
  collected (the one command here for the operator, not the trader).

``--deployment FILE`` may name the rollup instead of ``--rollup``. The key is
the trader's Ethereum key, as for the trader's commands: from
``MATCHPROOF_PRIVATE_KEY`` or a ``--keystore`` file (never from the command
line, where other users could read it).

Wire them into a command line with :func:`add_subcommands`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError

from prover.progress import ProgressBar
from sequencer.keystore import PRIVATE_KEY_ENV, KeyUnavailable, load_account
from sequencer.spec.perpetual.state import PerpConfig
from sequencer.spec.state import State
from sequencer.spec.types import AccountIndex, TokenId

from .compile import compile_contracts
from .deploy import ROLLUP_CONTRACT, Deployment
from .errors import explain
from .exodus import ExodusError, freeze_if_due, leave
from .reconstruct import Reconstruction, ReconstructionError, reconstruct
from .transactions import TransactionFailed, send_transaction



def add_subcommands(subparsers: Any) -> None:
    """Add ``reconstruct``, ``force-withdraw``, ``force-cancel-all``, ``freeze``, ``exit`` and ``claim-fees`` to subparsers."""
    rebuild = subparsers.add_parser("reconstruct", help="rebuild the rollup's state from L1 alone and check it")
    _add_chain_arguments(rebuild)
    rebuild.add_argument("--account", help="also print the balances of this L1 address's account")
    rebuild.set_defaults(run=reconstruct_command)

    withdraw = subparsers.add_parser("force-withdraw", help="request from L1 the withdrawal of a whole balance")
    _add_chain_arguments(withdraw)
    _add_key_argument(withdraw)
    withdraw.add_argument("--token", type=int, required=True, help="the token id")
    withdraw.set_defaults(run=force_withdraw_command)

    cancel = subparsers.add_parser("force-cancel-all", help="cancel from L1 every order below an id")
    _add_chain_arguments(cancel)
    _add_key_argument(cancel)
    cancel.add_argument("--min-order-id", type=int, required=True, help="the smallest order id that may still trade")
    cancel.set_defaults(run=force_cancel_all_command)

    freeze = subparsers.add_parser("freeze", help="freeze the rollup if an L1 request is past its deadline")
    _add_chain_arguments(freeze)
    _add_key_argument(freeze)
    freeze.set_defaults(run=freeze_command)

    leave_cmd = subparsers.add_parser("exit", help="take everything out of a frozen rollup, with no sequencer")
    _add_chain_arguments(leave_cmd)
    _add_key_argument(leave_cmd)
    leave_cmd.add_argument("--freeze", action="store_true", help="first freeze the rollup if it is due")
    leave_cmd.add_argument("--to", help="pay the exits to this address instead of the key's own")
    leave_cmd.set_defaults(run=exit_command)

    fees = subparsers.add_parser("claim-fees", help="the batch submitter takes the L1 request fees collected")
    _add_chain_arguments(fees)
    _add_key_argument(fees)
    fees.add_argument("--to", required=True, help="the address paid")
    fees.set_defaults(run=claim_fees_command)


def claim_fees_command(args: argparse.Namespace) -> int:
    """Pay the collected request fees to ``--to`` (the key must be the submitter's); 1 if the contract refuses."""
    if not Web3.is_address(args.to):
        print(f"matchproof: --to {args.to!r} is not an Ethereum address", file=sys.stderr)
        return 2
    w3, contract = _connect(args)
    submitter = _key(args)
    call = contract.functions.claimFees(Web3.to_checksum_address(args.to))
    try:
        receipt = send_transaction(w3, submitter, call.build_transaction({"from": submitter.address}))
    except (ContractLogicError, TransactionFailed) as error:
        print(f"matchproof: the claim was refused: {_reason(error, contract)}", file=sys.stderr)
        return 1
    (event,) = contract.events.FeesClaimed().process_receipt(receipt)
    print(f"{event['args']['amount']} wei of request fees paid to {event['args']['recipient']}")
    return 0


def reconstruct_command(args: argparse.Namespace) -> int:
    """Rebuild the state and print it; 1 if it does not match the contract."""
    w3, contract = _connect(args)
    try:
        rebuilt = reconstruct(w3, contract, progress=_say, replayed=_batches_bar())
    except ReconstructionError as error:
        print(f"matchproof: the state does not rebuild: {error}", file=sys.stderr)
        return 1
    existing = [index for index, account in rebuilt.state.accounts().items() if account.exists]
    print(f"state root {rebuilt.root} (the last proven root, at block {rebuilt.block})")
    print(f"{len(existing)} accounts, {len(rebuilt.batches)} batches, {len(rebuilt.requests)} L1 requests")
    print(f"{len(rebuilt.requests) - rebuilt.processed} requests waiting, {len(rebuilt.pending_deposits())} of them deposits")
    print("frozen" if rebuilt.frozen else "not frozen")
    if rebuilt.perp_config is not None:
        _print_markets(rebuilt.perp_config, rebuilt.state)
    if args.account is not None:
        _print_account(contract, rebuilt, args.account)
    return 0


def _print_markets(perp_config: PerpConfig, state: State) -> None:
    """The perpetual markets of ``perp_config`` (its parameters checked against the contract's hash) and the pool, in ``state``."""
    print(f"perpetual markets (their parameters, from L1, hash to the contract's): collateral pool {state.collateral_pool}")
    for market_id, params in enumerate(perp_config.markets):
        market = state.perp_markets[market_id]
        price = f"price {market.oracle_price} ticks signed at {market.oracle_time}" if market.oracle_price else "no price yet"
        print(
            f"  market {market_id} (quantum {params.quantum}): {price}, funding index {market.funding_index} "
            f"at {market.funding_time}, open interest {market.open_interest}"
        )


def force_withdraw_command(args: argparse.Namespace) -> int:
    """Queue a forced withdrawal of the key's account; 1 if the contract refuses it."""
    w3, contract = _connect(args)
    return _request(w3, contract, _key(args), contract.functions.requestForcedWithdrawal(args.token))


def force_cancel_all_command(args: argparse.Namespace) -> int:
    """Queue a forced cancel-all of the key's account; 1 if the contract refuses it."""
    w3, contract = _connect(args)
    return _request(w3, contract, _key(args), contract.functions.requestForcedCancelAll(args.min_order_id))


def freeze_command(args: argparse.Namespace) -> int:
    """Freeze the rollup if it is due; 1 if it is not, or the freeze was refused."""
    w3, contract = _connect(args)
    try:
        frozen = freeze_if_due(w3, contract, _key(args))
    except (ContractLogicError, TransactionFailed) as error:
        print(f"matchproof: the freeze was refused: {_reason(error, contract)}", file=sys.stderr)
        return 1
    if frozen:
        print("the rollup is frozen")
        return 0
    print("matchproof: no L1 request is past its deadline: the rollup cannot be frozen", file=sys.stderr)
    return 1


def exit_command(args: argparse.Namespace) -> int:
    """Rebuild the state and take the trader's tokens out; 1 if that is not possible."""
    if args.to is not None and not Web3.is_address(args.to):
        print(f"matchproof: --to {args.to!r} is not an Ethereum address", file=sys.stderr)
        return 2
    w3, contract = _connect(args)
    trader = _key(args)
    try:
        if args.freeze:
            freeze_if_due(w3, contract, trader)
        rebuilt = reconstruct(w3, contract, progress=_say, replayed=_batches_bar())
        bar = ProgressBar("exit")
        departure = leave(w3, contract, trader, rebuilt, args.to, lambda done, total: bar("transactions", done, total))
    except (ReconstructionError, ExodusError, ContractLogicError, TransactionFailed) as error:
        print(f"matchproof: {_reason(error, contract)}", file=sys.stderr)
        return 1
    for token, amount in departure.exits.items():
        print(f"exited {amount} of token {token}")
    for request_index, deposit in departure.refunds.items():
        print(f"refunded deposit {request_index}: {deposit.amount} of token {deposit.token}")
    for token, amount in departure.claims.items():
        print(f"claimed {amount} of token {token}")
    if departure.perpetual_claim:
        deadline = int(contract.functions.perpetualClaims().call()[3])
        print(f"proved a perpetual claim of {departure.perpetual_claim}: run exit again after block {deadline} to be paid")
    if departure.perpetual_payout:
        print(f"paid {departure.perpetual_payout} of token {departure.collateral_token} for perpetual positions")
    if not (departure.exits or departure.refunds or departure.claims or departure.perpetual_claim or departure.perpetual_payout):
        print(f"nothing left to take out for {trader.address}")
    return 0


def _request(w3: Web3, contract: Contract, trader: LocalAccount, call: Any) -> int:
    """Send a forced request, paying the contract's request fee, and print its queue index and deadline."""
    fee = int(contract.functions.requestFee().call())
    try:
        receipt = send_transaction(w3, trader, call.build_transaction({"from": trader.address, "value": fee}))
    except (ContractLogicError, TransactionFailed) as error:
        print(f"matchproof: the request was refused: {_reason(error, contract)}", file=sys.stderr)
        return 1
    (event,) = contract.events.L1RequestQueued().process_receipt(receipt)
    index = int(event["args"]["requestIndex"])
    deadline = int(contract.functions.l1RequestDeadline(index).call())
    print(f"L1 request {index} queued (fee {fee} wei): a batch must process it by block {deadline}, or anyone may freeze the rollup")
    return 0


def _add_chain_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rpc", required=True, help="L1 JSON-RPC endpoint, e.g. http://127.0.0.1:8545")
    rollup = parser.add_mutually_exclusive_group(required=True)
    rollup.add_argument("--rollup", help="the rollup contract's address")
    rollup.add_argument("--deployment", type=Path, help="deployment file naming the rollup (matchproof deploy)")


def _add_key_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--keystore", type=Path, help=f"keystore file of the Ethereum key (default ${PRIVATE_KEY_ENV})"
    )


def _reason(error: Exception, contract: Contract) -> str:
    """Why a step failed, for people: a contract's revert decoded to its custom error and arguments."""
    if isinstance(error, ContractLogicError):
        return explain(error, [contract.abi])
    return str(error)


def _connect(args: argparse.Namespace) -> tuple[Web3, Contract]:
    """A node client and the rollup contract (its ABI compiled from ``contracts/src``)."""
    w3 = Web3(HTTPProvider(args.rpc, request_kwargs={"timeout": 60}))
    abi = compile_contracts().get(ROLLUP_CONTRACT).abi
    address = args.rollup if args.rollup is not None else Deployment.load(args.deployment).rollup
    return w3, w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi)


def _key(args: argparse.Namespace) -> LocalAccount:
    """The trader's key, from ``--keystore`` or the environment."""
    try:
        return load_account(args.keystore)
    except KeyUnavailable as error:
        raise SystemExit(f"matchproof: {error}") from error


def _print_account(contract: Contract, rebuilt: Reconstruction, address: str) -> None:
    registered, index = contract.functions.accountOf(Web3.to_checksum_address(address)).call()
    if not registered:
        print(f"{address} has no account")
        return
    account = rebuilt.state.get_account(AccountIndex(int(index)))
    tokens = int(contract.functions.tokenCount().call())
    balances = ", ".join(f"token {t}: {account.balance(TokenId(t))}" for t in range(tokens))
    print(f"account {index} of {address}: {balances}; nonce {account.nonce}, min order id {account.min_order_id}")


def _batches_bar() -> Callable[[int, int], None]:
    """A progress bar of the batches a rebuild replays."""
    bar = ProgressBar("reconstruct")
    return lambda done, total: bar("batches replayed", done, total)


def _say(message: str) -> None:
    print(message, file=sys.stderr)
