"""The run store: ``runs/<run-id>/`` with ``run.db`` (SQLite, WAL) and ``run.yaml``."""

from anjeon.store._rundir import (
    CONFIG_NAME,
    find_resumable,
    find_run,
    is_run_dir,
    list_runs,
    new_run_id,
    read_config,
    run_status,
    summarize,
    write_config,
)
from anjeon.store._schema import SCHEMA_VERSION, SchemaError, migrate
from anjeon.store._store import DB_NAME, EXPORT_COLUMNS, RunStore, ScoreRow

__all__ = [
    "CONFIG_NAME",
    "DB_NAME",
    "EXPORT_COLUMNS",
    "SCHEMA_VERSION",
    "RunStore",
    "SchemaError",
    "ScoreRow",
    "find_resumable",
    "find_run",
    "is_run_dir",
    "list_runs",
    "migrate",
    "new_run_id",
    "read_config",
    "run_status",
    "summarize",
    "write_config",
]
