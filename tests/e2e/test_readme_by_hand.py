"""
The README's "Running the pieces by hand" block, run as written: a new user's
path from an empty chain to a claimed withdrawal with the documented commands
only (deploy, sequencer, prover, faucet, deposit, orders, withdraw, claim).
It binds anvil's and the sequencer's default ports, 8545 and 8080.
"""

import os
import signal
import subprocess

from sequencer.l1.paths import REPO_ROOT

SECTION = "### Running the pieces by hand"
TIMEOUT_S = 900


def by_hand_block() -> str:
    """The first ``sh`` block after the section's heading in README.md."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    start = section.index("```sh\n") + len("```sh\n")
    return section[start : section.index("```\n", start)]


def test_the_readme_by_hand_section_runs_as_written() -> None:
    script = by_hand_block()
    assert "matchproof deploy" in script and "matchproof claim" in script
    environment = {name: value for name, value in os.environ.items() if not name.startswith("MATCHPROOF_")}
    process = subprocess.Popen(
        ["bash", "-e", "-c", script],
        cwd=REPO_ROOT,
        env=environment,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT_S)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever the block left running
        except ProcessLookupError:
            pass
    assert process.returncode == 0, output[-5000:]
    assert '"claimed": "998000000000000000"' in output, output[-5000:]
