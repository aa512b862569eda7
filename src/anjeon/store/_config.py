"""``run.yaml`` as a typed model, validated on load: a hand-edited config that is wrong
is an InputError naming the file, line and field, never a traceback later.

The model types what a resume rebuilds the run from (target, generation and engine
settings, suites, transforms, epochs, limit); other keys are kept as written, so a
config from an older or newer anjeon still loads.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from anjeon._errors import InputError, Problem
from anjeon._io import load_yaml, read_text, validation_problems


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class TargetConfig(_Open):
    name: str = Field(min_length=1)
    protocol: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None


class GenerateSettings(_Open):
    temperature: float | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    top_p: float | None = None
    seed: int | None = None
    stop: list[str] = Field(default_factory=list)
    system: str | None = None
    timeout: float = Field(default=120.0, gt=0)


class EngineSettings(_Open):
    max_connections: int = Field(default=32, ge=1)
    max_retries: int = Field(default=5, ge=0)
    backoff_base: float = Field(default=1.0, ge=0)
    backoff_max: float = Field(default=60.0, ge=0)
    retry_after_max: float = Field(default=300.0, ge=0)
    rpm: float | None = Field(default=None, gt=0)
    tpm: float | None = Field(default=None, gt=0)
    flush_interval: float = Field(default=0.25, gt=0)
    flush_rows: int = Field(default=2000, ge=1)
    early_stop: int = Field(default=20, ge=0)


class SuiteRef(_Open):
    ref: str = Field(min_length=1)
    id: str = Field(min_length=1)


class TransformRef(_Open):
    name: str = Field(min_length=1)
    params: dict[str, object] = Field(default_factory=dict)


class RunConfig(_Open):
    run_id: str = Field(min_length=1)
    config_hash: str | None = None
    target: TargetConfig
    generate: GenerateSettings = Field(default_factory=GenerateSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)
    suites: list[SuiteRef] = Field(min_length=1)
    transforms: list[TransformRef] = Field(default_factory=list)
    epochs: int = Field(default=1, ge=1)
    limit: int | None = Field(default=None, ge=1)
    planned: int | None = Field(default=None, ge=0)
    standard: str | None = None


def parse_config(text: str, file: str) -> RunConfig:
    """Validate the text of a run.yaml; every problem as FILE:LINE: field: problem."""
    problems: list[Problem] = []
    data, lines = load_yaml(text, file, problems)
    if problems:
        raise InputError(problems)
    if not isinstance(data, dict) or "run_id" not in data:
        raise InputError(f"{file}: not a run config (no run_id)")
    try:
        return RunConfig.model_validate(data)
    except ValidationError as e:
        raise InputError(validation_problems(e, file, lines, default_line=1)) from None


def load_config(path: Path) -> RunConfig:
    problems: list[Problem] = []
    text = read_text(path, problems)
    if text is None:
        raise InputError(problems)
    return parse_config(text, str(path))
