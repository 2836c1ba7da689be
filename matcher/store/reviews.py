"""The working group's review actions: recorded with who and when, never overwritten.

Decisions (shortlist, reject, applied) feed the ranking and the shortlist; notes and
assignments to a partner institution (the partner's name in `note`) are history only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from matcher.errors import ReviewError
from matcher.store.calls import get_call
from matcher.store.db import query, transaction

DECISIONS = ("shortlist", "reject", "applied")
# Actions that are not decisions: they never change what is listed or how it ranks.
NOTES = ("note", "assign")
ACTIONS = DECISIONS + NOTES


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
    """Store one action (who and when); returns the id of the call it applies to.

    A note needs its text and an assignment the partner's name, in `note`.
    """
    if decision not in ACTIONS:
        raise ReviewError(f"unknown decision {decision!r}; use one of {', '.join(ACTIONS)}")
    if decision in NOTES and not note.strip():
        what = "the note's text" if decision == "note" else "the partner's name"
        raise ReviewError(f"a {decision} needs {what}")
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
        " LEFT JOIN calls c ON c.id = r.call_id WHERE r.theme = ? AND r.decision IN"
        f" ({', '.join('?' * len(DECISIONS))}) ORDER BY r.id",
        [theme, *DECISIONS],
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


def reviews_since(db: sqlite_utils.Database, since: datetime) -> list[dict[str, Any]]:
    """Every action recorded at or after `since`, newest first, with the call's title and
    portal (the "decisioni" view: what the group did this week)."""
    return query(
        db,
        "SELECT r.*, COALESCE(c.merged_into, r.call_id) AS shown_id, c.title, c.portal"
        " FROM reviews r LEFT JOIN calls c ON c.id = r.call_id"
        " WHERE r.decided_at >= ? ORDER BY r.id DESC",
        [since.astimezone(UTC).isoformat()],
    )


def last_review_id(db: sqlite_utils.Database) -> int:
    """The id of the newest decision (0 when none): tells whether scores predate a decision."""
    return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM reviews").fetchone()[0])


def clear_reviews(db: sqlite_utils.Database) -> None:
    """Remove every decision: only for the evaluation's own throw-away store."""
    with transaction(db):
        db.execute("DELETE FROM reviews")
