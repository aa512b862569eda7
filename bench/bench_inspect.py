"""anjeon against Inspect (inspect-ai) and the bare aiohttp loop, on the same stub, in one run.

    python bench/bench_inspect.py                 # both cases, best of --repeat 2
    python bench/bench_inspect.py --case 0ms      # 3,000 items, 0 ms, 64 connections
    python bench/bench_inspect.py --case 50ms     # 2,000 items, 50 ms, 64 connections

Needs ``inspect-ai`` and ``openai`` installed in the same Python (``pip install inspect-ai
openai``); they are not dependencies of anjeon. Without them this script says so and
exits 0. ``python bench/bench_engine.py --inspect`` runs the same comparison after the
engine cases.

Per case, one stub process (python -m anjeon.testing, 127.0.0.1, bounded lifetime) serves
three whole processes in turn, ``--repeat`` times: the bare loop (bench/bare_loop.py),
``anjeon run`` (store and inline refusal scorer on, ``--no-report`` unless ``--report``)
and Inspect (bench/inspect_eval.py: ``inspect_ai.eval`` of one task with the same
prompts as samples, solver ``generate()``, no scorer, model ``openai-api/stub/stub``,
the same max connections, its default ``.eval`` log written to a temporary directory).
The best time of each is compared; the ratios are throughputs: anjeon / Inspect and
bare loop / Inspect (and anjeon / bare loop). Inspect has no target here.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import make_suite, timed, timed_anjeon_on_stub
from anjeon.testing import StubConfig, stub_process

HERE = Path(__file__).parent
# items, stub latency (s); Inspect runs at roughly 60-90 samples/s here, so the sizes are
# much smaller than bench_engine's and the whole script stays within a few minutes
CASES = {"0ms": (3_000, 0.0), "50ms": (2_000, 0.05)}


def inspect_version() -> str | None:
    """The installed inspect-ai's version, or None when ``import inspect_ai`` fails."""
    try:
        import inspect_ai  # noqa: F401
    except ImportError:
        return None
    return importlib.metadata.version("inspect-ai")


def compare(case: str, repeat: int, connections: int, quiet: bool, report: bool) -> None:
    n, latency = CASES[case]
    with tempfile.TemporaryDirectory() as tmp:
        suite = make_suite(Path(tmp) / f"bench{n}.jsonl", n)
        times: dict[str, list[float]] = {"bare": [], "anjeon": [], "inspect": []}
        scored: list[int] = []
        with stub_process(StubConfig(latency=latency, lifetime=1800)) as url:
            for i in range(repeat):
                dt, _, last = timed(
                    [sys.executable, str(HERE / "bare_loop.py"), str(suite), url, str(connections)]
                )
                _check(last, n, "bare loop")
                times["bare"].append(dt)
                dt, n_scored = timed_anjeon_on_stub(
                    suite, url, connections, Path(tmp) / f"runs{i}", quiet, report
                )
                times["anjeon"].append(dt)
                scored.append(n_scored)
                logs = Path(tmp) / f"inspect-logs{i}"
                dt, _, last = timed(
                    [
                        sys.executable,
                        str(HERE / "inspect_eval.py"),
                        str(suite),
                        url,
                        str(connections),
                        str(logs),
                    ]
                )
                _check(last, n, "inspect")
                times["inspect"].append(dt)
    b, o, s = (min(times[k]) for k in ("bare", "anjeon", "inspect"))
    print(
        f"{case}: {n} items, {latency * 1000:.0f} ms, {connections} connections: "
        f"bare loop {b:.2f} s ({n / b:,.0f}/s), anjeon {o:.2f} s ({n / o:,.0f}/s), "
        f"Inspect {s:.2f} s ({n / s:,.0f}/s)"
    )
    print(
        f"  throughput ratios: anjeon / Inspect {s / o:.1f}x, bare loop / Inspect "
        f"{s / b:.1f}x, anjeon / bare loop {b / o:.2f}"
    )
    print(f"  refusal scores written per anjeon run: {scored} (of {n} each)")
    print(
        "  all runs (s): "
        + "; ".join(f"{k} {', '.join(f'{x:.2f}' for x in v)}" for k, v in times.items())
    )


def _check(last_line: str, n: int, who: str) -> None:
    if last_line != f"{n} answered":
        sys.exit(f"{who}: expected '{n} answered', got {last_line!r}")


def run(cases: list[str], repeat: int, connections: int, quiet: bool, report: bool) -> None:
    """The comparison, or one line saying why it is skipped (inspect-ai not importable)."""
    version = inspect_version()
    if version is None:
        print(
            "Inspect comparison skipped: inspect-ai is not installed in this Python "
            "(pip install inspect-ai openai; it is not a dependency of anjeon)"
        )
        return
    print(
        f"against Inspect: inspect-ai {version}, openai {importlib.metadata.version('openai')}, "
        f"anjeon {importlib.metadata.version('anjeon')}, best of {repeat}"
        + ("" if report else ", anjeon --no-report")
    )
    for c in cases:
        compare(c, repeat, connections, quiet, report)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--case", choices=[*CASES, "all"], default="all")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--quiet", action="store_true", help="run anjeon without a progress bar")
    p.add_argument(
        "--report",
        action="store_true",
        help="anjeon also writes record.json and report.html at the end",
    )
    a = p.parse_args()
    run(list(CASES) if a.case == "all" else [a.case], a.repeat, a.connections, a.quiet, a.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
