"""
The prover job endpoints: remote workers lease batches, report progress and
hand in proofs (``prover/remote.py`` is the worker side).

Every request carries the worker's key (``Authorization: Bearer NAME:SECRET``,
see ``prover_auth``); a lease is held by the worker that took it, and only
that worker may report on it or hand in its proof.

- ``GET /prover/circuit``: ``{"circuit"}``, the configuration the jobs are
  for, so a worker builds the right proving key before its first lease;
- ``POST /prover/lease``: 200 with the job (``number``, ``lease``,
  ``leaseSeconds``, ``circuit``, ``input``) or 204 when there is nothing to prove;
- ``POST /prover/jobs/{number}/progress`` ``{"lease", "step"}``: keeps the
  lease (up to the queue's ``max_lease_seconds`` in all);
- ``POST /prover/jobs/{number}/proof`` ``{"lease", "proof"}``: the proof,
  checked before it is accepted.

Refusals are ``{"code", "message"}``: 401 ``UNAUTHORIZED_WORKER``, 404
``UNKNOWN_JOB``, 409 ``LEASE_LOST``, 422 ``PROOF_REJECTED`` (a malformed
proof too, never a server error).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from prover.errors import ProverError
from prover.groth16 import Proof
from sequencer.proving_queue import LeaseLost, ProofRejected, ProvingQueue, UnknownJob

from .prover_auth import ProverKeys

JobNumber = Annotated[int, Path(ge=1, lt=2**53)]

UNAUTHORIZED_WORKER = "UNAUTHORIZED_WORKER"
"""The request carries no key, or one the sequencer does not know."""

Authorization = Annotated[str | None, Header()]


class ProgressIn(BaseModel):
    """A worker's report of the step it is on."""

    model_config = ConfigDict(extra="forbid")
    lease: Annotated[str, Field(min_length=1, max_length=64)]
    step: Annotated[str, Field(min_length=1, max_length=32)]


class ProofIn(BaseModel):
    """A worker's proof (``Proof.to_json``)."""

    model_config = ConfigDict(extra="forbid")
    lease: Annotated[str, Field(min_length=1, max_length=64)]
    proof: dict[str, Any]


def refusal(status: int, code: str, message: str) -> JSONResponse:
    """An error answer in the API's shape."""
    return JSONResponse({"code": code, "message": message}, status_code=status)


def encode(value: Any) -> Any:
    """A circuit input with every integer as a decimal string (JSON numbers lose precision)."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    return value


def prover_router(queue: ProvingQueue, circuit: str, keys: ProverKeys) -> APIRouter:
    """The job endpoints over ``queue``, for workers holding the proving key of ``circuit`` and a key in ``keys``."""

    def unauthorized() -> JSONResponse:
        return refusal(401, UNAUTHORIZED_WORKER, "a known prover worker key is required (Authorization: Bearer NAME:SECRET)")

    router = APIRouter(prefix="/prover", tags=["prover"])

    @router.get("/circuit")
    def circuit_name(authorization: Authorization = None) -> Response:
        if keys.worker(authorization) is None:
            return unauthorized()
        return JSONResponse({"circuit": circuit})

    @router.post("/lease", responses={204: {"description": "nothing to prove"}})
    def lease(authorization: Authorization = None) -> Response:
        name = keys.worker(authorization)
        if name is None:
            return unauthorized()
        leased = queue.lease(name)
        if leased is None:
            return Response(status_code=204)
        job, held = leased
        return JSONResponse(
            {
                "number": job.number,
                "lease": held.lease_id,
                "leaseSeconds": queue.lease_seconds,
                "circuit": circuit,
                "input": {signal: encode(value) for signal, value in job.batch.circuit_input.items()},
            }
        )

    @router.post("/jobs/{number}/progress")
    def progress(number: JobNumber, request: ProgressIn, authorization: Authorization = None) -> Response:
        name = keys.worker(authorization)
        if name is None:
            return unauthorized()
        try:
            held = queue.progress(number, request.lease, request.step, name)
        except UnknownJob as error:
            return refusal(404, error.code, str(error))
        except LeaseLost as error:
            return refusal(409, error.code, str(error))
        return JSONResponse({"number": number, "step": held.step, "leaseSeconds": queue.lease_seconds})

    @router.post("/jobs/{number}/proof")
    def proof(number: JobNumber, request: ProofIn, authorization: Authorization = None) -> Response:
        name = keys.worker(authorization)
        if name is None:
            return unauthorized()
        try:
            submitted = Proof.from_json(request.proof)
        except (KeyError, TypeError, ValueError, ProverError) as error:
            return refusal(422, ProofRejected.code, f"not a proof: {error}")
        try:
            queue.complete(number, request.lease, submitted, name)
        except UnknownJob as error:
            return refusal(404, error.code, str(error))
        except LeaseLost as error:
            return refusal(409, error.code, str(error))
        except ProofRejected as error:
            return refusal(422, error.code, str(error))
        return JSONResponse({"number": number, "accepted": True})

    return router

