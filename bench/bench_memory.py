"""Peak RSS of a 100,000-cell run against a built-in target (whole process).

    python bench/bench_memory.py                  # 100,000 items x 1 epoch
    python bench/bench_memory.py --items 25000 --epochs 4

Results stream to the store in batches; the plan is a generator. The suite itself is
held in memory (the items are validated models), which is most of what remains.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import anjeon_cmd, make_suite, timed

LIMIT_MB = 300


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--items", type=int, default=100_000)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--model", default="builtin/keyword-guard")
    a = p.parse_args()
    cells = a.items * a.epochs
    with tempfile.TemporaryDirectory() as tmp:
        suite = make_suite(Path(tmp) / "mem.jsonl", a.items)
        dt, rss, _ = timed(
            anjeon_cmd(
                "run",
                "--suite",
                str(suite),
                "--model",
                a.model,
                "--epochs",
                str(a.epochs),
                "--runs-dir",
                str(Path(tmp) / "runs"),
                "--quiet",
            )
        )
        db = next(Path(tmp, "runs").glob("*/run.db"))
        size = sum(f.stat().st_size for f in db.parent.iterdir()) / 2**20
    ok = rss < LIMIT_MB
    print(
        f"{cells:,} cells ({a.items:,} items x {a.epochs}) against {a.model}: "
        f"peak RSS {rss:.0f} MB (limit {LIMIT_MB}) {'OK' if ok else 'OVER'}; "
        f"{dt:.1f} s ({cells / dt:,.0f} cells/s); run directory {size:.0f} MB"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
