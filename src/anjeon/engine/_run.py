"""A whole run: validate everything, then create (or resume) the run directory and
drive the engine. Every InputError is raised before anything is written."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from anjeon._errors import InputError, Problem, StorageError
from anjeon._version import __version__
from anjeon.engine import _score_worker
from anjeon.engine._attack import Rewriter
from anjeon.engine._engine import Engine, EngineConfig, EngineResult, ProgressFn
from anjeon.engine._plan import (
    NO_TRANSFORM,
    check_transforms,
    count_cells,
    iter_cells,
    needs_model,
)
from anjeon.engine._score_worker import ScoreWorker, start_worker
from anjeon.engine._scoring import ScoreHook, inline_scorer, scorer_versions
from anjeon.engine._signals import interrupt_on_signals
from anjeon.store import (
    RunStore,
    find_resumable,
    new_run_id,
    new_run_lock,
    read_config,
    run_lock,
    write_config,
)
from anjeon.suites import Suite, builtin_suite_ids, resolve_suite
from anjeon.targets import GenerateConfig, Target, TargetSettings, make_target
from anjeon.transforms import TransformSpec

StartFn = Callable[[Path, int, int], None]  # run_dir, planned, already finished


@dataclass
class RunSpec:
    """Everything that defines a run (what ``run.yaml`` records)."""

    suites: list[str]
    model: str | Target  # provider/model, or a Target object (e.g. a ScriptedTarget)
    settings: TargetSettings = field(default_factory=TargetSettings)
    gen: GenerateConfig = field(default_factory=GenerateConfig)
    transforms: list[TransformSpec] = field(default_factory=lambda: [TransformSpec(NO_TRANSFORM)])
    epochs: int = 1
    limit: int | None = None
    engine: EngineConfig = field(default_factory=EngineConfig)
    runs_dir: Path = Path("runs")
    score: bool = True
    # the model that rewrites prompts for paraphrase, translate-pivot and crescendo;
    # temperature 0 by default, so that its rewrites are as reproducible as it allows
    attacker: str | None = None
    attacker_settings: TargetSettings = field(default_factory=TargetSettings)
    attacker_gen: GenerateConfig = field(default_factory=lambda: GenerateConfig(temperature=0.0))
    standard: str | None = None  # the reference standard grades use (analysis only)


@dataclass
class Prepared:
    spec: RunSpec
    suites: list[Suite]
    target: Target
    planned: int
    config: dict[str, object]
    config_hash: str
    attacker: Target | None = None


@dataclass
class RunOutcome:
    run_dir: Path
    planned: int
    resumed_from: int
    result: EngineResult
    status: str
    listed_models: list[str] | None = None  # what the target's GET /models offered


def _suite_ref(ref: str) -> str:
    # a user's suite is recorded by absolute path so --resume works from anywhere (a
    # bare folder name too, unless it names a built-in suite, which wins when loading)
    p = Path(ref)
    if not p.exists() or ("/" not in ref and "\\" not in ref and ref in builtin_suite_ids()):
        return ref
    return str(p.resolve())


def _standard_ref(ref: str | None) -> str | None:
    # a standard file is recorded by absolute path, a built-in one by its id
    if ref is None or not Path(ref).is_file():
        return ref
    return str(Path(ref).resolve())


def _attacker_problem(name: str, p: Problem) -> Problem:
    # the target factories name the target's flags; the attacker has its own
    msg = re.sub(r"--(base-url|api-key-env)\b", r"--attacker-\1", p.message)
    return Problem(p.file, p.line, p.field, f"attacker {name}: {msg}")


def prepare(spec: RunSpec) -> Prepared:
    """Load and check everything (suites, target, transforms): InputError or ready."""
    problems: list[Problem] = []
    if not spec.suites:
        problems.append(Problem("", None, None, "give at least one suite in `suites`"))
    if spec.epochs < 1:
        problems.append(Problem("", None, None, "`epochs` must be at least 1"))
    if spec.limit is not None and spec.limit < 1:
        problems.append(Problem("", None, None, "`limit` must be at least 1"))
    if spec.engine.max_connections < 1:
        problems.append(Problem("", None, None, "`max_connections` must be at least 1"))
    suites: list[Suite] = []
    for ref in spec.suites:
        try:
            suites.append(resolve_suite(ref))
        except InputError as e:
            problems.extend(e.problems)
    ids = [s.id for s in suites]
    for sid in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem("", None, None, f"suite {sid!r} is given more than once"))
    try:
        check_transforms(spec.transforms, attacker=spec.attacker is not None)
    except InputError as e:
        problems.extend(e.problems)
    target: Target | None = None
    if not isinstance(spec.model, str):
        target = spec.model
    else:
        try:
            target = make_target(spec.model, spec.settings, spec.gen)
        except InputError as e:
            problems.extend(e.problems)
    attacker: Target | None = None
    if spec.attacker is not None:
        try:
            attacker = make_target(spec.attacker, spec.attacker_settings, spec.attacker_gen)
        except InputError as e:
            problems.extend(_attacker_problem(spec.attacker, p) for p in e.problems)
    if problems or target is None:
        raise InputError(problems)
    planned = count_cells(suites, spec.transforms, spec.epochs, spec.limit)
    target_desc = target.describe()
    if not isinstance(spec.model, str):
        # a Target object: the config names its class, so the record says what ran
        cls = type(spec.model)
        target_desc = {**target_desc, "python_class": f"{cls.__module__}.{cls.__qualname__}"}
    identity = {
        "suites": [[s.id, s.sha256] for s in suites],
        "target": target_desc["name"],
        "base_url": target_desc.get("base_url"),
        "generate": spec.gen.fingerprint(),
        "transforms": [t.to_dict() for t in spec.transforms],
        "epochs": spec.epochs,
        "limit": spec.limit,
    }
    attacker_desc: dict[str, object] | None = None
    if attacker is not None:
        attacker_desc = {
            **attacker.describe(),
            "generate": {**asdict(spec.attacker_gen), "stop": list(spec.attacker_gen.stop)},
        }
        # only when given, so the hash of a run without an attacker stays what it was
        identity["attacker"] = {
            "target": attacker_desc["name"],
            "base_url": attacker_desc.get("base_url"),
            "generate": spec.attacker_gen.fingerprint(),
        }
    config_hash = hashlib.sha256(
        json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:16]
    config: dict[str, object] = {
        "run_id": None,
        "created": None,
        "anjeon_version": __version__,
        "config_hash": config_hash,
        "target": target_desc,
        "generate": {**asdict(spec.gen), "stop": list(spec.gen.stop)},
        "engine": asdict(spec.engine),
        "suites": [
            {
                "ref": _suite_ref(ref),
                "id": s.id,
                "version": s.version,
                "sha256": s.sha256,
                "items": len(s.items),
            }
            for ref, s in zip(spec.suites, suites, strict=True)
        ],
        "transforms": [t.to_dict() for t in spec.transforms],
        "epochs": spec.epochs,
        "limit": spec.limit,
        "planned": planned,
        "attacker": attacker_desc,
        "standard": _standard_ref(spec.standard),
    }
    return Prepared(spec, suites, target, planned, config, config_hash, attacker)


def spec_from_config(cfg: dict[str, Any], runs_dir: Path, engine: EngineConfig | None) -> RunSpec:
    """The RunSpec recorded in a run.yaml (for ``--resume``)."""
    try:
        t = cfg["target"]
        g = dict(cfg.get("generate") or {})
        g["stop"] = tuple(g.get("stop") or ())
        settings = TargetSettings(
            base_url=t.get("base_url") if t.get("protocol") != "builtin" else None,
            api_key_env=t.get("api_key_env"),
            max_connections=(engine or EngineConfig(**cfg["engine"])).max_connections,
            max_answer_chars=t.get("max_answer_chars", TargetSettings.max_answer_chars),
        )
        return RunSpec(
            suites=[s["ref"] for s in cfg["suites"]],
            model=t["name"],
            settings=settings,
            gen=GenerateConfig(**g),
            transforms=[
                TransformSpec(x["name"], dict(x.get("params") or {})) for x in cfg["transforms"]
            ],
            epochs=int(cfg["epochs"]),
            limit=cfg.get("limit"),
            engine=engine or EngineConfig(**cfg["engine"]),
            runs_dir=runs_dir,
            standard=cfg.get("standard"),
            **_attacker_from_config(cfg.get("attacker"), engine or EngineConfig(**cfg["engine"])),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(f"run.yaml: cannot read the run's config: {e!r}") from None


def _attacker_from_config(a: dict[str, Any] | None, engine: EngineConfig) -> dict[str, Any]:
    if not a:
        return {}
    g = dict(a.get("generate") or {})
    g["stop"] = tuple(g.get("stop") or ())
    return {
        "attacker": a["name"],
        "attacker_settings": TargetSettings(
            base_url=a.get("base_url") if a.get("protocol") != "builtin" else None,
            api_key_env=a.get("api_key_env"),
            max_connections=engine.max_connections,
        ),
        "attacker_gen": GenerateConfig(**g),
    }


def _check_same(prep: Prepared, recorded: dict[str, Any], run_dir: Path) -> None:
    if recorded.get("config_hash") == prep.config_hash:
        return
    problems = []
    old = {s["id"]: s["sha256"] for s in recorded.get("suites", [])}
    for s in prep.suites:
        if old.get(s.id) not in (None, s.sha256):
            problems.append(
                Problem(
                    str(run_dir / "run.yaml"),
                    None,
                    "suites",
                    f"suite {s.id!r} changed since the run started "
                    f"(sha256 {old[s.id][:12]} then, {s.sha256[:12]} now)",
                )
            )
    if not problems:
        problems.append(
            Problem(
                str(run_dir / "run.yaml"), None, None, "the run's configuration no longer matches"
            )
        )
    raise InputError(problems)


async def execute(
    prep: Prepared,
    *,
    resume: Path | None = None,
    new: bool = False,
    retry_failed: bool = False,
    on_start: StartFn | None = None,
    on_progress: ProgressFn | None = None,
    handle_signals: bool = False,
) -> RunOutcome:
    """Run (or resume) and return the outcome. With ``handle_signals`` SIGINT/SIGTERM
    stop the run cleanly (a second one leaves at once), as ``anjeon run`` asks."""
    await prep.target.start()  # an unreachable server is bad input: nothing written yet
    _check_model_listed(prep.target)
    store: RunStore | None = None
    worker: ScoreWorker | None = None
    locks = contextlib.ExitStack()
    try:
        if prep.attacker is not None:
            await prep.attacker.start()  # the same for the attacker
        run_dir = resume
        created = False
        if run_dir is not None:
            # the lock first: a second writer is refused before anything is touched
            locks.enter_context(run_lock(run_dir))
        else:
            # choosing (or creating) the run and locking it is one step, so two
            # identical commands started together find one run and one is refused
            with new_run_lock(prep.spec.runs_dir):
                if not new:
                    run_dir = find_resumable(prep.spec.runs_dir, prep.config_hash)
                if run_dir is not None:
                    locks.enter_context(run_lock(run_dir))
                else:
                    run_dir = _create_run(prep, locks)
                    created = True
        if not created:
            recorded = read_config(run_dir)
            _check_same(prep, recorded, run_dir)
            if (
                prep.spec.standard is not None
                and recorded.get("standard") != prep.config["standard"]
            ):
                # the standard only affects analysis: a resume may choose another one
                write_config(run_dir, {**recorded, "standard": prep.config["standard"]})
        store = RunStore.open(run_dir)
        store.write_items(prep.suites)
        if retry_failed:
            store.forget_failed()
        else:
            failed_before = store.counts()["failed"]
            if failed_before:
                print(
                    f"note: {failed_before} cells of this run failed earlier and are not "
                    "asked again; add --retry-failed to ask them again",
                    file=sys.stderr,
                )
        done = store.finished_keys()
        hook: ScoreHook | None = inline_scorer() if prep.spec.score else None
        versions = scorer_versions() if hook is not None else {}
        if hook is not None and prep.planned - len(done) >= _score_worker.WORKER_MIN_CELLS:
            # a large session scores on the machine's other core (see _score_worker)
            worker = start_worker(store.path, versions, store.last_cell_rowid())
            hook = worker or hook
        if done:  # a resume: only scorers inline in every session so far stay complete
            before = store.inline_scores()
            versions = {k: v for k, v in versions.items() if before.get(k) == v}
        # which scorer versions labelled every answered cell as it arrived (the end of
        # the run then has nothing left to score for them)
        store.set_meta(
            status="running", pid=os.getpid(), started=time.time(), inline_scores=versions
        )
        if on_start is not None:
            on_start(run_dir, prep.planned, len(done))
        spec = prep.spec
        cells = iter_cells(
            prep.suites,
            spec.transforms,
            spec.epochs,
            prep.target.name,
            spec.gen,
            skip=done,
            limit=spec.limit,
            rewrites=store.rewrite,
        )
        rewriter = None
        if prep.attacker is not None and any(needs_model(t) for t in spec.transforms):
            rewriter = Rewriter(prep.attacker, prep.target, spec.gen.system)
        engine = Engine(
            prep.target,
            store,
            cells,
            spec.engine,
            score=hook,
            on_progress=on_progress,
            rewrite=rewriter,
        )
        result = await (_run_with_signals(engine) if handle_signals else engine.run())
        if worker is not None and engine.writer.score is not None:
            await _finish_worker(worker, store, engine)
        if hook is not None and engine.writer.score is None:
            store.set_meta(inline_scores={})  # scoring failed mid-run: score it later
        counts = store.counts()
        complete = counts["answered"] + counts["failed"] >= prep.planned
        status = (
            "complete"
            if complete and result.stop_reason is None
            else ("stopped" if result.stop_reason in ("auth", "failing") else "interrupted")
        )
        store.set_meta(
            status=status,
            stop_reason=result.stop_reason,
            finished=time.time() if status == "complete" else None,
        )
    except StorageError:
        if store is not None:
            with contextlib.suppress(Exception):
                store.set_meta(status="stopped", stop_reason="storage")
        raise
    finally:
        if worker is not None:
            worker.close()
        if store is not None:
            store.close()
        await prep.target.close()
        if prep.attacker is not None:
            await prep.attacker.close()
        locks.close()
    listed = getattr(prep.target, "listed_models", None)
    return RunOutcome(run_dir, prep.planned, len(done), result, status, listed)


async def _finish_worker(worker: ScoreWorker, store: RunStore, engine: Engine) -> None:
    """The labels the scoring process still owes, stored; if it fails, inline scoring
    is off for the run (its end scores what has no label)."""
    # generous: a child that keeps up owes a batch or two; one far behind still ends
    timeout = 60.0 + engine.result.answered / 500
    try:
        rows = await worker.finish(timeout)
    except RuntimeError as e:
        print(f"warning: scoring disabled for this run: {e}", file=sys.stderr)
        engine.writer.score = None
        return
    store.write(scores=rows)


def _create_run(prep: Prepared, locks: contextlib.ExitStack) -> Path:
    """A new run directory, locked before its config is written."""
    run_id = new_run_id(prep.target.name)
    run_dir = prep.spec.runs_dir / run_id
    run_dir.mkdir(parents=True)
    locks.enter_context(run_lock(run_dir))
    config = {
        **prep.config,
        "run_id": run_id,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    write_config(run_dir, config)
    RunStore.open(run_dir).close()  # a run directory from now on (for find_resumable)
    return run_dir


def _check_model_listed(target: Target) -> None:
    """A warning (not an error: some servers list no models, or not all they serve)
    when the server's ``GET /models`` does not list the model asked for."""
    listed = getattr(target, "listed_models", None)
    model = getattr(target, "model", None)
    if listed is None or model is None or model in listed:
        return
    offer = ", ".join(listed[:10]) + (" …" if len(listed) > 10 else "")
    print(
        f"warning: the server does not list model {model!r}; it offers: {offer or 'none'}",
        file=sys.stderr,
    )


async def _run_with_signals(engine: Engine) -> EngineResult:
    with interrupt_on_signals(engine.interrupt):
        return await engine.run()
