"""
The ``oracle-feeder`` command: post a quorum's signed prices for a
perpetual market to a sequencer::

    matchproof oracle-feeder --sequencer http://127.0.0.1:8080 --keys oracle-keys.json \\
        --market 0 --quorum 3 --prices 100,98,95,89 --interval 5 --keep-fresh

posts 100, then 98, 95 and 89 five seconds apart (each oracle's reading
``--spread`` ticks from the next, their median the price), then, with
``--keep-fresh``, the last price again every interval so that the market's
price never grows too old to trade at.

``add_subcommands(subparsers)`` registers it.
"""

import argparse
import itertools
import sys
from pathlib import Path
from typing import Any

from .feeder import Feeder, FeederError, OracleKeys

DESCRIPTION = (__doc__ or "").split("``add_subcommands")[0].strip()


def add_subcommands(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Register ``oracle-feeder``."""
    parser = subparsers.add_parser(
        "oracle-feeder",
        help="post an oracle quorum's signed prices for a perpetual market",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sequencer", required=True, help="the sequencer's API URL")
    parser.add_argument("--keys", type=Path, required=True, help='the oracles\' private keys: {"keys": ["0x..", ...]}')
    parser.add_argument("--market", type=int, default=0, help="the perpetual market's id")
    parser.add_argument("--quorum", type=int, required=True, help="how many oracles sign each update (the deployment's)")
    parser.add_argument("--prices", required=True, help="the prices to post in turn, in ticks, comma-separated")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between posts")
    parser.add_argument("--spread", type=int, default=0, help="ticks between one oracle's reading and the next")
    parser.add_argument("--keep-fresh", action="store_true", help="then post the last price every interval, until stopped")
    parser.set_defaults(run=run_feeder)


def run_feeder(args: argparse.Namespace) -> int:
    """Post the prices; exit 1 if the sequencer refuses one."""
    try:
        path = [int(price) for price in args.prices.split(",")]
    except ValueError:
        print(f"error: --prices must be integers separated by commas, got {args.prices!r}", file=sys.stderr)
        return 2
    if not path or min(path) <= 0:
        print("error: --prices needs at least one price, each above zero", file=sys.stderr)
        return 2
    try:
        feeder = Feeder(args.sequencer, OracleKeys.load(args.keys), args.market, args.quorum, args.spread)
        prices = itertools.chain(path, itertools.repeat(path[-1])) if args.keep_fresh else iter(path)
        feeder.run(prices, args.interval, report)
    except FeederError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


def report(price: int, answer: dict[str, Any]) -> None:
    """Print what a post did."""
    closes = [f"{close['kind']} of account {close['account_index']}" for close in answer.get("closes", [])]
    started = f", started {'; '.join(closes)}" if closes else ", no account closed"
    print(f"posted {price}: receipt {answer['receipt']['sequence']}{started}", flush=True)
