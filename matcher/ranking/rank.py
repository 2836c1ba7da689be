"""Ranking runs: features for changed calls, then the scores of each theme whose inputs changed."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import sqlite_utils

from matcher.models import Call
from matcher.ranking.config import RankingConfig
from matcher.ranking.embed import Embedder
from matcher.ranking.features import (
    CallTokens,
    Features,
    ThemeMatchers,
    add_dense,
    features_key,
    lexical_features,
)
from matcher.ranking.feedback import adjustments, decisions_fingerprint
from matcher.ranking.scoring import FORMULA_VERSION, score_theme
from matcher.ranking.themes import ThemeConfig
from matcher.ranking.vectors import ensure_vectors, prune_vectors, text_hash
from matcher.store import last_review_id, latest_decisions, load_calls
from matcher.store import ranking as stored
from matcher.store.vectors import load_vectors


@dataclass
class RankReport:
    ranking_key: str
    embedded: int = 0  # passages embedded in this run
    features: int = 0  # (call, theme) pairs whose features were recomputed
    scored_themes: int = 0  # themes whose scores were recomputed
    calls: int = 0
    seconds: float = 0.0


def rank(
    db: sqlite_utils.Database,
    themes: ThemeConfig,
    config: RankingConfig,
    now: datetime,
    *,
    embedder: Embedder | None = None,
    progress: Callable[[int], None] | None = None,
) -> RankReport:
    """Bring stored scores up to date: only what changed is recomputed.

    `embedder` is the model of `config` (None for BM25); `now` stamps the scores.
    """
    started = time.perf_counter()
    if (embedder is None) != (config.model is None):
        raise ValueError(f"ranking {config.key} needs {'an' if config.model else 'no'} embedder")
    calls = [call for call, _ in load_calls(db, include_vanished=False)]
    report = RankReport(ranking_key=config.key, calls=len(calls))
    matchers = {k: ThemeMatchers.build(t, themes.applicant) for k, t in themes.themes.items()}
    report.features, report.embedded = _update_features(db, calls, themes, matchers, embedder,
                                                        progress)  # fmt: skip
    by_id = {call.id: call for call in calls}
    for theme in themes.themes:
        if _update_scores(db, theme, config, by_id, matchers[theme], embedder, themes, now):
            report.scored_themes += 1
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _update_features(
    db: sqlite_utils.Database,
    calls: list[Call],
    themes: ThemeConfig,
    matchers: dict[str, ThemeMatchers],
    embedder: Embedder | None,
    progress: Callable[[int], None] | None,
) -> tuple[int, int]:
    name = embedder.name if embedder else "none"
    stored_keys = stored.feature_keys(db, name)
    hashes = {call.id: call.content_hash for call in calls}
    todo = [
        (call, theme)
        for call in calls
        for theme, m in matchers.items()
        if stored_keys.get((call.id, theme)) != features_key(hashes[call.id], m, name)
    ]
    if not todo:
        return 0, 0
    embedded = 0
    vectors: dict[str, tuple[list[str], np.ndarray]] = {}
    queries: dict[str, np.ndarray] = {}
    if embedder is not None:
        changed = list({call.id: call for call, _ in todo}.values())
        embedded = ensure_vectors(db, embedder, changed, progress=progress)
        vectors = load_vectors(db, embedder.name, [text_hash(c) for c in changed])
        queries = {
            k: embedder.embed_queries([t.description_it, t.description_en])
            for k, t in themes.themes.items()
        }
    rows = []
    tokens: dict[str, CallTokens] = {}
    for call, theme in todo:
        if call.id not in tokens:
            tokens = {call.id: CallTokens.of(call)}  # todo is grouped by call: keep one
        features = lexical_features(call, matchers[theme], tokens[call.id])
        doc_vector = None
        if embedder is not None and text_hash(call) in vectors:
            texts, matrix = vectors[text_hash(call)]
            doc_vector = add_dense(features, texts, matrix, queries[theme]).tobytes()
        key = features_key(hashes[call.id], matchers[theme], name)
        rows.append((call.id, theme, name, key, features.to_json(), doc_vector))
    stored.save_features(db, rows)
    if embedder is not None:
        prune_vectors(db, calls)  # old versions of changed calls
    return len(rows), embedded


def _update_scores(
    db: sqlite_utils.Database,
    theme: str,
    config: RankingConfig,
    by_id: dict[str, Call],
    matchers: ThemeMatchers,
    embedder: Embedder | None,
    themes: ThemeConfig,
    now: datetime,
) -> bool:
    rows = [r for r in stored.load_features(db, theme, embedder.name if embedder else "none")
            if r[0] in by_id]  # fmt: skip
    decisions = latest_decisions(db, theme)
    inputs = [FORMULA_VERSION, config.key, [(r[0], r[1]) for r in rows],
              decisions_fingerprint(decisions)]  # fmt: skip
    fingerprint = hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:16]
    previous = stored.get_ranking(db, theme, config.key)
    if previous is not None and previous.fingerprint == fingerprint:
        return False
    entries = [(by_id[call_id], Features.from_json(data)) for call_id, _, data, _ in rows]
    vectors = {r[0]: np.frombuffer(r[3], dtype="<f4") for r in rows if r[3] is not None}
    moved = adjustments(decisions, vectors) if decisions and vectors else {}
    scored = score_theme(entries, config.method, themes.applicant, moved, model=config.model)
    ranking = stored.Ranking(
        theme=theme,
        ranking_key=config.key,
        fingerprint=fingerprint,
        computed_at=now.isoformat(),
        theme_digest=matchers.digest,
        formula=FORMULA_VERSION,
        last_review=last_review_id(db),
    )
    stored.save_scores(db, ranking, [
        (call_id, s.score, s.explanation["eligibility"]["applicable"],
         json.dumps(s.explanation, ensure_ascii=False), by_id[call_id].content_hash)
        for call_id, s in scored.items()
    ])  # fmt: skip
    return True
