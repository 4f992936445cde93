"""EdDSA-Poseidon verification in Rust, for the sequencer's intake.

A thin typed wrapper around the ``matchproof_native`` extension built from
``native/`` (``scripts/bootstrap`` builds and installs it; there is no
fallback). Python's ``sequencer/crypto/eddsa.py`` (with ``babyjub.py``) is
the readable reference: this module computes exactly the
same functions, accepting and refusing the same inputs, and
``tests/crypto/test_native.py`` checks it against the reference on shared
vectors (``tests/vectors/eddsa_poseidon.json``) and on random tampering.

- ``verify``: ``eddsa.verify``, several times faster; releases the GIL.
- ``verify_many``: ``[verify(*item) for item in items]``, verified in
  parallel on all cores without the GIL.
"""

from collections.abc import Iterable

import matchproof_native

from sequencer.crypto.eddsa import PublicKey, Signature

_MALFORMED: tuple[None, None, None, None, None, None] = (None, None, None, None, None, None)
"""Six values the extension reads as malformed: the item verifies as False."""


def verify(public_key: PublicKey, message: int, signature: Signature) -> bool:
    """Tell whether ``signature`` signs ``message`` under ``public_key``.

    Exactly ``sequencer.crypto.eddsa.verify``: returns False, never raises, on
    any malformed input (wrong types, values outside the field, ``S >= l``,
    ``A`` or ``R8`` off the curve, a public key of small order).
    """
    if not (isinstance(public_key, PublicKey) and isinstance(signature, Signature)):
        return False
    return matchproof_native.eddsa_verify(
        public_key.ax, public_key.ay, message, signature.r8x, signature.r8y, signature.s
    )


def verify_many(items: Iterable[tuple[PublicKey, int, Signature]]) -> list[bool]:
    """Return ``[verify(key, message, signature) for key, message, signature in items]``.

    The signatures are checked in parallel, without holding the GIL.
    """
    rows: list[tuple[object, object, object, object, object, object]] = []
    for public_key, message, signature in items:
        if isinstance(public_key, PublicKey) and isinstance(signature, Signature):
            rows.append((public_key.ax, public_key.ay, message, signature.r8x, signature.r8y, signature.s))
        else:
            rows.append(_MALFORMED)
    return matchproof_native.eddsa_verify_many(rows)
