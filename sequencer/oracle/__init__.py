"""A signed-price feeder for a deployment's perpetual markets (the devnet's oracles)."""
