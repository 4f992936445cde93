"""
The set's threshold key, generated together (``crypto.threshold``'s joint
Feldman key generation) so that no one ever holds its secret and each
node's share never leaves its home:

1. ``matchproof node dkg-key --home H --member I``: node ``I`` makes the key
   pair it receives its values with (``config/dkg.key``, readable by its
   owner only) and prints the public half; the operators collect them, in
   member order, into a members file (a JSON list of hex keys);
2. ``matchproof node dkg-deal --home H --members FILE --out FILE``: the node
   deals, and publishes its dealing (a commitment, and each member's value
   encrypted to that member: nothing in it is secret to anyone but its
   addressee);
3. ``matchproof node dkg-finish --home H --members FILE --dealings FILE...``:
   with every member's dealing, the node checks its value from each
   against its dealer's commitment, adds them up into its share
   (``config/threshold-share.key``) and writes the set's public key
   (``config/threshold-key.json``), the same on every node. A dealing whose
   value its commitment denies names its dealer, and nothing is written:
   the operators then leave that dealer's dealing out, all of them alike.

``matchproof node init`` runs the three steps for every home it lays out
(:func:`generate_in_homes`).
"""

import json
from pathlib import Path

from sequencer.crypto.threshold import Dealing, ThresholdKey, combine, deal, dkg_key, receive

from .encrypted import MemberShare, write_secret, write_threshold_key

DKG_KEY_FILE = Path("config") / "dkg.key"
"""A node's key pair for receiving its values, and its member number."""


class DkgFailed(Exception):
    """The key generation cannot finish at this node: what is wrong, and whose dealing."""


def create_dkg_key(home: Path, member: int) -> bytes:
    """Node ``member``'s receiving key pair in its home; the public half."""
    secret, public = dkg_key()
    write_secret(home / DKG_KEY_FILE, {"member": member, "secret": secret.hex(), "public": public.hex()})
    return public


def _dkg_key(home: Path) -> tuple[int, bytes]:
    """A node's member number and receiving secret key."""
    document = json.loads((home / DKG_KEY_FILE).read_text(encoding="utf-8"))
    return int(document["member"]), bytes.fromhex(document["secret"])


def dealing_document(home: Path, members: list[bytes], needed: int) -> dict[str, object]:
    """The node's dealing for the members' receiving keys, as it publishes it."""
    member, _ = _dkg_key(home)
    dealing = deal(needed, members)
    return {"dealer": member, "commitment": dealing.commitment.hex(), "values": [value.hex() for value in dealing.values]}


def finish(home: Path, members: list[bytes], dealings: list[dict[str, object]]) -> ThresholdKey:
    """
    Check this node's value from every member's dealing, add them up, and
    write its share and the set's key into its home.

    Raises
    ------
    DkgFailed
        A member's dealing is missing or repeated, or one's value does not match its commitment.
    """
    member, secret = _dkg_key(home)
    by_dealer = {int(str(document["dealer"])): document for document in dealings}
    if sorted(by_dealer) != list(range(len(members))) or len(dealings) != len(members):
        raise DkgFailed(f"need one dealing from each of the {len(members)} members, got dealers {sorted(by_dealer)}")
    parsed, values = [], []
    for dealer in range(len(members)):
        document = by_dealer[dealer]
        raw_values = document["values"]
        if not isinstance(raw_values, list) or len(raw_values) != len(members):
            raise DkgFailed(f"member {dealer}'s dealing has no value for each member")
        dealing = Dealing(bytes.fromhex(str(document["commitment"])), tuple(bytes.fromhex(str(v)) for v in raw_values))
        try:
            values.append(receive(secret, member, dealing))
        except ValueError as error:
            raise DkgFailed(f"member {dealer}'s dealing: {error}") from error
        parsed.append(dealing)
    try:
        key, share = combine(member, parsed, values)
    except ValueError as error:
        raise DkgFailed(str(error)) from error
    write_threshold_key(home, key, len(members), MemberShare(member, share))
    return key


def generate_in_homes(homes: list[Path], needed: int) -> ThresholdKey:
    """The three steps for every home on this machine (a devnet's set): the set's key, each home with its share."""
    members = [create_dkg_key(home, member) for member, home in enumerate(homes)]
    dealings = [dealing_document(home, members, needed) for home in homes]
    keys = {finish(home, members, dealings).key_set for home in homes}
    assert len(keys) == 1  # every node adds up the same commitments
    return ThresholdKey(keys.pop())
