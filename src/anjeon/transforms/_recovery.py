"""How much of each transform ``normalize_ko`` undoes, measured on real items.

Two numbers per transform: *exact* — the normalized output equals the normalized
original — and *keywords* — of the items whose original trips the naive keyword guard
(``builtin/keyword-guard``'s lexicon), the share whose output still trips it, before
and after normalization. The second is what a filter sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from anjeon.ko import normalize_ko
from anjeon.suites import Item
from anjeon.transforms._core import applies_to, apply, transforms


def _pct(n: int, d: int) -> float | None:
    return round(100 * n / d, 1) if d else None


def measure_recovery(
    items: Iterable[Item],
    keyword_hit: Callable[[str], bool],
    *,
    seed: int = 0,
    keyboard: bool = False,
) -> list[dict[str, object]]:
    """One row per offline transform and language: counts and percentages.
    ``keyword_hit``: the filter's test (``anjeon.targets.keyword_hit`` for the guard)."""
    pool = [it for it in items if isinstance(it.prompt, str)]
    rows: list[dict[str, object]] = []
    for entry in transforms:
        if entry.meta["needs_model"]:
            continue
        for lang in ("en", "ko"):
            subset = [it for it in pool if it.locale.startswith(lang)]
            subset = [it for it in subset if applies_to(entry.name, it.locale)]
            if not subset:
                continue
            exact = hit = seen_before = seen_after = 0
            for it in subset:
                out = apply(entry.name, {}, it, seed).text
                norm = normalize_ko(out, keyboard=keyboard)
                exact += norm == normalize_ko(it.text, keyboard=keyboard)
                if keyword_hit(it.text):
                    hit += 1
                    seen_before += keyword_hit(out)
                    seen_after += keyword_hit(norm)
            rows.append(
                {
                    "transform": entry.name,
                    "lang": lang,
                    "n": len(subset),
                    "exact": _pct(exact, len(subset)),
                    "keyword_items": hit,
                    "keywords_before": _pct(seen_before, hit),
                    "keywords_after": _pct(seen_after, hit),
                }
            )
    return rows
