"""The end of ``anjeon run``: record.json, then report.html, in the run directory."""

from __future__ import annotations

import json
from pathlib import Path


def write_record_and_report(run_dir: Path) -> None:
    """The end-of-run hook. One hook for both files so the report is always built from
    the record written beside it."""
    from anjeon.analysis import write_record
    from anjeon.report._render import write_report

    record = json.loads(write_record(run_dir).read_text(encoding="utf-8"))
    write_report(run_dir, record)


def install_run_end_hook() -> None:
    """Register the hook with the engine (idempotent)."""
    from anjeon.engine import add_run_end_hook

    add_run_end_hook(write_record_and_report)
