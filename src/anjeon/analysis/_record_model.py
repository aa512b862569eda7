"""The record as typed models: what ``record.json`` holds, field by field.

``schemas/record.schema.json`` is generated from ``Record`` (``python -m anjeon._generate``).
Serialising with ``dumps_record`` gives the same bytes for the same values: fields keep
their declared order, and the few optional keys (a clustered figure's design effect, a
suite's ref) are left out when absent rather than written as null, as records always did.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

Rate = Annotated[float | None, Field(ge=0, le=1)]
Signed = Annotated[float | None, Field(ge=-1, le=1)]
Group = dict[str, str]
Count = Annotated[int, Field(ge=0)]


class RecordModel(BaseModel):
    """Common to every part of the record: no unknown fields; keys named in
    ``_omit_if_none`` are not written when None (they are absent in older records too)."""

    model_config = ConfigDict(extra="forbid")
    _omit_if_none: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _omit(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        out: dict[str, object] = handler(self)
        for k in self._omit_if_none:
            if out.get(k, 0) is None:
                del out[k]
        return out


class Figure(RecordModel):
    """A rate with its 95 % interval. ``n`` is the denominator."""

    _omit_if_none = ("design_effect", "clusters")
    value: Rate
    ci_low: Rate
    ci_high: Rate
    n: Count
    # wilson-clustered: records written before the clustered interval of anjeon 0.1.x
    method: Literal["wilson", "wilson-cc-clustered", "wilson-clustered"]
    design_effect: Annotated[float | None, Field(ge=1)] = None
    clusters: Annotated[int | None, Field(ge=1)] = None


class Difference(RecordModel):
    """A paired difference of rates with its interval and the exact McNemar test;
    ``n`` is the number of pairs, ``discordant`` [only the first side, only the second]."""

    value: Signed
    ci_low: Signed
    ci_high: Signed
    n: Count
    mcnemar_p: Annotated[float, Field(ge=0, le=1)]
    discordant: Annotated[list[Count], Field(min_length=2, max_length=2)]


class Metric(RecordModel):
    """The figures of one group of cells (``group`` {} is every cell)."""

    group: Group
    n: Count
    violation_rate: Figure
    refusal_rate: Figure
    over_refusal_rate: Figure
    unscoreable_rate: Figure


class Gap(RecordModel):
    """Cross-lingual gap: violation in locale ``a`` minus ``b``, paired by pair_id."""

    group: Group
    a: str
    b: str
    metric: Literal["violation_rate"]
    difference: Difference


class Uplift(RecordModel):
    """A transform's uplift: violation with it minus without, paired on the same item."""

    group: Group
    metric: Literal["violation_rate"]
    uplift: Difference


GradeName = Literal["Poor", "Fair", "Good", "Very Good", "Excellent"]


class Grade(RecordModel):
    """An AILuminate-style grade relative to the reference standard, for the pooled
    locales (``group`` without ``locale``) or one locale. ``grade`` is the most probable
    grade; ``point_grade`` is AILuminate's rule on the point estimate and
    ``probability`` the probability of ``grade``. ``unsafe_rate`` is the violation rate
    (a refusal-based proxy unless ``Record.violation_basis`` names a judge)."""

    _omit_if_none = ("point_grade", "probability")
    group: Group
    grade: GradeName
    point_grade: GradeName | None = None
    probability: Annotated[float | None, Field(ge=0, le=1)] = None
    probabilities: dict[str, float]
    summary: str
    unsafe_rate: Rate
    reference_rate: Annotated[float, Field(ge=0, le=1)]
    n: Annotated[int, Field(ge=1)]


class RunInfo(RecordModel):
    id: str
    created: str | float | None
    finished: str | float | None
    status: str
    run_anjeon_version: str | None = None


class TargetInfo(RecordModel):
    name: str | None
    provider: str | None = None
    model: str | None = None
    kind: str | None = None
    settings: dict[str, object] = {}


class SuiteInfo(RecordModel):
    _omit_if_none = ("ref", "items")
    ref: str | None = None
    id: str
    version: str
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    items: int | None = None


class TransformInfo(RecordModel):
    name: str
    params: dict[str, object] = {}


class Counts(RecordModel):
    planned: Count
    answered: Count
    failed: Count
    pending: Count


class Usage(RecordModel):
    responses: Count
    input_tokens: Count
    output_tokens: Count
    mean_latency_s: float | None
    # every request sent (retries and failures too), and those abandoned in flight at a
    # stop, which a provider may still bill; absent from records made before 0.1
    requests: Count = 0
    abandoned: Count = 0


class ScorerInfo(RecordModel):
    """A scorer that labelled cells of the run: its version and measured accuracy."""

    name: str
    version: str
    n: Count
    description: str | None
    accuracy: dict[str, object] | None


class StandardInfo(RecordModel):
    """The standard grades divide by; ``kind`` floor: a naive system's bar, not
    reference models (records before standard format 2 have no kind)."""

    _omit_if_none = ("kind",)
    id: str
    version: str
    description: str
    kind: Literal["reference", "floor"] | None = None


class PiiCheck(RecordModel):
    leak_rate: Figure
    by_locale: dict[str, Figure]
    kinds: dict[str, int]


class CrisisCheck(RecordModel):
    gives_lines_rate: Figure
    by_locale: dict[str, Figure]
    labels: dict[str, int]
    mentions_retired_number: Count


class BiasFigures(RecordModel):
    """KoBBQ figures: out-of-choice ratio, accuracy in ambiguous/disambiguated contexts,
    and the two bias scores; ``failed`` calls count as out-of-choice; ``intervals``: 95 %
    percentile intervals from a bootstrap over ``templates``."""

    _omit_if_none = ("failed", "templates", "intervals")
    n: int
    ooc_ratio: float | None
    acc_amb: float | None
    acc_dis: float | None
    diff_bias_amb: float | None
    diff_bias_dis: float | None
    failed: int | None = None
    templates: int | None = None
    intervals: (
        dict[str, Annotated[list[float], Field(min_length=2, max_length=2)] | None] | None
    ) = None


class BiasCheck(RecordModel):
    overall: BiasFigures
    by_locale: dict[str, BiasFigures]


class Checks(RecordModel):
    pii: PiiCheck | None = None
    crisis: CrisisCheck | None = None
    bias_qa: BiasCheck | None = None


class Agreement(RecordModel):
    """A judge against human labels in one group (``anjeon judge validate``); unsafe is
    the positive class; judge errors are counted and left out."""

    n: Count
    accuracy: Rate
    precision: Rate
    recall: Rate
    kappa: Signed
    kappa_ci: Annotated[list[float], Field(min_length=2, max_length=2)] | None
    confusion: dict[str, Count]
    judge_errors: Count


class Validation(RecordModel):
    gold: dict[str, object] | None
    prompt_version: str | None
    overall: Agreement | None
    by_locale: dict[str, Agreement] | None


class JudgeInfo(RecordModel):
    """One judge of the run: its verdicts by source (judge, cascade, audit) and label,
    requests, judge errors with a few raw answers, unsafe verdicts for another hazard
    than the item's, its categories, and its kept validations."""

    name: str
    protocol: str
    prompt_version: str
    verdicts: dict[str, dict[str, Count]]
    requests: Count
    judge_errors: dict[str, Count]
    judge_error_examples: list[dict[str, object]]
    hazard_mismatches: Count
    categories: dict[str, Count]
    validation: list[Validation]


class Cascade(RecordModel):
    enabled: bool
    audit_share: Rate
    calls_saved: Count
    audited: Count
    audit_agreement: Rate


class ProxyFigure(RecordModel):
    """On cells both decided: the refusal proxy's and the judges' violation rates and
    how often they agree."""

    n: Count
    proxy_violation_rate: Rate
    judged_violation_rate: Rate
    agreement: Rate


class ProxyAgreement(RecordModel):
    overall: ProxyFigure
    by_locale: dict[str, ProxyFigure]


class BalanceFigure(RecordModel):
    """One locale's contentious answers: the share the judge called balanced (over its
    valid verdicts) and its judge errors."""

    balanced_rate: Figure
    judge_errors: Count


class BalanceInfo(RecordModel):
    """Contentious items, judged on balance by a policy or rubric judge (never by
    refusal); ``status`` says when no such judge ran."""

    _omit_if_none = ("judge", "prompt_version", "by_locale")
    status: str
    answered: Count
    judge: str | None = None
    prompt_version: str | None = None
    by_locale: dict[str, BalanceFigure] | None = None


class Judging(RecordModel):
    """What decided violation: ``proxy`` (the refusal classifier) or ``judges`` (the
    ensemble named, see docs/judges.md)."""

    _omit_if_none = ("min_valid", "tie", "cascade", "undecided", "per_judge", "proxy",
                     "warnings", "balance")  # fmt: skip
    decided_by: Literal["proxy", "judges"]
    judges: list[str]
    min_valid: Annotated[int | None, Field(ge=1)] = None
    tie: Literal["unsafe"] | None = None
    cascade: Cascade | None = None
    undecided: Count | None = None
    per_judge: list[JudgeInfo] | None = None
    proxy: ProxyAgreement | None = None
    warnings: list[str] | None = None
    balance: BalanceInfo | None = None


class Record(RecordModel):
    """The results of one anjeon run: the exchange format between institutes. Rates are
    shares in [0, 1]; every figure carries its 95 % interval and its n."""

    schema_version: Literal["1.0"] = "1.0"
    anjeon_version: str
    run: RunInfo
    target: TargetInfo
    suites: list[SuiteInfo]
    transforms: list[TransformInfo]
    epochs: Annotated[int, Field(ge=1)]
    counts: Counts
    terminal_errors: dict[str, int]
    usage: Usage
    scorers: list[ScorerInfo]
    standard: StandardInfo | None
    grade: GradeName | None = Field(
        None, description="the pooled overall grade (most probable); null when not graded"
    )
    grade_reason: str | None = Field(None, description="why the run is not graded")
    violation_basis: Literal["refusal-proxy", "judge"] = Field(
        "refusal-proxy",
        description="what decided a violation: the refusal classifier (a proxy) or a judge",
    )
    notes: list[str]
    metrics: list[Metric]
    gaps: list[Gap]
    uplift: list[Uplift]
    grades: list[Grade]
    checks: Checks
    judging: Judging = Field(default_factory=lambda: Judging(decided_by="proxy", judges=[]))

    def metric(self, **group: str) -> Metric | None:
        """The metric row of exactly this group (``record.metric()`` is every cell)."""
        for m in self.metrics:
            if m.group == group:
                return m
        return None

    def metrics_by(self, *dims: str) -> dict[tuple[str, ...], Metric]:
        """The rows grouped by exactly ``dims``, keyed by their values in that order."""
        want = sorted(dims)
        return {tuple(m.group[d] for d in dims): m for m in self.metrics if sorted(m.group) == want}

    def grade_of(self, hazard: str | None = None, locale: str | None = None) -> Grade | None:
        """The overall grade, or one hazard's; pooled over locales, or one locale's."""
        for g in self.grades:
            if g.group.get("hazard") == hazard and g.group.get("locale") == locale:
                return g
        return None

    def grade_locales(self) -> list[str]:
        """The locales graded on their own (besides the pooled grade)."""
        return sorted({g.group["locale"] for g in self.grades if "locale" in g.group})
