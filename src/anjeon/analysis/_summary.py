"""Short summaries of a record: plain text for terminals, Markdown for CI comments."""

from __future__ import annotations

from collections.abc import Callable

from anjeon._json import JSONObject
from anjeon.analysis._labels import basis_label, few_pairs, format_p, format_pct, format_pts
from anjeon.analysis._record import load_record
from anjeon.analysis._record_model import Checks, Difference, Figure, Grade, Record
from anjeon.analysis._standards import NOT_GRADED


def _basis(record: Record) -> str:
    """The line that says what decided violation (from the record, so a judged run
    says so)."""
    if record.violation_basis == "refusal-proxy":
        return (
            "violation = refusal-based proxy (complied or partial on harmful items); "
            "every violation and unsafe rate below is this proxy"
        )
    return (
        f"violation = {basis_label(record.violation_basis, judges=record.judging.judges)}; "
        "the refusal-based proxy is kept beside it in the record (judging.proxy)"
    )


def _fig(f: Figure) -> str:
    if f.value is None:
        return "—"
    return f"{format_pct(f.value)} [{format_pct(f.ci_low)}, {format_pct(f.ci_high)}] n={f.n}"


def _signed(d: Difference) -> str:
    if d.value is None or d.ci_low is None or d.ci_high is None:
        return "—"
    v, lo, hi = (format_pts(x) for x in (d.value, d.ci_low, d.ci_high))
    p = format_p(d.mcnemar_p)
    text = f"{v} pts [{lo}, {hi}] p{p if p.startswith('<') else '=' + p}"
    text += f" pairs={d.n}"
    warn = few_pairs(d.n)
    return f"{text} (! {warn})" if warn else text


def describe_grade(g: Grade) -> str:
    """The most probable grade with its probabilities, and the point estimate's grade
    when it differs, e.g. 'Very Good (Very Good 51 % · Good 25 % · …; point estimate
    Excellent)'."""
    text = f"{g.grade} ({g.summary}"
    if g.point_grade and g.point_grade != g.grade:
        text += f"; point estimate {g.point_grade}"
    return text + ")"


def _grade_of(record: Record, hazard: str | None, locale: str | None = None) -> str:
    g = record.grade_of(hazard, locale)
    return "—" if g is None else describe_grade(g)


def sections(record: Record | JSONObject) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for each block of the summary."""
    record = load_record(record)
    out = []
    # with transforms in the run, the headline is the untransformed cells', as the grades
    base = record.metric(transform="none")
    transformed = len(record.metrics_by("transform")) > 1 and base is not None
    m = base if transformed else record.metric()
    if m is not None:
        out.append(
            (
                "Overall (untransformed prompts, as the grades)" if transformed else "Overall",
                ["violation (proxy)" if record.violation_basis == "refusal-proxy" else "violation",
                 "over-refusal", "unscoreable", "grade"],
                [[_fig(m.violation_rate), _fig(m.over_refusal_rate),
                  _fig(m.unscoreable_rate), _grade_of(record, None)]],
            )
        )  # fmt: skip
    by_hl = record.metrics_by("hazard", "locale")
    locales = sorted({loc for _, loc in by_hl})
    hazards = [h for (h,) in record.metrics_by("hazard")]
    if hazards:
        rows = []
        for h in hazards:
            cells = [_fig(by_hl[(h, loc)].violation_rate) if (h, loc) in by_hl else "—"
                     for loc in locales]  # fmt: skip
            rows.append([h, *cells, _grade_of(record, h)])
        title = "Violation rate by hazard and locale"
        if record.violation_basis == "refusal-proxy":
            title += " (refusal-based proxy)"
        if transformed:
            title += " (all cells, transforms included; grades on untransformed prompts)"
        out.append((title, ["hazard", *locales, "grade"], rows))
    locales_graded = record.grade_locales()
    if locales_graded:
        hz = [h for (h,) in record.metrics_by("hazard") if record.grade_of(h)]
        rows = [
            [
                "overall",
                _grade_of(record, None),
                *(_grade_of(record, None, loc) for loc in locales_graded),
            ]
        ]
        rows += [[h, _grade_of(record, h), *(_grade_of(record, h, loc) for loc in locales_graded)]
                 for h in hz]  # fmt: skip
        out.append(
            (
                "Grades per locale (each against its own reference rates)",
                ["hazard", "all locales", *locales_graded],
                rows,
            )
        )
    gaps = [g for g in record.gaps if g.group.get("transform") == "none"]
    if gaps:
        out.append(
            (
                "Cross-lingual gap (ko-KR − en-US, paired)",
                ["hazard", "difference"],
                [[g.group.get("hazard", "all"), _signed(g.difference)] for g in gaps],
            )
        )
    up = [u for u in record.uplift if "locale" not in u.group]
    if up:
        out.append(
            (
                "Transform uplift (violation with − without, paired)",
                ["transform", "uplift"],
                [[u.group["transform"], _signed(u.uplift)] for u in up],
            )
        )
    bal = record.judging.balance
    if bal is not None:
        if bal.by_locale is None:
            rows = [["all", f"{bal.status}; answered={bal.answered}"]]
        else:
            rows = [[loc, f"{_fig(b.balanced_rate)} judge errors={b.judge_errors}"]
                    for loc, b in bal.by_locale.items()]  # fmt: skip
        title = "Contentious items: balanced answers"
        out.append((f"{title} ({bal.judge})" if bal.judge else title, ["locale", "balanced"], rows))
    checks = _checks(record.checks)
    if checks:
        out.append(("Checks", ["check", "result"], checks))
    return out


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:+.3f}"


def _checks(checks: Checks) -> list[list[str]]:
    rows = []
    if checks.pii:
        rows.append(["PII in answers, not in the prompt", _fig(checks.pii.leak_rate)])
    if checks.crisis:
        c = checks.crisis
        rows.append(["self-harm answers giving crisis lines", _fig(c.gives_lines_rate)])
        if c.mentions_retired_number:
            rows.append(["answers citing a retired crisis number", str(c.mentions_retired_number)])
    if checks.bias_qa:
        b = checks.bias_qa.overall
        ci = b.intervals or {}

        def with_ci(name: str, fmt: Callable[[float | None], str]) -> str:
            bounds = ci.get(name)
            text = fmt(getattr(b, name))
            return f"{text} [{fmt(bounds[0])}, {fmt(bounds[1])}]" if bounds else text

        failed = f", {b.failed} failed calls counted out-of-choice" if b.failed else ""
        rows.append(
            [
                "bias QA (KoBBQ): accuracy ambiguous / disambiguated",
                f"{with_ci('acc_amb', format_pct)} / {with_ci('acc_dis', format_pct)}, "
                f"out-of-choice {with_ci('ooc_ratio', format_pct)}{failed}",
            ]
        )
        rows.append(
            [
                "bias QA (KoBBQ): bias score ambiguous / disambiguated"
                + (f" (intervals: bootstrap over {b.templates} templates)" if b.templates else ""),
                f"{with_ci('diff_bias_amb', _num)} / {with_ci('diff_bias_dis', _num)}",
            ]
        )
    return rows


def _standard(record: Record) -> str:
    std = record.standard
    if not std:
        return record.grade_reason or NOT_GRADED
    if std.kind == "floor":
        return (
            f"grades relative to the FLOOR {std.id}: a naive system's bar, not reference "
            "models (Good = about as unsafe as that system)"
        )
    first = std.description.split(": ", 1)[0].split(". ", 1)[0]
    line = f"grades relative to the standard {std.id}" + (f" ({first})" if first else "")
    if not record.grades and record.grade_reason:
        line += f"; {record.grade_reason}"
    return line


def to_text(record: Record | JSONObject) -> str:
    record = load_record(record)
    c = record.counts
    lines = [
        f"anjeon run {record.run.id} — {record.target.name}",
        f"cells: {c.planned} planned, {c.answered} answered, {c.failed} failed, "
        f"{c.pending} pending",
        _basis(record),
        _standard(record),
    ]
    for title, header, rows in sections(record):
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        lines += ["", title]
        for r in [header, *rows]:
            lines.append(
                "  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
            )
    return "\n".join(lines) + "\n"


def to_markdown(record: Record | JSONObject) -> str:
    record = load_record(record)
    c = record.counts
    lines = [
        f"### anjeon: `{record.target.name}` (run `{record.run.id}`)",
        "",
        f"{c.planned} cells planned, {c.answered} answered, {c.failed} failed. "
        f"Suites: " + ", ".join(f"`{s.id}@{s.version}`" for s in record.suites) + ".",
        "",
        f"_{_basis(record)}; intervals are 95 %; {_standard(record)}._",
    ]
    for title, header, rows in sections(record):
        lines += ["", f"#### {title}", "", "| " + " | ".join(header) + " |",
                  "|" + "---|" * len(header)]  # fmt: skip
        lines += ["| " + " | ".join(str(v) for v in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"
