"""Fixtures of the sequencer set's tests."""

from collections.abc import Iterator

import pytest

from sequencer.l1.anvil import AnvilNode, start_anvil


@pytest.fixture
def node() -> Iterator[AnvilNode]:
    """A fresh anvil."""
    with start_anvil() as anvil:
        yield anvil
