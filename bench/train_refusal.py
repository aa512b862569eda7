"""Train the refusal classifier's linear model and write it as package data.

    python bench/train_refusal.py [--check]

Trains on the project's own labelled sets only (``_refusal_data.TRAIN_SETS``: the
labelled set, the independent set, and the train half of the realistic set) and writes
``src/anjeon/scorers/data/refusal_model.json``. Deterministic: the same data give the
same file. ``--check`` fails (exit 1) if the shipped file differs from a fresh training.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _refusal_data import TRAIN_SETS, own
from anjeon.scorers._refusal_model import MODEL_PATH
from measure_refusal import Scored, train


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare, don't write")
    args = ap.parse_args()
    model = train([Scored(own(name)) for name in TRAIN_SETS])
    text = model.to_json()
    if args.check:
        same = MODEL_PATH.is_file() and MODEL_PATH.read_text("utf-8") == text
        print("refusal_model.json is up to date" if same else "refusal_model.json is stale")
        raise SystemExit(0 if same else 1)
    MODEL_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL_PATH} ({len(model.vocab)} features)")


if __name__ == "__main__":
    main()
