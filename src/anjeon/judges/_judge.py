"""A judge: a protocol (how to ask, how to read) and a target (the model asked).

Specs are ``PROTOCOL[OPTIONS]:PROVIDER/MODEL[@URL]``, e.g.
``llama-guard:vllm/meta-llama/Llama-Guard-4-12B``,
``qwen3guard[controversial=safe]:openai-compatible/Qwen3Guard-Gen-8B@http://gpu:8000/v1``.
The target half is an ordinary target spec, so every provider anjeon knows can judge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from anjeon._errors import InputError, Problem
from anjeon._registry import UnknownPluginError
from anjeon.judges._base import Case, JudgeFormatError, JudgeProtocol, Verdict, protocols
from anjeon.judges._base import with_mismatch as _with_mismatch
from anjeon.targets import Target, TargetSettings, make_target

_SPEC = re.compile(r"(?P<protocol>[a-z][a-z0-9-]*)(?:\[(?P<options>[^\]]*)\])?:(?P<target>.+)")


@dataclass(frozen=True)
class JudgeSpec:
    protocol: str
    options: tuple[tuple[str, str], ...]
    target: str  # provider/model
    base_url: str | None = None

    @property
    def name(self) -> str:
        """The judge's identity (no URL: the same model elsewhere is the same judge)."""
        opts = ",".join(f"{k}={v}" for k, v in self.options)
        return f"{self.protocol}{f'[{opts}]' if opts else ''}:{self.target}"

    @property
    def model(self) -> str:
        return self.target.partition("/")[2]

    def __str__(self) -> str:
        return self.name + (f"@{self.base_url}" if self.base_url else "")


def parse_spec(text: str) -> JudgeSpec:
    """``PROTOCOL[k=v,...]:PROVIDER/MODEL[@URL]`` -> JudgeSpec (InputError if not)."""
    m = _SPEC.fullmatch(text.strip())
    if m is None:
        raise InputError(
            f"--judge must be PROTOCOL:PROVIDER/MODEL (e.g. llama-guard:vllm/"
            f"meta-llama/Llama-Guard-4-12B), not {text!r}"
        )
    target, base_url = m.group("target"), None
    at = target.rfind("@http")
    if at >= 0:
        target, base_url = target[:at], target[at + 1 :]
    options: list[tuple[str, str]] = []
    for part in filter(None, (p.strip() for p in (m.group("options") or "").split(","))):
        k, sep, v = part.partition("=")
        if not sep or not k.strip():
            raise InputError(f"--judge {text!r}: options are key=value, not {part!r}")
        options.append((k.strip(), v.strip()))
    provider, sep, model = target.partition("/")
    if not sep or not provider or not model:
        raise InputError(f"--judge {text!r}: the model must be PROVIDER/MODEL, not {target!r}")
    return JudgeSpec(m.group("protocol"), tuple(options), target, base_url)


def _judge_flags(message: str) -> str:
    # the target factories name the target's flags; a judge has its own
    return re.sub(r"--(base-url|api-key-env)\b", r"--judge-\1", message)


class Judge:
    """Asks its target and reads the answer. ``judge`` raises ``TargetError`` for a
    failed request (the runner retries those); a malformed answer is returned as a
    judge error (``Verdict.label`` None, the raw text kept)."""

    def __init__(self, spec: JudgeSpec, protocol: JudgeProtocol, target: Target) -> None:
        self.spec, self.protocol, self.target = spec, protocol, target
        self.name = spec.name
        self.version = protocol.version

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "protocol": self.protocol.name,
            "prompt_version": self.version,
            "target": self.target.describe(),
        }

    async def start(self) -> None:
        await self.target.start()

    async def close(self) -> None:
        await self.target.close()

    def read(self, text: str | None, case: Case) -> Verdict:
        """The verdict of an answer text (what ``judge`` does after the request)."""
        if text is None or not text.strip():
            return Verdict(None, error="empty: the judge returned no text", raw=text)
        try:
            v = self.protocol.parse(text, case)
        except JudgeFormatError as e:
            return Verdict(None, error=f"malformed: {e}", raw=text)
        return _with_mismatch(replace(v, raw=text), case)

    async def judge(self, case: Case, key: str) -> Verdict:
        reply = await self.target.generate(self.protocol.messages(case), key)
        return self.read(reply.text, case)


def make_judge(
    spec: str | JudgeSpec,
    *,
    base_url: str | None = None,
    api_key_env: str | None = None,
    max_connections: int = 16,
    target: Target | None = None,
) -> Judge:
    """A judge from its spec. ``base_url`` applies unless the spec carries its own URL;
    ``target`` replaces the spec's target (e.g. a ``ScriptedTarget`` in tests)."""
    s = parse_spec(spec) if isinstance(spec, str) else spec
    try:
        factory = protocols.get(s.protocol)
    except UnknownPluginError as e:
        raise InputError(
            f"unknown judge protocol {s.protocol!r}; known: {', '.join(e.known)}"
        ) from None
    protocol = factory(s.model, dict(s.options))
    if target is None:
        settings = TargetSettings(
            base_url=s.base_url or base_url,
            api_key_env=api_key_env,
            max_connections=max_connections,
        )
        try:
            target = make_target(s.target, settings, protocol.gen)
        except InputError as e:
            raise InputError(
                Problem(p.file, p.line, p.field, f"judge {s.name}: {_judge_flags(p.message)}")
                for p in e.problems
            ) from None
    return Judge(s, protocol, target)


def make_judges(
    specs: Sequence[str],
    *,
    base_url: str | None = None,
    api_key_env: str | None = None,
    max_connections: int = 8,
) -> list[Judge]:
    """Every judge of ``specs`` (``anjeon run --judge`` and ``anjeon score --judge``),
    with the problems of all bad specs at once, before any judge is contacted."""
    problems: list[Problem] = []
    made: list[Judge] = []
    for spec in specs:
        try:
            made.append(make_judge(spec, base_url=base_url, api_key_env=api_key_env,
                                   max_connections=max_connections))  # fmt: skip
        except InputError as e:
            problems.extend(e.problems)
    if problems:
        raise InputError(problems)
    return made
