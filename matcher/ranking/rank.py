"""Ranking runs: features for new or changed calls, then the scores of each theme whose inputs
changed. Nothing unchanged is recomputed, and rescoring reads stored features only."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import orjson
import sqlite_utils

from matcher.ranking.config import RankingConfig
from matcher.ranking.embed import Embedder
from matcher.ranking.evidence import DocVectors, calls_digest, learned_evidence, theme_features
from matcher.ranking.features import (
    FEATURES_VERSION,
    CallTokens,
    Features,
    ThemeMatchers,
    add_dense,
    features_key,
    lexical_features,
)
from matcher.ranking.feedback import POSITIVE, adjustments_of, decisions_fingerprint
from matcher.ranking.learned import LearnedModel
from matcher.ranking.model_files import learned_model
from matcher.ranking.scoring import (
    FORMULA_VERSION,
    eligibility_of,
    listed_flags,
    score_formula,
    score_learned,
    shown_explanation,
)
from matcher.ranking.themes import ThemeConfig
from matcher.ranking.vectors import ensure_vectors, prune_vectors, text_hash
from matcher.store import (
    active_hashes,
    calls_by_id,
    get_meta,
    last_review_id,
    latest_decisions,
    set_meta,
)
from matcher.store import ranking as stored
from matcher.store.vectors import load_vectors

log = logging.getLogger(__name__)
DECISION_WEIGHT = 3.0  # a decision of the group counts as much as three judged calls


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
    hashes = active_hashes(db)
    report = RankReport(ranking_key=config.key, calls=len(hashes))
    matchers = {k: ThemeMatchers.build(t, themes.applicant) for k, t in themes.themes.items()}
    name = embedder.name if embedder else "none"
    digest = calls_digest(hashes)
    # Stored features are never deleted, only replaced: when the calls, the themes and the
    # model are those of the last run that brought every feature up to date, none is stale.
    state = json.dumps([FEATURES_VERSION, digest, sorted(m.digest for m in matchers.values())])
    if get_meta(db, f"features:{name}") != state:
        report.features, report.embedded = _update_features(db, hashes, themes, matchers,
                                                            embedder, progress)  # fmt: skip
        set_meta(db, f"features:{name}", state)
    model = learned_model(config) if config.method == "learned" else None
    vectors = DocVectors(db, next(iter(themes.themes), ""), name)
    for theme in themes.themes:
        inputs = f"{digest}:{matchers[theme].digest}"
        if _update_scores(db, theme, config, hashes, inputs, matchers[theme], name, themes,
                          model, now, vectors):  # fmt: skip
            report.scored_themes += 1
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _update_features(
    db: sqlite_utils.Database,
    hashes: dict[str, str],
    themes: ThemeConfig,
    matchers: dict[str, ThemeMatchers],
    embedder: Embedder | None,
    progress: Callable[[int], None] | None,
) -> tuple[int, int]:
    name = embedder.name if embedder else "none"
    stored_keys = stored.feature_keys(db, name)
    todo_ids = [
        call_id
        for call_id, content_hash in hashes.items()
        if any(
            stored_keys.get((call_id, theme)) != features_key(content_hash, m, name)
            for theme, m in matchers.items()
        )  # fmt: skip
    ]
    if not todo_ids:
        return 0, 0
    calls = calls_by_id(db, todo_ids)
    embedded = 0
    vectors: dict[str, tuple[list[str], np.ndarray]] = {}
    queries: dict[str, np.ndarray] = {}
    facets: dict[str, np.ndarray] = {}
    if embedder is not None:
        embedded = ensure_vectors(db, embedder, calls, progress=progress)
        vectors = load_vectors(db, embedder.name, [text_hash(c) for c in calls])
        queries = {
            k: embedder.embed_queries([t.description_it, t.description_en])
            for k, t in themes.themes.items()
        }
        facets = {k: embedder.embed_queries([w.rstrip("*") for w in t.keywords])
                  for k, t in themes.themes.items()}  # fmt: skip
    rows = []
    for call in calls:
        tokens = CallTokens.of(call)
        for theme, theme_matchers in matchers.items():
            key = features_key(hashes[call.id], theme_matchers, name)
            if stored_keys.get((call.id, theme)) == key:
                continue
            features = lexical_features(call, theme_matchers, tokens)
            features.eligibility = eligibility_of(features, themes.applicant)
            doc_vector = None
            if embedder is not None and text_hash(call) in vectors:
                texts, matrix = vectors[text_hash(call)]
                doc_vector = add_dense(features, texts, matrix, queries[theme],
                                       facets[theme]).tobytes()  # fmt: skip
            shown = orjson.dumps(shown_explanation(features)).decode()
            rows.append((call.id, theme, name, key, features.to_json(), doc_vector, shown))
    stored.save_features(db, rows)
    if embedder is not None:
        prune_vectors(db)  # old versions of changed calls
    return len(rows), embedded


def _update_scores(
    db: sqlite_utils.Database,
    theme: str,
    config: RankingConfig,
    hashes: dict[str, str],
    inputs: str,
    matchers: ThemeMatchers,
    name: str,
    themes: ThemeConfig,
    model: LearnedModel | None,
    now: datetime,
    vectors: DocVectors,
) -> bool:
    """Rescore a theme when its inputs changed: the features (`inputs`, see rank), the
    decisions, the model or the formula."""
    decisions = latest_decisions(db, theme)
    fingerprint = hashlib.sha256(json.dumps([
        FORMULA_VERSION, FEATURES_VERSION, config.key, name, inputs,
        decisions_fingerprint(decisions), model.fingerprint if model else "",
    ]).encode()).hexdigest()[:16]  # fmt: skip
    previous = stored.get_ranking(db, theme, config.key)
    if previous is not None and previous.fingerprint == fingerprint:
        return False
    features: list[Features] = []
    if model is not None:
        ids, x, listed, applicable = learned_evidence(db, theme, name, hashes, inputs, themes)
    else:
        ids, features = theme_features(db, theme, name, hashes)
        listed, applicable = listed_flags(features)
    feedback = np.zeros(len(ids))
    if decisions and name != "none":
        have, matrix = vectors.of(ids)
        moved = adjustments_of(decisions, have, matrix) if have else {}
        feedback = np.array([moved.get(call_id, 0.0) for call_id in ids])
    if model is not None:
        if decisions:
            model = _with_decisions(model, ids, x, decisions)
        scores, explanations = score_learned(x, listed, model, feedback)
    else:
        scores, explanations = score_formula(features, listed, config.method, config.model,
                                             feedback)  # fmt: skip
    ranking = stored.Ranking(
        theme=theme,
        ranking_key=config.key,
        fingerprint=fingerprint,
        computed_at=now.isoformat(),
        theme_digest=matchers.digest,
        formula=FORMULA_VERSION,
        last_review=last_review_id(db),
        embedder=name,
    )
    stored.save_scores(db, ranking, list(zip(ids, scores, applicable.tolist(), explanations,
                                             [hashes[i] for i in ids], strict=True)))  # fmt: skip
    return True


def _with_decisions(
    model: LearnedModel, ids: list[str], x: np.ndarray, decisions: dict[str, str]
) -> LearnedModel:
    """The model trained again with the group's decisions on this theme's calls (`x` their
    evidence, rows in `ids` order): shortlisted and applied calls count as relevant, rejected
    ones as not."""
    rows = [i for i, call_id in enumerate(ids) if call_id in decisions]
    if not rows:
        return model
    y = np.array([1.0 if decisions[ids[i]] in POSITIVE else 0.0 for i in rows])
    if len(set(y)) < 2 and len(set(model.y)) < 2:
        return model
    return model.refit(x[rows], y, np.full(len(rows), DECISION_WEIGHT))
