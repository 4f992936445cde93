"""
ABCI's socket framing: each protobuf ``Request`` (CometBFT to the
application) and ``Response`` (back) is prefixed with its length as an
unsigned varint, as CometBFT 0.38 writes and reads them.
"""

import asyncio

from google.protobuf.message import DecodeError
from tendermint.abci.types_pb2 import Request, Response

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
"""The largest message read: a block of transactions, far above CometBFT's default block size (21 MB)."""

_VARINT_BYTES = 10
"""A 64-bit unsigned varint takes at most ten bytes."""


class WireError(Exception):
    """A frame that is not a length-prefixed ``Request``: the connection is closed."""


def encode_varint(value: int) -> bytes:
    """``value`` (unsigned) as a protobuf varint: seven bits a byte, low first, the top bit set on all but the last."""
    if value < 0:
        raise ValueError("a length is not negative")
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


async def read_varint(reader: asyncio.StreamReader) -> int | None:
    """
    The next varint on ``reader``; None at a clean end of stream (nothing
    read).

    Raises
    ------
    WireError
        The stream ends inside the varint, or it runs past ten bytes.
    """
    value = 0
    for position in range(_VARINT_BYTES):
        byte = await reader.read(1)
        if not byte:
            if position == 0:
                return None
            raise WireError("the stream ended inside a length prefix")
        value |= (byte[0] & 0x7F) << (7 * position)
        if not byte[0] & 0x80:
            return value
    raise WireError("a length prefix runs past ten bytes")


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """
    The next ``Request`` on ``reader``; None when CometBFT closed the connection.

    Raises
    ------
    WireError
        A truncated frame, one longer than ``MAX_MESSAGE_BYTES``, or bytes that are not a ``Request``.
    """
    length = await read_varint(reader)
    if length is None:
        return None
    if length > MAX_MESSAGE_BYTES:
        raise WireError(f"a message of {length} bytes is longer than {MAX_MESSAGE_BYTES}")
    try:
        body = await reader.readexactly(length)
    except asyncio.IncompleteReadError as error:
        raise WireError("the stream ended inside a message") from error
    request = Request()
    try:
        request.ParseFromString(body)
    except DecodeError as error:
        raise WireError(f"not a Request: {error}") from error
    return request


def frame(response: Response) -> bytes:
    """``response`` serialised with its length prefix."""
    body = response.SerializeToString()
    return encode_varint(len(body)) + body
