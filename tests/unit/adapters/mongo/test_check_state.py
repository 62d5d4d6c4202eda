"""MongoCheckStateStore.save_all: bulk upserts sent in chunks FerretDB can take."""

from datetime import UTC, datetime

from pymongo import UpdateOne

from shared.adapters.mongo.bulk import MAX_BULK_STATEMENTS
from shared.adapters.mongo.check_state import COLLECTION, MongoCheckStateStore, pair_id
from shared.core.model import EntityId, EntityType
from shared.core.verification import VerificationOutcome, VerificationState

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


class RecordingCollection:
    """Records the size of every bulk write and the ids it upserts."""

    def __init__(self) -> None:
        self.bulks: list[list[UpdateOne]] = []

    async def bulk_write(self, operations: list[UpdateOne], *, ordered: bool) -> None:
        assert not ordered
        self.bulks.append(list(operations))


def a_state(index: int) -> tuple[EntityType, VerificationState]:
    state = VerificationState(
        entity_id=EntityId(f"ent_{index}"),
        dimension="customer_contact",
        last_verified_at=NOW,
        outcome=VerificationOutcome.CONSISTENT,
    )
    return EntityType.CUSTOMER, state


async def test_save_all_sends_at_most_the_bulk_limit_per_round_trip_and_every_state_once() -> None:
    collection = RecordingCollection()
    store = MongoCheckStateStore({COLLECTION: collection})  # type: ignore[arg-type]  # a recording stand-in
    states = [a_state(i) for i in range(3 * MAX_BULK_STATEMENTS + 3)]

    await store.save_all(states)

    assert [len(bulk) for bulk in collection.bulks] == [MAX_BULK_STATEMENTS] * 3 + [3]
    written = [operation._filter["_id"] for bulk in collection.bulks for operation in bulk]
    assert written == [pair_id(state.entity_id, state.dimension) for _, state in states]


async def test_saving_nothing_sends_nothing() -> None:
    collection = RecordingCollection()
    await MongoCheckStateStore({COLLECTION: collection}).save_all([])  # type: ignore[arg-type]  # stand-in
    assert collection.bulks == []
