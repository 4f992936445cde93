"""
The witness builder: turns a batch of transactions into the circuit's input.

Its keys are the signal names of ``circuits/batch.circom``; every value is read
from the states the spec (``sequencer.spec``) goes through while it applies
the batch, so the circuit is always fed exactly what the spec computed.
"""
