"""The client's helpers: order ids, exact amounts, error documents."""

import argparse

import httpx
import pytest

from sequencer.client.cli import exact_integer
from sequencer.client.http import ApiError, SequencerClient
from sequencer.client.trader import next_order_id
from sequencer.service.schemas import AccountOut


def account(highest: int, minimum: int = 0) -> AccountOut:
    """An account document with the order-id counters the helper reads."""
    return AccountOut(
        account_index=1, eth_address="0x" + "00" * 20, public_key=(1, 2), nonce=0,
        min_order_id=minimum, highest_order_id=highest, open_orders=0, balances=[],
    )  # fmt: skip


def test_next_order_id_is_above_every_used_id_in_a_free_slot() -> None:
    assert next_order_id(account(0), [], order_depth=2) == 1
    assert next_order_id(account(5), [], order_depth=2) == 6
    assert next_order_id(account(5), [6, 7], order_depth=2) == 8  # slots 2 and 3 hold open orders
    assert next_order_id(account(5, minimum=100), [], order_depth=2) == 100
    with pytest.raises(ValueError):
        next_order_id(account(5), [4, 5, 6, 7], order_depth=2)


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
