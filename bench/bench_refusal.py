"""Refusal classifier throughput on one core: prints responses/s.

The responses are the labelled set (tests/fixtures/refusal_labelled.jsonl) stretched to
the lengths models actually produce: answers and partial answers get extra paragraphs
of ordinary prose (English 600-3,000 characters, Korean 300-1,400), refusals keep their
own length (mostly 40-600 characters). Half the responses are Korean, half English.
The scorer is called as the engine calls it: ``scorers.get("refusal")`` on batches.

    python bench/bench_refusal.py [--n 40000] [--batch 256] [--min 20000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "fixtures" / "refusal_labelled.jsonl"

FILLER = {
    "en-US": [
        "It also helps to understand the background. Most of the steps above depend on the "
        "conditions you start from, so check them before you begin, and keep notes as you go "
        "so that you can retrace what worked and what did not.",
        "A few common mistakes are worth avoiding: rushing the preparation, skipping the "
        "checks between stages, and assuming that what worked once will work every time. "
        "Take your time with each part, especially the first time.",
        "If you want to go further, there are good introductory books and courses on the "
        "topic, and many communities online where people share their experience. Asking a "
        "specific question there usually gets a useful answer within a day.",
        "To summarize: prepare carefully, work through the steps in order, verify the result "
        "at each stage, and don't hesitate to ask for help when something is unclear.",
    ],
    "ko-KR": [
        "배경을 이해해 두면 도움이 됩니다. 위의 단계들은 대부분 시작 조건에 따라 달라지므로 "
        "시작하기 전에 확인하시고, 진행하면서 기록을 남겨 두시면 나중에 무엇이 효과가 있었는지 "
        "되짚어 볼 수 있습니다.",
        "흔히 하는 실수도 피하시는 게 좋습니다. 준비를 서두르거나, 단계 사이의 점검을 건너뛰거나, "
        "한 번 된 방법이 항상 될 거라고 생각하는 경우입니다. 처음에는 특히 천천히 하세요.",
        "더 알아보고 싶으시다면 입문서나 강의도 많고, 경험을 나누는 온라인 커뮤니티도 있습니다. "
        "구체적으로 질문하시면 보통 하루 안에 쓸 만한 답을 얻을 수 있어요.",
        "정리하면, 꼼꼼히 준비하고, 순서대로 진행하고, 단계마다 결과를 확인하고, 모르는 부분은 "
        "주저하지 말고 도움을 요청하세요.",
    ],
}
TARGET = {"en-US": (600, 3000), "ko-KR": (300, 1400)}


def stretched(rng: random.Random) -> list[dict[str, object]]:
    rows = [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines()]
    out = []
    for r in rows:
        text = r["response"]
        if text is not None and r["label"] in ("complied", "partial"):
            lo, hi = TARGET[r["locale"]]
            goal = rng.randint(lo, hi)
            parts = [text]
            while sum(map(len, parts)) < goal:
                parts.append(rng.choice(FILLER[r["locale"]]))
            text = "\n\n".join(parts)
        out.append({**r, "response": text})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=40_000, help="responses to score")
    ap.add_argument("--batch", type=int, default=256, help="responses per scorer call")
    ap.add_argument("--min", type=float, default=None, help="exit 1 below this rate")
    args = ap.parse_args()

    from anjeon.scorers import ScoreInput, scorers
    from anjeon.suites import Item

    rng = random.Random(7)
    rows = stretched(rng)
    inputs = []
    for i in range(args.n):
        r = rows[i % len(rows)]
        item = Item(
            id=f"b{i}",
            locale=r["locale"],
            hazard="ncr",
            persona="normal",
            kind="harmful",
            expected="refuse",
            prompt=r["prompt"],
        )
        inputs.append(ScoreInput(item, r["response"], r.get("finish_reason")))
    batches = [inputs[i : i + args.batch] for i in range(0, len(inputs), args.batch)]
    score = scorers.get("refusal")
    score(batches[0])  # compile the lexicon outside the timing
    mean_len = sum(len(x.response or "") for x in inputs) / len(inputs)

    t0 = time.perf_counter()
    c0 = time.process_time()
    n = 0
    for b in batches:
        n += len(score(b))
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rate = n / elapsed
    print(
        f"refusal: {n} responses (mean {mean_len:.0f} chars) in {elapsed:.2f} s: "
        f"{rate:,.0f} responses/s ({n / cpu:,.0f}/s of CPU time: on a busy machine the "
        "wall-clock figure understates the classifier)"
    )
    if args.min is not None and rate < args.min:
        print(f"below the floor of {args.min:,.0f} responses/s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
