"""
Integer types of the domain.

They are all plain ``int`` at run time; the names let the type checker catch
an amount passed where a price was meant. Arithmetic on them yields ``int``,
so results are wrapped again where they take on a meaning.
"""

from typing import NewType

AccountIndex = NewType("AccountIndex", int)
"""A leaf index in the account tree."""

TokenId = NewType("TokenId", int)
"""A token id: which of an account's balances (below ``2**balance_depth``)."""

Amount = NewType("Amount", int)
"""A quantity of one token: a balance, an order size, a fill or a fee."""

Price = NewType("Price", int)
"""Quote units per base unit, times ``PRICE_SCALE``."""

OrderId = NewType("OrderId", int)
"""An order's id, chosen by its signer; its low bits pick the order's slot."""

Nonce = NewType("Nonce", int)
"""The number of L2 withdrawals an account has made."""

Timestamp = NewType("Timestamp", int)
"""Unix seconds: a batch's time or an order's expiry."""

EthAddress = NewType("EthAddress", int)
"""An L1 address read as a 160-bit integer."""

FieldElement = NewType("FieldElement", int)
"""An element of the BN254 scalar field: a hash, a root, a key coordinate."""
