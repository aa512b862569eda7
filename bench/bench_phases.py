"""Where the seconds of a whole ``anjeon run`` go: wall time per phase, in one process.

    python bench/bench_phases.py                  # 20,000 items, 0 ms, 64 connections
    python bench/bench_phases.py --items 5000 --latency 0.05 --no-report

Starts the stub in its own process (as bench_engine.py does), then runs ``anjeon run``
inside this process with timers around its phases: start-up (imports), preparing the
run (loading and validating the suite, the target), the engine (requests, the store,
the labels of the inline scorers, which a large run computes in a second process),
and the end of the run (scoring what has no label, the record, the report). Also the
process's own CPU seconds and its children's (the scoring and report-cells processes).
The timers wrap functions by name, so this measures; it does not change what runs.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

T0 = time.perf_counter()
import anjeon._api as api  # noqa: E402
import anjeon.cli as cli  # noqa: E402

IMPORTS = time.perf_counter() - T0  # what `anjeon run` imports before it starts
import anjeon.analysis as analysis  # noqa: E402
import anjeon.reports as reports  # noqa: E402
import anjeon.store._store as store  # noqa: E402
from _common import make_suite  # noqa: E402
from anjeon.testing import StubConfig, stub_process  # noqa: E402

TIMES: dict[str, float] = {}


def _timed(owner: Any, name: str, label: str) -> None:
    fn: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(fn)
    def wrapper(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            TIMES[label] = TIMES.get(label, 0.0) + time.perf_counter() - t

    async def awrapper(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        try:
            return await fn(*a, **k)
        finally:
            TIMES[label] = TIMES.get(label, 0.0) + time.perf_counter() - t

    is_async = inspect.iscoroutinefunction(fn)
    setattr(owner, name, functools.wraps(fn)(awrapper) if is_async else wrapper)


PHASES = (
    (api, "_prepare", "prepare (suite, target)"),
    (api, "_execute", "engine (requests, store, labels)"),
    (store.RunStore, "write", "  of which store writes"),
    (api, "finish", "end of run (score, record, report)"),
    (analysis, "build_record", "  of which the record"),
    (reports, "write_report", "  of which the report"),
    (api, "_result", "result (counts)"),
)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--items", type=int, default=20_000)
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--no-report", action="store_true")
    a = p.parse_args()
    for owner, name, label in PHASES:
        _timed(owner, name, label)
    with tempfile.TemporaryDirectory() as tmp:
        suite = make_suite(Path(tmp) / "phases.jsonl", a.items)
        with stub_process(StubConfig(latency=a.latency, lifetime=600)) as url:
            args = [
                "run", "--suite", str(suite), "--model", "openai-compatible/stub",
                "--base-url", url, "--max-connections", str(a.connections),
                "--runs-dir", str(Path(tmp) / "runs"), "--quiet",
                *(["--no-report"] if a.no_report else []),
            ]  # fmt: skip
            sys.argv = ["anjeon", *args]
            t = time.perf_counter()
            try:
                with open(os.devnull, "w") as null, redirect_stdout(null), redirect_stderr(null):
                    cli.main()
            except SystemExit as e:
                if e.code:
                    raise
            run = time.perf_counter() - t
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the stub's share included
    with open("/proc/loadavg", encoding="ascii") as f:
        load = " ".join(f.read().split()[:3])
    print(f"{a.items:,} items, {a.latency * 1000:.0f} ms, {a.connections} connections")
    print(f"{'imports (anjeon, the CLI)':38s} {IMPORTS:6.2f} s")
    for _, _, label in PHASES:
        if label in TIMES:
            print(f"{label:38s} {TIMES[label]:6.2f} s")
    print(f"{'anjeon run, start to end':38s} {run:6.2f} s")
    print(f"{'this process, CPU':38s} {me.ru_utime + me.ru_stime:6.2f} s")
    print(f"{'child processes, CPU (with the stub)':38s} {kids.ru_utime + kids.ru_stime:6.2f} s")
    print(f"load average {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
