"""Judging a run from its store: the target is never called.

For each judge, the answered cells of harmful items expecting a refusal that it has no
verdict on are judged (so a rerun after Ctrl-C or SIGKILL asks only for the rest). With
the cascade, the refusal classifier goes first: an answer it calls ``refused`` is a
clear refusal and gets a ``cascade`` verdict (safe) without a judge call, except a
random ``audit`` share of them, which are judged anyway so that the cascade's own
error can be measured. The judges named last decide the run's violation rate: they are
written to the store's meta as the run's ensemble. A ``policy`` or ``rubric`` judge
also judges the answered contentious cells on balance (``_balance``); guards skip them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from anjeon._errors import InputError
from anjeon.engine import EngineConfig
from anjeon.judges._balance import BALANCE_PROTOCOLS, Balance
from anjeon.judges._base import Case
from anjeon.judges._ensemble import Ensemble
from anjeon.judges._judge import Judge
from anjeon.judges._runner import Job, Judged, RunnerResult, run_jobs

if TYPE_CHECKING:
    from anjeon.store._verdicts import VerdictRow, Verdicts

META_KEY = "judging"


@dataclass
class JudgeOutcome:
    judge: str
    prompt_version: str
    judged: int = 0
    cascade_skipped: int = 0
    audited: int = 0
    result: RunnerResult = field(default_factory=RunnerResult)
    # contentious cells judged on balance (policy and rubric judges only)
    balance: RunnerResult | None = None


def audit_draw(key: str) -> float:
    """A cell's deterministic draw in [0, 1) for the cascade audit."""
    d = hashlib.blake2b(key.encode(), digest_size=4, person=b"anjeon-audit").digest()
    return int.from_bytes(d, "big") / 2**32


def _prompt(messages_json: str) -> str:
    for m in reversed(json.loads(messages_json)):
        if m.get("role") == "user":
            return str(m.get("content", ""))
    return ""


def _row(j: Judged, judge: Judge) -> VerdictRow:
    v = j.verdict
    return (
        j.job.key,
        judge.name,
        judge.version,
        j.job.source,
        v.label,
        json.dumps(list(v.categories), ensure_ascii=False),
        json.dumps(list(v.hazards)),
        int(v.mismatch),
        v.score,
        v.error,
        v.raw,
        json.dumps(
            {
                **v.details,
                **({"rationale": v.rationale} if v.rationale else {}),
                **({"refusal": v.refusal} if v.refusal is not None else {}),
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        or None,
        j.attempts,
        round(j.latency, 6),
    )


async def _judge_balance(
    verdicts: Verdicts, judge: Judge, cfg: EngineConfig, handle_signals: bool
) -> RunnerResult:
    """The answered contentious cells this judge has no balance verdict on, judged
    with the balance rubric by the same model (stored under ``BALANCE_VERSION``)."""
    asker = Judge(judge.spec, Balance(), judge.target)

    def jobs() -> Iterator[Job]:
        for page in verdicts.pending(asker.name, asker.version, contentious=True):
            for c in page:
                case = Case(_prompt(c.messages), c.response or "", c.locale, c.hazard, c.notes)
                yield Job(c.key, case)

    def sink(batch: list[Judged]) -> None:
        verdicts.write([_row(j, asker) for j in batch])

    return await run_jobs(asker, jobs(), cfg, sink, handle_signals=handle_signals)


async def judge_run(
    run_dir: Path,
    judges: Sequence[Judge],
    *,
    cascade: bool = True,
    audit: float = 0.0,
    min_valid: int | None = None,
    engine: EngineConfig | None = None,
    progress: Callable[[str, int], None] | None = None,
    handle_signals: bool = False,
) -> list[JudgeOutcome]:
    """Judge the run's cells with each judge (see the module's doc); the judges become
    the run's deciding ensemble. ``cascade``: clear refusals (the refusal scorer's
    label, scored here first where missing) skip the judges; ``audit``: share (0-1) of
    those judged anyway."""
    from anjeon._rescore import score_run
    from anjeon.store import RunStore
    from anjeon.store._verdicts import Verdicts

    if not judges:
        raise InputError("give at least one --judge")
    if not 0 <= audit <= 1:
        raise InputError(f"--cascade-audit must be a percentage from 0 to 100, not {audit * 100:g}")
    names = [j.name for j in judges]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"judge {dup[0]!r} is given more than once")
    try:
        ensemble = Ensemble.of([(j.name, j.version) for j in judges], min_valid)
    except ValueError as e:
        raise InputError(f"--judge-min-valid: {e}") from None
    if cascade:
        score_run(run_dir, ["refusal"])  # the cascade reads it
    cfg = engine or EngineConfig(max_connections=8)
    outcomes: list[JudgeOutcome] = []
    store = RunStore.open(run_dir)
    try:
        verdicts = Verdicts(store)
        for judge in judges:
            out = JudgeOutcome(judge.name, judge.version)
            outcomes.append(out)

            def jobs(judge: Judge = judge, out: JudgeOutcome = out) -> Iterator[Job]:
                for page in verdicts.pending(judge.name, judge.version):
                    skipped = []
                    for c in page:
                        case = Case(_prompt(c.messages), c.response or "", c.locale, c.hazard)
                        if cascade and c.refusal == "refused":
                            if audit and audit_draw(c.key) < audit:
                                out.audited += 1
                                yield Job(c.key, case, "audit")
                            else:
                                skipped.append(
                                    (c.key, judge.name, judge.version, "cascade", "safe",
                                     "[]", "[]", 0, None, None, None, None, 0, 0.0)
                                )  # fmt: skip
                            continue
                        yield Job(c.key, case)
                    verdicts.write(skipped)
                    out.cascade_skipped += len(skipped)

            def sink(batch: list[Judged], judge: Judge = judge, out: JudgeOutcome = out) -> None:
                verdicts.write([_row(j, judge) for j in batch])
                out.judged += len(batch)
                if progress is not None:
                    progress(judge.name, out.judged)

            out.result = await run_jobs(judge, jobs(), cfg, sink, handle_signals=handle_signals)
            if out.result.stop_reason is not None:
                break
            if judge.protocol.name in BALANCE_PROTOCOLS:
                out.balance = await _judge_balance(verdicts, judge, cfg, handle_signals)
                if out.balance.stop_reason is not None:
                    break
        store.set_meta(
            **{
                META_KEY: {
                    **ensemble.to_meta(),
                    "cascade": cascade,
                    "audit": audit,
                    "describe": [j.describe() for j in judges],
                }
            }
        )
    finally:
        store.close()
    return outcomes


def judge(
    run_dir: Path,
    specs: Sequence[str],
    *,
    base_url: str | None = None,
    api_key_env: str | None = None,
    cascade: bool = True,
    audit: float = 0.0,
    min_valid: int | None = None,
    max_connections: int = 8,
    rpm: float | None = None,
    progress: Callable[[str, int], None] | None = None,
    handle_signals: bool = False,
) -> list[JudgeOutcome]:
    """``judge_run`` from judge specs (``PROTOCOL:PROVIDER/MODEL[@URL]``): every spec is
    checked before any judge is contacted."""
    import asyncio

    from anjeon.judges._judge import make_judges

    made = make_judges(
        specs, base_url=base_url, api_key_env=api_key_env, max_connections=max_connections
    )
    engine = EngineConfig(max_connections=max_connections, rpm=rpm)
    return asyncio.run(
        judge_run(
            run_dir,
            made,
            cascade=cascade,
            audit=audit,
            min_valid=min_valid,
            engine=engine,
            progress=progress,
            handle_signals=handle_signals,
        )
    )
