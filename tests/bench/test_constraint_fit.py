"""bench.prover_cost's constraint fit: sha256 is counted in whole blocks, a slot in its share of one."""

from bench.prover_cost import sha256_blocks


def test_sha256_blocks_include_the_padding() -> None:
    # 55 bytes leave room for the 0x80 byte and the 8-byte length in one block; 56 do not.
    assert [sha256_blocks(n) for n in (0, 55, 56, 119, 120, 136 + 50)] == [1, 1, 2, 2, 3, 4]
