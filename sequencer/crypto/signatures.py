"""
The signature check the protocol runs: EdDSA-Poseidon verification by the
native verifier (``native.py``, checked against the readable reference
``eddsa.py`` on shared vectors), with every result kept.

Verification is a pure function, so a result can be reused: a resting
order's signature is checked at intake and again by the spec at each fill,
and the sequencer's API verifies a request's signature ahead of the engine,
off the event loop and in parallel (:func:`verify_ahead`), so that the
single-threaded engine finds the result ready.
"""

import threading
from collections import OrderedDict
from collections.abc import Sequence

from . import native
from .eddsa import PublicKey, Signature

KEPT = 1 << 16
"""How many results are kept (the oldest go first)."""

_Values = tuple[int, int, int, int, int, int]
_kept: OrderedDict[_Values, bool] = OrderedDict()
_lock = threading.Lock()


def verify(public_key: PublicKey, message: int, signature: Signature) -> bool:
    """``eddsa.verify``: whether ``signature`` signs ``message`` under ``public_key`` (False on malformed input)."""
    values = _values(public_key, message, signature)
    if values is None:
        return False
    with _lock:
        known = _kept.get(values)
    if known is not None:
        return known
    valid = native.verify(public_key, message, signature)
    _keep(values, valid)
    return valid


def verify_ahead(items: Sequence[tuple[PublicKey, int, Signature]]) -> None:
    """
    Verify signatures in parallel, without holding the GIL, and keep the
    results for :func:`verify`. Call it from a worker thread.
    """
    fresh = [(item, values) for item in items if (values := _values(*item)) is not None and values not in _kept]
    if not fresh:
        return
    for (_, values), valid in zip(fresh, native.verify_many([item for item, _ in fresh]), strict=True):
        _keep(values, valid)


def forget() -> None:
    """Drop every kept result (a benchmark measures verification from cold)."""
    with _lock:
        _kept.clear()


def _values(public_key: PublicKey, message: int, signature: Signature) -> _Values | None:
    """The six integers a check depends on, or None if the input is malformed."""
    if not (isinstance(public_key, PublicKey) and isinstance(signature, Signature)):
        return None
    values = (public_key.ax, public_key.ay, message, signature.r8x, signature.r8y, signature.s)
    if not all(type(value) is int for value in values):
        return None
    return values


def _keep(values: _Values, valid: bool) -> None:
    """Remember one result, forgetting the oldest beyond ``KEPT``."""
    with _lock:
        _kept[values] = valid
        _kept.move_to_end(values)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
