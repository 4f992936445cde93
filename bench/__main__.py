"""``python -m bench``: the benchmark's command line without the rest of ``matchproof``."""

import argparse
import sys

from bench.cli import add_subcommands
from sequencer.logs import configure_logging


def main(argv: list[str] | None = None) -> int:
    """Parse ``bench`` options and run it."""
    configure_logging()
    top = argparse.ArgumentParser(prog="python -m")  # the subcommand adds "bench": "python -m bench"
    add_subcommands(top.add_subparsers(dest="command", required=True))
    args = top.parse_args(["bench", *(argv if argv is not None else sys.argv[1:])])
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
