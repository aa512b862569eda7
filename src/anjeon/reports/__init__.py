"""Reports: the self-contained bilingual HTML report, comparisons of runs and the
release gate, and the per-cell export (``anjeon report``, ``compare``, ``check``,
``export``)."""

from anjeon.reports._cells import cells_data, classify, json_script
from anjeon.reports._cells_job import CellsJob, start_cells
from anjeon.reports._check import (
    Outcome,
    check_record,
    outcomes_json,
    outcomes_junit,
    parse_grade,
    parse_share,
)
from anjeon.reports._compare import compare_runs
from anjeon.reports._compare_render import compare_html, compare_markdown
from anjeon.reports._export import FORMATS, cell_stream, export_cells
from anjeon.reports._render import REPORT_NAME, load_reference, render_html, write_report
from anjeon.reports._sections import Reference

__all__ = [
    "FORMATS",
    "REPORT_NAME",
    "CellsJob",
    "Outcome",
    "Reference",
    "cell_stream",
    "cells_data",
    "check_record",
    "classify",
    "compare_html",
    "compare_markdown",
    "compare_runs",
    "export_cells",
    "json_script",
    "load_reference",
    "outcomes_json",
    "outcomes_junit",
    "parse_grade",
    "parse_share",
    "render_html",
    "start_cells",
    "write_report",
]
