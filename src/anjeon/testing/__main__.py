"""``python -m anjeon.testing``: the stub server without the CLI's imports (benchmarks
start it as a separate process). ``anjeon stub`` takes the same options."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from anjeon.testing._stub import StubConfig, serve


def parse_rates(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        k, sep, v = part.partition("=")
        if not sep:
            raise ValueError(f"expected name=rate, got {part!r}")
        out[k.strip()] = float(v)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m anjeon.testing", description="anjeon's local OpenAI-compatible stub server"
    )
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    p.add_argument(
        "--faults",
        default="",
        help="e.g. 500=0.05,429=0.05,reset=0.02; odd answers: list, number, object, "
        "finish, tokens, surrogate, huge, 404, escape",
    )
    p.add_argument("--retry-after", type=float, default=0.05)
    p.add_argument("--hang", type=float, default=30.0)
    p.add_argument("--lifetime", type=float, default=600.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--require-key-env", default=None)
    p.add_argument("--echo-auth", action="store_true")
    p.add_argument("--refuse-pattern", default=None)
    p.add_argument("--refuse-rate", default="en=1,ko=1")
    p.add_argument("--known-models", default=None, help="comma-separated; others get 404")
    p.add_argument("--huge-chars", type=int, default=5_000_000)
    p.add_argument("--judge-format", default=None, help="answer as this judge (or auto)")
    p.add_argument("--flag-rate", type=float, default=0.3)
    p.add_argument("--judge-malformed", type=float, default=0.0)
    a = p.parse_args(argv)
    try:
        config = StubConfig(
            port=a.port,
            latency=a.latency,
            faults=parse_rates(a.faults),
            retry_after=a.retry_after,
            hang=a.hang,
            lifetime=a.lifetime,
            seed=a.seed,
            require_key=os.environ.get(a.require_key_env) if a.require_key_env else None,
            echo_auth=a.echo_auth,
            refuse_pattern=a.refuse_pattern,
            refuse_rate=parse_rates(a.refuse_rate),
            known_models=tuple(a.known_models.split(",")) if a.known_models else None,
            huge_chars=a.huge_chars,
            judge=a.judge_format,
            flag_rate=a.flag_rate,
            judge_malformed=a.judge_malformed,
        )
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    asyncio.run(serve(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
