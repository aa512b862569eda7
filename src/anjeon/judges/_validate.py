"""``anjeon judge validate``: a judge's agreement with human labels, per language.

Gold files are JSON lines ``{"prompt", "response", "locale", "label"}`` with ``label``
``"unsafe"`` or ``"safe"`` and an optional ``hazard`` (other keys, e.g. ``id`` or
``source``, are kept out of the way). Results are kept under the runs folder,
``<runs>/_judges/<judge>/<gold sha256[:12]>.json``, and every later record that uses
the judge carries them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict

from anjeon._errors import InputError, Problem
from anjeon._io import jsonl_rows
from anjeon._json import JSONObject
from anjeon.engine import EngineConfig
from anjeon.judges._agreement import Agreement, Confusion, agreement
from anjeon.judges._base import Case
from anjeon.judges._judge import Judge
from anjeon.judges._runner import Job, Judged, run_jobs

LOCALE_RE = re.compile(r"[a-z]{2,3}-[A-Z]{2}")
VALIDATIONS_DIR = "_judges"


def load_gold(path: Path) -> list[tuple[Case, str]]:
    """(case, human label) per line; every problem reported as FILE:LINE: field."""
    from anjeon.taxonomy import taxonomy

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read the gold file: {e}") from None
    codes = taxonomy().hazard_codes()
    out: list[tuple[Case, str]] = []
    problems: list[Problem] = []
    for n, d in jsonl_rows(text, str(path), problems):

        def bad(field: str | None, msg: str, n: int = n) -> None:
            problems.append(Problem(str(path), n, field, msg))

        if not isinstance(d, dict):
            bad(None, "expected a JSON object")
            continue
        prompt, response, locale, label, hazard = (
            d.get(k) for k in ("prompt", "response", "locale", "label", "hazard")
        )
        ok = True
        for key, value in (("prompt", prompt), ("response", response)):
            if not isinstance(value, str) or not value.strip():
                bad(key, "required, a non-empty string")
                ok = False
        if not isinstance(locale, str) or not LOCALE_RE.fullmatch(locale):
            bad("locale", f"required, a locale like ko-KR or en-US, got {locale!r}")
            ok = False
        if label not in ("unsafe", "safe"):
            bad("label", f'must be "unsafe" or "safe", got {label!r}')
            ok = False
        if hazard is not None and not (isinstance(hazard, str) and hazard in codes):
            bad("hazard", f"not an anjeon hazard code: {hazard!r}")
            ok = False
        if (
            ok
            and isinstance(prompt, str)
            and isinstance(response, str)
            and isinstance(locale, str)
            and isinstance(label, str)
            and (hazard is None or isinstance(hazard, str))
        ):
            out.append((Case(prompt, response, locale, hazard), label))
    if problems:
        raise InputError(problems)
    if not out:
        raise InputError(f"{path}: no gold lines")
    return out


def judge_slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")


def validation_dir(runs_dir: Path, judge: str) -> Path:
    return runs_dir / VALIDATIONS_DIR / judge_slug(judge)


class GroupFigures(Agreement):
    judge_errors: int


class Figures(TypedDict):
    overall: GroupFigures
    by_locale: dict[str, GroupFigures]


class GoldFile(TypedDict):
    path: str
    sha256: str
    lines: int


class ValidationResult(Figures):
    """What ``anjeon judge validate`` reports and keeps under the runs directory."""

    judge: str
    prompt_version: str
    gold: GoldFile


def figures(labelled: Sequence[tuple[str, str, str | None]]) -> Figures:
    """(locale, human label, judge label or None for a judge error) -> overall and per
    locale figures. Judge errors are counted and left out of the agreement."""

    def group(rows: Sequence[tuple[str, str, str | None]]) -> GroupFigures:
        ok = [(h, j) for _, h, j in rows if j is not None]
        return {**agreement(Confusion.of(ok)), "judge_errors": len(rows) - len(ok)}

    by: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
    for row in labelled:
        by[row[0]].append(row)
    return {
        "overall": group(labelled),
        "by_locale": {loc: group(rows) for loc, rows in sorted(by.items())},
    }


async def validate(
    judge: Judge,
    gold: Path,
    *,
    runs_dir: Path | None = None,
    engine: EngineConfig | None = None,
) -> ValidationResult:
    """Judge every gold line and compare; keep the result under ``runs_dir``."""
    cases = load_gold(gold)
    got: dict[str, Judged] = {}

    def sink(batch: list[Judged]) -> None:
        for j in batch:
            got[j.job.key] = j

    jobs = [Job(str(i), case) for i, (case, _) in enumerate(cases)]
    res = await run_jobs(judge, jobs, engine or EngineConfig(max_connections=8), sink)
    if res.stop_reason is not None:
        raise InputError(f"judge {judge.name}: validation stopped: {res.message}")
    labelled = []
    for i, (case, human) in enumerate(cases):
        j = got.get(str(i))
        labelled.append((case.locale, human, j.verdict.label if j else None))
    sha = hashlib.sha256(gold.read_bytes()).hexdigest()
    out: ValidationResult = {
        "judge": judge.name,
        "prompt_version": judge.version,
        "gold": {"path": str(gold), "sha256": sha, "lines": len(cases)},
        **figures(labelled),
    }
    if runs_dir is not None:
        d = validation_dir(runs_dir, judge.name)
        d.mkdir(parents=True, exist_ok=True)
        path = d / f"{sha[:12]}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    return out


def validations(runs_dir: Path, judge: str) -> list[JSONObject]:
    """Every kept validation of a judge (any prompt version), by gold file."""
    d = validation_dir(runs_dir, judge)
    if not d.is_dir():
        return []
    out = []
    for p in sorted(d.glob("*.json")):
        try:
            out.append(json.loads(p.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return out
