"""The front door: ``anjeon.run`` / ``run_async`` and the functions after a run.

The CLI is one client of these functions: it parses flags, calls them and prints. The
library decides everything else (defaults, resume rules, the after-run chain score ->
record -> report), never exits the process and installs signal handlers only when
asked (``handle_signals=True``, as the CLI does).

Errors about arguments name the parameter in backticks (`` `epochs` must be at least
1``); the CLI shows them as its flags (``--epochs``) through one table.
"""

from __future__ import annotations

import asyncio
import functools
import gc
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec

from anjeon._errors import InputError

if TYPE_CHECKING:
    from anjeon.analysis import Record
    from anjeon.engine import EngineConfig, Prepared, RunOutcome, RunSpec, TransformSpec
    from anjeon.judges import Judge, JudgeOutcome
    from anjeon.reports import CellsJob
    from anjeon.targets import Target

StartFn = Callable[[Path, int, int], None]
ProgressFn = Callable[[int, int, int], None]
P = ParamSpec("P")

# the arguments that define what is run: a new run's spec is made of them (and of the
# run's engine settings); on resume the run's own config decides them
_DEFINING = (
    "suites",
    "model",
    "base_url",
    "api_key_env",
    "epochs",
    "limit",
    "temperature",
    "max_tokens",
    "top_p",
    "seed",
    "stop",
    "system",
    "transforms",
    "transform_sets",
    "attacker",
    "attacker_base_url",
    "attacker_api_key_env",
    "attacker_temperature",
)


@dataclass(frozen=True)
class RunResult:
    """What ``anjeon.run`` returns: where the run is, how it ended, and its record.

    ``status``: ``complete``, ``interrupted`` (resumable) or ``stopped`` (the target
    refused the credentials; resumable once fixed). ``record`` is None with
    ``report=False``. Counts are of the whole run; ``requests`` of this session only.
    """

    run_dir: Path
    status: str
    record: Record | None
    planned: int
    answered: int
    failed: int
    pending: int
    resumed_from: int
    requests: int
    error_kinds: dict[str, int] = field(default_factory=dict)
    message: str | None = None
    score_labels: dict[str, dict[str, int]] = field(default_factory=dict)
    #: one ``anjeon.judges.JudgeOutcome`` per judge, when judges were given
    judging: list[JudgeOutcome] = field(default_factory=list)
    #: why a stopped run stopped: ``auth``, ``failing`` (the first requests all failed
    #: alike), and the HTTP status that did it
    stop_reason: str | None = None
    stop_status: int | None = None
    #: requests abandoned in flight when the run stopped (counted in ``requests``)
    abandoned: int = 0
    #: the commonest causes of failed cells: (kind, HTTP status, cells, a message)
    top_errors: list[tuple[str, int | None, int, str]] = field(default_factory=list)
    #: the models the server's ``GET /models`` listed, when it has the route
    listed_models: list[str] | None = None

    @property
    def ok(self) -> bool:
        """Complete with no failed cell."""
        return self.status == "complete" and self.failed == 0


def _given(values: dict[str, object]) -> list[str]:
    return [k for k in _DEFINING if values.get(k) not in (None, [], (), "")]


def _engine_config(
    base: EngineConfig | None,
    max_connections: int | None,
    rpm: float | None,
    tpm: float | None,
    max_retries: int | None,
    backoff: float | None,
    retry_after_max: float | None = None,
) -> EngineConfig:
    from anjeon.engine import EngineConfig

    given = {
        k: v
        for k, v in {
            "max_connections": max_connections,
            "rpm": rpm,
            "tpm": tpm,
            "max_retries": max_retries,
            "backoff_base": backoff,
            "retry_after_max": retry_after_max,
        }.items()
        if v is not None
    }
    recorded = {} if base is None else base.__dict__
    return EngineConfig(**{**recorded, **given})


def transform_specs(
    transforms: str | Sequence[str | TransformSpec] | None,
    transform_sets: Sequence[str] = (),
) -> list[TransformSpec]:
    """The baseline (untransformed) plus the named transforms and sets, duplicates
    dropped, order kept. Strings use the CLI's syntax: ``"jamo,chosung[k=2]"``."""
    from anjeon.engine import NO_TRANSFORM, TransformSpec

    out = [TransformSpec(NO_TRANSFORM)]
    texts: list[str] = list(transform_sets)
    objects: list[TransformSpec] = []
    if isinstance(transforms, str):
        texts.append(transforms)
    else:
        for t in transforms or ():
            if isinstance(t, str):
                texts.append(t)
            else:
                objects.append(t)
    if any(s.strip() for s in texts):
        from anjeon.transforms import parse_spec

        for p in parse_spec(",".join(texts)):
            objects.append(TransformSpec(p.name, dict(p.params)))
    for t in objects:
        if t not in out:
            out.append(t)
    return out


def _new_spec(
    *,
    suites: Sequence[str | Path] | str | None,
    model: str | Target | None,
    base_url: str | None,
    api_key_env: str | None,
    epochs: int | None,
    limit: int | None,
    transforms: str | Sequence[str | TransformSpec] | None,
    transform_sets: Sequence[str],
    attacker: str | None,
    attacker_base_url: str | None,
    attacker_api_key_env: str | None,
    attacker_temperature: float | None,
    temperature: float | None,
    max_tokens: int | None,
    top_p: float | None,
    seed: int | None,
    stop: Sequence[str],
    system: str | None,
    timeout: float | None,
    engine: EngineConfig,
    runs_dir: Path,
    score: bool,
    standard: str | None,
    max_answer_chars: int | None = None,
) -> RunSpec:
    from anjeon.engine import RunSpec
    from anjeon.targets import GenerateConfig, TargetSettings

    suite_list = [suites] if isinstance(suites, str | Path) else list(suites or [])
    if not suite_list or model is None or model == "":
        missing = [n for n, v in (("suites", suite_list), ("model", model)) if not v]
        raise InputError(f"missing {' and '.join(f'`{m}`' for m in missing)} (or `resume`)")
    if attacker is None:
        orphans = [
            f"`{k}`"
            for k, v in (
                ("attacker_base_url", attacker_base_url),
                ("attacker_api_key_env", attacker_api_key_env),
                ("attacker_temperature", attacker_temperature),
            )
            if v is not None
        ]
        if orphans:
            raise InputError(f"{', '.join(orphans)} goes with `attacker` (PROVIDER/MODEL)")
    gen = GenerateConfig(
        temperature=temperature,
        max_tokens=max_tokens,
        top_p=top_p,
        seed=seed,
        stop=tuple(stop),
        system=system,
        timeout=timeout if timeout is not None else 120.0,
    )
    return RunSpec(
        suites=[str(s) for s in suite_list],
        model=model,
        settings=TargetSettings(
            base_url,
            api_key_env,
            engine.max_connections,
            **({} if max_answer_chars is None else {"max_answer_chars": max_answer_chars}),
        ),
        gen=gen,
        transforms=transform_specs(transforms, transform_sets),
        epochs=epochs if epochs is not None else 1,
        limit=limit,
        engine=engine,
        runs_dir=runs_dir,
        score=score,
        standard=standard,
        attacker=attacker,
        attacker_settings=TargetSettings(
            attacker_base_url, attacker_api_key_env, engine.max_connections
        ),
        attacker_gen=GenerateConfig(
            temperature=0.0 if attacker_temperature is None else attacker_temperature,
            timeout=gen.timeout,
        ),
    )


def _resume_spec(
    run_dir: Path,
    model: str | Target | None,
    timeout: float | None,
    engine_args: tuple[
        int | None, float | None, float | None, int | None, float | None, float | None
    ],
    score: bool,
    standard: str | None,
) -> RunSpec:

    from anjeon.engine import EngineConfig, spec_from_config
    from anjeon.store import read_config

    cfg = read_config(run_dir)
    recorded = EngineConfig(**cfg.get("engine", {}))
    engine = _engine_config(recorded, *engine_args)
    spec = spec_from_config(cfg, run_dir.parent, engine)
    if model is not None and not isinstance(model, str):
        spec.model = model  # the same Python object target, given again
    elif cfg.get("target", {}).get("python_class"):
        raise InputError(
            f"{run_dir}: this run's target was a Python object "
            f"({cfg['target']['python_class']}); give it again as `model`"
        )
    if timeout is not None:
        spec.gen = replace(spec.gen, timeout=timeout)
        spec.attacker_gen = replace(spec.attacker_gen, timeout=timeout)
    spec.score = score
    if standard is not None:
        spec.standard = standard
    return spec


async def run_async(
    suites: Sequence[str | Path] | str | None = None,
    model: str | Target | None = None,
    *,
    base_url: str | None = None,
    api_key_env: str | None = None,
    epochs: int | None = None,
    limit: int | None = None,
    transforms: str | Sequence[str | TransformSpec] | None = None,
    transform_sets: Sequence[str] = (),
    attacker: str | None = None,
    attacker_base_url: str | None = None,
    attacker_api_key_env: str | None = None,
    attacker_temperature: float | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    top_p: float | None = None,
    seed: int | None = None,
    stop: Sequence[str] = (),
    system: str | None = None,
    timeout: float | None = None,
    max_connections: int | None = None,
    rpm: float | None = None,
    tpm: float | None = None,
    max_retries: int | None = None,
    backoff: float | None = None,
    retry_after_max: float | None = None,
    max_answer_chars: int | None = None,
    runs_dir: str | Path | None = None,
    resume: str | Path | None = None,
    new: bool = False,
    retry_failed: bool = False,
    score: bool | None = None,
    standard: str | None = None,
    report: bool | None = None,
    config: str | Path | None = None,
    on_start: StartFn | None = None,
    on_progress: ProgressFn | None = None,
    handle_signals: bool = False,
    judges: Sequence[str] = (),
    judge_base_url: str | None = None,
    judge_api_key_env: str | None = None,
    cascade: bool | None = None,
    cascade_audit: float | None = None,
    judge_min_valid: int | None = None,
    judge_max_connections: int | None = None,
) -> RunResult:
    """Run suites against a model (or resume a run) and return a ``RunResult``.

    ``model`` is ``provider/model`` (``builtin/keyword-guard``, ``openai/gpt-4o-mini``,
    ...) or a Target object (e.g. ``anjeon.testing.ScriptedTarget``). Rerunning the same
    configuration resumes its newest run (``new=True`` starts afresh); ``resume`` names a
    run directory or id whose own config is used. With ``report`` (the default) the run
    is scored, ``record.json`` and ``report.html`` are written and ``record`` is set.
    ``config``: an assessment file (YAML, the same settings by name); arguments given
    here override it. ``runs_dir`` defaults to ``runs``, ``score`` and ``report`` to True.

    ``judges`` (specs ``PROTOCOL:PROVIDER/MODEL[@URL]``, see docs/judges.md) judge the
    answers once the run is complete, before the record: the judged rate is then the
    violation rate. ``cascade``: clear refusals skip the judges; ``cascade_audit``: the
    percent of those judged anyway.
    """
    args = dict(locals())  # the arguments, before any other local name exists
    from anjeon.store import find_run

    if config is not None:
        from anjeon._assessment import load_assessment

        merged = {k: v for k, v in args.items() if k != "config"}
        for k, v in load_assessment(Path(config)).items():
            if merged.get(k) in (None, (), [], ""):
                merged[k] = v
        return await run_async(**merged)
    runs_path = Path(runs_dir if runs_dir is not None else "runs")
    score = True if score is None else score
    report = True if report is None else report
    engine_args = (max_connections, rpm, tpm, max_retries, backoff, retry_after_max)
    run_dir: Path | None = None
    if resume is not None:
        conflicts = [
            f"`{k}`" for k in _given(args) if not (k == "model" and model_is_object(model))
        ]
        if new:
            conflicts.append("`new`")
        if conflicts:
            raise InputError(
                f"`resume` takes the run's own config; it conflicts with {', '.join(conflicts)}"
            )
        run_dir = find_run(resume, runs_path)
        spec = _resume_spec(run_dir, model, timeout, engine_args, score, standard)
    else:
        spec = _new_spec(
            **{k: args[k] for k in _DEFINING},
            timeout=timeout,
            engine=_engine_config(None, *engine_args),
            runs_dir=runs_path,
            score=score,
            standard=standard,
            max_answer_chars=max_answer_chars,
        )
    cascade = True if cascade is None else cascade
    judge_max_connections = judge_max_connections or 8
    from anjeon.judges import make_judges

    made = make_judges(
        judges,
        base_url=judge_base_url,
        api_key_env=judge_api_key_env,
        max_connections=judge_max_connections,
    )
    prepared = _prepare(spec)
    from anjeon.store import keep_locks

    # the run's lock covers the judges, the record and the report written after the engine
    with keep_locks():
        outcome = await _execute(
            prepared, run_dir, new, retry_failed, on_start, on_progress, handle_signals
        )
        del prepared  # the suites are released before the end of the run reads the store
        job = _start_cells(outcome.run_dir) if report and outcome.status == "complete" else None
        try:
            judged = await _judge(
                outcome, made, cascade, cascade_audit, judge_min_valid, judge_max_connections,
                handle_signals,
            )  # fmt: skip
            record = finish(outcome.run_dir, cells_job=job) if report else None
        finally:
            if job is not None:
                job.close()
        return replace(_result(outcome, record), judging=judged)


def _start_cells(run_dir: Path) -> CellsJob | None:
    """A large run's report cells, made ready in another process while the run ends."""
    from anjeon.reports import REPORT_NAME, start_cells

    return start_cells(run_dir, run_dir / REPORT_NAME)


async def _judge(
    outcome: RunOutcome,
    made: list[Judge],
    cascade: bool,
    cascade_audit: float | None,
    min_valid: int | None,
    connections: int,
    handle_signals: bool,
) -> list[JudgeOutcome]:
    """Judge a complete run's answers (see docs/judges.md); an interrupted or stopped
    judging leaves the run resumable as the engine does: the same call asks the rest."""
    if not made or outcome.status != "complete":
        return []
    from anjeon.engine import EngineConfig
    from anjeon.judges import judge_run

    judged = await judge_run(
        outcome.run_dir,
        made,
        cascade=cascade,
        audit=(cascade_audit or 0.0) / 100,
        min_valid=min_valid,
        engine=EngineConfig(max_connections=connections),
        handle_signals=handle_signals,
    )
    stopped = [o.result for o in judged if o.result.stop_reason is not None]
    if stopped:
        outcome.status = "stopped" if stopped[0].stop_reason == "auth" else "interrupted"
        outcome.result.message = stopped[0].message
    return judged


def _prepare(spec: RunSpec) -> Prepared:
    """The engine's checks and, with them, the reference standard's (analysis is a
    later stage than the engine, so the front door asks it): every problem at once."""
    from anjeon.analysis import load_standard
    from anjeon.engine import prepare

    problems = []
    if spec.standard is not None:
        try:
            load_standard(spec.standard)
        except InputError as e:
            problems.extend(e.problems)
    try:
        prepared = prepare(spec)
    except InputError as e:
        raise InputError([*e.problems, *problems]) from None
    if problems:
        raise InputError(problems)
    return prepared


def model_is_object(model: object) -> bool:
    return model is not None and not isinstance(model, str)


async def _execute(
    prepared: object,
    run_dir: Path | None,
    new: bool,
    retry_failed: bool,
    on_start: StartFn | None,
    on_progress: ProgressFn | None,
    handle_signals: bool,
) -> RunOutcome:
    from anjeon.engine import Prepared, execute

    assert isinstance(prepared, Prepared)
    # the loaded suites live for the whole run: move them out of the cyclic GC's
    # generations, which would otherwise re-traverse every item on each full pass
    gc.collect()
    gc.freeze()
    try:
        return await execute(
            prepared,
            resume=run_dir,
            new=new,
            retry_failed=retry_failed,
            on_start=on_start,
            on_progress=on_progress,
            handle_signals=handle_signals,
        )
    finally:
        gc.unfreeze()


def finish(
    run_dir: Path, standard: str | None = None, *, cells_job: CellsJob | None = None
) -> Record:
    """The end of a run: score what the engine did not score inline, then write
    ``record.json`` and ``report.html`` (the report always from the record beside it).
    ``cells_job``: the report's cells, written by another process (``start_cells``)."""
    from anjeon._rescore import score_run
    from anjeon.analysis import build_record, save_record
    from anjeon.reports import write_report

    gc.collect()
    score_run(run_dir)
    if cells_job is not None:
        cells_job.go()  # the labels are final: the cells are written while the record is built
    record = build_record(run_dir, standard)
    save_record(run_dir, record)
    write_report(run_dir, record, cells_job=cells_job)
    return record


def _result(outcome: RunOutcome, record: Record | None) -> RunResult:
    from anjeon.store import RunStore

    store = RunStore.open(outcome.run_dir)
    try:
        counts = store.counts()
        labels = store.score_labels()
        top = store.top_errors(3) if counts["failed"] else []
    finally:
        store.close()
    r = outcome.result
    return RunResult(
        run_dir=outcome.run_dir,
        status=outcome.status,
        record=record,
        planned=outcome.planned,
        answered=counts["answered"],
        failed=counts["failed"],
        pending=max(0, outcome.planned - counts["answered"] - counts["failed"]),
        resumed_from=outcome.resumed_from,
        requests=r.requests,
        error_kinds=dict(r.error_kinds),
        message=r.message,
        score_labels=labels,
        stop_reason=r.stop_reason,
        stop_status=r.status,
        abandoned=r.abandoned,
        top_errors=top,
        listed_models=outcome.listed_models,
    )


def _blocking(fn: Callable[P, Coroutine[object, object, RunResult]]) -> Callable[P, RunResult]:
    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> RunResult:
        """Run suites against a model (or resume a run): ``run_async`` for code without a
        running event loop (a script, the CLI). The same arguments, the same result."""
        return asyncio.run(fn(*args, **kwargs))

    run.__name__ = run.__qualname__ = "run"
    run.__doc__ = (
        "Run suites against a model (or resume a run) and wait for it: ``run_async`` for\n"
        "code without a running event loop. Same arguments, same ``RunResult``.\n\n"
        + (fn.__doc__ or "")
    )
    return run


run = _blocking(run_async)
