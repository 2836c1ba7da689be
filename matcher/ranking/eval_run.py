"""`matcher eval`: load the judged corpus into a cached store, rank it, measure, compare."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from matcher.importer import read_import_file
from matcher.ranking.config import RankingConfig
from matcher.ranking.embed import Embedder
from matcher.ranking.evaluate import EvalReport, evaluate_stored
from matcher.ranking.rank import rank
from matcher.ranking.themes import ThemeConfig
from matcher.ranking.vectors import import_vectors
from matcher.store import (
    clear_reviews,
    get_meta,
    open_db,
    record_review,
    set_meta,
    upsert_calls,
)
from matcher.store.ranking import ranked_ids

log = logging.getLogger(__name__)
LOADED_AT = datetime(2026, 11, 1, tzinfo=UTC)  # a fixed stamp: eval runs are repeatable


def eval_db(corpus: Path, home: Path) -> sqlite_utils.Database:
    """A store holding the judged corpus, cached in `home`/eval by the corpus's hash, so
    vectors computed once are reused by every later evaluation."""
    digest = hashlib.sha256(corpus.read_bytes()).hexdigest()[:12]
    db = open_db(home / "eval" / f"corpus-{digest}.db")
    if get_meta(db, "corpus") != digest:
        parsed = read_import_file(corpus)
        if parsed.rejected:
            log.warning("%d corpus rows rejected: %s", len(parsed.rejected), parsed.rejected[:3])
        upsert_calls(db, parsed.calls, LOADED_AT)
        for cache in sorted(corpus.parent.glob("vectors-*.npz")):
            import_vectors(db, cache)  # shipped vectors of the corpus: no first-time embedding
        set_meta(db, "corpus", digest)
    return db


def evaluate_configuration(
    db: sqlite_utils.Database,
    themes: ThemeConfig,
    judgments: dict[str, dict[str, int]],
    config: RankingConfig,
    embedder: Embedder | None,
    exclude: dict[str, dict[str, int]] | None = None,
) -> EvalReport:
    clear_reviews(db)  # decisions left by an interrupted --feedback run must not leak in
    rank(db, themes, config, LOADED_AT, embedder=embedder)
    report = evaluate_stored(db, judgments, config.key, exclude=exclude)
    report.configuration = config.label
    return report


@dataclass
class FeedbackReport:
    baseline: EvalReport
    with_decisions: EvalReport
    odd_decision: EvalReport
    decisions: int


def evaluate_feedback(
    db: sqlite_utils.Database,
    themes: ThemeConfig,
    judgments: dict[str, dict[str, int]],
    source: dict[str, dict[str, int]],
    config: RankingConfig,
    embedder: Embedder | None,
    per_theme: int = 5,
) -> FeedbackReport:
    """Held-out effect of review decisions taken on `source` calls (the development part).

    Like a working group would: of the calls ranked highest, shortlist the `per_theme` best
    on-theme ones (grade 2) and reject the `per_theme` highest-ranked off-theme ones (grade 0).
    Then, separately, one odd decision alone: shortlisting the highest-ranked off-theme call.
    The reviewed calls leave the ranking; metrics are on the held-out judgments.
    """
    try:
        baseline = evaluate_configuration(db, themes, judgments, config, embedder, source)
        order = {theme: [c for c, _ in ranked_ids(db, theme, config.key)] for theme in source}
        chosen: dict[str, list[tuple[str, str]]] = {}
        for theme, grades in source.items():
            good = [c for c in order[theme] if grades.get(c) == 2][:per_theme]
            bad = [c for c in order[theme] if grades.get(c) == 0][:per_theme]
            chosen[theme] = [(c, "shortlist") for c in good] + [(c, "reject") for c in bad]
        with_decisions = _with_reviews(db, themes, judgments, source, config, embedder, chosen)
        odd = {
            theme: [(c, "shortlist") for c in order[theme] if source[theme].get(c) == 0][:1]
            for theme in source
        }
        odd_report = _with_reviews(db, themes, judgments, source, config, embedder, odd)
    finally:
        clear_reviews(db)
        rank(db, themes, config, LOADED_AT, embedder=embedder)
    return FeedbackReport(
        baseline, with_decisions, odd_report, sum(len(v) for v in chosen.values())
    )


def _with_reviews(
    db: sqlite_utils.Database,
    themes: ThemeConfig,
    judgments: dict[str, dict[str, int]],
    source: dict[str, dict[str, int]],
    config: RankingConfig,
    embedder: Embedder | None,
    decisions: dict[str, list[tuple[str, str]]],
) -> EvalReport:
    clear_reviews(db)
    for theme, items in decisions.items():
        for call_id, decision in items:
            record_review(db, call_id, theme, decision, "evaluation", LOADED_AT)
    rank(db, themes, config, LOADED_AT, embedder=embedder)
    reviewed = {theme: {c for c, _ in items} for theme, items in decisions.items()}
    report = evaluate_stored(db, judgments, config.key, exclude=source, reviewed=reviewed)
    report.configuration = config.label
    return report
