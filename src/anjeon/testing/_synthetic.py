"""A synthetic run directory with known content, for the report's tests and bench.

Writes what the engine would (run.yaml, and run.db with items, cells, responses,
errors and scores) without running a target, so tests control every answer, including
hostile ones, and the bench can make 100,000 cells in seconds.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from pathlib import Path

from anjeon.store import RunStore, write_config
from anjeon.taxonomy import taxonomy

# the universal hazard codes, in taxonomy order
HAZARDS = tuple(h.code for h in taxonomy().hazards)
PERSONAS = ("normal", "unskilled", "skilled", "vulnerable")
REFUSE = {
    "en-US": "I'm sorry, but I can't help with that.",
    "ko-KR": "죄송하지만 도와드릴 수 없습니다.",
}
COMPLY = {
    "en-US": "Sure. Here is a general overview of the topic you asked about.",
    "ko-KR": "네, 요청하신 주제에 대한 일반적인 개요입니다.",
}


FILLER = {
    "en-US": " The main points are these, and the usual steps follow in order.",
    "ko-KR": " 주요 내용은 다음과 같으며 보통의 순서대로 진행합니다.",
}


def synthetic_run(
    run_dir: Path,
    *,
    items: int = 40,
    transforms: Sequence[str] = ("none", "jamo"),
    epochs: int = 1,
    target: str = "scripted/synthetic",
    violation: dict[str, float] | None = None,
    distinct: bool = False,
    answer_chars: int = 0,
    payloads: Sequence[str] = (),
    failures: int = 0,
    seed: int = 0,
) -> Path:
    """``items`` pairs (one en-US and one ko-KR item each) × transforms × epochs.

    ``violation`` is the chance a harmful cell is answered, per locale; ``distinct``
    gives every answer its own text (like a real model; else template answers), padded
    to about ``answer_chars`` characters;
    ``payloads`` are answers given to the first cells verbatim; ``failures`` cells end
    with a terminal error.
    """
    rng = random.Random(seed)
    p_violate = violation or {"en-US": 0.2, "ko-KR": 0.35}
    run_dir.mkdir(parents=True, exist_ok=True)
    item_rows, cells, responses, errors, scores = [], [], [], [], []
    seq = 0
    for i in range(items):
        hazard = HAZARDS[i % len(HAZARDS)]
        kind = "benign" if i % 4 == 3 else "harmful"
        persona = PERSONAS[(i // len(HAZARDS)) % len(PERSONAS)]
        for locale, suffix in (("en-US", "en"), ("ko-KR", "ko")):
            item_id = f"syn-{i:05d}-{suffix}"
            prompt = f"[{hazard}] synthetic prompt {i} ({locale})"
            if locale == "ko-KR":
                prompt = f"[{hazard}] 합성 프롬프트 {i}번"
            item = {"id": item_id, "locale": locale, "hazard": hazard, "persona": persona,
                    "kind": kind, "expected": "refuse" if kind == "harmful" else "comply",
                    "prompt": prompt, "pair_id": f"syn-{i:05d}"}  # fmt: skip
            item_rows.append(("synthetic", item_id, json.dumps(item, ensure_ascii=False)))
            for transform in transforms:
                for epoch in range(epochs):
                    seq += 1
                    key = hashlib.md5(f"{item_id}|{transform}|{epoch}".encode()).hexdigest()
                    text = prompt if transform == "none" else f"({transform}) {prompt}"
                    msgs = json.dumps([{"role": "user", "content": text}], ensure_ascii=False)
                    if seq <= failures:
                        cells.append((key, seq, "synthetic", item_id, locale, hazard, transform,
                                      "{}", epoch, msgs, "failed", 3, 0.0))  # fmt: skip
                        errors.append((key, 3, "timeout", None, "no answer in 120 s", 1))
                        continue
                    lift = 0.15 if transform != "none" else 0.0
                    if kind == "harmful":
                        violated = rng.random() < p_violate[locale] + lift
                    else:
                        violated = rng.random() < 0.9  # benign: answered 90 %
                    answer = (COMPLY if violated else REFUSE)[locale]
                    if distinct:
                        answer = f"{answer} (cell {seq}: {rng.getrandbits(64):016x})"
                        if len(answer) < answer_chars:
                            answer += (FILLER[locale] * (answer_chars // 40 + 1))[
                                : answer_chars - len(answer)
                            ]
                    k = seq - failures - 1
                    if k < len(payloads):
                        answer = payloads[k]
                    label = "complied" if violated else "refused"
                    cells.append((key, seq, "synthetic", item_id, locale, hazard, transform,
                                  "{}", epoch, msgs, "answered", 1, 0.0))  # fmt: skip
                    responses.append((key, answer, "stop", 12, 30, 0.25 + rng.random() / 10))
                    scores.append((key, "refusal", "1.0", label, None, None))
                    if hazard == "prv":
                        scores.append((key, "pii", "1.0", "clean", None, None))
    write_config(run_dir, {
        "run_id": run_dir.name,
        "created": "2026-01-02T03:04:05+0000",
        "anjeon_version": "0.1.0",
        "target": {"name": target, "protocol": "scripted", "model": target.split("/")[-1]},
        "generate": {"temperature": 0.0, "max_tokens": 512},
        "suites": [{"ref": "synthetic", "id": "synthetic", "version": "1.0.0",
                    "sha256": hashlib.sha256(b"synthetic").hexdigest(), "items": 2 * items}],
        "transforms": [{"name": t, "params": {}} for t in transforms],
        "epochs": epochs,
        "planned": seq,
    })  # fmt: skip
    store = RunStore.open(run_dir)
    try:
        store.write_item_rows(item_rows)
        store.write(cells=cells, responses=responses, errors=errors, scores=scores)
        store.set_meta(status="complete", finished=1767323045.0 + 600)
    finally:
        store.close()
    return run_dir
