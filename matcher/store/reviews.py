"""The working group's review decisions: recorded with who and when, never overwritten."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from matcher.errors import ReviewError
from matcher.store.calls import get_call
from matcher.store.db import query, transaction

DECISIONS = ("shortlist", "reject", "applied")


def record_review(
    db: sqlite_utils.Database,
    call_id: str,
    theme: str,
    decision: str,
    reviewer: str,
    now: datetime,
    note: str = "",
    themes: tuple[str, ...] = (),
) -> str:
    """Store one decision (who and when); returns the id of the call it applies to."""
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
    if not reviewer.strip():
        raise ReviewError("a decision needs a reviewer: pass --reviewer or set MATCHER_REVIEWER")
    if themes and theme not in themes:
        raise ReviewError(f"unknown theme {theme!r}; themes: {', '.join(themes)}")
    found = get_call(db, call_id)
    if found is None:
        raise ReviewError(f"no call with id {call_id!r}")
    target = found[0].id
    with transaction(db):
        db.execute(
            "INSERT INTO reviews (call_id, theme, decision, reviewer, note, decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [target, theme, decision, reviewer.strip(), note, now.astimezone(UTC).isoformat()],
        )
    return target


def latest_decisions(db: sqlite_utils.Database, theme: str) -> dict[str, str]:
    """The most recent decision on each call for a theme."""
    # A decision follows its call when another portal's copy of it later becomes the one that
    # is shown (dedupe): it is keyed by the surviving id. Recording order decides "latest".
    rows = db.execute(
        "SELECT COALESCE(c.merged_into, r.call_id), r.decision FROM reviews r"
        " LEFT JOIN calls c ON c.id = r.call_id WHERE r.theme = ? ORDER BY r.id",
        [theme],
    ).fetchall()
    return {call_id: decision for call_id, decision in rows}


def reviews_of(db: sqlite_utils.Database, call_id: str) -> list[dict[str, Any]]:
    """Every decision on a call and on its merged copies, oldest first."""
    return query(
        db,
        "SELECT r.* FROM reviews r LEFT JOIN calls c ON c.id = r.call_id"
        " WHERE COALESCE(c.merged_into, r.call_id) = ? ORDER BY r.id",
        [call_id],
    )


def last_review_id(db: sqlite_utils.Database) -> int:
    """The id of the newest decision (0 when none): tells whether scores predate a decision."""
    return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM reviews").fetchone()[0])


def clear_reviews(db: sqlite_utils.Database) -> None:
    """Remove every decision: only for the evaluation's own throw-away store."""
    with transaction(db):
        db.execute("DELETE FROM reviews")
