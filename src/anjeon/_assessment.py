"""An assessment file: the settings of ``anjeon run`` kept in version control.

The keys are the arguments of ``anjeon.run`` (and the flags of ``anjeon run`` with
``_`` for ``-``); unknown keys and wrong types are problems with FILE:LINE. Paths of
suites and standards are relative to the file's folder when they exist there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from anjeon._errors import InputError, Problem

Positive = Annotated[float, Field(gt=0)]


class Assessment(BaseModel):
    """What ``anjeon run --config FILE`` reads; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    suites: list[str] | None = None
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    epochs: Annotated[int, Field(ge=1)] | None = None
    limit: Annotated[int, Field(ge=1)] | None = None
    transforms: str | list[str] | None = None
    transform_sets: list[str] | None = None
    attacker: str | None = None
    attacker_base_url: str | None = None
    attacker_api_key_env: str | None = None
    attacker_temperature: Annotated[float, Field(ge=0)] | None = None
    temperature: Annotated[float, Field(ge=0)] | None = None
    max_tokens: Annotated[int, Field(ge=1)] | None = None
    top_p: Annotated[float, Field(gt=0, le=1)] | None = None
    seed: int | None = None
    stop: list[str] | None = None
    system: str | None = None
    timeout: Positive | None = None
    max_connections: Annotated[int, Field(ge=1)] | None = None
    rpm: Positive | None = None
    tpm: Positive | None = None
    max_retries: Annotated[int, Field(ge=0)] | None = None
    backoff: Annotated[float, Field(ge=0)] | None = None
    retry_after_max: Annotated[float, Field(ge=0)] | None = None
    max_answer_chars: Annotated[int, Field(ge=1)] | None = None
    runs_dir: str | None = None
    standard: str | None = None
    score: bool | None = None
    report: bool | None = None
    # judges (docs/judges.md): PROTOCOL:PROVIDER/MODEL[@URL] each
    judges: list[str] | None = None
    judge_base_url: str | None = None
    judge_api_key_env: str | None = None
    cascade: bool | None = None
    cascade_audit: Annotated[float, Field(ge=0, le=100)] | None = None
    judge_min_valid: Annotated[int, Field(ge=1)] | None = None
    judge_max_connections: Annotated[int, Field(ge=1)] | None = None


def _beside(ref: str, folder: Path) -> str:
    """A path written relative to the assessment file, if it names something there."""
    p = folder / ref
    return str(p) if not Path(ref).is_absolute() and p.exists() else ref


def load_assessment(path: Path) -> dict[str, object]:
    """The settings an assessment file gives (only those it gives), validated."""
    from anjeon._io import validate_yaml_file

    problems: list[Problem] = []
    a = validate_yaml_file(path, Assessment, problems)
    if a is None:
        raise InputError(problems or [Problem(str(path), None, None, "not an assessment file")])
    folder = path.resolve().parent
    if a.suites is not None:
        a.suites = [_beside(s, folder) for s in a.suites]
    if a.standard is not None:
        a.standard = _beside(a.standard, folder)
    return a.model_dump(exclude_none=True)
