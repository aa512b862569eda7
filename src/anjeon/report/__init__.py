"""Reports: the self-contained bilingual HTML report, comparisons of runs and the
release gate (``anjeon report``, ``anjeon compare``, ``anjeon check``)."""

from anjeon.report._cells import cells_data, classify, json_script
from anjeon.report._check import (
    Outcome,
    check_record,
    outcomes_json,
    outcomes_junit,
    parse_grade,
    parse_share,
)
from anjeon.report._compare import compare_runs
from anjeon.report._compare_render import compare_html, compare_markdown
from anjeon.report._hook import write_record_and_report
from anjeon.report._render import REPORT_NAME, load_reference, render_html, write_report
from anjeon.report._sections import Reference

__all__ = [
    "REPORT_NAME",
    "Outcome",
    "Reference",
    "cells_data",
    "check_record",
    "classify",
    "compare_html",
    "compare_markdown",
    "compare_runs",
    "json_script",
    "load_reference",
    "outcomes_json",
    "outcomes_junit",
    "parse_grade",
    "parse_share",
    "render_html",
    "write_record_and_report",
    "write_report",
]
