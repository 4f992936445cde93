"""
The sequencer set: N sequencer nodes agree on one order of transactions
with CometBFT (a Byzantine fault tolerant consensus engine) and each applies
it to the same deterministic state machine, over ABCI.

- ``cometbft``: the pinned CometBFT program and the homes of a set of nodes;
- ``wire`` and ``abci_server``: ABCI's socket protocol;
- ``app``: the sequencer's machine as the application CometBFT drives;
- ``node``: one node, its application and its CometBFT process (``matchproof node``).
"""
