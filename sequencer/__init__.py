"""Matchproof sequencer: the off-chain operator that orders, matches and batches."""
