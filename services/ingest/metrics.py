"""Ingest's Prometheus metrics, on a registry of their own (one per app, so tests stay independent)."""

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass
class IngestMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.webhooks_accepted = Counter(
            "concord_ingest_webhooks_accepted_total", "Verified deliveries made durable", ["platform"],
            registry=self.registry,
        )  # fmt: skip
        self.webhooks_rejected = Counter(
            "concord_ingest_webhooks_rejected_total", "Refused deliveries by reason", ["platform", "reason"],
            registry=self.registry,
        )  # fmt: skip
        self.webhooks_unavailable = Counter(
            "concord_ingest_webhooks_unavailable_total", "Deliveries answered 503 because Kafka did not take them",
            ["platform"], registry=self.registry,
        )  # fmt: skip
        self.notifications_published = Counter(
            "concord_ingest_raw_notifications_total", "Raw notifications acknowledged by Kafka", ["platform"],
            registry=self.registry,
        )  # fmt: skip
        self.observations_published = Counter(
            "concord_ingest_observations_total", "Observations published", ["platform", "surface"],
            registry=self.registry,
        )  # fmt: skip
        self.dead_lettered = Counter(
            "concord_ingest_dead_lettered_total", "Messages sent to a dead-letter topic", ["consumer"],
            registry=self.registry,
        )  # fmt: skip
        self.batch_retries = Counter(
            "concord_ingest_batch_retries_total", "Consumer batches not committed after a transient failure",
            ["consumer"], registry=self.registry,
        )  # fmt: skip
        self.poll_cycles = Counter(
            "concord_ingest_poll_cycles_total", "Poll cycles by outcome (done, skipped, failed)",
            ["platform", "entity_type", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.webhook_seconds = Histogram(
            "concord_ingest_webhook_seconds", "Webhook handling time, receipt to answer", ["platform"],
            registry=self.registry,
        )  # fmt: skip
