"""
The prover job routes as a stranger and as workers see them: no key or a
wrong key gets 401, a worker cannot touch another's lease, and a malformed
proof is a 422, never a server error.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sequencer.proving_queue import ProvingQueue
from sequencer.service.config import ConfigError
from sequencer.service.prover_auth import ProverKeys, add_key
from sequencer.service.prover_routes import prover_router
from tests.proving.test_proving_queue import Clock, Verifier, batch, proof_for


@pytest.fixture
def tokens(tmp_path: Path) -> dict[str, str]:
    """Keys of workers ``a`` and ``b`` in a fresh key file."""
    path = tmp_path / "prover-keys.json"
    return {name: add_key(path, name) for name in ("a", "b")}


@pytest.fixture
def client(tmp_path: Path, tokens: dict[str, str]) -> Iterator[TestClient]:
    queue = ProvingQueue(check=Verifier(), lease_seconds=10.0, clock=Clock())
    queue.add(1, batch(101))
    app = FastAPI()
    app.include_router(prover_router(queue, "test", ProverKeys.load(tmp_path / "prover-keys.json")))
    with TestClient(app) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer a"}, {"Authorization": "Bearer a:wrong"}, {"Authorization": "Basic a:x"}],
    ids=["no key", "no secret", "wrong secret", "not bearer"],
)
def test_job_routes_refuse_a_stranger(client: TestClient, headers: dict[str, str]) -> None:
    for path, body in (
        ("/prover/lease", None),
        ("/prover/jobs/1/progress", {"lease": "1-x", "step": "prove"}),
        ("/prover/jobs/1/proof", {"lease": "1-x", "proof": {}}),
    ):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "UNAUTHORIZED_WORKER"
    assert client.get("/prover/circuit", headers=headers).status_code == 401


def test_a_worker_learns_the_circuit_its_jobs_are_for(client: TestClient, tokens: dict[str, str]) -> None:
    response = client.get("/prover/circuit", headers=bearer(tokens["a"]))
    assert response.status_code == 200 and response.json() == {"circuit": "test"}


def test_a_worker_cannot_use_another_workers_lease(client: TestClient, tokens: dict[str, str]) -> None:
    leased = client.post("/prover/lease", headers=bearer(tokens["a"]))
    assert leased.status_code == 200
    lease = leased.json()["lease"]
    assert client.post("/prover/lease", headers=bearer(tokens["b"])).status_code == 204
    stolen = client.post("/prover/jobs/1/progress", json={"lease": lease, "step": "x"}, headers=bearer(tokens["b"]))
    assert stolen.status_code == 409 and stolen.json()["code"] == "LEASE_LOST"
    proof = {"lease": lease, "proof": proof_for(101).to_json()}
    assert client.post("/prover/jobs/1/proof", json=proof, headers=bearer(tokens["b"])).status_code == 409
    accepted = client.post("/prover/jobs/1/proof", json=proof, headers=bearer(tokens["a"]))
    assert accepted.status_code == 200 and accepted.json()["accepted"] is True


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: p["proof"]["pi_a"].__setitem__(2, "2"),  # not normalised
        lambda p: p["proof"]["pi_b"].__setitem__(2, ["1", "1"]),
        lambda p: p["proof"]["pi_c"].__setitem__(0, "zero"),
        lambda p: p["proof"].pop("pi_c"),
        lambda p: p.__setitem__("publicSignals", "101"),
        lambda p: p["proof"].__setitem__("pi_a", 5),
    ],
    ids=["pi_a not normalised", "pi_b not normalised", "not a number", "missing point", "signals not a list", "point not a list"],
)
def test_a_malformed_proof_is_refused_with_422(client: TestClient, tokens: dict[str, str], tamper: object) -> None:
    lease = client.post("/prover/lease", headers=bearer(tokens["a"])).json()["lease"]
    proof = proof_for(101).to_json()
    tamper(proof)  # type: ignore[operator]
    response = client.post("/prover/jobs/1/proof", json={"lease": lease, "proof": proof}, headers=bearer(tokens["a"]))
    assert response.status_code == 422
    assert response.json()["code"] == "PROOF_REJECTED"


def test_the_key_file_keeps_hashes_only_and_names_once(tmp_path: Path, tokens: dict[str, str]) -> None:
    path = tmp_path / "prover-keys.json"
    text = path.read_text(encoding="utf-8")
    for token in tokens.values():
        assert token.partition(":")[2] not in text
    assert path.stat().st_mode & 0o077 == 0
    with pytest.raises(ConfigError):
        add_key(path, "a")
    with pytest.raises(ConfigError):
        add_key(path, "bad:name")
