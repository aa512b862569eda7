"""What every importer shares: reading rows with their line numbers, the source's
metadata and hazard mapping (data files), and writing a suite folder all or nothing."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypedDict

import yaml

from anjeon._errors import InputError, Problem
from anjeon._io import jsonl_rows, read_text
from anjeon._json import JSONObject

DATA = Path(__file__).parent / "data"
ITEMS_NAME = "items.jsonl"
GOLD_DIR = "gold"


@dataclass
class Options:
    """What the command line can change about an import."""

    languages: tuple[str, ...] = ()
    # extra or overriding hazard mappings (--map SOURCE=CODE)
    mapping: dict[str, str] = field(default_factory=dict)
    # XSTest completions files, written as refusal gold files
    completions: tuple[Path, ...] = ()


class ImportSummary(TypedDict):
    """What ``import_suite`` wrote: the suite, where, how many items and gold lines."""

    format: str
    suite: str
    version: str
    path: str
    items: int
    sha256: str
    gold: dict[str, int]
    skipped: dict[str, int]


@dataclass
class Imported:
    """An importer's result before anything is written."""

    fmt: str
    items: list[dict[str, object]]
    gold: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    manifest: dict[str, object] = field(default_factory=dict)


@cache
def sources() -> dict[str, dict[str, object]]:
    """format -> the suite manifest fields it carries (id, version, title, license, ...)."""
    text = (DATA / "sources.yaml").read_text(encoding="utf-8")
    data: dict[str, dict[str, object]] = yaml.safe_load(text)
    return data


@cache
def mapping(fmt: str) -> dict[str, dict[str, str]]:
    """The hazard mapping of a format (``data/hazards/<fmt>.yaml``): table name
    (``by_category``, ``locales``, ...) -> source value -> code."""
    data: dict[str, dict[str, str]] = yaml.safe_load(
        (DATA / "hazards" / f"{fmt}.yaml").read_text(encoding="utf-8")
    )
    return data


def mapping_file(fmt: str) -> str:
    return f"anjeon/interop/data/hazards/{fmt}.yaml"


def no_hazard(fmt: str, what: str, label: object) -> str:
    """The problem of a source's label that maps to no hazard: where to add it."""
    return (
        f"no hazard for {what} {label!r}: add it to {mapping_file(fmt)} or give --map {label}=CODE"
    )


@dataclass(frozen=True)
class HazardMap:
    """A source's labels -> anjeon hazard codes: one section of the format's mapping
    file with ``--map`` over it. Every importer looks its hazards up here, so that a
    label with none is the same problem in every format."""

    fmt: str
    table: dict[str, str]

    @classmethod
    def of(cls, fmt: str, opts: Options, section: str = "by_category") -> HazardMap:
        return cls(fmt, {**mapping(fmt)[section], **opts.mapping})

    def lookup(
        self, label: object, what: str, where: tuple[str, int, str], problems: list[Problem]
    ) -> str | None:
        """The hazard of ``label`` (a ``what``, e.g. "category"), or None with the
        problem recorded at ``where`` (file, line, field)."""
        hazard = self.table.get(label) if isinstance(label, str) else None
        if hazard is None:
            problems.append(Problem(*where, no_hazard(self.fmt, what, label)))
        return hazard


def read_source(path: Path) -> str:
    """The file's text (UTF-8, BOM accepted) or InputError naming it."""
    problems: list[Problem] = []
    text = read_text(path, problems)
    if text is None:
        raise InputError(problems)
    return text


def csv_rows(
    path: Path, required: tuple[str, ...], problems: list[Problem], delimiter: str = ","
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV/TSV file with the line each starts on. InputError when the header
    lacks a required column; a row with the wrong number of fields is a problem."""
    text = read_source(path)
    name = str(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError([Problem(name, 1, None, "empty file")]) from None
    except csv.Error as e:
        raise InputError([Problem(name, 1, None, f"not CSV: {e}")]) from None
    missing = [c for c in required if c not in header]
    if missing:
        msg = f"missing column(s) {', '.join(missing)}; found {', '.join(header) or 'none'}"
        raise InputError([Problem(name, 1, None, msg)])
    rows: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            problems.append(Problem(name, start, None, f"not CSV: {e}"))
            break
        if row and any(cell.strip() for cell in row):
            if len(row) != len(header):
                msg = f"{len(row)} fields, the header has {len(header)}"
                problems.append(Problem(name, start, None, msg))
            else:
                rows.append((start, dict(zip(header, row, strict=True))))
        start = reader.line_num + 1
    yield from rows


def json_records(path: Path, problems: list[Problem]) -> Iterator[tuple[int, JSONObject]]:
    """The objects of a JSON array (or of a JSON Lines file) with the line each starts
    on; what is not an object is a problem."""
    text = read_source(path)
    name = str(path)
    dec = json.JSONDecoder()

    def line_at(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    out: list[tuple[int, JSONObject]] = []
    stripped = text.lstrip()
    if not stripped:
        raise InputError([Problem(name, 1, None, "empty file")])
    if stripped[0] == "[":
        pos = text.index("[") + 1
        while True:
            while pos < len(text) and text[pos] in " \t\r\n,":
                pos += 1
            if pos >= len(text):
                problems.append(Problem(name, line_at(pos), None, "the JSON array is not closed"))
                break
            if text[pos] == "]":
                break
            try:
                obj, end = dec.raw_decode(text, pos)
            except json.JSONDecodeError as e:
                problems.append(Problem(name, e.lineno, None, f"invalid JSON: {e.msg}"))
                break
            if isinstance(obj, dict):
                out.append((line_at(pos), obj))
            else:
                problems.append(Problem(name, line_at(pos), None, "expected a JSON object"))
            pos = end
    else:
        for n, obj in jsonl_rows(text, name, problems):
            if isinstance(obj, dict):
                out.append((n, obj))
            else:
                problems.append(Problem(name, n, None, "expected a JSON object"))
    yield from out


def need(
    obj: Mapping[str, object], key: str, where: tuple[str, int], problems: list[Problem]
) -> str | None:
    """A non-empty string field, or None with a problem recorded."""
    v = obj.get(key)
    if not isinstance(v, str) or not v.strip():
        what = "missing" if v is None else "must be a non-empty string"
        problems.append(Problem(where[0], where[1], key, what))
        return None
    return v


def slug(text: str) -> str:
    """A source value as part of an item id or tag (ids allow [A-Za-z0-9._:-])."""
    out = "".join(c if c.isalnum() and c.isascii() else "-" for c in text.strip().lower())
    return "-".join(p for p in out.split("-") if p) or "x"


def write_suite(imp: Imported, out: Path) -> ImportSummary:
    """Write the suite folder (manifest, items, gold files) after the loader accepts it.

    Everything is written to a temporary folder next to ``out`` and validated with the
    suite loader there; only a valid suite is moved into place, so a failed import
    leaves nothing behind. ``out`` must not exist, or be an empty folder.
    """
    from anjeon.suites import load_suite

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out}: already exists and is not an empty folder; choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        manifest = {**imp.manifest, "files": [ITEMS_NAME]}
        (tmp / "suite.yaml").write_text(
            yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=88),
            encoding="utf-8",
        )
        _write_jsonl(tmp / ITEMS_NAME, imp.items)
        for name, rows in imp.gold.items():
            (tmp / GOLD_DIR).mkdir(exist_ok=True)
            _write_jsonl(tmp / GOLD_DIR / name, rows)
        suite = load_suite(tmp)  # InputError: the importer made an invalid suite
        if out.exists():
            out.rmdir()
        tmp.replace(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {
        "format": imp.fmt,
        "suite": suite.id,
        "version": suite.version,
        "path": str(out),
        "items": len(suite.items),
        "sha256": suite.sha256,
        "gold": {name: len(rows) for name, rows in imp.gold.items()},
        "skipped": imp.skipped,
    }


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def manifest_for(fmt: str) -> dict[str, object]:
    src = dict(sources()[fmt])
    return {k: v for k, v in src.items() if v is not None}
