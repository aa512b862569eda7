"""After a run: ``anjeon.score``, ``report``, ``compare`` and ``load_run``.

Each takes a run directory (or a run id with ``runs_dir``) and returns typed objects;
the CLI commands of the same names only call these and print.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas

    from anjeon.analysis import Record
    from anjeon.reports._compare import CompareData


def _run_dir(run: str | Path, runs_dir: str | Path | None) -> Path:
    from anjeon.store import find_run

    return find_run(run, None if runs_dir is None else Path(runs_dir))


def score(
    run: str | Path,
    scorers: Sequence[str] | None = None,
    *,
    force: bool = False,
    record: bool = True,
    runs_dir: str | Path | None = "runs",
) -> dict[str, int]:
    """Score a run from its store (never calling the target): the named scorers, or all
    registered ones; only cells a scorer's version has not labelled yet, unless
    ``force``. Rewrites ``record.json`` when ``record``. Returns cells scored per scorer."""
    from anjeon._rescore import score_run
    from anjeon.analysis import write_record
    from anjeon.store import run_lock

    run_dir = _run_dir(run, runs_dir)
    with run_lock(run_dir):  # one writer: never beside a live run or another score
        done = score_run(run_dir, list(scorers) if scorers else None, force=force)
        if record:
            write_record(run_dir)
    return done


def record(
    run: str | Path,
    *,
    standard: str | Path | None = None,
    write: bool = False,
    runs_dir: str | Path | None = "runs",
) -> Record:
    """The run's record, built now from its store (and written as ``record.json`` when
    ``write``); ``standard`` chooses the reference standard for grades."""
    from anjeon.analysis import build_record, save_record
    from anjeon.store import run_lock

    run_dir = _run_dir(run, runs_dir)
    if not write:
        return build_record(run_dir, standard)  # a reader: works on a live run
    with run_lock(run_dir):
        rec = build_record(run_dir, standard)
        save_record(run_dir, rec)
    return rec


def report(
    run: str | Path,
    *,
    references: Sequence[str | Path] = (),
    standard: str | Path | None = None,
    lang: str = "en",
    max_cells: int | None = None,
    out: str | Path | None = None,
    runs_dir: str | Path | None = "runs",
) -> Path:
    """Write the run's ``record.json`` and its self-contained HTML report (``out`` or
    ``report.html`` in the run directory) and return the report's path. ``references``:
    runs of reference systems shown beside it."""
    from anjeon._errors import InputError
    from anjeon.reports import load_reference, write_report

    if max_cells is not None and max_cells < 0:
        raise InputError("`max_cells` must be ≥ 0")
    run_dir = _run_dir(run, runs_dir)
    refs = [load_reference(_run_dir(r, runs_dir)) for r in references]
    from anjeon.store import run_lock

    with run_lock(run_dir):  # the record and the report it is built from, together
        rec = record(run_dir, standard=standard, write=True, runs_dir=None)
        return write_report(
            run_dir,
            rec,
            references=refs,
            lang=lang,
            max_cells=max_cells,
            out=None if out is None else Path(out),
        )


def compare(*runs: str | Path, runs_dir: str | Path | None = "runs") -> CompareData:
    """Each run after the first against the first, paired cell by cell: differences of
    violation and over-refusal rates per hazard and locale, with intervals and exact
    McNemar p-values."""
    from anjeon.reports import compare_runs

    return compare_runs([_run_dir(r, runs_dir) for r in runs])


@dataclass(frozen=True)
class Run:
    """A run directory, read: its config, its record and its cells."""

    run_dir: Path

    @property
    def run_id(self) -> str:
        return str(self.config["run_id"])

    @property
    def config(self) -> dict[str, Any]:
        """``run.yaml``: what was run, with what settings."""
        from anjeon.store import read_config

        return read_config(self.run_dir)

    @property
    def record(self) -> Record:
        """``record.json`` if the run has one, else built now from the store."""
        from anjeon.analysis import RECORD_NAME, build_record, load_record

        path = self.run_dir / RECORD_NAME
        return load_record(path) if path.is_file() else build_record(self.run_dir)

    def columns(self) -> list[str]:
        """The export's columns: cell fields, then one label column per scorer."""
        from anjeon.store import RunStore

        store = RunStore.open(self.run_dir)
        try:
            return store.cell_rows(self.run_id)[0]
        finally:
            store.close()

    def rows(self) -> Iterator[dict[str, object]]:
        """One dict per finished cell, in run order, streamed from the store."""
        columns, rows = self._rows()
        for row in rows:
            yield dict(zip(columns, row, strict=True))

    def _rows(self) -> tuple[list[str], Iterator[tuple[object, ...]]]:
        from anjeon.reports import cell_stream

        return cell_stream(self.run_dir)

    def export(self, output: str | Path, format: str | None = None) -> int:
        """Write the cells to ``output`` as csv, jsonl or parquet (from the file's suffix
        unless ``format`` says); returns the number of rows."""
        from anjeon.reports import export_cells

        out = Path(output)
        return export_cells(self.run_dir, format or out.suffix.lstrip(".") or "csv", out)

    def to_pandas(self) -> pandas.DataFrame:
        """The cells as a DataFrame (one row per cell; needs pandas installed)."""
        try:
            import pandas
        except ImportError:
            from anjeon._errors import InputError

            raise InputError(
                "to_pandas needs pandas: pip install pandas (or anjeon[parquet])"
            ) from None
        columns, rows = self._rows()
        return pandas.DataFrame.from_records(list(rows), columns=columns)


def load_run(run: str | Path, *, runs_dir: str | Path | None = "runs") -> Run:
    """A run directory (or a run id in ``runs_dir``) to read: ``.record``, ``.config``,
    ``.rows()``, ``.to_pandas()``."""
    return Run(_run_dir(run, runs_dir))
