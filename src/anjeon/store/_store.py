"""One SQLite file per run (WAL), written by a single batching writer."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from anjeon._errors import InputError
from anjeon._json import JSONObject
from anjeon.store._schema import migrate

if TYPE_CHECKING:
    from anjeon.suites import Suite

DB_NAME = "run.db"

CellRow = tuple[str, int, str, str, str, str, str, str, int, str, str, int, float]
RequestRow = tuple[str, int, float, float, int | None, str]
ResponseRow = tuple[str, str | None, str | None, int | None, int | None, float]
ErrorRow = tuple[str, int, str, int | None, str, int]
ScoreRow = tuple[str, str, str, str, float | None, str | None]
# key, suite, item_id, transform, params, seed, prompt JSON, attacker, requests, latency, created
RewriteRow = tuple[str, str, str, str, str, str, str, str, int, float, float]
# rowid, key, suite, item_id, item JSON, messages JSON, status, text, finish_reason, then
# a 0/1 per scorer asked about
ToScoreRow = tuple[int, str, str, str, str, str, str, str | None, str | None, *tuple[int, ...]]
# key, suite, item_id, transform, epoch, status, label, then the item's hazard, locale,
# persona, kind, expected, pair_id, template
ResultRow = tuple[
    str, str, str, str, int, str, str | None, str, str, str, str, str, str | None, str | None
]
# key, suite:item_id, locale, hazard, transform, epoch, messages JSON, status, text,
# finish_reason, input_tokens, output_tokens, latency ms, persona, kind, expected,
# terminal error, then each scorer's label
ReportRow = tuple[
    str, str, str, str, str, int, str, str, str | None, str | None, int | None, int | None,
    int | None, str, str, str, str | None, *tuple[str | None, ...],
]  # fmt: skip


class Usage(TypedDict):
    """What the run's answers cost: responses, token sums, mean latency, requests."""

    responses: int
    input_tokens: int
    output_tokens: int
    mean_latency_s: float | None
    requests: int
    abandoned: int


class DamagedStore(InputError):
    """A run.db that is not a readable anjeon store (truncated, overwritten, empty):
    named, never reused or replaced silently (exit code 2)."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(
            f"{path}: the run's store is damaged ({why}); it was left as it is. Restore it "
            "from a copy, or move the run directory away and start a new run"
        )
        self.path = path


class RunStore:
    """The run's database. Not thread-safe: one writer (the engine's) per run."""

    def __init__(self, path: Path | str, *, readonly: bool = False) -> None:
        """``readonly``: a reader beside the run's writer (another process), which
        neither migrates nor changes the file's settings."""
        self.path = Path(path)
        if self.path.is_file() and self.path.stat().st_size == 0:
            # sqlite would take it for a new database and the run would start over
            raise DamagedStore(self.path, "the file is empty")
        if readonly:
            uri = self.path.resolve().as_uri() + "?mode=ro"
            self.con = sqlite3.connect(uri, uri=True, isolation_level=None)
            self.con.execute("PRAGMA busy_timeout=5000")
            return
        # isolation_level=None: transactions are explicit, one per batch
        self.con = sqlite3.connect(self.path, isolation_level=None)
        try:
            self.con.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives a process crash (SIGKILL); only a power
            # loss can drop the last transactions, which resume then simply re-runs
            self.con.execute("PRAGMA synchronous=NORMAL")
            self.con.execute("PRAGMA busy_timeout=5000")
            migrate(self.con)
            self.con.execute("SELECT count(*) FROM cells").fetchone()
        except sqlite3.DatabaseError as e:
            self.con.close()
            raise DamagedStore(self.path, str(e)) from None

    @classmethod
    def open(cls, run_dir: Path | str) -> RunStore:
        return cls(Path(run_dir) / DB_NAME)

    def close(self) -> None:
        self.con.close()

    # -- meta ------------------------------------------------------------------------

    def set_meta(self, **values: object) -> None:
        rows = [(k, json.dumps(v)) for k, v in values.items()]
        self.con.execute("BEGIN")
        self.con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", rows)
        self.con.execute("COMMIT")

    def meta(self) -> JSONObject:
        return {k: json.loads(v) for k, v in self.con.execute("SELECT key, value FROM meta")}

    def meta_object(self, key: str) -> JSONObject:
        """One meta value that is a JSON object ({} when it is absent or not one)."""
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        value = None if row is None else json.loads(row[0])
        return value if isinstance(value, dict) else {}

    def inline_scores(self) -> dict[str, str]:
        """scorer -> the version that labelled every answered cell as it arrived."""
        return {k: v for k, v in self.meta_object("inline_scores").items() if isinstance(v, str)}

    # -- writing ---------------------------------------------------------------------

    def write(
        self,
        cells: Sequence[CellRow] = (),
        requests: Sequence[RequestRow] = (),
        responses: Sequence[ResponseRow] = (),
        errors: Sequence[ErrorRow] = (),
        scores: Sequence[ScoreRow] = (),
        rewrites: Sequence[RewriteRow] = (),
    ) -> None:
        """One transaction for a whole batch; cells last, so a committed cell row
        always has its response or error (and its rewrite) with it."""
        con = self.con
        con.execute("BEGIN")
        try:
            if rewrites:
                con.executemany(
                    "INSERT OR REPLACE INTO rewrites VALUES (?,?,?,?,?,?,?,?,?,?,?)", rewrites
                )
            if requests:
                con.executemany(
                    "INSERT INTO requests (cell_key, attempt, started, latency, "
                    "http_status, outcome) VALUES (?,?,?,?,?,?)",
                    requests,
                )
            if responses:
                con.executemany("INSERT OR REPLACE INTO responses VALUES (?,?,?,?,?,?)", responses)
            if errors:
                con.executemany(
                    "INSERT INTO errors (cell_key, attempt, kind, http_status, "
                    "message, terminal) VALUES (?,?,?,?,?,?)",
                    errors,
                )
            if scores:
                con.executemany("INSERT OR REPLACE INTO scores VALUES (?,?,?,?,?,?)", scores)
            if cells:
                con.executemany(
                    "INSERT OR REPLACE INTO cells VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", cells
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def write_scores(self, rows: Iterable[ScoreRow]) -> None:
        self.con.execute("BEGIN")
        self.con.executemany("INSERT OR REPLACE INTO scores VALUES (?,?,?,?,?,?)", rows)
        self.con.execute("COMMIT")

    def drop_other_versions(self, scorer: str, version: str) -> None:
        """Delete a scorer's labels of any other version (one version per run)."""
        self.con.execute(
            "DELETE FROM scores WHERE scorer = ? AND scorer_version != ?", (scorer, version)
        )

    def cells_to_score(
        self, scorers: Sequence[tuple[str, str]], after: int, limit: int, *, force: bool = False
    ) -> list[ToScoreRow]:
        """One batch of finished cells after a rowid: (rowid, key, suite, item_id, item
        JSON, messages JSON, status, text, finish_reason, then a 0/1 per scorer: does this
        (name, version) still need the cell?). Without ``force`` only cells some scorer
        needs. Paged on the rowid: a range search in the table's own order, so no sort
        and no cursor left open across the writes."""
        n = len(scorers)
        joins = "".join(
            f"LEFT JOIN scores s{j} ON s{j}.cell_key = c.key AND s{j}.scorer = ? "
            f"AND s{j}.scorer_version = ? "
            for j in range(0 if force else n)
        )
        needs = ["1"] * n if force else [f"s{j}.cell_key IS NULL" for j in range(n)]
        sql = (
            "SELECT c.rowid, c.key, c.suite, c.item_id, i.data, c.messages, c.status, r.text, "
            f"r.finish_reason, {', '.join(needs)} FROM cells c "
            "JOIN items i ON i.suite = c.suite AND i.item_id = c.item_id "
            f"LEFT JOIN responses r ON r.cell_key = c.key {joins}WHERE c.rowid > ? "
        )
        if not force:
            sql += f"AND ({' OR '.join(needs)}) "
        params = () if force else tuple(x for nv in scorers for x in nv)
        return self.con.execute(
            sql + "ORDER BY c.rowid LIMIT ?", (*params, after, limit)
        ).fetchall()

    def write_items(self, suites: Iterable[Suite]) -> None:
        """Record every item of the run's suites (idempotent: a resume rewrites the same)."""
        rows = (
            (suite.id, it.id, it.model_dump_json(exclude_none=True))
            for suite in suites
            for it in suite.items
        )
        self.con.execute("BEGIN")
        self.con.executemany("INSERT OR REPLACE INTO items VALUES (?, ?, ?)", rows)
        self.con.execute("COMMIT")

    def forget_failed(self) -> int:
        """Make failed cells pending again (``--retry-failed``); their errors stay."""
        self.con.execute("BEGIN")
        # their scores go too (every scorer's: a failed cell is scored unscoreable), so
        # once answered they are scored afresh, not reported "up to date"
        self.con.execute(
            "DELETE FROM scores WHERE cell_key IN (SELECT key FROM cells WHERE status = 'failed')"
        )
        n = self.con.execute("DELETE FROM cells WHERE status = 'failed'").rowcount
        self.con.execute("COMMIT")
        return n

    def forget_cells(self, keys: Iterable[str]) -> int:
        """Make these cells pending again (an early stop's); their errors stay."""
        chosen = json.dumps(list(keys))
        self.con.execute("BEGIN")
        self.con.execute(
            "DELETE FROM scores WHERE cell_key IN (SELECT value FROM json_each(?))", (chosen,)
        )
        n = self.con.execute(
            "DELETE FROM cells WHERE status = 'failed' AND key IN (SELECT value FROM json_each(?))",
            (chosen,),
        ).rowcount
        self.con.execute("COMMIT")
        return n

    def top_errors(self, limit: int = 3) -> list[tuple[str, int | None, int, str]]:
        """The commonest terminal errors of failed cells: kind, HTTP status, how many
        cells, and the latest message the server sent for them."""
        return [
            (str(k), s, int(n), str(m))
            for k, s, n, m in self.con.execute(
                "SELECT e.kind, e.http_status, count(*), max(e.message) FROM errors e "
                "JOIN cells c ON c.key = e.cell_key AND c.status = 'failed' "
                "WHERE e.terminal = 1 GROUP BY 1, 2 ORDER BY 3 DESC LIMIT ?",
                (limit,),
            )
        ]

    # -- reading ---------------------------------------------------------------------

    def last_cell_rowid(self) -> int:
        """The rowid of the newest cell row (0 without cells): every cell committed
        later has a greater one (``cells_to_score`` pages on it)."""
        (n,) = self.con.execute("SELECT coalesce(max(rowid), 0) FROM cells").fetchone()
        return int(n)

    def finished_keys(self) -> set[str]:
        return {k for (k,) in self.con.execute("SELECT key FROM cells")}

    def rewrite(self, key: str) -> str | None:
        """The stored prompt (JSON) a model-backed transform made for this rewrite key."""
        row = self.con.execute("SELECT prompt FROM rewrites WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def counts(self) -> dict[str, int]:
        out = {"answered": 0, "failed": 0}
        for status, n in self.con.execute("SELECT status, count(*) FROM cells GROUP BY 1"):
            out[status] = n
        (out["requests"],) = self.con.execute("SELECT count(*) FROM requests").fetchone()
        return out

    def error_kinds(self, terminal_only: bool = False) -> dict[str, int]:
        sql = "SELECT kind, count(*) FROM errors"
        if terminal_only:
            sql += " WHERE terminal = 1"
        return dict(self.con.execute(sql + " GROUP BY 1 ORDER BY 2 DESC").fetchall())

    _RESULT_FIELDS = ("hazard", "locale", "persona", "kind", "expected", "pair_id", "template")

    def result_rows(self, scorer: str) -> Iterator[ResultRow]:
        """Per finished cell in plan order: (key, suite, item_id, transform, epoch, status,
        the scorer's label, then the item's hazard, locale, persona, kind, expected,
        pair_id, template)."""
        fields = ", ".join(f"json_extract(i.data, '$.{f}')" for f in self._RESULT_FIELDS)
        return self.con.execute(
            f"SELECT c.key, c.suite, c.item_id, c.transform, c.epoch, c.status, s.label, {fields} "
            "FROM cells c JOIN items i ON i.suite = c.suite AND i.item_id = c.item_id "
            "LEFT JOIN scores s ON s.cell_key = c.key AND s.scorer = ? ORDER BY c.seq, c.key",
            (scorer,),
        )

    def scorer_versions(self) -> list[tuple[str, str, int]]:
        """(scorer, version, cells labelled) for every scorer that labelled the run (old
        runs' stored ``not_applicable`` rows are not labels)."""
        return self.con.execute(
            "SELECT scorer, scorer_version, count(*) FROM scores "
            "WHERE label != 'not_applicable' GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()

    def usage(self) -> Usage:
        """Responses, token sums and the mean latency of the run's answers."""
        n, tin, tout, lat = self.con.execute(
            "SELECT count(*), sum(input_tokens), sum(output_tokens), avg(latency) FROM responses"
        ).fetchone()
        requests, abandoned = self.con.execute(
            "SELECT count(*), count(*) FILTER (WHERE outcome = 'abandoned') FROM requests"
        ).fetchone()
        return {
            "responses": n,
            "input_tokens": tin or 0,
            "output_tokens": tout or 0,
            "mean_latency_s": None if lat is None else round(lat, 4),
            "requests": requests,
            "abandoned": abandoned,
        }

    def scorer_labels(self, scorer: str) -> list[tuple[str, str, str | None]]:
        """(locale, label, details) of a scorer's applicable labels, in cell order."""
        return self.con.execute(
            "SELECT c.locale, s.label, s.details FROM scores s JOIN cells c ON c.key = s.cell_key "
            "WHERE s.scorer = ? AND s.label NOT IN ('not_applicable', 'unscoreable') "
            "ORDER BY c.seq, c.key",
            (scorer,),
        ).fetchall()

    def kind_cells(
        self, kind: str, scorer: str
    ) -> Iterator[tuple[str, str, str | None, str, str | None, str | None]]:
        """Every finished cell of items of this kind, in plan order: (locale, item_id,
        template, status, the scorer's label, its details)."""
        return self.con.execute(
            "SELECT c.locale, c.item_id, json_extract(i.data, '$.template'), c.status, s.label, "
            "s.details FROM cells c JOIN items i ON i.suite = c.suite AND i.item_id = c.item_id "
            "LEFT JOIN scores s ON s.cell_key = c.key AND s.scorer = ? "
            "WHERE json_extract(i.data, '$.kind') = ? ORDER BY c.seq, c.key",
            (scorer, kind),
        )

    def write_item_rows(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """(suite, item_id, item JSON) rows, as ``write_items`` stores them."""
        self.con.execute("BEGIN")
        self.con.executemany("INSERT OR REPLACE INTO items VALUES (?, ?, ?)", rows)
        self.con.execute("COMMIT")

    def scorer_names(self) -> list[str]:
        """Every scorer with a label in the run, sorted."""
        return [s for (s,) in self.con.execute("SELECT DISTINCT scorer FROM scores ORDER BY 1")]

    def report_rows(self, scorers: Sequence[str], limit: int | None) -> Iterator[ReportRow]:
        """The cells in plan order (at most ``limit``), one row each with all that the
        report's drill-down needs: (key, suite:item_id, locale, hazard, transform,
        epoch, messages JSON, status, text, finish_reason, input_tokens, output_tokens,
        latency in ms, persona, kind, expected, terminal error, then each scorer's
        label). Only the small (seq, key, rowid) rows are sorted; the wide rows are read
        by rowid."""
        con = self.con
        con.execute("DROP TABLE IF EXISTS temp.cell_order")
        con.execute("CREATE TEMP TABLE cell_order (pos INTEGER PRIMARY KEY, rid INTEGER)")
        con.execute(
            "INSERT INTO temp.cell_order (rid) SELECT rowid FROM cells ORDER BY seq, key LIMIT ?",
            (-1 if limit is None else limit,),
        )
        labels = "".join(
            ", (SELECT label FROM scores s WHERE s.cell_key = c.key AND s.scorer = ? "
            "ORDER BY s.scorer_version DESC LIMIT 1)"
            for _ in scorers
        )
        sql = (
            "SELECT c.key, c.suite || ':' || c.item_id, c.locale, c.hazard, c.transform, "
            "c.epoch, c.messages, c.status, r.text, r.finish_reason, r.input_tokens, "
            "r.output_tokens, CAST(round(r.latency * 1000) AS INTEGER), "
            "coalesce(json_extract(i.data, '$.persona'), '?'), "
            "coalesce(json_extract(i.data, '$.kind'), '?'), "
            "coalesce(json_extract(i.data, '$.expected'), '?'), "
            "(SELECT e.kind || ': ' || e.message FROM errors e WHERE e.cell_key = c.key "
            f"AND e.terminal = 1 ORDER BY e.id DESC LIMIT 1){labels} "
            "FROM temp.cell_order o CROSS JOIN cells c ON c.rowid = o.rid "
            "LEFT JOIN items i ON i.suite = c.suite AND i.item_id = c.item_id "
            "LEFT JOIN responses r ON r.cell_key = c.key ORDER BY o.pos"
        )
        return con.execute(sql, tuple(scorers))

    def n_cells(self) -> int:
        (n,) = self.con.execute("SELECT count(*) FROM cells").fetchone()
        return int(n)

    def cell_rows(self, run_id: str) -> tuple[list[str], Iterator[tuple[object, ...]]]:
        """(column names, rows): one row per finished cell in run order, with the columns
        of ``EXPORT_COLUMNS`` then each scorer's label (None where it has no label)."""
        names, rows = _cell_rows(self.con, run_id)
        return [*EXPORT_COLUMNS, *names], rows

    def score_labels(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for scorer, label, n in self.con.execute(
            "SELECT scorer, label, count(*) FROM scores GROUP BY 1, 2 ORDER BY 1, 3 DESC"
        ):
            out.setdefault(scorer, {})[label] = n
        return out


# the per-cell export: what each row holds, in this order, then one column per scorer
EXPORT_COLUMNS = (
    "run_id",
    "item_id",
    "suite",
    "locale",
    "hazard",
    "subhazard",
    "persona",
    "kind",
    "expected",
    "transform",
    "transform_params",
    "epoch",
    "status",
    "prompt",
    "response",
    "finish_reason",
    "error",
)


def _prompt(messages_json: str) -> str | None:
    """The last user turn of a cell's messages (what the model was asked)."""
    try:
        messages = json.loads(messages_json)
    except ValueError:
        return None
    for m in reversed(messages if isinstance(messages, list) else []):
        if isinstance(m, dict) and m.get("role") == "user":
            content = m.get("content")
            return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return None


def _cell_rows(
    con: sqlite3.Connection, run_id: str
) -> tuple[list[str], Iterator[tuple[object, ...]]]:
    # every scorer that labelled the run, and those that ran on it inline (whose labels
    # may all be "not applicable", which is not stored)
    names = {n for (n,) in con.execute("SELECT DISTINCT scorer FROM scores")}
    row = con.execute("SELECT value FROM meta WHERE key = 'inline_scores'").fetchone()
    if row is not None:
        names |= set(json.loads(row[0]) or {})
    scorer_names = sorted(names)
    joins = "".join(
        f" LEFT JOIN scores s{i} ON s{i}.cell_key = c.key AND s{i}.scorer = ?"
        for i in range(len(scorer_names))
    )
    labels = "".join(f", s{i}.label" for i in range(len(scorer_names)))
    sql = (
        "SELECT c.item_id, c.suite, c.locale, c.hazard, json_extract(i.data, '$.persona'), "
        "json_extract(i.data, '$.kind'), json_extract(i.data, '$.expected'), c.transform, "
        "c.transform_params, c.epoch, c.status, c.messages, r.text, r.finish_reason, "
        "(SELECT e.kind || ': ' || e.message FROM errors e WHERE e.cell_key = c.key "
        " AND e.terminal = 1 ORDER BY e.id DESC LIMIT 1)"
        f"{labels} FROM cells c "
        "LEFT JOIN items i ON i.suite = c.suite AND i.item_id = c.item_id "
        f"LEFT JOIN responses r ON r.cell_key = c.key{joins} ORDER BY c.seq, c.key"
    )

    def rows() -> Iterator[tuple[object, ...]]:
        for row in con.execute(sql, scorer_names):
            item_id, suite, locale, hazard, persona, kind, expected, transform = row[:8]
            params, epoch, status, messages, text, finish, error = row[8:15]
            parent, dot, _ = str(hazard).partition(".")
            yield (
                run_id, item_id, suite, locale, parent, hazard if dot else None, persona,
                kind, expected, transform, params if params != "{}" else None, epoch, status,
                _prompt(messages), text, finish, error, *row[15:],
            )  # fmt: skip

    return scorer_names, rows()


def now() -> float:
    return time.time()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
