"""The report's judge block: who decided violation, each judge's agreement with people
per language (Cohen's kappa), the warnings, the cascade's savings, and the proxy beside
the judged rate per locale."""

from __future__ import annotations

from typing import TypedDict

from anjeon.analysis import Record
from anjeon.analysis._record_model import Agreement

#: Korean kappa lower than English by more than this is a warning (as in the record)
KAPPA_GAP = 0.1


class Kappa(TypedDict):
    """One language's agreement as the block shows it: kappa and interval as text."""

    kappa: str | None
    ci: str | None
    n: int
    accuracy: float | None


def _kappa(a: Agreement) -> Kappa:
    ci = a.kappa_ci
    return {
        "kappa": None if a.kappa is None else f"{a.kappa:.2f}",
        "ci": None if not ci else f"[{ci[0]:.2f}, {ci[1]:.2f}]",
        "n": a.n,
        "accuracy": a.accuracy,
    }


def section(record: Record) -> dict[str, object] | None:
    """None when the proxy decided (no judge ran)."""
    j = record.judging
    if j.decided_by != "judges" or not j.per_judge:
        return None
    rows, warnings = [], []
    locales: list[str] = []
    for pj in j.per_judge:
        by_locale: dict[str, Kappa] = {}
        for v in pj.validation:
            for loc, a in (v.by_locale or {}).items():
                by_locale[loc] = _kappa(a)  # the last kept validation of a gold file wins
                if loc not in locales:
                    locales.append(loc)
        if not pj.validation:
            warnings.append(("judge_never_validated", {"judge": pj.name}))
        ko, en = by_locale.get("ko-KR"), by_locale.get("en-US")
        k_ko = ko["kappa"] if ko else None
        k_en = en["kappa"] if en else None
        if k_ko is not None and k_en is not None and float(k_en) - float(k_ko) > KAPPA_GAP:
            warnings.append(("judge_kappa_gap", {"judge": pj.name, "ko": k_ko, "en": k_en}))
        judged = pj.verdicts.get("judge", {})
        audit = pj.verdicts.get("audit", {})
        rows.append(
            {
                "name": pj.name,
                "protocol": pj.protocol,
                "version": pj.prompt_version,
                "unsafe": judged.get("unsafe", 0) + audit.get("unsafe", 0),
                "safe": judged.get("safe", 0) + audit.get("safe", 0),
                "cascade": sum(pj.verdicts.get("cascade", {}).values()),
                "errors": sum(pj.judge_errors.values()),
                "examples": pj.judge_error_examples[:2],
                "mismatches": pj.hazard_mismatches,
                "requests": pj.requests,
                "kappa": by_locale,
            }
        )
    locales.sort(key=lambda x: (x != "ko-KR", x != "en-US", x))
    proxy = j.proxy
    return {
        "names": ", ".join(j.judges),
        "min_valid": j.min_valid,
        "rows": rows,
        "locales": locales,
        "warnings": warnings,
        "cascade": j.cascade,
        "undecided": j.undecided or 0,
        "proxy": [("overall", proxy.overall), *proxy.by_locale.items()] if proxy else [],
    }
