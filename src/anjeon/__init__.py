"""anjeon (안전): safety assessment of large language models, in English and Korean.

The front door::

    import anjeon
    result = anjeon.run(suites=["smoke"], model="builtin/keyword-guard")
    result.record.metric().violation_rate      # typed record (anjeon.analysis.Record)
    anjeon.load_run(result.run_dir).to_pandas()  # one row per cell

``import anjeon`` is cheap and has no side effects: these names and the stages
(``anjeon.taxonomy``, ``anjeon.suites``, ...) are imported on first use.
"""

from __future__ import annotations

import typing as _typing

from anjeon._version import __version__

if _typing.TYPE_CHECKING:
    from anjeon._api import RunResult, run, run_async
    from anjeon._results import Run, compare, load_run, record, report, score
    from anjeon.analysis import Record

__all__ = [
    "Record",
    "Run",
    "RunResult",
    "__version__",
    "compare",
    "load_run",
    "record",
    "report",
    "run",
    "run_async",
    "score",
]

# name -> module it lives in, imported when first used
_LAZY = {
    "run": "anjeon._api",
    "run_async": "anjeon._api",
    "RunResult": "anjeon._api",
    "Run": "anjeon._results",
    "compare": "anjeon._results",
    "load_run": "anjeon._results",
    "record": "anjeon._results",
    "report": "anjeon._results",
    "score": "anjeon._results",
    "Record": "anjeon.analysis",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'anjeon' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
