"""BLAKE-512 against published vectors and the npm ``blake-hash`` package."""

import random
from collections.abc import Callable
from typing import Any

from sequencer.crypto.blake512 import blake512

Reference = Callable[[dict[str, Any]], dict[str, Any]]
"""The ``circomlibjs`` fixture (conftest.py): request in, reference answer out."""


def test_published_vectors() -> None:
    # From the BLAKE submission (one zero byte, 144 zero bytes) and the empty message.
    assert blake512(b"").hex() == (
        "a8cfbbd73726062df0c6864dda65defe58ef0cc52a5625090fa17601e1eecd1b"
        "628e94f396ae402a00acc9eab77b4d4c2e852aaaa25a636d80af3fc7913ef5b8"
    )
    assert blake512(bytes(1)).hex() == (
        "97961587f6d970faba6d2478045de6d1fabd09b61ae50932054d52bc29d31be4"
        "ff9102b9f69e2bbdb83be13d4b9c06091e5fa0b48bd081b634058be0ec49beb3"
    )
    assert blake512(bytes(144)).hex() == (
        "313717d608e9cf758dcb1eb0f0c3cf9fc150b2d500fb33f51c52afc99d358a2f"
        "1374b8a38bba7974e7f6ef79cab16f22ce1e649d6e01ad9589c213045d545dde"
    )


def test_agrees_with_blake_hash_at_every_length_up_to_three_blocks(circomlibjs: Reference) -> None:
    # Every length from 0 to 384 bytes crosses each padding case: room for the
    # length in the last message block or not, a padding-only final block.
    rng = random.Random(2)
    messages = [rng.randbytes(n) for n in range(385)]
    answer = circomlibjs({"blake512": [m.hex() for m in messages]})
    for message, reference in zip(messages, answer["blake512"], strict=True):
        assert blake512(message).hex() == reference["native"] == reference["js"], len(message)
