"""The run.db schema, as numbered migrations applied in order.

Add a migration by appending to MIGRATIONS; never edit one that has shipped. A run
written by a newer anjeon (a version above ours) is refused rather than misread.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    -- one row per finished cell (answered or failed); pending cells have no row, so a
    -- cell is finished exactly when its row is committed
    CREATE TABLE cells (
        key TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        suite TEXT NOT NULL,
        item_id TEXT NOT NULL,
        locale TEXT NOT NULL,
        hazard TEXT NOT NULL,
        transform TEXT NOT NULL,
        transform_params TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        messages TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('answered', 'failed')),
        attempts INTEGER NOT NULL,
        finished REAL NOT NULL
    );
    -- every attempt, including those whose result was retried
    CREATE TABLE requests (
        id INTEGER PRIMARY KEY,
        cell_key TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        started REAL NOT NULL,
        latency REAL NOT NULL,
        http_status INTEGER,
        outcome TEXT NOT NULL
    );
    CREATE INDEX requests_cell ON requests (cell_key);
    CREATE TABLE responses (
        cell_key TEXT PRIMARY KEY,
        text TEXT,
        finish_reason TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        latency REAL NOT NULL
    );
    CREATE TABLE errors (
        id INTEGER PRIMARY KEY,
        cell_key TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        kind TEXT NOT NULL,
        http_status INTEGER,
        message TEXT NOT NULL,
        terminal INTEGER NOT NULL
    );
    CREATE INDEX errors_cell ON errors (cell_key);
    CREATE TABLE scores (
        cell_key TEXT NOT NULL,
        scorer TEXT NOT NULL,
        scorer_version TEXT NOT NULL,
        label TEXT NOT NULL,
        value REAL,
        details TEXT,
        PRIMARY KEY (cell_key, scorer, scorer_version)
    );
    """,
    # 2: the items of the run's suites, so that scoring and reports need no suite files
    """
    CREATE TABLE items (
        suite TEXT NOT NULL,
        item_id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (suite, item_id)
    );
    """,
    # 3: what a model-backed transform (paraphrase, translate-pivot, crescendo) made of an
    # item, computed once with the attacker so that a resumed run sends the same prompt
    """
    -- key: see anjeon.engine rewrite_key; seed as text: it is an unsigned 64-bit number,
    -- beyond SQLite's INTEGER; prompt: the transformed prompt as JSON (text or messages)
    CREATE TABLE rewrites (
        key TEXT PRIMARY KEY,
        suite TEXT NOT NULL,
        item_id TEXT NOT NULL,
        transform TEXT NOT NULL,
        transform_params TEXT NOT NULL,
        seed TEXT NOT NULL,
        prompt TEXT NOT NULL,
        attacker TEXT NOT NULL,
        requests INTEGER NOT NULL,
        latency REAL NOT NULL,
        created REAL NOT NULL
    );
    """,
    # 4: judges' verdicts, one per (cell, judge, judge prompt version), so a verdict is
    # never requested twice; source: 'judge' (asked), 'cascade' (a clear refusal the
    # refusal classifier settled, not asked), 'audit' (settled but asked anyway)
    """
    CREATE TABLE verdicts (
        cell_key TEXT NOT NULL,
        judge TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('judge', 'cascade', 'audit')),
        label TEXT CHECK (label IN ('unsafe', 'safe')),  -- NULL: a judge error
        categories TEXT NOT NULL,  -- JSON list: the judge's own codes
        hazards TEXT NOT NULL,  -- JSON list: anjeon codes through the crosswalk
        mismatch INTEGER NOT NULL,  -- unsafe, but not for the item's hazard
        score REAL,
        error TEXT,
        raw TEXT,  -- the judge's answer as received (kept for errors and audits)
        details TEXT,
        attempts INTEGER NOT NULL,
        latency REAL NOT NULL,
        PRIMARY KEY (cell_key, judge, prompt_version)
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaError(Exception):
    pass


def migrate(con: sqlite3.Connection) -> int:
    """Bring ``con`` to SCHEMA_VERSION; returns the version found before."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = con.execute("SELECT version FROM schema_version").fetchone()
    found = 0 if row is None else int(row[0])
    if found > SCHEMA_VERSION:
        raise SchemaError(
            f"run.db has schema version {found}; this anjeon reads up to "
            f"{SCHEMA_VERSION}: upgrade anjeon"
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        with con:
            con.executescript("BEGIN;" + MIGRATIONS[version - 1] + ";")
            con.execute("DELETE FROM schema_version")
            con.execute("INSERT INTO schema_version VALUES (?)", (version,))
    return found
