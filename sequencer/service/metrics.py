"""
``GET /metrics``: the sequencer's state in Prometheus's text format, for an
operator's dashboards and alerts.

- ``matchproof_batches{status}``: batches by status (open, sealed, proving,
  proven, verified);
- ``matchproof_proving_queue_depth``: sealed batches without an accepted proof;
- ``matchproof_proving_seconds`` (summary: ``_count``, ``_sum``): from lease to
  accepted proof; ``matchproof_proofs_rejected_total``;
- ``matchproof_l1_gas_spent_total``: gas of the batch submissions mined;
- ``matchproof_l1_requests_pending``: L1 requests queued and not yet consumed
  by a verified batch, and ``matchproof_l1_oldest_request_blocks_to_deadline``
  for the oldest of them (negative once overdue: the rollup can be frozen).
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from sequencer.l1.rollup import Rollup
from sequencer.l1.submitter import Submitter
from sequencer.proving_queue import ProvingQueue

from .core import SequencerService
from .wal import BatchStatus


@dataclass(frozen=True)
class Metric:
    """One metric: its name, type, help text and samples (labels, value)."""

    name: str
    kind: str
    help: str
    samples: tuple[tuple[str, float], ...]

    def render(self) -> str:
        """The metric in the text exposition format."""
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]
        lines += [f"{self.name}{labels} {value:g}" for labels, value in self.samples]
        return "\n".join(lines)


def batch_metrics(service: SequencerService) -> Metric:
    """Batches by status, the open one included."""
    count = len(service.operator.batches) + 1
    statuses = Counter(service.batch_status(number).value for number in range(1, count + 1))
    samples = tuple((f'{{status="{status.value}"}}', float(statuses[status.value])) for status in BatchStatus)
    return Metric("matchproof_batches", "gauge", "Batches by status.", samples)


def halt_metric(service: SequencerService) -> Metric:
    """1 while the sequencer is halted because L1 verified a batch that is not its own: alert on it."""
    return Metric(
        "matchproof_halted", "gauge", "1 if L1 verified a batch not this sequencer's.", (("", float(service.halted is not None)),)
    )


def proving_metrics(queue: ProvingQueue) -> list[Metric]:
    """The proving queue: its depth, how long accepted proofs took, how many were refused."""
    seconds = [completion.seconds for completion in queue.completions]
    depth = sum(1 for job in queue.jobs.values() if job.proof is None)
    rejected = sum(job.rejected for job in queue.jobs.values())
    return [
        Metric("matchproof_proving_queue_depth", "gauge", "Sealed batches without an accepted proof.", (("", depth),)),
        Metric(
            "matchproof_proving_seconds",
            "summary",
            "Seconds from lease to accepted proof.",
            (("_count", len(seconds)), ("_sum", sum(seconds))),
        ),
        Metric("matchproof_proofs_rejected_total", "counter", "Proofs refused by the check.", (("", rejected),)),
    ]


def l1_metrics(rollup: Rollup, submitter: Submitter | None) -> list[Metric]:
    """What L1 says: requests waiting and the oldest one's deadline; gas spent on submissions."""
    pending = rollup.pending_requests()
    metrics = [Metric("matchproof_l1_requests_pending", "gauge", "L1 requests not yet consumed.", (("", pending),))]
    remaining = rollup.blocks_to_deadline()
    if remaining is not None:
        metrics.append(
            Metric(
                "matchproof_l1_oldest_request_blocks_to_deadline",
                "gauge",
                "Blocks left before the oldest pending L1 request is overdue (then anyone may freeze).",
                (("", remaining),),
            )
        )
    if submitter is not None:
        metrics.append(
            Metric("matchproof_l1_gas_spent_total", "counter", "Gas of mined batch submissions.", (("", submitter.gas_spent),))
        )
    return metrics


def metrics_router(sources: Iterable[Callable[[], list[Metric]]]) -> APIRouter:
    """``GET /metrics`` rendering the metrics each source gives at the time of the request."""
    router = APIRouter(tags=["operations"])
    collected = list(sources)

    @router.get("/metrics", response_class=PlainTextResponse)
    def metrics() -> str:
        return "\n".join(metric.render() for source in collected for metric in source()) + "\n"

    return router
