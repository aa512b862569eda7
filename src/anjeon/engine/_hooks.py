"""The end-of-run hook: called with the run directory after the engine finishes.

The reporting stage registers here (record.json, report.html). Hooks run for every
ending (complete, interrupted, stopped); they read the status from the store.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

RunEndHook = Callable[[Path], None]
_hooks: list[RunEndHook] = []


def add_run_end_hook(hook: RunEndHook) -> RunEndHook:
    """Register ``hook(run_dir)``; usable as a decorator."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def remove_run_end_hook(hook: RunEndHook) -> None:
    """Unregister ``hook`` (no error if it was not registered)."""
    if hook in _hooks:
        _hooks.remove(hook)


def on_run_end(run_dir: Path) -> None:
    """Call every hook; one failing hook is reported and does not hide the others."""
    for hook in list(_hooks):
        try:
            hook(run_dir)
        except Exception as e:
            print(
                f"warning: end-of-run hook {getattr(hook, '__name__', hook)} failed: {e!r}",
                file=sys.stderr,
            )
