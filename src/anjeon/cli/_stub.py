"""``anjeon stub``: the local OpenAI-compatible stub server (127.0.0.1 only)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("stub")(stub)


def stub(
    port: int = typer.Option(8765, help="Port on 127.0.0.1 (0: any free port)."),
    latency: float = typer.Option(0.0, help="Seconds before each answer."),
    faults: str = typer.Option(
        "",
        help="Fault rates, e.g. 500=0.05,429=0.05,reset=0.02,hang=0.01,malformed=0.02,"
        "empty=0.02,400=0.01; odd answers: list, number, object, finish, tokens, surrogate, "
        "huge, 404, escape (see docs/reliability.md)",
    ),
    known_models: str = typer.Option(
        None, help="Comma-separated model ids; a request for another gets 404."
    ),
    retry_after: float = typer.Option(0.05, help="Retry-After seconds sent with 429s."),
    hang: float = typer.Option(30.0, help="Seconds a 'hang' fault holds a request."),
    lifetime: float = typer.Option(3600.0, help="Stop by itself after this many seconds."),
    seed: int = typer.Option(0, help="Seed of the fault draws."),
    require_key_env: str = typer.Option(
        None, help="Answer 401 unless requests carry the key in this environment variable."
    ),
    refuse_pattern: str = typer.Option(None, help="Refuse prompts matching this regex."),
    refuse_rate: str = typer.Option(
        "en=1,ko=1", help="Share of matching prompts refused per language (en=0.9,ko=0.5)."
    ),
    judge_format: str = typer.Option(
        None,
        help="Answer as a judge: llama-guard, qwen3guard, kanana-safeguard, "
        "kanana-safeguard-siren, policy, rubric, malformed, or auto (by the model name "
        "requested; other models answer as usual).",
    ),
    flag_rate: float = typer.Option(0.3, help="Share of answers the judge flags unsafe."),
    judge_malformed: float = typer.Option(
        0.0, help="Share of judge answers that are out of format."
    ),
) -> None:
    """Serve /v1/chat/completions, /v1/messages, /v1/models and /_stats for tests."""
    import asyncio
    import os

    from anjeon._errors import InputError
    from anjeon.testing import StubConfig, serve
    from anjeon.testing.__main__ import parse_rates

    try:
        config = StubConfig(
            port=port,
            latency=latency,
            faults=parse_rates(faults),
            retry_after=retry_after,
            hang=hang,
            lifetime=lifetime,
            seed=seed,
            require_key=os.environ.get(require_key_env) if require_key_env else None,
            refuse_pattern=refuse_pattern,
            refuse_rate=parse_rates(refuse_rate),
            known_models=tuple(known_models.split(",")) if known_models else None,
            judge=judge_format,
            flag_rate=flag_rate,
            judge_malformed=judge_malformed,
        )
    except ValueError as e:
        raise InputError(str(e)) from None
    asyncio.run(serve(config))
