"""The target registry: providers by name, HTTP presets loaded from data."""

from __future__ import annotations

import base64
import os
from functools import cache
from pathlib import Path
from typing import Literal, TypedDict

import yaml

from anjeon._errors import InputError
from anjeon._registry import Registry, UnknownPluginError
from anjeon.targets._base import GenerateConfig, Target, TargetFactory, TargetSettings
from anjeon.targets._normalize import normalize_base_url

targets: Registry[TargetFactory] = Registry("target")

PRESETS_FILE = Path(__file__).parent / "data" / "presets.yaml"


class Preset(TypedDict, total=False):
    """An HTTP provider as plain data (``data/presets.yaml``); every key is optional."""

    protocol: Literal["openai", "anthropic"]
    base_url: str | None
    key_env: str
    key_required: bool


@cache
def presets() -> dict[str, Preset]:
    with open(PRESETS_FILE, encoding="utf-8") as f:
        data: dict[str, Preset] = yaml.safe_load(f)
    return data


def preset_factory(provider: str, preset: Preset) -> TargetFactory:
    """A factory for an HTTP provider described by a preset (plain data)."""

    def make(model: str, settings: TargetSettings, gen: GenerateConfig) -> Target:
        from anjeon.targets._http import AnthropicTarget, OpenAITarget

        protocol = preset.get("protocol", "openai")
        raw_url = settings.base_url or preset.get("base_url")
        if not raw_url:
            raise InputError(
                f"{provider}/ needs --base-url (the server's URL, e.g. http://localhost:8000/v1)"
            )
        base = normalize_base_url(raw_url, protocol)
        key_env = settings.api_key_env or preset.get("key_env")
        key = os.environ.get(key_env, "") if key_env else ""
        if preset.get("key_required") and not key:
            raise InputError(
                f"missing API key for {provider}/: set the environment variable "
                f"{key_env} (or name another with --api-key-env)"
            )
        headers: dict[str, str] = {}
        secrets = [key]
        if base.user is not None or base.password is not None:
            if key:
                raise InputError(
                    f"--base-url carries credentials (user:password@) and {key_env} holds "
                    "an API key too: give one of them"
                )
            # credentials in the URL are sent as HTTP Basic, as curl does, never stored
            pair = f"{base.user or ''}:{base.password or ''}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
            secrets += [base.password or "", pair, headers["Authorization"].split()[1]]
        if protocol == "anthropic":
            cls: type[OpenAITarget] | type[AnthropicTarget] = AnthropicTarget
            headers["anthropic-version"] = "2023-06-01"
            if key:
                headers["x-api-key"] = key
        else:
            cls = OpenAITarget
            if key:
                headers["Authorization"] = f"Bearer {key}"
        return cls(
            f"{provider}/{model}",
            model,
            base.url,
            headers,
            secrets=tuple(secrets),
            max_connections=settings.max_connections,
            gen=gen,
            api_key_env=key_env,
            max_answer_chars=settings.max_answer_chars,
        )

    return make


def register_presets() -> None:
    for provider, preset in presets().items():
        targets.add(
            provider,
            preset_factory(provider, preset),
            kind="http",
            protocol=preset.get("protocol", "openai"),
        )


def make_target(
    spec: str,
    settings: TargetSettings | None = None,
    gen: GenerateConfig | None = None,
) -> Target:
    """``provider/model`` -> a target; raises InputError for unknown providers, a missing
    key or a malformed spec (nothing is contacted here; ``start`` checks reachability)."""
    provider, sep, model = spec.partition("/")
    if not sep or not provider or not model:
        raise InputError(
            f"--model must be provider/model (e.g. builtin/keyword-guard, "
            f"openai/gpt-4o-mini), not {spec!r}"
        )
    try:
        factory = targets.get(provider)
    except UnknownPluginError as e:
        raise InputError(
            f"unknown provider {provider!r} in {spec!r}; known: {', '.join(e.known)}"
        ) from None
    return factory(model, settings or TargetSettings(), gen or GenerateConfig())
