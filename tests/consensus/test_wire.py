"""ABCI's socket framing: unsigned varint lengths, and what a broken frame does (a named error, not a crash)."""

import asyncio

import pytest
from tendermint.abci import types_pb2 as abci

from sequencer.consensus.abci_server import respond
from sequencer.consensus.wire import MAX_MESSAGE_BYTES, WireError, encode_varint, frame, read_request


def read_all(data: bytes) -> list[abci.Request | None]:
    """Every request ``read_request`` finds in ``data``, then what it returns at the end."""

    async def run() -> list[abci.Request | None]:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        found: list[abci.Request | None] = []
        while (request := await read_request(reader)) is not None:
            found.append(request)
        return [*found, None]

    return asyncio.run(run())


def framed(request: abci.Request) -> bytes:
    body = request.SerializeToString()
    return encode_varint(len(body)) + body


@pytest.mark.parametrize("value, encoded", [(0, b"\x00"), (1, b"\x01"), (127, b"\x7f"), (128, b"\x80\x01"), (300, b"\xac\x02")])
def test_lengths_are_unsigned_varints(value: int, encoded: bytes) -> None:
    assert encode_varint(value) == encoded


def test_requests_are_read_in_order_until_the_stream_ends() -> None:
    echo = abci.Request(echo=abci.RequestEcho(message="x" * 200))  # a two-byte length
    flush = abci.Request(flush=abci.RequestFlush())
    assert read_all(framed(echo) + framed(flush)) == [echo, flush, None]


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\x05ab", "inside a message"),
        (b"\x80", "inside a length prefix"),
        (b"\xff" * 11, "past ten bytes"),
        (encode_varint(MAX_MESSAGE_BYTES + 1), "longer than"),
        (b"\x02\xff\xff", "not a Request"),
    ],
)
def test_a_broken_frame_is_a_wire_error(data: bytes, reason: str) -> None:
    with pytest.raises(WireError, match=reason):
        read_all(data)


def test_the_server_answers_what_the_application_does_not_handle() -> None:
    class Nothing:  # an application none of whose handlers these requests reach
        pass

    echo = respond(Nothing(), abci.Request(echo=abci.RequestEcho(message="hi")))  # type: ignore[arg-type]
    assert echo.echo.message == "hi"
    assert respond(Nothing(), abci.Request(flush=abci.RequestFlush())).HasField("flush")  # type: ignore[arg-type]
    failed = respond(Nothing(), abci.Request(info=abci.RequestInfo()))  # type: ignore[arg-type]
    assert failed.HasField("exception") and "info" in failed.exception.error  # an application's failure halts CometBFT
    response = abci.Response(flush=abci.ResponseFlush())
    assert frame(response) == encode_varint(len(response.SerializeToString())) + response.SerializeToString()
