"""Assertions shared by the rule tests."""

from typing import Callable, TypeVar

import pytest

from sequencer.spec.errors import RollupError
from sequencer.spec.state import State

E = TypeVar("E", bound=RollupError)


def assert_rejected(state: State, apply: Callable[[], object], error: type[E]) -> E:
    """
    Check that ``apply()`` raises exactly ``error`` and leaves ``state``'s root unchanged.

    Returns the error, so the caller can check the values it carries.
    """
    root = state.root
    with pytest.raises(error) as raised:
        apply()
    assert type(raised.value) is error
    assert state.root == root
    return raised.value
