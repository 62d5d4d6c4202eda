"""A command being retried waits in the store, not in the consumer: the partition's other commands go on,
and the retried command is applied exactly once when the platform is back (real Kafka, FerretDB, sandbox).
"""

from __future__ import annotations

import pytest
from pymongo.database import Database

from services.syncer.settings import RetrySettings, SyncerSettings
from shared.core.events import OneDirectionSync
from shared.core.model import System
from shared.core.sync import CommandState
from tests.integration.syncer.support import (
    Platform,
    command,
    command_record,
    final_record,
    publish,
    running_syncer,
    syncer_settings,
)
from tests.support.sandbox import RunningSandbox

EMAIL = ("email",)


@pytest.fixture
def settings(
    sandbox: RunningSandbox,
    kafka_bootstrap: str,
    mongo_uri: str,
    mongo_db: Database[dict[str, object]],
    prefix: str,
) -> SyncerSettings:
    """Shopify too, and a retry budget that outlasts the outage the test ends."""
    retry = RetrySettings(max_attempts=20, base_delay_seconds=0.5, max_delay_seconds=1.0, scan_seconds=0.2)
    return syncer_settings(sandbox, kafka=kafka_bootstrap, mongo_uri=mongo_uri, database=mongo_db.name,
                           prefix=prefix, shopify=sandbox.shopify(), retry=retry)  # fmt: skip


async def test_a_command_retrying_through_an_outage_does_not_hold_up_the_next_command_on_its_partition(
    platform: Platform, settings: SyncerSettings, mongo_uri: str
) -> None:
    alice_crm = await platform.create(
        System.HUBSPOT, "contacts", {"properties": {"email": "alice@new.example"}}
    )
    alice_erp = await platform.create(
        System.NETSUITE, "customer", {"email": "alice@old.example", "isPerson": True}
    )
    bob_crm = await platform.create(System.HUBSPOT, "contacts", {"properties": {"email": "bob@new.example"}})
    bob_shop = await platform.create(System.SHOPIFY, "customers", {"email": "bob@old.example"})
    to_erp = command(OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=EMAIL),
                     (await platform.seen(alice_crm, EMAIL), await platform.seen(alice_erp, EMAIL)))  # fmt: skip
    to_shop = command(OneDirectionSync(source=System.HUBSPOT, target=System.SHOPIFY, fields=EMAIL),
                      (await platform.seen(bob_crm, EMAIL), await platform.seen(bob_shop, EMAIL)),
                      entity="ent_bob")  # fmt: skip
    await platform.faults(System.NETSUITE, {"outage": True})
    database = settings.mongodb_database

    async with running_syncer(settings):
        await publish(settings.kafka_bootstrap, settings.topic_prefix, to_erp, to_shop)
        behind = await final_record(mongo_uri, database, to_shop.command_id, seconds=60.0)
        waiting = await command_record(mongo_uri, database, to_erp.command_id)
        await platform.faults(System.NETSUITE, {})
        retried = await final_record(mongo_uri, database, to_erp.command_id, seconds=60.0)

    assert behind.state is CommandState.APPLIED
    assert await platform.email(bob_shop) == "bob@new.example"
    assert waiting is not None and not waiting.final, "the retried command was still waiting"
    assert any(a.outcome == "failed" and "503" in (a.error or "") for a in waiting.attempts)
    assert retried.state is CommandState.APPLIED
    assert [a.outcome for a in retried.attempts][-1] == "applied"
    assert len(retried.attempts) >= max(2, len(waiting.attempts))
    assert await platform.writes(alice_erp) == 1
    assert await platform.email(alice_erp) == "alice@new.example"
    assert (retried.next_attempt_at, retried.requeued_at) == (None, None)
