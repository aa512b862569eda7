"""Load and cross-check the taxonomy data files shipped in ``taxonomy/data``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from anjeon._errors import InputError, Problem
from anjeon._io import validate_yaml_file
from anjeon.taxonomy._model import Hazard, LocaleExtension, Persona, Taxonomy

DATA = Path(__file__).parent / "data"
# the two-letter tag inside a sub-hazard code, per locale (prv.kr.rrn is ko-KR)
LOCALE_TAGS = {"ko-KR": "kr"}


class _Universal(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    air2024_level2: list[str]
    hazards: list[Hazard]


class _Personas(BaseModel):
    model_config = ConfigDict(extra="forbid")
    personas: list[Persona]


def load_taxonomy(data_dir: Path = DATA) -> Taxonomy:
    """Read and validate the taxonomy; raises InputError listing every problem."""
    problems: list[Problem] = []
    uni = validate_yaml_file(data_dir / "universal.yaml", _Universal, problems)
    per = validate_yaml_file(data_dir / "personas.yaml", _Personas, problems)
    exts: dict[str, LocaleExtension] = {}
    for path in sorted((data_dir / "locales").glob("*.yaml")):
        ext = validate_yaml_file(path, LocaleExtension, problems)
        if ext is not None:
            exts[ext.locale] = ext
    if uni is None or per is None or problems:
        raise InputError(problems)
    tax = _assemble(uni, per, exts)
    problems.extend(check_taxonomy(tax, data_dir))
    if problems:
        raise InputError(problems)
    return tax


def _assemble(uni: _Universal, per: _Personas, exts: dict[str, LocaleExtension]) -> Taxonomy:
    """The taxonomy from its files' parts (read by either loader)."""
    return Taxonomy(
        version=uni.version,
        hazards=uni.hazards,
        personas=per.personas,
        air2024_level2=uni.air2024_level2,
        locales=exts,
    )


def check_taxonomy(tax: Taxonomy, data_dir: Path = DATA) -> list[Problem]:
    """Cross-file rules that the schema alone cannot express."""
    out: list[Problem] = []
    uni = str(data_dir / "universal.yaml")
    codes = [h.code for h in tax.hazards]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        out.append(Problem(uni, None, "code", f"duplicate hazard code {code!r}"))
    pcodes = tax.persona_codes()
    for code in sorted({c for c in pcodes if pcodes.count(c) > 1}):
        out.append(Problem(str(data_dir / "personas.yaml"), None, "code", f"duplicate {code!r}"))
    for h in tax.hazards:
        cw = h.crosswalk
        if cw.ailuminate is not None and cw.ailuminate not in codes:
            out.append(Problem(uni, None, f"{h.code}.crosswalk.ailuminate", "not a hazard code"))
        for cat in cw.air2024:
            if cat not in tax.air2024_level2:
                msg = f"{cat!r} is not an AIR 2024 level-2 category"
                out.append(Problem(uni, None, f"{h.code}.crosswalk.air2024", msg))
    for locale, ext in tax.locales.items():
        file = str(data_dir / "locales" / f"{locale}.yaml")
        tag = LOCALE_TAGS.get(locale)
        seen: set[str] = set()
        for s in ext.subhazards:
            if s.code in seen:
                out.append(Problem(file, None, "code", f"duplicate sub-hazard {s.code!r}"))
            seen.add(s.code)
            parent, ltag, _ = s.code.split(".", 2)
            if parent != s.parent:
                out.append(Problem(file, None, f"{s.code}.parent", "does not match the code"))
            if s.parent not in codes:
                out.append(Problem(file, None, f"{s.code}.parent", "not a universal hazard"))
            if tag is not None and ltag != tag:
                out.append(Problem(file, None, s.code, f"code must carry the tag {tag!r}"))
            for i, ref in enumerate(s.references):
                where = f"{s.code}.references[{i}]"
                if ref.law is None and ref.note is None:
                    out.append(Problem(file, None, where, "a reference needs a law or a note"))
                if ref.article is not None and ref.law is None:
                    out.append(Problem(file, None, where, "an article needs its law"))
    return out


def _read_fast(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=yaml.CSafeLoader)


def _load_shipped_fast(data_dir: Path = DATA) -> Taxonomy | None:
    """The shipped taxonomy parsed by libyaml (C, about twenty times faster than the
    line-tracking loader, which every run and report paid for once), or None when
    libyaml is missing or anything is off: ``load_taxonomy`` then says what, with lines.
    Only for the files shipped in the package, which the tests hold valid."""
    if not hasattr(yaml, "CSafeLoader"):
        return None
    try:
        uni = _Universal.model_validate(_read_fast(data_dir / "universal.yaml"))
        per = _Personas.model_validate(_read_fast(data_dir / "personas.yaml"))
        exts: dict[str, LocaleExtension] = {}
        for path in sorted((data_dir / "locales").glob("*.yaml")):
            ext = LocaleExtension.model_validate(_read_fast(path))
            exts[ext.locale] = ext
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError):
        return None
    tax = _assemble(uni, per, exts)
    return None if check_taxonomy(tax, data_dir) else tax


@cache
def taxonomy() -> Taxonomy:
    """The built-in taxonomy, loaded once (through libyaml when it is there)."""
    return _load_shipped_fast() or load_taxonomy()
