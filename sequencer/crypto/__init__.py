"""Cryptography shared by the sequencer, the spec and the tests.

Everything here is circomlib-compatible: Poseidon and EdDSA-Poseidon on Baby
JubJub produce exactly what circomlibjs produces and what the circuits check,
so a value computed in Python can be proven in the circuit unchanged.
"""
