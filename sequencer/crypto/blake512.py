"""The original BLAKE-512 hash (SHA-3 finalist, version 1.3), in pure Python.

circomlibjs derives a Baby JubJub key and the EdDSA signing nonce with
BLAKE-512 (npm ``blake-hash``). It is not BLAKE2, which ``hashlib`` offers and
whose output differs, so it is written out here from the specification
(Aumasson, Henzen, Meier, Phan: "SHA-3 proposal BLAKE"). The salt is always
zero, as in ``blake-hash``.
"""

_MASK = (1 << 64) - 1
_BLOCK_BYTES = 128
_ROUNDS = 16

# Initial value: the same words as SHA-512's (fractional parts of the square
# roots of the first eight primes).
_IV = (
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
)

# Round constants: the first 1024 bits of the fractional part of pi.
_C = (
    0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0, 0x082EFA98EC4E6C89,
    0x452821E638D01377, 0xBE5466CF34E90C6C, 0xC0AC29B7C97C50DD, 0x3F84D5B5B5470917,
    0x9216D5D98979FB1B, 0xD1310BA698DFB5AC, 0x2FFD72DBD01ADFB7, 0xB8E1AFED6A267E96,
    0xBA7C9045F12C7F99, 0x24A19947B3916CF7, 0x0801F2E2858EFC16, 0x636920D871574E69,
)

# Message word permutations; round r uses row r mod 10.
_SIGMA = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3),
    (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4),
    (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8),
    (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13),
    (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9),
    (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11),
    (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10),
    (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5),
    (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0),
)

# The state words G_0..G_7 mix: four columns, then four diagonals.
_G_WORDS = (
    (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
    (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14),
)

# Every G call of the 16 rounds, flattened once: the four state indices, the
# two message word indices and the constants each is XORed with.
_SCHEDULE = tuple(
    (a, b, c, d, j, k, _C[k], _C[j])
    for r in range(_ROUNDS)
    for i, (a, b, c, d) in enumerate(_G_WORDS)
    for j, k in [(_SIGMA[r % 10][2 * i], _SIGMA[r % 10][2 * i + 1])]
)


def _compress(chain: list[int], block: bytes, counter: int) -> list[int]:
    """Apply the compression function to one 128-byte block.

    ``counter`` is the number of message bits hashed up to the end of this
    block (0 for a block that holds padding only).
    """
    m = [int.from_bytes(block[i : i + 8], "big") for i in range(0, _BLOCK_BYTES, 8)]
    t0, t1 = counter & _MASK, counter >> 64
    v = chain + [
        _C[0], _C[1], _C[2], _C[3],
        t0 ^ _C[4], t0 ^ _C[5], t1 ^ _C[6], t1 ^ _C[7],
    ]
    for a, b, c, d, j, k, c_k, c_j in _SCHEDULE:
        va = (v[a] + v[b] + (m[j] ^ c_k)) & _MASK
        vd = v[d] ^ va
        vd = ((vd >> 32) | (vd << 32)) & _MASK
        vc = (v[c] + vd) & _MASK
        vb = v[b] ^ vc
        vb = ((vb >> 25) | (vb << 39)) & _MASK
        va = (va + vb + (m[k] ^ c_j)) & _MASK
        vd ^= va
        vd = ((vd >> 16) | (vd << 48)) & _MASK
        vc = (vc + vd) & _MASK
        vb ^= vc
        vb = ((vb >> 11) | (vb << 53)) & _MASK
        v[a], v[b], v[c], v[d] = va, vb, vc, vd
    return [chain[i] ^ v[i] ^ v[i + 8] for i in range(8)]


def blake512(data: bytes) -> bytes:
    """Return the 64-byte BLAKE-512 digest of ``data``."""
    # Padding: a 1 bit, zeros up to 895 bits mod 1024, a 1 bit (BLAKE-512's
    # marker), then the message length in bits as a 128-bit big-endian number.
    zeros = (_BLOCK_BYTES - 16 - 1 - len(data)) % _BLOCK_BYTES
    padded = bytearray(data)
    padded += b"\x80" + bytes(zeros)
    padded[-1] |= 0x01
    bit_length = 8 * len(data)
    padded += bit_length.to_bytes(16, "big")

    chain = list(_IV)
    for start in range(0, len(padded), _BLOCK_BYTES):
        counter = min(bit_length, 8 * (start + _BLOCK_BYTES)) if start < len(data) else 0
        chain = _compress(chain, bytes(padded[start : start + _BLOCK_BYTES]), counter)
    return b"".join(word.to_bytes(8, "big") for word in chain)
