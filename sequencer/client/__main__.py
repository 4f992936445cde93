"""``python -m sequencer.client order place ...``: the trader commands without the ``matchproof`` entry point."""

import argparse
import sys

from .cli import add_subcommands


def main() -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m sequencer.client")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args()
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
