"""Per-cell export: one row per finished cell (CSV, JSON Lines or Parquet), streamed
from the run store, never held whole. Columns: ``anjeon.store.EXPORT_COLUMNS``, then
one label column per scorer that labelled the run."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from anjeon._errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

ExportFormat = Literal["csv", "jsonl", "parquet"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "jsonl", "parquet")
PARQUET_BATCH = 5000
PARQUET_HINT = "parquet export needs pyarrow: pip install 'anjeon[parquet]'"


def cell_stream(run_dir: Path) -> tuple[list[str], Iterator[tuple[object, ...]]]:
    """The export columns and the cells as rows, streamed from the store (closed at the end)."""
    from anjeon.store import RunStore, read_config

    run_id = str(read_config(run_dir)["run_id"])
    store = RunStore.open(run_dir)
    columns, rows = store.cell_rows(run_id)

    def stream() -> Iterator[tuple[object, ...]]:
        try:
            yield from rows
        finally:
            store.close()

    return columns, stream()


def write_csv(columns: list[str], rows: Iterator[tuple[object, ...]], f: IO[str]) -> int:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(columns)
    n = 0
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
        n += 1
    return n


def write_jsonl(columns: list[str], rows: Iterator[tuple[object, ...]], f: IO[str]) -> int:
    n = 0
    for row in rows:
        f.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_parquet(columns: list[str], rows: Iterator[tuple[object, ...]], path: Path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(PARQUET_HINT) from None
    schema = pa.schema([(c, pa.int64() if c == "epoch" else pa.string()) for c in columns])
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[tuple[object, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= PARQUET_BATCH:
                writer.write_table(_table(schema, columns, batch))
                n += len(batch)
                batch = []
        if batch or n == 0:
            writer.write_table(_table(schema, columns, batch))
            n += len(batch)
    return n


def _table(schema: pa.Schema, columns: list[str], batch: list[tuple[object, ...]]) -> pa.Table:
    import pyarrow as pa

    data = {c: [row[i] for row in batch] for i, c in enumerate(columns)}
    return pa.Table.from_pydict(data, schema=schema)


def export_cells(
    run_dir: Path, fmt: str, out: Path | None = None, stdout: IO[str] | None = None
) -> int:
    """Write the run's cells as ``fmt`` to ``out`` (or ``stdout`` for csv / jsonl);
    returns the number of rows. Parquet needs a file and pyarrow."""
    if fmt not in FORMATS:
        raise InputError(f"`format` must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "parquet":
        if out is None:
            raise InputError("parquet export needs `output` (a file)")
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError(PARQUET_HINT) from None
    columns, rows = cell_stream(run_dir)
    if fmt == "parquet":
        assert out is not None
        return _atomic(out, lambda tmp: write_parquet(columns, rows, tmp))
    writer = write_csv if fmt == "csv" else write_jsonl
    if out is None:
        if stdout is None:
            raise InputError("give `output` (a file) or a stream")
        return writer(columns, rows, stdout)

    def to_file(tmp: Path) -> int:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            return writer(columns, rows, f)

    return _atomic(out, to_file)


def _atomic(out: Path, write: Callable[[Path], int]) -> int:
    """Write through a temporary file: a failed export leaves nothing behind."""
    tmp = out.with_name(out.name + ".tmp")
    try:
        n = write(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(out)
    return n
