"""Public exports match ``__all__`` in every public subpackage, and importing is cheap."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import anjeon

PACKAGES = sorted(
    m.name
    for m in pkgutil.iter_modules(anjeon.__path__, "anjeon.")
    if m.ispkg and not m.name.rsplit(".", 1)[1].startswith("_") and m.name != "anjeon.cli"
)


def _public(mod: object) -> set[str]:
    return {
        n
        for n, v in vars(mod).items()
        if not n.startswith("_") and not inspect.ismodule(v) and n != "annotations"
    }


def test_there_are_packages() -> None:
    assert {"anjeon.suites", "anjeon.taxonomy"} <= set(PACKAGES)


def test_all_matches_public_names() -> None:
    drift = {}
    for name in [*PACKAGES, "anjeon"]:
        mod = importlib.import_module(name)
        declared = set(getattr(mod, "__all__", []))
        missing = [n for n in declared if not hasattr(mod, n)]
        undeclared = _public(mod) - declared
        if missing or undeclared:
            drift[name] = {"missing": sorted(missing), "undeclared": sorted(undeclared)}
    assert drift == {}


def test_import_anjeon_is_cheap() -> None:
    code = (
        "import sys, anjeon;"
        "heavy = {'pydantic', 'yaml', 'typer', 'rich', 'aiohttp', 'sqlite3', 'numpy', 'jinja2'};"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
