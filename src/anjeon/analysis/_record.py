"""record.json: the versioned exchange format, built from a run directory.

The same run store and standard give a byte-identical record: nothing here reads the
clock, and every list is in a defined order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from anjeon._errors import InputError
from anjeon._json import JSONObject
from anjeon._version import __version__
from anjeon.analysis._analyze import PROXY_NOTE, analyze
from anjeon.analysis._checks import checks
from anjeon.analysis._load import load_results
from anjeon.analysis._record_model import Record
from anjeon.analysis._standards import NOT_GRADED, load_standard
from anjeon.analysis._stats import wilson
from anjeon.store import RunStore

RECORD_NAME = "record.json"
RECORD_SCHEMA_VERSION = "1.0"


def _scorer_info(store: RunStore) -> list[dict[str, object]]:
    from anjeon._registry import UnknownPluginError
    from anjeon.scorers import scorers

    out = []
    for name, version, n in store.scorer_versions():
        info: dict[str, object] = {"name": name, "version": version, "n": n}
        try:
            meta = scorers.entry(name).meta
        except UnknownPluginError:
            meta = {}
        info["description"] = meta.get("description")
        info["accuracy"] = meta.get("accuracy")
        out.append(info)
    return out


def build_record(run_dir: Path, standard: str | Path | None = None) -> Record:
    """The typed record of a run directory (scores and verdicts read from its store)."""
    from anjeon.judges._section import decisions as judge_decisions
    from anjeon.judges._section import judged_note, judging_section
    from anjeon.store import read_config, run_status, summarize

    cfg = read_config(run_dir)
    summary = summarize(run_dir)
    std = load_standard(standard or cfg.get("standard"))
    store = RunStore.open(run_dir)
    try:
        meta = store.meta()
        ensemble, decisions = judge_decisions(store)
        results = list(load_results(store, judged=None if ensemble is None else decisions))
        analysis = analyze(results, std)
        judging = _balance_rates(judging_section(store, run_dir, ensemble, results))
        del results
        scorers = _scorer_info(store)
        usage = store.usage()
        errors = store.error_kinds(terminal_only=True)
        specialised = checks(store)
    finally:
        store.close()
    target = cfg.get("target", {})
    return Record.model_validate(
        {
            "schema_version": RECORD_SCHEMA_VERSION,
            "anjeon_version": __version__,
            "run": {
                "id": cfg["run_id"],
                "created": cfg.get("created"),
                "finished": meta.get("finished"),
                "status": run_status(meta),
                "run_anjeon_version": cfg.get("anjeon_version"),
            },
            "target": {
                "name": target.get("name"),
                "provider": target.get("provider"),
                "model": target.get("model"),
                "kind": target.get("kind"),
                "settings": target.get("settings", {}),
            },
            "suites": cfg.get("suites", []),
            "transforms": cfg.get("transforms", []),
            "epochs": cfg.get("epochs", 1),
            "counts": {
                "planned": summary["planned"],
                "answered": summary["answered"],
                "failed": summary["failed"],
                "pending": summary["pending"],
            },
            "terminal_errors": errors,
            "usage": usage,
            "scorers": scorers,
            "standard": None
            if std is None
            else {k: std[k] for k in ("id", "version", "description", "kind")},
            **_headline(std, analysis["grades"]),
            "violation_basis": "refusal-proxy" if ensemble is None else "judge",
            "notes": [PROXY_NOTE if ensemble is None else judged_note(ensemble)],
            "metrics": analysis["metrics"],
            "gaps": analysis["gaps"],
            "uplift": analysis["uplift"],
            "grades": analysis["grades"],
            "checks": specialised,
            "judging": judging,
        }
    )


def _balance_rates(judging: dict[str, object]) -> dict[str, object]:
    """The balance counts of the judging block as balanced rates with 95 % intervals."""
    balance = judging.get("balance")
    by_locale = balance.get("by_locale") if isinstance(balance, dict) else None
    if not isinstance(by_locale, dict):
        return judging
    for loc, c in by_locale.items():
        e = wilson(c["balanced"], c["valid"])
        by_locale[loc] = {
            "balanced_rate": {"value": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high,
                              "n": e.n, "method": "wilson"},
            "judge_errors": c["judge_errors"],
        }  # fmt: skip
    return judging


def _headline(std: dict[str, Any] | None, grades: list[dict[str, object]]) -> dict[str, object]:
    """The pooled overall grade, or null with the reason there is none."""
    overall = next((g for g in grades if not g["group"]), None)
    if overall is not None:
        return {"grade": overall["grade"], "grade_reason": None}
    if std is None:
        return {"grade": None, "grade_reason": NOT_GRADED}
    return {
        "grade": None,
        "grade_reason": f"not graded — the standard {std['id']} has no reference rate for "
        "the hazards graded in this run (or no graded answers)",
    }


def dumps_record(record: Record | JSONObject) -> str:
    """record.json's text: the same record always gives the same bytes."""
    data = record.model_dump() if isinstance(record, Record) else record
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def load_record(source: Path | str | JSONObject | Record) -> Record:
    """A Record from a record.json path, a run directory, its parsed JSON or a Record."""
    if isinstance(source, Record):
        return source
    if isinstance(source, dict):
        return Record.model_validate(source)
    path = Path(source)
    if path.is_dir():
        path = path / RECORD_NAME
    return Record.model_validate_json(path.read_bytes())


def save_record(run_dir: Path, record: Record) -> Path:
    """Write ``record.json`` into the run directory (atomically); returns its path.
    A record of answered cells is never replaced by one with none (a damaged or
    replaced run.db): that is an InputError naming the file."""
    path = run_dir / RECORD_NAME
    if not record.counts.answered and path.is_file():
        try:
            had = int(json.loads(path.read_bytes())["counts"]["answered"])
        except (OSError, ValueError, KeyError, TypeError):
            had = 0
        if had:
            raise InputError(
                f"{path}: kept as it is: it has {had} answered cells and the store now has "
                "none (is run.db damaged or replaced?)"
            )
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(dumps_record(record), encoding="utf-8")
    tmp.replace(path)
    return path


def write_record(run_dir: Path, standard: str | Path | None = None) -> Path:
    """Build the run's record and write it as ``record.json``."""
    return save_record(run_dir, build_record(run_dir, standard))
