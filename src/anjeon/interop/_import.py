"""``import_suite``: a published data set file → an anjeon suite folder."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from anjeon._errors import InputError
from anjeon.interop import _kobbq, _korean_safety, _multijail, _prompt_sets, _xstest
from anjeon.interop._common import Imported, ImportSummary, Options, write_suite

Parser = Callable[[Path, Options], Imported]

#: format → (parser, what file it reads)
FORMATS: dict[str, tuple[Parser, str]] = {
    "xstest": (_xstest.parse, "xstest_prompts.csv (completions CSVs with --completions)"),
    "kobbq": (_kobbq.parse, "KoBBQ_test_samples.tsv"),
    "multijail": (_multijail.parse, "MultiJail.csv"),
    "kosbi": (_korean_safety.parse_kosbi, "kosbi_test.json"),
    "square": (_korean_safety.parse_square, "question_*.json or response_*.json"),
    "harmbench": (_prompt_sets.parse_harmbench, "harmbench_behaviors_text_*.csv"),
    "ailuminate": (_prompt_sets.parse_ailuminate, "airr_official_1.0_demo_*_prompt_set.csv"),
    "kdna": (_prompt_sets.parse_kdna, "a K-DNA JSON file"),
}


def parse_map(pairs: Iterable[str]) -> dict[str, str]:
    """``--map SOURCE=CODE`` options as a mapping (the hazard is checked on load)."""
    out: dict[str, str] = {}
    for p in pairs:
        key, sep, code = p.rpartition("=")
        if not sep or not key.strip() or not code.strip():
            raise InputError(f"--map {p!r}: expected SOURCE_VALUE=HAZARD_CODE")
        out[key.strip()] = code.strip()
    return out


def import_suite(
    fmt: str,
    file: Path | str,
    out: Path | str,
    *,
    languages: Iterable[str] = (),
    mapping: dict[str, str] | None = None,
    completions: Iterable[Path | str] = (),
) -> ImportSummary:
    """Read ``file`` in ``fmt`` and write the suite folder ``out``; returns what was
    written (suite id, item count, sha256, gold files). InputError, with nothing
    written, on any problem in the file."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    comp = tuple(Path(c) for c in completions)
    if comp and fmt != "xstest":
        raise InputError("--completions is for the xstest format only")
    langs = tuple(languages)
    if langs and fmt != "multijail":
        raise InputError("--languages is for the multijail format only")
    opts = Options(languages=langs, mapping=dict(mapping or {}), completions=comp)
    imported = FORMATS[fmt][0](Path(file), opts)
    if not imported.items:
        raise InputError(f"{file}: no items to import")
    return write_suite(imported, Path(out))
