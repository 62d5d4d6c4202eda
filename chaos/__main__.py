"""``python -m chaos`` (``make chaos``): Concord under a steady load and a series of faults, then compared with
the sandbox's ground truth; exits 1 on any loss, duplicate, double write or unfinished command.

It starts its own Kafka and FerretDB on free ports (run dir ``.run/chaos``), the sandbox, ingest, checker and
syncer, seeds a scenario, runs the load while the faults happen (``chaos.faults``), drains, compares
(``chaos.ground_truth``), prints the figures and writes them to ``bench/results/chaos.json``. Everything it
started is stopped at the end; logs stay in ``.run/chaos/logs``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from dataclasses import dataclass

from chaos.collect import Collector
from chaos.deployment import SERVICES, chaos_config, start_system
from chaos.faults import FaultPlan, FaultSchedule, Timeline
from chaos.ground_truth import Verdict, judge
from chaos.infra import OwnInfra
from chaos.load import Load, LoadLog, Pools, Rates
from chaos.report import figures, print_figures, write_result
from chaos.sandbox import SandboxAdmin
from infra.demo.config import DemoConfig
from infra.processes import REPO, Supervisor

RUN_DIR = REPO / ".run" / "chaos"
COMMAND_CUSTOMERS = 45
SETTLE_TIMEOUT_S = 120.0
TAIL_SECONDS = 15.0
POLL_SECONDS = 5.0


@dataclass(frozen=True)
class Options:
    drain_seconds: float
    plan: FaultPlan
    rates: Rates


async def _settle(load: Load, pools: Pools, timeline: Timeline) -> None:
    """Wait until the checker linked most of the command customers (commands need their entity ids)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    keys = [f"hubspot:contacts:{hubspot}" for hubspot, _ in pools.command_pairs]
    while time.monotonic() < deadline:
        linked = await load.linked_count(keys)
        if linked >= len(keys) * 0.9:
            break
        await asyncio.sleep(2.0)
    timeline.note("scenario settled", linked=await load.linked_count(keys), of=len(keys))


async def _verdict(collector: Collector, log: LoadLog) -> Verdict:
    return judge(
        sent=log.sent,
        truth=await collector.truth(log.touched),
        stored=await collector.stored(log.touched),
        episodes=await collector.episodes(),
        commands=await collector.commands(),
        issued=log.issued,
        write_counts=await collector.write_counts(),
    )


async def _drain(collector: Collector, log: LoadLog, seconds: float, timeline: Timeline) -> Verdict:
    """Judge every few seconds until nothing is behind or unfinished any more, or ``seconds`` passed."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            verdict = await _verdict(collector, log)
        except Exception as error:  # noqa: BLE001 - a server still recovering: judge again shortly
            timeline.note("drain: not readable yet", error=f"{type(error).__name__}: {str(error)[:400]}")
        else:
            o, c = verdict.observations, verdict.commands
            pending = o.lost + o.records_behind + (c.issued - c.final)
            timeline.note("drain", lost=o.lost, behind=o.records_behind, unfinished=c.issued - c.final)
            if not pending or time.monotonic() > deadline:
                return verdict
        if time.monotonic() > deadline:
            return await _verdict(collector, log)
        await asyncio.sleep(POLL_SECONDS)


async def run_chaos(
    config: DemoConfig, infra: OwnInfra, supervisor: Supervisor, report: dict[str, object], options: Options
) -> dict[str, object]:
    admin = SandboxAdmin(config.sandbox_url)
    pools = Pools.from_report(report, COMMAND_CUSTOMERS, seed=11)
    load = Load(
        admin, kafka=infra.kafka, mongo_uri=infra.mongo_uri, database=config.database,
        prefix=config.topic_prefix, pools=pools,
    )  # fmt: skip
    collector = Collector(admin, infra.mongo_uri, config.database)
    timeline = Timeline()
    seconds: dict[str, float] = {}
    try:
        await _settle(load, pools, timeline)
        stop = asyncio.Event()
        started = time.monotonic()
        running = asyncio.create_task(load.run(stop, options.rates))
        faults = FaultSchedule(supervisor, infra, admin, SERVICES)
        await faults.run(options.plan, timeline)
        await asyncio.sleep(TAIL_SECONDS)
        stop.set()
        await running
        seconds["load"] = time.monotonic() - started
        timeline.note("load stopped", edits=len(load.log.sent), commands=len(load.log.issued))
        await faults.revive_exited(timeline)
        drain_started = time.monotonic()
        verdict = await _drain(collector, load.log, options.drain_seconds, timeline)
        seconds["drain"] = time.monotonic() - drain_started
    finally:
        await load.close()
        await collector.close()
        await admin.close()
    return figures(verdict, load.log, timeline, seconds)


def _options(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--drain-seconds", type=float, default=420.0, help="longest wait for the backlog")
    parser.add_argument("--gap-seconds", type=float, default=10.0, help="pause between faults")
    parser.add_argument("--fault-seconds", type=float, default=15.0, help="length of 503 and 429 periods")
    args = parser.parse_args(argv)
    plan = FaultPlan(gap_seconds=args.gap_seconds, platform_fault_seconds=args.fault_seconds)
    return Options(drain_seconds=args.drain_seconds, plan=plan, rates=Rates())


def main(argv: list[str]) -> int:
    options = _options(argv)
    # The load's Kafka client reconnects by itself while the broker restarts; its retry chatter is noise.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    started = time.monotonic()
    Supervisor(RUN_DIR).stop_all()  # a crashed previous run's services
    infra = OwnInfra.fresh(RUN_DIR)
    try:
        print(
            f"chaos: own Kafka at {infra.kafka}, FerretDB at {infra.mongo_uri}, run dir {RUN_DIR}", flush=True
        )
        infra.start()
        config = chaos_config(RUN_DIR, infra.kafka, infra.mongo_uri)
        supervisor, report = start_system(config)
        print(f"chaos: system up after {time.monotonic() - started:.0f}s; load and faults begin", flush=True)
        result = asyncio.run(run_chaos(config, infra, supervisor, report, options))
    finally:
        Supervisor(RUN_DIR).stop_all()
        infra.stop()
    seconds = result["seconds"]
    assert isinstance(seconds, dict)  # noqa: S101 - built by figures()
    seconds["total"] = round(time.monotonic() - started, 1)
    print_figures(result)
    write_result(result, _kafka_version())
    return 0 if result["passed"] else 1


def _kafka_version() -> str | None:
    from infra.local_infra import kafka_version  # noqa: PLC0415 - reads the pom only when reporting

    return kafka_version()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
