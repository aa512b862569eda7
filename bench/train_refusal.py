"""Train the refusal classifier's linear model and write it as package data.

    python bench/train_refusal.py [--check]

Trains on the project's labelled sets (``_refusal_data.TRAIN_SETS``: the labelled set,
the independent set, the train half of the realistic set and the second training set)
plus XSTest's three files of real model answers (Röttger et al. 2024, CC BY 4.0), read
from ``../shared/datasets/xstest/`` (or ``$ANJEON_SHARED``) at training time, each
answer weighing ``XSTEST_WEIGHT``. The features (the vocabulary) come from the
project's sets only, so no XSTest text is in the weights file. Writes
``src/anjeon/scorers/data/refusal_model.json``. Deterministic: the same data give the
same file. ``--check`` fails (exit 1) if the shipped file differs from a fresh training.
Without the XSTest files both exit 2: the shipped weights cannot be reproduced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _refusal_data import TRAIN_SETS, XSTEST, own
from anjeon.scorers._refusal_model import MODEL_PATH
from measure_refusal import Scored, train, xstest_sets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare, don't write")
    args = ap.parse_args()
    xs = xstest_sets()
    if not xs:
        print(
            f"XSTest completions not found in {XSTEST} (set ANJEON_SHARED to the directory "
            "that holds datasets/xstest): the shipped weights are trained on them too",
            file=sys.stderr,
        )
        raise SystemExit(2)
    own_sets = [Scored(own(name)) for name in TRAIN_SETS]
    model = train(own_sets + list(xs.values()), vocab_from=own_sets)
    text = model.to_json()
    if args.check:
        same = MODEL_PATH.is_file() and MODEL_PATH.read_text("utf-8") == text
        print("refusal_model.json is up to date" if same else "refusal_model.json is stale")
        raise SystemExit(0 if same else 1)
    MODEL_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL_PATH} ({len(model.vocab)} features)")


if __name__ == "__main__":
    main()
