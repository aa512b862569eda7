"""The run store: ``runs/<run-id>/`` with ``run.db`` (SQLite, WAL) and ``run.yaml``."""

from anjeon.store._config import RunConfig, load_config, parse_config
from anjeon.store._lock import (
    RunLocked,
    is_locked,
    keep_locks,
    new_run_lock,
    run_lock,
)
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
    "RunConfig",
    "RunLocked",
    "RunStore",
    "SchemaError",
    "ScoreRow",
    "find_resumable",
    "find_run",
    "is_locked",
    "is_run_dir",
    "keep_locks",
    "list_runs",
    "load_config",
    "migrate",
    "new_run_id",
    "new_run_lock",
    "parse_config",
    "read_config",
    "run_lock",
    "run_status",
    "summarize",
    "write_config",
]
