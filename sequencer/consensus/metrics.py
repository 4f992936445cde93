"""
A set node's ``GET /metrics`` (on its API port), in Prometheus's text
format, for an operator's dashboards and alerts; CometBFT's own consensus
metrics (rounds, block interval, peers) are on the node's Prometheus port
(``cometbft.init_set``).

- ``matchproof_node_height``: the last committed block;
- ``matchproof_node_l1_requests_seen``: L1 requests the machine took;
- ``matchproof_node_batches_sealed`` and ``matchproof_node_batch_signatures``
  (of the last built batch, to compare with the set's threshold);
- ``matchproof_node_encrypted_orders{state}``: ordered (ever), waiting;
  ``matchproof_node_blocks_waiting``: decided blocks waiting for them;
- ``matchproof_node_refused_total{what}``: proposals, vote extensions and
  decryption shares of other nodes this node refused (a byzantine peer
  shows here first).
"""

from sequencer.service.metrics import Metric

from .app import SequencerApp


def node_metrics(app: SequencerApp) -> list[Metric]:
    """The node's metrics now (its committed state and its own counters)."""
    status = app.status()
    last = max(app.signatures, default=None)
    metrics = [
        Metric("matchproof_node_height", "gauge", "The last committed block.", (("", status["height"]),)),
        Metric("matchproof_node_l1_requests_seen", "gauge", "L1 requests the machine took.", (("", status["l1_seen"]),)),
        Metric("matchproof_node_batches_sealed", "gauge", "Batches sealed.", (("", status["sealed_batches"]),)),
        Metric(
            "matchproof_node_batch_signatures",
            "gauge",
            "Members' signatures recorded for the last built batch.",
            (("", len(app.signatures[last]) if last is not None else 0),),
        ),
        Metric(
            "matchproof_node_refused_total",
            "counter",
            "What this node refused of other nodes.",
            (
                ('{what="proposals"}', app.refused.proposals),
                ('{what="vote_extensions"}', app.refused.vote_extensions),
                ('{what="shares"}', app.refused.shares),
            ),
        ),
    ]
    if app.decryptor is not None:
        metrics += [
            Metric(
                "matchproof_node_encrypted_orders",
                "gauge",
                "Encrypted orders ordered (ever) and waiting to be decrypted.",
                (('{state="ordered"}', app.decryptor.ordered), ('{state="waiting"}', len(app.decryptor.waiting))),
            ),
            Metric("matchproof_node_blocks_waiting", "gauge", "Decided blocks waiting for encrypted orders.", (("", len(app.waiting)),)),
        ]
    return metrics
