"""Ranking runs: features for changed calls, scores per theme, and the shortlist as read."""

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
from matcher.ranking.embed import Embedder
from matcher.ranking.features import (
    CallTokens,
    Features,
    ThemeMatchers,
    add_dense,
    features_key,
    lexical_features,
)
from matcher.ranking.feedback import adjustments, decisions_digest, latest_decisions
from matcher.ranking.scoring import METHODS, score_theme, signature
from matcher.ranking.themes import ThemeConfig
from matcher.ranking.vectors import ensure_vectors, load_vectors, prune_vectors, vector_key
from matcher.records import call_to_json
from matcher.store import get_meta, load_calls
from matcher.store.migrations import transaction

SCORING_VERSION = "1"  # bump when the scoring formula changes, so stored scores are redone


@dataclass
class RankReport:
    method: str
    embedded: int = 0  # passages embedded in this run
    features: int = 0  # (call, theme) pairs whose features were recomputed
    scored_themes: int = 0  # themes whose scores were recomputed
    calls: int = 0
    seconds: float = 0.0


def method_key(method: str, embedder: Embedder | None) -> str:
    """What identifies a ranking configuration in the store: e.g. 'hybrid@usem3', 'bm25'."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if method == "bm25":
        return "bm25"
    if embedder is None:
        raise ValueError(f"method {method!r} needs an embedder")
    return f"{method}@{embedder.name}"


def rank(
    db: sqlite_utils.Database,
    themes: ThemeConfig,
    *,
    method: str = "hybrid",
    embedder: Embedder | None = None,
    progress: Callable[[int], None] | None = None,
) -> RankReport:
    """Bring stored scores up to date: only what changed is recomputed."""
    started = time.perf_counter()
    key = method_key(method, embedder)
    dense = embedder if method != "bm25" else None
    calls = [call for call, _ in load_calls(db, include_vanished=False)]
    report = RankReport(method=key, calls=len(calls))
    matchers = {k: ThemeMatchers.build(t, themes.applicant) for k, t in themes.themes.items()}
    report.features, report.embedded = _update_features(
        db, calls, themes, matchers, dense, progress
    )
    by_id = {call.id: call for call in calls}
    for theme in themes.themes:
        if _update_scores(db, theme, key, by_id, matchers[theme], dense, themes):
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
    stored = {
        (call_id, theme): key
        for call_id, theme, key in db.execute(
            "SELECT call_id, theme, key FROM features WHERE embedder = ?", [name]
        ).fetchall()
    }
    hashes = {call.id: call.content_hash for call in calls}
    todo = [
        (call, theme)
        for call in calls
        for theme, m in matchers.items()
        if stored.get((call.id, theme)) != features_key(hashes[call.id], m, name)
    ]
    if not todo:
        return 0, 0
    embedded = 0
    vectors: dict[str, tuple[list[str], np.ndarray]] = {}
    queries: dict[str, np.ndarray] = {}
    if embedder is not None:
        changed = list({call.id: call for call, _ in todo}.values())
        embedded = ensure_vectors(db, embedder, changed, progress=progress)
        vectors = load_vectors(db, embedder.name, [vector_key(c) for c in changed])
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
        if embedder is not None and vector_key(call) in vectors:
            texts, matrix = vectors[vector_key(call)]
            doc_vector = add_dense(features, texts, matrix, queries[theme]).tobytes()
        key = features_key(hashes[call.id], matchers[theme], name)
        rows.append((call.id, theme, name, key, features.to_json(), doc_vector))
    with transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO features (call_id, theme, embedder, key, data, doc_vector)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    if embedder is not None:
        prune_vectors(db, calls)  # old versions of changed calls
    return len(rows), embedded


def _update_scores(
    db: sqlite_utils.Database,
    theme: str,
    key: str,
    by_id: dict[str, Call],
    matchers: ThemeMatchers,
    embedder: Embedder | None,
    themes: ThemeConfig,
) -> bool:
    name = embedder.name if embedder else "none"
    keys = [
        row
        for row in db.execute(
            "SELECT call_id, key FROM features WHERE theme = ? AND embedder = ? ORDER BY call_id",
            [theme, name],
        ).fetchall()
        if row[0] in by_id
    ]
    decisions = latest_decisions(db, theme)
    digest = hashlib.sha256(
        json.dumps([SCORING_VERSION, signature(), key, keys, decisions_digest(decisions)]).encode()
    ).hexdigest()[:16]
    meta_key = f"scores:{theme}:{key}"
    if get_meta(db, meta_key) == digest:
        return False
    rows = [
        row
        for row in db.execute(
            "SELECT call_id, key, data, doc_vector FROM features WHERE theme = ? AND embedder = ?"
            " ORDER BY call_id",
            [theme, name],
        ).fetchall()
        if row[0] in by_id
    ]
    entries = [(by_id[call_id], Features.from_json(data)) for call_id, _, data, _ in rows]
    vectors = {r[0]: np.frombuffer(r[3], dtype="<f4") for r in rows if r[3] is not None}
    moved = adjustments(decisions, vectors) if decisions and vectors else {}
    method, _, model = key.partition("@")
    scored = score_theme(entries, method, themes.applicant, moved, model=model or None)
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    with transaction(db):
        db.execute("DELETE FROM scores WHERE theme = ? AND method = ?", [theme, key])
        db.conn.executemany(
            "INSERT INTO scores (call_id, theme, method, score, explanation, inputs_hash,"
            " computed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (call_id, theme, key, s.score, json.dumps(s.explanation, ensure_ascii=False),
                 digest, stamp)
                for call_id, s in scored.items()
            ],
        )  # fmt: skip
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [meta_key, digest])
    return True


def shortlist(
    db: sqlite_utils.Database,
    theme: str,
    key: str,
    now: datetime,
    *,
    limit: int | None = 20,
    include_closed: bool = False,
) -> list[dict]:
    """The ranked calls for a theme as `shortlist --json` prints them (DESIGN field order).

    Only funding calls open to the applicant's territory appear; closed calls only when asked;
    calls the group rejected for this theme are left out.
    """
    scores = {
        call_id: (score, json.loads(explanation))
        for call_id, score, explanation in db.execute(
            "SELECT call_id, score, explanation FROM scores WHERE theme = ? AND method = ?",
            [theme, key],
        ).fetchall()
    }
    rejected = {c for c, d in latest_decisions(db, theme).items() if d == "reject"}
    rows = []
    for call, history in load_calls(db, include_vanished=False):
        if call.id not in scores or call.id in rejected or call.kind != "call":
            continue
        score, explanation = scores[call.id]
        if not explanation["eligibility"]["applicable"]:
            continue
        record = call_to_json(call, history, now)
        if record["status"] == "closed" and not include_closed:
            continue
        rows.append((score, record, explanation))
    rows.sort(key=lambda r: (-r[0], r[1]["next_deadline"] or "9999", r[1]["id"]))
    out = []
    for position, (score, record, explanation) in enumerate(rows[:limit], start=1):
        out.append({
            "id": record["id"], "theme": theme, "rank": position, "score": score,
            "title": record["title"], "url": record["url"], "status": record["status"],
            "next_deadline": record["next_deadline"],
            "days_to_deadline": record["days_to_deadline"], "language": record["language"],
            "territory": record["territory"],
            "explanation": {
                "passage": explanation["passage"], "keywords": explanation["keywords"],
                "eligibility": explanation["eligibility"],
                "components": explanation["components"],
            },
        })  # fmt: skip
    return out
