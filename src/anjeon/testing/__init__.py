"""Test doubles that ship with the package: the stub server, a scripted target and a
synthetic run (written through the store) for report tests and benchmarks, and the
clustered-data simulation that measures the intervals' coverage."""

from anjeon.testing._process import fetch_stats, stub_process
from anjeon.testing._scripted import ScriptedTarget
from anjeon.testing._simulate import COVERAGE_SCENARIOS, simulate_coverage
from anjeon.testing._stub import FAULTS, StubConfig, StubServer, serve, stub_answer
from anjeon.testing._synthetic import synthetic_run

__all__ = [
    "COVERAGE_SCENARIOS",
    "FAULTS",
    "ScriptedTarget",
    "StubConfig",
    "StubServer",
    "fetch_stats",
    "serve",
    "simulate_coverage",
    "stub_answer",
    "stub_process",
    "synthetic_run",
]
