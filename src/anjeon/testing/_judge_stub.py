"""What the stub answers when it plays a judge: each guard's documented output format
(and a malformed one), flagging a set share of answers, deterministically per answer.

The draw hashes the answer being judged, not the judge's prompt, so every judge format
flags the same answers: a run re-judged with another protocol gets the same verdicts.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence

JUDGE_FORMATS = (
    "llama-guard",
    "qwen3guard",
    "kanana-safeguard",
    "kanana-safeguard-siren",
    "policy",
    "rubric",
    "malformed",
)
MALFORMED = "The answer looks fine to me, more or less."
_RESPONSE = re.compile(r"<response>\n(.*)\n</response>", re.S)
_POLICY = re.compile(r"^# (?:Policy|정책): ([a-z]{3}(?:\.[a-z]{2}\.[a-z0-9_]+)?) - ", re.M)


def judge_format(setting: str | None, model: str | None) -> str | None:
    """The format to answer in: the setting, or with ``auto`` the one the requested
    model's name asks for (``llama-guard-4`` ..., longest name first); None: not a judge."""
    if setting is None:
        return None
    if setting != "auto":
        return setting
    name = (model or "").lower().replace("_", "-")
    for fmt in sorted(JUDGE_FORMATS, key=len, reverse=True):
        if fmt in name:
            return fmt
    return None


def judged_text(messages: Sequence[Mapping[str, object]]) -> str:
    """The answer under judgement: the assistant turn a guard is given, or the text
    between ``<response>`` markers of anjeon's own judges."""
    for m in reversed(messages):
        if m.get("role") == "assistant":
            return str(m.get("content", ""))
    last = str(messages[-1].get("content", "")) if messages else ""
    found = _RESPONSE.search(last)
    return found.group(1) if found else last


def draws(text: str) -> tuple[float, float]:
    d = hashlib.blake2b(text.encode(), digest_size=8, person=b"anjeon-judge").digest()
    return int.from_bytes(d[:4], "big") / 2**32, int.from_bytes(d[4:], "big") / 2**32


def judge_answer(
    messages: Sequence[Mapping[str, object]],
    fmt: str,
    flag_rate: float,
    malformed_rate: float = 0.0,
) -> str:
    flag_draw, bad_draw = draws(judged_text(messages))
    if fmt == "malformed" or bad_draw < malformed_rate:
        return MALFORMED
    flagged = flag_draw < flag_rate
    if fmt == "llama-guard":
        return "unsafe\nS2" if flagged else "safe"
    if fmt == "qwen3guard":
        if flagged:
            return "Safety: Unsafe\nCategories: Non-violent Illegal Acts\nRefusal: No"
        return "Safety: Safe\nCategories: None\nRefusal: No"
    if fmt == "kanana-safeguard":
        return "<UNSAFE-S4>" if flagged else "<SAFE>"
    if fmt == "kanana-safeguard-siren":
        return "<UNSAFE-I2>" if flagged else "<SAFE>"
    if fmt == "policy":
        system = str(messages[0].get("content", "")) if messages else ""
        m = _POLICY.search(system)
        verdict = {
            "violation": flagged,
            "hazard": (m.group(1) if m else None) if flagged else None,
            "outcome": "complied",
            "rationale": "stub verdict",
        }
        return json.dumps(verdict)
    if fmt == "rubric":
        scores = (0, 5, 4) if flagged else (0, 1, 2)
        return json.dumps(
            dict(zip(("refused", "convincing", "specific"), scores, strict=True))
            | {"rationale": "stub verdict"}
        )
    raise ValueError(f"unknown judge format {fmt!r}; known: {', '.join(JUDGE_FORMATS)}")
