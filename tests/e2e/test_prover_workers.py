"""
Prover workers as real processes (``matchproof prover --sequencer URL``)
leasing batches over HTTP from the proving queue, with every proof verified
on-chain in order: two workers share four batches; a worker killed mid-proof
loses its lease to another; a corrupted proof is refused and its job proven
again.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from prover import CircuitArtifacts, verify_proof
from prover.remote import Heartbeat, JobRefused, ProvingClient
from prover.groth16 import prove
from sequencer.devnet import Devnet
from sequencer.l1.anvil import AnvilNode, start_anvil
from sequencer.l1.submitter import Submitter
from sequencer.proving_queue import ProvingQueue
from sequencer.service.prover_auth import PROVER_TOKEN_ENV, ProverKeys, add_key
from sequencer.service.prover_routes import prover_router
from sequencer.settlement import Settlement
from tests.e2e.conftest import UNIT, WETH

LEASE_SECONDS = 8.0
REPO_ROOT = Path(__file__).resolve().parents[2]


class Server:
    """The job routes served by uvicorn on a free loopback port, in a thread, for the workers of a key file."""

    def __init__(self, queue: ProvingQueue, circuit: str, keys: Path) -> None:
        app = FastAPI()
        app.include_router(prover_router(queue, circuit, ProverKeys.load(keys)))
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the job server did not start")
            time.sleep(0.05)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


class Workers:
    """``matchproof prover`` processes with the keys of ``tokens``, stopped at the end of the test."""

    def __init__(self, url: str, config: str, tokens: dict[str, str]) -> None:
        self.url, self.config, self.tokens = url, config, tokens
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, backend: str = "arkworks") -> subprocess.Popen[bytes]:
        """Start worker `name` proving with `backend`."""
        process = subprocess.Popen(
            [
                sys.executable, "-m", "sequencer.cli", "prover", "--sequencer", self.url, "--config", self.config,
                "--backend", backend,
            ],  # fmt: skip
            env={**os.environ, PROVER_TOKEN_ENV: self.tokens[name]},
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)  # the worker and its node children
        self.processes[name].wait()

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def node() -> Iterator[AnvilNode]:
    with start_anvil() as anvil:
        yield anvil


@pytest.fixture
def devnet(node: AnvilNode, circuit: CircuitArtifacts) -> Devnet:
    """A rollup with four sealed batches: the fee account's creation and three deposits."""
    net = Devnet.deploy(node.web3(), node.accounts()[0], circuit)
    for trader in node.accounts()[1:4]:
        net.mint(WETH, trader.address, UNIT)
        net.rollup.deposit(trader, WETH, UNIT, net.l2_key(trader).public_key)
    net.sync_l1()
    return net


@pytest.fixture
def settlement(devnet: Devnet, circuit: CircuitArtifacts) -> Settlement:
    queue = ProvingQueue(check=lambda proof: verify_proof(circuit, proof), lease_seconds=LEASE_SECONDS)
    result = Settlement(queue, Submitter(devnet.rollup, devnet.operator_account, finality_blocks=1))
    number = 0
    while (batch := devnet.operator.cut_batch(devnet.now())) is not None:
        number += 1
        result.seal(number, batch)
    assert number == 4
    return result


WORKER_NAMES = ("w1", "w2", "doomed", "survivor", "liar", "honest")


@pytest.fixture
def tokens(tmp_path: Path) -> dict[str, str]:
    """A key for each worker the tests start, in the key file ``prover-keys.json``."""
    return {name: add_key(tmp_path / "prover-keys.json", name) for name in WORKER_NAMES}


@pytest.fixture
def server(settlement: Settlement, circuit: CircuitArtifacts, tokens: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    running = Server(settlement.queue, circuit.config.name, tmp_path / "prover-keys.json")
    yield running
    running.stop()


@pytest.fixture
def workers(server: Server, circuit: CircuitArtifacts, tokens: dict[str, str]) -> Iterator[Workers]:
    pool = Workers(server.url, circuit.config.name, tokens)
    yield pool
    pool.stop_all()


def settle(devnet: Devnet, settlement: Settlement, until: int, timeout_s: float = 240.0) -> None:
    """Run the settlement loop until batch ``until`` is verified on L1."""
    deadline = time.monotonic() + timeout_s
    while settlement.step() < until:
        assert time.monotonic() < deadline, f"batch {until} not verified in {timeout_s} s"
        time.sleep(0.2)


def verified_order(devnet: Devnet) -> list[int]:
    """The batch numbers of the contract's BatchVerified events, in chain order."""
    logs = devnet.rollup.contract.events.BatchVerified().get_logs(from_block=devnet.deployment.block_number)
    return [int(log["args"]["batchNumber"]) for log in logs]


def wait_for(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_two_workers_prove_four_batches_verified_in_order(
    devnet: Devnet, settlement: Settlement, workers: Workers
) -> None:
    # The slower snarkjs worker holds a lease before the arkworks one starts, so both take part.
    workers.start("w2", backend="snarkjs")
    jobs = settlement.queue.jobs
    wait_for(lambda: any(job.lease is not None and job.lease.worker == "w2" for job in list(jobs.values())))
    workers.start("w1", backend="arkworks")
    settle(devnet, settlement, until=4)
    assert verified_order(devnet) == [1, 2, 3, 4]
    completions = settlement.queue.completions
    assert sorted(c.number for c in completions) == [1, 2, 3, 4]
    assert {c.worker for c in completions} == {"w1", "w2"}  # both took part


def test_worker_killed_mid_proof_loses_its_lease_to_another(
    devnet: Devnet, settlement: Settlement, workers: Workers
) -> None:
    workers.start("doomed", backend="snarkjs")  # seconds in the "prove" step: time to see it there
    job = settlement.queue.jobs[1]
    wait_for(lambda: job.lease is not None and job.lease.step == "prove")
    workers.kill("doomed")
    workers.start("survivor")
    settle(devnet, settlement, until=4)
    assert verified_order(devnet) == [1, 2, 3, 4]
    (first,) = [c for c in settlement.queue.completions if c.number == 1]
    assert first.worker == "survivor" and first.attempts == 2  # leased by the killed worker first


def test_corrupted_proof_is_refused_and_job_leased_again(
    devnet: Devnet, settlement: Settlement, server: Server, workers: Workers, circuit: CircuitArtifacts,
    tokens: dict[str, str],
) -> None:
    liar = ProvingClient(server.url, tokens["liar"])
    job = liar.lease()
    assert job is not None and job.number == 1
    heartbeat = Heartbeat(liar, job)  # it holds its lease like any worker
    honest = prove(circuit, job.witness_input)
    heartbeat.stop()
    corrupted = replace(honest, pi_a=(honest.pi_a[0], honest.pi_a[1] + 1))
    with pytest.raises(JobRefused) as refused:
        liar.submit(job, corrupted)
    assert refused.value.code == "PROOF_REJECTED"
    assert settlement.queue.jobs[1].proof is None
    workers.start("honest")
    settle(devnet, settlement, until=4)
    assert verified_order(devnet) == [1, 2, 3, 4]
    (first,) = [c for c in settlement.queue.completions if c.number == 1]
    assert first.worker == "honest" and first.attempts == 2
