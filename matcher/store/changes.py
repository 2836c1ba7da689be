"""Calls' change history: each first appearance and each change of deadlines, budget, status.

The `calls` table keeps only a call's current row; digests must say what changed from what to
what, once per change, so every scrape records here what it changed. A change's id is the
`version` of the digest item that reports it (a call's first appearance is its "new" version).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from matcher.models import Call
from matcher.status import compute_status, future_deadlines
from matcher.store.db import chunks, marks, query

KINDS = ("new", "deadlines", "budget", "status", "reopened")
# What a partner hears about under "aggiornati" (a first appearance is "nuovi bandi").
UPDATE_KINDS = ("deadlines", "budget", "status", "reopened")
# Kinds that set the deadline a "closing soon" reminder is about.
DEADLINE_KINDS = ("new", "deadlines", "reopened")
# Budgets closer than this are the same budget (one euro of a source's rounding is no news).
BUDGET_TOLERANCE = 1.0

# (kind, before, after): values as JSON can hold them (ISO 8601 instants, euros, statuses)
Diff = tuple[str, Any, Any]


@dataclass(frozen=True)
class Change:
    """One recorded change of a call (before and after decoded from JSON)."""

    id: int
    call_id: str
    kind: str
    before: Any
    after: Any
    changed_at: str


def diff(old: Call, seen_then: datetime | None, new: Call, now: datetime) -> list[Diff]:
    """What changed between the stored call (last read at `seen_then`) and the one read now.

    A status change is one the source made (both versions read at `now`), not the passing of
    time. "Reopened": the call was closed when last read and now has a deadline ahead; it is
    recorded instead of the deadline and status changes it implies.
    """
    found: list[Diff] = []
    before, after = sorted(old.deadlines), sorted(new.deadlines)
    old_status, new_status = compute_status(old, now), compute_status(new, now)
    reopened = (
        before != after
        and seen_then is not None
        and compute_status(old, seen_then) == "closed"
        and bool(future_deadlines(new, now))
    )
    if before != after:
        kind = "reopened" if reopened else "deadlines"
        found.append((kind, [d.isoformat() for d in before], [d.isoformat() for d in after]))
    if _budget_changed(old.budget_eur, new.budget_eur):
        found.append(("budget", old.budget_eur, new.budget_eur))
    if old_status != new_status and not reopened:
        found.append(("status", old_status, new_status))
    return found


def _budget_changed(before: float | None, after: float | None) -> bool:
    if before is None or after is None:
        return (before is None) != (after is None)
    return abs(before - after) >= BUDGET_TOLERANCE


def record_changes(db: sqlite_utils.Database, call_id: str, found: list[Diff], stamp: str) -> None:
    """Append changes of one call (inside the caller's transaction)."""
    db.conn.executemany(
        "INSERT INTO changes (call_id, kind, before, after, changed_at) VALUES (?, ?, ?, ?, ?)",
        [(call_id, kind, _json(before), _json(after), stamp) for kind, before, after in found],
    )


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def changes_of(db: sqlite_utils.Database, call_ids: list[str]) -> dict[str, list[Change]]:
    """Every recorded change of these calls, oldest first, by call id."""
    found: dict[str, list[Change]] = {}
    for chunk in chunks(sorted(set(call_ids))):
        rows = query(db, f"SELECT * FROM changes WHERE call_id IN ({marks(chunk)}) ORDER BY id",
                     chunk)  # fmt: skip
        for row in rows:
            found.setdefault(row["call_id"], []).append(_change(row))
    return found


def merged_copies(db: sqlite_utils.Database, call_ids: list[str]) -> dict[str, list[str]]:
    """The ids of other portals' copies merged into these calls (dedupe): what a partner was
    told about a copy before the merge, it knows about the call."""
    found: dict[str, list[str]] = {}
    for chunk in chunks(sorted(set(call_ids))):
        rows = db.execute(f"SELECT merged_into, id FROM calls WHERE merged_into IN"
                          f" ({marks(chunk)}) ORDER BY id", chunk).fetchall()  # fmt: skip
        for survivor, copy in rows:
            found.setdefault(survivor, []).append(copy)
    return found


def changes_since(
    db: sqlite_utils.Database, since: str, kinds: tuple[str, ...] = KINDS, *, inclusive: bool = True
) -> list[Change]:
    """Changes recorded at or after the ISO instant `since` (after it, when not `inclusive`:
    what a report sent at `since` already covered), oldest first."""
    rows = query(
        db,
        f"SELECT * FROM changes WHERE changed_at {'>=' if inclusive else '>'} ? AND kind IN"
        f" ({marks(list(kinds))}) ORDER BY id",
        [since, *kinds],
    )
    return [_change(row) for row in rows]


def _change(row: dict[str, Any]) -> Change:
    return Change(
        id=row["id"],
        call_id=row["call_id"],
        kind=row["kind"],
        before=json.loads(row["before"]) if row["before"] is not None else None,
        after=json.loads(row["after"]) if row["after"] is not None else None,
        changed_at=row["changed_at"],
    )
