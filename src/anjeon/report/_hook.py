"""The end of ``anjeon run``: record.json, then report.html, in the run directory."""

from __future__ import annotations

import json
from pathlib import Path


def write_record_and_report(run_dir: Path) -> None:
    """The end-of-run hook. The scorers the engine does not run inline (PII, crisis
    lines, bias QA) score the finished cells first; then one hook writes both files, so
    the report is always built from the record written beside it."""
    from anjeon.analysis import write_record
    from anjeon.report._render import write_report
    from anjeon.scorers import score_run

    score_run(run_dir)
    record = json.loads(write_record(run_dir).read_text(encoding="utf-8"))
    write_report(run_dir, record)
