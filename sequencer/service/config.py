"""
What a sequencer runs with: its data directory, tree sizes, batch size,
markets, the deployment it serves and its timing.

Markets come from a JSON file::

    {"markets": [{"name": "WETH-USDC", "base_token": 0, "quote_token": 1,
                  "tick_size": "10000000000000000", "lot_size": "1000000000000000000",
                  "min_amount": "1000000000000000000", "maker_fee_bps": 10, "taker_fee_bps": 20}]}

Integers may be JSON numbers or decimal strings (use strings above 2**53).
An optional ``"min_withdrawal": {"<token id>": amount, ...}`` sets the
smallest withdrawal of a token (default: the smallest order its markets
take, ``engine.market.default_min_withdrawals``). An optional
``"tokens": {"<token id>": {"symbol": "WETH", "decimals": 18}, ...}`` says
how the explorer shows a token (default: its symbol in a market's name, 18
decimals); it changes nothing else. On a deployment with perpetual
markets, ``"perpetual_markets": [{"name": "ETH-PERP", "market": 0,
"maker_fee_bps": 10, "taker_fee_bps": 20, "min_size": 1}]`` names the
markets the engine trades (their ids in the parameters the rollup was
deployed with, which the sequencer reads from L1) and sets their fees and
order sizes (``max_size`` is optional too).
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sequencer.engine.batcher import PerpSetup
from sequencer.engine.market import Market, MarketConfigError
from sequencer.engine.perp_market import PerpMarketRules
from sequencer.spec.perpetual.commitment import perp_config_hash
from sequencer.spec.constants import TreeConfig
from sequencer.spec.types import Amount, Price, TokenId

from .codec import canonical_json
from .explorer.units import DEFAULT_DECIMALS, TokenLabel
from .receipts import NO_CONTRACT, ReceiptDomain


class ConfigError(ValueError):
    """A configuration file that cannot be used."""


@dataclass(frozen=True)
class ServiceConfig:
    """
    A sequencer's configuration.

    ``max_batch_wait_s`` bounds how long a transaction waits for its batch
    to be sealed; ``poll_interval_s`` is how often the sequencer looks for
    due batches, stale orders, L1 requests and batches to prove.
    """

    data_dir: Path
    tree: TreeConfig
    slots: int
    markets: tuple[Market, ...]
    chain_id: int = 0
    rollup: str = NO_CONTRACT
    max_batch_wait_s: int = 10
    poll_interval_s: float = 0.5
    retry_delay_s: float = 5.0
    """How long the loops wait after an L1 or prover failure before trying again."""
    max_group: int = 64
    """
    The most requests one log write (one fsync) commits. The event loop
    serves nothing else while a group is applied, so this also bounds that
    pause (a few ms per order).
    """
    token_count: int | None = None
    """How many tokens the rollup lists (ids ``0 .. token_count - 1``); None: the markets' tokens."""
    checkpoint_every: int = 10_000
    """Log entries between checkpoints (0: none); a restart replays only the entries after the last one."""
    compact_log: bool = False
    """Delete log entries behind each checkpoint (their receipts are then no longer served)."""
    min_withdrawals: tuple[tuple[TokenId, Amount], ...] = ()
    """Configured smallest withdrawals, as ``(token, amount)``; the markets' defaults for the others."""
    token_labels: tuple[tuple[TokenId, TokenLabel], ...] = ()
    """How the explorer shows tokens, as ``(token, label)``; for the others, :meth:`token_label`'s default."""
    perp: PerpSetup | None = None
    """The deployment's perpetual markets, each batch's perpetual slots and the engine's market rules; None: spot only."""
    funding_interval_s: int = 60
    """Seconds between funding ticks (``engine.funding`` sets their rates) while someone holds a perpetual position."""
    public_rpc: str | None = None
    """
    The L1 node the trading page's deposits and claims go through, as the
    traders' browsers reach it (a development chain's); None: the page leaves
    L1 transactions to the command line.
    """

    def token_label(self, token: TokenId) -> TokenLabel:
        """
        How ``token`` is shown: its configured label, or else the symbol the
        first market's name gives it (``WETH`` in ``WETH-USDC``) and 18 decimals.
        """
        for known, label in self.token_labels:
            if known == token:
                return label
        for market in self.markets:
            symbols = market.name.split("-")
            if len(symbols) == 2 and token in (market.base_token, market.quote_token):
                return TokenLabel(symbols[0] if token == market.base_token else symbols[1], DEFAULT_DECIMALS)
        return TokenLabel(f"token {token}", DEFAULT_DECIMALS)

    @property
    def tokens(self) -> list[TokenId]:
        """The token ids account balances are shown for."""
        if self.token_count is not None:
            return [TokenId(token) for token in range(self.token_count)]
        return sorted({t for m in self.markets for t in (m.base_token, m.quote_token)})

    @property
    def receipt_domain(self) -> ReceiptDomain:
        """The EIP-712 domain of this deployment's receipts."""
        return ReceiptDomain(self.chain_id, self.rollup)

    def fingerprint(self) -> str:
        """A hash of everything the replayed state depends on; a log only replays under its own."""
        document = {
            "tree": [self.tree.account_depth, self.tree.balance_depth, self.tree.order_depth],
            "slots": self.slots,
            "chain_id": self.chain_id,
            "rollup": self.rollup.lower(),
            "markets": [
                [
                    m.name,
                    m.base_token,
                    m.quote_token,
                    str(m.tick_size),
                    str(m.lot_size),
                    str(m.min_amount),
                    m.maker_fee_bps,
                    m.taker_fee_bps,
                ]
                for m in self.markets
            ],
        }
        if self.min_withdrawals:  # absent when unset, so logs written before it existed still open
            document["min_withdrawals"] = [[token, str(amount)] for token, amount in self.min_withdrawals]
        if self.perp is not None:  # absent for spot only, likewise
            document["perp"] = {
                "config_hash": str(perp_config_hash(self.perp.config)),
                "slots": self.perp.slots,
                "markets": [
                    [m.name, m.market, m.maker_fee_bps, m.taker_fee_bps, str(m.min_size), str(m.max_size)]
                    for m in self.perp.markets
                ],
            }
        return hashlib.sha256(canonical_json(document)).hexdigest()


def load_markets(path: Path) -> tuple[Market, ...]:
    """
    The markets of a JSON markets file (see the module docstring).

    Raises
    ------
    ConfigError
        The file is unreadable, malformed, or a market's rules are invalid.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"cannot read markets file {path}: {error}") from error
    entries = document.get("markets") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f'{path}: expected {{"markets": [...]}} with at least one market')
    markets = []
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: market {number} is not an object")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{path}: market {number} needs a name")
        try:
            markets.append(
                Market(
                    name=name,
                    base_token=TokenId(_integer(entry, "base_token")),
                    quote_token=TokenId(_integer(entry, "quote_token")),
                    tick_size=Price(_integer(entry, "tick_size")),
                    lot_size=Amount(_integer(entry, "lot_size")),
                    min_amount=Amount(_integer(entry, "min_amount")),
                    maker_fee_bps=_integer(entry, "maker_fee_bps"),
                    taker_fee_bps=_integer(entry, "taker_fee_bps"),
                )
            )
        except (MarketConfigError, ValueError) as error:
            raise ConfigError(f"{path}: market {name!r}: {error}") from error
    if len({m.name for m in markets}) != len(markets):
        raise ConfigError(f"{path}: market names repeat")
    return tuple(markets)


def load_perp_markets(path: Path) -> tuple[PerpMarketRules, ...]:
    """
    The markets file's optional ``perpetual_markets`` list (none if absent).

    Raises
    ------
    ConfigError
        The file is unreadable, or an entry is malformed or invalid.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"cannot read markets file {path}: {error}") from error
    entries = document.get("perpetual_markets", []) if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ConfigError(f'{path}: expected "perpetual_markets": [{{"name": ..., "market": 0, ...}}]')
    found = []
    for entry in entries:
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{path}: a perpetual market needs a name")
        try:
            optional = {key: _integer(entry, key) for key in ("min_size", "max_size") if key in entry}
            found.append(
                PerpMarketRules(
                    name=name,
                    market=_integer(entry, "market"),
                    maker_fee_bps=_integer(entry, "maker_fee_bps"),
                    taker_fee_bps=_integer(entry, "taker_fee_bps"),
                    **optional,
                )
            )
        except (MarketConfigError, ValueError) as error:
            raise ConfigError(f"{path}: perpetual market {name!r}: {error}") from error
    if len({rules.name for rules in found}) != len(found) or len({rules.market for rules in found}) != len(found):
        raise ConfigError(f"{path}: perpetual market names or ids repeat")
    return tuple(found)


def load_min_withdrawals(path: Path) -> tuple[tuple[TokenId, Amount], ...]:
    """
    The markets file's optional ``min_withdrawal`` table, as ``(token, amount)`` sorted by token.

    Raises
    ------
    ConfigError
        The file is unreadable, or the table is not token ids to non-negative integers.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"cannot read markets file {path}: {error}") from error
    table = document.get("min_withdrawal", {}) if isinstance(document, dict) else None
    if not isinstance(table, dict) or not all(isinstance(k, str) and k.isascii() and k.isdigit() for k in table):
        raise ConfigError(f'{path}: expected "min_withdrawal": {{"<token id>": amount}}')
    try:
        return tuple(sorted((TokenId(int(token)), Amount(_integer(table, token))) for token in table))
    except ValueError as error:
        raise ConfigError(f"{path}: min_withdrawal: {error}") from error


def load_token_labels(path: Path) -> tuple[tuple[TokenId, TokenLabel], ...]:
    """
    The markets file's optional ``tokens`` table, as ``(token, label)`` sorted by token.

    Raises
    ------
    ConfigError
        The file is unreadable, or the table is not token ids to
        ``{"symbol": text, "decimals": 0..77}``.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"cannot read markets file {path}: {error}") from error
    table = document.get("tokens", {}) if isinstance(document, dict) else None
    shape = f'{path}: expected "tokens": {{"<token id>": {{"symbol": "WETH", "decimals": 18}}}}'
    if not isinstance(table, dict):
        raise ConfigError(shape)
    labels = []
    for token, entry in table.items():
        if not (isinstance(token, str) and token.isascii() and token.isdigit() and isinstance(entry, dict)):
            raise ConfigError(shape)
        symbol, decimals = entry.get("symbol"), entry.get("decimals")
        if not (isinstance(symbol, str) and 0 < len(symbol) <= 16 and symbol.isprintable()):
            raise ConfigError(f"{path}: token {token}: the symbol must be 1 to 16 printable characters")
        if not (isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 77):
            raise ConfigError(f"{path}: token {token}: decimals must be an integer from 0 to 77")
        labels.append((TokenId(int(token)), TokenLabel(symbol, decimals)))
    return tuple(sorted(labels, key=lambda pair: pair[0]))


def _integer(entry: dict[str, object], name: str) -> int:
    """A non-negative integer field given as a JSON integer or a decimal string."""
    value = entry.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
