"""Record + HTML report for 100,000 results: per-stage seconds from one run, the whole
``anjeon report`` process, and the file size.

A synthetic run directory (not timed) holds 100,000 answered and scored cells: 2,500
item pairs (en-US + ko-KR) x 4 transforms x 5 epochs, every answer distinct (as a real
model's are) and about --answer-chars long. Then, in this process, each stage is timed
once; and ``anjeon report RUN`` is timed as a whole process (what a user runs: it builds
and writes record.json, then report.html). Optionally the page load in headless chromium.

    python bench/bench_report.py [--answer-chars 400] [--template] [--browser] [--max 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import anjeon_cmd, timed


def _browser_load(path: Path) -> float:
    """Seconds from navigation until the table shows its first page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = b.new_page()
        t0 = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("#cell-rows tr")
        dt = time.perf_counter() - t0
        b.close()
    return dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--answer-chars", type=int, default=400)
    ap.add_argument("--template", action="store_true", help="template answers (a reference system)")
    ap.add_argument("--browser", action="store_true", help="also time the page load in chromium")
    ap.add_argument("--max", type=float, default=10.0, help="budget for record + HTML, seconds")
    args = ap.parse_args()

    from anjeon.analysis import build_record, dumps_record
    from anjeon.reports import cells_data
    from anjeon.reports._cells import json_script
    from anjeon.reports._render import render_parts
    from anjeon.testing import synthetic_run

    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "bench-100k"
        t0 = time.perf_counter()
        synthetic_run(
            run,
            items=2500,
            transforms=("none", "jamo", "base64", "chosung"),
            epochs=5,
            distinct=not args.template,
            answer_chars=args.answer_chars,
        )
        setup = time.perf_counter() - t0

        stages: dict[str, float] = {}
        t = time.perf_counter()
        record = build_record(run)
        stages["record: build"] = time.perf_counter() - t
        t = time.perf_counter()
        (run / "record.json").write_text(dumps_record(record), encoding="utf-8")
        stages["record: write"] = time.perf_counter() - t
        t = time.perf_counter()
        cells = cells_data(run)
        stages["html: cells from run.db"] = time.perf_counter() - t
        t = time.perf_counter()
        json_script(cells)
        stages["html: (of which JSON island)"] = time.perf_counter() - t
        t = time.perf_counter()
        parts = render_parts(record, cells)
        stages["html: render (incl. JSON)"] = time.perf_counter() - t
        t = time.perf_counter()
        with open(run / "report.html", "w", encoding="utf-8") as f:
            for part in parts:
                f.write(part)
        stages["html: write"] = time.perf_counter() - t

        whole, rss, _ = timed(anjeon_cmd("report", str(run)))
        size = (run / "report.html").stat().st_size
        load = _browser_load(run / "report.html") if args.browser else None

        n = cells["n"]
        in_process = sum(v for k, v in stages.items() if "(of which" not in k)
        print(
            f"{n:,} results ({'template' if args.template else 'distinct'} answers, "
            f"~{args.answer_chars} chars); synthetic run made in {setup:.1f} s (not timed)"
        )
        for k, v in stages.items():
            print(f"  {k:<30} {v:6.2f} s")
        print(f"  {'in-process total':<30} {in_process:6.2f} s")
        print(f"anjeon report (whole process): {whole:.2f} s, peak RSS {rss:.0f} MB")
        print(
            f"report.html: {size / 1e6:.1f} MB ({size / n:.0f} bytes per result); "
            f"record.json: {(run / 'record.json').stat().st_size / 1e3:.0f} kB"
        )
        if load is not None:
            print(f"chromium: first page of the table shown {load:.2f} s after navigation")
        print(
            json.dumps(
                {
                    "results": n,
                    "whole_s": round(whole, 2),
                    "size_bytes": size,
                    "stages_s": {k: round(v, 3) for k, v in stages.items()},
                }
            )
        )
        if whole > args.max:
            print(f"FAIL: {whole:.2f} s > {args.max:.1f} s", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
