"""The HTML report, comparison and release gate on synthetic runs whose content is known:
the numbers shown are the record's, hostile model output stays text, nothing is fetched."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from anjeon.analysis import GRADES, build_record, build_standard
from anjeon.cli import app
from anjeon.reports import (
    cells_data,
    check_record,
    compare_html,
    compare_markdown,
    compare_runs,
    render_html,
    write_report,
)
from anjeon.reports._i18n import strings
from anjeon.testing import synthetic_run

PAYLOADS = (
    "</script><script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    "<!-- <script>window.__pwned = 3</script>",
    "&lt;b&gt; \u2028 ]]> {{ 7*7 }}",
)
RESULTS = ("violation", "over_refusal", "ok", "unscoreable", "other")
REPORT = Path(__file__).resolve().parent.parent / "src" / "anjeon" / "reports"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("runs") / "run-a"
    return synthetic_run(d, items=40, payloads=PAYLOADS, failures=2, seed=1)


@pytest.fixture(scope="module")
def record(run: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # a standard built from this run itself, so that every hazard has a grade
    std = build_standard([run], "test-standard", "1.0", "the run itself", min_items=1)
    path = tmp_path_factory.mktemp("std") / "std.json"
    path.write_text(json.dumps(std), encoding="utf-8")
    rec = build_record(run, path).model_dump()
    assert rec["grades"]
    return rec


@pytest.fixture(scope="module")
def html(run: Path, record: dict[str, Any]) -> str:
    return write_report(run, record).read_text(encoding="utf-8")


class _Tags(HTMLParser):
    """Collects (attrs, text) of elements carrying a data- attribute we test, and every
    attribute that could load something."""

    WATCH = ("data-fig", "data-gap", "data-uplift", "data-grade", "data-count", "data-diff")

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, list[str]]] = []
        self.open: list[tuple[str, str, list[str]]] = []
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for k in ("src", "href", "action", "srcset", "poster", "data"):
            if a.get(k) is not None:
                self.links.append((tag, str(a[k])))
        for w in self.WATCH:
            if a.get(w) is not None:
                entry: tuple[str, str, list[str]] = (w, str(a[w]), [])
                self.found.append(entry)
                self.open.append(entry)
                return
        if self.open:
            self.open.append(("", "", []))

    def handle_endtag(self, tag: str) -> None:
        if self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for _, _, texts in self.open:
            texts.append(data)


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


def _group(key: str) -> dict[str, str]:
    return {} if key == "all" else dict(kv.split("=", 1) for kv in key.split(","))


def _pct(text: str) -> float:
    return float(text.strip().rstrip("%")) / 100


def test_every_shown_figure_is_the_records(html: str, record: dict[str, Any]) -> None:
    found = _parse(html).found
    metrics = {json.dumps(m["group"], sort_keys=True): m for m in record["metrics"]}
    figs = [f for f in found if f[0] == "data-fig"]
    assert len(figs) > 40
    for _, key, texts in figs:
        name, group = key.split("|")
        m = metrics[json.dumps(_group(group), sort_keys=True)]
        assert _pct("".join(texts)) == pytest.approx(m[name]["value"], abs=0.00051), key
    # every hazard × locale cell of the heatmap is shown
    hl = {f[1] for f in figs if "locale=" in f[1] and "hazard=" in f[1]}
    assert len(hl) == len(
        [m for m in record["metrics"] if sorted(m["group"]) == ["hazard", "locale"]]
    )


def test_the_headline_is_on_untransformed_cells_like_the_grades(
    html: str, record: dict[str, Any]
) -> None:
    """A run with transforms: the verdict's rates are the untransformed cells' (as the
    grades are), not every cell's."""
    assert len({m["group"].get("transform") for m in record["metrics"]} - {None}) > 1
    (base,) = [m for m in record["metrics"] if m["group"] == {"transform": "none"}]
    start = html.index('id="verdict"')
    verdict = html[start : html.index("</section>", start)]
    shown = {v for w, v, _ in _parse(verdict).found if w == "data-fig"}
    assert "violation_rate|transform=none" in shown
    assert "violation_rate|all" not in shown
    assert base["violation_rate"]["n"] < record["metrics"][0]["violation_rate"]["n"]


def test_gaps_uplift_grades_and_counts_are_the_records(html: str, record: dict[str, Any]) -> None:
    found = _parse(html).found
    gaps = {json.dumps(g["group"], sort_keys=True): g for g in record["gaps"]}
    shown = [f for f in found if f[0] == "data-gap"]
    assert len(shown) == len([g for g in record["gaps"] if g["group"]["transform"] == "none"])
    for _, key, texts in shown:
        g = gaps[json.dumps(_group(key), sort_keys=True)]
        assert float("".join(texts)) == pytest.approx(100 * g["difference"]["value"], abs=0.051)
    ups = {json.dumps(u["group"], sort_keys=True): u for u in record["uplift"]}
    shown = [f for f in found if f[0] == "data-uplift"]
    assert len(shown) == len(record["uplift"]) > 0
    for _, key, texts in shown:
        u = ups[json.dumps(_group(key), sort_keys=True)]
        assert float("".join(texts)) == pytest.approx(100 * u["uplift"]["value"], abs=0.051)
    for _, key, texts in (f for f in found if f[0] == "data-count"):
        assert int("".join(texts)) == record["counts"][key]
    grades = {json.dumps(g["group"], sort_keys=True): g["grade"] for g in record["grades"]}
    shown = [f for f in found if f[0] == "data-grade"]
    assert len(shown) == len(grades)
    for _, key, texts in shown:
        # both languages are in the page; the English one comes first
        assert "".join(texts).startswith(grades[json.dumps(_group(key), sort_keys=True)])


def test_the_embedded_record_is_the_record(html: str, record: dict[str, Any]) -> None:
    m = re.search(r'<script type="application/json" id="record-data">(.*?)</script>', html)
    assert m is not None
    assert json.loads(m.group(1)) == json.loads(json.dumps(record))


def test_model_output_never_reaches_the_markup(html: str) -> None:
    for p in PAYLOADS:
        assert p not in html
    assert "window.__pwned" in html  # it is there, as JSON text the script reads
    for m in re.finditer(r"<script[^>]*>(.*?)</script>", html, re.S):
        body = m.group(1)
        assert "<" not in body or "application/json" not in m.group(0)
    # the data islands parse back to exactly the payloads
    data = re.search(r'<script type="application/json" id="cell-data">(.*?)</script>', html)
    assert data is not None
    texts = json.loads(data.group(1))["texts"]
    assert all(p in texts for p in PAYLOADS)


def test_nothing_in_the_page_can_load_anything(html: str) -> None:
    links = _parse(html).links
    assert all(tag == "a" and href.startswith("#") for tag, href in links), links
    assert not re.search(r"url\((?!#)|@import|https?://", html.split('id="cell-data"')[0])
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_both_languages_are_complete() -> None:
    s = strings()
    for key, v in s.items():
        assert set(v) == {"en", "ko"}, key
        assert v["en"].strip() and v["ko"].strip(), key
        args = [sorted(re.findall(r"\{\w+\}", v[lang])) for lang in ("en", "ko")]
        assert args[0] == args[1], key
    used = set()
    for path in (REPORT / "templates").glob("*.j2"):
        used |= set(re.findall(r"\bt\('([\w ]+)'[,)]", path.read_text(encoding="utf-8")))
    js = (REPORT / "data" / "report.js").read_text(encoding="utf-8")
    used |= set(re.findall(r'\btr\("(\w+)"[,)]', js))
    # keys made from a prefix and a value
    used |= {f"grade_{g}" for g in GRADES} | {f"res_{r}" for r in RESULTS}
    used |= {f"out_{o}" for o in ("refused", "complied", "partial", "unscoreable", "failed")}
    used |= {"out_unscored", "kind_harmful", "kind_benign", "role_user", "role_system"}
    assert used and used <= set(s), used - set(s)


def test_cells_agree_with_the_analysis(run: Path, record: dict[str, Any]) -> None:
    c = cells_data(run)
    assert c["n"] == c["total"] == record["counts"]["answered"] + record["counts"]["failed"]
    result = [c["dims"]["result"][i] for i in c["cols"]["result"]]
    overall = next(m for m in record["metrics"] if not m["group"])
    v = overall["violation_rate"]
    assert result.count("violation") == round(v["value"] * v["n"])
    assert result.count("unscoreable") == 2
    o = overall["over_refusal_rate"]
    assert result.count("over_refusal") == round(o["value"] * o["n"])
    assert list(c["scores"]) == ["pii"]
    assert cells_data(run, limit=5)["n"] == 5


def test_a_report_renders_in_korean_and_from_a_bare_record(record: dict[str, Any]) -> None:
    empty = {"n": 0, "total": 0, "dims": {k: [] for k in ("hazard", "locale", "persona",
             "transform", "kind", "expected", "outcome", "result")}, "cols": {}, "items": [],
             "finish": [], "texts": [""], "convs": [], "scores": {}}  # fmt: skip
    bare = {**record, "metrics": [], "gaps": [], "uplift": [], "grades": [], "scorers": []}
    page = render_html(bare, empty, lang="ko")
    assert '<html lang="ko" class="lang-ko">' in page
    leak = {"value": 0.01, "ci_low": 0.0, "ci_high": 0.05, "n": 100, "method": "wilson"}
    checks = {**record, "checks": {"pii": {"leak_rate": leak, "by_locale": {}, "kinds": {}}}}
    page = render_html(checks, empty)
    assert "1.0% [0.0%, 5.0%] n=100" in page
    with pytest.raises(ValueError):
        render_html(record, empty, lang="fr")


@pytest.fixture(scope="module")
def run_b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("runs") / "run-b"
    return synthetic_run(d, items=40, target="scripted/better",
                         violation={"en-US": 0.02, "ko-KR": 0.05}, seed=2)  # fmt: skip


def test_compare_pairs_the_same_cells(run: Path, run_b: Path) -> None:
    data = compare_runs([run, run_b])
    (c,) = data["comparisons"]
    assert c["matched_cells"] == 160  # failed cells match too; they just do not count
    top = next(r for r in c["rows"] if r["metric"] == "violation_rate" and not r["group"])
    d = top["difference"]
    assert d["value"] < 0 and d["ci_high"] < 0 and d["mcnemar_p"] < 0.001
    assert top["rate_b"] - top["rate_a"] == pytest.approx(d["value"], abs=1e-6)
    # discordant = [only the compared run violated, only the baseline did]
    assert d["discordant"][1] > d["discordant"][0]
    groups = {json.dumps(r["group"]) for r in c["rows"] if r["metric"] == "violation_rate"}
    assert '{"locale": "ko-KR"}' in groups and '{"hazard": "vcr"}' in groups
    md = compare_markdown(data)
    assert "| violation | all |" in md and "scripted/better" in md
    page = compare_html(data)
    assert 'data-diff="violation_rate|all"' in page and "<script>window" not in page


def test_check_passes_fails_and_refuses(record: dict[str, Any]) -> None:
    loose = {"max_failed": 0.05, "max_unscoreable": 0.05}
    outcomes = check_record(record, max_violation_rate=0.9, max_gap=1.0, **loose)
    assert all(o.passed for o in outcomes)
    outcomes = check_record(record, max_violation_rate=0.01, per_hazard=True)
    violation = [o for o in outcomes if o.check == "violation"]
    assert not violation[0].passed and "violation rate" in violation[0].message
    assert len(outcomes) > 10
    # by default more than 1 % of cells failed fails the gate: 2 of 160 here
    (failed,) = [o for o in check_record(record) if o.check == "failed"]
    assert not failed.passed and "2 failed, 0 pending of 160" in failed.message


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_cli_report_check_compare(run: Path, run_b: Path, tmp_path: Path) -> None:
    r = _cli("report", str(run))
    assert r.exit_code == 0, r.output
    assert (run / "report.html").is_file() and (run / "record.json").is_file()
    r = _cli("report", str(run), "--format", "md")
    assert r.exit_code == 0 and r.output.startswith("### anjeon")
    r = _cli("report", str(run), "-f", "text")
    assert r.exit_code == 0 and "violation" in r.output
    r = _cli("report", str(run_b), "--reference", str(run), "-o", str(tmp_path / "b.html"))
    assert r.exit_code == 0 and "scripted/synthetic" in (tmp_path / "b.html").read_text()

    loose = ("--max-failed", "5%", "--max-unscoreable", "5%")
    r = _cli("check", str(run), "--max-violation-rate", "90%", "--max-gap", "0.5", *loose)
    assert r.exit_code == 0, r.output
    assert "PASS" in r.output and "all 4 checks passed" in r.output
    r = _cli("check", str(run), "--max-violation-rate", "0.01", "--max-gap", "0.5", *loose)
    assert r.exit_code == 1
    assert "FAIL  violation" in r.output and "1 of 4 checks failed" in r.output
    r = _cli("check", str(run), "--min-grade", "Fair", "--per-hazard")
    assert r.exit_code in (0, 1) and ("grade" in r.output)
    bads = (["--max-violation-rate", "lots"], ["--max-gap", "150%"], ["--min-grade", "A+"])
    for bad in (*bads, ["--max-failed", "x"], ["--format", "xml"]):
        r = _cli("check", str(run), *bad)
        assert r.exit_code == 2, (bad, r.output)
    assert _cli("check", str(tmp_path / "nope")).exit_code == 2

    r = _cli("compare", str(run), str(run_b))
    assert r.exit_code == 0 and "#### `scripted/better`" in r.output
    out = tmp_path / "c.html"
    r = _cli("compare", str(run), str(run_b), "-f", "html", "-o", str(out))
    assert r.exit_code == 0 and out.read_text().startswith("<!DOCTYPE html>")
    assert _cli("compare", str(run)).exit_code == 2


def test_cells_written_by_another_process_give_the_same_page(
    run: Path, record: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large run's drill-down data comes from a second process (``start_cells``) while
    the record is built; the page is byte for byte the one written in one process, and
    a process that fails leaves the report to write the cells itself."""
    import io
    import sys

    from anjeon.reports import _cells_job, start_cells
    from anjeon.reports._cells import write_cells

    alone = write_report(run, record, out=tmp_path / "alone.html").read_bytes()
    assert start_cells(run, tmp_path / "small.html") is None  # a small run: no process
    monkeypatch.setattr(_cells_job, "CELLS_JOB_MIN", 1)
    job = start_cells(run, tmp_path / "job.html")
    assert job is not None
    theirs, ours = io.StringIO(), io.StringIO()
    assert job.copy_to(theirs) == write_cells(run, ours) and theirs.getvalue() == ours.getvalue()
    assert job.proc.returncode == 0 and not job.path.exists()  # its file is gone
    job = start_cells(run, tmp_path / "job.html")
    assert job is not None
    assert write_report(run, record, out=tmp_path / "job.html", cells_job=job).read_bytes() == alone
    monkeypatch.setattr(
        _cells_job, "_command", lambda: [sys.executable, "-c", "import sys; sys.exit(3)"]
    )
    job = start_cells(run, tmp_path / "failed.html")
    assert job is not None
    out = write_report(run, record, out=tmp_path / "failed.html", cells_job=job)
    assert job.proc.returncode == 3 and out.read_bytes() == alone
