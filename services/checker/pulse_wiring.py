"""Building the pulse scheduler on MongoDB for the checker's composition root (``app.py``)."""

from prometheus_client import CollectorRegistry
from pymongo.asynchronous.database import AsyncDatabase

from services.checker.pulse import PulseMetrics, PulseScheduler, PulseSettings, cadence_from
from services.checker.pulse_budget import pulse_allowances
from shared.adapters.budget import BudgetPolicy
from shared.adapters.mongo.check_priorities import MongoCheckPriorities
from shared.adapters.mongo.check_state import MongoCheckStateStore
from shared.adapters.mongo.client import Document
from shared.adapters.mongo.coordination import MongoLeaseStore
from shared.adapters.mongo.entities import MongoEntityRepository
from shared.adapters.mongo.pulse_sweeps import MongoPulseSweepLog
from shared.core.policy import Policy
from shared.core.ports import MessagePublisher


def build_pulse_scheduler(
    *,
    database: AsyncDatabase[Document],
    publisher: MessagePublisher,
    policy: Policy,
    settings: PulseSettings,
    budget: BudgetPolicy,
    holder: str,
    registry: CollectorRegistry | None = None,
) -> PulseScheduler:
    """The scheduler on MongoDB (check state, operators' priorities, links, lease, sweep log); for the
    checker's ``app.py``.

    Call ``ensure_indexes()`` on the check-state store at start-up, ``start()`` once the broker is
    connected and ``await stop()`` before it closes.
    """
    allowance = pulse_allowances(
        sweep_seconds=settings.sweep_interval_seconds,
        policy=budget,
        pulse_share=settings.pulse_share,
        overrides=settings.requests_per_sweep,
    )
    return PulseScheduler(
        states=MongoCheckStateStore(database, cadence_of=cadence_from(policy)),
        links=MongoEntityRepository(database),
        publisher=publisher,
        leases=MongoLeaseStore(database),
        policy=policy,
        settings=settings,
        allowance=allowance,
        holder=holder,
        priorities=MongoCheckPriorities(database),
        sweeps=MongoPulseSweepLog(database),
        metrics=None if registry is None else PulseMetrics(registry),
    )


__all__ = ["build_pulse_scheduler"]
