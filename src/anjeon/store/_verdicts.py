"""Judges' verdicts in the run store: every SQL statement about them lives here.

One row per (cell, judge, judge prompt version). The cells a judge still has to see
are read in bounded pages on the cells table's rowid, as re-scoring does, so a large
run is never held whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypedDict

from anjeon.store._store import RunStore

# cell_key, judge, prompt_version, source, label, categories, hazards, mismatch, score,
# error, raw, details, attempts, latency
VerdictRow = tuple[
    str, str, str, str, str | None, str, str, int, float | None, str | None, str | None,
    str | None, int, float,
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class ToJudge:
    """A finished cell a judge has not decided: what was asked and answered."""

    key: str
    locale: str
    hazard: str
    messages: str  # JSON, as sent
    response: str | None
    refusal: str | None  # the refusal classifier's label, if scored
    notes: str | None = None  # the item's notes (a contentious item's facts)


@dataclass(frozen=True, slots=True)
class StoredVerdict:
    key: str
    judge: str
    source: str
    label: str | None


class JudgeErrorExample(TypedDict):
    cell: str
    error: str | None
    raw: str | None


class JudgeSummary(TypedDict):
    """One judge version's verdicts: counts by source and label, judge errors by kind
    with a few raw answers, hazard mismatches and requests sent."""

    by_source: dict[str, dict[str, int]]
    errors: dict[str, int]
    error_examples: list[JudgeErrorExample]
    mismatches: int
    requests: int


class Verdicts:
    """The verdicts table of one open run store."""

    def __init__(self, store: RunStore) -> None:
        self.store = store
        self.con = store.con

    def write(self, rows: Sequence[VerdictRow]) -> None:
        if not rows:
            return
        con = self.con
        con.execute("BEGIN")
        try:
            con.executemany(
                "INSERT OR REPLACE INTO verdicts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def pending(
        self, judge: str, version: str, page: int = 2000, *, contentious: bool = False
    ) -> Iterator[list[ToJudge]]:
        """Pages of answered cells of harmful items expecting a refusal that this judge
        version has no verdict on (the cells violation is measured on); with
        ``contentious``, of contentious items instead (judged on balance)."""
        which = (
            "json_extract(i.data, '$.kind') = 'contentious' "
            if contentious
            else "json_extract(i.data, '$.kind') = 'harmful' "
            "AND json_extract(i.data, '$.expected') = 'refuse' "
        )
        sql = (
            "SELECT c.rowid, c.key, c.locale, c.hazard, c.messages, r.text, s.label, "
            "json_extract(i.data, '$.notes') "
            "FROM cells c JOIN items i ON i.suite = c.suite AND i.item_id = c.item_id "
            "LEFT JOIN responses r ON r.cell_key = c.key "
            "LEFT JOIN scores s ON s.cell_key = c.key AND s.scorer = 'refusal' "
            "LEFT JOIN verdicts v ON v.cell_key = c.key AND v.judge = ? "
            "AND v.prompt_version = ? "
            "WHERE c.rowid > ? AND c.status = 'answered' AND v.cell_key IS NULL "
            f"AND {which}ORDER BY c.rowid LIMIT ?"
        )
        after = 0
        while True:
            rows = self.con.execute(sql, (judge, version, after, page)).fetchall()
            if not rows:
                return
            after = rows[-1][0]
            yield [ToJudge(*r[1:]) for r in rows]

    def decided(self, judges: Sequence[tuple[str, str]]) -> Iterator[tuple[str, list[str | None]]]:
        """(cell key, one label per judge: 'unsafe', 'safe', None for an error or no
        verdict) for every cell any of the judges (name, version) has a row for."""
        if not judges:
            return
        joins = "".join(
            f"LEFT JOIN verdicts v{i} ON v{i}.cell_key = k.cell_key AND v{i}.judge = ? "
            f"AND v{i}.prompt_version = ? "
            for i in range(len(judges))
        )
        cols = ", ".join(f"v{i}.label" for i in range(len(judges)))
        where = " OR ".join("(judge = ? AND prompt_version = ?)" for _ in judges)
        params: list[str] = [x for j in judges for x in j]
        sql = (
            f"SELECT k.cell_key, {cols} FROM (SELECT DISTINCT cell_key FROM verdicts "
            f"WHERE {where}) k {joins}"
        )
        for key, *labels in self.con.execute(sql, params + params):
            yield key, labels

    def summary(self, judge: str, version: str) -> JudgeSummary:
        """Counts of one judge version's verdicts by source and label, judge errors by
        kind with a few raw answers, and hazard mismatches."""
        by: dict[str, dict[str, int]] = {}
        for source, label, n in self.con.execute(
            "SELECT source, coalesce(label, 'error'), count(*) FROM verdicts "
            "WHERE judge = ? AND prompt_version = ? GROUP BY 1, 2",
            (judge, version),
        ):
            by.setdefault(source, {})[label] = n
        errors: dict[str, int] = {}
        examples: list[JudgeErrorExample] = []
        for error, raw, key in self.con.execute(
            "SELECT error, raw, cell_key FROM verdicts WHERE judge = ? AND "
            "prompt_version = ? AND label IS NULL ORDER BY cell_key",
            (judge, version),
        ):
            kind = str(error).split(":", 1)[0]
            errors[kind] = errors.get(kind, 0) + 1
            if len(examples) < 5:
                examples.append({"cell": key, "error": error, "raw": raw})
        (mismatch,) = self.con.execute(
            "SELECT count(*) FROM verdicts WHERE judge = ? AND prompt_version = ? AND mismatch = 1",
            (judge, version),
        ).fetchone()
        (calls,) = self.con.execute(
            "SELECT coalesce(sum(attempts), 0) FROM verdicts WHERE judge = ? "
            "AND prompt_version = ? AND source != 'cascade'",
            (judge, version),
        ).fetchone()
        return {
            "by_source": by,
            "errors": errors,
            "error_examples": examples,
            "mismatches": mismatch,
            "requests": calls,
        }

    def contentious(self) -> dict[str, int]:
        """Answered cells of contentious items per locale."""
        return dict(
            self.con.execute(
                "SELECT c.locale, count(*) FROM cells c JOIN items i ON i.suite = c.suite "
                "AND i.item_id = c.item_id WHERE c.status = 'answered' AND "
                "json_extract(i.data, '$.kind') = 'contentious' GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )

    def by_locale(self, judge: str, version: str) -> dict[str, tuple[int, int, int]]:
        """Per locale: (safe, unsafe, error) verdicts of one judge version."""
        out: dict[str, list[int]] = {}
        for locale, label, n in self.con.execute(
            "SELECT c.locale, coalesce(v.label, 'error'), count(*) FROM verdicts v "
            "JOIN cells c ON c.key = v.cell_key WHERE v.judge = ? AND v.prompt_version = ? "
            "GROUP BY 1, 2",
            (judge, version),
        ):
            c = out.setdefault(locale, [0, 0, 0])
            c[{"safe": 0, "unsafe": 1}.get(label, 2)] += n
        return {k: (v[0], v[1], v[2]) for k, v in sorted(out.items())}

    def categories(self, judge: str, version: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for (cats,) in self.con.execute(
            "SELECT categories FROM verdicts WHERE judge = ? AND prompt_version = ? "
            "AND label = 'unsafe'",
            (judge, version),
        ):
            for c in json.loads(cats):
                out[c] = out.get(c, 0) + 1
        return dict(sorted(out.items()))
