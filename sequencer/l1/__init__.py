"""The L1 side of Matchproof: compile and deploy the contracts, run a local anvil.

- ``compile``: ``compile_contracts()`` builds ``contracts/src`` (plus an optional
  verifier source) with solc-js through ``scripts/solc``, cached under
  ``build/contracts/``.
- ``deploy``: ``deploy()`` puts the Poseidon contracts, the verifier, test tokens and
  ``Matchproof`` on a chain and returns a ``Deployment`` (JSON round-trip).
- ``anvil``: ``start_anvil()`` runs a real anvil on a free port (hardfork pinned).
- ``transactions``: ``send_transaction()`` signs with an eth-account key and waits.
"""
