"""Prometheus metrics of the platform connectors, registered on a registry the service passes in.

Nothing registers on prometheus-client's global default registry at import time; a service builds
one ``ConnectorMetrics`` on its own ``CollectorRegistry`` (or the default one) in its composition
root and hands it to every budget and connector it builds.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class ConnectorMetrics:
    """API budget use and platform throttling, labelled by system, account and caller priority."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.granted = Counter(
            "concord_api_budget_granted_total",
            "Platform calls let through by the shared API budget.",
            ["system", "account", "priority"],
            registry=registry,
        )
        self.waited = Histogram(
            "concord_api_budget_wait_seconds",
            "Time a caller waited for the API budget before its call was let through.",
            ["system", "account", "priority"],
            buckets=(0.0, 0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
            registry=registry,
        )
        self.refused = Counter(
            "concord_api_budget_refused_total",
            "Calls refused because the budget would not free up within the caller's maximum wait.",
            ["system", "account", "priority"],
            registry=registry,
        )
        self.usage = Gauge(
            "concord_api_budget_usage_ratio",
            "Share of one limit in use as last seen by this process (window count, bucket level, leases).",
            ["system", "account", "limit"],
            registry=registry,
        )
        self.throttled = Counter(
            "concord_platform_throttled_total",
            "429 (or equivalent) answers received from a platform despite the budget.",
            ["system", "account"],
            registry=registry,
        )
        self.requests = Counter(
            "concord_platform_requests_total",
            "Platform HTTP requests by outcome (ok, or the error class they translated to).",
            ["system", "account", "outcome"],
            registry=registry,
        )
