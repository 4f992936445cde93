"""
How every ``matchproof`` process writes its log: one format, each line with
its time, level and source, so an operator can filter errors and alerts.
"""

import logging

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


QUIET = ("httpx", "httpcore")
"""Client libraries whose INFO lines (one per request) would drown the rest: WARNING and above only."""


def configure_logging(level: int = logging.INFO) -> None:
    """Send every logger (uvicorn's too: it is started without a config of its own) to stderr in ``LOG_FORMAT``."""
    logging.basicConfig(level=level, format=LOG_FORMAT, force=True)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
