"""``anjeon run``: run suites against a target into a run directory (resumable)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from anjeon._errors import InputError

if TYPE_CHECKING:
    from anjeon.engine import RunOutcome

from anjeon._exitcodes import INTERRUPTED as EXIT_INTERRUPTED
from anjeon._exitcodes import STOPPED as EXIT_STOPPED

# flags that define what is run; with --resume the run's own config decides them
_DEFINING = (
    "suite",
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
    "attacker",
    "attacker_base_url",
    "attacker_api_key_env",
    "attacker_temperature",
)


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    suite: list[str] = typer.Option(
        [], "--suite", "-s", help="A built-in suite id or the path of your own (repeatable)."
    ),
    model: str = typer.Option(
        None, "--model", "-m", help="provider/model, e.g. builtin/keyword-guard, openai/gpt-4o."
    ),
    base_url: str = typer.Option(None, help="Server URL of an OpenAI-compatible target."),
    api_key_env: str = typer.Option(
        None, help="Environment variable holding the API key (the key is never stored)."
    ),
    epochs: int = typer.Option(None, help="Repeat every item this many times [default: 1]."),
    limit: int = typer.Option(None, help="Only the first N items of each suite."),
    transforms: str = typer.Option(
        None,
        "--transforms",
        help="Transforms to add to the baseline, e.g. jamo,chosung[k=2] (see anjeon transforms).",
    ),
    transform_set: list[str] = typer.Option(
        [], "--transform-set", help="A named set of transforms, e.g. ko-script (repeatable)."
    ),
    attacker: str = typer.Option(
        None,
        help="provider/model that rewrites prompts for paraphrase, translate-pivot and "
        "crescendo (the model-backed transforms).",
    ),
    attacker_base_url: str = typer.Option(None, help="Server URL of the attacker."),
    attacker_api_key_env: str = typer.Option(
        None, help="Environment variable holding the attacker's API key."
    ),
    attacker_temperature: float = typer.Option(
        None, help="The attacker's temperature [default: 0]."
    ),
    temperature: float = typer.Option(None),
    max_tokens: int = typer.Option(None),
    top_p: float = typer.Option(None),
    seed: int = typer.Option(None, help="Sampling seed sent to the target."),
    stop: list[str] = typer.Option([], "--stop", help="Stop sequence (repeatable)."),
    system: str = typer.Option(None, help="System prompt for items that have none."),
    timeout: float = typer.Option(None, help="Seconds per request [default: 120]."),
    max_connections: int = typer.Option(None, help="Concurrent requests [default: 32]."),
    rpm: float = typer.Option(None, help="Requests per minute limit."),
    tpm: float = typer.Option(None, help="Tokens per minute limit."),
    max_retries: int = typer.Option(None, help="Retries of a failed request [default: 5]."),
    backoff: float = typer.Option(None, help="First retry wait in seconds [default: 1]."),
    retry_after_max: float = typer.Option(
        None, help="Longest wait honoured from a server's Retry-After, seconds [default: 300]."
    ),
    max_answer_chars: int = typer.Option(
        None,
        help="Cut longer answers here, flagged finish_reason anjeon_truncated [default: 200000].",
    ),
    runs_dir: Path = typer.Option(Path("runs"), help="Where run directories go."),
    resume: Path = typer.Option(None, help="Continue this run directory."),
    new: bool = typer.Option(False, "--new", help="Start a new run even if one can resume."),
    retry_failed: bool = typer.Option(
        False, help="Ask failed cells again (of the run resumed, by --resume or by rerunning)."
    ),
    score: bool = typer.Option(True, "--score/--no-score", help="Score refusals inline."),
    standard: str | None = typer.Option(
        None, "--standard", help="Reference standard for grades: a built-in id or a file."
    ),
    report: bool = typer.Option(
        True, "--report/--no-report", help="Write record.json and report.html at the end."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Run suites against a target. The last line printed is the run directory."""
    from anjeon.engine import EngineConfig, RunSpec, prepare, spec_from_config
    from anjeon.store import find_run, hold_until_exit, read_config
    from anjeon.targets import GenerateConfig, TargetSettings

    # the run's lock then covers the record and report written after the engine
    hold_until_exit()

    given = {k: v for k, v in locals().items() if k in _DEFINING and v not in (None, [], ())}
    eng_given = {
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
    if resume is not None:
        conflicts = sorted("--" + k.replace("_", "-") for k in given)
        if new:
            conflicts.append("--new")
        if conflicts:
            raise InputError(
                f"--resume takes the run's own config; it conflicts with {', '.join(conflicts)}"
            )
        run_dir = find_run(resume, runs_dir)
        cfg = read_config(run_dir)
        recorded = EngineConfig(**cfg.get("engine", {}))
        engine = EngineConfig(**{**recorded.__dict__, **eng_given})
        spec = spec_from_config(cfg, run_dir.parent, engine)
        if timeout is not None:
            spec.gen = GenerateConfig(**{**spec.gen.__dict__, "timeout": timeout})
            spec.attacker_gen = GenerateConfig(**{**spec.attacker_gen.__dict__, "timeout": timeout})
        spec.score = score
        if standard is not None:
            spec.standard = standard
    else:
        if not suite or not model:
            missing = [n for n, v in (("--suite", suite), ("--model", model)) if not v]
            raise InputError(f"missing {' and '.join(missing)} (or --resume RUN_DIR)")
        if attacker is None:
            orphans = [f"--{k.replace('_', '-')}" for k in given if k.startswith("attacker_")]
            if orphans:
                raise InputError(f"{', '.join(orphans)} goes with --attacker PROVIDER/MODEL")
        run_dir = None
        engine = EngineConfig(**eng_given)
        gen = GenerateConfig(
            temperature=temperature,
            max_tokens=max_tokens,
            top_p=top_p,
            seed=seed,
            stop=tuple(stop),
            system=system,
            timeout=timeout if timeout is not None else 120.0,
        )
        spec = RunSpec(
            suites=list(suite),
            model=model,
            settings=TargetSettings(
                base_url,
                api_key_env,
                engine.max_connections,
                **({} if max_answer_chars is None else {"max_answer_chars": max_answer_chars}),
            ),
            gen=gen,
            transforms=_transform_specs(transforms, transform_set),
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
    outcome = _execute(prepare(spec), run_dir, new, retry_failed, quiet)
    if report:
        # after the run, with the suites released: scoring, the record and the report
        # read everything back from the store, so the process never holds both
        import gc

        from anjeon.report import write_record_and_report

        gc.unfreeze()
        gc.collect()
        write_record_and_report(outcome.run_dir)
    _summary(outcome)


def _transform_specs(spec: str | None, sets: list[str]) -> list[Any]:
    """The baseline plus what --transforms / --transform-set name (``anjeon.transforms``
    parses both; duplicates are dropped, order kept)."""
    from anjeon.engine import NO_TRANSFORM, TransformSpec

    out = [TransformSpec(NO_TRANSFORM)]
    if not spec and not sets:
        return out
    try:
        from anjeon.transforms import parse_spec
    except ImportError:
        raise InputError("--transforms needs anjeon.transforms, not installed here") from None
    parsed = parse_spec(",".join([*sets, spec or ""]))
    for p in parsed:
        t = TransformSpec(p.name, dict(p.params))
        if t not in out:
            out.append(t)
    return out


def _execute(
    prepared: Any, run_dir: Path | None, new: bool, retry_failed: bool, quiet: bool
) -> RunOutcome:
    import asyncio
    import gc

    from anjeon.engine import execute

    # the loaded suites live for the whole run: move them out of the cyclic GC's
    # generations, which would otherwise re-traverse every item on each full pass
    # (``run`` unfreezes once the engine is done)
    gc.collect()
    gc.freeze()
    import sys

    progress: _Progress | _Lines | None = None
    if not quiet:
        # a bar only where someone watches; logs and CI get a line every few seconds
        progress = _Progress() if sys.stderr.isatty() else _Lines()
    try:
        return asyncio.run(
            execute(
                prepared,
                resume=run_dir,
                new=new,
                retry_failed=retry_failed,
                on_start=progress.start if progress else _announce,
                on_progress=progress.update if progress else None,
            )
        )
    finally:
        if progress is not None:
            progress.close()


class _Lines:
    """Progress as plain lines on stderr every few seconds (stderr is not a terminal)."""

    EVERY = 5.0

    def __init__(self) -> None:
        self._planned = self._base = 0
        self._t0 = self._last = 0.0

    def start(self, run_dir: Path, planned: int, done: int) -> None:
        _announce(run_dir, planned, done)
        self._planned, self._base = planned, done
        self._t0 = self._last = time.perf_counter()

    def update(self, answered: int, failed: int, errors: int) -> None:
        now = time.perf_counter()
        if now - self._last < self.EVERY:
            return
        self._last = now
        n = answered + failed
        rate = n / (now - self._t0) if now > self._t0 else 0.0
        typer.echo(
            f"progress: {self._base + n:,} of {self._planned:,} cells "
            f"({answered:,} answered, {failed:,} failed this session; request errors "
            f"{errors:,}), {rate:,.1f} cells/s",
            err=True,
        )

    def close(self) -> None:
        return None


def _announce(run_dir: Path, planned: int, done: int) -> None:
    verb = "resuming" if done else "starting"
    typer.echo(f"{verb} {run_dir}: {planned - done} of {planned} cells to run", err=True)


class _Progress:
    """A rich progress bar on stderr (rate, ETA, errors), refreshed by its own thread."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None
        self._base = 0

    def start(self, run_dir: Path, planned: int, done: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        _announce(run_dir, planned, done)
        self._base = done
        self._t0 = time.perf_counter()
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} cells/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[errs]}"),
            console=Console(stderr=True),
            refresh_per_second=4,
            transient=False,
        )
        self._task = self._bar.add_task("run", total=planned, completed=done, rate="-", errs="")
        self._bar.start()

    def update(self, answered: int, failed: int, errors: int) -> None:
        if self._bar is None:
            return
        dt = time.perf_counter() - self._t0
        rate = f"{(answered + failed) / dt:,.0f}" if dt > 0 else "-"
        errs = f"failed {failed}, request errors {errors}" if errors else ""
        self._bar.update(self._task, completed=self._base + answered + failed, rate=rate, errs=errs)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _summary(outcome: RunOutcome) -> None:
    from anjeon._exitcodes import FAILED_CELLS
    from anjeon._redact import server_text
    from anjeon.store import RunStore

    r = outcome.result
    store = RunStore.open(outcome.run_dir)
    try:
        counts = store.counts()
        labels = store.score_labels()
        top = store.top_errors(3)
    finally:
        store.close()
    typer.echo(
        f"{outcome.status}: {counts['answered']} answered, {counts['failed']} failed, "
        f"{max(0, outcome.planned - counts['answered'] - counts['failed'])} pending "
        f"of {outcome.planned} cells ({r.requests} requests this session"
        + (f", {r.abandoned} abandoned in flight" if r.abandoned else "")
        + ")"
    )
    if r.error_kinds:
        typer.echo(
            "request errors: " + ", ".join(f"{k} {n}" for k, n in sorted(r.error_kinds.items()))
        )
    record = outcome.run_dir / "record.json"
    if record.is_file():
        import json

        from anjeon.analysis import to_text

        typer.echo("\n" + to_text(json.loads(record.read_text(encoding="utf-8"))))
    else:
        for scorer, by_label in labels.items():
            typer.echo(f"{scorer}: " + ", ".join(f"{k} {n}" for k, n in by_label.items()))
    if counts["failed"] and top:
        typer.echo("failed cells, by cause (the server's own words):", err=True)
        for kind, status, n, message in top:
            what = f"{kind} (HTTP {status})" if status else kind
            typer.echo(f"  {n:>6}  {what}: {server_text(message, limit=240)}", err=True)
    if outcome.status == "stopped":
        typer.echo(f"error: stopped early: {server_text(r.message or '', limit=400)}", err=True)
        if r.stop_reason == "failing":
            typer.echo(
                f"the first {outcome.result.requests} requests all failed the same way; "
                "nothing more was sent.",
                err=True,
            )
            hint = _model_hint(outcome)
            if hint:
                typer.echo(hint, err=True)
            typer.echo(
                f"fix the cause, then rerun the same command (or anjeon run --resume "
                f"{outcome.run_dir})",
                err=True,
            )
        else:
            typer.echo(
                f"fix the credentials, then: anjeon run --resume {outcome.run_dir}", err=True
            )
    elif outcome.status == "interrupted":
        typer.echo(f"interrupted; continue with: anjeon run --resume {outcome.run_dir}", err=True)
    elif counts["failed"]:
        typer.echo(
            f"{counts['failed']} cells failed; once the cause is fixed: anjeon run --resume "
            f"{outcome.run_dir} --retry-failed",
            err=True,
        )
    typer.echo(str(outcome.run_dir))
    if outcome.status == "stopped":
        raise typer.Exit(EXIT_STOPPED)
    if outcome.status == "interrupted":
        raise typer.Exit(EXIT_INTERRUPTED)
    if counts["failed"]:
        raise typer.Exit(FAILED_CELLS)


def _model_hint(outcome: RunOutcome) -> str | None:
    """For a 404 on every request: the models the server lists, when it lists any."""
    if outcome.result.status != 404:
        return None
    listed = outcome.listed_models
    if listed is None:
        return "the server has no model list (GET /models); check the model name"
    offer = ", ".join(listed[:20]) + (" …" if len(listed) > 20 else "")
    return f"a wrong model name? the server offers: {offer or 'none'}"
