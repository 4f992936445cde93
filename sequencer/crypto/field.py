"""The BN254 scalar field in which every hashed or published value lives."""

FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617
"""p, the order of the BN254 (snarkjs ``bn128``) scalar field."""


def is_field_element(value: object) -> bool:
    """Tell whether ``value`` is an integer in ``[0, p)``.

    Accepts any object so that verifiers can screen untrusted input without
    raising.
    """
    return isinstance(value, int) and 0 <= value < FIELD_MODULUS
