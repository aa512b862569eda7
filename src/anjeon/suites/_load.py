"""Suites: a manifest plus JSONL/YAML item files, loaded with every problem collected."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from anjeon._errors import InputError, Problem
from anjeon._io import (
    Loc,
    bad_text,
    field_name,
    jsonl_rows,
    load_yaml,
    read_bytes,
    read_text,
    validate_yaml_file,
    validation_problems,
)
from anjeon.suites._item import ID_RE, UNKNOWN_HAZARD, Item
from anjeon.taxonomy import Taxonomy, Text, taxonomy

BUILTIN_DIR = Path(__file__).parent / "data"
MANIFEST = "suite.yaml"
ITEM_SUFFIXES = (".jsonl", ".yaml", ".yml")


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_RE)
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    title: Text
    description: Text
    license: str = Field(min_length=1)
    # for suites made from a published data set (anjeon suites import): how to cite it
    citation: str | None = None
    source: str | None = Field(default=None, description="where the data set is published")
    files: list[str] = Field(min_length=1)


@dataclass(frozen=True)
class Suite:
    manifest: Manifest
    items: tuple[Item, ...]
    sha256: str
    path: Path

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def version(self) -> str:
        return self.manifest.version


@dataclass(frozen=True)
class _Located:
    item: Item
    file: str
    line: int


def content_hash(items: tuple[Item, ...] | list[Item]) -> str:
    """sha256 over the canonical JSON of the items, sorted by id (one per line)."""
    h = hashlib.sha256()
    for item in sorted(items, key=lambda i: i.id):
        data = item.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        h.update(
            json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        )
        h.update(b"\n")
    return h.hexdigest()


# the fields-set of every item, one per combination of fields given (see _lean)
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


def _lean(item: Item) -> Item:
    """The item with the fields-set it shares with every item that gives the same fields.

    Pydantic keeps a set of the fields given on each model: 728 bytes for an item's
    seven, 70 MB of a 100,000-item suite, more than its texts. A suite holds a handful
    of distinct sets. Sharing one is safe for these frozen models: assignment is refused
    before the set is touched, and ``model_copy`` copies the set before it adds to it.
    """
    given = item.__pydantic_fields_set__
    shared = _FIELDS_SETS.setdefault(frozenset(given), set(given))
    object.__setattr__(item, "__pydantic_fields_set__", shared)
    return item


def _validate(data: object, file: str, line: int, problems: list[Problem]) -> Item | None:
    if not isinstance(data, dict):
        problems.append(Problem(file, line, None, "an item must be an object"))
        return None
    try:
        return _lean(Item.model_validate(data))
    except ValidationError as e:
        problems.extend(validation_problems(e, file, default_line=line))
        return None


def _read_jsonl(path: Path, problems: list[Problem]) -> list[_Located]:
    data = read_bytes(path, problems)
    if data is None:
        return []
    out: list[_Located] = []
    name = str(path)
    for n, obj in jsonl_rows(data, name, problems):
        bad = bad_text(obj)
        if bad is not None:
            problems.append(Problem(name, n, field_name(bad[0]), bad[1]))
            continue
        item = _validate(obj, name, n, problems)
        if item is not None:
            out.append(_Located(item, name, n))
    return out


def _read_yaml_items(path: Path, problems: list[Problem]) -> list[_Located]:
    name = str(path)
    text = read_text(path, problems)
    if text is None:
        return []
    before = len(problems)
    # no aliases in item files: each item is written out whole, and a bomb cannot hide
    data, lines = load_yaml(text, name, problems, aliases=False)
    if len(problems) > before:
        return []
    if not isinstance(data, list):
        problems.append(Problem(name, 1, None, "an item file must be a list of items"))
        return []
    out: list[_Located] = []
    for i, obj in enumerate(data):
        line = lines.get((i,), 1)
        if not isinstance(obj, dict):
            problems.append(Problem(name, line, None, "an item must be a mapping"))
            continue
        try:
            item = _lean(Item.model_validate(obj))
        except ValidationError as e:
            problems.extend(validation_problems(e, name, lines, base=(i,), default_line=line))
            continue
        out.append(_Located(item, name, line))
    return out


def read_items(path: Path, problems: list[Problem]) -> list[_Located]:
    if path.suffix == ".jsonl":
        return _read_jsonl(path, problems)
    if path.suffix in (".yaml", ".yml"):
        return _read_yaml_items(path, problems)
    problems.append(Problem(str(path), None, None, "item files end in .jsonl, .yaml or .yml"))
    return []


def check_items(located: list[_Located], tax: Taxonomy) -> list[Problem]:
    """Rules across items: unique ids, hazards valid for the locale, coherent pairs."""
    out: list[Problem] = []
    first: dict[str, _Located] = {}
    pairs: dict[str, _Located] = {}
    pair_locales: dict[str, set[str]] = {}
    all_codes = tax.hazard_codes()
    by_locale: dict[str, set[str]] = {}  # built once per locale, not once per item
    for loc in located:
        it = loc.item
        if it.id in first:
            f = first[it.id]
            msg = f"duplicate id {it.id!r} (first at {f.file}:{f.line})"
            out.append(Problem(loc.file, loc.line, "id", msg))
        else:
            first[it.id] = loc
        if it.hazard == UNKNOWN_HAZARD:
            pass  # an imported prompt no mapping placed (anjeon import inspect)
        elif it.hazard not in all_codes:
            out.append(Problem(loc.file, loc.line, "hazard", f"unknown hazard {it.hazard!r}"))
        elif it.hazard not in (
            by_locale.get(it.locale) or by_locale.setdefault(it.locale, tax.hazard_codes(it.locale))
        ):
            msg = f"hazard {it.hazard!r} is not valid for locale {it.locale}"
            out.append(Problem(loc.file, loc.line, "hazard", msg))
        if it.pair_id is None:
            continue
        seen = pair_locales.setdefault(it.pair_id, set())
        if it.locale in seen:
            msg = f"pair {it.pair_id!r} already has an item in {it.locale}"
            out.append(Problem(loc.file, loc.line, "pair_id", msg))
        seen.add(it.locale)
        other = pairs.setdefault(it.pair_id, loc)
        if tax.parent_of(other.item.hazard) != tax.parent_of(it.hazard):
            msg = (
                f"pair {it.pair_id!r} disagrees on hazard: {it.hazard!r} here, "
                f"{other.item.hazard!r} at {other.file}:{other.line}"
            )
            out.append(Problem(loc.file, loc.line, "hazard", msg))
    return out


def _single_file_manifest(path: Path) -> Manifest:
    title = Text(en=path.stem, ko=path.stem)
    return Manifest(
        id=path.stem if path.stem[:1].isalnum() else f"suite-{path.stem}",
        version="0.0",
        title=title,
        description=Text(en=f"Items from {path.name}", ko=f"{path.name}의 항목"),
        license="unspecified",
        files=[path.name],
    )


def _confined(
    manifest: Path, names: list[str], lines: dict[Loc, int], problems: list[Problem]
) -> list[Path]:
    """The manifest's item files, each inside the suite folder (after symlinks): a suite
    must not send the model what lies elsewhere on the disk (``../x``, ``/etc/...``)."""
    folder = manifest.parent.resolve()
    out = []
    for i, name in enumerate(names):
        f = manifest.parent / name
        try:
            inside = f.resolve().is_relative_to(folder) and not Path(name).is_absolute()
        except (OSError, RuntimeError):  # a symlink loop
            inside = False
        if not inside:
            loc: Loc = ("files", i)
            msg = f"{name!r} is outside the suite folder; item files must be inside it"
            problems.append(Problem(str(manifest), lines.get(loc), field_name(loc), msg))
            continue
        out.append(f)
    return out


def load_suite(path: Path | str, tax: Taxonomy | None = None) -> Suite:
    """Load a suite folder (with ``suite.yaml``), a manifest, or one item file.

    Raises InputError with every problem found, each naming file, line and field.
    """
    path = Path(path)
    tax = tax or taxonomy()
    problems: list[Problem] = []
    if path.is_dir():
        path = path / MANIFEST
    if not path.exists():
        raise InputError([Problem(str(path), None, None, "no such file")])
    if path.name == MANIFEST:
        lines: dict[Loc, int] = {}
        manifest = validate_yaml_file(path, Manifest, problems, lines)
        if manifest is None:
            raise InputError(problems)
        files = _confined(path, manifest.files, lines, problems)
        if problems:
            raise InputError(problems)
    elif path.suffix in ITEM_SUFFIXES:
        manifest = _single_file_manifest(path)
        files = [path]
    else:
        raise InputError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    f"not a suite: expected a folder with {MANIFEST}, or a .jsonl/.yaml item file",
                )
            ]
        )
    located: list[_Located] = []
    for f in files:
        located.extend(read_items(f, problems))
    problems.extend(check_items(located, tax))
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    items = tuple(loc.item for loc in located)
    return Suite(manifest, items, content_hash(items), path.parent)


def builtin_suite_ids() -> list[str]:
    return sorted(p.parent.name for p in BUILTIN_DIR.glob(f"*/{MANIFEST}"))


def resolve_suite(ref: str, tax: Taxonomy | None = None) -> Suite:
    """A built-in suite id, or the path of a user's suite."""
    if "/" not in ref and "\\" not in ref and (BUILTIN_DIR / ref / MANIFEST).exists():
        return load_suite(BUILTIN_DIR / ref, tax)
    path = Path(ref)
    if not path.exists():
        known = ", ".join(builtin_suite_ids())
        raise InputError(f"unknown suite {ref!r}: not a built-in suite ({known}) and no such path")
    return load_suite(path, tax)
