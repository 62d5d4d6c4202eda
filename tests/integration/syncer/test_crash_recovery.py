"""Acceptance (issue 7): the syncer SIGKILLed after the platform write but before recording it ends the
command ``applied`` after a restart, with exactly one write on the platform.

The syncer runs as a real process (``python -m services.syncer``); the test-only setting
``CONCORD_TEST_PAUSE_AFTER_WRITE_SECONDS`` holds it between the platform's answer and the save, which
is where the test kills it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from pydantic import BaseModel, SecretStr

from services.syncer.settings import SyncerSettings
from shared.core.events import OneDirectionSync
from shared.core.model import ExternalRef, System
from shared.core.sync import CommandState
from tests.integration.syncer.support import (
    Platform,
    command,
    command_record,
    eventually,
    final_record,
    publish,
)

REPO = Path(__file__).resolve().parents[3]
EMAIL = ("email",)


def _plain(value: object) -> object:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, BaseModel):
        return {name: _plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def _environment(settings: SyncerSettings, pause: float) -> dict[str, str]:
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCORD_")}
    for name in ("kafka_bootstrap", "mongodb_uri", "mongodb_database", "topic_prefix", "topic_partitions"):
        env[f"CONCORD_{name.upper()}"] = str(_plain(getattr(settings, name)))
    for system in ("hubspot", "netsuite"):
        env[f"CONCORD_{system.upper()}"] = json.dumps(_plain(getattr(settings, system)))
    env["CONCORD_RETRY"] = json.dumps(_plain(settings.retry))
    env["CONCORD_LOG_FORMAT"] = "console"
    env["CONCORD_TEST_PAUSE_AFTER_WRITE_SECONDS"] = str(pause)
    return env


@asynccontextmanager
async def syncer_process(settings: SyncerSettings, pause: float, log: Path) -> AsyncIterator[int]:
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.syncer", cwd=REPO, env=_environment(settings, pause),
            stdout=output, stderr=output,
        )  # fmt: skip
    try:
        yield process.pid
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_a_syncer_killed_after_the_write_finishes_the_command_after_restart_with_one_write(
    platform: Platform, settings: SyncerSettings, mongo_uri: str, tmp_path: Path
) -> None:
    hubspot = await platform.create(System.HUBSPOT, "contacts", {"properties": {"email": "bob@new.example"}})
    netsuite = await platform.create(
        System.NETSUITE, "customer", {"email": "bob@old.example", "isPerson": True}
    )
    seen = (await platform.seen(hubspot, EMAIL), await platform.seen(netsuite, EMAIL))
    sync = command(OneDirectionSync(source=System.HUBSPOT, target=System.NETSUITE, fields=EMAIL), seen)
    database, log = settings.mongodb_database, tmp_path / "syncer.log"

    async with syncer_process(settings, pause=60.0, log=log) as pid:
        await publish(settings.kafka_bootstrap, settings.topic_prefix, sync)
        await eventually(lambda: _written(platform, netsuite), 60.0, f"the platform write (log: {log})")
        os.kill(pid, signal.SIGKILL)
    interrupted = await command_record(mongo_uri, database, sync.command_id)
    assert interrupted is not None
    assert interrupted.state is CommandState.APPLYING
    assert [w.done_at for w in interrupted.writes or ()] == [None]

    async with syncer_process(settings, pause=0.0, log=log):
        record = await final_record(mongo_uri, database, sync.command_id, seconds=90.0)

    assert record.state is CommandState.APPLIED
    assert await platform.writes(netsuite) == 1
    assert await platform.email(netsuite) == "bob@new.example"
    assert [a.outcome for a in record.attempts] == ["interrupted", "applied"]
    (write,) = record.writes or ()
    assert write.after == {"email": "bob@new.example"}


async def _written(platform: Platform, ref: ExternalRef) -> bool:
    return await platform.writes(ref) >= 1
