"""Imports flow one way, down the pipeline: no stage imports a stage after it, and no
module imports another that (directly or not) imports it back.

Every import counts, at module level, inside functions and under TYPE_CHECKING alike:
a type from a later stage is still a dependency on it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "anjeon"

# the allowed dependencies of each stage (besides its own modules and the shared
# helpers: the top-level private modules not named here, e.g. _errors, _io, _redact,
# which import no stage); a stage missing here is a new stage: give it its place
_BELOW_ENGINE = {"suites", "transforms", "targets", "scorers", "store", "taxonomy", "ko"}
ALLOWED: dict[str, set[str]] = {
    "ko": set(),
    "taxonomy": {"ko"},
    "suites": {"taxonomy", "ko"},
    "transforms": {"suites", "taxonomy", "ko"},
    "targets": {"ko"},
    "scorers": {"suites", "taxonomy", "ko"},
    "store": {"suites"},
    # the engine starts a large run's scoring process (and reads what it sends)
    "engine": _BELOW_ENGINE | {"_scoring_process"},
    "judges": _BELOW_ENGINE | {"engine", "_rescore"},
    "analysis": {"scorers", "store", "suites", "taxonomy", "ko", "judges"},
    "reports": {"analysis", "scorers", "store", "suites", "taxonomy", "ko", "judges"},
    "testing": {"targets", "store", "suites", "taxonomy", "ko"},
    # importers write suites; the Inspect bridge runs either side through the front door
    "interop": {"*"},
    # the front door and its helpers sit above every stage; the CLI above them
    "_api": {"*"},
    "_results": {"*"},
    "_rescore": {"scorers", "store", "suites"},
    # a large run's scoring process (the engine starts it and reads its messages)
    "_scoring_process": {"scorers", "store", "suites"},
    "_assessment": set(),
    "_generate": {"*"},
    "cli": {"*"},
    "anjeon": {"*"},
}
SPECIAL = {"_builtins": {"*"}}  # the entry point that registers every stage's built-ins


def _shared(stage: str) -> bool:
    return stage.startswith("_") and stage not in ALLOWED and stage not in SPECIAL


def _module(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    return ".".join(rel.parts).removesuffix(".__init__")


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "anjeon"


def _imports() -> dict[str, set[str]]:
    """module -> the anjeon modules it imports (anywhere in its code)."""
    out: dict[str, set[str]] = defaultdict(set)
    for path in SRC.rglob("*.py"):
        mod = _module(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module == "anjeon":
                # a subpackage, or a name of the package itself (the front door)
                names = [
                    f"anjeon.{a.name}"
                    if (SRC / a.name).exists() or (SRC / f"{a.name}.py").exists()
                    else "anjeon"
                    for a in node.names
                ]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            out[mod] |= {n for n in names if n == "anjeon" or n.startswith("anjeon.")}
    return out


def test_no_stage_imports_a_later_stage() -> None:
    wrong = []
    for mod, targets in _imports().items():
        stage = _stage(mod)
        allowed = set() if _shared(stage) else SPECIAL.get(stage, ALLOWED.get(stage))
        assert allowed is not None, f"{stage}: a new stage; give it its place in ALLOWED"
        for t in targets:
            other = _stage(t)
            if other == stage or "*" in allowed or other in allowed or _shared(other):
                continue
            wrong.append(f"{mod} imports {t}")
    assert wrong == []


def test_the_known_wrong_directions_stay_fixed() -> None:
    imports = _imports()
    stage_deps: dict[str, set[str]] = defaultdict(set)
    for mod, targets in imports.items():
        stage_deps[_stage(mod)] |= {_stage(t) for t in targets}
    assert "store" not in stage_deps["scorers"]  # re-scoring is a step above scorers
    assert "targets" not in stage_deps["transforms"]
    assert "analysis" not in stage_deps["engine"]


def test_no_import_cycles_between_modules() -> None:
    imports = _imports()
    modules = set(imports)

    def resolve(name: str) -> str | None:
        # "from anjeon.x import y" names the package; a cycle through a package's
        # __init__ re-exports is still a cycle
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {m: {r for t in ts if (r := resolve(t)) and r != m} for m, ts in imports.items()}
    # a package's __init__ re-exporting its private modules is the layout, not a cycle
    for m, ts in graph.items():
        graph[m] = {t for t in ts if not (t.startswith(m + ".") and m in _packages())}
    cycles = []
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                cycles.append(" -> ".join([*path[path.index(t) :], t]))
            elif t not in state:
                visit(t, [*path, t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def _packages() -> set[str]:
    return {_module(p) for p in SRC.rglob("__init__.py")}
