"""The run's figures: printed for a person, written as JSON (with the machine) to ``bench/results/chaos.json``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from bench.machine import describe_machine
from chaos.faults import Timeline
from chaos.ground_truth import Verdict
from chaos.load import LoadLog
from infra.processes import REPO

RESULT_FILE = REPO / "bench" / "results" / "chaos.json"


def figures(
    verdict: Verdict, load: LoadLog, timeline: Timeline, seconds: dict[str, float]
) -> dict[str, object]:
    """Everything the run measured, as JSON-ready values."""
    o = verdict.observations
    return {
        "passed": verdict.passed,
        "failures": verdict.failures,
        "events": {
            "sent": o.sent, "with_webhook": o.sent_with_webhook, "silent": o.sent_silently,
            "observed": o.observed, "lost": o.lost, "duplicated": verdict.duplicated_discrepancies,
        },
        "records": {"checked": o.records_checked, "behind": o.records_behind},
        "writes": {
            "expected": verdict.writes.expected, "made": verdict.writes.made,
            "double": verdict.writes.double_writes, "missing": verdict.writes.missing_writes,
        },
        "commands": {**asdict(verdict.commands), "skipped": load.skipped_commands},
        "examples": {
            "lost": list(o.lost_examples), "behind": list(o.behind_examples),
            "duplicates": list(verdict.duplicate_examples), "write_mismatches": list(verdict.writes.mismatches),
        },
        "unexpected_exits": timeline.unexpected_exits,
        "load_errors": dict(sorted(load.errors.items())),
        "timeline": timeline.entries,
        "seconds": {name: round(value, 1) for name, value in seconds.items()},
    }  # fmt: skip


def print_figures(result: dict[str, object]) -> None:
    """A short human summary of ``figures``."""
    events, writes, commands = (_section(result, name) for name in ("events", "writes", "commands"))
    print(
        f"\nchaos: events sent {events['sent']} ({events['with_webhook']} with webhook, {events['silent']} "
        f"silent), observed {events['observed']}, lost {events['lost']}, duplicated {events['duplicated']}"
        f"\n       records checked {result['records']}; writes expected {writes['expected']}, made "
        f"{writes['made']} (double {writes['double']}, missing {writes['missing']})"
        f"\n       commands issued {commands['issued']}, final {commands['final']} {commands['by_state']}"
        f"\n       unexpected exits: {result['unexpected_exits'] or 'none'}; load errors: {result['load_errors']}"
        f"\n       seconds: {result['seconds']}"
    )
    print("PASSED: nothing lost, nothing duplicated" if result["passed"] else f"FAILED: {result['failures']}")


def _section(result: dict[str, object], name: str) -> dict[str, object]:
    section = result[name]
    if not isinstance(section, dict):
        raise TypeError(f"{name} is not a section of the figures")
    return section


def write_result(result: dict[str, object], kafka_version: str | None, path: Path = RESULT_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"benchmark": "chaos", "machine": describe_machine(kafka_version), **result}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
