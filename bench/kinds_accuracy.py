"""Accuracy of classify_kind on the bandiradar-eval corpus (kind: tender vs incentive).

Usage: python bench/kinds_accuracy.py [opportunities.jsonl] [--errors]

Each record is classified from its title and its summary + eligibility text. A "tender" record is
right when classified "procurement"; an "incentive" record is right when classified anything else
(call, register, news, recruitment: none of them is a tender). Prints accuracy, precision and
recall of "procurement", the full confusion table, and with --errors the misclassified titles.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from matcher.normalize.kinds import classify_kind

DEFAULT = Path("/work/shared/corpus/bandiradar-eval/opportunities.jsonl")


def main(argv: list[str]) -> None:
    paths = [a for a in argv if not a.startswith("--")]
    path = Path(paths[0]) if paths else DEFAULT
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    confusion: Counter[tuple[str, str]] = Counter()
    errors = []
    for row in rows:
        text = "\n".join(filter(None, [row.get("summary"), row.get("eligibility_text")]))
        predicted = classify_kind(row["title"], text)
        confusion[(row["kind"], predicted)] += 1
        if (row["kind"] == "tender") != (predicted == "procurement"):
            errors.append((row["kind"], predicted, row["source"], row["title"][:100]))
    total = sum(confusion.values())
    tp = sum(
        n for (gold, pred), n in confusion.items() if gold == "tender" and pred == "procurement"
    )
    fp = sum(
        n for (gold, pred), n in confusion.items() if gold != "tender" and pred == "procurement"
    )
    fn = sum(
        n for (gold, pred), n in confusion.items() if gold == "tender" and pred != "procurement"
    )
    correct = total - fp - fn
    print(f"records: {total} ({path.name})")
    print(f"accuracy (tender vs not): {correct}/{total} = {correct / total:.3f}")
    print(f"procurement precision: {tp}/{tp + fp} = {tp / max(tp + fp, 1):.3f}")
    print(f"procurement recall:    {tp}/{tp + fn} = {tp / max(tp + fn, 1):.3f}")
    print("confusion (gold kind -> predicted):")
    for (gold, pred), n in sorted(confusion.items()):
        print(f"  {gold:10s} -> {pred:12s} {n}")
    if "--errors" in argv:
        for gold, pred, source, title in errors:
            print(f"  [{gold} -> {pred}] {source}: {title}")


if __name__ == "__main__":
    main(sys.argv[1:])
