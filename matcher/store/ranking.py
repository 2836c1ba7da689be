"""What the ranking keeps: per-call features, scores per theme, and when each was computed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
import sqlite_utils

from matcher.store.db import query, transaction

# (call id, theme, embedder, features key, features JSON, document vector bytes or None, the
# part of its explanation that depends on the call alone, JSON)
FeatureRow = tuple[str, str, str, str, str, bytes | None, str]
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
    embedder: str = ""  # whose features the scores were made from (and explained by)


@dataclass(frozen=True)
class StoredEvidence:
    """A theme's evidence matrix for the learned ranking, as computed from its features: rows
    in `call_ids` order, float64 little-endian; `listed` and `applicable` one byte per row."""

    fingerprint: str  # of the features it was computed from
    call_ids: list[str]
    matrix: bytes
    columns: int
    listed: bytes
    applicable: bytes


def feature_keys(db: sqlite_utils.Database, embedder: str) -> dict[tuple[str, str], str]:
    """(call id, theme) -> the key of its stored features for this embedder."""
    rows = db.execute(
        "SELECT call_id, theme, key FROM features WHERE embedder = ?", [embedder]
    ).fetchall()
    return {(call_id, theme): key for call_id, theme, key in rows}


def save_features(db: sqlite_utils.Database, rows: list[FeatureRow]) -> None:
    with transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO features (call_id, theme, embedder, key, data, doc_vector,"
            " shown) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def load_features(db: sqlite_utils.Database, theme: str, embedder: str) -> list[tuple[str, str]]:
    """(call id, features JSON) of one theme, by call id (the document vectors, read apart by
    doc_vectors, are left out: they are the larger part)."""
    return db.execute(
        "SELECT call_id, data FROM features WHERE theme = ? AND embedder = ? ORDER BY call_id",
        [theme, embedder],
    ).fetchall()


def doc_vectors(db: sqlite_utils.Database, theme: str, embedder: str) -> dict[str, bytes]:
    """Each call's document vector (the same for every theme), from one theme's features."""
    rows = db.execute(
        "SELECT call_id, doc_vector FROM features WHERE theme = ? AND embedder = ?"
        " AND doc_vector IS NOT NULL",
        [theme, embedder],
    ).fetchall()
    return dict(rows)


def load_evidence(db: sqlite_utils.Database, theme: str, embedder: str) -> StoredEvidence | None:
    row = db.execute(
        "SELECT fingerprint, call_ids, matrix, columns, listed, applicable FROM evidence"
        " WHERE theme = ? AND embedder = ?",
        [theme, embedder],
    ).fetchone()
    if row is None:
        return None
    return StoredEvidence(row[0], orjson.loads(row[1]), row[2], row[3], row[4], row[5])


def save_evidence(
    db: sqlite_utils.Database, theme: str, embedder: str, evidence: StoredEvidence
) -> None:
    with transaction(db):
        db.execute(
            "INSERT OR REPLACE INTO evidence (theme, embedder, fingerprint, call_ids, matrix,"
            " columns, listed, applicable) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [theme, embedder, evidence.fingerprint, orjson.dumps(evidence.call_ids).decode(),
             evidence.matrix, evidence.columns, evidence.listed, evidence.applicable],
        )  # fmt: skip


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
            " theme_digest, formula, last_review, embedder) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [ranking.theme, ranking.ranking_key, ranking.fingerprint, ranking.computed_at,
             ranking.theme_digest, ranking.formula, ranking.last_review, ranking.embedder],
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
    """Every stored score of one call (all themes and ranking keys), its explanation whole."""
    rows = query(
        db,
        "SELECT s.*, f.shown FROM scores s LEFT JOIN rankings g ON g.theme = s.theme"
        " AND g.ranking_key = s.ranking_key LEFT JOIN features f ON f.call_id = s.call_id"
        " AND f.theme = s.theme AND f.embedder = g.embedder WHERE s.call_id = ? ORDER BY s.theme",
        [call_id],
    )
    for row in rows:
        row["explanation"] = whole_explanation(row["explanation"], row.pop("shown"))
    return rows


def whole_explanation(scored: str, shown: str | None) -> dict[str, Any]:
    """A score's explanation as readers see it: what the score says (level, reasons, its
    components) with what the call's features say (passage, keywords, who may apply)."""
    explanation: dict[str, Any] = orjson.loads(scored)
    if shown:
        fixed = orjson.loads(shown)
        components = {**explanation.get("components", {}), **fixed.pop("components", {})}
        explanation.update(fixed)
        explanation["components"] = components
    return explanation
