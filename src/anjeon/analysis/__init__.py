"""Analysis: rates with intervals, cross-lingual gaps, transform uplift, grades, and
record.json, the exchange format."""

from anjeon.analysis._analyze import PROXY_NOTE, Result, analyze, paired_summary
from anjeon.analysis._grades import GRADES, grade, grade_probabilities
from anjeon.analysis._record import (
    RECORD_NAME,
    RECORD_SCHEMA_VERSION,
    build_record,
    dumps_record,
    load_results,
    write_record,
)
from anjeon.analysis._standards import build_standard, builtin_standards, load_standard
from anjeon.analysis._stats import (
    Estimate,
    PairedTable,
    mcnemar_exact,
    paired_difference,
    signflip_test,
    wilson,
)
from anjeon.analysis._summary import to_markdown, to_text

__all__ = [
    "GRADES",
    "PROXY_NOTE",
    "RECORD_NAME",
    "RECORD_SCHEMA_VERSION",
    "Estimate",
    "PairedTable",
    "Result",
    "analyze",
    "build_record",
    "build_standard",
    "builtin_standards",
    "dumps_record",
    "grade",
    "grade_probabilities",
    "load_results",
    "load_standard",
    "mcnemar_exact",
    "paired_difference",
    "paired_summary",
    "signflip_test",
    "to_markdown",
    "to_text",
    "wilson",
    "write_record",
]
