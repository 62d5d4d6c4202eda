"""The dashboard's own writes on FerretDB: audited annotations with a revision guard, and the raised
priority stored where the checker's pulse scheduler reads it, apart from the checker's own state."""

from datetime import UTC, datetime

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.check_priorities import MongoCheckPriorities
from shared.adapters.mongo.check_state import MongoCheckStateStore
from shared.adapters.mongo.client import Document
from shared.adapters.mongo.dashboard import MongoAnnotationStore
from shared.adapters.mongo.dashboard.annotations import ConcurrentEdit
from shared.core.model import EntityId, EntityType
from shared.core.verification import VerificationOutcome, VerificationState

NOW = datetime(2026, 3, 1, tzinfo=UTC)


async def test_a_save_based_on_an_outdated_read_is_refused(database: AsyncDatabase[Document]) -> None:
    store = MongoAnnotationStore(database)
    read_by_olivia = await store.load(EntityId("ent_1"))
    read_by_ann = await store.load(EntityId("ent_1"))
    await store.save(read_by_olivia.with_metadata("tier", "gold", by="olivia", at=NOW))
    with pytest.raises(ConcurrentEdit):
        await store.save(read_by_ann.with_metadata("tier", "silver", by="ann", at=NOW))
    stored = await store.load(EntityId("ent_1"))
    assert (stored.metadata, stored.revision, [a.by for a in stored.audit]) == (
        {"tier": "gold"},
        1,
        ["olivia"],
    )
    assert set(await store.load_all()) == {"ent_1"}


async def test_a_raised_priority_is_what_the_pulse_reads_and_the_checkers_saves_leave_it(
    database: AsyncDatabase[Document],
) -> None:
    states = MongoCheckStateStore(database)
    contact = VerificationState(entity_id=EntityId("ent_1"), dimension="customer_contact")
    await states.save_all([(EntityType.CUSTOMER, contact)])
    store = MongoAnnotationStore(database)
    await store.raise_priority(EntityId("ent_1"), "customer_contact", 100.0)
    await store.raise_priority(EntityId("ent_2"), "presence", 5.0)  # never checked yet: kept for later
    # The evaluate stage saves the state it loaded before the raise: the raise stays.
    await states.save_all([(EntityType.CUSTOMER, contact.verified(NOW, VerificationOutcome.CONSISTENT))])
    assert await MongoCheckPriorities(database).raised() == {
        (EntityId("ent_1"), "customer_contact"): 100.0,
        (EntityId("ent_2"), "presence"): 5.0,
    }
    assert await store.raised_pairs() == {("ent_1", "customer_contact"), ("ent_2", "presence")}
    await store.raise_priority(EntityId("ent_2"), "presence", None)
    assert await store.raised_pairs() == {("ent_1", "customer_contact")}
