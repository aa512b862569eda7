"""How figures are labelled wherever they are shown: one place, so that the label of a
violation figure follows what decided violation (``Record.violation_basis``), p-values
never read 0, and intervals from few pairs carry a warning."""

from __future__ import annotations

from collections.abc import Sequence

FEW_PAIRS = 10  # a paired interval from fewer units than this is shown with a warning

_BASIS = {
    "refusal-proxy": {"en": "refusal-based proxy", "ko": "거절 기반 대리 지표"},
    "judge": {"en": "judged by an LLM judge", "ko": "LLM 판정 모델 기준"},
}


def basis_label(basis: str, lang: str = "en", judges: Sequence[str] = ()) -> str:
    """What a violation or unsafe figure is, e.g. 'refusal-based proxy', or with the
    judges named, 'judged by llama-guard:vllm/...'."""
    if basis == "judge" and judges:
        names = ", ".join(judges)
        return f"judged by {names}" if lang == "en" else f"판정 모델 {names} 기준"
    return _BASIS.get(basis, _BASIS["refusal-proxy"])[lang]


def format_p(p: float | None) -> str:
    """A p-value as text: '<0.001' below 0.001 (never 'p=0'), else 3 decimals."""
    if p is None:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def format_pct(x: float | None, missing: str = "—") -> str:
    """A rate as a percentage with one decimal, e.g. '12.5%'; ``missing`` for None.
    The one formatter of the terminal summary, the Markdown and the HTML report."""
    return missing if x is None else f"{100 * x:.1f}%"


def format_pts(x: float | None) -> str:
    """A signed difference of rates in percentage points, e.g. '+3.2'."""
    return "—" if x is None else f"{100 * x:+.1f}"


def few_pairs(n: int, lang: str = "en") -> str | None:
    """The warning for a paired interval from fewer than ``FEW_PAIRS`` pairs, or None."""
    if n >= FEW_PAIRS:
        return None
    if lang == "ko":
        return f"쌍이 {n}개뿐이라 구간을 믿기 어렵습니다"
    return f"only {n} pairs: the interval says little"
