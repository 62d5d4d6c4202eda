"""Seed MongoDB the way the checker does: its link and evaluate stages on the real Mongo repositories."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from services.checker.app import CheckerPorts, build_stages, checker_policy
from services.checker.evaluate import run_evaluate_stage
from services.checker.link import Observation, run_link_stage
from services.checker.settings import CheckerSettings
from shared.adapters.kafka import build_broker
from shared.adapters.mongo.check_state import MongoCheckStateStore
from shared.adapters.mongo.client import Document
from shared.adapters.mongo.discrepancies import MongoDiscrepancyRepository
from shared.adapters.mongo.entities import MongoEntityRepository
from shared.adapters.mongo.ledger import MongoProcessedLedger
from shared.adapters.mongo.snapshots import MongoSnapshotRepository
from shared.adapters.mongo.sync_writes import MongoSyncWriteLog
from shared.core.model import System
from shared.core.testing import RecordingPublisher
from tests.component.checker.records import (
    T0,
    hubspot_contact,
    netsuite_customer,
    observed,
    ref,
    shopify_customer,
)


async def run_checker(database: AsyncDatabase[Document], batch: Sequence[Observation], now: datetime) -> None:
    """Both checker stages over ``batch`` at ``now``; events go to a recorder, state to MongoDB."""
    settings = CheckerSettings()
    ports = CheckerPorts(
        broker=build_broker(settings), publisher=RecordingPublisher(),
        snapshots=MongoSnapshotRepository(database), entities=MongoEntityRepository(database),  # type: ignore[arg-type]
        discrepancies=MongoDiscrepancyRepository(database), check_states=MongoCheckStateStore(database),  # type: ignore[arg-type]
        sync_writes=MongoSyncWriteLog(database), ledger=MongoProcessedLedger(database),  # type: ignore[arg-type]
        clock=lambda: now,
    )  # fmt: skip
    stages = build_stages(settings, checker_policy(settings), ports)
    (link_ports, link_config), (evaluate_ports, evaluate_config) = stages.link, stages.evaluate
    changes = (await run_link_stage(list(batch), link_ports, link_config)).changes
    await run_evaluate_stage(changes, evaluate_ports, evaluate_config)


def email_conflict(n: int) -> list[Observation]:
    """Customer ``n`` in all three platforms; NetSuite's email later changed to ``old<n>@acme.example``."""
    email, later = f"c{n}@acme.example", T0 + timedelta(hours=1)
    hubspot, shopify, netsuite = str(1000 + n), str(7000 + n), str(100 + n)
    return [
        observed(ref(System.HUBSPOT, hubspot), hubspot_contact(hubspot, email=email), updated=T0),
        observed(ref(System.SHOPIFY, shopify), shopify_customer(shopify, email=email), updated=T0),
        observed(ref(System.NETSUITE, netsuite), netsuite_customer(netsuite, email=email, names=f"shopify:{shopify}"), updated=T0),
        observed(ref(System.NETSUITE, netsuite), netsuite_customer(netsuite, email=f"old{n}@acme.example",
                 names=f"shopify:{shopify}", updated=later), updated=later),
    ]  # fmt: skip


SEEDED_AT = T0 + timedelta(hours=3)
