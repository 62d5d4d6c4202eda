"""`python -m bench` (what `make bench` runs): every benchmark in turn, then the report.

    python -m bench [--scale 1] [--only pipeline,syncer_commands]

Quick sizes by default (the whole run takes about ten minutes on a quiet 2-core machine; about twenty while
other work loads it); ``--scale N`` (or
``CONCORD_BENCH_SCALE=N``) multiplies every size. Each benchmark runs as its own process against the
Kafka and FerretDB of ``make infra-up`` and writes ``bench/results/<name>.json``; a failed one is
reported and the others still run. ``bench/dashboard_inbox.py`` runs when it exists.
"""

import argparse
import os
import subprocess
import sys
import time

from bench.harness import REPO


def plan(scale: float) -> list[tuple[str, list[str]]]:
    """(benchmark module, its arguments) at ``scale`` times the quick sizes, in running order."""

    def n(quick: int) -> str:
        return str(max(1, round(quick * scale)))

    return [
        ("webhook_ingest", ["--requests", n(1000), "--concurrency", "32"]),
        ("pipeline", ["--entities", n(50), "--per-entity", "5", "--reps", "2"]),
        ("detection_latency", ["--customers", n(24), "--rate", "2", "--seconds", n(10)]),
        ("pulse_sweep", ["--customers", n(15), "--reps", "2"]),
        ("syncer_commands", ["--commands", n(10)]),
        # The size, not scaled: seeding 100,000 episodes takes FerretDB ~2.5 min, the cold
        # load ~? min; ``--discrepancies N`` on ``python -m bench.dashboard_inbox`` for another size.
        ("dashboard_inbox", ["--discrepancies", "100000"]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("CONCORD_BENCH_SCALE", "1")))
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    args = parser.parse_args()
    chosen = {name for name in args.only.split(",") if name}
    failed: list[str] = []
    for name, arguments in plan(args.scale):
        if chosen and name not in chosen:
            continue
        print(f"== bench.{name} {' '.join(arguments)}", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}", *arguments], cwd=REPO)
        print(f"== bench.{name}: exit {code} after {time.monotonic() - started:.0f} s", flush=True)
        if code != 0 and name not in failed:
            failed.append(name)
    subprocess.call([sys.executable, "-m", "bench.report"], cwd=REPO)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
