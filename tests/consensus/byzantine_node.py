"""
A byzantine member of the sequencer set, for the tests: ``python -m
tests.consensus.byzantine_node node start ...`` runs ``matchproof node
start`` with a real CometBFT and an application that lies wherever a member
can lie without its own state drifting from the honest nodes':

- as proposer, it puts at the front of its block a deposit that L1 never
  saw (a fortune for account 1, at the next queue index): a conflicting block;
- in its precommits, it passes off its decryption shares as the next
  member's;
- it signs, for every batch, the digest of another batch.

It votes like an honest node and applies decided blocks as one does, so it
stays in the chain while every lie of it is refused.
"""

import sys

from eth_account.signers.local import LocalAccount
from tendermint.abci import types_pb2 as abci
from web3 import Web3

import sequencer.consensus.node as node_module
from sequencer.cli import main
from sequencer.consensus.app import SequencerApp, encode_tx
from sequencer.consensus.member import BatchSigner
from sequencer.consensus.encrypted import DecryptionShares, Share, decode_extension
from sequencer.service.commands import AddL1Request
from sequencer.spec.transactions import Deposit
from sequencer.spec.types import AccountIndex, Amount, EthAddress, FieldElement, TokenId

FORTUNE = Deposit(AccountIndex(1), EthAddress(0xBAD), FieldElement(0), FieldElement(0), TokenId(1), Amount(10**30))
"""The deposit this node invents."""


class ByzantineApp(SequencerApp):
    """An application that proposes invented deposits and shares under another member's name."""

    def prepare_proposal(self, request: abci.RequestPrepareProposal) -> abci.ResponsePrepareProposal:
        """An honest block with an invented deposit at the front."""
        honest = super().prepare_proposal(request)
        invented = encode_tx(AddL1Request(self.machine.operator.l1_seen, FORTUNE))
        return abci.ResponsePrepareProposal(txs=[invented, *honest.txs])

    def extend_vote(self, request: abci.RequestExtendVote) -> abci.ResponseExtendVote:
        """Its own decryption shares, each passed off as the next member's."""
        shares = decode_extension(super().extend_vote(request).vote_extension).shares
        members = self.decryptor.members if self.decryptor is not None else 1
        forged = DecryptionShares.of(Share(share.ordinal, (share.member + 1) % members, share.share) for share in shares)
        return abci.ResponseExtendVote(vote_extension=forged.encode() if forged.shares else b"")


class OtherDigests:
    """The application as its signer sees it: every batch's digest replaced by another batch's."""

    def __init__(self, app: SequencerApp) -> None:
        """A view of ``app``."""
        self.app = app

    @property
    def digests(self) -> dict[int, bytes]:
        """Each batch's number with a digest that is not its own."""
        return {number: Web3.keccak(b"another batch" + digest) for number, digest in self.app.digests.items()}

    @property
    def signatures(self) -> dict[int, dict[str, bytes]]:
        """The signatures recorded, as the application holds them."""
        return self.app.signatures


def lying_signer(app: SequencerApp, key: LocalAccount, rpc_url: str) -> BatchSigner:
    """A signer of digests that are not the batches'."""
    return BatchSigner(OtherDigests(app), key, rpc_url)  # type: ignore[arg-type]


if __name__ == "__main__":
    node_module.SequencerApp = ByzantineApp  # type: ignore[misc]
    node_module.BatchSigner = lying_signer  # type: ignore[misc,assignment]
    sys.exit(main(sys.argv[1:]))
