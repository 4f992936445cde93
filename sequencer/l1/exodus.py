"""
Leaving a frozen rollup with an Ethereum key, an L1 node and nothing else.

Once frozen, the contract pays each account's balances as of the last proven
root against a Merkle proof (``exit``), pays back deposits no batch consumed
(``refundDeposit``), still pays withdrawals proven before (``claim``), and
settles each account's perpetual positions at the last proven prices: a
claim proven within a window after the freeze (``claimPerpetual``), paid
after it from the collateral pool (``payPerpetualClaim``).
Everything these need comes from the state rebuilt from L1
(:mod:`sequencer.l1.reconstruct`): no sequencer, no SNARK.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError

from sequencer.spec.constants import BALANCE_WORDS, BALANCES_PER_WORD
from sequencer.spec.perpetual.constants import MAX_PERP_MARKETS
from sequencer.spec.state import State
from sequencer.spec.transactions import Deposit
from sequencer.spec.types import AccountIndex, Amount, FieldElement, TokenId

from .errors import custom_errors, decode_revert
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

    def as_abi(self) -> ExitProofAbi:
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


PerpSideAbi = tuple[int, list[int], list[int]]
"""An account's perpetual side as ``IMatchproof.PerpSide``: collateral, sizes, settled indices."""

PerpMarketAbi = tuple[int, int, int, int, int]
"""A market as ``IMatchproof.PerpMarket``: oracle price and time, funding index and time, open interest."""

ExitProofAbi = tuple[int, int, int, int, int, list[int], int, list[int], int]
"""An exit proof as ``IMatchproof.ExitProof`` (:meth:`ExitProof.as_abi`)."""

PerpClaimArguments = tuple[ExitProofAbi, PerpSideAbi, list[PerpMarketAbi], int]
"""``claimPerpetual``'s arguments: the exit proof, the perpetual side, the markets, the collateral pool."""


def perp_claim_arguments(state: State, index: AccountIndex) -> PerpClaimArguments:
    """
    ``claimPerpetual``'s arguments for account ``index`` in ``state``: its exit
    proof, its perpetual side, the markets and the collateral pool, all of
    which the state root commits to.
    """
    perp = state.get_account(index).perp
    side = (
        perp.collateral,
        [perp.position(market).size for market in range(MAX_PERP_MARKETS)],
        [perp.position(market).funding_index for market in range(MAX_PERP_MARKETS)],
    )
    markets: list[PerpMarketAbi] = [
        (market.oracle_price, int(market.oracle_time), market.funding_index, int(market.funding_time), market.open_interest)
        for market in state.perp_markets
    ]
    return exit_proof(state, index).as_abi(), side, markets, state.collateral_pool


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
    perpetual_claim: int = 0
    """The perpetual claim this departure proves (within the claim window; paid after it)."""
    perpetual_payout: int = 0
    """What this departure is paid of its proven perpetual claim (after the claim window)."""
    collateral_token: TokenId | None = None
    """The token perpetual claims are paid in."""

    def total(self, token: TokenId) -> int:
        """Everything paid of ``token``."""
        refunded = sum(deposit.amount for deposit in self.refunds.values() if deposit.token == token)
        perpetual = self.perpetual_payout if token == self.collateral_token else 0
        return self.exits.get(token, 0) + refunded + self.claims.get(token, 0) + perpetual


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
    not exited yet, its deposits no batch consumed and not refunded yet,
    what proven withdrawals credited it and it has not claimed, and its
    perpetual claim: proven within the claim window if its value is
    positive, paid after it (the contract computes both; they are asked of
    it with calls that send nothing).
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
        if not account.perp.is_empty:
            plan_perpetual(contract, rebuilt.state, plan, owner)
    for request_index, deposit in rebuilt.pending_deposits():
        if deposit.eth_addr == int(owner, 16) and not contract.functions.refunded(request_index).call():
            plan.refunds[request_index] = deposit
    for token in tokens:
        claimable = Amount(int(contract.functions.claimable(owner, token).call()))
        if claimable:
            plan.claims[token] = claimable
    return plan


def plan_perpetual(contract: Contract, state: State, plan: Departure, owner: str) -> None:
    """
    Add the account's perpetual claim to ``plan``: the claim to prove while
    the window is open and it has none, or the payout once the window has
    closed and the claim is unpaid. The window is judged at the next block,
    where a transaction sent now lands (the calls run in the pending block).
    """
    assert plan.account is not None
    plan.collateral_token = TokenId(int(contract.functions.perpetuals().call()[0]))
    claimed, paid = contract.functions.perpetualClaimOf(plan.account).call()
    deadline = int(contract.functions.perpetualClaims().call()[3])
    next_block = int(contract.w3.eth.block_number) + 1
    try:
        if not claimed and next_block <= deadline:
            arguments = perp_claim_arguments(state, plan.account)
            call = contract.functions.claimPerpetual(*arguments)
            plan.perpetual_claim = int(call.call({"from": owner}, block_identifier="pending"))
        elif claimed and not paid and next_block > deadline:
            call = contract.functions.payPerpetualClaim(owner)
            plan.perpetual_payout = int(call.call({"from": owner}, block_identifier="pending"))
    except ContractCustomError as error:
        data = error.data if isinstance(error.data, str) else ""
        decoded = decode_revert(bytes.fromhex(data.removeprefix("0x")), custom_errors([contract.abi]))
        if decoded is None or decoded.name != "NoPerpetualClaim":
            raise


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
    (:func:`plan_departure`): its exits and its perpetual payout are paid to
    ``recipient`` (the trader's own address by default), its refunds and
    claims to the trader's address, as the contract does. A perpetual claim
    takes two departures: one within the claim window proves it, one after
    it is paid. Whatever was already paid is skipped, so
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
    if plan.perpetual_claim:  # first: the one call with a deadline
        assert plan.account is not None
        calls.append(contract.functions.claimPerpetual(*perp_claim_arguments(rebuilt.state, plan.account)))
    if plan.exits:  # exits only ever come with the account they leave
        assert plan.account is not None
        proof = exit_proof(rebuilt.state, plan.account).as_abi()
        for token in plan.exits:
            calls.append(contract.functions.exit(token, proof, Web3.to_checksum_address(recipient or owner)))
    for request_index, deposit in plan.refunds.items():
        fields = (deposit.account_index, owner, deposit.ax, deposit.ay, deposit.token, deposit.amount)
        calls.append(contract.functions.refundDeposit(request_index, fields))
    calls.extend(contract.functions.claim(owner, token) for token in plan.claims)
    if plan.perpetual_payout:
        calls.append(contract.functions.payPerpetualClaim(Web3.to_checksum_address(recipient or owner)))
    for done, call in enumerate(calls, start=1):
        send_transaction(w3, trader, call.build_transaction({"from": owner}))
        if sent is not None:
            sent(done, len(calls))
    return plan
