"""Test doubles that ship with the package: the stub server and a scripted target."""

from anjeon.testing._process import fetch_stats, stub_process
from anjeon.testing._scripted import ScriptedTarget
from anjeon.testing._stub import FAULTS, StubConfig, StubServer, serve, stub_answer

__all__ = [
    "FAULTS",
    "ScriptedTarget",
    "StubConfig",
    "StubServer",
    "fetch_stats",
    "serve",
    "stub_answer",
    "stub_process",
]
