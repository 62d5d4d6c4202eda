"""The checker's Prometheus metrics, on a registry of their own (one per app, so tests stay independent).

Events per second: ``rate(concord_checker_messages_total[1m])`` over the counter, and the gauge
``concord_checker_messages_per_second`` (the last batch's processing rate) for a quick look.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from services.checker.decisions import DecisionReport
from services.checker.evaluate import EvaluateReport
from services.checker.link import LinkReport


@dataclass
class CheckerMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.messages = Counter(
            "concord_checker_messages_total", "Messages consumed, by stage and result", ["stage", "result"],
            registry=self.registry,
        )  # fmt: skip
        self.rate = Gauge(
            "concord_checker_messages_per_second", "Processing rate of the last batch", ["stage"],
            registry=self.registry,
        )  # fmt: skip
        self.batch_seconds = Histogram(
            "concord_checker_batch_seconds", "Time to process one batch, poll to commit", ["stage"],
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0), registry=self.registry,
        )  # fmt: skip
        self.lag = Gauge(
            "concord_checker_consumer_lag", "Records behind the partition's end after the last batch",
            ["stage", "topic", "partition"], registry=self.registry,
        )  # fmt: skip
        self.outcomes = Counter(
            "concord_checker_check_outcomes_total", "Check outcomes per evaluated (entity, dimension)",
            ["entity_type", "dimension", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.transitions = Counter(
            "concord_checker_discrepancy_transitions_total", "Discrepancy transitions by kind",
            ["transition", "kind"], registry=self.registry,
        )  # fmt: skip
        self.link_decisions = Counter(
            "concord_checker_link_decisions_total", "Matching decisions for unlinked records", ["decision"],
            registry=self.registry,
        )  # fmt: skip

    def observe_batch(
        self, stage: str, *, size: int, seconds: float, lag: Mapping[tuple[str, int], int], dead_lettered: int
    ) -> None:
        """One batch of ``size`` records processed in ``seconds``, leaving ``lag`` per partition."""
        self.batch_seconds.labels(stage).observe(seconds)
        if seconds > 0:
            self.rate.labels(stage).set(size / seconds)
        for (topic, partition), behind in lag.items():
            self.lag.labels(stage, topic, str(partition)).set(behind)
        self.messages.labels(stage, "dead_lettered").inc(dead_lettered)

    def observe_link(self, report: LinkReport) -> None:
        """Results of a link-stage batch."""
        for result, count in (
            ("processed", report.processed), ("duplicate", report.duplicates), ("stale", report.stale),
            ("echo", report.echoes), ("unchanged", report.unchanged), ("dead_lettered", len(report.rejected)),
            ("version_tie", len(report.rereads)),  # a webhook or poll that disagreed with its version: re-read
        ):  # fmt: skip
            self.messages.labels("link", result).inc(count)
        for decision, count in report.decisions.items():
            self.link_decisions.labels(decision).inc(count)

    def observe_evaluate(self, report: EvaluateReport) -> None:
        """Results of an evaluate-stage batch: outcomes by kind, transitions by kind."""
        self.messages.labels("evaluate", "processed").inc(report.processed)
        self.messages.labels("evaluate", "duplicate").inc(report.duplicates)
        for (entity_type, dimension, outcome), count in report.outcomes.items():
            self.outcomes.labels(entity_type, dimension, outcome).inc(count)
        for (transition, kind), count in report.transitions.items():
            self.transitions.labels(transition, kind).inc(count)

    def observe_decisions(self, report: DecisionReport) -> None:
        """Results of a decisions-stage batch: link decisions applied, duplicates, other commands."""
        for result, count in (
            ("linked", report.linked), ("unlinked", report.unlinked), ("duplicate", report.duplicates),
            ("ignored", report.ignored),
        ):  # fmt: skip
            self.messages.labels("decisions", result).inc(count)
