"""The L1 side of Matchproof: compile and deploy the contracts, run a local anvil.

- ``compile``: ``compile_contracts()`` builds ``contracts/src`` (plus an optional
  verifier source) with solc-js through ``scripts/solc``, cached under
  ``build/contracts/``.
- ``deploy``: ``deploy()`` puts the Poseidon contracts, the verifier, test tokens and
  ``Matchproof`` on a chain and returns a ``Deployment`` (JSON round-trip).
- ``anvil``: ``start_anvil()`` runs a real anvil on a free port (hardfork pinned).
- ``transactions``: ``send_transaction()`` signs with an eth-account key and waits.
- ``rollup``: ``Rollup``, the contract as the operator and traders use it.
- ``reconstruct``: ``reconstruct()`` rebuilds the proven state from L1 alone.
- ``exodus``: exit proofs and ``leave()``, which takes a trader's tokens out of a
  frozen rollup; ``exit_cli``: the ``reconstruct``, ``freeze`` and ``exit`` commands.
"""
