"""Fixtures of the engine tests."""

import pytest

from sequencer.engine.operator import Operator
from tests.engine.exchange import funded_operator


@pytest.fixture
def operator() -> Operator:
    """A funded exchange (see :func:`funded_operator`)."""
    return funded_operator()
