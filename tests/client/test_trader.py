"""The client's helpers: order ids, exact amounts, error documents."""

import argparse

import httpx
import pytest

from sequencer.client.cli import exact_integer
from sequencer.client.http import ApiError, SequencerClient
from sequencer.client.trader import next_order_id
from sequencer.service.schemas import AccountOut


def account(suggested: int | None) -> AccountOut:
    """An account document suggesting ``suggested`` as its next order id."""
    return AccountOut(
        account_index=1, eth_address="0x" + "00" * 20, public_key=(1, 2), nonce=0,
        min_order_id=0, highest_order_id=5, next_order_id=suggested, open_orders=0, balances=[],
    )  # fmt: skip


def test_next_order_id_is_the_sequencers_suggestion() -> None:
    """The sequencer knows each slot's window (engine/checks.py next_order_id); the client takes its id."""
    assert next_order_id(account(6)) == 6
    with pytest.raises(ValueError, match="no order slot is free"):
        next_order_id(account(None))


@pytest.mark.parametrize(
    ("text", "value"), [("7", 7), ("1.5e18", 15 * 10**17), ("2000e18", 2 * 10**21), ("0.25e2", 25)]
)
def test_exact_integer_reads_exact_amounts(text: str, value: int) -> None:
    assert exact_integer(text) == value


@pytest.mark.parametrize("text", ["1.5", "-1", "1e-3", "1,000", "0x10", "1.25e1", "inf"])
def test_exact_integer_refuses_anything_inexact(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        exact_integer(text)


def test_an_error_without_a_document_still_raises_api_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, text="bad gateway"))
    client = SequencerClient("http://sequencer.invalid", transport=transport)
    with pytest.raises(ApiError) as error:
        client.info()
    assert (error.value.status, error.value.code) == (502, "HTTP_ERROR")
