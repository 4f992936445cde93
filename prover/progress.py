"""
Progress of a long command-line step, on stderr: a bar redrawn in place on a
terminal, one log line per finished section elsewhere (a log file, CI).
"""

import logging
import sys
import time
from collections.abc import Callable
from typing import TextIO

log = logging.getLogger(__name__)

BAR_WIDTH = 30

Progress = Callable[[str, int, int], None]
"""``progress(section, done, total)``: what a long step reports, and a :class:`ProgressBar` shows."""


def terminal_bar(label: str) -> "ProgressBar | None":
    """
    A bar for a step of a long-running worker when stderr is a terminal;
    None otherwise, where the worker's log lines already say how far it is.
    """
    return ProgressBar(label) if sys.stderr.isatty() else None


class ProgressBar:
    """
    Shows ``done`` of ``total`` for each section of a step, as
    ``progress(section, done, total)`` reports them (the development
    set-up's sections, a rebuild's batches, an exit's transactions).
    """

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.started = time.monotonic()

    def __call__(self, section: str, done: int, total: int) -> None:
        """Report that ``done`` of the ``total`` parts of ``section`` are done."""
        elapsed = time.monotonic() - self.started
        if self.interactive:
            filled = BAR_WIDTH * done // max(total, 1)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self.stream.write(f"\r{self.label}: {section:<18} [{bar}] {done:>9,}/{total:,} {elapsed:6.1f} s")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()
        elif done == total:
            log.info("%s: %s done (%d) after %.1f s", self.label, section, total, elapsed)
