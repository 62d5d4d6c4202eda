"""The benchmark results side by side: ``bench/results/summary.png`` and a markdown table on stdout.

    python -m bench.report

Reads every ``bench/results/*.json``. Each known benchmark yields figures, each beside the baseline
measured in the same run; an unknown result file (e.g. one added later) is shown when it has a
top-level ``figures`` list of ``{"name", "unit", "value", "baseline", "baseline_name"}`` or, failing
that, its first ``p50`` figure beside the first ``p50`` under a ``baseline`` key.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench.harness import RESULTS

Result = dict[str, object]


@dataclass(frozen=True)
class Figure:
    benchmark: str
    name: str
    unit: str
    value: float
    baseline: float
    baseline_name: str
    load: str

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")


def at(result: Result, *path: str) -> float:
    """The number at ``path`` (keys) in ``result``."""
    node: object = result
    for key in path:
        assert isinstance(node, dict), f"{path}: {key} is not inside an object"
        node = node[key]
    assert isinstance(node, int | float), f"{path} is not a number"
    return float(node)


def _webhook(r: Result) -> Iterator[Figure]:
    load = f"{at(r, 'load', 'requests'):.0f} requests, concurrency {at(r, 'load', 'concurrency'):.0f}"
    base = "bare Starlette endpoint"
    yield Figure("webhook_ingest", "throughput", "req/s", at(r, "ingest", "requests_per_second"),
                 at(r, "baseline_bare_endpoint", "requests_per_second"), base, load)  # fmt: skip
    for q in ("p50", "p99"):
        yield Figure("webhook_ingest", f"latency {q}", "ms", at(r, "ingest", f"{q}_ms"),
                     at(r, "baseline_bare_endpoint", f"{q}_ms"), base, load)  # fmt: skip


def _pipeline(r: Result) -> Iterator[Figure]:
    load = f"{at(r, 'load', 'observations'):.0f} observations x {at(r, 'load', 'repetitions'):.0f} runs"
    yield Figure("pipeline", "link+evaluate (median run)", "obs/s",
                 at(r, "checker", "observations_per_second", "p50"),
                 at(r, "baseline_raw_consumption", "messages_per_second", "p50"),
                 "raw aiokafka consumption", load)  # fmt: skip


def _detection(r: Result) -> Iterator[Figure]:
    load = f"{at(r, 'load', 'changes_per_second'):g} changes/s, {at(r, 'load', 'changes'):.0f} changes"
    for q in ("p50", "p99"):
        yield Figure("detection_latency", f"change -> discrepancy {q}", "ms", at(r, "detection_ms", q),
                     at(r, "baseline_webhook_to_raw_topic_ms", q), "change -> raw topic", load)  # fmt: skip


def _pulse(r: Result) -> Iterator[Figure]:
    load = f"{at(r, 'load', 'customers'):.0f} customers x {at(r, 'load', 'repetitions'):.0f} sweeps"
    base = "connector read_many"
    yield Figure("pulse_sweep", "entities verified (median)", "entities/s",
                 at(r, "pulse", "entities_per_second", "p50"),
                 at(r, "baseline_connector_batch_read", "entities_per_second", "p50"), base, load)  # fmt: skip
    runs, baselines = r["pulse"]["runs"], r["baseline_connector_batch_read"]["runs"]  # type: ignore[index]
    spent = [float(x["api_requests_per_verified_entity"]) for x in runs]  # type: ignore[union-attr]
    raw = [float(x["api_requests_per_entity"]) for x in baselines]  # type: ignore[union-attr]
    yield Figure("pulse_sweep", "API requests per verified entity", "requests",
                 sum(spent) / len(spent), sum(raw) / len(raw), base, load)  # fmt: skip


def _syncer(r: Result) -> Iterator[Figure]:
    load = f"{at(r, 'load', 'commands'):.0f} commands"
    yield Figure("syncer_commands", "commands applied", "commands/s", at(r, "syncer", "commands_per_second"),
                 at(r, "baseline_direct_connector_writes", "writes_per_second"), "direct connector writes",
                 load)  # fmt: skip


def _dashboard(r: Result) -> Iterator[Figure]:
    """The inbox over N open discrepancies in MongoDB beside a 1-row inbox on the same server: the
    first render (waits for the cold load of the rows), then warm renders; seconds shown as ms."""
    load = f"{at(r, 'open_discrepancies'):,.0f} open discrepancies in FerretDB"
    base = "one-row inbox, same server"
    views = (
        "first_render_including_load",
        "default_view",
        "filter_kind_hard_conflict",
        "search_email",
        "page_2",
    )
    for view in views:
        key = "seconds" if view == "first_render_including_load" else "median_s"
        name = view.replace("_", " ") + ("" if key == "seconds" else " (median)")
        yield Figure("dashboard_inbox", f"render {name}", "ms", 1000 * at(r, "inbox", view, key),
                     1000 * at(r, "baseline_one_row", view, key), base, load)  # fmt: skip
    if isinstance(inbox := r.get("inbox"), dict) and "first_response" in inbox:
        response = ("first_response", "seconds")
        yield Figure("dashboard_inbox", "first response of the first server (says the rows are loading)", "ms",
                     1000 * at(r, "inbox", *response), 1000 * at(r, "baseline_one_row", *response), base,
                     load)  # fmt: skip
    if "inbox_restarted" in r:
        first = ("first_render_including_load", "seconds")
        yield Figure("dashboard_inbox", "first render of a restarted server (checkpoint's overview)", "ms",
                     1000 * at(r, "inbox_restarted", *first), 1000 * at(r, "baseline_one_row", *first), base,
                     load)  # fmt: skip
        # The first filter after a restart is the render that waits for the checkpoint's rows.
        filtered = ("filter_kind_hard_conflict", "max_s")
        yield Figure("dashboard_inbox", "first filtered render of a restarted server (waits for the rows)",
                     "ms", 1000 * at(r, "inbox_restarted", *filtered), 1000 * at(r, "baseline_one_row", *filtered),
                     base, load)  # fmt: skip


KNOWN: dict[str, Callable[[Result], Iterator[Figure]]] = {
    "webhook_ingest": _webhook,
    "pipeline": _pipeline,
    "detection_latency": _detection,
    "pulse_sweep": _pulse,
    "syncer_commands": _syncer,
    "dashboard_inbox": _dashboard,
}


def _leaves(node: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], float]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "machine":
                yield from _leaves(value, (*path, str(key)))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path, float(node)


def _generic(name: str, r: Result) -> Iterator[Figure]:
    """A result file this module has no extractor for (see the module docstring)."""
    listed = r.get("figures")
    if isinstance(listed, list):
        for f in listed:
            yield Figure(name, str(f["name"]), str(f.get("unit", "")), float(f["value"]), float(f["baseline"]),
                         str(f.get("baseline_name", "baseline")), "")  # fmt: skip
        return
    p50s = [(path, value) for path, value in _leaves(r) if "p50" in path[-1]]
    measured = next(((p, v) for p, v in p50s if not any("baseline" in k for k in p)), None)
    baseline = next(((p, v) for p, v in p50s if any("baseline" in k for k in p)), None)
    if measured and baseline:
        unit = "ms" if measured[0][-1].endswith("ms") else ""
        yield Figure(name, "/".join(measured[0]), unit, measured[1], baseline[1], "/".join(baseline[0]), "")


def figures(results: dict[str, Result]) -> list[Figure]:
    found: list[Figure] = []
    for name, result in sorted(
        results.items(), key=lambda item: list(KNOWN).index(item[0]) if item[0] in KNOWN else 99
    ):
        extract = KNOWN.get(name)
        try:
            found.extend(list(extract(result)) if extract else _generic(name, result))
        except (AssertionError, KeyError, TypeError):  # a result of another shape than expected
            found.extend(_generic(name, result))
    return found


def markdown(found: list[Figure], results: dict[str, Result]) -> str:
    lines = [
        "| benchmark | figure | measured | same-run baseline | measured / baseline | load |",
        "|---|---|---|---|---|---|",
    ]
    for f in found:
        lines.append(
            f"| {f.benchmark} | {f.name} | {f.value:,.2f} {f.unit} | {f.baseline:,.2f} {f.unit} ({f.baseline_name}) "
            f"| {f.ratio:.3f} | {f.load} |"
        )
    dates = sorted(
        {str(r["machine"]["measured_at"]) for r in results.values() if isinstance(r.get("machine"), dict)}
    )  # type: ignore[index]
    described = [r["machine"] for r in results.values() if isinstance(r.get("machine"), dict)]
    machine = max(described, key=lambda m: ("ferretdb" in m, str(m.get("measured_at"))), default={})  # type: ignore[union-attr]
    if isinstance(machine, dict):
        lines.append("")
        lines.append(
            f"Measured {dates[0] if dates else '?'} .. {dates[-1] if dates else '?'} on {machine.get('cpu')}, "
            f"{machine.get('cores')} cores, {machine.get('memory_gib')} GiB, Python {machine.get('python')}, "
            f"Kafka {machine.get('kafka')}, FerretDB {machine.get('ferretdb', '?')}; {_loads(described)}."
        )
    return "\n".join(lines)


def _loads(described: list[object]) -> str:
    """The 1-minute load averages the benchmarks started at (older results did not record one)."""
    loads = [m["load_average_1m"] for m in described if isinstance(m, dict) and "load_average_1m" in m]
    if not loads:
        return "load not recorded"
    return f"load average at start {min(loads):.1f} .. {max(loads):.1f}"


def _label(value: float) -> str:
    return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"


def chart(found: list[Figure], path: Path) -> None:
    """One panel per figure: the measured bar beside its baseline bar, each panel on its own scale."""
    columns = 4
    rows = max(1, -(-len(found) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.4 * rows), squeeze=False)
    for axis, f in zip(axes.flat, found, strict=False):
        bars = axis.bar(["measured", "baseline"], [f.value, f.baseline], color=["#2b6cb0", "#a0aec0"])
        axis.bar_label(bars, labels=[_label(f.value), _label(f.baseline)], fontsize=8)
        axis.set_title(f"{f.benchmark}\n{f.name}", fontsize=9)
        axis.set_ylabel(f.unit, fontsize=8)
        axis.set_xticks([0, 1], ["measured", f.baseline_name], fontsize=7)
        axis.margins(y=0.2)
    for axis in list(axes.flat)[len(found) :]:
        axis.axis("off")
    fig.suptitle("Concord benchmarks: each figure beside its same-run baseline (shared 2-core machine)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    results = {path.stem: json.loads(path.read_text()) for path in sorted(RESULTS.glob("*.json"))}
    found = figures(results)
    chart(found, RESULTS / "summary.png")
    print(markdown(found, results))
    print(f"\nchart: {RESULTS / 'summary.png'}")


if __name__ == "__main__":
    main()
