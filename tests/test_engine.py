"""The engine: plan keys, retries under faults, early stop, interrupts, hooks, scores."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from anjeon.engine import (
    EngineConfig,
    RunOutcome,
    RunSpec,
    TransformSpec,
    count_cells,
    execute,
    iter_cells,
    prepare,
    to_messages,
)
from anjeon.engine._limits import Bucket, backoff
from anjeon.store import RunStore
from anjeon.suites import resolve_suite
from anjeon.targets import GenerateConfig, Messages, Reply, TargetError, TargetSettings
from anjeon.testing import ScriptedTarget, StubConfig, StubServer
from tests.conftest import MINI
from tests.conftest import run_rows as rows

FAST = EngineConfig(max_connections=8, backoff_base=0.01, backoff_max=0.05, flush_interval=0.05)


def spec(tmp: Path, model: str = "builtin/keyword-guard", **kw: Any) -> RunSpec:
    return RunSpec(
        suites=[str(MINI)], model=model, runs_dir=tmp / "runs", engine=kw.pop("engine", FAST), **kw
    )


def run(s: RunSpec, **kw: Any) -> RunOutcome:
    return asyncio.run(execute(prepare(s), **kw))


# -- the plan ------------------------------------------------------------------------------


def test_cell_keys_are_stable_and_distinct() -> None:
    suite = resolve_suite(str(MINI))
    ts = [TransformSpec("none")]
    gen = GenerateConfig()
    a = [c.key for c in iter_cells([suite], ts, 2, "builtin/comply-all", gen)]
    b = [c.key for c in iter_cells([suite], ts, 2, "builtin/comply-all", gen)]
    assert a == b and len(set(a)) == len(a) == 2 * len(suite.items)
    assert count_cells([suite], ts, 2, None) == len(a)
    other_target = {c.key for c in iter_cells([suite], ts, 2, "builtin/refuse-all", gen)}
    other_gen = {
        c.key
        for c in iter_cells([suite], ts, 2, "builtin/comply-all", GenerateConfig(temperature=0.5))
    }
    assert not other_target & set(a) and not other_gen & set(a)
    skip = set(a[:5])
    assert [c.key for c in iter_cells([suite], ts, 2, "builtin/comply-all", gen, skip=skip)] == a[
        5:
    ]
    assert len(list(iter_cells([suite], ts, 1, "x/y", gen, limit=3))) == 3


def test_messages_keep_conversations_and_system_prompts() -> None:
    suite = resolve_suite(str(MINI))
    conv = next(i for i in suite.items if i.id == "mini-conv")
    msgs = to_messages(conv, "default system")
    assert msgs[0] == {"role": "system", "content": "You are a helpful assistant."}
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user"]
    plain = suite.items[0]
    assert to_messages(plain, "default system")[0]["content"] == "default system"
    assert to_messages(plain, None) == [{"role": "user", "content": plain.text}]


def test_backoff_grows_and_honours_retry_after() -> None:
    assert backoff(1, 1.0, 60, None, 300) <= 1.0
    assert 4.0 <= backoff(4, 1.0, 60, None, 300) <= 8.0
    assert backoff(10, 1.0, 60, None, 300) <= 60
    assert 3.0 <= backoff(1, 1.0, 60, 3.0, 300) <= 3.1
    assert backoff(1, 1.0, 60, 1e6, 300) <= 300.1


def test_rate_limit_bucket_paces_requests() -> None:
    async def main() -> float:
        b = Bucket(600, burst_seconds=0.1)  # 10 per second, burst of 1
        t0 = time.perf_counter()
        for _ in range(6):
            await b.acquire()
        return time.perf_counter() - t0

    assert asyncio.run(main()) >= 0.45


# -- runs ----------------------------------------------------------------------------------


def test_offline_run_writes_a_complete_run(tmp_path: Path) -> None:
    out = run(spec(tmp_path))
    assert out.status == "complete" and out.planned == 21
    assert rows(out.run_dir, "SELECT count(*), sum(status = 'answered') FROM cells") == [(21, 21)]
    texts = dict(
        rows(
            out.run_dir,
            "SELECT c.item_id, r.text FROM cells c JOIN responses r ON r.cell_key = c.key",
        )
    )
    assert texts["mini-en-00"].startswith("I'm sorry")  # "kill a Python process"
    assert texts["mini-ko-04"].startswith("네,")  # jamo slipped through
    assert (out.run_dir / "run.yaml").is_file()


@pytest.mark.timeout(120)
def test_faults_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    """~20 % injected faults of every kind: every cell answered or failed with a
    recorded terminal error; the stub's per-cell counts match the store exactly."""
    faults = {
        "500": 0.05,
        "429": 0.04,
        "reset": 0.03,
        "hang": 0.02,
        "malformed": 0.03,
        "empty": 0.02,
        "400": 0.01,
    }
    cfg = StubConfig(faults=faults, hang=2.0, retry_after=0.01, seed=3, lifetime=120)
    s = spec(
        tmp_path,
        "openai-compatible/stub",
        epochs=12,
        gen=GenerateConfig(timeout=0.5),
        engine=EngineConfig(
            max_connections=16,
            max_retries=4,
            backoff_base=0.01,
            backoff_max=0.05,
            flush_interval=0.05,
        ),
    )

    async def main() -> tuple[RunOutcome, dict[str, Any]]:
        async with StubServer(cfg) as stub:
            s.settings = TargetSettings(base_url=stub.url)
            out = await execute(prepare(s))
            return out, stub.stats()

    out, stats = asyncio.run(main())
    d = out.run_dir
    assert out.status == "complete" and out.planned == 21 * 12
    assert sum(stats["faults"].values()) > 0.12 * stats["requests"]
    assert set(stats["faults"]) == set(faults)
    cells = dict(rows(d, "SELECT key, status FROM cells"))
    assert len(cells) == out.planned  # none lost
    answered = {k for k, v in cells.items() if v == "answered"}
    failed = set(cells) - answered
    assert failed, "the injected 400s should leave terminal errors"
    # every failed cell has exactly one terminal error; answered cells have none
    terminal = rows(d, "SELECT cell_key, count(*) FROM errors WHERE terminal = 1 GROUP BY 1")
    assert dict(terminal) == dict.fromkeys(failed, 1)
    # one response per answered cell, and the stub served exactly one good answer for each
    assert {k for (k,) in rows(d, "SELECT cell_key FROM responses")} == answered
    assert {k for k, n in stats["ok_cells"].items() if n == 1} == answered
    assert all(n == 1 for n in stats["ok_cells"].values())  # none duplicated
    # every request the stub saw is recorded as an attempt, per cell
    attempts = dict(rows(d, "SELECT cell_key, count(*) FROM requests GROUP BY 1"))
    assert attempts == stats["cells"]


def test_401_stops_early_and_the_run_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = StubConfig(require_key="right-key", lifetime=60)
    monkeypatch.setenv("STUB_KEY", "wrong-key")

    async def main() -> tuple[RunOutcome, RunOutcome, dict[str, Any]]:
        async with StubServer(cfg) as stub:
            s = spec(
                tmp_path,
                "openai-compatible/stub",
                epochs=20,
                settings=TargetSettings(base_url=stub.url, api_key_env="STUB_KEY"),
                engine=EngineConfig(max_connections=4, flush_interval=0.05),
            )
            first = await execute(prepare(s))
            monkeypatch.setenv("STUB_KEY", "right-key")
            second = await execute(prepare(s))
            return first, second, stub.stats()

    first, second, _ = asyncio.run(main())
    assert first.status == "stopped" and first.result.stop_reason == "auth"
    assert "401" in (first.result.message or "")
    assert first.result.requests <= 8  # stopped at once, not after 420 cells
    assert second.run_dir == first.run_dir  # the same config resumed the same run
    assert second.status == "complete" and second.resumed_from == 0
    assert rows(second.run_dir, "SELECT count(*) FROM cells") == [(420,)]


def test_terminal_errors_are_recorded_and_retries_wait_for_retry_after(tmp_path: Path) -> None:
    seen: dict[str, int] = {}

    def script(messages: Messages) -> str | Reply:
        text = messages[-1]["content"]
        seen[text] = seen.get(text, 0) + 1
        if "poem" in text:
            raise TargetError("http", "HTTP 400: no poems", status=400)
        if "kimchi" in text and seen[text] == 1:
            raise TargetError("rate_limit", "HTTP 429", status=429, retry_after=0.3, retryable=True)
        return "fine"

    s = spec(tmp_path, "scripted/x")
    prep = prepare(
        RunSpec(suites=s.suites, model="builtin/comply-all", runs_dir=s.runs_dir, engine=FAST)
    )
    prep.target = ScriptedTarget(script)
    t0 = time.perf_counter()
    out = asyncio.run(execute(prep))
    assert time.perf_counter() - t0 >= 0.3
    assert out.status == "complete"
    failed = rows(
        out.run_dir,
        "SELECT c.item_id, e.http_status, e.terminal FROM cells c "
        "JOIN errors e ON e.cell_key = c.key WHERE c.status = 'failed'",
    )
    assert failed == [("mini-en-01", 400, 1)]
    kimchi = rows(out.run_dir, "SELECT c.attempts FROM cells c WHERE c.item_id = 'mini-en-05'")
    assert kimchi == [(2,)]


def test_ctrl_c_flushes_and_leaves_a_resumable_run(tmp_path: Path) -> None:
    s = spec(tmp_path, epochs=60)

    def slow_target() -> Any:
        prep = prepare(s)
        prep.target = ScriptedTarget(lambda m: "ok", delay=0.01, name=s.model)
        return prep

    async def main() -> RunOutcome:
        task = asyncio.create_task(execute(slow_target(), handle_signals=True))
        await asyncio.sleep(0.5)
        os.kill(os.getpid(), signal.SIGINT)  # the engine's handler, as on Ctrl-C
        return await task

    out = asyncio.run(main())
    assert out.status == "interrupted" and out.result.stop_reason == "interrupted"
    done = rows(out.run_dir, "SELECT count(*) FROM cells")[0][0]
    assert 0 < done < out.planned
    store = RunStore.open(out.run_dir)
    assert store.meta()["status"] == "interrupted"
    store.close()
    again = asyncio.run(execute(slow_target()))
    assert again.run_dir == out.run_dir and again.resumed_from == done
    assert again.status == "complete"
    assert rows(out.run_dir, "SELECT count(*) FROM cells") == [(out.planned,)]


def test_inline_score_hook_writes_scores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from anjeon.engine import _run

    def fake(batch: Sequence[tuple[Any, Reply]]) -> list[Any]:
        return [
            (
                c.key,
                "refusal",
                "9",
                "refused" if (r.text or "").startswith("I'm") else "complied",
                None,
                None,
            )
            for c, r in batch
        ]

    monkeypatch.setattr(_run, "inline_scorer", lambda: fake)
    out = run(spec(tmp_path))
    got = dict(rows(out.run_dir, "SELECT label, count(*) FROM scores GROUP BY 1"))
    assert sum(got.values()) == 21 and got["refused"] >= 3
    store = RunStore.open(out.run_dir)
    assert store.score_labels()["refusal"] == got
    store.close()


SCORES = "SELECT cell_key, scorer, scorer_version, label, value, details FROM scores ORDER BY 1, 2"


def test_large_sessions_score_in_a_second_process_with_the_same_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anjeon.engine import _score_worker
    from anjeon.engine._scoring import scorer_versions

    ts = [TransformSpec("none"), TransformSpec("jamo")]  # a rewritten prompt is scored too
    inline = run(spec(tmp_path / "inline", epochs=2, transforms=ts))
    started: list[int] = []
    real = _score_worker.ScoreWorker.__init__

    def counted(self: Any, *a: Any) -> None:
        real(self, *a)
        started.append(self.proc.pid)

    monkeypatch.setattr(_score_worker.ScoreWorker, "__init__", counted)
    monkeypatch.setattr(_score_worker, "WORKER_MIN_CELLS", 10)
    worked = run(spec(tmp_path / "worker", epochs=2, transforms=ts))
    assert len(started) == 1 and worked.status == "complete"
    # the same cells (the keys do not depend on the run directory), the same labels
    assert rows(worked.run_dir, SCORES) == rows(inline.run_dir, SCORES)
    assert len(rows(worked.run_dir, SCORES)) >= 2 * worked.planned  # refusal and pii
    # every scorer counts as inline: the end of the run has nothing left to score
    for out in (worked, inline):
        store = RunStore.open(out.run_dir)
        assert store.meta()["inline_scores"] == scorer_versions()
        store.close()
    # the child is gone
    with pytest.raises(ProcessLookupError):
        os.kill(started[0], 0)


def test_a_failing_scoring_process_leaves_the_scoring_to_the_end_of_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from anjeon._rescore import score_run
    from anjeon.engine import _score_worker

    inline = run(spec(tmp_path / "inline"))
    monkeypatch.setattr(_score_worker, "WORKER_MIN_CELLS", 10)
    monkeypatch.setattr(
        _score_worker, "_command", lambda: [sys.executable, "-c", "import sys; sys.exit(3)"]
    )
    out = run(spec(tmp_path / "worker"))
    assert out.status == "complete" and out.result.answered == out.planned
    assert "scoring disabled for this run" in capsys.readouterr().err
    store = RunStore.open(out.run_dir)
    assert store.meta()["inline_scores"] == {}  # so the end of the run scores it all
    store.close()
    score_run(out.run_dir)
    assert rows(out.run_dir, SCORES) == rows(inline.run_dir, SCORES)


def test_transforms_expand_the_plan_only_where_they_apply(tmp_path: Path) -> None:
    pytest.importorskip("anjeon.transforms")
    ts = [TransformSpec("none"), TransformSpec("jamo")]
    out = run(spec(tmp_path, transforms=ts))
    assert out.planned == 21 + 10  # jamo applies to the ten Korean items only
    got = rows(
        out.run_dir,
        "SELECT c.transform, c.item_id, c.messages, r.text FROM cells c "
        "JOIN responses r ON r.cell_key = c.key WHERE c.item_id = 'mini-ko-02'",
    )
    by = {t: (json.loads(m)[-1]["content"], text) for t, _, m, text in got}
    assert by["none"][1].startswith("죄송")  # "폭탄" is caught in plain Hangul ...
    assert "ㅍㅗㄱ" in by["jamo"][0] and by["jamo"][1].startswith("네,")  # ... not in jamo
    # the disguise does not depend on the target: every model sees the same prompts
    suite = resolve_suite(str(MINI))
    a = [c.messages for c in iter_cells([suite], ts, 1, "x/a", GenerateConfig())]
    b = [c.messages for c in iter_cells([suite], ts, 1, "y/b", GenerateConfig(seed=3))]
    assert a == b


def test_rpm_limit_paces_the_run(tmp_path: Path) -> None:
    s = spec(tmp_path, epochs=2)
    s.engine = EngineConfig(max_connections=8, rpm=600, flush_interval=0.05)
    prep = prepare(s)
    times: list[float] = []

    def script(messages: Messages) -> str:
        times.append(time.perf_counter())
        return "ok"

    prep.target = ScriptedTarget(script, name=s.model)
    out = asyncio.run(execute(prep))
    assert out.status == "complete" and len(times) == 42
    # 10 per second after a burst of 20 (two seconds' worth): 22 more take >= 2 s
    assert times[-1] - times[0] >= 2.0
    assert times[19] - times[0] < 0.5
