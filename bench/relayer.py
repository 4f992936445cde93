"""
The L1 settlement baseline from Python: deploy ``RelayerSettlement``
(``bench/contracts/RelayerSettlement.sol``), deposit, sign orders with
EIP-712 (ECDSA, eth-account) and settle matched trades one transaction each.

This is what an order book without a rollup pays per trade on L1; the
benchmark settles the very trades it also puts into rollup batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from bench.contracts_build import RELAYER_CONTRACT, bench_contracts
from sequencer.l1.deploy import deploy_contract
from sequencer.l1.transactions import send_transaction

DOMAIN_NAME = "RelayerSettlement"
DOMAIN_VERSION = "1"

ORDER_TYPE = [
    {"name": "trader", "type": "address"},
    {"name": "orderId", "type": "uint64"},
    {"name": "baseToken", "type": "address"},
    {"name": "quoteToken", "type": "address"},
    {"name": "side", "type": "uint8"},
    {"name": "price", "type": "uint96"},
    {"name": "amount", "type": "uint96"},
    {"name": "maxFeeBps", "type": "uint16"},
    {"name": "expiry", "type": "uint64"},
]
"""The EIP-712 ``Order`` type; the contract's ``ORDER_TYPEHASH`` spells the same fields in the same order."""


@dataclass(frozen=True)
class RelayerOrder:
    """A limit order as the relayer contract takes it: the trader by address, tokens by address."""

    trader: ChecksumAddress
    order_id: int
    base_token: ChecksumAddress
    quote_token: ChecksumAddress
    side: int
    price: int
    amount: int
    max_fee_bps: int
    expiry: int

    def message(self) -> dict[str, Any]:
        """The order as the EIP-712 message (field names of ``ORDER_TYPE``)."""
        return {
            "trader": self.trader,
            "orderId": self.order_id,
            "baseToken": self.base_token,
            "quoteToken": self.quote_token,
            "side": self.side,
            "price": self.price,
            "amount": self.amount,
            "maxFeeBps": self.max_fee_bps,
            "expiry": self.expiry,
        }

    def as_tuple(self) -> tuple[ChecksumAddress, int, ChecksumAddress, ChecksumAddress, int, int, int, int, int]:
        """The order as the ABI's ``Order`` tuple."""
        return (
            self.trader,
            self.order_id,
            self.base_token,
            self.quote_token,
            self.side,
            self.price,
            self.amount,
            self.max_fee_bps,
            self.expiry,
        )


@dataclass(frozen=True)
class CompactSignature:
    """An ECDSA signature in EIP-2098 form: ``r`` and ``vs`` (``s`` with the parity in its top bit)."""

    r: bytes
    vs: bytes

    def as_tuple(self) -> tuple[bytes, bytes]:
        """The signature as the ABI's ``Signature`` tuple."""
        return self.r, self.vs


class Relayer:
    """A deployed ``RelayerSettlement`` and the account that settles on it."""

    def __init__(self, w3: Web3, contract: Contract, relayer: LocalAccount) -> None:
        """Bind to a deployed contract; ``relayer`` must be the one it was deployed for."""
        self.w3 = w3
        self.contract = contract
        self.relayer = relayer

    @classmethod
    def deploy(cls, w3: Web3, relayer: LocalAccount) -> Relayer:
        """Compile (cached) and deploy the contract with ``relayer`` as its settler and fee receiver."""
        artifacts = bench_contracts()
        address, _, _ = deploy_contract(w3, relayer, artifacts, RELAYER_CONTRACT, relayer.address)
        return cls(w3, w3.eth.contract(address=address, abi=artifacts.get(RELAYER_CONTRACT).abi), relayer)

    def domain(self) -> dict[str, Any]:
        """The EIP-712 domain of this deployment."""
        return {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": self.w3.eth.chain_id,
            "verifyingContract": self.contract.address,
        }

    def order_digest(self, order: RelayerOrder) -> bytes:
        """The EIP-712 digest of ``order`` as eth-account computes it (what the trader signs)."""
        signable = encode_typed_data(self.domain(), {"Order": ORDER_TYPE}, order.message())
        return bytes(Web3.keccak(b"\x19" + signable.version + signable.header + signable.body))

    def check_digest(self, order: RelayerOrder) -> None:
        """Raise ``RuntimeError`` unless the contract hashes ``order`` exactly as eth-account does."""
        on_chain = bytes(self.contract.functions.orderHash(order.as_tuple()).call())
        if on_chain != self.order_digest(order):
            raise RuntimeError(
                f"EIP-712 digest mismatch: contract {on_chain.hex()}, eth-account {self.order_digest(order).hex()}"
            )

    def sign(self, trader: LocalAccount, order: RelayerOrder) -> CompactSignature:
        """``trader``'s EIP-712 signature of ``order``, in compact form."""
        signed = trader.sign_typed_data(self.domain(), {"Order": ORDER_TYPE}, order.message())
        parity = signed.v - 27
        if parity not in (0, 1):
            raise ValueError(f"unexpected recovery id v={signed.v}")
        vs = signed.s | (parity << 255)
        return CompactSignature(signed.r.to_bytes(32, "big"), vs.to_bytes(32, "big"))

    def deposit(self, trader: LocalAccount, token: Contract, amount: int) -> TxReceipt:
        """Approve and deposit ``amount`` of ``token``; returns the deposit's receipt."""
        send_transaction(
            self.w3,
            trader,
            token.functions.approve(self.contract.address, amount).build_transaction({"from": trader.address}),
        )
        call = self.contract.functions.deposit(token.address, amount)
        return send_transaction(self.w3, trader, call.build_transaction({"from": trader.address}))

    def settle(
        self,
        maker: RelayerOrder,
        maker_signature: CompactSignature,
        taker: RelayerOrder,
        taker_signature: CompactSignature,
        fill_base: int,
        maker_fee: int,
        taker_fee: int,
    ) -> TxReceipt:
        """Settle one trade (sent by the relayer); raises ``TransactionFailed`` if it reverts."""
        call = self.contract.functions.settle(
            maker.as_tuple(),
            maker_signature.as_tuple(),
            taker.as_tuple(),
            taker_signature.as_tuple(),
            fill_base,
            maker_fee,
            taker_fee,
        )
        return send_transaction(self.w3, self.relayer, call.build_transaction({"from": self.relayer.address}))

    def balance(self, owner: str, token: str) -> int:
        """``owner``'s balance of ``token`` held in the contract."""
        return int(
            self.contract.functions.balanceOf(Web3.to_checksum_address(owner), Web3.to_checksum_address(token)).call()
        )
