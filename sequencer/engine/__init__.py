"""
The matching engine: one price-time-priority limit order book per market.

The engine decides which orders trade and at what price; the state
transition (``sequencer.spec``) decides whether a trade is valid. Every fill
the engine makes is at the maker's price, in whole lots and ticks, so that it
is exact in integers and acceptable to the spec and the circuit.
"""
