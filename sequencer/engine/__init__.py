"""
The matching engine: one price-time-priority limit order book per market.

The engine decides which orders trade and at what price; the state
transition (``sequencer.spec``) decides whether a trade is valid. Every fill
the engine makes is at the maker's price, in whole lots and ticks, so that it
is exact in integers and acceptable to the spec and the circuit.

- :mod:`market` -- a market's tokens, tick and lot sizes, minimum and fees;
- :mod:`orders` -- order kinds (limit, IOC, FOK, post-only, market), statuses, records;
- :mod:`book` -- the book itself: priority, matching, self-trade prevention, depth;
- :mod:`cancels` -- the signed (off-chain) cancel and cancel-all messages;
- :mod:`errors` -- the stable codes of the engine's refusals.
"""
