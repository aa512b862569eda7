"""Other people's data and tools: published data sets as anjeon suites (and gold
files for judges), and Inspect logs as anjeon runs."""

from anjeon.interop._import import FORMATS, import_suite, parse_map
from anjeon.interop._inspect_log import import_inspect, read_log

__all__ = ["FORMATS", "import_inspect", "import_suite", "parse_map", "read_log"]
