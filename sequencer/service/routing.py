"""What every route module of the API shares: path parameters, a request's signature, a write's acceptance."""

from typing import Annotated

from fastapi import Path

from sequencer.crypto.eddsa import Signature
from sequencer.spec.constants import MAX_ACCOUNT_DEPTH

from .intake import Accepted
from .schemas import SignatureIn

AccountPath = Annotated[int, Path(ge=0, lt=2**MAX_ACCOUNT_DEPTH, description="account index")]
MarketPath = Annotated[str, Path(min_length=1, max_length=64)]


def signature(document: SignatureIn) -> Signature:
    """A request's signature."""
    return Signature(document.r8x, document.r8y, document.s)


def accepted(result: Accepted | None) -> Accepted:
    """A trader command's acceptance, with its receipt (the intake returns None only for seals and ticks)."""
    if result is None or result.receipt is None:
        raise RuntimeError("a trader command was accepted without a receipt")
    return result
