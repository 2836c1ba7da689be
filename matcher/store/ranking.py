"""What the ranking keeps: per-call features, scores per theme, and when each was computed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from matcher.store.db import query, transaction

# (call id, theme, embedder, features key, features JSON, document vector bytes or None)
FeatureRow = tuple[str, str, str, str, str, bytes | None]
# (call id, score, applicable, explanation JSON, the call's content hash when scored)
ScoreRow = tuple[str, float, bool, str, str]


@dataclass(frozen=True)
class Ranking:
    """The freshness record of one (theme, ranking key): what its stored scores were made from."""

    theme: str
    ranking_key: str
    fingerprint: str  # changes with any input of the scores: features, decisions, formula
    computed_at: str  # the `now` of the ranking run, ISO 8601
    theme_digest: str  # the theme's and applicant's settings
    formula: str  # the scoring formula's version
    last_review: int  # the newest decision taken into account


def feature_keys(db: sqlite_utils.Database, embedder: str) -> dict[tuple[str, str], str]:
    """(call id, theme) -> the key of its stored features for this embedder."""
    rows = db.execute(
        "SELECT call_id, theme, key FROM features WHERE embedder = ?", [embedder]
    ).fetchall()
    return {(call_id, theme): key for call_id, theme, key in rows}


def save_features(db: sqlite_utils.Database, rows: list[FeatureRow]) -> None:
    with transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO features (call_id, theme, embedder, key, data, doc_vector)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )


def load_features(
    db: sqlite_utils.Database, theme: str, embedder: str
) -> list[tuple[str, str, str, bytes | None]]:
    """(call id, key, features JSON, document vector) of one theme, by call id."""
    return db.execute(
        "SELECT call_id, key, data, doc_vector FROM features WHERE theme = ? AND embedder = ?"
        " ORDER BY call_id",
        [theme, embedder],
    ).fetchall()


def get_ranking(db: sqlite_utils.Database, theme: str, ranking_key: str) -> Ranking | None:
    rows = query(
        db, "SELECT * FROM rankings WHERE theme = ? AND ranking_key = ?", [theme, ranking_key]
    )
    return Ranking(**rows[0]) if rows else None


def save_scores(db: sqlite_utils.Database, ranking: Ranking, rows: list[ScoreRow]) -> None:
    """Replace a theme's scores for one ranking key and its freshness record, atomically."""
    with transaction(db):
        db.execute(
            "DELETE FROM scores WHERE theme = ? AND ranking_key = ?",
            [ranking.theme, ranking.ranking_key],
        )
        db.conn.executemany(
            "INSERT INTO scores (call_id, theme, ranking_key, score, applicable, explanation,"
            " content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (call_id, ranking.theme, ranking.ranking_key, score, int(applicable), explanation,
                 content_hash)
                for call_id, score, applicable, explanation, content_hash in rows
            ],
        )  # fmt: skip
        db.execute(
            "INSERT OR REPLACE INTO rankings (theme, ranking_key, fingerprint, computed_at,"
            " theme_digest, formula, last_review) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [ranking.theme, ranking.ranking_key, ranking.fingerprint, ranking.computed_at,
             ranking.theme_digest, ranking.formula, ranking.last_review],
        )  # fmt: skip


def unscored_counts(db: sqlite_utils.Database, theme: str, ranking_key: str) -> dict[str, int]:
    """Listed calls (funding calls, active, not merged) the stored scores do not cover yet:
    `new` have no score, `changed` were scored in an earlier version."""
    row = db.execute(
        "SELECT SUM(s.call_id IS NULL), SUM(s.content_hash <> c.content_hash) FROM calls c"
        " LEFT JOIN scores s ON s.call_id = c.id AND s.theme = ? AND s.ranking_key = ?"
        " WHERE c.kind = 'call' AND c.vanished_at IS NULL AND c.merged_into IS NULL",
        [theme, ranking_key],
    ).fetchone()
    return {"new": int(row[0] or 0), "changed": int(row[1] or 0)}


def ranked_ids(db: sqlite_utils.Database, theme: str, ranking_key: str) -> list[tuple[str, str]]:
    """(call id, language) by descending stored score, ties by id, whatever the call's status."""
    return db.execute(
        "SELECT s.call_id, c.language FROM scores s JOIN calls c ON c.id = s.call_id"
        " WHERE s.theme = ? AND s.ranking_key = ? ORDER BY s.score DESC, s.call_id",
        [theme, ranking_key],
    ).fetchall()


def scores_of(db: sqlite_utils.Database, call_id: str) -> list[dict[str, Any]]:
    """Every stored score of one call (all themes and ranking keys)."""
    return query(db, "SELECT * FROM scores WHERE call_id = ? ORDER BY theme", [call_id])
