"""What the dashboard reads of the checker's collections: inbox rows beside each episode, merges (real MongoDB)."""

from datetime import timedelta

from pymongo.asynchronous.database import AsyncDatabase

from shared.adapters.mongo.client import Document
from shared.adapters.mongo.dashboard import DashboardReader
from shared.adapters.mongo.discrepancies import MongoDiscrepancyRepository
from shared.adapters.mongo.entities import MongoEntityRepository
from shared.core.dashboard.inbox import row_of
from shared.core.discrepancy import DiscrepancyStatus
from shared.core.model import EntityId
from shared.core.repositories import StoredDiscrepancy
from tests.unit.core.dashboard.builders import NOW, discrepancy


async def test_open_episodes_have_rows_and_a_resolved_one_never_comes_back(
    database: AsyncDatabase[Document],
) -> None:
    repository, reader = MongoDiscrepancyRepository(database), DashboardReader(database)
    first, second = discrepancy(1), discrepancy(2)
    await repository.save_all([StoredDiscrepancy(discrepancy=first), StoredDiscrepancy(discrepancy=second)])
    assert sorted(await reader.open_inbox_rows(), key=lambda r: r.entity_id) == [
        row_of(first),
        row_of(second),
    ]

    resolved = first.model_copy(
        update={
            "status": DiscrepancyStatus.RESOLVED,
            "revision": 2,
            "resolved_at": NOW + timedelta(minutes=5),
        }
    )
    await repository.save_all([StoredDiscrepancy(discrepancy=resolved)])
    # A late writer of the older, open revision (a checker instance that lost its partition) is refused.
    await repository.save_all([StoredDiscrepancy(discrepancy=first)])

    assert await reader.open_inbox_rows() == [row_of(second)]
    assert [d.id for d in await reader.open_discrepancies()] == [second.id]


async def test_the_entity_view_of_a_merged_entity_names_the_entity_it_lives_on_now(
    database: AsyncDatabase[Document],
) -> None:
    entities, reader = MongoEntityRepository(database), DashboardReader(database)
    first, second, third = EntityId("ent_a"), EntityId("ent_b"), EntityId("ent_c")
    await entities.merge(first, second, at=NOW)
    await entities.merge(second, third, at=NOW)  # merges chain: a -> b -> c

    assert (await reader.entity(first)).merged_into == third
    assert (await reader.entity(third)).merged_into is None
