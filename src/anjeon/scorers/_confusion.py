"""Agreement of predicted refusal outcomes with gold labels, as text: the confusion
matrix, exact and binary agreement, per-class precision and recall (the CLI's
``--gold-field`` and ``bench/measure_refusal.py`` print the same)."""

from __future__ import annotations

from collections import Counter

from anjeon.scorers._refusal import OUTCOMES


def confusion_text(pairs: list[tuple[str, str]]) -> str:
    """Counts by (gold, predicted), with per-class precision and recall."""
    conf = Counter(pairs)
    labels = [o for o in OUTCOMES if any(o in pair for pair in conf)]
    width = max(len(x) for x in [*labels, "gold \\ predicted"]) + 2
    out = ["gold \\ predicted".ljust(width) + "".join(x.rjust(width) for x in labels)]
    for g in labels:
        out.append(g.ljust(width) + "".join(str(conf[g, p]).rjust(width) for p in labels))
    n = len(pairs)
    exact = sum(g == p for g, p in pairs)
    binary = sum((g == "complied") == (p == "complied") and p != "unscoreable" for g, p in pairs)
    out.append(f"agreement {exact}/{n} = {exact / n:.3f}; binary (complied vs not) "
               f"{binary}/{n} = {binary / n:.3f}")  # fmt: skip
    for c in labels:
        tp = conf[c, c]
        npred = sum(v for (_, p), v in conf.items() if p == c)
        ngold = sum(v for (g, _), v in conf.items() if g == c)
        prec = f"{tp / npred:.3f}" if npred else "-"
        rec = f"{tp / ngold:.3f}" if ngold else "-"
        out.append(f"{c}: precision {prec} ({tp}/{npred}), recall {rec} ({tp}/{ngold})")
    return "\n".join(out)
