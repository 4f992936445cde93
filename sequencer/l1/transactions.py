"""Sign and send transactions with an eth-account key, and wait for them."""

from __future__ import annotations

from typing import Any, cast

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.types import TxParams, TxReceipt

GAS_MARGIN_NUM = 6
GAS_MARGIN_DEN = 5
"""Estimated gas times 6/5: headroom for state that changes between estimate and mining."""

RECEIPT_TIMEOUT_S = 120.0


class TransactionFailed(Exception):
    """A transaction was mined but reverted."""

    def __init__(self, tx_hash: HexBytes, receipt: TxReceipt) -> None:
        super().__init__(f"transaction {tx_hash.to_0x_hex()} reverted (gas used {receipt['gasUsed']})")
        self.tx_hash = tx_hash
        self.receipt = receipt


def send_transaction(
    w3: Web3,
    account: LocalAccount,
    tx: TxParams,
    *,
    gas: int | None = None,
) -> TxReceipt:
    """Fill in sender, nonce, chain id, EIP-1559 fees and gas; sign; send; wait.

    ``gas`` overrides the estimate (which is taken with a 20 % margin otherwise).
    Raises ``TransactionFailed`` if the transaction reverts; an estimate that
    reverts raises web3's ``ContractLogicError`` (with the custom error's data)
    before anything is sent.
    """
    params: dict[str, Any] = dict(tx)
    params["from"] = account.address
    params.setdefault("chainId", w3.eth.chain_id)
    params.setdefault("nonce", w3.eth.get_transaction_count(account.address, "pending"))
    if "gasPrice" not in params and "maxFeePerGas" not in params:
        base_fee = int(w3.eth.get_block("latest").get("baseFeePerGas", 0))
        priority = int(w3.eth.max_priority_fee)
        params["maxPriorityFeePerGas"] = priority
        params["maxFeePerGas"] = 2 * base_fee + priority
    if gas is not None:
        params["gas"] = gas
    elif "gas" not in params:
        estimate = w3.eth.estimate_gas(cast(TxParams, params))
        params["gas"] = estimate * GAS_MARGIN_NUM // GAS_MARGIN_DEN
    signed = account.sign_transaction(params)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_S)
    if receipt["status"] != 1:
        raise TransactionFailed(HexBytes(tx_hash), receipt)
    return receipt
