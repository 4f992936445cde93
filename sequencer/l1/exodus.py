"""
Leaving a frozen rollup with an Ethereum key, an L1 node and nothing else.

Once frozen, the contract pays each account's balances as of the last proven
root against a Merkle proof (``exit``), pays back deposits no batch consumed
(``refundDeposit``), and still pays withdrawals proven before (``claim``).
Everything these need comes from the state rebuilt from L1
(:mod:`sequencer.l1.reconstruct`): no sequencer, no SNARK.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from sequencer.spec.constants import BALANCE_WORDS, BALANCES_PER_WORD
from sequencer.spec.state import State
from sequencer.spec.transactions import Deposit
from sequencer.spec.types import AccountIndex, Amount, FieldElement, TokenId

from .reconstruct import Reconstruction
from .transactions import send_transaction


class ExodusError(Exception):
    """The rollup is not in a state that lets this trader leave as asked."""


EXIT_BALANCES = BALANCE_WORDS * BALANCES_PER_WORD
"""The balances an exit proof carries, as many as an account leaf hashes (``BALANCE_WORDS`` words of
``BALANCES_PER_WORD``): 16, whatever the configuration's ``balance_depth``."""


@dataclass(frozen=True)
class ExitProof:
    """
    What ``exit`` checks a balance with (``IMatchproof.ExitProof``): the
    account's leaf (its address is the caller's) with every balance it hashes,
    ``EXIT_BALANCES`` of them (ids the rollup does not have hold 0), and the
    hash of its perpetual side; its Merkle path; and the perpetual commitment
    that the state root hashes beside the account root. The contract pays
    ``balances[tokenId]``; one proof serves every token of the account.
    """

    ax: FieldElement
    ay: FieldElement
    nonce: int
    min_order_id: int
    order_root: FieldElement
    balances: tuple[Amount, ...]
    perp_hash: FieldElement
    account_siblings: tuple[FieldElement, ...]
    perp_commitment: FieldElement

    def as_abi(self) -> tuple[int, int, int, int, int, list[int], int, list[int], int]:
        """The proof as the contract's ABI tuple."""
        return (
            self.ax,
            self.ay,
            self.nonce,
            self.min_order_id,
            self.order_root,
            list(self.balances),
            self.perp_hash,
            list(self.account_siblings),
            self.perp_commitment,
        )


def exit_proof(state: State, index: AccountIndex) -> ExitProof:
    """The exit proof of account ``index`` in ``state``: its leaf's fields, every balance, its path, the perpetual commitment."""
    account = state.get_account(index)
    return ExitProof(
        ax=account.ax,
        ay=account.ay,
        nonce=account.nonce,
        min_order_id=account.min_order_id,
        order_root=account.orders.root,
        balances=tuple(account.balance_list(EXIT_BALANCES)),
        perp_hash=account.perp_hash(),
        account_siblings=tuple(state.account_tree.siblings(index)),
        perp_commitment=state.perp_commitment,
    )


@dataclass
class Departure:
    """
    What leaving paid the trader: exited balances (of its rollup account
    ``account``, None if it never had one), refunded deposits and claims, by token.
    """

    account: AccountIndex | None = None
    exits: dict[TokenId, Amount] = field(default_factory=dict)
    refunds: dict[int, Deposit] = field(default_factory=dict)
    """By request index."""
    claims: dict[TokenId, Amount] = field(default_factory=dict)

    def total(self, token: TokenId) -> int:
        """Everything paid of ``token``."""
        refunded = sum(deposit.amount for deposit in self.refunds.values() if deposit.token == token)
        return self.exits.get(token, 0) + refunded + self.claims.get(token, 0)


def freeze_if_due(w3: Web3, contract: Contract, sender: LocalAccount) -> bool:
    """
    Freeze the rollup if the oldest waiting L1 request is past its deadline;
    returns whether the rollup is frozen afterwards.
    """
    if contract.functions.frozen().call():
        return True
    processed = int(contract.functions.l1Processed().call())
    if processed == int(contract.functions.l1RequestCount().call()):
        return False
    if int(w3.eth.block_number) <= int(contract.functions.l1RequestDeadline(processed).call()):
        return False
    send_transaction(w3, sender, contract.functions.freeze().build_transaction({"from": sender.address}))
    return True


def plan_departure(contract: Contract, rebuilt: Reconstruction, owner: str) -> Departure:
    """
    What leaving would pay ``owner`` now, without sending anything: each
    token its account holds at the last proven root (``rebuilt``'s) and has
    not exited yet, its deposits no batch consumed and not refunded yet, and
    what proven withdrawals credited it and it has not claimed.
    """
    plan = Departure()
    owner = Web3.to_checksum_address(owner)
    tokens = [TokenId(token) for token in range(int(contract.functions.tokenCount().call()))]
    registered, index = contract.functions.accountOf(owner).call()
    if registered:
        plan.account = AccountIndex(int(index))
        account = rebuilt.state.get_account(plan.account)
        for token in tokens:
            balance = account.balance(token)
            if balance and not contract.functions.exited(index, token).call():
                plan.exits[token] = balance
    for request_index, deposit in rebuilt.pending_deposits():
        if deposit.eth_addr == int(owner, 16) and not contract.functions.refunded(request_index).call():
            plan.refunds[request_index] = deposit
    for token in tokens:
        claimable = Amount(int(contract.functions.claimable(owner, token).call()))
        if claimable:
            plan.claims[token] = claimable
    return plan


def leave(
    w3: Web3,
    contract: Contract,
    trader: LocalAccount,
    rebuilt: Reconstruction,
    recipient: str | None = None,
    sent: Callable[[int, int], None] | None = None,
) -> Departure:
    """
    Take everything the trader owns out of the frozen rollup
    (:func:`plan_departure`): its exits are paid to ``recipient`` (the
    trader's own address by default), its refunds and claims to the trader's
    address, as the contract does. Whatever was already paid is skipped, so
    leaving twice is harmless. ``sent(done, total)`` is told after each
    transaction.

    Raises
    ------
    ExodusError
        The rollup is not frozen.
    """
    if not contract.functions.frozen().call():
        raise ExodusError("the rollup is not frozen: exits and refunds wait for a freeze")
    owner = Web3.to_checksum_address(trader.address)
    plan = plan_departure(contract, rebuilt, owner)
    calls = []
    if plan.exits:  # exits only ever come with the account they leave
        assert plan.account is not None
        proof = exit_proof(rebuilt.state, plan.account).as_abi()
        for token in plan.exits:
            calls.append(contract.functions.exit(token, proof, Web3.to_checksum_address(recipient or owner)))
    for request_index, deposit in plan.refunds.items():
        fields = (deposit.account_index, owner, deposit.ax, deposit.ay, deposit.token, deposit.amount)
        calls.append(contract.functions.refundDeposit(request_index, fields))
    calls.extend(contract.functions.claim(owner, token) for token in plan.claims)
    for done, call in enumerate(calls, start=1):
        send_transaction(w3, trader, call.build_transaction({"from": owner}))
        if sent is not None:
            sent(done, len(calls))
    return plan
