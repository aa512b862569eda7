"""Judge calls with the engine's discipline: N workers (bounded concurrency), retries
with backoff honouring Retry-After, a requests-per-minute bucket, batched hand-off to a
writer, Ctrl-C that abandons in-flight calls (their cells stay unjudged, a rerun asks
again), and a stop on refused credentials.

A failed request is retried; a request that fails for good becomes a judge error on
its cell, as does an answer not in the judge's format. Neither stops the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from anjeon.engine import EngineConfig, interrupt_on_signals
from anjeon.engine._limits import Bucket, backoff
from anjeon.judges._base import Case, Verdict
from anjeon.judges._judge import Judge
from anjeon.targets import TargetError


@dataclass(frozen=True, slots=True)
class Job:
    key: str  # the cell judged (or a gold line's id)
    case: Case
    source: str = "judge"  # "judge" | "audit" (a cascade-skipped cell judged anyway)


@dataclass(frozen=True, slots=True)
class Judged:
    job: Job
    verdict: Verdict
    attempts: int
    latency: float


@dataclass
class RunnerResult:
    judged: int = 0
    valid: int = 0
    judge_errors: int = 0
    requests: int = 0
    retries: int = 0
    stop_reason: str | None = None  # "auth" | "interrupted" | None
    message: str | None = None
    error_kinds: dict[str, int] = field(default_factory=dict)


Sink = Callable[[list[Judged]], None]


class Runner:
    def __init__(
        self,
        judge: Judge,
        jobs: Iterable[Job],
        config: EngineConfig,
        sink: Sink,
        *,
        flush_rows: int = 200,
    ) -> None:
        self.judge, self.config, self.sink = judge, config, sink
        self.jobs: Iterator[Job] = iter(jobs)
        self.flush_rows = flush_rows
        self.result = RunnerResult()
        self._buffer: list[Judged] = []
        self._rpm = Bucket(config.rpm) if config.rpm else None
        self._workers: list[asyncio.Task[None]] = []
        self._stopping = False

    def interrupt(self) -> None:
        if self.result.stop_reason is None:
            self.result.stop_reason, self.result.message = "interrupted", "interrupted"
        self._stopping = True
        for t in self._workers:
            t.cancel()

    def _flush(self) -> None:
        if self._buffer:
            batch, self._buffer = self._buffer, []
            self.sink(batch)

    async def run(self) -> RunnerResult:
        n = max(1, self.config.max_connections)
        self._workers = [asyncio.create_task(self._worker()) for _ in range(n)]

        async def tick() -> None:
            while True:
                await asyncio.sleep(self.config.flush_interval)
                self._flush()

        ticker = asyncio.create_task(tick())
        try:
            for r in await asyncio.gather(*self._workers, return_exceptions=True):
                if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError):
                    raise r
        finally:
            ticker.cancel()
            self._flush()
        return self.result

    async def _worker(self) -> None:
        since_yield = 0
        while not self._stopping:
            job = next(self.jobs, None)
            if job is None:
                return
            done = await self._one(job)
            if done is not None:
                self._buffer.append(done)
                res = self.result
                res.judged += 1
                if done.verdict.valid:
                    res.valid += 1
                else:
                    res.judge_errors += 1
                if len(self._buffer) >= self.flush_rows:
                    self._flush()
            since_yield += 1
            if since_yield >= 64:
                since_yield = 0
                await asyncio.sleep(0)

    async def _one(self, job: Job) -> Judged | None:
        cfg, res = self.config, self.result
        key = f"judge:{self.judge.name}:{self.judge.version}:{job.key}"
        attempt = 0
        t0 = time.perf_counter()
        while True:
            attempt += 1
            if self._rpm is not None:
                await self._rpm.acquire()
            res.requests += 1
            try:
                verdict = await self.judge.judge(job.case, key)
            except TargetError as e:
                res.error_kinds[e.kind] = res.error_kinds.get(e.kind, 0) + 1
                if e.fatal:
                    if res.stop_reason is None:
                        res.stop_reason, res.message = "auth", e.message
                    self._stopping = True
                    return None  # unjudged: a rerun asks again
                if e.retryable and attempt <= cfg.max_retries:
                    res.retries += 1
                    await asyncio.sleep(
                        backoff(
                            attempt,
                            cfg.backoff_base,
                            cfg.backoff_max,
                            e.retry_after,
                            cfg.retry_after_max,
                        )
                    )
                    if self._stopping:
                        return None
                    continue
                verdict = Verdict(None, error=f"request: {e.kind}: {e.message}")
            return Judged(job, verdict, attempt, time.perf_counter() - t0)


async def run_jobs(
    judge: Judge,
    jobs: Iterable[Job],
    config: EngineConfig,
    sink: Sink,
    *,
    handle_signals: bool = False,
) -> RunnerResult:
    """Judge every job (start and close the judge's target around it). With
    ``handle_signals`` (the CLI), Ctrl-C is handled as the engine does: the first stops
    cleanly, a second leaves at once; a library caller cancels the task instead."""
    runner = Runner(judge, jobs, config, sink)
    await judge.start()
    try:
        with interrupt_on_signals(runner.interrupt, handle_signals):
            return await runner.run()
    finally:
        await judge.close()
