"""The stub in its own process: benchmarks need the server off the measured core."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from anjeon.testing._stub import StubConfig, StubStats


def stub_args(config: StubConfig) -> list[str]:
    args = [
        "--port",
        str(config.port),
        "--latency",
        f"{config.latency:g}",
        "--lifetime",
        f"{config.lifetime:g}",
        "--seed",
        str(config.seed),
        "--retry-after",
        f"{config.retry_after:g}",
        "--hang",
        f"{config.hang:g}",
    ]
    if config.faults:
        args += ["--faults", ",".join(f"{k}={v:g}" for k, v in config.faults.items())]
    if config.require_key:
        args += ["--require-key-env", "ANJEON_STUB_KEY"]
    if config.echo_auth:
        args.append("--echo-auth")
    if config.refuse_pattern:
        args += [
            "--refuse-pattern",
            config.refuse_pattern,
            "--refuse-rate",
            ",".join(f"{k}={v:g}" for k, v in config.refuse_rate.items()),
        ]
    if config.judge:
        args += [
            "--judge-format",
            config.judge,
            "--flag-rate",
            f"{config.flag_rate:g}",
            "--judge-malformed",
            f"{config.judge_malformed:g}",
        ]
    return args


@contextmanager
def stub_process(config: StubConfig | None = None) -> Iterator[str]:
    """Start ``python -m anjeon.testing`` and yield its base URL; stop it on exit."""
    import os

    config = config or StubConfig()
    env = dict(os.environ)
    if config.require_key:
        env["ANJEON_STUB_KEY"] = config.require_key  # not on the command line (ps shows it)
    proc = subprocess.Popen(
        [sys.executable, "-m", "anjeon.testing", *stub_args(config)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"the stub did not start: {line!r}")
        yield line.split("listening on ", 1)[1].split()[0]
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fetch_stats(base_url: str) -> StubStats:
    """``GET /_stats`` of a running stub (``base_url`` ends in /v1)."""
    root = base_url.rsplit("/v1", 1)[0]
    with urllib.request.urlopen(root + "/_stats", timeout=30) as r:
        data: StubStats = json.loads(r.read())
    return data
