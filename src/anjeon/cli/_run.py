"""``anjeon run``: run suites against a target into a run directory (resumable)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from anjeon import RunResult

from anjeon._exitcodes import FAILED_CELLS as EXIT_FAILED_CELLS
from anjeon._exitcodes import INTERRUPTED as EXIT_INTERRUPTED
from anjeon._exitcodes import STOPPED as EXIT_STOPPED
from anjeon.cli._common import (
    JUDGE_API_KEY_ENV_OPTION,
    JUDGE_BASE_URL_OPTION,
    JUDGE_MIN_VALID_OPTION,
    JUDGE_OPTION,
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
    runs_dir: Path = typer.Option(None, help="Where run directories go [default: runs]."),
    resume: Path = typer.Option(None, help="Continue this run directory."),
    new: bool = typer.Option(False, "--new", help="Start a new run even if one can resume."),
    retry_failed: bool = typer.Option(
        False, help="Ask failed cells again (of the run resumed, by --resume or by rerunning)."
    ),
    score: bool = typer.Option(
        None, "--score/--no-score", help="Score refusals inline [default: score]."
    ),
    standard: str | None = typer.Option(
        None, "--standard", help="Reference standard for grades: a built-in id or a file."
    ),
    report: bool = typer.Option(
        None,
        "--report/--no-report",
        help="Write record.json and report.html at the end [default: report].",
    ),
    config: Path = typer.Option(
        None,
        "--config",
        "-c",
        help="An assessment file (YAML) with these settings; flags override it.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    judge: list[str] = JUDGE_OPTION,
    judge_base_url: str = JUDGE_BASE_URL_OPTION,
    judge_api_key_env: str = JUDGE_API_KEY_ENV_OPTION,
    cascade: bool | None = typer.Option(
        None, "--cascade/--no-cascade", help="Clear refusals skip the judge [default: on]."
    ),
    cascade_audit: float | None = typer.Option(
        None, "--cascade-audit", help="Percent of cascade-skipped cells judged anyway."
    ),
    judge_min_valid: int = JUDGE_MIN_VALID_OPTION,
    judge_max_connections: int | None = typer.Option(
        None, help="Concurrent judge requests [default: 8]."
    ),
) -> None:
    """Run suites against a target. The last line printed is the run directory."""
    options = dict(locals())  # the options, before any other local name exists
    import sys

    import anjeon
    from anjeon.cli._common import as_params

    progress: _Progress | _Lines | None = None
    if not quiet:
        # a bar only where someone watches; logs and CI get a line every few seconds
        progress = _Progress() if sys.stderr.isatty() else _Lines()
    try:
        result = anjeon.run(
            **as_params(options, "quiet"),
            on_start=progress.start if progress else _announce,
            on_progress=progress.update if progress else None,
            handle_signals=True,
        )
    finally:
        if progress is not None:
            progress.close()
    _summary(result)


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
        self._bar: Progress | None = None
        self._task: TaskID | None = None
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
        if self._bar is None or self._task is None:
            return
        dt = time.perf_counter() - self._t0
        rate = f"{(answered + failed) / dt:,.0f}" if dt > 0 else "-"
        errs = f"failed {failed}, request errors {errors}" if errors else ""
        self._bar.update(self._task, completed=self._base + answered + failed, rate=rate, errs=errs)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _summary(result: RunResult) -> None:
    from anjeon._redact import server_text

    typer.echo(
        f"{result.status}: {result.answered} answered, {result.failed} failed, "
        f"{result.pending} pending of {result.planned} cells "
        f"({result.requests} requests this session"
        + (f", {result.abandoned} abandoned in flight" if result.abandoned else "")
        + ")"
    )
    if result.error_kinds:
        typer.echo(
            "request errors: "
            + ", ".join(f"{k} {n}" for k, n in sorted(result.error_kinds.items()))
        )
    for o in result.judging:
        typer.echo(
            f"judge {o.judge}: {o.judged} judged ({o.result.judge_errors} judge errors), "
            f"{o.cascade_skipped} clear refusals not sent (cascade)"
            + (f", {o.audited} audited" if o.audited else "")
        )
    if result.record is not None:
        from anjeon.analysis import to_text

        typer.echo("\n" + to_text(result.record))
    else:
        for scorer, by_label in result.score_labels.items():
            typer.echo(f"{scorer}: " + ", ".join(f"{k} {n}" for k, n in by_label.items()))
    if result.failed and result.top_errors:
        typer.echo("failed cells, by cause (the server's own words):", err=True)
        for kind, status, n, message in result.top_errors:
            what = f"{kind} (HTTP {status})" if status else kind
            typer.echo(f"  {n:>6}  {what}: {server_text(message, limit=240)}", err=True)
    if result.status == "stopped":
        why = server_text(result.message or "", limit=400)
        typer.echo(f"error: stopped early: {why}", err=True)
        if result.stop_reason == "failing":
            typer.echo(
                f"the first {result.requests} requests all failed the same way; nothing "
                "more was sent.",
                err=True,
            )
            hint = _model_hint(result)
            if hint:
                typer.echo(hint, err=True)
            typer.echo(
                "fix the cause, then rerun the same command (or anjeon run --resume "
                f"{result.run_dir})",
                err=True,
            )
        else:
            typer.echo(f"fix the credentials, then: anjeon run --resume {result.run_dir}", err=True)
    elif result.status == "interrupted":
        typer.echo(f"interrupted; continue with: anjeon run --resume {result.run_dir}", err=True)
    elif result.failed:
        typer.echo(
            f"{result.failed} cells failed; once the cause is fixed: anjeon run --resume "
            f"{result.run_dir} --retry-failed",
            err=True,
        )
    typer.echo(str(result.run_dir))
    if result.status == "stopped":
        raise typer.Exit(EXIT_STOPPED)
    if result.status == "interrupted":
        raise typer.Exit(EXIT_INTERRUPTED)
    if result.failed:
        raise typer.Exit(EXIT_FAILED_CELLS)


def _model_hint(result: RunResult) -> str | None:
    """For a 404 on every request: the models the server lists, when it lists any."""
    if result.stop_status != 404:
        return None
    if result.listed_models is None:
        return "the server has no model list (GET /models); check the model name"
    offer = ", ".join(result.listed_models[:20])
    more = " …" if len(result.listed_models) > 20 else ""
    return f"a wrong model name? the server offers: {offer or 'none'}{more}"
