"""Async execution of a plan against a target, with one batching writer.

The hot path is per cell: no model validation, no per-cell commit, no per-cell task.
N worker coroutines (N = --max-connections) pull cells from one shared generator; every
finished attempt becomes plain tuples in the writer's buffers, committed in batches.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from anjeon._errors import StorageError
from anjeon.engine._attack import RewriteFn
from anjeon.engine._limits import Bucket, backoff
from anjeon.engine._plan import Cell
from anjeon.engine._scoring import ScoreHook
from anjeon.store import RunStore
from anjeon.store._store import CellRow, ErrorRow, RequestRow, ResponseRow, RewriteRow
from anjeon.targets import Reply, Target, TargetError

ProgressFn = Callable[[int, int, int], None]  # answered, failed, attempt errors
WAIT_NOTICE_EVERY = 5.0  # seconds between "waiting for the server" lines


@dataclass(frozen=True)
class EngineConfig:
    max_connections: int = 32
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    retry_after_max: float = 300.0
    rpm: float | None = None
    tpm: float | None = None
    flush_interval: float = 0.25
    flush_rows: int = 2000
    #: stop when the first this-many requests all fail with the same HTTP status (a
    #: wrong model name, a bad request): paying for the rest would buy nothing (0: never)
    early_stop: int = 20


@dataclass
class EngineResult:
    answered: int = 0
    failed: int = 0
    requests: int = 0
    errors: int = 0
    abandoned: int = 0  # requests in flight when the run stopped (counted in requests)
    # "auth" | "failing" | "interrupted" | "storage" | None (ran to the end)
    stop_reason: str | None = None
    message: str | None = None
    status: int | None = None  # the HTTP status that stopped the run ("auth", "failing")
    error_kinds: dict[str, int] = field(default_factory=dict)


class Writer:
    """Buffers rows and commits them in one transaction per batch."""

    def __init__(self, store: RunStore, score: ScoreHook | None) -> None:
        self.store, self.score = store, score
        self.cells: list[CellRow] = []
        self.requests: list[RequestRow] = []
        self.responses: list[ResponseRow] = []
        self.errors: list[ErrorRow] = []
        self.rewrites: list[RewriteRow] = []
        self.answered: list[tuple[Cell, Reply]] = []

    def flush(self) -> None:
        if not (self.cells or self.requests or self.rewrites):
            return
        scores = []
        if self.score is not None and self.answered:
            try:
                scores = self.score(self.answered)
            except Exception as e:
                # scoring can be redone from the store later; never lose answers over it
                print(f"warning: scoring disabled for this run: {e!r}", file=sys.stderr)
                self.score = None
        self.store.write(
            self.cells, self.requests, self.responses, self.errors, scores, self.rewrites
        )
        self.cells, self.requests, self.responses, self.errors = [], [], [], []
        self.answered, self.rewrites = [], []


class Engine:
    def __init__(
        self,
        target: Target,
        store: RunStore,
        cells: Iterator[Cell],
        config: EngineConfig,
        *,
        score: ScoreHook | None = None,
        on_progress: ProgressFn | None = None,
        rewrite: RewriteFn | None = None,
    ) -> None:
        """``rewrite`` computes the model-backed transform of a ``pending`` cell (see
        ``Rewriter``); a plan with pending cells needs one."""
        self.target, self.cells, self.config = target, cells, config
        self.rewrite = rewrite
        self.writer = Writer(store, score)
        self.on_progress = on_progress
        self.result = EngineResult()
        self._rpm = Bucket(config.rpm) if config.rpm else None
        self._tpm = Bucket(config.tpm, burst_seconds=10.0) if config.tpm else None
        self._workers: list[asyncio.Task[None]] = []
        self._stopping = False
        self._storage_error: BaseException | None = None
        self._first_statuses: list[int | None] = []
        self._first_keys: list[str] = []  # cells of the first requests that failed
        self._wait_until = 0.0  # monotonic time the longest Retry-After wait ends
        self._last_notice = 0.0
        self._capped_notice = False

    # -- control -----------------------------------------------------------------------

    def interrupt(self) -> None:
        """Ctrl-C: abandon in-flight requests (their cells stay pending) and flush."""
        if self.result.stop_reason is None:
            self.result.stop_reason = "interrupted"
            self.result.message = "interrupted"
        self._stopping = True
        for t in self._workers:
            t.cancel()

    def _fatal(self, e: TargetError, reason: str = "auth") -> None:
        if self.result.stop_reason is None:
            self.result.stop_reason, self.result.message = reason, e.message
            self.result.status = e.status
        self._stopping = True

    def _first(self, status: int | None, key: str, e: TargetError | None = None) -> None:
        """Watch the session's first requests: all failing alike stops the run."""
        n = self.config.early_stop
        seen = self._first_statuses
        if n <= 0 or len(seen) >= n:
            return
        seen.append(status)
        if e is not None:
            self._first_keys.append(key)
        if (
            e is not None
            and len(seen) == n
            and e.status is not None
            and e.status not in (408, 409, 429)
            and all(s == e.status for s in seen)
        ):
            self._fatal(e, "failing")

    async def run(self) -> EngineResult:
        """Drive every cell; raises StorageError (after stopping every worker) when the
        store cannot be written, so a run never goes on paying for answers it loses."""
        n = max(1, self.config.max_connections)
        self._workers = [asyncio.create_task(self._worker()) for _ in range(n)]
        ticker = asyncio.create_task(self._tick())
        try:
            results = await asyncio.gather(*self._workers, return_exceptions=True)
        finally:
            ticker.cancel()
            self._flush()
            if self.result.stop_reason == "failing" and self._storage_error is None:
                # the cells the first requests failed are pending again: once the cause
                # is fixed, the same command asks them again
                self.writer.store.forget_cells(self._first_keys)
        if self._storage_error is not None:
            e = self._storage_error
            w = self.writer
            raise StorageError(
                f"cannot write to {w.store.path}: {type(e).__name__}: {e}; the run stopped. "
                f"{len(w.cells)} finished cells were not written and will be asked again "
                "on resume; everything written before stays."
            ) from e
        for r in results:
            if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError):
                raise r
        return self.result

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.config.flush_interval)
            self._flush()
            if self._storage_error is not None:
                return
            self._countdown()

    def _countdown(self) -> None:
        """While workers wait on a long Retry-After, say so every few seconds: a run is
        never silent for minutes."""
        left = self._wait_until - time.monotonic()
        now = time.monotonic()
        if left >= 1 and now - self._last_notice >= WAIT_NOTICE_EVERY:
            self._last_notice = now
            print(f"waiting for the server (Retry-After): {left:.0f} s left", file=sys.stderr)

    def _flush(self) -> None:
        """Write the buffers; a failure stops the run (it is never retried in a loop, and
        never dies unseen inside the ticker task)."""
        if self._storage_error is not None:
            return
        w = self.writer
        try:
            w.flush()
        except Exception as e:
            self._storage_error = e
            self.result.stop_reason = "storage"
            self.result.message = f"{type(e).__name__}: {e}"
            self._stopping = True
            current = asyncio.current_task()
            for t in self._workers:
                if t is not current:
                    t.cancel()
            return
        if self.on_progress is not None:
            r = self.result
            self.on_progress(r.answered, r.failed, r.errors)

    # -- the hot path ------------------------------------------------------------------

    async def _worker(self) -> None:
        cells = self.cells
        w = self.writer
        flush_rows = self.config.flush_rows
        since_yield = 0
        while not self._stopping:
            cell = next(cells, None)
            if cell is None:
                return
            await self._run_cell(cell)
            if len(w.requests) >= flush_rows:
                self._flush()
            since_yield += 1
            if since_yield >= 64:
                # targets that answer without I/O (built-ins) would otherwise never let
                # the writer, progress or Ctrl-C run
                since_yield = 0
                await asyncio.sleep(0)

    async def _run_cell(self, cell: Cell) -> None:
        w, res, target = self.writer, self.result, self.target
        key = cell.key
        attempt = 0
        est = 0
        while True:
            attempt += 1
            if cell.pending is not None:
                # the attacker's part of the cell: its failures are the cell's attempts
                started = time.time()
                t0 = time.perf_counter()
                try:
                    # awaited first: ``w.rewrites.append(await …)`` would bind the list
                    # before the await, and a flush during it replaces the list, losing
                    # the row (the attacker would then be asked again on resume)
                    row = await self._rewrite(cell)
                except TargetError as e:
                    if await self._failed(cell, attempt, started, t0, e):
                        continue
                    return
                w.rewrites.append(row)
            if self._rpm is not None:
                await self._rpm.acquire()
            if self._tpm is not None:
                est = sum(len(m["content"]) for m in cell.messages) // 4 + 1
                await self._tpm.acquire(est)
            started = time.time()
            t0 = time.perf_counter()
            try:
                reply = await target.generate(cell.messages, key)
            except TargetError as e:
                if await self._failed(cell, attempt, started, t0, e):
                    continue
                return
            except asyncio.CancelledError:
                # abandoned in flight (Ctrl-C, a stop): it may still be billed, so it
                # counts in usage; the cell stays pending and a resume asks again
                res.requests += 1
                res.abandoned += 1
                w.requests.append(
                    (key, attempt, started, time.perf_counter() - t0, None, "abandoned")
                )
                raise
            latency = time.perf_counter() - t0
            res.requests += 1
            res.answered += 1
            self._first(200, key)
            if self._tpm is not None and reply.input_tokens is not None:
                self._tpm.adjust((reply.input_tokens + (reply.output_tokens or 0)) - est)
            w.requests.append((key, attempt, started, latency, 200, "ok"))
            w.responses.append(
                (
                    key,
                    reply.text,
                    reply.finish_reason,
                    reply.input_tokens,
                    reply.output_tokens,
                    latency,
                )
            )
            w.answered.append((cell, reply))
            w.cells.append(self._cell_row(cell, "answered", attempt))
            return

    async def _rewrite(self, cell: Cell) -> RewriteRow:
        if self.rewrite is None:
            raise RuntimeError(f"cell {cell.key}: a model-backed transform and no attacker")
        return await self.rewrite(cell)

    async def _failed(
        self, cell: Cell, attempt: int, started: float, t0: float, e: TargetError
    ) -> bool:
        """Record a failed attempt; True when the cell is to be tried again (after the
        backoff), False when it ended (terminal error recorded) or the run stops."""
        cfg, w, res = self.config, self.writer, self.result
        key = cell.key
        latency = time.perf_counter() - t0
        res.requests += 1
        res.errors += 1
        res.error_kinds[e.kind] = res.error_kinds.get(e.kind, 0) + 1
        w.requests.append((key, attempt, started, latency, e.status, e.kind))
        terminal = not e.retryable or attempt > cfg.max_retries or e.fatal
        w.errors.append((key, attempt, e.kind, e.status, e.message, int(terminal)))
        self._first(e.status, key, e)
        if self._stopping and self.result.stop_reason == "failing":
            return False  # the cell stays pending: fixed and resumed, it is asked again
        if e.fatal:
            self._fatal(e)
            return False  # the cell stays pending: a resumed run asks again
        if not terminal:
            delay = backoff(
                attempt, cfg.backoff_base, cfg.backoff_max, e.retry_after, cfg.retry_after_max
            )
            over = e.retry_after is not None and e.retry_after > cfg.retry_after_max
            if over and not self._capped_notice:
                self._capped_notice = True
                print(
                    f"the server asked to wait {e.retry_after:.0f} s; waiting at most "
                    f"{cfg.retry_after_max:g} s per retry (--retry-after-max)",
                    file=sys.stderr,
                )
            if delay >= WAIT_NOTICE_EVERY:
                self._wait_until = max(self._wait_until, time.monotonic() + delay)
            await asyncio.sleep(delay)
            return not self._stopping
        res.failed += 1
        w.cells.append(self._cell_row(cell, "failed", attempt))
        return False

    @staticmethod
    def _cell_row(cell: Cell, status: str, attempts: int) -> CellRow:
        it = cell.item
        return (
            cell.key,
            cell.seq,
            cell.suite,
            it.id,
            it.locale,
            it.hazard,
            cell.transform,
            cell.params_json,
            cell.epoch,
            json.dumps(cell.messages, ensure_ascii=False),
            status,
            attempts,
            time.time(),
        )
