"""Test doubles that ship with the package: the stub server, a scripted target and a
synthetic run (written through the store) for report tests and benchmarks."""

from anjeon.testing._process import fetch_stats, stub_process
from anjeon.testing._scripted import ScriptedTarget
from anjeon.testing._stub import FAULTS, StubConfig, StubServer, serve, stub_answer
from anjeon.testing._synthetic import synthetic_run

__all__ = [
    "FAULTS",
    "ScriptedTarget",
    "StubConfig",
    "StubServer",
    "fetch_stats",
    "serve",
    "stub_answer",
    "stub_process",
    "synthetic_run",
]
