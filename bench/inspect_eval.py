"""The Inspect side of the comparison: the same suite's prompts through ``inspect_ai.eval``.

    python bench/inspect_eval.py SUITE.jsonl BASE_URL CONNECTIONS LOG_DIR

One Inspect task whose samples are the suite's prompts (one user message each), solver
``generate()``, no scorer, run against BASE_URL (an OpenAI-compatible server, e.g.
anjeon's stub) through Inspect's OpenAI-compatible provider: model ``openai-api/stub/stub``
with ``STUB_BASE_URL`` and ``STUB_API_KEY`` (Chat Completions, not the Responses API).
``max_connections`` is CONNECTIONS (Inspect's ``max_samples`` defaults to it); the log
(Inspect's default ``.eval`` format, samples included) goes to LOG_DIR, which is also the
working directory; ``display="none"``.
Prints the number of samples that got an answer. Needs ``inspect-ai`` and ``openai``,
which are not dependencies of anjeon.
"""

from __future__ import annotations

import json
import os
import sys


def main(path: str, base_url: str, connections: int, log_dir: str) -> int:
    os.environ["STUB_BASE_URL"] = base_url
    os.environ.setdefault("STUB_API_KEY", "bench-not-a-secret")
    # run outside the repository: Inspect reads .env files from the working directory up
    # and asks git for the revision; here it finds neither
    suite = os.path.abspath(path)
    os.makedirs(log_dir, exist_ok=True)
    os.chdir(log_dir)

    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.solver import generate

    with open(suite, encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    task = Task(
        dataset=[Sample(input=it["prompt"], id=it["id"]) for it in items],
        solver=generate(),
        name="anjeon_bench",
    )
    (log,) = inspect_eval(
        task,
        model="openai-api/stub/stub",
        max_connections=connections,
        log_dir=log_dir,
        display="none",
    )
    if log.status != "success":
        print(f"inspect eval ended with status {log.status}: {log.error}", file=sys.stderr)
        return 1
    answered = sum(1 for s in log.samples or [] if s.output and s.output.completion)
    print(f"{answered} answered")
    return 0 if answered == len(items) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
