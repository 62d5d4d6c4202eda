"""The checker stages wired to in-memory fakes, driven batch by batch (no broker)."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from services.checker.decisions import DecisionConfig, DecisionPorts, DecisionReport, run_decision_stage
from services.checker.evaluate import EvaluateConfig, EvaluatePorts, EvaluateReport, run_evaluate_stage
from services.checker.link import LinkConfig, LinkPorts, LinkReport, Observation, run_link_stage
from shared.core.checks import default_registry
from shared.core.events import AnyMessage, EntityChanged, SyncCommand
from shared.core.mapping import MappingContext
from shared.core.matching import MatchConfig
from shared.core.policy import default_policy
from shared.core.repositories import DiscrepancyEvent
from shared.core.testing import RecordingPublisher
from shared.core.testing.checker_fakes import (
    FakeDiscrepancyRepository,
    FakeEntityRepository,
    FakeProcessedLedger,
    FakeSnapshotRepository,
)
from shared.core.testing.pulse_fakes import FakeCheckStateStore, FakeSyncWriteLog

CONTEXT = MappingContext(default_phone_region="US", default_currency="USD")


class FakePipeline:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.snapshots = FakeSnapshotRepository()
        self.entities = FakeEntityRepository()
        self.discrepancies = FakeDiscrepancyRepository()
        self.check_states = FakeCheckStateStore()
        self.sync_writes = FakeSyncWriteLog()
        self.ledger = FakeProcessedLedger()
        self.changes = RecordingPublisher()
        self.events = RecordingPublisher()
        self.dead: list[tuple[AnyMessage, str]] = []

        async def dead_letters(rejected: Sequence[tuple[AnyMessage, str]]) -> None:
            self.dead.extend(rejected)

        self.link_ports = LinkPorts(
            snapshots=self.snapshots, entities=self.entities, ledger=self.ledger, sync_writes=self.sync_writes,
            publisher=self.changes, dead_letters=dead_letters, clock=lambda: self.now,
        )  # fmt: skip
        self.link_config = LinkConfig(
            mapping=CONTEXT, matching=MatchConfig(), echo_window=timedelta(minutes=15)
        )
        self.evaluate_ports = EvaluatePorts(
            snapshots=self.snapshots, entities=self.entities, discrepancies=self.discrepancies,
            check_states=self.check_states, ledger=self.ledger, publisher=self.events, clock=lambda: self.now,
            sync_writes=self.sync_writes,
        )  # fmt: skip
        self.evaluate_config = EvaluateConfig(policy=default_policy(), registry=default_registry())
        self.decision_ports = DecisionPorts(
            snapshots=self.snapshots, entities=self.entities, ledger=self.ledger, publisher=self.changes,
            clock=lambda: self.now,
        )  # fmt: skip

    async def link(self, messages: Sequence[Observation]) -> LinkReport:
        return await run_link_stage(messages, self.link_ports, self.link_config)

    async def decide(self, commands: Sequence[SyncCommand]) -> DecisionReport:
        return await run_decision_stage(commands, self.decision_ports, DecisionConfig())

    async def evaluate(self, messages: Sequence[EntityChanged]) -> EvaluateReport:
        return await run_evaluate_stage(messages, self.evaluate_ports, self.evaluate_config)

    async def run(self, *messages: Observation) -> list[DiscrepancyEvent]:
        """Link ``messages`` as one batch, then evaluate the changes it published as one batch."""
        report = await self.link(messages)
        return (await self.evaluate(report.changes)).published
