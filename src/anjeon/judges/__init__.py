"""Judges: models that decide whether an answer is harmful under the taxonomy.

Protocols (registered in ``protocols``, built-ins exactly as plugins): ``llama-guard``
(Llama Guard 3/4), ``qwen3guard`` (Qwen3Guard-Gen), ``kanana-safeguard`` (Kanana
Safeguard and Safeguard-Siren), ``policy`` (anjeon's taxonomy as a written policy, any
chat model) and ``rubric`` (StrongREJECT-style). A judge is a protocol plus a target:
``make_judge("llama-guard:vllm/meta-llama/Llama-Guard-4-12B")``.
"""

from anjeon.judges._agreement import Confusion, agreement, kappa
from anjeon.judges._base import (
    Case,
    JudgeFormatError,
    JudgeProtocol,
    ProtocolFactory,
    Verdict,
    protocols,
)
from anjeon.judges._crosswalk import Category, crosswalk, crosswalk_names
from anjeon.judges._ensemble import Ensemble
from anjeon.judges._judge import Judge, JudgeSpec, make_judge, make_judges, parse_spec
from anjeon.judges._prompted import harm_score, render_policy
from anjeon.judges._runner import Job, Judged, RunnerResult, run_jobs
from anjeon.judges._score import JudgeOutcome, judge, judge_run
from anjeon.judges._section import decisions, judging_section, proxy_agreement
from anjeon.judges._validate import figures, load_gold, validate, validations

__all__ = [
    "Case",
    "Category",
    "Confusion",
    "Ensemble",
    "Job",
    "Judge",
    "JudgeFormatError",
    "JudgeOutcome",
    "JudgeProtocol",
    "JudgeSpec",
    "Judged",
    "ProtocolFactory",
    "RunnerResult",
    "Verdict",
    "agreement",
    "crosswalk",
    "crosswalk_names",
    "decisions",
    "figures",
    "harm_score",
    "judge",
    "judge_run",
    "judging_section",
    "kappa",
    "load_gold",
    "make_judge",
    "make_judges",
    "parse_spec",
    "protocols",
    "proxy_agreement",
    "render_policy",
    "run_jobs",
    "validate",
    "validations",
]
