"""Registers the built-in targets (listed in ``anjeon._builtins.BUILTIN_MODULES``)."""

from __future__ import annotations

from anjeon.targets._builtin import make_builtin
from anjeon.targets._registry import register_presets, targets

targets.add("builtin", make_builtin, kind="reference")
register_presets()
