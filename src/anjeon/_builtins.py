"""Entry point ``anjeon = builtins``: registers the built-in plugins.

Each stage adds the import of its registering module here; importing is what
registers (the modules use the decorators of their stage's registry).
"""

from __future__ import annotations

import importlib

BUILTIN_MODULES: tuple[str, ...] = (
    "anjeon.targets._register",
    "anjeon.transforms._universal",
    "anjeon.transforms._templates",
    "anjeon.transforms._ko_script",
    "anjeon.transforms._ko_lexical",
    "anjeon.transforms._model",
    "anjeon.scorers._refusal_scorer",
    "anjeon.scorers._pii",
    "anjeon.scorers._crisis",
    "anjeon.scorers._bias",
    "anjeon.judges._guards",
    "anjeon.judges._prompted",
)


def register() -> None:
    for name in BUILTIN_MODULES:
        importlib.import_module(name)
